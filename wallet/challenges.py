"""Verifier challenges: single-use, expiring nonces bound to the verifier's domain.

``POST /challenges`` gives a verifier a challenge for its domain; a presentation made for
it carries the challenge as the KB-JWT ``nonce`` (or the VP's ``nonce``) and the domain as
its audience. :func:`use` takes the challenge exactly once, in one conditional update, so two
verifications racing with the same presentation cannot both succeed. Expired challenges
are deleted as new ones are made.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import CursorResult, delete, update
from sqlmodel import Session, col

from wallet.db.models import Challenge
from wallet.errors import ChallengeError, InputError
from wallet.jose import b64url_encode

MAX_DOMAIN_CHARS = 512


@dataclass(frozen=True)
class Issued:
    """A new challenge and when it expires."""

    challenge: str
    domain: str
    expires: int


def check_domain(domain: str) -> str:
    """A verifier's domain: a host name, an origin or a client id, without spaces.

    :raises InputError: when it is empty, too long or holds spaces or control characters.
    """
    if (
        not domain
        or len(domain) > MAX_DOMAIN_CHARS
        or any(c.isspace() or ord(c) < 32 for c in domain)
    ):
        raise InputError(f"domain must be 1 to {MAX_DOMAIN_CHARS} characters without spaces")
    return domain


def create(
    session: Session, *, domain: str, now: int, ttl: int, random: Callable[[int], bytes]
) -> Issued:
    """Make a challenge (128 random bits) for ``domain``, valid ``ttl`` seconds."""
    check_domain(domain)
    session.execute(delete(Challenge).where(col(Challenge.expires_at) < now - ttl))
    value = b64url_encode(random(16))
    session.add(Challenge(value=value, domain=domain, created_at=now, expires_at=now + ttl))
    session.flush()
    return Issued(challenge=value, domain=domain, expires=now + ttl)


def use(session: Session, *, challenge: str, domain: str, now: int) -> None:
    """Use up a challenge made for ``domain``.

    :raises ChallengeError: when it is unknown, used, expired or for another domain (one
        answer for all four).
    """
    taken = session.execute(
        update(Challenge)
        .where(
            col(Challenge.value) == challenge,
            col(Challenge.domain) == domain,
            col(Challenge.used_at).is_(None),
            col(Challenge.expires_at) > now,
        )
        .values(used_at=now)
    )
    assert isinstance(taken, CursorResult)
    if taken.rowcount != 1:
        raise ChallengeError("the challenge is unknown, used, expired or for another domain")
