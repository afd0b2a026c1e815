"""ID Token validation (OpenID Connect Core 1.0 §3.1.3.7) and the identity it proves.

The order is the one of wallet.jose: strict parse, header against the allow-list, the key
chosen from the provider's key set by ``kid`` and ``alg`` (never a key the token carries),
the signature, and only then the claims. Every refusal is an
:class:`~wallet.errors.IdentityProviderError` whose ``reason`` names the check; a failure in
wallet.jose is chained as its ``__cause__``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from wallet import personal_code
from wallet.errors import (
    AlgorithmError,
    HeaderError,
    IdentityProviderError,
    InvalidSignatureError,
    RecordError,
    UnknownKeyError,
    WalletError,
    WeakKeyError,
)
from wallet.jose import JWK, check_header, constant_time_equal, parse_compact, verify_signature
from wallet.oidc.settings import OIDCSettings

#: ``typ`` of an ID token when present; OIDC Core does not require one (RFC 8725 §3.11).
ID_TOKEN_TYP = frozenset({"JWT"})
#: Core §2: "sub ... MUST NOT exceed 255 ASCII characters in length".
MAX_SUBJECT_CHARS = 255
#: Which check a failure of wallet.jose stands for; the first matching class wins.
_JOSE_REASONS: tuple[tuple[type[WalletError], str], ...] = (
    (AlgorithmError, "algorithm"),
    (HeaderError, "header"),
    (UnknownKeyError, "unknown_key"),
    (InvalidSignatureError, "signature"),
    (WeakKeyError, "key"),
)

#: Chooses the verifying key for ``(kid, alg)``; raises UnknownKeyError when none fits.
KeyLookup = Callable[[str | None, str], JWK]


@dataclass(frozen=True)
class ProvenIdentity:
    """Who the identity provider says the user is, from a verified ID token.

    The personal code and the names are left out of ``repr``, so that logging the object
    never writes them (DESIGN §4: no log ever holds the personal code).

    :param issuer: the provider's Issuer Identifier; ``(issuer, subject)`` is the stable key.
    :param subject: the ``sub`` claim.
    :param personal_code: the 11 digits of the code, hyphen removed, check digit verified.
    """

    issuer: str
    subject: str
    personal_code: str = field(repr=False)
    given_name: str | None = field(default=None, repr=False)
    family_name: str | None = field(default=None, repr=False)


def _refuse(description: str, reason: str) -> IdentityProviderError:
    return IdentityProviderError(f"the ID token was refused: {description}", reason)


def _numeric_date(claims: Mapping[str, Any], name: str, *, required: bool) -> float | None:
    value = claims.get(name)
    if value is None and name not in claims and not required:
        return None
    # RFC 7519 §2 NumericDate: a JSON number; a boolean or a string is not one.
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _refuse(f"'{name}' is missing or not a NumericDate", "claims")
    return value


def _check_signature(token: str, *, settings: OIDCSettings, key_for: KeyLookup) -> dict[str, Any]:
    try:
        parsed = parse_compact(token)
        header = parsed.header
        check_header(
            header,
            typ=ID_TOKEN_TYP,
            algorithms=settings.id_token_algorithms,
            require_kid=False,
            require_typ=False,
        )
        verify_signature(parsed, key_for(header.get("kid"), header["alg"]))
    except IdentityProviderError:
        raise
    except WalletError as exc:
        reason = next((r for kind, r in _JOSE_REASONS if isinstance(exc, kind)), "malformed")
        raise _refuse(exc.description, reason) from exc
    return dict(parsed.payload)


def verify_id_token(
    token: object, *, settings: OIDCSettings, key_for: KeyLookup, nonce: str, now: int
) -> dict[str, Any]:
    """Validate an ID token as OIDC Core §3.1.3.7 asks, and return its claims.

    :param token: the ``id_token`` member of the token response, as received.
    :param key_for: chooses the provider's key for ``(kid, alg)``.
    :param nonce: the nonce sent in the authentication request.
    :param now: the current time, seconds since the epoch.
    :return: the claims.
    :raises IdentityProviderError: with ``reason`` "malformed", "algorithm" (step 7; ``none``
        and ``HS*`` included), "header", "unknown_key", "key" (a weak key), "signature"
        (step 6), "issuer" (step 2), "audience" or "azp" (steps 3–5), "expired" (step 9),
        "iat" (step 10), "not_yet_valid", "nonce" (step 11), "subject" or "claims".
    """
    if not isinstance(token, str):
        raise _refuse("the token response has no id_token string", "malformed")
    claims = _check_signature(token, settings=settings, key_for=key_for)
    if claims.get("iss") != settings.issuer:
        raise _refuse("'iss' is not the configured issuer", "issuer")
    audience = claims.get("aud")
    audiences = [audience] if isinstance(audience, str) else audience
    if not isinstance(audiences, list) or not all(isinstance(a, str) for a in audiences):
        raise _refuse("'aud' is missing or not a string or array of strings", "audience")
    if settings.client_id not in audiences:
        raise _refuse("'aud' does not name this client", "audience")
    # Steps 4-5: with several audiences the authorized party must be named, and be us.
    if (len(audiences) > 1 or "azp" in claims) and claims.get("azp") != settings.client_id:
        raise _refuse("'azp' is not this client", "azp")
    leeway = settings.leeway_seconds
    expires = _numeric_date(claims, "exp", required=True)
    issued = _numeric_date(claims, "iat", required=True)
    not_before = _numeric_date(claims, "nbf", required=False)
    if expires is not None and now >= expires + leeway:
        raise _refuse("it has expired", "expired")
    if issued is not None and issued > now + leeway:
        raise _refuse("it was issued in the future", "iat")
    if not_before is not None and not_before > now + leeway:
        raise _refuse("it is not valid yet", "not_yet_valid")
    token_nonce = claims.get("nonce")
    if not isinstance(token_nonce, str) or not constant_time_equal(token_nonce, nonce):
        raise _refuse("'nonce' is not the one sent with this login", "nonce")
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject or len(subject) > MAX_SUBJECT_CHARS:
        raise _refuse("'sub' is missing or longer than 255 characters", "subject")
    return claims


def _optional_text(claims: Mapping[str, Any], name: str) -> str | None:
    value = claims.get(name)
    if value is not None and not isinstance(value, str):
        raise _refuse(f"'{name}' is not a string", "claims")
    return value


def identity_from_claims(claims: Mapping[str, Any], *, settings: OIDCSettings) -> ProvenIdentity:
    """Read the proven identity from verified claims; the personal code must be valid.

    :param claims: the claims returned by :func:`verify_id_token`.
    :raises IdentityProviderError: with reason "personal_code" when the configured claim is
        missing, not a string, lacks the configured prefix, or is not a valid personal code
        (shape, birth date, check digit; the message never repeats the code), and "claims"
        when a name claim is not a string.
    """
    name = settings.personal_code_claim
    value = claims.get(name)
    if not isinstance(value, str):
        raise _refuse(f"the provider asserted no personal code in '{name}'", "personal_code")
    prefix = settings.personal_code_prefix
    if prefix and not value.startswith(prefix):
        raise _refuse(f"the personal code in '{name}' lacks its prefix", "personal_code")
    try:
        code = personal_code.normalise(value.removeprefix(prefix), pointer="/" + name)
    except RecordError as exc:
        detail = exc.problems[0].message if exc.problems else exc.description
        raise _refuse(f"'{name}' is not a valid personal code ({detail})", "personal_code") from exc
    return ProvenIdentity(
        issuer=settings.issuer,
        subject=str(claims["sub"]),
        personal_code=code,
        given_name=_optional_text(claims, "given_name"),
        family_name=_optional_text(claims, "family_name"),
    )
