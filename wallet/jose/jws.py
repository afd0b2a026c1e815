"""Strict JWS compact serialization (RFC 7515 §7.1): parse, check, verify, sign.

Verification does not go through pyjwt's decode, which is laxer than we need (it accepts
padded signatures, duplicate members, a BOM, any ``kid``; ``reference/security.md`` F2) and
costs about twice the raw signature check. The order is: size caps, strict parse of the
three segments, header checks against explicit allow-lists, then the signature with a key
the caller chose from its own registry (never one named by the token).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from wallet.errors import AlgorithmError, HeaderError, ParseError, PayloadTooLargeError
from wallet.jose.b64 import b64url_decode, b64url_encode
from wallet.jose.jwk import JWK
from wallet.jose.signing import SigningKey
from wallet.jose.strictjson import dumps_compact, loads_object

#: Largest compact JWS we parse at all (a credential with a long subject stays far below).
MAX_TOKEN_CHARS = 256 * 1024
#: Largest protected header, in base64url characters.
MAX_HEADER_CHARS = 4096
#: Longest ``kid`` we look up.
MAX_KID_CHARS = 512
#: Header members that let a token name its own key or key location (RFC 8725 §3.10).
KEY_LOCATING_MEMBERS = frozenset({"jku", "x5u", "jwk", "x5c", "x5t", "x5t#S256"})


#: The ``kid`` characters we look up: RFC 3986 unreserved characters plus those DID URLs and
#: thumbprint URIs need. No slash, backslash, quote, semicolon, whitespace or control
#: character, so a ``kid`` can never act as a path, SQL or URL (RFC 8725 §3.10).
_KID = re.compile(r"[A-Za-z0-9._~:#@%+=-]+")


class RawJWS(NamedTuple):
    """A compact JWS split and decoded, its payload left as octets; not yet verified."""

    header: Mapping[str, Any]
    payload_bytes: bytes
    signing_input: bytes
    signature: bytes


class ParsedJWS(NamedTuple):
    """A compact JWS split and decoded, but not yet verified."""

    header: Mapping[str, Any]
    payload: Mapping[str, Any]
    signing_input: bytes
    signature: bytes


def _split(token: str) -> tuple[str, str, str]:
    if not isinstance(token, str):
        raise ParseError("a compact JWS is a string")
    if len(token) > MAX_TOKEN_CHARS:
        raise PayloadTooLargeError(f"the token exceeds {MAX_TOKEN_CHARS} characters")
    parts = token.split(".")
    if len(parts) != 3:
        raise ParseError("a compact JWS has exactly three segments")
    if len(parts[0]) > MAX_HEADER_CHARS:
        raise PayloadTooLargeError(f"the JOSE header exceeds {MAX_HEADER_CHARS} characters")
    return parts[0], parts[1], parts[2]


def peek_header(token: str) -> dict[str, Any]:
    """Decode the protected header without verifying anything.

    The result is UNTRUSTED: use it only to choose which checks and keys to apply, never as
    a fact about the token.
    """
    header, _, _ = _split(token)
    return loads_object(b64url_decode(header), what="JOSE header")


def parse_compact_raw(token: str) -> RawJWS:
    """Split and strictly decode a compact JWS whose payload may be any octets (no verification).

    RFC 7515 §7.1 allows any payload; JWTs, credentials and status lists use
    :func:`parse_compact`, which also requires a JSON object.

    :raises ParseError: on anything but three canonical base64url segments with a strict JSON
        object as header (RFC 7515 §5.2 steps 1–6).
    :raises PayloadTooLargeError: above the size caps.
    """
    header_b64, payload_b64, signature_b64 = _split(token)
    header = loads_object(b64url_decode(header_b64), what="JOSE header")
    payload_bytes = b64url_decode(payload_b64)
    signature = b64url_decode(signature_b64)
    signing_input = f"{header_b64}.{payload_b64}".encode("ascii")
    return RawJWS(
        header=header, payload_bytes=payload_bytes, signing_input=signing_input, signature=signature
    )


def parse_compact(token: str) -> ParsedJWS:
    """Split and strictly decode a compact JWS with a JSON object payload (no verification).

    :raises ParseError: on anything but three canonical base64url segments holding strict
        JSON objects (RFC 7515 §5.2 steps 1–7; RFC 7519 §7.2 step 10).
    :raises PayloadTooLargeError: above the size caps.
    """
    header, payload_bytes, signing_input, signature = parse_compact_raw(token)
    payload = loads_object(payload_bytes, what="payload")
    return ParsedJWS(header, payload, signing_input, signature)


def check_header(
    header: Mapping[str, Any],
    *,
    typ: Collection[str],
    algorithms: Collection[str],
    require_kid: bool = True,
    require_typ: bool = True,
) -> None:
    """Check a protected header against explicit allow-lists.

    :param typ: the media types accepted for this kind of token (RFC 8725 §3.11).
    :param algorithms: the algorithms accepted (RFC 8725 §3.1); ``none`` and ``HS*`` are
        refused whatever this holds.
    :param require_typ: when False, a header without ``typ`` passes (OpenID Connect ID
        tokens, whose ``typ`` is optional); a ``typ`` that is present must still be in ``typ``.
    :raises AlgorithmError: for a missing or refused ``alg``.
    :raises HeaderError: for a wrong or (when required) missing ``typ``, any ``crit`` (we
        understand no extension, RFC 7515 §4.1.11), key-locating members, or a ``kid``
        that is missing (when required), not a string, longer than ``MAX_KID_CHARS`` or
        outside the ``kid`` character set.
    """
    alg = header.get("alg")
    if not isinstance(alg, str) or alg.lower() == "none" or alg.upper().startswith("HS"):
        raise AlgorithmError("the algorithm is missing, 'none' or symmetric")
    if alg not in algorithms:
        raise AlgorithmError(f"the algorithm {alg!r} is not allowed here")
    token_typ = header.get("typ")
    if require_typ or "typ" in header:
        # A non-string typ (an object or array) must be refused before the membership test:
        # it may be unhashable, and a set allow-list would raise TypeError, not HeaderError.
        if not isinstance(token_typ, str) or token_typ not in typ:
            raise HeaderError(f"the token typ must be one of {sorted(typ)}")
    if "crit" in header:
        raise HeaderError("the token has critical header extensions this service does not support")
    if not KEY_LOCATING_MEMBERS.isdisjoint(header):
        found = KEY_LOCATING_MEMBERS.intersection(header)
        raise HeaderError(f"the header must not name its own key ({', '.join(sorted(found))})")
    kid = header.get("kid")
    if require_kid or kid is not None:
        if not isinstance(kid, str) or len(kid) > MAX_KID_CHARS or not _KID.fullmatch(kid):
            raise HeaderError("the header has no usable kid")


def verify_signature(parsed: ParsedJWS | RawJWS, key: JWK) -> None:
    """Verify the signature of ``parsed`` with ``key``, whose algorithm must be the header's.

    :raises AlgorithmError: when the header's alg is not the one the key is bound to.
    :raises InvalidSignatureError: when the signature does not verify.
    """
    if parsed.header.get("alg") != key.alg:
        raise AlgorithmError("the header's alg is not the algorithm bound to this key")
    key.verify(parsed.signature, parsed.signing_input)


@dataclass(frozen=True)
class CompactSigner:
    """Signs many payloads under one protected header (encoded once, for batches)."""

    header_b64: str
    key: SigningKey

    def sign(self, payload: Mapping[str, Any]) -> str:
        """Sign ``payload`` as a compact JWS under this signer's header."""
        return self.sign_serialized(dumps_compact(payload))

    def sign_serialized(self, payload: bytes) -> str:
        """Sign a payload that is already serialised JSON (UTF-8) as a compact JWS."""
        signing_input = f"{self.header_b64}.{b64url_encode(payload)}"
        signature = self.key.sign(signing_input.encode("ascii"))
        return f"{signing_input}.{b64url_encode(signature)}"


def signer(header: Mapping[str, Any], key: SigningKey) -> CompactSigner:
    """A :class:`CompactSigner` for ``header``; ``alg`` is set from the key."""
    protected = dict(header)
    protected["alg"] = key.alg
    return CompactSigner(header_b64=b64url_encode(dumps_compact(protected)), key=key)


def sign_compact(header: Mapping[str, Any], payload: Mapping[str, Any], key: SigningKey) -> str:
    """Sign ``payload`` as a compact JWS.

    ``alg`` is set from the key; the rest of the header is taken as given.
    """
    return signer(header, key).sign(payload)
