"""Issuer API tokens: create (shown once), revoke, authenticate.

A token is ``imk_`` followed by 256 random bits. Only its keyed hash is stored (HMAC under
a key derived from the service secret), so a copy of the database does not yield usable
tokens. Authentication reads the database on every request, so a revoked token stops
working at once in every process.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlmodel import Session

from wallet.db import crud
from wallet.errors import AuthenticationError
from wallet.jose import derive_secret, keyed_hash

TOKEN_PREFIX = "imk_"  # noqa: S105 (a prefix, not a secret)
MAX_TOKEN_CHARS = 128


@dataclass(frozen=True)
class IssuerPrincipal:
    """Who is calling: an issuer, through one of its named tokens."""

    issuer_slug: str
    token_name: str

    @property
    def actor(self) -> str:
        """How the audit log names this caller."""
        return f"token:{self.issuer_slug}/{self.token_name}"


def token_hash_key(secret: bytes) -> bytes:
    """The HMAC key for API token hashes."""
    return derive_secret(secret, "imk/api-token")


def create_token(
    session: Session, *, hash_key: bytes, issuer_slug: str, name: str, now: int
) -> str:
    """Create a named token for an issuer and return it; it cannot be shown again.

    :raises ConflictError: when the issuer already has a token of that name.
    """
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    crud.create_api_token(
        session,
        issuer_slug=issuer_slug,
        name=name,
        token_hash=keyed_hash(hash_key, token),
        now=now,
    )
    crud.add_audit(
        session,
        at=now,
        actor="cli",
        action="token.create",
        target=issuer_slug,
        detail={"name": name},
    )
    return token


def revoke_token(session: Session, *, issuer_slug: str, name: str, now: int) -> None:
    """End a token at once.

    :raises NotFoundError: when the issuer has no active token of that name.
    """
    crud.revoke_api_token(session, issuer_slug=issuer_slug, name=name, now=now)
    crud.add_audit(
        session,
        at=now,
        actor="cli",
        action="token.revoke",
        target=issuer_slug,
        detail={"name": name},
    )


def authenticate(
    session: Session, *, hash_key: bytes, authorization: str | None
) -> IssuerPrincipal:
    """Resolve an ``Authorization: Bearer`` header to the issuer it belongs to.

    :raises AuthenticationError: for a missing, malformed, unknown or revoked token (one
        message for all, so that nothing is revealed about which tokens exist).
    """
    failure = AuthenticationError("a valid issuer API token is required")
    if not authorization or not authorization.startswith("Bearer "):
        raise failure
    token = authorization[len("Bearer ") :].strip()
    if not token.startswith(TOKEN_PREFIX) or len(token) > MAX_TOKEN_CHARS:
        raise failure
    row = crud.find_active_token(session, token_hash=keyed_hash(hash_key, token))
    if row is None:
        raise failure
    return IssuerPrincipal(issuer_slug=row.issuer_slug, token_name=row.name)
