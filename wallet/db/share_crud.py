"""Queries over share links (``share``).

A link is found by the keyed hash of its token, never by the token itself. The learner's
own queries take the account id, so another account's share is simply not found. A view is
taken by one conditional ``UPDATE``, so parallel openings never count past ``max_views``.

The two statements of every opening (read the share with its wallet's key, take a view)
run at the driver level on the session's own connection
(:func:`wallet.db.wallet_crud.run_driver_query`): SQLAlchemy writes their SQL once per
dialect, and an opening then costs what SQLite or PostgreSQL cost, not the ORM's loading
of two objects it does not need.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from sqlalchemy import bindparam, literal_column, update
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Dialect
from sqlmodel import Session, col, select

from wallet.db.models import HolderWallet, Share
from wallet.db.wallet_crud import DriverQuery, run_driver_query

_BY_TOKEN_HASH = select(Share).where(col(Share.token_hash) == bindparam("token_hash"))


class ShareRow(NamedTuple):
    """A share as an opening reads it, with what unseals its content: the holder DID and
    the sealed data key of its wallet."""

    id: str
    wallet_id: int
    created_at: int
    expires_at: int
    max_views: int | None
    views: int
    revoked_at: int | None
    label: str | None
    content: str
    holder_did: str
    data_key: str


_SHARE_COLUMNS = ShareRow._fields[: ShareRow._fields.index("content") + 1]


@lru_cache(maxsize=8)
def _opening_query(dialect: Dialect) -> DriverQuery:
    share = Share.__table__.c  # type: ignore[attr-defined]
    wallets = HolderWallet.__table__  # type: ignore[attr-defined]
    statement = (
        sa_select(
            *(share[name] for name in _SHARE_COLUMNS), wallets.c.holder_did, wallets.c.data_key
        )
        .join(wallets, wallets.c.id == share.wallet_id)
        .where(share.token_hash == bindparam("token_hash"))
    )
    return DriverQuery.of(statement, dialect)


@lru_cache(maxsize=8)
def _take_view_query(dialect: Dialect) -> DriverQuery:
    share = Share.__table__.c  # type: ignore[attr-defined]
    statement = (
        update(Share.__table__)  # type: ignore[attr-defined]
        .where(
            share.id == bindparam("share_id"),
            share.revoked_at.is_(None),
            share.expires_at > bindparam("now"),
            share.max_views.is_(None) | (share.views < share.max_views),
        )
        # A literal, not a parameter: the statement takes only the parameters it names.
        .values(views=share.views + literal_column("1"))
        .returning(share.views)
    )
    return DriverQuery.of(statement, dialect)


def add_share(session: Session, *, row: Share) -> Share:
    """Add a share and flush it."""
    session.add(row)
    session.flush()
    return row


def share_by_token_hash(session: Session, *, token_hash: str) -> Share | None:
    """The share whose token has this keyed hash, or None."""
    return session.exec(_BY_TOKEN_HASH, params={"token_hash": token_hash}).first()


def opening_by_token_hash(session: Session, *, token_hash: str) -> ShareRow | None:
    """The share whose token has this keyed hash with its wallet's holder DID and sealed
    data key, in one query; None when there is no such share."""
    rows = run_driver_query(session, _opening_query, {"token_hash": token_hash})
    return ShareRow._make(rows[0]) if rows else None


def share_of(session: Session, *, account_id: int, share_id: str) -> Share | None:
    """The account's share ``share_id``, or None (also when it is another account's)."""
    statement = select(Share).where(Share.id == share_id, Share.account_id == account_id)
    return session.exec(statement).first()


def shares_of(session: Session, *, account_id: int, limit: int) -> list[Share]:
    """The account's shares, newest first."""
    statement = (
        select(Share)
        .where(Share.account_id == account_id)
        .order_by(col(Share.created_at).desc(), col(Share.id))
        .limit(limit)
    )
    return list(session.exec(statement).all())


def take_view(session: Session, *, share_id: str, now: int) -> int | None:
    """Count one view of a live share in one conditional update; return the views counted
    so far, this one included, or None when none is left.

    The condition (not revoked, not expired, ``views < max_views`` when there is a limit) is
    evaluated by the database on the row it updates, so two openings racing for the last
    view cannot both get it. The count comes back from the same statement (``RETURNING``,
    in SQLite since 3.35 and in PostgreSQL).
    """
    rows = run_driver_query(session, _take_view_query, {"share_id": share_id, "now": now})
    return int(rows[0][0]) if rows else None


def revoke_share(session: Session, *, share_id: str, now: int) -> None:
    """Mark the share revoked at ``now`` (a share revoked before keeps its first time)."""
    statement = (
        update(Share)
        .where(col(Share.id) == share_id, col(Share.revoked_at).is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    session.execute(statement)
