"""Queries over share links (``share``).

A link is found by the keyed hash of its token, never by the token itself. The learner's
own queries take the account id, so another account's share is simply not found. A view is
taken by one conditional ``UPDATE``, so parallel openings never count past ``max_views``.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session, col, select

from wallet.db.models import HolderWallet, Share


def add_share(session: Session, *, row: Share) -> Share:
    """Add a share and flush it."""
    session.add(row)
    session.flush()
    return row


def share_by_token_hash(session: Session, *, token_hash: str) -> Share | None:
    """The share whose token has this keyed hash, or None."""
    return session.exec(select(Share).where(Share.token_hash == token_hash)).first()


def share_and_wallet_by_token_hash(
    session: Session, *, token_hash: str
) -> tuple[Share, HolderWallet] | None:
    """The share whose token has this keyed hash and its wallet (whose key unseals it), in
    one query; None when there is no such share."""
    statement = (
        select(Share, HolderWallet)
        .join(HolderWallet, col(HolderWallet.id) == col(Share.wallet_id))
        .where(Share.token_hash == token_hash)
    )
    found = session.exec(statement).first()
    return None if found is None else (found[0], found[1])


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
    views = col(Share.views)
    max_views = col(Share.max_views)
    statement = (
        update(Share)
        .where(
            col(Share.id) == share_id,
            col(Share.revoked_at).is_(None),
            col(Share.expires_at) > now,
            max_views.is_(None) | (views < max_views),
        )
        .values(views=views + 1)
        .returning(views)
        .execution_options(synchronize_session=False)
    )
    counted: int | None = session.execute(statement).scalar_one_or_none()
    return counted


def revoke_share(session: Session, *, share_id: str, now: int) -> None:
    """Mark the share revoked at ``now`` (a share revoked before keeps its first time)."""
    statement = (
        update(Share)
        .where(col(Share.id) == share_id, col(Share.revoked_at).is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    session.execute(statement)
