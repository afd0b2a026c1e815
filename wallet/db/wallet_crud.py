"""Queries over the wallet tables: holder wallets, their credentials, the access log.

Every query that reads a learner's credentials takes the account id and joins through
``holder_wallet.account_id``, so a query can never reach another account's rows: an id
that belongs to someone else is simply not found.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, and_, delete, func, or_
from sqlmodel import Session, col, select

from wallet.db.models import AccessEvent, HolderWallet, WalletItem


def add_wallet(session: Session, *, row: HolderWallet) -> HolderWallet:
    """Add a wallet and flush it (its id is set)."""
    session.add(row)
    session.flush()
    return row


def wallet_by_personal_code(session: Session, *, code_hash: str) -> HolderWallet | None:
    """The wallet of this personal-code hash (pending or attached), or None."""
    statement = select(HolderWallet).where(HolderWallet.personal_code_hash == code_hash)
    return session.exec(statement).first()


def wallet_by_email(session: Session, *, email_hash: str) -> HolderWallet | None:
    """The e-mail wallet of this address hash: one without a personal code, or None."""
    statement = (
        select(HolderWallet)
        .where(
            HolderWallet.email_hash == email_hash,
            col(HolderWallet.personal_code_hash).is_(None),
        )
        .order_by(col(HolderWallet.id))
    )
    return session.exec(statement).first()


def wallets_of(session: Session, *, account_id: int) -> list[HolderWallet]:
    """Every wallet attached to the account, oldest first."""
    statement = (
        select(HolderWallet)
        .where(HolderWallet.account_id == account_id)
        .order_by(col(HolderWallet.id))
    )
    return list(session.exec(statement).all())


def pending_wallets(
    session: Session, *, code_hash: str | None, email_hash: str | None
) -> list[HolderWallet]:
    """Unattached wallets that this proof releases: the personal code's wallet, or e-mail
    wallets (those without a personal code) of this address."""
    clauses: list[ColumnElement[bool]] = []
    if code_hash is not None:
        clauses.append(col(HolderWallet.personal_code_hash) == code_hash)
    if email_hash is not None:
        clauses.append(
            and_(
                col(HolderWallet.email_hash) == email_hash,
                col(HolderWallet.personal_code_hash).is_(None),
            )
        )
    if not clauses:
        return []
    statement = select(HolderWallet).where(col(HolderWallet.account_id).is_(None), or_(*clauses))
    return list(session.exec(statement).all())


def add_item(session: Session, *, row: WalletItem) -> WalletItem:
    """Add a credential to a wallet and flush it."""
    session.add(row)
    session.flush()
    return row


def item_of(session: Session, *, account_id: int, item_id: str) -> WalletItem | None:
    """The credential ``item_id`` if it is in one of the account's wallets, else None."""
    statement = (
        select(WalletItem)
        .join(HolderWallet, col(HolderWallet.id) == col(WalletItem.wallet_id))
        .where(WalletItem.id == item_id, HolderWallet.account_id == account_id)
    )
    return session.exec(statement).first()


def wallet_by_id(session: Session, *, wallet_id: int) -> HolderWallet | None:
    """The wallet with this id, or None."""
    return session.get(HolderWallet, wallet_id)


@dataclass(frozen=True)
class ItemFilter:
    """What a listing of a learner's credentials is narrowed to (None: everything)."""

    type_name: str | None = None
    issuer_slug: str | None = None
    year: int | None = None
    query: str | None = None


def list_items(
    session: Session,
    *,
    account_id: int,
    where: ItemFilter = ItemFilter(),
    limit: int = 20,
    offset: int = 0,
    newest_first: bool = True,
) -> list[WalletItem]:
    """A page of the account's credentials, newest first (by issuing time, then id)."""
    wallet_ids = select(HolderWallet.id).where(HolderWallet.account_id == account_id)
    statement = select(WalletItem).where(col(WalletItem.wallet_id).in_(wallet_ids))
    if where.type_name is not None:
        statement = statement.where(WalletItem.type_name == where.type_name)
    if where.issuer_slug is not None:
        statement = statement.where(WalletItem.issuer_slug == where.issuer_slug)
    if where.year is not None:
        start, end = _year_bounds(where.year)
        statement = statement.where(WalletItem.issued_at >= start, WalletItem.issued_at < end)
    if where.query:
        pattern = f"%{_escape_like(where.query.lower())}%"
        statement = statement.where(
            or_(
                func.lower(col(WalletItem.title_lv)).like(pattern, escape="\\"),
                func.lower(col(WalletItem.title_en)).like(pattern, escape="\\"),
            )
        )
    order = (
        (col(WalletItem.issued_at).desc(), col(WalletItem.id).desc())
        if newest_first
        else (col(WalletItem.issued_at), col(WalletItem.id))
    )
    statement = statement.order_by(*order).offset(offset).limit(limit)
    return list(session.exec(statement).all())


def all_items(session: Session, *, account_id: int) -> list[WalletItem]:
    """Every credential of the account, newest first (for export)."""
    wallet_ids = select(HolderWallet.id).where(HolderWallet.account_id == account_id)
    statement = (
        select(WalletItem)
        .where(col(WalletItem.wallet_id).in_(wallet_ids))
        .order_by(col(WalletItem.issued_at).desc(), col(WalletItem.id).desc())
    )
    return list(session.exec(statement).all())


def _year_bounds(year: int) -> tuple[int, int]:
    start = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    return int(start.timestamp()), int(end.timestamp())


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def delete_item(session: Session, *, item_id: str) -> None:
    """Delete one credential row (the caller checked it is the account's)."""
    session.execute(delete(WalletItem).where(col(WalletItem.id) == item_id))


def add_access(session: Session, *, row: AccessEvent) -> None:
    """Record that someone other than the learner read the learner's data."""
    session.add(row)


def access_events(session: Session, *, account_id: int, limit: int = 100) -> list[AccessEvent]:
    """The newest access events of the account's wallets."""
    wallet_ids = select(HolderWallet.id).where(HolderWallet.account_id == account_id)
    statement = (
        select(AccessEvent)
        .where(col(AccessEvent.wallet_id).in_(wallet_ids))
        .order_by(col(AccessEvent.at).desc(), col(AccessEvent.id).desc())
        .limit(limit)
    )
    return list(session.exec(statement).all())


def erase_wallets(session: Session, *, wallet_ids: Sequence[int]) -> None:
    """Delete wallets with their credentials and access log."""
    if not wallet_ids:
        return
    for model in (AccessEvent, WalletItem):
        session.execute(delete(model).where(col(model.wallet_id).in_(wallet_ids)))
    session.execute(delete(HolderWallet).where(col(HolderWallet.id).in_(wallet_ids)))
    session.flush()
