"""JSON Web Keys (RFC 7517, RFC 8037) to and from key objects, and RFC 7638 thumbprints.

Each key is bound to exactly one JWS algorithm (RFC 8725 §3.1): a :class:`JWK` carries its
``alg`` and verifies only signatures made with it. Accepted public keys: Ed25519 (EdDSA),
P-256 (ES256), P-384 (ES384), RSA of at least 2048 bits (RS256, PS256). Private members in
a public JWK are refused, and so are Ed25519 points of small order in any encoding
(``reference/security.md`` F1: OpenSSL verifies forgeries against them).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from wallet.errors import (
    AlgorithmError,
    InvalidSignatureError,
    ParseError,
    WeakKeyError,
)
from wallet.jose.b64 import b64url_decode, b64url_encode
from wallet.jose.strictjson import dumps_compact, dumps_sorted, loads_object

PublicKey = Ed25519PublicKey | ec.EllipticCurvePublicKey | rsa.RSAPublicKey

#: Algorithms our own issuers sign with (DESIGN §4).
SIGNING_ALGORITHMS = frozenset({"EdDSA", "ES256"})
#: Algorithms a registered external issuer may use as well (DESIGN §4; OB 3.0 needs RS256).
VERIFYING_ALGORITHMS = frozenset({"EdDSA", "ES256", "ES384", "RS256", "PS256"})
MIN_RSA_BITS = 2048

_EC_CURVES: dict[str, tuple[ec.EllipticCurve, str, int]] = {
    "P-256": (ec.SECP256R1(), "ES256", 32),
    "P-384": (ec.SECP384R1(), "ES384", 48),
}
_EC_HASHES: dict[str, hashes.HashAlgorithm] = {"ES256": hashes.SHA256(), "ES384": hashes.SHA384()}
_PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})

# Edwards25519 (RFC 8032 §5.1): field prime and curve constant d = -121665/121666.
_P = 2**255 - 19
_D = (-121665 * pow(121666, _P - 2, _P)) % _P
_SQRT_M1 = pow(2, (_P - 1) // 4, _P)


def _ed25519_point(encoded: bytes) -> tuple[int, int] | None:
    """Decode an Ed25519 point (RFC 8032 §5.1.3); None when the encoding is not canonical."""
    y = int.from_bytes(encoded, "little") & ((1 << 255) - 1)
    sign = encoded[31] >> 7
    if y >= _P:
        return None
    u = (y * y - 1) % _P
    v = (_D * y * y + 1) % _P
    x = (u * pow(v, 3, _P) * pow(u * pow(v, 7, _P), (_P - 5) // 8, _P)) % _P
    if (v * x * x - u) % _P != 0:
        x = (x * _SQRT_M1) % _P
        if (v * x * x - u) % _P != 0:
            return None
    if x == 0 and sign == 1:
        return None
    if x & 1 != sign:
        x = _P - x
    return x, y


def _has_small_order(point: tuple[int, int]) -> bool:
    """True when [8]P is the neutral element, i.e. P is one of the eight small-order points.

    Three doublings in projective coordinates (X:Y:Z), x = X/Z and y = Y/Z, with the a = -1
    doubling formula of RFC 8032 §5.1.4: no field inversion, so the whole test costs a few
    dozen multiplications instead of six modular exponentiations.
    """
    x, y = point
    z = 1
    for _ in range(3):
        a = x * x % _P
        b = y * y % _P
        c = 2 * z * z % _P
        h = a + b
        e = h - (x + y) * (x + y)
        g = a - b
        f = c + g
        x, y, z = e * f % _P, g * h % _P, f * g % _P
    # The neutral element is (0 : Z : Z) for any Z != 0.
    return x == 0 and y == z


@lru_cache(maxsize=4096)
def _ed25519_problem(raw: bytes) -> str | None:
    """Why an Ed25519 public key is refused, or None; memoised because decoding needs a
    modular square root (one exponentiation, about 0.1 ms) and a holder or issuer presents
    the same key many times."""
    if len(raw) != 32:
        return "an Ed25519 public key is 32 bytes"
    point = _ed25519_point(raw)
    if point is None:
        return "the Ed25519 public key is not a canonical curve point"
    if _has_small_order(point):
        return "the Ed25519 public key has small order"
    return None


def check_ed25519_public_bytes(raw: bytes) -> None:
    """Refuse an Ed25519 public key that is off-curve, non-canonical or of small order.

    A point P has small order exactly when [8]P is the neutral element (0, 1); the eight
    such points, and every non-canonical encoding of them, are refused.

    :raises WeakKeyError: for any of those keys.
    """
    problem = _ed25519_problem(bytes(raw))
    if problem is not None:
        raise WeakKeyError(problem)


def _member(jwk: Mapping[str, Any], name: str) -> bytes:
    value = jwk.get(name)
    if not isinstance(value, str):
        raise ParseError(f"JWK member {name!r} is missing or not a string")
    return b64url_decode(value)


def thumbprint(jwk: Mapping[str, Any]) -> str:
    """RFC 7638 JWK thumbprint (SHA-256, base64url) over the required members."""
    required = {
        "OKP": ("crv", "kty", "x"),
        "EC": ("crv", "kty", "x", "y"),
        "RSA": ("e", "kty", "n"),
    }
    kty = jwk.get("kty")
    if kty not in required:
        raise ParseError("JWK has an unsupported kty")
    missing = [name for name in required[kty] if not isinstance(jwk.get(name), str)]
    if missing:
        raise ParseError(f"JWK members {missing} are missing or not strings")
    canonical = {name: jwk[name] for name in required[kty]}
    digest = hashlib.sha256(dumps_compact(dict(sorted(canonical.items())))).digest()
    return b64url_encode(digest)


@dataclass(frozen=True)
class JWK:
    """A public key bound to one JWS algorithm."""

    alg: str
    key: PublicKey = field(repr=False)
    members: Mapping[str, Any] = field(repr=False)
    _verify: Callable[[bytes, bytes], None] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_verify", _verifier(self.alg, self.key))

    @property
    def thumbprint(self) -> str:
        """RFC 7638 thumbprint of the key."""
        return thumbprint(self.members)

    def to_dict(self, *, kid: str | None = None) -> dict[str, Any]:
        """The public JWK as published (``alg`` and ``use`` added; ``kid`` if given)."""
        result = dict(self.members)
        result["alg"] = self.alg
        result["use"] = "sig"
        if kid is not None:
            result["kid"] = kid
        return result

    def verify(self, signature: bytes, signing_input: bytes) -> None:
        """Verify a JWS signature (RFC 7518 §3) made with this key's algorithm.

        :raises InvalidSignatureError: if it does not verify.
        """
        try:
            self._verify(signature, signing_input)
        except InvalidSignature as exc:
            raise InvalidSignatureError("the signature does not verify") from exc


def _verifier(alg: str, key: PublicKey) -> Callable[[bytes, bytes], None]:
    """The verify function of ``key`` for ``alg``, its parameters built once per key.

    Every call raises :class:`InvalidSignature` when the signature does not verify, and a
    key of the wrong kind for ``alg`` verifies nothing.
    """
    if alg == "EdDSA" and isinstance(key, Ed25519PublicKey):
        return key.verify
    if alg in _EC_HASHES and isinstance(key, ec.EllipticCurvePublicKey):
        size = (key.curve.key_size + 7) // 8
        scheme = ec.ECDSA(_EC_HASHES[alg])
        ec_verify = key.verify

        def verify_ecdsa(signature: bytes, data: bytes) -> None:
            # RFC 7518 §3.4: R and S as fixed-size big-endian octets, concatenated.
            if len(signature) != 2 * size:
                raise InvalidSignature
            r = int.from_bytes(signature[:size], "big")
            s = int.from_bytes(signature[size:], "big")
            ec_verify(encode_dss_signature(r, s), data, scheme)

        return verify_ecdsa
    if alg in ("RS256", "PS256") and isinstance(key, rsa.RSAPublicKey):
        rsa_verify = key.verify
        scheme_rsa: padding.AsymmetricPadding = (
            padding.PKCS1v15()
            if alg == "RS256"
            else padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
        )

        def verify_rsa(signature: bytes, data: bytes) -> None:
            rsa_verify(signature, data, scheme_rsa, hashes.SHA256())

        return verify_rsa

    def refuse(signature: bytes, data: bytes) -> None:
        raise InvalidSignature

    return refuse


def _check_purpose(jwk: Mapping[str, Any]) -> None:
    """Refuse a JWK whose ``use`` or ``key_ops`` says it is not for verifying signatures.

    RFC 7517 §4.2 (``use``: "sig" or "enc") and §4.3 (``key_ops``); a key published for
    encryption must not verify signatures (RFC 8725 §3.1, one purpose per key).
    """
    use = jwk.get("use")
    if use is not None and use != "sig":
        raise AlgorithmError("the JWK is not meant for signatures (use)")
    key_ops = jwk.get("key_ops")
    if key_ops is not None:
        if not isinstance(key_ops, list) or not all(isinstance(op, str) for op in key_ops):
            raise ParseError("JWK key_ops must be an array of strings")
        if "verify" not in key_ops:
            raise AlgorithmError("the JWK is not meant for verifying signatures (key_ops)")


def public_jwk(jwk: Mapping[str, Any], *, alg: str | None = None) -> JWK:
    """Build a verifying key from a public JWK.

    :param alg: the algorithm the key is bound to; when None it comes from the JWK's ``alg``
        member, or from its type where that allows only one (OKP → EdDSA, EC by curve).
    :raises ParseError: when the JWK is malformed or holds private members.
    :raises AlgorithmError: when the algorithm is not allowed or does not fit the key, or
        the key's ``use``/``key_ops`` exclude signature verification.
    :raises WeakKeyError: for small-order Ed25519 points and short RSA keys.
    """
    if not isinstance(jwk, Mapping):
        raise ParseError("a JWK is a JSON object")
    if _PRIVATE_MEMBERS & set(jwk):
        raise ParseError("a public JWK must not contain private key members")
    _check_purpose(jwk)
    declared = jwk.get("alg")
    if declared is not None and alg is not None and declared != alg:
        raise AlgorithmError("the JWK is bound to another algorithm")
    alg = alg or declared
    kty = jwk.get("kty")
    key: PublicKey
    members: dict[str, Any]
    if kty == "OKP":
        if jwk.get("crv") != "Ed25519":
            raise AlgorithmError("only the Ed25519 OKP curve is supported")
        raw = _member(jwk, "x")
        check_ed25519_public_bytes(raw)
        key = Ed25519PublicKey.from_public_bytes(raw)
        members = {"kty": "OKP", "crv": "Ed25519", "x": jwk["x"]}
        expected = "EdDSA"
    elif kty == "EC":
        crv = jwk.get("crv")
        if crv not in _EC_CURVES:
            raise AlgorithmError("unsupported EC curve")
        curve, expected, size = _EC_CURVES[crv]
        x, y = _member(jwk, "x"), _member(jwk, "y")
        if len(x) != size or len(y) != size:
            raise ParseError("EC coordinates have the wrong length")
        try:
            key = ec.EllipticCurvePublicNumbers(
                int.from_bytes(x, "big"), int.from_bytes(y, "big"), curve
            ).public_key()
        except ValueError as exc:
            raise WeakKeyError("the EC point is not on the curve") from exc
        members = {"kty": "EC", "crv": crv, "x": jwk["x"], "y": jwk["y"]}
    elif kty == "RSA":
        n, e = _member(jwk, "n"), _member(jwk, "e")
        try:
            numbers = rsa.RSAPublicNumbers(int.from_bytes(e, "big"), int.from_bytes(n, "big"))
            key = numbers.public_key()
        except ValueError as exc:
            raise ParseError("the RSA key is malformed") from exc
        if key.key_size < MIN_RSA_BITS:
            raise WeakKeyError(f"RSA keys need at least {MIN_RSA_BITS} bits")
        members = {"kty": "RSA", "n": jwk["n"], "e": jwk["e"]}
        expected = alg if alg in ("RS256", "PS256") else "RS256"
    else:
        raise ParseError("JWK has an unsupported kty")
    if alg is None:
        alg = expected
    if alg != expected or alg not in VERIFYING_ALGORITHMS:
        raise AlgorithmError(f"algorithm {alg!r} does not fit this key")
    return JWK(alg=alg, key=key, members=members)


def public_key_jwk(key: PublicKey, *, alg: str | None = None) -> JWK:
    """Wrap a key object from cryptography as a :class:`JWK` (same checks as a JWK import)."""
    if isinstance(key, Ed25519PublicKey):
        from cryptography.hazmat.primitives import serialization

        raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return public_jwk({"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(raw)}, alg=alg)
    if isinstance(key, ec.EllipticCurvePublicKey):
        numbers = key.public_numbers()
        size = (key.curve.key_size + 7) // 8
        crv = {"secp256r1": "P-256", "secp384r1": "P-384"}.get(key.curve.name)
        if crv is None:
            raise AlgorithmError("unsupported EC curve")
        return public_jwk(
            {
                "kty": "EC",
                "crv": crv,
                "x": b64url_encode(numbers.x.to_bytes(size, "big")),
                "y": b64url_encode(numbers.y.to_bytes(size, "big")),
            },
            alg=alg,
        )
    numbers_rsa = key.public_numbers()
    return public_jwk(
        {
            "kty": "RSA",
            "n": b64url_encode(_unsigned_bytes(numbers_rsa.n)),
            "e": b64url_encode(_unsigned_bytes(numbers_rsa.e)),
        },
        alg=alg,
    )


def _unsigned_bytes(value: int) -> bytes:
    """Big-endian bytes of a positive integer without leading zeros (RFC 7518 §2, Base64urlUInt)."""
    return value.to_bytes((value.bit_length() + 7) // 8, "big")


def raw_signature_from_der(der: bytes, size: int) -> bytes:
    """Convert an ECDSA DER signature to the JWS r‖s form (RFC 7518 §3.4)."""
    r, s = decode_dss_signature(der)
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")


@lru_cache(maxsize=4096)
def _public_jwk_of(canonical: bytes, alg: str | None) -> JWK:
    return public_jwk(loads_object(canonical, what="JWK"), alg=alg)


def cached_public_jwk(jwk: Mapping[str, Any], *, alg: str | None = None) -> JWK:
    """:func:`public_jwk` for keys that come back again and again (a holder's ``cnf`` key in
    every presentation): the checked key is kept per process, keyed by its canonical JSON,
    so building it (a curve point from its coordinates, about 20 µs) happens once. Refused
    keys are not kept: they raise again each time.

    :raises: as :func:`public_jwk`.
    """
    if not isinstance(jwk, Mapping):
        raise ParseError("a JWK is a JSON object")
    try:
        canonical = dumps_sorted(jwk)
    except (TypeError, ValueError) as exc:
        raise ParseError("a JWK is a JSON object") from exc
    return _public_jwk_of(canonical, alg)
