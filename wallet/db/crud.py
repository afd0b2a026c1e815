"""Queries: keyword-only functions over the tables of :mod:`wallet.db.models`.

This is the only module that calls ``select()``. No function here commits: the caller (a
use-case, the CLI, a request) owns the transaction and commits once, so a batch is
all-or-nothing (DESIGN §4). Functions that add rows flush them, so that constraint
violations surface here as :class:`ConflictError` rather than at the caller's commit.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from wallet.db.bulk import insert_rows
from wallet.db.models import (
    ApiToken,
    AuditEvent,
    CredentialEnvelope,
    CredentialRecord,
    IssuerKey,
)
from wallet.errors import ConflictError, NotFoundError

#: Largest page :func:`list_records` returns.
MAX_PAGE = 500
#: Ids per ``IN (...)`` query, well below SQLite's bound-parameter limit.
_IN_CHUNK = 500


# --- keys -------------------------------------------------------------------------------


def add_issuer_key(session: Session, *, row: IssuerKey) -> IssuerKey:
    """Add one key-history row and flush it.

    :raises ConflictError: when the kid exists, or the issuer already has a current key.
    """
    session.add(row)
    try:
        session.flush()
    except IntegrityError as exc:
        raise ConflictError("that key id exists, or the issuer already has a current key") from exc
    return row


def current_key(session: Session, *, issuer_slug: str) -> IssuerKey | None:
    """The issuer's current signing key, or None when it has none."""
    statement = select(IssuerKey).where(
        IssuerKey.issuer_slug == issuer_slug, IssuerKey.state == "current"
    )
    return session.exec(statement).first()


def keys_of(session: Session, *, issuer_slug: str) -> list[IssuerKey]:
    """Every key the issuer ever had (current, retired, compromised), oldest first."""
    statement = (
        select(IssuerKey)
        .where(IssuerKey.issuer_slug == issuer_slug)
        .order_by(col(IssuerKey.valid_from), col(IssuerKey.id))
    )
    return list(session.exec(statement).all())


def all_keys(session: Session) -> list[IssuerKey]:
    """The whole key history of every issuer (and of the service)."""
    statement = select(IssuerKey).order_by(col(IssuerKey.issuer_slug), col(IssuerKey.id))
    return list(session.exec(statement).all())


def get_key(session: Session, *, kid: str) -> IssuerKey:
    """The key-history row of ``kid``.

    :raises NotFoundError: when there is none.
    """
    row = session.exec(select(IssuerKey).where(IssuerKey.kid == kid)).first()
    if row is None:
        raise NotFoundError("no such key")
    return row


# --- API tokens -------------------------------------------------------------------------


def create_api_token(
    session: Session, *, issuer_slug: str, name: str, token_hash: str, now: int
) -> ApiToken:
    """Store the keyed hash of a new issuer API token under ``name``.

    :raises ConflictError: when the issuer already has a token of that name (revoked ones
        included, since they stay for audit).
    """
    existing = session.exec(
        select(ApiToken.id).where(ApiToken.issuer_slug == issuer_slug, ApiToken.name == name)
    ).first()
    if existing is not None:
        raise ConflictError(f"the issuer already has a token named {name!r}")
    row = ApiToken(issuer_slug=issuer_slug, name=name, token_hash=token_hash, created_at=now)
    session.add(row)
    try:
        session.flush()
    except IntegrityError as exc:
        raise ConflictError(f"the issuer already has a token named {name!r}") from exc
    return row


def revoke_api_token(session: Session, *, issuer_slug: str, name: str, now: int) -> ApiToken:
    """Revoke the issuer's token ``name``; revoking a revoked token changes nothing.

    :raises NotFoundError: when the issuer has no token of that name.
    """
    row = session.exec(
        select(ApiToken).where(ApiToken.issuer_slug == issuer_slug, ApiToken.name == name)
    ).first()
    if row is None:
        raise NotFoundError(f"the issuer has no token named {name!r}")
    if row.revoked_at is None:
        row.revoked_at = now
        session.add(row)
        session.flush()
    return row


def find_active_token(session: Session, *, token_hash: str) -> ApiToken | None:
    """The unrevoked token whose keyed hash is ``token_hash``, or None."""
    statement = select(ApiToken).where(
        ApiToken.token_hash == token_hash, col(ApiToken.revoked_at).is_(None)
    )
    return session.exec(statement).first()


def active_tokens(session: Session, *, issuer_slug: str) -> list[ApiToken]:
    """The issuer's unrevoked tokens, oldest first."""
    statement = (
        select(ApiToken)
        .where(ApiToken.issuer_slug == issuer_slug, col(ApiToken.revoked_at).is_(None))
        .order_by(col(ApiToken.id))
    )
    return list(session.exec(statement).all())


# --- credential records -----------------------------------------------------------------


def get_record(session: Session, *, credential_id: str) -> CredentialRecord | None:
    """The issued-credential record ``credential_id``, or None."""
    return session.get(CredentialRecord, credential_id)


def get_envelopes(session: Session, *, credential_id: str) -> list[CredentialEnvelope]:
    """The secured forms of a record, in the order they were issued."""
    statement = (
        select(CredentialEnvelope)
        .where(CredentialEnvelope.credential_id == credential_id)
        .order_by(col(CredentialEnvelope.id))
    )
    return list(session.exec(statement).all())


def _chunks(values: Sequence[str]) -> list[list[str]]:
    unique = list(dict.fromkeys(values))
    return [unique[i : i + _IN_CHUNK] for i in range(0, len(unique), _IN_CHUNK)]


def get_records(session: Session, *, credential_ids: Sequence[str]) -> dict[str, CredentialRecord]:
    """The records among ``credential_ids`` that exist, by id (a batch's look-up)."""
    found: dict[str, CredentialRecord] = {}
    for chunk in _chunks(credential_ids):
        statement = select(CredentialRecord).where(col(CredentialRecord.id).in_(chunk))
        found.update((row.id, row) for row in session.exec(statement).all())
    return found


def get_envelopes_for(
    session: Session, *, credential_ids: Sequence[str]
) -> dict[tuple[str, str], CredentialEnvelope]:
    """The envelopes of the records ``credential_ids``, by (credential id, format)."""
    found: dict[tuple[str, str], CredentialEnvelope] = {}
    for chunk in _chunks(credential_ids):
        statement = select(CredentialEnvelope).where(
            col(CredentialEnvelope.credential_id).in_(chunk)
        )
        found.update(((row.credential_id, row.format), row) for row in session.exec(statement))
    return found


def insert_issued(
    session: Session,
    *,
    records: Sequence[Mapping[str, Any]],
    envelopes: Sequence[Mapping[str, Any]],
) -> None:
    """Bulk-insert a batch of records and envelopes (:func:`wallet.db.bulk.insert_rows`:
    ``COPY`` on PostgreSQL, one prepared statement on SQLite).

    The dicts carry column values (``credential_record`` and ``credential_envelope``
    columns; envelopes without ``id``). No ORM objects are built, which keeps this at a few
    microseconds per row; the identity map does not learn about the rows.

    :raises ConflictError: when a record id or a (record, format) pair exists already; the
        caller must then roll back (on PostgreSQL the transaction is aborted).
    """
    try:
        insert_rows(session, CredentialRecord, records)
        insert_rows(session, CredentialEnvelope, envelopes)
    except IntegrityError as exc:
        raise ConflictError("a credential of this batch exists already") from exc


def link_correction(session: Session, *, old: str, new: str) -> None:
    """Record that ``new`` corrects ``old`` (``new`` names ``old`` already)."""
    session.execute(
        update(CredentialRecord).where(col(CredentialRecord.id) == old).values(replaced_by=new)
    )


def list_records(
    session: Session,
    *,
    issuer_slug: str,
    type_name: str | None = None,
    query: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[CredentialRecord]:
    """One issuer's records, newest first.

    :param query: a case-insensitive substring of the title or the credential id
        (``%`` and ``_`` match themselves). On SQLite, case folding covers ASCII only.
    :param limit: page size, capped at :data:`MAX_PAGE`.
    """
    statement = select(CredentialRecord).where(CredentialRecord.issuer_slug == issuer_slug)
    if type_name is not None:
        statement = statement.where(CredentialRecord.type_name == type_name)
    if query:
        statement = statement.where(
            or_(
                col(CredentialRecord.title).icontains(query, autoescape=True),
                col(CredentialRecord.id).icontains(query, autoescape=True),
            )
        )
    statement = (
        statement.order_by(col(CredentialRecord.created_at).desc(), col(CredentialRecord.id).desc())
        .limit(max(0, min(limit, MAX_PAGE)))
        .offset(max(0, offset))
    )
    return list(session.exec(statement).all())


# --- audit ------------------------------------------------------------------------------


def add_audit(
    session: Session, *, at: int, actor: str, action: str, target: str, detail: Mapping[str, Any]
) -> AuditEvent:
    """Append an audit event; ``detail`` is stored as JSON (never put secrets in it)."""
    row = AuditEvent(
        at=at,
        actor=actor,
        action=action,
        target=target,
        detail=json.dumps(dict(detail), ensure_ascii=False, sort_keys=True),
    )
    session.add(row)
    return row
