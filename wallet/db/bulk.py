"""Bulk inserts of many rows in the caller's transaction, by the driver's fastest path.

A batch writes tens of thousands of rows (records, envelopes of a few kilobytes each,
outbox rows) in one transaction. SQLAlchemy's executemany adapts every value of every row
in Python, and on PostgreSQL it renders multi-row ``INSERT ... VALUES`` statements with one
bound parameter per value, which the server must parse and plan: together several times the
cost of signing. Here the rows go to the driver as plain tuples instead: ``COPY ... FROM
STDIN`` in the binary format on PostgreSQL (psycopg writes the values in C and the server
reads them without parsing text), one prepared ``INSERT`` run by
``executemany`` on SQLite. Both run on the session's own connection, so the rows belong to
the caller's transaction exactly as before: they commit or roll back with it, and every
constraint (keys, uniques, foreign keys) is checked by the database as before.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.schema import ScalarElementColumnDefault
from sqlmodel import Session

__all__ = ["insert_rows"]


@functools.lru_cache(maxsize=64)
def _statement(
    dialect: Dialect, table: Table, names: tuple[str, ...]
) -> tuple[str, tuple[str, ...]]:
    """The quoted ``table (columns)`` and, for PostgreSQL, each column's type name for a
    binary ``COPY`` (``VARCHAR(64)`` → ``varchar``; the server still applies the length
    limit). Cached: the same few tables are written again and again."""
    quote = dialect.identifier_preparer.quote
    qualified = quote(table.name)
    if table.schema:
        qualified = f"{quote(table.schema)}.{qualified}"
    target = f"{qualified} ({', '.join(quote(name) for name in names)})"
    kinds = (
        tuple(
            table.c[name].type.compile(dialect=dialect).split("(", 1)[0].strip().lower()
            for name in names
        )
        if dialect.name == "postgresql"
        else ()
    )
    return target, kinds


def _columns(table: Table, first: Mapping[str, Any]) -> tuple[list[str], dict[str, Any]] | None:
    """The columns to write (those of the first row, plus columns with a constant default)
    and the defaults to fill in; None when a missing column has a default that is not a
    constant (SQLAlchemy's own path then computes it)."""
    names = list(first)
    defaults: dict[str, Any] = {}
    for column in table.columns:
        if column.name in first or column.default is None:
            continue
        if not isinstance(column.default, ScalarElementColumnDefault):
            return None
        defaults[column.name] = column.default.arg
        names.append(column.name)
    return names, defaults


def _getter(names: Sequence[str]) -> Callable[[Mapping[str, Any]], tuple[Any, ...]]:
    """A function from a row to the tuple of its ``names`` (itemgetter, always a tuple)."""
    if len(names) == 1:
        only = names[0]
        return lambda row: (row[only],)
    get: Callable[[Mapping[str, Any]], tuple[Any, ...]] = itemgetter(*names)
    return get


def insert_rows(session: Session, model: type[Any], rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` (column name → value, the same names in every row) into the table
    of ``model`` (a table class of :mod:`wallet.db.models`).

    :raises sqlalchemy.exc.IntegrityError: when the database refuses a row (a unique or
        foreign key); on PostgreSQL the transaction is aborted then, as with any failed
        statement. Other driver errors are SQLAlchemy's wrappers too (``DataError``, ...).
    """
    if not rows:
        return
    table = model.__table__
    assert isinstance(table, Table)
    dialect = session.get_bind().dialect.name
    shape = _columns(table, rows[0]) if dialect in ("postgresql", "sqlite") else None
    if shape is None:
        session.execute(insert(table), list(rows))
        return
    names, defaults = shape
    given = names[: len(names) - len(defaults)]
    fill = tuple(defaults.values())
    values = _getter(given)
    # Pending ORM changes go first, in their usual order, as SQLAlchemy's own execute would.
    session.flush()
    connection = session.connection()
    assert connection.dialect.dbapi is not None
    driver_error: type[Exception] = connection.dialect.dbapi.Error
    raw: Any = connection.connection.dbapi_connection
    target, kinds = _statement(connection.dialect, table, tuple(names))
    try:
        if dialect == "postgresql":
            with (
                raw.cursor() as cursor,
                cursor.copy(f"COPY {target} FROM STDIN (FORMAT BINARY)") as copy,
            ):
                copy.set_types(kinds)
                for row in rows:
                    copy.write_row(values(row) + fill)
        else:
            marks = ", ".join("?" * len(names))
            # Only names from the table's metadata, quoted by the dialect, are formatted in;
            # every value is a bound parameter.
            statement = f"INSERT INTO {target} VALUES ({marks})"  # noqa: S608
            raw.executemany(statement, [values(row) + fill for row in rows])
    except driver_error as exc:
        # The same exception classes as SQLAlchemy's own execute (IntegrityError, ...).
        raise DBAPIError.instance(
            f"INSERT INTO {target}", None, exc, driver_error, dialect=connection.dialect
        ) from exc
