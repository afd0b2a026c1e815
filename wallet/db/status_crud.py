"""Queries of status lists: allocation of slots, status changes, versions and states.

No function here commits. Writers take their lock with their first statement, an
``UPDATE`` of the list row: on PostgreSQL that row lock orders every allocation and change
of one list, and on SQLite the first write takes the database's write lock, so what is read
after it is current (the ``sqlite3`` module starts the transaction at the first write).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from sqlalchemy import Table, insert, select, update
from sqlmodel import Session

from wallet.db.models import CredentialRecord, StatusList


class OpenList(NamedTuple):
    """A list with room: its id, size, how many are handed out, and its permutation key."""

    id: int
    size: int
    allocated: int
    permutation_key: bytes


class Run(NamedTuple):
    """Positions ``first .. first + length - 1`` of one list, handed out to one batch."""

    list: OpenList
    first: int
    length: int


class ListVersion(NamedTuple):
    """What each process re-reads about every list at most once a second."""

    id: int
    issuer_slug: str
    size: int
    version: int


def _table(model: type[Any]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _lists() -> Table:
    return _table(StatusList)


def _records() -> Table:
    return _table(CredentialRecord)


def reserve(session: Session, *, issuer_slug: str, count: int, size: int,
            new_key: Callable[[], bytes], now: int) -> list[Run]:  # fmt: skip
    """Hand out ``count`` positions of the issuer's lists, opening lists as needed.

    Each run is one atomic ``allocated = allocated + n`` in the caller's transaction, so two
    transactions never get the same position and a committed position is never handed out
    again. A batch that rolls back gives its positions back with everything else: no
    credential signed with them left the service.

    Two transactions that both find no list with room both open one; the lowest id with
    room is used first, so the spare list simply waits its turn (no lock is taken for the
    rare moment a list fills).

    :param size: the size of a list opened here (existing lists keep theirs).
    :param new_key: the random permutation key of a list opened here (16 bytes or more).
    """
    lists, taken = _lists(), list[Run]()
    remaining = count
    while remaining > 0:
        row = session.execute(
            select(lists.c.id, lists.c.size, lists.c.allocated, lists.c.permutation_key)
            .where(lists.c.issuer_slug == issuer_slug, lists.c.allocated < lists.c.size)
            .order_by(lists.c.id)
            .limit(1)
        ).first()
        if row is None:
            key = new_key().hex()
            session.execute(
                insert(lists).values(
                    issuer_slug=issuer_slug,
                    size=size,
                    allocated=0,
                    permutation_key=key,
                    version=0,
                    created_at=now,
                )  # fmt: skip
            )
            continue
        list_id, list_size = row.id, row.size
        share = min(remaining, list_size - row.allocated)
        after = session.execute(
            update(lists)
            .where(lists.c.id == list_id, lists.c.allocated + share <= lists.c.size)
            .values(allocated=lists.c.allocated + share)
            .returning(lists.c.allocated)
        ).scalar_one_or_none()
        if after is None:
            continue  # another transaction took the room first; look again
        first = after - share
        open_list = OpenList(list_id, list_size, after, bytes.fromhex(row.permutation_key))
        taken.append(Run(open_list, first, share))
        remaining -= share
    return taken


def lock_list_of(session: Session, *, credential_id: str, issuer_slug: str) -> int | None:
    """Lock the status list of the issuer's record ``credential_id``; its id, or None.

    The write is a no-op (``version = version``) that only takes the lock: the caller reads
    the record's state after it and then calls :func:`set_status`.
    """
    records, lists = _records(), _lists()
    slot = (
        select(records.c.status_list_id)
        .where(records.c.id == credential_id, records.c.issuer_slug == issuer_slug)
        .scalar_subquery()
    )
    return session.execute(
        update(lists).where(lists.c.id == slot).values(version=lists.c.version)
        .returning(lists.c.id)
    ).scalar_one_or_none()  # fmt: skip


def current_status(session: Session, *, credential_id: str) -> int | None:
    """The record's state as committed now (not the session's cached object), or None."""
    records = _records()
    return session.execute(
        select(records.c.status).where(records.c.id == credential_id)
    ).scalar_one_or_none()


def set_status(session: Session, *, credential_id: str, list_id: int, status: int,
               now: int) -> int:  # fmt: skip
    """Write the record's new state and move its list's version on; the new version."""
    records, lists = _records(), _lists()
    session.execute(
        update(records)
        .where(records.c.id == credential_id)
        .values(status=status, status_changed_at=now)
    )
    return int(
        session.execute(
            update(lists)
            .where(lists.c.id == list_id)
            .values(version=lists.c.version + 1)
            .returning(lists.c.version)
        ).scalar_one()
    )


def list_versions(session: Session) -> list[ListVersion]:
    """Every list with its issuer, size and version: the once-a-second read."""
    lists = _lists()
    rows = session.execute(
        select(lists.c.id, lists.c.issuer_slug, lists.c.size, lists.c.version)
    ).all()
    return [ListVersion(row.id, row.issuer_slug, row.size, row.version) for row in rows]


def list_version(session: Session, *, list_id: int) -> ListVersion | None:
    """One list's issuer, size and version, or None when there is no such list."""
    lists = _lists()
    row = session.execute(
        select(lists.c.id, lists.c.issuer_slug, lists.c.size, lists.c.version).where(
            lists.c.id == list_id
        )
    ).first()
    return None if row is None else ListVersion(row.id, row.issuer_slug, row.size, row.version)


def changed_states(session: Session, *, list_ids: Sequence[int]) -> dict[int, dict[int, int]]:
    """The records of ``list_ids`` that are not valid: list id → {index: state}."""
    records = _records()
    found: dict[int, dict[int, int]] = {list_id: {} for list_id in list_ids}
    if not list_ids:
        return found
    rows = session.execute(
        select(records.c.status_list_id, records.c.status_index, records.c.status).where(
            records.c.status_list_id.in_(list(list_ids)), records.c.status != 0
        )
    )
    for list_id, index, state in rows:
        found[list_id][index] = state
    return found
