"""JWK Sets (RFC 7517 §5) published by others, and choosing the key that verifies a token.

A JWK Set comes from a party we do not control (an OpenID provider's ``jwks_uri``), so its
members are kept as given and turned into a :class:`~wallet.jose.jwk.JWK` only when a token
names them, bound to the token's algorithm through :func:`~wallet.jose.jwk.public_jwk`,
which applies every key check (private members, small-order points, short RSA keys,
``use``/``key_ops``). Keys of types we do not understand, or published for encryption, are
skipped when choosing, as RFC 7517 §5 asks ("Implementations SHOULD ignore JWKs within a JWK
Set that use "kty" values that are not understood by them"), so a provider that also
publishes encryption keys still works.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from wallet.errors import ParseError, PayloadTooLargeError, UnknownKeyError
from wallet.jose.jwk import JWK, public_jwk

#: Most keys a JWK Set may hold; a provider publishes a handful (current, next, retired).
MAX_JWK_SET_KEYS = 64
#: The key type each JWS algorithm needs (RFC 7518 §3.1, RFC 8037 §3.1).
_KTY_OF_ALG = {
    "EdDSA": "OKP",
    "ES256": "EC",
    "ES384": "EC",
    "RS256": "RSA",
    "PS256": "RSA",
}


@dataclass(frozen=True)
class JWKSet:
    """The keys of a JWK Set, as published; nothing is trusted until :meth:`key_for` picks one."""

    keys: tuple[Mapping[str, Any], ...]

    def key_for(self, *, kid: str | None, alg: str) -> JWK:
        """The one key of the set that may verify a token with this ``kid`` and ``alg``.

        Candidates are the keys whose ``kid`` equals the token's (every key when the token
        names none), whose type fits ``alg``, and whose ``use`` is absent or "sig". Exactly
        one candidate must remain: a token without ``kid`` against a set with several
        fitting keys is refused rather than tried key by key.

        :param kid: the ``kid`` of the token's protected header, if any.
        :param alg: the token's algorithm, already checked against the caller's allow-list.
        :return: the key, bound to ``alg``.
        :raises UnknownKeyError: when no key, or more than one, fits.
        :raises ParseError: when the chosen key is malformed or holds private members.
        :raises AlgorithmError: when the chosen key is bound to another algorithm.
        :raises WeakKeyError: for a small-order Ed25519 point or a short RSA key.
        """
        kty = _KTY_OF_ALG.get(alg)
        candidates = [
            members
            for members in self.keys
            if members.get("kty") == kty
            and members.get("use", "sig") == "sig"
            and (kid is None or members.get("kid") == kid)
        ]
        if not candidates:
            raise UnknownKeyError("no key of the provider's key set fits the token's kid and alg")
        if len(candidates) > 1:
            raise UnknownKeyError(
                "several keys of the provider's key set fit; the token's kid is ambiguous"
            )
        return public_jwk(candidates[0], alg=alg)


def parse_jwk_set(document: Mapping[str, Any]) -> JWKSet:
    """Read a JWK Set (RFC 7517 §5) strictly, without judging its keys yet.

    :param document: the JSON object, parsed strictly (``loads_object``).
    :return: the set, its keys in published order.
    :raises ParseError: when there is no ``keys`` array, a key is not an object, or a
        ``kid`` is not a string.
    :raises PayloadTooLargeError: above :data:`MAX_JWK_SET_KEYS` keys.
    """
    if not isinstance(document, Mapping):
        raise ParseError("a JWK Set is a JSON object")
    keys = document.get("keys")
    if not isinstance(keys, list):
        raise ParseError("a JWK Set has a 'keys' array (RFC 7517 §5.1)")
    if len(keys) > MAX_JWK_SET_KEYS:
        raise PayloadTooLargeError(f"the JWK Set holds more than {MAX_JWK_SET_KEYS} keys")
    for key in keys:
        if not isinstance(key, dict):
            raise ParseError("every member of a JWK Set's 'keys' is a JSON object")
        if "kid" in key and not isinstance(key["kid"], str):
            raise ParseError("a JWK 'kid' is a string (RFC 7517 §4.5)")
    return JWKSet(keys=tuple(keys))
