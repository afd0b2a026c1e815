"""How stored wallet rows become answers: the response models of
:mod:`wallet.web.api.wallet_models` filled in the asked language, issuer names from the
trust registry (never from the credential), claim labels from the type metadata; and the
downloads of a stored credential.

The JSON API (:mod:`wallet.web.api.wallet`) and the wallet pages
(:mod:`wallet.web.pages.wallet`) both answer through these, so a page shows exactly what
the API returns.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal, NamedTuple

from starlette.responses import Response

from wallet.credential_types import CredentialType, TypeRegistry
from wallet.db.models import AccessEvent, WalletItem
from wallet.db.wallet_crud import ItemSummary
from wallet.errors import NotFoundError, TrustError
from wallet.holder import ItemView
from wallet.jose import dumps_sorted
from wallet.sdjwt_vc import subject_of
from wallet.trust import IssuerEntry
from wallet.vc import envelope, format_datetime_stamp, unwrap
from wallet.web.api.wallet_models import (
    AccessLogPublic,
    AccreditationPublic,
    ClaimPublic,
    CredentialDetailPublic,
    CredentialItemPublic,
    CredentialTypePublic,
    IssuerDetailPublic,
    IssuerRefPublic,
    VerificationPublic,
)

#: Item ids are 22 base64url characters; anything much longer is not one.
MAX_ID_CHARS = 64


def item_id_or_404(item_id: str) -> str:
    """The id as given, or the same 404 as an unknown id when it cannot be one.

    :raises NotFoundError: for an id longer than :data:`MAX_ID_CHARS`.
    """
    if len(item_id) > MAX_ID_CHARS:
        raise NotFoundError("no such credential")
    return item_id


def text_in(names: Mapping[str, str], lang: str) -> str | None:
    """A language map's text in ``lang``, falling back to Latvian, then English."""
    for candidate in (lang, "lv", "en"):
        value = names.get(candidate)
        if value:
            return value
    return None


def _item_title(item: WalletItem | ItemSummary, lang: str) -> str | None:
    return text_in({"lv": item.title_lv or "", "en": item.title_en or ""}, lang)


def _entry(issuers: Mapping[str, IssuerEntry], slug: str | None) -> IssuerEntry | None:
    # An entry removed from the registry since the credential arrived leaves its slug
    # behind; the credential then shows without a registry name.
    return issuers.get(slug) if slug is not None else None


def item_public(
    item: WalletItem | ItemSummary, issuers: Mapping[str, IssuerEntry], lang: str
) -> CredentialItemPublic:
    """A listed credential; the issuer's name comes from the registry, never the credential."""
    entry = _entry(issuers, item.issuer_slug)
    return CredentialItemPublic(
        id=item.id,
        type=item.type_name,
        issuer=IssuerRefPublic(
            id=item.issuer_id,
            slug=entry.slug if entry is not None else None,
            name=text_in(entry.names, lang) if entry is not None else None,
        ),
        title=_item_title(item, lang),
        issuedAt=format_datetime_stamp(item.issued_at),
        addedAt=format_datetime_stamp(item.added_at),
        source=item.source,
        trust=item.trust,
        verified=item.verified,
    )


def detail_public(
    shown: ItemView,
    *,
    types: TypeRegistry,
    issuers: Mapping[str, IssuerEntry],
    lang: str,
    now: int,
) -> CredentialDetailPublic:
    """One credential as its owner reads it, with the verification that was just re-run."""
    item = shown.item
    ctype = types.types.get(item.type_name)
    subject = subject_of(shown.credential) if shown.credential else None
    title = None
    if ctype is not None and isinstance(subject, Mapping):
        title = ctype.title(subject, lang)
    if shown.report is None:
        checks = [{"name": "parse", "result": "failed", "reason": shown.problem or "unreadable"}]
        verified = False
    else:
        checks = [
            {"name": c.name, "result": c.result.value, "reason": c.reason}
            for c in shown.report.checks
        ]
        verified = shown.report.verified
    return CredentialDetailPublic(
        id=item.id,
        title=title or _item_title(item, lang),
        type=type_public(item.type_name, ctype, lang),
        issuer=_issuer_detail(item, _entry(issuers, item.issuer_slug), lang),
        issuedAt=format_datetime_stamp(item.issued_at),
        addedAt=format_datetime_stamp(item.added_at),
        source=item.source,
        trust=item.trust,
        claims=_claims(ctype, subject, lang) if isinstance(subject, Mapping) else [],
        credential=dict(shown.credential) if shown.credential is not None else None,
        verification=VerificationPublic.model_validate(
            {"verified": verified, "checkedAt": format_datetime_stamp(now), "checks": checks}
        ),
    )


def type_public(name: str, ctype: CredentialType | None, lang: str) -> CredentialTypePublic:
    """A credential type with its display name and description in ``lang`` (both null for
    a credential of no registered type)."""
    if ctype is None:
        return CredentialTypePublic(name=name, displayName=None, description=None)
    display = {d["locale"]: d for d in ctype.metadata["display"]}
    chosen = display.get(lang) or display["lv"]
    return CredentialTypePublic(
        name=name, displayName=ctype.display_name(lang), description=str(chosen["description"])
    )


def _issuer_detail(item: WalletItem, entry: IssuerEntry | None, lang: str) -> IssuerDetailPublic:
    if entry is None:
        return IssuerDetailPublic(
            id=item.issuer_id, slug=None, name=None, country=None, registrationNumber=None,
            accredited=False, accreditation=[],
        )  # fmt: skip
    try:
        entry.check_accredited(item.type_name, item.issued_at)
        accredited = True
    except TrustError:
        accredited = False
    return IssuerDetailPublic(
        id=item.issuer_id,
        slug=entry.slug,
        name=text_in(entry.names, lang),
        country=entry.country,
        registrationNumber=entry.registration_number,
        accredited=accredited,
        accreditation=[
            AccreditationPublic(
                types=sorted(a.types),
                validFrom=format_datetime_stamp(a.valid_from),
                validUntil=None if a.valid_until is None else format_datetime_stamp(a.valid_until),
                decision=a.decision,
            )
            for a in entry.accreditations
        ],
    )


class LabelledClaim(NamedTuple):
    """A claim the type metadata labels: its path (names only) and its label in one
    language (SD-JWT VC type metadata ``claims[].display``)."""

    path: tuple[str, ...]
    label: str


def labelled_claims(ctype: CredentialType, lang: str) -> tuple[LabelledClaim, ...]:
    """The claims of ``ctype``'s metadata that can be shown, in its order, with the label
    in ``lang``. A path with an array step ("every element of") is left out: its array's
    own claim shows what it would."""
    found = []
    for claim in ctype.metadata["claims"]:
        path = claim["path"]
        if not all(isinstance(step, str) for step in path):
            continue
        labels = {d["locale"]: d["label"] for d in claim["display"]}
        found.append(LabelledClaim(tuple(path), text_in(labels, lang) or path[-1]))
    return tuple(found)


def claim_values(
    labelled: Sequence[LabelledClaim], subject: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """The subject's values of the ``labelled`` claims that it has, as
    :class:`~wallet.web.api.wallet_models.ClaimPublic` holds them."""
    found = []
    for path, label in labelled:
        node: Any = subject
        for step in path:
            # dict first: parsed JSON, a quick check.
            node = node.get(step) if isinstance(node, (dict, Mapping)) else None
            if node is None:
                break
        if node is not None:
            found.append({"path": list(path), "label": label, "value": node})
    return found


def _claims(
    ctype: CredentialType | None, subject: Mapping[str, Any], lang: str
) -> list[ClaimPublic]:
    """The subject's claims that the type metadata labels, in its order, with the label in
    ``lang`` (SD-JWT VC type metadata ``claims[].display``)."""
    if ctype is None:
        return []
    values = claim_values(labelled_claims(ctype, lang), subject)
    return [ClaimPublic.model_validate(value) for value in values]


def access_log_public(events: Iterable[AccessEvent]) -> AccessLogPublic:
    """The access log as its owner reads it, in the order given (newest first)."""
    return AccessLogPublic.model_validate(
        {
            "items": [
                {"at": format_datetime_stamp(e.at), "actor": e.actor, "action": e.action,
                 "target": e.target}
                for e in events
            ]
        }
    )  # fmt: skip


def attachment(token: str, item_id: str, form: Literal["jwt", "json"]) -> Response:
    """A stored credential as a download: the compact JWS exactly as received
    (``{id}.jwt``), or with ``form="json"`` the enveloped credential (VC 2.0 §4.13,
    ``{id}.json``)."""
    secured = unwrap(token)
    if form == "json":
        return Response(
            dumps_sorted(envelope(secured.media_type, secured.token)),
            media_type="application/json",
            headers=_attachment_headers(f"{item_id}.json"),
        )
    return Response(
        secured.token, media_type=secured.media_type, headers=_attachment_headers(f"{item_id}.jwt")
    )


def _attachment_headers(filename: str) -> dict[str, str]:
    return {
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store",
    }
