"""Names, limits and result types of SD-JWT (RFC 9901) and SD-JWT VC (draft-ietf-oauth-sd-jwt-vc).

Everything here is data: frozen dataclasses and constants. The protocol steps live in
``issue.py``, ``present.py`` and ``verify.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from wallet.jose import JWK

#: The key of the digest array of an object (RFC 9901 §4.2.4.1).
SD = "_sd"
#: The hash algorithm claim, top level only (RFC 9901 §4.1.1).
SD_ALG = "_sd_alg"
#: The key of an array-element digest placeholder ``{"...": digest}`` (RFC 9901 §4.2.4.2).
ELLIPSIS = "..."
#: The hash algorithm when ``_sd_alg`` is absent, and the one we issue with (RFC 9901 §4.1.1).
DEFAULT_SD_ALG = "sha-256"
#: The KB-JWT claim that binds it to the presented SD-JWT (RFC 9901 §4.3.1).
SD_HASH = "sd_hash"
#: The ``typ`` of a Key Binding JWT (RFC 9901 §4.3).
KB_JWT_TYP = "kb+jwt"
#: The ``typ`` we issue SD-JWT VCs with (SD-JWT VC §3.2.1).
SD_JWT_VC_TYP = "dc+sd-jwt"
#: What verifiers accept by default: ``dc+sd-jwt`` and the older ``vc+sd-jwt``.
SD_JWT_VC_TYPES = frozenset({SD_JWT_VC_TYP, "vc+sd-jwt"})
#: Top-level claims that are never selectively disclosable: SD-JWT VC §3.2.2.2 lists ``iss``,
#: ``nbf``, ``exp``, ``cnf``, ``vct``, ``vct#integrity`` and ``status`` (RFC 9901 §9.7 asks the
#: same of validity-controlling claims); ``aka_vcts``, a further type claim of later drafts,
#: is treated like ``vct``. The SD-JWT names themselves are in :data:`RESERVED_NAMES`.
NEVER_DISCLOSABLE = frozenset(
    {"iss", "nbf", "exp", "cnf", "vct", "vct#integrity", "aka_vcts", "status"}
)
#: Claim names a Disclosure may never carry, at any level (RFC 9901 §4.2.1, §4.1.1).
RESERVED_NAMES = frozenset({SD, SD_ALG, ELLIPSIS})

#: Most Disclosures we accept in one SD-JWT (a diploma has a few dozen).
MAX_DISCLOSURES = 256
#: Deepest nesting of objects and arrays we process, counted from the payload.
MAX_DEPTH = 32
#: Fewest random bytes in a salt (RFC 9901 §9.3 recommends 128 bits).
MIN_SALT_BYTES = 16

#: A claim path as in SD-JWT VC Type Metadata (§9.1): object keys, array indices, and None
#: for "every element of this array".
ClaimPath: TypeAlias = tuple[str | int | None, ...]
#: A concrete path in a processed payload: object keys and array indices only.
ConcretePath: TypeAlias = tuple[str | int, ...]


@dataclass(frozen=True)
class IssuedSDJWT:
    """An SD-JWT as issued: the Issuer-signed JWT and every Disclosure (RFC 9901 §4).

    ``serialized`` is ``<jwt>~<d1>~...~<dn>~``, the form handed to the Holder.
    """

    jwt: str
    disclosures: tuple[str, ...]

    @property
    def serialized(self) -> str:
        """The compact serialization ``<jwt>~<d1>~...~<dn>~`` (RFC 9901 §4)."""
        return "".join((self.jwt, "~", *(d + "~" for d in self.disclosures)))


@dataclass(frozen=True)
class KeyBindingPolicy:
    """What a Verifier requires of the Key Binding JWT (RFC 9901 §7.3, §9.5).

    The policy comes from the caller's use case, never from the presentation: with
    ``required`` an SD-JWT without a KB-JWT is refused; without it a KB-JWT is optional but,
    when present, checked in full. ``aud`` and ``nonce`` are this transaction's values.

    :param max_age_seconds: how old ``iat`` may be; None leaves freshness to the nonce.
    :param future_skew_seconds: how far ``iat`` may lie ahead of ``now`` (clock skew).
    :param algorithms: KB-JWT algorithms accepted; ``none`` and ``HS*`` never are.
    """

    aud: str
    nonce: str
    required: bool = True
    max_age_seconds: int | None = 300
    future_skew_seconds: int = 60
    algorithms: frozenset[str] = frozenset({"EdDSA", "ES256"})


@dataclass(frozen=True)
class KeyBinding:
    """A verified Key Binding JWT: its header, its payload and the Holder's key from ``cnf``."""

    header: Mapping[str, Any]
    payload: Mapping[str, Any]
    holder_key: JWK = field(repr=False)


@dataclass(frozen=True)
class VerifiedSDJWT:
    """The result of :func:`wallet.sdjwt.verify_sd_jwt`.

    :param header: the Issuer-signed JWT's protected header.
    :param payload: its payload exactly as signed (digests, ``_sd_alg`` and all).
    :param claims: the Processed SD-JWT Payload (RFC 9901 §7.1): Disclosures substituted,
        ``_sd``, ``_sd_alg`` and undisclosed array elements removed.
    :param disclosed: the path in ``claims`` of every presented Disclosure (array indices
        count the processed array), children listed before their parents.
    :param key_binding: the verified KB-JWT, or None when none was presented.
    """

    header: Mapping[str, Any]
    payload: Mapping[str, Any]
    claims: Mapping[str, Any]
    disclosed: tuple[ConcretePath, ...]
    key_binding: KeyBinding | None
