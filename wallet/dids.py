"""DIDs of our issuers (did:web), their DID documents and JWK sets, and did:jwk.

Identifiers (DESIGN §3): an institution that signs here is ``did:web:{host}:issuers:{slug}``
(the ``issuer`` of W3C credentials; its document is served at ``{base}/issuers/{slug}/did.json``,
did:web §3.2) and ``{base}/issuers/{slug}`` (the ``iss`` of SD-JWT VCs). A port in the host
is percent-encoded (``%3A``); a path in the base URL becomes further colon-separated
segments, so the did:web resolution rule lands on the same URL.

This module sits below ``trust`` and ``keystore``: it imports only ``wallet.jose`` and
``wallet.errors`` and takes issuers and keys as small protocols.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any, Protocol
from urllib.parse import urlsplit

from wallet.errors import InputError, ParseError, PayloadTooLargeError
from wallet.jose import JWK, b64url_decode, b64url_encode, dumps_compact, loads_object, public_jwk

DID_CONTEXT = "https://www.w3.org/ns/did/v1"
#: Defines ``JsonWebKey`` and ``publicKeyJwk`` (VC-JOSE-COSE verification methods).
JWK_CONTEXT = "https://w3id.org/security/jwk/v1"
#: Longest did:jwk we decode (a 4096-bit RSA key is about 750 characters).
MAX_DID_JWK_CHARS = 8192
_PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})


class DIDSubject(Protocol):
    """What a DID document needs of an issuer (``trust.IssuerEntry`` fits)."""

    @property
    def did(self) -> str: ...


class PublishedKey(Protocol):
    """What a DID document or JWK set needs of a key (``trust.KeyRecord`` fits)."""

    @property
    def kid(self) -> str: ...
    @property
    def jwk(self) -> JWK: ...
    @property
    def state(self) -> str: ...
    @property
    def valid_from(self) -> int: ...


def _split_base(base_url: str) -> tuple[str, list[str]]:
    parts = urlsplit(base_url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise InputError("the base URL must be an absolute http(s) URL")
    if "@" in parts.netloc or parts.query or parts.fragment:
        raise InputError("the base URL must not carry user info, a query or a fragment")
    segments = [segment for segment in parts.path.split("/") if segment]
    return parts.netloc, segments


def issuer_did(base_url: str, slug: str) -> str:
    """The did:web of our issuer ``slug``: ``did:web:{host}:issuers:{slug}``.

    :raises InputError: when ``base_url`` is not an absolute http(s) URL.
    """
    host, path = _split_base(base_url)
    return ":".join(["did:web", host.replace(":", "%3A"), *path, "issuers", slug])


def issuer_https_id(base_url: str, slug: str) -> str:
    """The HTTPS identifier (SD-JWT VC ``iss``) of our issuer ``slug``.

    :raises InputError: when ``base_url`` is not an absolute http(s) URL.
    """
    _split_base(base_url)
    return f"{base_url.rstrip('/')}/issuers/{slug}"


def _ordered(keys: Sequence[PublishedKey]) -> list[PublishedKey]:
    # The current key first, then newest to oldest: a reader that takes the first key
    # takes the one that signs now.
    return sorted(keys, key=lambda key: (key.state != "current", -key.valid_from, key.kid))


def did_document(issuer: DIDSubject, keys: Sequence[PublishedKey]) -> dict[str, Any]:
    """The DID document (DID Core v1 §5) of one of our issuers.

    Every key ever used is a ``JsonWebKey`` verification method (VC-JOSE-COSE), so that
    credentials signed with a retired key keep verifying. Only keys that are not
    compromised are listed under ``assertionMethod``: a verifier outside the service cannot
    apply our compromise date, so for it a compromised key must verify nothing.
    """
    methods = []
    assertion = []
    for key in _ordered(keys):
        methods.append(
            {
                "id": key.kid,
                "type": "JsonWebKey",
                "controller": issuer.did,
                "publicKeyJwk": dict(key.jwk.members),
            }
        )
        if key.state != "compromised":
            assertion.append(key.kid)
    return {
        "@context": [DID_CONTEXT, JWK_CONTEXT],
        "id": issuer.did,
        "verificationMethod": methods,
        "assertionMethod": assertion,
    }


def jwks(keys: Sequence[PublishedKey]) -> dict[str, list[dict[str, Any]]]:
    """A JWK set (RFC 7517 §5) of the keys that are not compromised, each with kid/alg/use.

    Used for ``/issuers/{slug}/jwks.json``, the JWT VC issuer metadata and the service's own
    ``/.well-known/jwks.json``; retired keys stay in it so that old signatures verify.
    """
    return {
        "keys": [
            key.jwk.to_dict(kid=key.kid) for key in _ordered(keys) if key.state != "compromised"
        ]
    }


def did_jwk(jwk: Mapping[str, Any]) -> str:
    """The did:jwk of a public key: base64url of its JCS-serialised JWK (did:jwk spec §2).

    Only the RFC 7638 members are kept (sorted, no whitespace), so one key always gives
    the same DID.

    :raises ParseError: when the JWK holds private members or is malformed.
    :raises WeakKeyError: for a small-order Ed25519 key or a short RSA key.
    """
    key = public_jwk(jwk)
    canonical = dict(sorted(key.members.items()))
    return "did:jwk:" + b64url_encode(dumps_compact(canonical))


def resolve_did_jwk(did: str) -> JWK:
    """The public key a did:jwk names (a ``#0`` fragment is allowed).

    :raises ParseError: when it is not a did:jwk, not base64url JSON, or holds private members.
    :raises PayloadTooLargeError: above :data:`MAX_DID_JWK_CHARS`.
    :raises WeakKeyError: for a small-order Ed25519 key or a short RSA key.
    :raises AlgorithmError: for an unsupported key type or curve.
    """
    if not isinstance(did, str) or not did.startswith("did:jwk:"):
        raise ParseError("not a did:jwk")
    if len(did) > MAX_DID_JWK_CHARS:
        raise PayloadTooLargeError(f"a did:jwk is at most {MAX_DID_JWK_CHARS} characters")
    return _resolved_did_jwk(did)


#: did:jwk keys kept once built: a holder presents again and again (every opening of a
#: share link checks the same holder's signature), and the DID is the key itself, so a
#: kept key can never go stale. Refusals are not kept.
RESOLVED_DID_JWKS = 1024


@lru_cache(maxsize=RESOLVED_DID_JWKS)
def _resolved_did_jwk(did: str) -> JWK:
    encoded = did[len("did:jwk:") :]
    if encoded.endswith("#0"):
        encoded = encoded[:-2]
    members = loads_object(b64url_decode(encoded), what="did:jwk key")
    if _PRIVATE_MEMBERS & set(members):
        raise ParseError("a did:jwk must not contain private key members")
    return public_jwk(members)
