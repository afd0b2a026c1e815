"""Queries over the delivery outbox: credentials waiting to be put into wallets."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from wallet.db.bulk import insert_rows
from wallet.db.models import DeliveryOutbox, HolderWallet

#: Attempts after which a row is left for an operator (``imk deliver`` reports it).
MAX_ATTEMPTS = 5


def insert_outbox(session: Session, *, rows: Sequence[Mapping[str, Any]]) -> None:
    """Add outbox rows in bulk (:func:`wallet.db.bulk.insert_rows`).

    :raises IntegrityError: when the database refuses a row.
    """
    insert_rows(session, DeliveryOutbox, rows)


def pending(session: Session, *, limit: int) -> list[DeliveryOutbox]:
    """The oldest rows still to deliver (locked for this transaction on PostgreSQL, skipping
    rows another process holds)."""
    statement = (
        select(DeliveryOutbox)
        .where(DeliveryOutbox.attempts < MAX_ATTEMPTS)
        .order_by(col(DeliveryOutbox.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(session.exec(statement).all())


def wallets_by_id(session: Session, *, ids: Sequence[int]) -> dict[int, HolderWallet]:
    """The wallets with these ids, by id."""
    statement = select(HolderWallet).where(col(HolderWallet.id).in_(list(set(ids))))
    return {row.id: row for row in session.exec(statement) if row.id is not None}


def take(session: Session, *, row_id: int) -> bool:
    """Remove a row before its delivery is written; False when another process took it."""
    result = session.execute(delete(DeliveryOutbox).where(col(DeliveryOutbox.id) == row_id))
    return bool(result.rowcount)  # type: ignore[attr-defined]


def count_failed(session: Session) -> int:
    """Rows given up on after :data:`MAX_ATTEMPTS`."""
    statement = select(DeliveryOutbox.id).where(DeliveryOutbox.attempts >= MAX_ATTEMPTS)
    return len(session.exec(statement).all())


def count_pending(session: Session) -> int:
    """Rows still to deliver."""
    statement = select(DeliveryOutbox.id).where(DeliveryOutbox.attempts < MAX_ATTEMPTS)
    return len(session.exec(statement).all())


def failed_attempt(session: Session, *, row_id: int) -> None:
    """Count a failed attempt (in its own transaction: the caller commits it)."""
    session.execute(
        update(DeliveryOutbox)
        .where(col(DeliveryOutbox.id) == row_id)
        .values(attempts=DeliveryOutbox.attempts + 1)
    )
