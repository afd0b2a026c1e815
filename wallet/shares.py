"""Share links: a learner shares presentations of chosen credentials behind ``/s/{token}``;
anyone holding the link opens it and sees them verified, every time afresh
(``docs/shares.md``).

**Create.** The learner picks credentials and, for SD-JWT VCs, the claims to disclose; an
expiry (default :data:`DEFAULT_DAYS` days, 1 to :data:`MAX_DAYS`) and optionally a number
of views. The wallet builds the presentations now: an SD-JWT+KB per SD-JWT VC whose KB-JWT
``aud`` is the link and ``nonce`` the share's id, signed with the wallet's holder key; the
vc+jwt credentials together in one vp+jwt with the same ``aud`` and ``nonce``. They are
kept sealed by the wallet's data key.

**The link.** Its token is 128 random bits; only its keyed hash is stored, and the link is
looked up by that hash. The share's id, another 128 random bits, is the presentations'
nonce and names the share in the learner's listing and the access log. An unknown token is
:class:`~wallet.errors.NotFoundError`; an expired, revoked or used-up share is
:class:`~wallet.errors.GoneError`.

**Open.** Every opening verifies every presentation again (status read live) under the
share-link policy: ``aud`` = this link, ``nonce`` = the share's id, the KB-JWT ``iat`` at or
after the share's creation (and, as always, not in the future); the share being alive
bounds it from above. The same presentation is meant to be opened many times, so nothing
is used up but views. An opening that counts a view takes it in one conditional update
(:func:`wallet.db.share_crud.take_view`), so parallel openings never exceed ``max_views``.
Openings and verifications are written to the wallet's access log: :data:`OPENED` for the
link opened at its own address, :data:`CHECKED` for the link given on ``/verify`` (a QR
code or pasted), then one entry per credential with the verdict.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlmodel import Session

from wallet import holder, presentations
from wallet.db import share_crud, wallet_crud
from wallet.db.models import HolderWallet, Share
from wallet.errors import GoneError, InputError, NotFoundError
from wallet.holder import HolderContext
from wallet.jose import b64url_encode, dumps_sorted, keyed_hash, loads_object
from wallet.sdjwt import ClaimPath, KeyBindingPolicy
from wallet.vc import PresentationPolicy
from wallet.verifier import VerificationReport, verify_sd_jwt_vc
from wallet.vp_verifier import verify_vp_jwt

#: The expiry of a share when the learner names none, in days.
DEFAULT_DAYS = 30
#: The longest expiry a learner may choose, in days.
MAX_DAYS = 365
#: The most views a learner may allow (a share without a limit has none).
MAX_VIEWS = 10_000
#: Most credentials in one share.
MAX_ITEMS = 10
#: Longest label the learner may give a share (shown to the verifier).
MAX_LABEL_CHARS = 128
#: Longest verifier name kept in the access log, after sanitising.
MAX_VERIFIER_CHARS = 64
#: Random bytes of a link token and of a share id (128 bits each).
TOKEN_BYTES = 16
#: The shape of a token: 16 bytes as unpadded base64url. Anything else is not looked up.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{22}")
#: Most shares listed for a learner.
MAX_LISTED = 500
#: The access-log action of an opening of the link at its own address (page, JSON, Show).
OPENED = "share.opened"
#: The access-log action of a verification of the link given on ``/verify`` (its QR code
#: uploaded, or the link pasted): the same result as an opening, asked for elsewhere.
CHECKED = "share.checked"
_DAY = 24 * 3600


@dataclass(frozen=True)
class ShareContext:
    """What share links need: the wallet's context, the service's base URL and the key of
    token hashes, built once per process."""

    holder: HolderContext
    base_url: str
    token_key: bytes


@dataclass(frozen=True)
class ShareItem:
    """One credential to share and, for an SD-JWT VC, the claim paths to disclose."""

    item_id: str
    disclose: tuple[ClaimPath, ...] = ()


@dataclass(frozen=True)
class Presented:
    """One presentation of a share: its format, the credentials it presents, the text."""

    format: str
    item_ids: tuple[str, ...]
    presentation: str


@dataclass(frozen=True)
class Created:
    """A new share, its token (shown once, never stored) and its link."""

    share: Share
    token: str
    url: str


class ShareState(Protocol):
    """What opening a share reads of it: a :class:`~wallet.db.models.Share`, or the row of
    :func:`wallet.db.share_crud.opening_by_token_hash`."""

    @property
    def id(self) -> str: ...
    @property
    def wallet_id(self) -> int: ...
    @property
    def created_at(self) -> int: ...
    @property
    def expires_at(self) -> int: ...
    @property
    def max_views(self) -> int | None: ...
    @property
    def views(self) -> int: ...
    @property
    def revoked_at(self) -> int | None: ...
    @property
    def label(self) -> str | None: ...


@dataclass(frozen=True)
class Opened:
    """A share opened now: every presentation with its verification report (``share``
    with the view this opening took, if it took one)."""

    share: ShareState
    url: str
    results: tuple[tuple[Presented, VerificationReport], ...]
    checked_at: int

    @property
    def verified(self) -> bool:
        """True only when every presentation verified now."""
        return bool(self.results) and all(report.verified for _, report in self.results)


def share_url(ctx: ShareContext, token: str) -> str:
    """The link of a token: ``{base}/s/{token}``."""
    return f"{ctx.base_url}/s/{token}"


def _token_hash(ctx: ShareContext, token: str) -> str:
    return keyed_hash(ctx.token_key, token)


def _place(share_id: str) -> str:
    return f"share:{share_id}"


# --- creating, listing, revoking (the learner) -----------------------------------------------


def _check_request(
    items: Sequence[ShareItem], expires_in_days: int | None, max_views: int | None
) -> int:
    if not 1 <= len(items) <= MAX_ITEMS:
        raise InputError(f"a share holds 1 to {MAX_ITEMS} credentials")
    if len({item.item_id for item in items}) != len(items):
        raise InputError("a credential is named twice in the share")
    if any(len(item.disclose) > presentations.MAX_PATHS for item in items):
        raise InputError(f"at most {presentations.MAX_PATHS} claims per credential")
    days = DEFAULT_DAYS if expires_in_days is None else expires_in_days
    if not 1 <= days <= MAX_DAYS:
        raise InputError(f"a share expires in 1 to {MAX_DAYS} days")
    if max_views is not None and not 1 <= max_views <= MAX_VIEWS:
        raise InputError(f"a view limit is 1 to {MAX_VIEWS}")
    return days


def create_share(
    session: Session,
    *,
    ctx: ShareContext,
    account_id: int,
    items: Sequence[ShareItem],
    now: int,
    expires_in_days: int | None = None,
    max_views: int | None = None,
    label: str | None = None,
) -> Created:
    """Build the presentations of ``items`` for a new link, and keep them sealed.

    SD-JWT VCs disclose only their ``disclose`` paths (besides what is always visible);
    vc+jwt credentials are presented whole, together in one vp+jwt.

    :raises NotFoundError: when a credential is not in the learner's wallets.
    :raises InputError: for a malformed request (counts, expiry, view limit, label), or
        disclosures asked of a vc+jwt credential.
    """
    days = _check_request(items, expires_in_days, max_views)
    if label is not None:
        label = label.strip() or None
        if label is not None and (len(label) > MAX_LABEL_CHARS or not label.isprintable()):
            raise InputError(f"a label is at most {MAX_LABEL_CHARS} printable characters")
    rows = []
    for request in items:
        row = wallet_crud.item_of(session, account_id=account_id, item_id=request.item_id)
        if row is None:
            raise NotFoundError("no such credential")
        if row.format != "dc+sd-jwt" and request.disclose:
            raise InputError("only SD-JWT VCs disclose chosen claims; a vc+jwt is shown whole")
        rows.append(row)
    share_id = b64url_encode(ctx.holder.random(TOKEN_BYTES))
    token = b64url_encode(ctx.holder.random(TOKEN_BYTES))
    url = share_url(ctx, token)
    built: list[Presented] = []
    for request, row in zip(items, rows, strict=True):
        if row.format == "dc+sd-jwt":
            text = presentations.present_credential(
                session, ctx=ctx.holder, account_id=account_id, item_id=row.id,
                disclose=request.disclose, domain=url, challenge=share_id, now=now,
            )  # fmt: skip
            built.append(Presented("dc+sd-jwt", (row.id,), text))
    vc_jwt_ids = tuple(row.id for row in rows if row.format != "dc+sd-jwt")
    if vc_jwt_ids:
        text = presentations.present_vc_jwt(
            session, ctx=ctx.holder, account_id=account_id, item_ids=vc_jwt_ids,
            aud=url, nonce=share_id, now=now,
        )  # fmt: skip
        built.append(Presented("vp+jwt", vc_jwt_ids, text))
    wallet = wallet_crud.wallet_by_id(session, wallet_id=rows[0].wallet_id)
    assert wallet is not None and wallet.id is not None
    content = {
        "url": url,
        "presentations": [
            {"format": p.format, "itemIds": list(p.item_ids), "presentation": p.presentation}
            for p in built
        ],
    }
    share = Share(
        id=share_id,
        token_hash=_token_hash(ctx, token),
        wallet_id=wallet.id,
        account_id=account_id,
        created_at=now,
        expires_at=now + days * _DAY,
        max_views=max_views,
        views=0,
        label=label,
        item_ids=json.dumps([row.id for row in rows]),
        content=holder.seal_in_wallet(ctx.holder, wallet, dumps_sorted(content), _place(share_id)),
    )
    share_crud.add_share(session, row=share)
    return Created(share=share, token=token, url=url)


def list_shares(session: Session, *, account_id: int) -> list[Share]:
    """The learner's shares, newest first (at most :data:`MAX_LISTED`)."""
    return share_crud.shares_of(session, account_id=account_id, limit=MAX_LISTED)


def item_ids_of(share: Share) -> list[str]:
    """The ids of the credentials a share presents."""
    ids = json.loads(share.item_ids)
    assert isinstance(ids, list)
    return [str(i) for i in ids]


def link_of(session: Session, *, ctx: ShareContext, share: Share) -> str:
    """The link of one of the learner's shares, opened from its sealed content (the token
    itself is stored nowhere in the clear)."""
    url = _content(session, ctx, share)["url"]
    assert isinstance(url, str)
    return url


def revoke_share(session: Session, *, account_id: int, share_id: str, now: int) -> Share:
    """Revoke one of the learner's shares at once: the link answers 410 from now on.

    :raises NotFoundError: when it is not the learner's share.
    """
    share = share_crud.share_of(session, account_id=account_id, share_id=share_id[:64])
    if share is None:
        raise NotFoundError("no such share")
    share_crud.revoke_share(session, share_id=share.id, now=now)
    session.refresh(share)
    return share


def state_of(share: ShareState, now: int) -> str:
    """``active``, ``revoked``, ``expired`` or ``used-up``."""
    if share.revoked_at is not None:
        return "revoked"
    if now >= share.expires_at:
        return "expired"
    if share.max_views is not None and share.views >= share.max_views:
        return "used-up"
    return "active"


# --- opening (anyone with the link) ------------------------------------------------------------


def _check_live(share: ShareState, now: int, need_view: bool) -> None:
    state = state_of(share, now)
    if state == "revoked":
        raise GoneError("this share link was revoked by its owner")
    if state == "expired":
        raise GoneError("this share link has expired")
    if state == "used-up" and need_view:
        raise GoneError("this share link has been opened as many times as its owner allowed")


def find(session: Session, *, ctx: ShareContext, token: str, now: int, need_view: bool) -> Share:
    """The live share of ``token``.

    :param need_view: whether a used-up share is refused too (QR images need no view).
    :raises NotFoundError: for a token of no share (or not shaped like one).
    :raises GoneError: for a revoked or expired share, or a used-up one with ``need_view``.
    """
    if not TOKEN_PATTERN.fullmatch(token):
        raise NotFoundError("no such share link")
    share = share_crud.share_by_token_hash(session, token_hash=_token_hash(ctx, token))
    if share is None:
        raise NotFoundError("no such share link")
    _check_live(share, now, need_view)
    return share


def find_presentations(
    session: Session, *, ctx: ShareContext, token: str, now: int
) -> tuple[share_crud.ShareRow, tuple[Presented, ...]]:
    """The live share of ``token`` with a view left, and its presentations unsealed: the
    share and its wallet's key are read in one query.

    :raises NotFoundError: for a token of no share (or not shaped like one).
    :raises GoneError: for a revoked, expired or used-up share.
    """
    if not TOKEN_PATTERN.fullmatch(token):
        raise NotFoundError("no such share link")
    share = share_crud.opening_by_token_hash(session, token_hash=_token_hash(ctx, token))
    if share is None:
        raise NotFoundError("no such share link")
    _check_live(share, now, need_view=True)
    raw = holder.unseal_with_wallet_key(
        ctx.holder, holder_did=share.holder_did, data_key=share.data_key,
        sealed=share.content, place=_place(share.id),
    )  # fmt: skip
    content = loads_object(raw, what="stored share")
    presented = tuple(
        Presented(entry["format"], tuple(entry["itemIds"]), entry["presentation"])
        for entry in content["presentations"]
    )
    return share, presented


def open_share(
    session: Session,
    *,
    ctx: ShareContext,
    token: str,
    now: int,
    count_view: bool,
    verifier: str | None = None,
    action: str = OPENED,
) -> Opened:
    """Open a share: verify every presentation now, take a view when ``count_view``, and
    record the opening (as ``action``: :data:`OPENED` or :data:`CHECKED`) and each
    verification in the wallet's access log.

    The share is read by one query, outside any write; the view and the log entries are
    then written together, and the caller commits them in one transaction. Verifying
    before the view is taken keeps the database's write lock for the two writes and the
    commit only; the view is still taken by one conditional update, so an opening that
    lost the last view (or the share) meanwhile is refused and writes nothing.

    :raises NotFoundError: for an unknown token.
    :raises GoneError: for a revoked, expired or used-up share (also when the last view
        went to a parallel opening).
    """
    share, presented = find_presentations(session, ctx=ctx, token=token, now=now)
    url = share_url(ctx, token)
    results = tuple((item, _verify(ctx, item, url=url, share=share, now=now)) for item in presented)
    if count_view:
        views = share_crud.take_view(session, share_id=share.id, now=now)
        if views is None:
            raise GoneError("this share link has been opened as many times as its owner allowed")
        share = share._replace(views=views)
    actor = _actor(verifier)
    entries = [(actor, action, f"share:{share.id}")]
    for item, report in results:
        outcome = "verified" if report.verified else "not-verified"
        entries.extend(
            (actor, f"share.{outcome}", f"share:{share.id}/{item_id}") for item_id in item.item_ids
        )
    holder.record_accesses(session, wallet_id=share.wallet_id, entries=entries, now=now)
    return Opened(share=share, url=url, results=results, checked_at=now)


def share_policy(*, url: str, share: ShareState, now: int) -> KeyBindingPolicy:
    """The share-link policy of a KB-JWT: ``aud`` the link, ``nonce`` the share's id, ``iat``
    at or after the share's creation.

    :class:`~wallet.sdjwt.KeyBindingPolicy` bounds ``iat`` by an age; an age of exactly
    ``now - created_at`` is the lower end of the share's lifetime, and the default clock
    skew the upper end. Openings happen only while the share is alive (:func:`find`), so
    the window never reaches past its expiry.
    """
    return KeyBindingPolicy(aud=url, nonce=share.id, max_age_seconds=max(0, now - share.created_at))


def _verify(
    ctx: ShareContext, presented: Presented, *, url: str, share: ShareState, now: int
) -> VerificationReport:
    policy = share_policy(url=url, share=share, now=now)
    if presented.format == "dc+sd-jwt":
        return verify_sd_jwt_vc(
            presented.presentation, ctx=ctx.holder.verification, now=now, key_binding=policy
        )
    vp_policy = PresentationPolicy(
        aud=url, nonce=share.id, max_age_seconds=None,
        earliest_iat=share.created_at, latest_iat=share.expires_at,
    )  # fmt: skip
    return verify_vp_jwt(
        presented.presentation, ctx=ctx.holder.verification, now=now, policy=vp_policy
    )


def _content(session: Session, ctx: ShareContext, share: Share) -> dict[str, Any]:
    wallet = session.get(HolderWallet, share.wallet_id)
    assert wallet is not None
    return _unsealed(ctx, share, wallet)


def _unsealed(ctx: ShareContext, share: Share, wallet: HolderWallet) -> dict[str, Any]:
    raw = holder.unseal_in_wallet(ctx.holder, wallet, share.content, _place(share.id))
    return loads_object(raw, what="stored share")


def verifier_name(value: str | None) -> str | None:
    """The verifier's stated name as the access log keeps it: control and format characters
    dropped, white space collapsed, at most :data:`MAX_VERIFIER_CHARS` characters; None
    when nothing is left."""
    if value is None:
        return None
    kept = "".join(
        " " if c.isspace() else c
        for c in value[: MAX_VERIFIER_CHARS * 4]
        if c.isspace() or unicodedata.category(c)[0] not in "CZ"
    )
    cleaned = " ".join(kept.split())[:MAX_VERIFIER_CHARS].strip()
    return cleaned or None


def _actor(verifier: str | None) -> str:
    name = verifier_name(verifier)
    return f"verifier:{name}" if name else "verifier"


def record_opening(
    session: Session, *, share: Share, verifier: str | None, action: str, now: int
) -> None:
    """Write an opening of ``share`` (``action``) to its wallet's access log."""
    holder.record_access(
        session, wallet_id=share.wallet_id, actor=_actor(verifier), action=action,
        target=f"share:{share.id}", now=now,
    )  # fmt: skip
