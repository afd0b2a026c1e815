"""Failed sign-ins and password resets, counted in the database so every process agrees.

A :class:`Limit` allows ``attempts`` failures per ``window`` seconds for one key (an
account's e-mail address as typed, or a client address). Counters live in fixed windows of
the ``rate_counter`` table, written in their own transaction, so a refused request still
counts although its own transaction rolls back. Keys are stored as keyed hashes: the
table holds no e-mail or IP address.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session

from wallet.db import account_crud
from wallet.errors import RateLimitedError
from wallet.jose import keyed_hash


@dataclass(frozen=True)
class Limit:
    """``attempts`` failures allowed per ``window`` seconds for one key of this ``name``."""

    name: str
    attempts: int
    window: int


#: Failed logins per account (e-mail address as typed) from one client address: 5 in 15
#: minutes. Keyed by the pair, so an attacker elsewhere cannot lock the owner out.
LOGIN_PER_ACCOUNT_AND_ADDRESS = Limit("login-account-address", attempts=5, window=900)
#: Failed logins per account from all addresses together: 50 in 15 minutes, against guessing
#: spread over many addresses (locking the owner out then takes 50 attempts from elsewhere).
LOGIN_PER_ACCOUNT = Limit("login-account", attempts=50, window=900)
#: Failed logins per client address: 30 in 15 minutes (a shared office NAT stays usable).
LOGIN_PER_ADDRESS = Limit("login-address", attempts=30, window=900)
#: Password-reset and verification mails per account: 3 an hour.
MAIL_PER_ACCOUNT = Limit("mail-account", attempts=3, window=3600)
#: Password-reset and verification mails per client address: 20 an hour.
MAIL_PER_ADDRESS = Limit("mail-address", attempts=20, window=3600)
#: Wrong second-factor codes per account: 5 in 15 minutes.
SECOND_FACTOR_PER_ACCOUNT = Limit("second-factor", attempts=5, window=900)


class RateLimiter:
    """Checks and counts failures for :class:`Limit` keys."""

    def __init__(self, engine: Engine, *, hash_key: bytes) -> None:
        self._engine = engine
        self._hash_key = hash_key

    def _key(self, limit: Limit, value: str) -> str:
        return keyed_hash(self._hash_key, f"{limit.name}:{value}")

    def check(self, session: Session, limit: Limit, value: str, *, now: int) -> None:
        """Refuse when ``value`` has used up its failures in the current window.

        :raises RateLimitedError: when it has.
        """
        window_start = now - now % limit.window
        count = account_crud.count_failures(
            session, key=self._key(limit, value), window_start=window_start
        )
        if count >= limit.attempts:
            raise RateLimitedError("too many attempts; try again later")

    def fail(self, limit: Limit, value: str, *, now: int) -> None:
        """Count one failure for ``value`` (committed at once, in its own transaction)."""
        window_start = now - now % limit.window
        account_crud.add_failure(
            self._engine,
            key=self._key(limit, value),
            window_start=window_start,
            stale_before=window_start,
        )
