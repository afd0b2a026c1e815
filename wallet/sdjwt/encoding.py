"""The SD-JWT compact serialization and Disclosure digests (RFC 9901 §4, §4.2.3, §4.3.1).

Digests are taken over the US-ASCII bytes of the base64url string, never over the decoded
JSON, so a Disclosure is hashed exactly as it travels (RFC 9901 §4.2.3).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, NamedTuple

from wallet.errors import AlgorithmError, DisclosureError, ParseError, PayloadTooLargeError
from wallet.jose import b64url_decode, b64url_encode, dumps_compact, loads_array

HashFunction = Callable[[bytes], "hashlib._Hash"]

#: The ``_sd_alg`` values we can compute, by their IANA "Named Information Hash Algorithm"
#: names (RFC 9901 §4.1.1). Truncated digests such as ``sha-256-32`` are unfit (§9.4) and
#: absent; which of these a verifier accepts is its own allow-list.
HASH_FUNCTIONS: dict[str, HashFunction] = {
    "sha-256": hashlib.sha256,
    "sha-384": hashlib.sha384,
    "sha-512": hashlib.sha512,
}


class SplitSDJWT(NamedTuple):
    """The parts of a compact SD-JWT or SD-JWT+KB (RFC 9901 §4), not yet verified."""

    jwt: str
    disclosures: list[str]
    kb_jwt: str | None


def split_sd_jwt(serialized: str, *, max_chars: int, max_disclosures: int) -> SplitSDJWT:
    """Split ``<jwt>~<d1>~...~<dn>~[<kb-jwt>]`` into its parts (RFC 9901 §4, §7.1 step 1).

    The size caps apply before any splitting, so a huge input costs one length check and
    one character count.

    :raises PayloadTooLargeError: above ``max_chars`` characters or ``max_disclosures``.
    :raises ParseError: for a non-string, non-ASCII text, no ``~`` at all (a bare JWT is not
        an SD-JWT) or an empty Disclosure (``~~``).
    """
    if not isinstance(serialized, str):
        raise ParseError("an SD-JWT is a string")
    if len(serialized) > max_chars:
        raise PayloadTooLargeError(f"the SD-JWT exceeds {max_chars} characters")
    if not serialized.isascii():
        raise ParseError("an SD-JWT holds only base64url text, '.' and '~'")
    tildes = serialized.count("~")
    if tildes == 0:
        raise ParseError("an SD-JWT separates its Issuer-signed JWT with '~' (RFC 9901 §4)")
    if tildes - 1 > max_disclosures:
        raise PayloadTooLargeError(f"the SD-JWT has more than {max_disclosures} Disclosures")
    parts = serialized.split("~")
    disclosures = parts[1:-1]
    if "" in disclosures:
        raise ParseError("an SD-JWT has an empty Disclosure ('~~')")
    return SplitSDJWT(jwt=parts[0], disclosures=disclosures, kb_jwt=parts[-1] or None)


def hash_function(sd_alg: object, allowed: frozenset[str] | None = None) -> HashFunction:
    """The hash function named by ``_sd_alg`` (RFC 9901 §4.1.1, §7.1 step 2.4).

    :param allowed: the caller's allow-list; None means every name in :data:`HASH_FUNCTIONS`.
    :raises AlgorithmError: for a name that is not a string, unknown, or not allowed.
    """
    if not isinstance(sd_alg, str) or sd_alg not in HASH_FUNCTIONS:
        raise AlgorithmError("the _sd_alg hash algorithm is not supported")
    if allowed is not None and sd_alg not in allowed:
        raise AlgorithmError(f"the _sd_alg hash algorithm {sd_alg!r} is not allowed here")
    return HASH_FUNCTIONS[sd_alg]


def digest(hash_fn: HashFunction, text: str) -> str:
    """base64url(hash(ASCII(text))): a Disclosure digest (§4.2.3) or an ``sd_hash`` (§4.3.1)."""
    return b64url_encode(hash_fn(text.encode("ascii")).digest())


def encode_disclosure(items: list[Any]) -> str:
    """A Disclosure: base64url of the compact UTF-8 JSON array (RFC 9901 §4.2.1, §4.2.2)."""
    return b64url_encode(dumps_compact(items))


def decode_disclosure(text: str) -> list[Any]:
    """Decode a Disclosure strictly: canonical base64url, then I-JSON holding an array.

    :raises DisclosureError: (reason "malformed") for anything else.
    """
    try:
        return loads_array(b64url_decode(text), what="Disclosure")
    except ParseError as exc:
        raise DisclosureError(
            "a Disclosure is not base64url of a JSON array", reason="malformed"
        ) from exc
