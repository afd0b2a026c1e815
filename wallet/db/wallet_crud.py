"""Queries over the wallet tables: holder wallets, their credentials, the access log.

Every query that reads a learner's credentials takes the account id and joins through
``holder_wallet.account_id``, so a query can never reach another account's rows: an id
that belongs to someone else is simply not found.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import ClauseElement, ColumnElement, String, and_, bindparam, delete, func, or_
from sqlalchemy import insert as sa_insert
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.compiler import SQLCompiler
from sqlmodel import Session, col, select

from wallet.db.models import AccessEvent, HolderWallet, Share, WalletItem


def add_wallet(session: Session, *, row: HolderWallet) -> HolderWallet:
    """Add a wallet and flush it (its id is set)."""
    session.add(row)
    session.flush()
    return row


def wallet_by_personal_code(session: Session, *, code_hash: str) -> HolderWallet | None:
    """The wallet of this personal-code hash (pending or attached), or None."""
    statement = select(HolderWallet).where(HolderWallet.personal_code_hash == code_hash)
    return session.exec(statement).first()


#: Values per ``IN (...)`` of a bulk look-up (under SQLite's and psycopg's parameter limits).
_IN_CHUNK = 500


def wallets_by_personal_codes(
    session: Session, *, code_hashes: Sequence[str]
) -> dict[str, HolderWallet]:
    """The wallets of these personal-code hashes that exist, by hash (a batch's look-up)."""
    unique = list(dict.fromkeys(code_hashes))
    found: dict[str, HolderWallet] = {}
    for start in range(0, len(unique), _IN_CHUNK):
        chunk = unique[start : start + _IN_CHUNK]
        statement = select(HolderWallet).where(col(HolderWallet.personal_code_hash).in_(chunk))
        for row in session.exec(statement):
            assert row.personal_code_hash is not None
            found[row.personal_code_hash] = row
    return found


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


class ItemSummary(NamedTuple):
    """A credential as a listing shows it: every plain column, not the sealed content.

    :func:`item_of` gives the whole row, sealed content included.
    """

    id: str
    wallet_id: int
    record_id: str | None
    source: str
    format: str
    type_name: str
    issuer_slug: str | None
    issuer_id: str
    title_lv: str | None
    title_en: str | None
    issued_at: int
    added_at: int
    verified: bool
    trust: str


_VERIFIED = ItemSummary._fields.index("verified")


class DriverQuery(NamedTuple):
    """SQL compiled once for one dialect, to run on the driver connection itself."""

    sql: str
    #: The parameter names in order, for a positional paramstyle (SQLite's ``?``); None
    #: when the driver takes them by name (psycopg's ``%(name)s``).
    positions: tuple[str, ...] | None

    def arguments(self, params: Mapping[str, object]) -> Mapping[str, object] | tuple[object, ...]:
        """``params`` in the form the driver takes for this statement."""
        if self.positions is None:
            return params
        return tuple(params[name] for name in self.positions)

    @classmethod
    def of(cls, statement: ClauseElement, dialect: Dialect) -> DriverQuery:
        """``statement`` compiled for ``dialect``, its values bound parameters."""
        compiled = statement.compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler)
        positions = tuple(compiled.positiontup or ()) if dialect.positional else None
        return cls(compiled.string, positions)


def run_driver_query(
    session: Session, query: Callable[[Dialect], DriverQuery], params: Mapping[str, object]
) -> list[tuple[Any, ...]]:
    """Run ``query`` (compiled for the session's dialect) on the session's own connection,
    in its transaction; return its rows (none for a write without ``RETURNING``).

    For the statements that every request of a kind runs: SQLAlchemy writes the SQL once
    per dialect, and each run then costs what the driver costs. Pending ORM changes are
    flushed first, so the statement sees them.
    """
    session.flush()
    connection = session.connection()
    compiled = query(connection.dialect)
    cursor = connection.connection.cursor()
    try:
        cursor.execute(compiled.sql, compiled.arguments(params))
        rows: list[tuple[Any, ...]] = list(cursor.fetchall()) if cursor.description else []
    finally:
        cursor.close()
    return rows


def list_items(
    session: Session,
    *,
    account_id: int,
    where: ItemFilter = ItemFilter(),
    limit: int = 20,
    offset: int = 0,
    newest_first: bool = True,
) -> list[ItemSummary]:
    """A page of the account's credentials, newest first (by issuing time, then id).

    Every learner's first page is this query, so it runs at the driver level on the
    session's own connection (same transaction) and returns plain rows. On 1,000,000 stored
    credentials (``make bench``, wallet listing) ORM objects cost 3 to 6 times the raw
    query and a Core statement about 2 times; this costs 1.2 to 1.4 times. SQLAlchemy still
    writes the SQL, once per dialect and shape of filter (:func:`listing_query`), and the
    sealed content is not read at all.
    """
    # The ORM would flush pending changes before a query; so do we, to read our own writes.
    session.flush()
    connection = session.connection()
    query = listing_query(
        connection.dialect,
        by_type=where.type_name is not None,
        by_issuer=where.issuer_slug is not None,
        by_year=where.year is not None,
        by_query=bool(where.query),
        newest_first=newest_first,
    )
    params: dict[str, object] = {"account_id": account_id, "limit": limit, "offset": offset}
    if where.type_name is not None:
        params["type_name"] = where.type_name
    if where.issuer_slug is not None:
        params["issuer_slug"] = where.issuer_slug
    if where.year is not None:
        params["start"], params["end"] = _year_bounds(where.year)
    if where.query:
        params["pattern"] = f"%{_escape_like(where.query.lower())}%"
    cursor = connection.connection.cursor()
    try:
        cursor.execute(query.sql, query.arguments(params))
        rows = cursor.fetchall()
    finally:
        cursor.close()
    if connection.dialect.supports_native_boolean:
        return [ItemSummary._make(row) for row in rows]
    # SQLite keeps a boolean as 0 or 1.
    return [
        ItemSummary._make(row[:_VERIFIED] + (bool(row[_VERIFIED]),) + row[_VERIFIED + 1 :])
        for row in rows
    ]


@lru_cache(maxsize=64)
def listing_query(
    dialect: Dialect,
    *,
    by_type: bool = False,
    by_issuer: bool = False,
    by_year: bool = False,
    by_query: bool = False,
    newest_first: bool = True,
) -> DriverQuery:
    """The SQL of :func:`list_items` for ``dialect`` and this shape of filter.

    Values are parameters (``account_id``, ``limit``, ``offset``, and ``type_name``,
    ``issuer_slug``, ``start`` and ``end``, ``pattern`` when filtered by them), so one
    compiled statement serves every learner.
    """
    item = WalletItem.__table__.c  # type: ignore[attr-defined]
    wallet = HolderWallet.__table__.c  # type: ignore[attr-defined]
    wallet_ids = sa_select(wallet.id).where(wallet.account_id == bindparam("account_id"))
    statement = sa_select(*(item[name] for name in ItemSummary._fields)).where(
        item.wallet_id.in_(wallet_ids.scalar_subquery())
    )
    if by_type:
        statement = statement.where(item.type_name == bindparam("type_name"))
    if by_issuer:
        statement = statement.where(item.issuer_slug == bindparam("issuer_slug"))
    if by_year:
        statement = statement.where(
            item.issued_at >= bindparam("start"), item.issued_at < bindparam("end")
        )
    if by_query:
        pattern = bindparam("pattern", type_=String())
        statement = statement.where(
            or_(
                func.lower(item.title_lv).like(pattern, escape="\\"),
                func.lower(item.title_en).like(pattern, escape="\\"),
            )
        )
    order = (
        (item.issued_at.desc(), item.id.desc())
        if newest_first
        else (item.issued_at.asc(), item.id.asc())
    )
    statement = statement.order_by(*order).limit(bindparam("limit")).offset(bindparam("offset"))
    compiled = statement.compile(dialect=dialect)
    positions = tuple(compiled.positiontup or ()) if dialect.positional else None
    return DriverQuery(compiled.string, positions)


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


#: The columns :func:`add_accesses` writes.
_ACCESS_COLUMNS = ("wallet_id", "at", "actor", "action", "target")


@lru_cache(maxsize=8)
def _add_accesses_query(dialect: Dialect) -> DriverQuery:
    table = AccessEvent.__table__  # type: ignore[attr-defined]
    # Inline: no RETURNING of the new ids, which nothing reads.
    statement = (
        sa_insert(table).inline().values({name: bindparam(name) for name in _ACCESS_COLUMNS})
    )
    return DriverQuery.of(statement, dialect)


def add_accesses(session: Session, *, rows: Sequence[Mapping[str, object]]) -> None:
    """Record several access events in one statement (columns of :class:`AccessEvent`
    but ``id``), in the order given.

    Every opening of a share link writes its entries here, so the insert runs at the
    driver level on the session's connection, as :func:`run_driver_query` runs its
    statements: one ``executemany`` for all of them.
    """
    if not rows:
        return
    session.flush()
    connection = session.connection()
    query = _add_accesses_query(connection.dialect)
    cursor = connection.connection.cursor()
    try:
        arguments: list[Any] = [query.arguments(row) for row in rows]
        cursor.executemany(query.sql, arguments)
    finally:
        cursor.close()


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
    """Delete wallets with their credentials, share links and access log."""
    if not wallet_ids:
        return
    for model in (AccessEvent, Share, WalletItem):
        session.execute(delete(model).where(col(model.wallet_id).in_(wallet_ids)))
    session.execute(delete(HolderWallet).where(col(HolderWallet.id).in_(wallet_ids)))
    session.flush()
