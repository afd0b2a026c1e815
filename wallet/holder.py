"""Wallet use-cases: deliver, attach on proof, list, view, import, delete, access log, export,
erase.

**Delivery.** A credential issued with ``options.learner`` lands in a wallet found by the
keyed hash of the personal code (when given; it wins over the e-mail address) or of the
e-mail address. When none exists yet, a *pending* wallet is made for that identifier,
with its own holder keys; it is attached to an account when the account proves the
identifier: the personal code through the identity provider (:mod:`wallet.identity`), the
e-mail address through the verification link. A wallet keyed by a personal code is never
released by an e-mail address. An account may hold several wallets (each keeps the holder
keys its credentials are bound to) and sees them as one.

**Encryption at rest.** Each wallet has a random AES-256 data key, sealed by the
key-encryption key derived from the service secret; the holder private keys and every
credential (with its verification result) are sealed by the data key, bound to their row.
Only the columns needed to list and search are plain: type, issuer, titles, dates.

**Isolation.** Every read takes the account id and goes through
:mod:`wallet.db.wallet_crud`, whose queries join through the wallet's account: another
account's credential is "not found" (404), never "forbidden".
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlmodel import Session

from wallet.collation import latvian_key
from wallet.credential_types import TypeRegistry
from wallet.db import account_crud, wallet_crud
from wallet.db.models import AccessEvent, Account, HolderWallet, WalletItem
from wallet.db.wallet_crud import ItemFilter, ItemSummary
from wallet.dids import did_jwk
from wallet.errors import (
    InputError,
    NotFoundError,
    ParseError,
    PayloadTooLargeError,
    UnknownIssuerError,
    WalletError,
)
from wallet.jose import (
    ScryptCost,
    SigningKey,
    b64url_encode,
    dumps_sorted,
    encrypt_with_passphrase,
    generate_signing_key,
    load_der,
    loads_object,
    private_der,
    seal,
    unseal,
)
from wallet.personal_code import hash_identifier
from wallet.sdjwt_vc import subject_of
from wallet.status_lists import TransactionStatusLists
from wallet.trust import Registry
from wallet.vc import format_datetime_stamp, issuer_id, unwrap
from wallet.verifier import VerificationReport, VerifierContext, verify_credential

#: Largest credential accepted for import, in characters.
MAX_IMPORT_CHARS = 256 * 1024
#: Largest page of a listing.
MAX_PAGE = 100
#: Most credentials sorted by title in one listing (titles sort in memory, by Latvian rules).
MAX_TITLE_SORT = 5000


@dataclass(frozen=True)
class HolderContext:
    """What the wallet use-cases need, built once per process."""

    kek: bytes
    learner_key: bytes
    verification: VerifierContext
    types: TypeRegistry
    registry: Registry
    random: Callable[[int], bytes]
    export_cost: ScryptCost = ScryptCost()


@dataclass(frozen=True)
class ItemView:
    """One credential as its owner sees it."""

    item: WalletItem
    token: str
    credential: Mapping[str, Any] | None
    report: VerificationReport | None
    problem: str | None


# --- keys and sealing -------------------------------------------------------------------


def _data_key(ctx: HolderContext, wallet: HolderWallet) -> bytes:
    return _open_data_key(ctx, holder_did=wallet.holder_did, data_key=wallet.data_key)


def _open_data_key(ctx: HolderContext, *, holder_did: str, data_key: str) -> bytes:
    return unseal(ctx.kek, data_key, associated=f"wallet:{holder_did}".encode())


def _seal(ctx: HolderContext, key: bytes, data: bytes, place: str) -> str:
    return seal(key, data, nonce=ctx.random(12), associated=place.encode())


def new_wallet(
    session: Session,
    *,
    ctx: HolderContext,
    now: int,
    personal_code_hash: str | None = None,
    email_hash: str | None = None,
    account_id: int | None = None,
) -> HolderWallet:
    """Make a wallet with fresh holder keys (P-256 and Ed25519) and a fresh data key."""
    p256 = generate_signing_key("ES256")
    ed25519 = generate_signing_key("EdDSA")
    holder_did = did_jwk(p256.public.to_dict())
    data_key = ctx.random(32)
    row = HolderWallet(
        account_id=account_id,
        personal_code_hash=personal_code_hash,
        email_hash=email_hash,
        holder_did=holder_did,
        data_key=_seal(ctx, ctx.kek, data_key, f"wallet:{holder_did}"),
        p256_key=_seal(ctx, data_key, private_der(p256), f"p256:{holder_did}"),
        ed25519_key=_seal(ctx, data_key, private_der(ed25519), f"ed25519:{holder_did}"),
        created_at=now,
    )
    return wallet_crud.add_wallet(session, row=row)


def holder_keys(ctx: HolderContext, wallet: HolderWallet) -> tuple[SigningKey, SigningKey]:
    """The wallet's P-256 and Ed25519 private keys (for presentations and export)."""
    data_key = _data_key(ctx, wallet)
    p256 = load_der(
        unseal(data_key, wallet.p256_key, associated=f"p256:{wallet.holder_did}".encode())
    )
    ed25519 = load_der(
        unseal(data_key, wallet.ed25519_key, associated=f"ed25519:{wallet.holder_did}".encode())
    )
    return p256, ed25519


def seal_in_wallet(ctx: HolderContext, wallet: HolderWallet, data: bytes, place: str) -> str:
    """``data`` sealed by the wallet's data key and bound to ``place``, as credentials are
    (for what other use-cases keep of a wallet, such as share links)."""
    return _seal(ctx, _data_key(ctx, wallet), data, place)


def unseal_in_wallet(ctx: HolderContext, wallet: HolderWallet, sealed: str, place: str) -> bytes:
    """Open a value made by :func:`seal_in_wallet` for ``place``.

    :raises ParseError: when it was sealed for another wallet or place, or was altered.
    """
    return unseal(_data_key(ctx, wallet), sealed, associated=place.encode())


def unseal_with_wallet_key(
    ctx: HolderContext, *, holder_did: str, data_key: str, sealed: str, place: str
) -> bytes:
    """:func:`unseal_in_wallet` given only the two columns of the wallet it needs (its holder
    DID and sealed data key), as a query that reads no whole wallet row has them.

    :raises ParseError: when it was sealed for another wallet or place, or was altered.
    """
    key = _open_data_key(ctx, holder_did=holder_did, data_key=data_key)
    return unseal(key, sealed, associated=place.encode())


# --- delivery ---------------------------------------------------------------------------


def wallet_for_learner(
    session: Session,
    *,
    ctx: HolderContext,
    learner_hash: str | None,
    email_hash: str | None,
    now: int,
    email: str | None = None,
) -> HolderWallet | None:
    """The wallet a credential for this learner lands in, made when there is none.

    The personal code wins: with one, the e-mail address only records where to tell that
    something waits. A new wallet is attached at once to the account that has already
    proven the identifier (the linked personal code, or the verified ``email``), else it
    is pending. None when neither identifier is given.
    """
    if learner_hash is not None:
        wallet = wallet_crud.wallet_by_personal_code(session, code_hash=learner_hash)
        if wallet is None:
            owner = account_crud.account_by_personal_code(session, code_hash=learner_hash)
            wallet = new_wallet(
                session, ctx=ctx, now=now, personal_code_hash=learner_hash,
                email_hash=email_hash, account_id=owner.id if owner is not None else None,
            )  # fmt: skip
        return wallet
    if email_hash is not None:
        wallet = wallet_crud.wallet_by_email(session, email_hash=email_hash)
        if wallet is None:
            owner = account_crud.account_by_email(session, email=email) if email else None
            proven = owner is not None and owner.email_verified_at is not None
            wallet = new_wallet(
                session, ctx=ctx, now=now, email_hash=email_hash,
                account_id=owner.id if proven and owner is not None else None,
            )  # fmt: skip
        return wallet
    return None


def wallets_for_learners(
    session: Session,
    *,
    ctx: HolderContext,
    learners: Sequence[tuple[str | None, str | None, str | None]],
    now: int,
) -> list[HolderWallet | None]:
    """:func:`wallet_for_learner` for many (learner hash, e-mail hash, e-mail) at once.

    Wallets of personal codes are looked up in bulk; only the learners without one (and
    e-mail-only learners) are looked up one by one, and their wallets made as needed.
    """
    known = wallet_crud.wallets_by_personal_codes(
        session, code_hashes=[code for code, _, _ in learners if code is not None]
    )
    found: list[HolderWallet | None] = []
    for code, email_hash, email in learners:
        wallet = known.get(code) if code is not None else None
        if wallet is None:
            wallet = wallet_for_learner(
                session, ctx=ctx, learner_hash=code, email_hash=email_hash, email=email, now=now
            )
            if wallet is not None and code is not None:
                known[code] = wallet
        found.append(wallet)
    return found


def store(
    session: Session,
    *,
    ctx: HolderContext,
    wallet: HolderWallet,
    token: str,
    source: str,
    now: int,
    record_id: str | None = None,
) -> WalletItem:
    """Verify a credential and keep it, with the result, in ``wallet``.

    A credential that verifies is kept as ``trust="verified"``; one whose issuer is not
    registered here as ``"unknown-issuer"``; one that fails another check as
    ``"not-verified"``. Only a value that cannot be parsed at all is refused.

    :raises ParseError: when ``token`` is not a credential this service can read.
    """
    verification = ctx.verification
    if verification.status is not None:
        # Verified in the caller's transaction: a batch delivers what it has not committed.
        lists = TransactionStatusLists(session)
        verification = replace(verification, status=verification.status.within(lists))
    report = verify_credential(token, ctx=verification, now=now)
    credential = report.credential or {}
    trust = "verified" if report.verified else "not-verified"
    if any(isinstance(p, UnknownIssuerError) for p in report.problems):
        trust = "unknown-issuer"
    try:
        issuer = issuer_id(credential)
    except WalletError:  # an SD-JWT VC names it in iss; a malformed one is kept as data
        iss = credential.get("iss")
        issuer = iss if isinstance(iss, str) else ""
    ctype = ctx.types.types.get(report.type_name or "")
    subject = subject_of(credential)
    titles: dict[str, str | None] = {"lv": None, "en": None}
    if ctype is not None and isinstance(subject, Mapping):
        titles = {lang: ctype.title(subject, lang) for lang in titles}
    elif isinstance(credential.get("name"), str):
        titles = {"lv": credential["name"], "en": credential["name"]}
    item_id = b64url_encode(ctx.random(16))
    content = {
        "token": token,
        "checks": [[c.name, c.result.value, c.reason] for c in report.checks],
        "verifiedAt": now,
    }
    data_key = _data_key(ctx, wallet)
    assert wallet.id is not None
    row = WalletItem(
        id=item_id,
        wallet_id=wallet.id,
        record_id=record_id,
        source=source,
        format=report.format,
        type_name=report.type_name or "generic",
        issuer_slug=report.issuer.slug if report.issuer is not None else None,
        issuer_id=issuer[:512],
        title_lv=_clip(titles["lv"]),
        title_en=_clip(titles["en"]),
        issued_at=report.signed_at if report.signed_at is not None else now,
        added_at=now,
        verified=report.verified,
        trust=trust,
        content=_seal(ctx, data_key, dumps_sorted(content), f"item:{item_id}"),
    )
    return wallet_crud.add_item(session, row=row)


def _clip(text: str | None) -> str | None:
    return text[:512] if text else None


def attach(session: Session, *, ctx: HolderContext, account: Account, now: int) -> int:
    """Attach the pending wallets this account has proven its right to; return how many.

    Called when the e-mail address is proven (releases e-mail wallets, never a wallet of a
    personal code) and when a personal code is linked (releases that code's wallet).
    """
    assert account.id is not None
    email_hash = (
        hash_identifier(ctx.learner_key, "email", account.email)
        if account.email_verified_at is not None
        else None
    )
    wallets = wallet_crud.pending_wallets(
        session, code_hash=account.personal_code_hash, email_hash=email_hash
    )
    for wallet in wallets:
        wallet.account_id = account.id
        session.add(wallet)
    session.flush()
    return len(wallets)


# --- reading ----------------------------------------------------------------------------


def list_credentials(
    session: Session,
    *,
    account_id: int,
    type_name: str | None = None,
    issuer_slug: str | None = None,
    year: int | None = None,
    query: str | None = None,
    sort: str = "date",
    language: str = "lv",
    limit: int = 20,
    offset: int = 0,
) -> list[ItemSummary]:
    """A page of the account's credentials, newest first or by title (Latvian collation).

    Each is an :class:`ItemSummary` (the plain columns); :func:`view` opens one.

    :raises InputError: for an unknown sort or a page outside bounds.
    """
    if sort not in ("date", "-date", "title") or not 1 <= limit <= MAX_PAGE:
        raise InputError(f"sort is date, -date or title; limit is 1 to {MAX_PAGE}")
    if offset < 0:
        raise InputError("offset is not negative")
    where = ItemFilter(type_name=type_name, issuer_slug=issuer_slug, year=year, query=query)
    if sort != "title":
        return wallet_crud.list_items(
            session, account_id=account_id, where=where, limit=limit, offset=offset,
            newest_first=sort == "date",
        )  # fmt: skip
    everything = wallet_crud.list_items(
        session, account_id=account_id, where=where, limit=MAX_TITLE_SORT, offset=0
    )
    everything.sort(key=lambda item: (latvian_key(_title(item, language)), item.id))
    return everything[offset : offset + limit]


def _title(item: ItemSummary, language: str) -> str:
    preferred = item.title_en if language == "en" else item.title_lv
    return preferred or item.title_lv or item.title_en or ""


def _open_item(
    session: Session, ctx: HolderContext, *, account_id: int, item_id: str
) -> tuple[WalletItem, dict[str, Any]]:
    item = wallet_crud.item_of(session, account_id=account_id, item_id=item_id)
    if item is None:
        raise NotFoundError("no such credential")
    wallet = wallet_crud.wallet_by_id(session, wallet_id=item.wallet_id)
    assert wallet is not None
    raw = unseal(_data_key(ctx, wallet), item.content, associated=f"item:{item.id}".encode())
    return item, loads_object(raw, what="stored credential")


def view(
    session: Session, *, ctx: HolderContext, account_id: int, item_id: str, now: int
) -> ItemView:
    """One credential with its verification re-run now.

    :raises NotFoundError: when it is not in one of the account's wallets.
    """
    item, content = _open_item(session, ctx, account_id=account_id, item_id=item_id)
    token = content["token"]
    try:
        report = verify_credential(token, ctx=ctx.verification, now=now)
    except (ParseError, PayloadTooLargeError) as exc:
        return ItemView(
            item=item, token=token, credential=None, report=None, problem=exc.description
        )
    return ItemView(
        item=item, token=token, credential=report.credential, report=report, problem=None
    )


def raw_token(session: Session, *, ctx: HolderContext, account_id: int, item_id: str) -> str:
    """The credential as it was received (compact JWS), for download.

    :raises NotFoundError: when it is not in one of the account's wallets.
    """
    _, content = _open_item(session, ctx, account_id=account_id, item_id=item_id)
    token = content["token"]
    assert isinstance(token, str)
    return token


def import_credential(
    session: Session, *, ctx: HolderContext, account_id: int, value: Any, now: int
) -> WalletItem:
    """Import a credential received elsewhere (enveloped JSON, a compact JWS or an SD-JWT VC),
    verified first.

    It is kept whatever the verification says, marked by ``trust``.

    :raises ParseError: when it cannot be parsed at all; :raises PayloadTooLargeError: above
        :data:`MAX_IMPORT_CHARS`.
    """
    if isinstance(value, str) and len(value) > MAX_IMPORT_CHARS:
        raise PayloadTooLargeError(f"a credential is at most {MAX_IMPORT_CHARS} characters")
    secured = unwrap(value)
    wallets = wallet_crud.wallets_of(session, account_id=account_id)
    wallet = wallets[0] if wallets else new_wallet(session, ctx=ctx, now=now, account_id=account_id)
    return store(session, ctx=ctx, wallet=wallet, token=secured.token, source="imported", now=now)


def delete(session: Session, *, account_id: int, item_id: str) -> None:
    """Delete one of the account's credentials.

    :raises NotFoundError: when it is not in one of the account's wallets.
    """
    item = wallet_crud.item_of(session, account_id=account_id, item_id=item_id)
    if item is None:
        raise NotFoundError("no such credential")
    wallet_crud.delete_item(session, item_id=item.id)


def record_access(
    session: Session, *, wallet_id: int, actor: str, action: str, target: str, now: int
) -> None:
    """Record that someone other than the learner read the learner's data."""
    wallet_crud.add_access(
        session,
        row=AccessEvent(wallet_id=wallet_id, at=now, actor=actor, action=action, target=target),
    )


def record_accesses(
    session: Session, *, wallet_id: int, entries: Sequence[tuple[str, str, str]], now: int
) -> None:
    """Record several reads at once, each ``(actor, action, target)``, in one statement
    (what one opening of a share writes)."""
    wallet_crud.add_accesses(
        session,
        rows=[
            {"wallet_id": wallet_id, "at": now, "actor": actor, "action": action, "target": target}
            for actor, action, target in entries
        ],
    )


# --- GDPR -------------------------------------------------------------------------------


def export(
    session: Session,
    *,
    ctx: HolderContext,
    account: Account,
    now: int,
    passphrase: str | None = None,
) -> bytes:
    """Everything about the learner as one ZIP archive.

    ``account.json`` (the account as stored, without secrets), ``credentials/*.jwt`` and
    ``credentials.json`` (listing columns and stored verification results),
    ``access-log.json``; with ``passphrase`` also ``holder-keys.json``: the holder private
    keys (PKCS#8) encrypted with scrypt + AES-256-GCM (:mod:`wallet.jose.passphrase`). The
    caller re-authenticates the learner before asking for keys.
    """
    assert account.id is not None
    wallets = wallet_crud.wallets_of(session, account_id=account.id)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("account.json", _json(_account_data(account)))
        listing = []
        for item in wallet_crud.all_items(session, account_id=account.id):
            _, content = _open_item(session, ctx, account_id=account.id, item_id=item.id)
            archive.writestr(f"credentials/{item.id}.jwt", content["token"])
            listing.append(
                {
                    "id": item.id, "type": item.type_name, "issuer": item.issuer_id,
                    "titles": {"lv": item.title_lv, "en": item.title_en},
                    "issuedAt": format_datetime_stamp(item.issued_at),
                    "addedAt": format_datetime_stamp(item.added_at), "source": item.source,
                    "trust": item.trust, "checks": content.get("checks", []),
                }
            )  # fmt: skip
        archive.writestr("credentials.json", _json(listing))
        events = wallet_crud.access_events(session, account_id=account.id, limit=100_000)
        archive.writestr(
            "access-log.json",
            _json(
                [
                    {
                        "at": format_datetime_stamp(e.at),
                        "actor": e.actor,
                        "action": e.action,
                        "target": e.target,
                    }
                    for e in events
                ]  # fmt: skip
            ),
        )
        archive.writestr(
            "wallets.json",
            _json(
                [
                    {"holder": w.holder_did, "created": format_datetime_stamp(w.created_at)}
                    for w in wallets
                ]
            ),
        )
        if passphrase is not None:
            keys = []
            for wallet in wallets:
                p256, ed25519 = holder_keys(ctx, wallet)
                keys.append(
                    {
                        "holder": wallet.holder_did,
                        "p256Pkcs8": b64url_encode(private_der(p256)),
                        "ed25519Pkcs8": b64url_encode(private_der(ed25519)),
                    }
                )
            sealed = encrypt_with_passphrase(
                _json(keys).encode("utf-8"), passphrase,
                salt=ctx.random(16), nonce=ctx.random(12), cost=ctx.export_cost,
            )  # fmt: skip
            archive.writestr("holder-keys.json", _json(sealed))
    return buffer.getvalue()


def _account_data(account: Account) -> dict[str, Any]:
    return {
        "email": account.email,
        "role": account.role,
        "language": account.language,
        "created": format_datetime_stamp(account.created_at),
        "emailVerified": account.email_verified_at is not None,
        "secondFactor": account.totp_enabled_at is not None,
        "personalCodeLinked": account.personal_code_hash is not None,
    }


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)


def erase(session: Session, *, account_id: int) -> int:
    """Erase the account's wallets: credentials, holder keys, access log; return how many.

    The institutions' own records (``credential_record``, envelopes, status) and the audit
    log stay: revocation and audit need them, and they hold no wallet data.
    """
    wallets = wallet_crud.wallets_of(session, account_id=account_id)
    wallet_crud.erase_wallets(session, wallet_ids=[w.id for w in wallets if w.id is not None])
    return len(wallets)
