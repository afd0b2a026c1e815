"""Signed-in sessions: page cookies and API bearer tokens, both backed by one table.

A **cookie session** is 256 random bits in an HttpOnly cookie; the database keeps only its
keyed hash. An **API session** is a JWT signed with the service key (``typ``
``imk-session+jwt``, distinct from every credential ``typ``, so neither can pass for the
other) whose ``sid`` names its row. Both are looked up in ``auth_session`` on every
request: revoking the rows (logout, password change, account deletion) ends them in every
process at once, and a token's signature alone is never enough.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from wallet.db import account_crud
from wallet.db.models import Account, AuthSession
from wallet.errors import AuthenticationError, UnknownKeyError, WalletError
from wallet.jose import (
    SIGNING_ALGORITHMS,
    b64url_encode,
    check_header,
    keyed_hash,
    parse_compact,
    sign_compact,
    verify_signature,
)
from wallet.keystore import SERVICE_SLUG, Keystore
from wallet.trust import KeyHistory, KeyRecord

#: ``typ`` of our own API session tokens (never accepted as a credential, and vice versa).
SESSION_TOKEN_TYP = "imk-session+jwt"  # noqa: S105 (a media type, not a secret)
#: Name of the page session cookie.
COOKIE_NAME = "imk_session"
#: Longest cookie or bearer value we look at.
MAX_SECRET_CHARS = 4096


@dataclass(frozen=True)
class Principal:
    """Who is signed in, through which session."""

    account_id: int
    email: str
    role: str
    issuer_slug: str | None
    language: str
    session_id: str
    kind: str
    second_factor: bool
    totp_enabled: bool

    @property
    def actor(self) -> str:
        """How the audit log names this person."""
        return f"account:{self.account_id}"

    @property
    def fully_signed_in(self) -> bool:
        """Password and, when enrolled, second factor both done."""
        return self.second_factor or not self.totp_enabled


@dataclass(frozen=True)
class SessionContext:
    """What sessions need, built once per process."""

    base_url: str
    hash_key: bytes
    ttl_seconds: int
    keystore: Keystore
    key_history: KeyHistory
    random: Callable[[int], bytes]


def _failure() -> AuthenticationError:
    return AuthenticationError("sign in again: the session is missing, expired or ended")


def _principal(row: AuthSession, account: Account) -> Principal:
    assert account.id is not None
    return Principal(
        account_id=account.id,
        email=account.email,
        role=account.role,
        issuer_slug=account.issuer_slug,
        language=account.language,
        session_id=row.id,
        kind=row.kind,
        second_factor=row.second_factor,
        totp_enabled=account.totp_enabled_at is not None,
    )


def start(
    session: Session, *, ctx: SessionContext, account: Account, kind: str, now: int
) -> tuple[AuthSession, str]:
    """Open a session of ``kind`` ("cookie" or "api") and return it with its secret.

    The secret is the cookie value or the bearer token; it is shown once. A login whose
    account has a second factor starts with ``second_factor`` false. Bearer tokens are
    signed with the service's current key, which the app creates at start
    (:meth:`wallet.service.Services.ensure_service_key`).

    :raises NotFoundError: when the service has no key yet (the app was not started).
    """
    assert account.id is not None and kind in ("cookie", "api")
    session_id = b64url_encode(ctx.random(16))
    expires_at = now + ctx.ttl_seconds
    row = AuthSession(
        id=session_id,
        account_id=account.id,
        kind=kind,
        second_factor=False,
        created_at=now,
        expires_at=expires_at,
    )
    if kind == "cookie":
        secret = b64url_encode(ctx.random(32))
        row.cookie_hash = keyed_hash(ctx.hash_key, secret)
        account_crud.add_session(session, row=row)
        return row, secret
    kid, key = ctx.keystore.signing_key(session, issuer_slug=SERVICE_SLUG)
    account_crud.add_session(session, row=row)
    claims: dict[str, Any] = {
        "iss": ctx.base_url,
        "aud": ctx.base_url,
        "sub": f"account:{account.id}",
        "sid": session_id,
        "iat": now,
        "exp": expires_at,
    }
    token = sign_compact({"typ": SESSION_TOKEN_TYP, "kid": kid}, claims, key)
    return row, token


def from_cookie(session: Session, *, ctx: SessionContext, value: str | None, now: int) -> Principal:
    """The person signed in with this cookie value.

    :raises AuthenticationError: for a missing, unknown, expired or revoked cookie.
    """
    if not value or len(value) > MAX_SECRET_CHARS:
        raise _failure()
    row = account_crud.live_session(session, cookie_hash=keyed_hash(ctx.hash_key, value), now=now)
    return _resolve(session, row, kind="cookie")


def from_bearer(session: Session, *, ctx: SessionContext, token: str, now: int) -> Principal:
    """The person signed in with this API bearer token.

    The token must be a strict compact JWS of ``typ`` ``imk-session+jwt`` signed by a
    service key that was valid when it was issued, for this service, unexpired, and its
    ``sid`` must name a live API session.

    :raises AuthenticationError: otherwise (one answer for every reason).
    """
    if len(token) > MAX_SECRET_CHARS:
        raise _failure()
    try:
        parsed = parse_compact(token)
        check_header(parsed.header, typ={SESSION_TOKEN_TYP}, algorithms=SIGNING_ALGORITHMS)
        key = _service_key(ctx.key_history, parsed.header["kid"])
        claims = parsed.payload
        iat, exp = claims.get("iat"), claims.get("exp")
        if not isinstance(iat, int) or not isinstance(exp, int):
            raise _failure()
        key.check_usable_at(iat)
        verify_signature(parsed, key.jwk)
    except WalletError as exc:
        raise _failure() from exc
    if (
        claims.get("iss") != ctx.base_url
        or claims.get("aud") != ctx.base_url
        or now >= exp
        or not isinstance(claims.get("sid"), str)
    ):
        raise _failure()
    row = account_crud.live_session(session, session_id=claims["sid"], now=now)
    return _resolve(session, row, kind="api")


def _service_key(history: KeyHistory, kid: str) -> KeyRecord:
    # A service key made by another process a moment ago may not be cached yet: re-read
    # once (a bearer request reads the database anyway).
    try:
        return history.lookup(SERVICE_SLUG, kid)
    except UnknownKeyError:
        history.refresh()
        return history.lookup(SERVICE_SLUG, kid)


def _resolve(session: Session, row: AuthSession | None, *, kind: str) -> Principal:
    if row is None or row.kind != kind:
        raise _failure()
    account = account_crud.account_by_id(session, account_id=row.account_id)
    if account is None:
        raise _failure()
    return _principal(row, account)


def end_all(session: Session, *, account_id: int, now: int) -> int:
    """End every session of the account at once (logout, password change, deletion)."""
    return account_crud.revoke_sessions(session, account_id=account_id, now=now)
