"""Queries over the account tables: accounts, sessions, single-use links, recovery codes,
sign-in states and rate counters.

Like :mod:`wallet.db.crud`, nothing here commits except :func:`add_failure`, which counts in
its own transaction so that a refused attempt is counted even though the request's own
transaction is rolled back. Single-use things (links, recovery codes, sign-in states) are
taken with one conditional ``UPDATE``/``DELETE`` whose row count says who won, so two
processes racing for the same link cannot both use it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult, Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from wallet.db.models import (
    AccessEvent,
    Account,
    AuthSession,
    HolderWallet,
    OneTimeLink,
    RateCounter,
    RecoveryCode,
    Share,
    SignInState,
    WalletItem,
)
from wallet.errors import ConflictError


def _rowcount(result: Any) -> int:
    assert isinstance(result, CursorResult)
    return int(result.rowcount)


# --- accounts ---------------------------------------------------------------------------


def add_account(session: Session, *, row: Account) -> Account:
    """Add an account and flush it.

    :raises ConflictError: when the e-mail address (or personal code) is taken.
    """
    session.add(row)
    try:
        session.flush()
    except IntegrityError as exc:
        raise ConflictError("an account with that e-mail address exists") from exc
    return row


def account_by_id(session: Session, *, account_id: int) -> Account | None:
    """The account with this id, or None."""
    return session.get(Account, account_id)


def account_by_email(session: Session, *, email: str) -> Account | None:
    """The account with this (normalised) e-mail address, or None."""
    return session.exec(select(Account).where(Account.email == email)).first()


def account_by_personal_code(session: Session, *, code_hash: str) -> Account | None:
    """The account linked to this personal-code hash, or None."""
    return session.exec(select(Account).where(Account.personal_code_hash == code_hash)).first()


def delete_account(session: Session, *, account_id: int) -> None:
    """Delete the account and everything that hangs off it (sessions, links, codes, states,
    its wallets with their credentials, share links and access log)."""
    wallet_ids = list(
        session.exec(select(HolderWallet.id).where(HolderWallet.account_id == account_id)).all()
    )
    for item_model in (AccessEvent, Share, WalletItem):
        session.execute(delete(item_model).where(col(item_model.wallet_id).in_(wallet_ids)))
    session.execute(delete(HolderWallet).where(col(HolderWallet.account_id) == account_id))
    for model in (AuthSession, OneTimeLink, RecoveryCode, SignInState):
        session.execute(delete(model).where(col(model.account_id) == account_id))
    session.execute(delete(Account).where(col(Account.id) == account_id))
    session.flush()


# --- sessions ---------------------------------------------------------------------------


def add_session(session: Session, *, row: AuthSession) -> AuthSession:
    """Add a session row and flush it."""
    session.add(row)
    session.flush()
    return row


def live_session(
    session: Session, *, session_id: str | None = None, cookie_hash: str | None = None, now: int
) -> AuthSession | None:
    """The unrevoked, unexpired session with this id or cookie hash, or None."""
    statement = select(AuthSession).where(
        col(AuthSession.revoked_at).is_(None), AuthSession.expires_at > now
    )
    if session_id is not None:
        statement = statement.where(AuthSession.id == session_id)
    elif cookie_hash is not None:
        statement = statement.where(AuthSession.cookie_hash == cookie_hash)
    else:
        return None
    return session.exec(statement).first()


def revoke_sessions(
    session: Session, *, account_id: int, now: int, session_id: str | None = None
) -> int:
    """Revoke every live session of the account (or only ``session_id``); return how many."""
    statement = update(AuthSession).where(
        col(AuthSession.account_id) == account_id, col(AuthSession.revoked_at).is_(None)
    )
    if session_id is not None:
        statement = statement.where(col(AuthSession.id) == session_id)
    return _rowcount(session.execute(statement.values(revoked_at=now)))


def complete_second_factor(session: Session, *, session_id: str) -> None:
    """Mark a session's login as finished by its second factor."""
    session.execute(
        update(AuthSession).where(col(AuthSession.id) == session_id).values(second_factor=True)
    )


# --- single-use links -------------------------------------------------------------------


def add_link(session: Session, *, row: OneTimeLink) -> OneTimeLink:
    """Add a single-use link and flush it."""
    session.add(row)
    session.flush()
    return row


def use_link(session: Session, *, token_hash: str, purpose: str, now: int) -> int | None:
    """Use the link once: the account id it was for, or None if unknown, used or expired."""
    row = session.exec(
        select(OneTimeLink).where(
            OneTimeLink.token_hash == token_hash, OneTimeLink.purpose == purpose
        )
    ).first()
    if row is None or row.used_at is not None or row.expires_at <= now:
        return None
    taken = session.execute(
        update(OneTimeLink)
        .where(col(OneTimeLink.id) == row.id, col(OneTimeLink.used_at).is_(None))
        .values(used_at=now)
    )
    return row.account_id if _rowcount(taken) == 1 else None


def expire_links(session: Session, *, account_id: int, purpose: str, now: int) -> None:
    """Use up every open link of this purpose (a password change voids pending resets)."""
    session.execute(
        update(OneTimeLink)
        .where(
            col(OneTimeLink.account_id) == account_id,
            col(OneTimeLink.purpose) == purpose,
            col(OneTimeLink.used_at).is_(None),
        )
        .values(used_at=now)
    )


# --- recovery codes ---------------------------------------------------------------------


def replace_recovery_codes(session: Session, *, account_id: int, code_hashes: list[str]) -> None:
    """Replace the account's recovery codes with new ones."""
    session.execute(delete(RecoveryCode).where(col(RecoveryCode.account_id) == account_id))
    session.add_all(RecoveryCode(account_id=account_id, code_hash=h) for h in code_hashes)
    session.flush()


def unused_recovery_codes(session: Session, *, account_id: int) -> list[RecoveryCode]:
    """The account's recovery codes not used yet, in a stable order."""
    statement = (
        select(RecoveryCode)
        .where(RecoveryCode.account_id == account_id, col(RecoveryCode.used_at).is_(None))
        .order_by(col(RecoveryCode.id))
    )
    return list(session.exec(statement).all())


def use_recovery_code(session: Session, *, code_id: int, now: int) -> bool:
    """Use one recovery code; False when another request used it first."""
    taken = session.execute(
        update(RecoveryCode)
        .where(col(RecoveryCode.id) == code_id, col(RecoveryCode.used_at).is_(None))
        .values(used_at=now)
    )
    return _rowcount(taken) == 1


# --- OpenID Connect sign-in states ------------------------------------------------------


def add_sign_in_state(session: Session, *, row: SignInState) -> None:
    """Store a pending identity-provider login."""
    session.add(row)
    session.flush()


def take_sign_in_state(session: Session, *, state_hash: str, now: int) -> SignInState | None:
    """Take (and delete) a pending login; None when unknown, taken or expired."""
    row = session.get(SignInState, state_hash)
    if row is None:
        return None
    taken = session.execute(delete(SignInState).where(col(SignInState.state_hash) == state_hash))
    if _rowcount(taken) != 1 or row.expires_at <= now:
        return None
    return row


# --- rate counters ----------------------------------------------------------------------


def count_failures(session: Session, *, key: str, window_start: int) -> int:
    """Failures counted under ``key`` in the window starting at ``window_start``."""
    statement = select(func.coalesce(func.sum(RateCounter.count), 0)).where(
        RateCounter.key == key, RateCounter.window_start == window_start
    )
    return int(session.exec(statement).one())


def add_failure(engine: Engine, *, key: str, window_start: int, stale_before: int) -> None:
    """Count one failure under ``key``, in a transaction of its own (committed at once).

    Windows that ended before ``stale_before`` are deleted on the way, so the table stays
    small.
    """
    dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(RateCounter).values(key=key, window_start=window_start, count=1)
    statement = statement.on_conflict_do_update(
        index_elements=["key", "window_start"],
        set_={"count": RateCounter.__table__.c.count + 1},  # type: ignore[attr-defined]
    )
    with Session(engine) as session:
        session.execute(statement)
        session.execute(
            delete(RateCounter).where(
                col(RateCounter.key) == key, col(RateCounter.window_start) < stale_before
            )
        )
        session.commit()
