"""Queries over issuance batches, their evidence and their records."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import insert, update
from sqlmodel import Session, col, select

from wallet.db.models import BatchEvidence, CredentialRecord, IssuanceBatch


def by_key(session: Session, *, issuer_slug: str, key: str) -> IssuanceBatch | None:
    """The institution's batch submitted under this idempotency key, or None."""
    statement = select(IssuanceBatch).where(
        IssuanceBatch.issuer_slug == issuer_slug, IssuanceBatch.idempotency_key == key
    )
    return session.exec(statement).first()


def get(session: Session, *, issuer_slug: str, batch_id: str) -> IssuanceBatch | None:
    """The institution's batch ``batch_id`` (another institution's is not found)."""
    row = session.get(IssuanceBatch, batch_id)
    return row if row is not None and row.issuer_slug == issuer_slug else None


def latest(session: Session, *, issuer_slug: str, limit: int) -> list[IssuanceBatch]:
    """The institution's most recent batches, newest first."""
    statement = (
        select(IssuanceBatch)
        .where(IssuanceBatch.issuer_slug == issuer_slug)
        .order_by(col(IssuanceBatch.created_at).desc(), col(IssuanceBatch.id))
        .limit(limit)
    )
    return list(session.exec(statement).all())


def set_progress(session: Session, *, batch_id: str, runner: str, done: int, now: int) -> None:
    """Move a running batch's progress on (only the run that holds it)."""
    session.execute(
        update(IssuanceBatch)
        .where(col(IssuanceBatch.id) == batch_id, col(IssuanceBatch.runner) == runner)
        .values(done=done, updated_at=now)
    )


def finish(session: Session, *, batch_id: str, runner: str, values: Mapping[str, Any]) -> bool:
    """Write a batch's outcome; False when another run has taken the batch over."""
    result = session.execute(
        update(IssuanceBatch)
        .where(
            col(IssuanceBatch.id) == batch_id,
            col(IssuanceBatch.runner) == runner,
            col(IssuanceBatch.state) == "running",
        )
        .values(**values)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def add_evidence(session: Session, *, rows: Sequence[Mapping[str, Any]]) -> None:
    """Keep the documents that came with a batch."""
    if rows:
        session.execute(insert(BatchEvidence), list(rows))


def evidence_of(session: Session, *, batch_id: str) -> list[BatchEvidence]:
    """The documents kept with a batch."""
    statement = (
        select(BatchEvidence)
        .where(BatchEvidence.batch_id == batch_id)
        .order_by(col(BatchEvidence.id))
    )
    return list(session.exec(statement).all())


def record_ids(session: Session, *, issuer_slug: str, batch_id: str) -> list[str]:
    """The records a batch issued, in issuance order."""
    statement = (
        select(CredentialRecord.id)
        .where(CredentialRecord.batch_id == batch_id, CredentialRecord.issuer_slug == issuer_slug)
        .order_by(col(CredentialRecord.created_at), col(CredentialRecord.id))
    )
    return list(session.exec(statement).all())


def content_hashes(
    session: Session, *, credential_ids: Sequence[str]
) -> dict[str, tuple[str, str, int]]:
    """(issuer, content hash, status) of the records among ``credential_ids``, by id."""
    found: dict[str, tuple[str, str, int]] = {}
    unique = list(dict.fromkeys(credential_ids))
    for start in range(0, len(unique), 500):
        chunk = unique[start : start + 500]
        statement = select(
            CredentialRecord.id,
            CredentialRecord.issuer_slug,
            CredentialRecord.content_hash,
            CredentialRecord.status,
        ).where(col(CredentialRecord.id).in_(chunk))
        for rid, slug, digest, status in session.exec(statement):
            found[rid] = (slug, digest, status)
    return found
