"""JWK import (RFC 7517, RFC 8037), thumbprints (RFC 7638) and the small-order key check."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from wallet.errors import AlgorithmError, InvalidSignatureError, ParseError, WeakKeyError
from wallet.jose import (
    b64url_decode,
    b64url_encode,
    check_ed25519_public_bytes,
    generate_signing_key,
    public_jwk,
    thumbprint,
)

# RFC 7638 §3.1: the example RSA JWK and its SHA-256 thumbprint.
RFC7638_JWK = {
    "kty": "RSA",
    "n": (
        "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECP"
        "ebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY"
        "368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0f"
        "M4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
    ),
    "e": "AQAB",
    "alg": "RS256",
    "kid": "2011-04-29",
}
RFC7638_THUMBPRINT = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
# RFC 8037 Appendix A.2/A.3: the example Ed25519 public key (also RFC 8032 §7.1 TEST 1) and
# its thumbprint.
RFC8037_JWK = {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
RFC8037_THUMBPRINT = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"


# --- thumbprints -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("jwk", "expected"),
    [
        pytest.param(RFC7638_JWK, RFC7638_THUMBPRINT, id="rfc7638-3.1-rsa"),
        pytest.param(RFC8037_JWK, RFC8037_THUMBPRINT, id="rfc8037-a.3-okp"),
    ],
)
def test_thumbprint_rfc_examples(jwk: dict[str, str], expected: str) -> None:
    assert thumbprint(jwk) == expected
    assert public_jwk(jwk).thumbprint == expected


def test_thumbprint_ignores_optional_members() -> None:
    extended = dict(RFC8037_JWK, kid="k1", alg="EdDSA", use="sig")
    assert thumbprint(extended) == RFC8037_THUMBPRINT


@pytest.mark.parametrize(
    "jwk",
    [
        pytest.param({"kty": "OKP", "crv": "Ed25519"}, id="okp-no-x"),
        pytest.param({"kty": "EC", "crv": "P-256", "x": "AA"}, id="ec-no-y"),
        pytest.param({"kty": "RSA", "n": 5, "e": "AQAB"}, id="rsa-n-not-string"),
        pytest.param({"kty": "oct", "k": "AA"}, id="oct"),
        pytest.param({"crv": "Ed25519", "x": "AA"}, id="no-kty"),
    ],
)
def test_thumbprint_of_malformed_jwk_is_parse_error(jwk: dict[str, Any]) -> None:
    with pytest.raises(ParseError):
        thumbprint(jwk)


# --- import checks -----------------------------------------------------------------------


def _ec_jwk() -> dict[str, Any]:
    return dict(generate_signing_key("ES256").public.to_dict())


def _rsa_jwk(bits: int) -> dict[str, str]:
    numbers = (
        rsa.generate_private_key(public_exponent=65537, key_size=bits).public_key().public_numbers()
    )
    return {
        "kty": "RSA",
        "n": b64url_encode(numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")),
        "e": b64url_encode(numbers.e.to_bytes(3, "big")),
    }


@pytest.mark.parametrize(
    ("base", "member"),
    [
        pytest.param(RFC8037_JWK, "d", id="okp-d"),
        pytest.param({"kty": "EC", "crv": "P-256"}, "d", id="ec-d"),
        pytest.param(RFC7638_JWK, "d", id="rsa-d"),
        pytest.param(RFC7638_JWK, "p", id="rsa-p"),
        pytest.param(RFC7638_JWK, "q", id="rsa-q"),
        pytest.param(RFC7638_JWK, "dp", id="rsa-dp"),
        pytest.param(RFC7638_JWK, "dq", id="rsa-dq"),
        pytest.param(RFC7638_JWK, "qi", id="rsa-qi"),
        pytest.param(RFC7638_JWK, "oth", id="rsa-oth"),
        pytest.param({"kty": "oct"}, "k", id="oct-k"),
    ],
)
def test_private_members_refused(base: dict[str, Any], member: str) -> None:
    with pytest.raises(ParseError):
        public_jwk(dict(base, **{member: "AQAB"}))


def test_ec_point_off_curve_refused() -> None:
    jwk = _ec_jwk()
    # (x, y+1) is not on P-256 when (x, y) is.
    y = int.from_bytes(b64url_decode(jwk["y"]), "big")
    jwk["y"] = b64url_encode(((y + 1) % (2**256)).to_bytes(32, "big"))
    with pytest.raises(WeakKeyError):
        public_jwk(jwk)


def test_ec_point_one_one_refused() -> None:
    one = b64url_encode((1).to_bytes(32, "big"))
    with pytest.raises(WeakKeyError):
        public_jwk({"kty": "EC", "crv": "P-256", "x": one, "y": one})


@pytest.mark.parametrize(
    ("mutate", "error"),
    [
        pytest.param({"x": b64url_encode(b"\x01" * 31)}, ParseError, id="short-x"),
        pytest.param({"y": b64url_encode(b"\x01" * 33)}, ParseError, id="long-y"),
        pytest.param({"x": "AA=="}, ParseError, id="padded-x"),
        pytest.param({"crv": "P-521"}, AlgorithmError, id="p521"),
        pytest.param({"crv": "secp256k1"}, AlgorithmError, id="secp256k1"),
    ],
)
def test_ec_malformed(mutate: dict[str, str], error: type[Exception]) -> None:
    with pytest.raises(error):
        public_jwk(dict(_ec_jwk(), **mutate))


@pytest.mark.parametrize("bits", [pytest.param(1024, id="1024"), pytest.param(2040, id="2040")])
def test_rsa_below_2048_bits_refused(bits: int) -> None:
    with pytest.raises(WeakKeyError):
        public_jwk(_rsa_jwk(bits), alg="RS256")


def test_rsa_2048_accepted_with_both_algorithms() -> None:
    assert public_jwk(RFC7638_JWK).alg == "RS256"
    unbound = {key: value for key, value in RFC7638_JWK.items() if key != "alg"}
    assert public_jwk(unbound, alg="PS256").alg == "PS256"


@pytest.mark.parametrize(
    ("jwk", "alg"),
    [
        pytest.param(dict(RFC8037_JWK, alg="EdDSA"), "ES256", id="jwk-eddsa-asked-es256"),
        pytest.param(RFC8037_JWK, "ES256", id="okp-as-es256"),
        pytest.param(RFC8037_JWK, "HS256", id="okp-as-hs256"),
        pytest.param(RFC7638_JWK, "PS256", id="jwk-rs256-asked-ps256"),
        pytest.param(
            {k: v for k, v in RFC7638_JWK.items() if k != "alg"}, "RS384", id="rsa-as-rs384"
        ),
        pytest.param(
            {k: v for k, v in RFC7638_JWK.items() if k != "alg"}, "ES256", id="rsa-as-es256"
        ),
        pytest.param(dict(RFC7638_JWK, alg="HS256"), None, id="rsa-declares-hs256"),
        pytest.param(dict(RFC8037_JWK, alg="none"), None, id="okp-declares-none"),
    ],
)
def test_alg_binding_mismatch_refused(jwk: dict[str, Any], alg: str | None) -> None:
    with pytest.raises(AlgorithmError):
        public_jwk(jwk, alg=alg)


def test_ec_alg_binding_mismatch_refused() -> None:
    with pytest.raises(AlgorithmError):
        public_jwk(_ec_jwk(), alg="ES384")
    with pytest.raises(AlgorithmError):
        public_jwk(_ec_jwk(), alg="EdDSA")


def test_key_verifies_only_its_own_algorithm() -> None:
    eddsa, es256 = generate_signing_key("EdDSA"), generate_signing_key("ES256")
    message = b"header.payload"
    es256.public.verify(es256.sign(message), message)
    with pytest.raises(InvalidSignatureError):
        eddsa.public.verify(es256.sign(message), message)
    with pytest.raises(InvalidSignatureError):
        es256.public.verify(eddsa.sign(message), message)


@pytest.mark.parametrize(
    ("extra", "error"),
    [
        pytest.param({"use": "enc"}, AlgorithmError, id="use-enc"),
        pytest.param({"use": "SIG"}, AlgorithmError, id="use-uppercase"),
        pytest.param({"key_ops": ["encrypt"]}, AlgorithmError, id="key-ops-encrypt"),
        pytest.param({"key_ops": ["sign"]}, AlgorithmError, id="key-ops-sign-only"),
        pytest.param({"key_ops": "verify"}, ParseError, id="key-ops-not-array"),
    ],
)
def test_key_purpose_refused(extra: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        public_jwk(dict(RFC8037_JWK, **extra))


def test_key_purpose_accepted() -> None:
    assert public_jwk(dict(RFC8037_JWK, use="sig", key_ops=["verify"])).alg == "EdDSA"


@pytest.mark.parametrize(
    "jwk",
    [
        pytest.param({"kty": "oct", "alg": "HS256"}, id="oct"),
        pytest.param({"crv": "Ed25519", "x": RFC8037_JWK["x"]}, id="no-kty"),
        pytest.param({"kty": "OKP", "crv": "Ed25519", "x": 7}, id="x-not-string"),
        pytest.param(["kty", "OKP"], id="not-an-object"),
    ],
)
def test_malformed_jwk_refused(jwk: Any) -> None:
    with pytest.raises(ParseError):
        public_jwk(jwk)


def test_okp_other_curve_refused() -> None:
    with pytest.raises(AlgorithmError):
        public_jwk({"kty": "OKP", "crv": "Ed448", "x": b64url_encode(b"\x01" * 57)})


# --- Ed25519 small-order points (reference/security.md F1) ---------------------------------
#
# The points are computed here from the curve equation (RFC 8032 §5.1), independently of the
# code under test: -x^2 + y^2 = 1 + d x^2 y^2 over GF(p), p = 2^255 - 19.

P = 2**255 - 19
D = (-121665 * pow(121666, -1, P)) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)
IDENTITY = (0, 1)


def _sqrt(a: int) -> int | None:
    """A square root mod p (p = 5 mod 8, Atkin's method), or None for a non-residue."""
    root = pow(a, (P + 3) // 8, P)
    if root * root % P != a % P:
        root = root * SQRT_M1 % P
    return root if root * root % P == a % P else None


def _on_curve(point: tuple[int, int]) -> bool:
    x, y = point
    return (-x * x + y * y - 1 - D * x * x * y * y) % P == 0


def _add(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
    (x1, y1), (x2, y2) = a, b
    t = D * x1 * x2 * y1 * y2
    return (
        (x1 * y2 + y1 * x2) * pow(1 + t, -1, P) % P,
        (y1 * y2 + x1 * x2) * pow(1 - t, -1, P) % P,
    )


def _order(point: tuple[int, int]) -> int:
    current, n = point, 1
    while current != IDENTITY:
        current, n = _add(current, point), n + 1
        assert n <= 8, "not a small-order point"
    return n


def _small_order_points() -> list[tuple[int, int]]:
    points = [(0, 1), (0, P - 1), (SQRT_M1, 0), (P - SQRT_M1, 0)]
    # Order 8: 2P = (±sqrt(-1), 0) forces x^2 = -y^2; on the curve that gives
    # d y^4 + 2 y^2 - 1 = 0, so y^2 = (-1 ± sqrt(1 + d)) / d.
    s = _sqrt(1 + D)
    assert s is not None
    for y2 in ((-1 + s) * pow(D, -1, P) % P, (-1 - s) * pow(D, -1, P) % P):
        y = _sqrt(y2)
        x = _sqrt(-y2 % P)
        if y is None or x is None:
            continue
        points += [(x, y), (P - x, y), (x, P - y), (P - x, P - y)]
    return points


def _encode(y: int, sign: int) -> bytes:
    return (y | (sign << 255)).to_bytes(32, "little")


SMALL_ORDER = _small_order_points()
CANONICAL = {_encode(y, x & 1): point for point in SMALL_ORDER for x, y in [point]}
# The eight canonical encodings as listed by Chalkias, Garillot and Nikolaenko, "Taming the
# many EdDSAs" (2020), and in libsodium's blocklist; an independent cross-check of the maths.
PUBLISHED = {
    bytes.fromhex("0100000000000000000000000000000000000000000000000000000000000000"),
    bytes.fromhex("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
    bytes.fromhex("0000000000000000000000000000000000000000000000000000000000000000"),
    bytes.fromhex("0000000000000000000000000000000000000000000000000000000000000080"),
    bytes.fromhex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"),
    bytes.fromhex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85"),
    bytes.fromhex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"),
    bytes.fromhex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa"),
}
# Non-canonical encodings of the same points: y + p where that still fits in 255 bits
# (y = 0 and y = 1), with either sign bit; and x = 0 with the sign bit set (RFC 8032 §5.1.3
# step 4 says decoding fails, lax decoders accept them).
NON_CANONICAL = {
    "y=p(0)-sign0": _encode(P + 0, 0),
    "y=p(0)-sign1": _encode(P + 0, 1),
    "y=p+1(1)-sign0": _encode(P + 1, 0),
    "y=p+1(1)-sign1": _encode(P + 1, 1),
    "identity-x0-sign1": _encode(1, 1),
    "order2-x0-sign1": _encode(P - 1, 1),
}


def test_small_order_points_are_eight_and_correct() -> None:
    assert len(set(SMALL_ORDER)) == 8
    assert all(_on_curve(point) for point in SMALL_ORDER)
    assert sorted(_order(point) for point in SMALL_ORDER) == [1, 2, 4, 4, 8, 8, 8, 8]
    assert set(CANONICAL) == PUBLISHED


@pytest.mark.parametrize(
    "encoded",
    [
        pytest.param(enc, id=f"order{_order(pt)}-{enc.hex()[:8]}")
        for enc, pt in sorted(CANONICAL.items())
    ],
)
def test_small_order_canonical_refused(encoded: bytes) -> None:
    with pytest.raises(WeakKeyError):
        check_ed25519_public_bytes(encoded)
    with pytest.raises(WeakKeyError):
        public_jwk({"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(encoded)})


@pytest.mark.parametrize(
    "encoded", [pytest.param(enc, id=name) for name, enc in NON_CANONICAL.items()]
)
def test_small_order_non_canonical_refused(encoded: bytes) -> None:
    with pytest.raises(WeakKeyError):
        check_ed25519_public_bytes(encoded)
    with pytest.raises(WeakKeyError):
        public_jwk({"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(encoded)})


@pytest.mark.parametrize(
    "encoded",
    [
        pytest.param(_encode(2, 0), id="y2-not-on-curve"),
        pytest.param(b"\x01" * 31, id="31-bytes"),
        pytest.param(b"\x01" * 33, id="33-bytes"),
    ],
)
def test_ed25519_malformed_refused(encoded: bytes) -> None:
    # y = 2 gives x^2 = 3 / (4d + 1); the test checks that this is a non-residue first.
    if len(encoded) == 32:
        assert _sqrt(3 * pow(4 * D + 1, -1, P) % P) is None
    with pytest.raises(WeakKeyError):
        check_ed25519_public_bytes(encoded)


def test_honest_ed25519_key_accepted() -> None:
    check_ed25519_public_bytes(
        bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
    )
    for _ in range(4):
        raw = generate_signing_key("EdDSA").public.to_dict()["x"]
        assert public_jwk({"kty": "OKP", "crv": "Ed25519", "x": raw}).alg == "EdDSA"


def test_cached_public_jwk_reuses_a_checked_key_and_never_keeps_a_refused_one():
    from wallet.jose import cached_public_jwk, generate_signing_key

    members = dict(generate_signing_key("ES256").public.members)
    first = cached_public_jwk(members)
    assert cached_public_jwk(dict(reversed(list(members.items())))) is first  # member order
    small_order = {"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(bytes(32))}
    for _ in range(2):
        with pytest.raises(WeakKeyError):
            cached_public_jwk(small_order)
    with pytest.raises(ParseError):
        cached_public_jwk({**members, "d": "private"})
