"""Strict compact JWS (RFC 7515 §7.1): sign, parse, check the header, verify."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import pytest

from wallet.errors import (
    AlgorithmError,
    HeaderError,
    InvalidSignatureError,
    ParseError,
    PayloadTooLargeError,
    WalletError,
)
from wallet.jose import (
    MAX_TOKEN_CHARS,
    SigningKey,
    b64url_decode,
    b64url_encode,
    check_header,
    generate_signing_key,
    parse_compact,
    peek_header,
    public_jwk,
    sign_compact,
    verify_signature,
)
from wallet.jose.jws import MAX_HEADER_CHARS, MAX_KID_CHARS

TYP = "vc+jwt"
ALGS = frozenset({"EdDSA", "ES256"})
PAYLOAD = {"iss": "https://issuer.test", "sub": "did:example:learner", "n": "Rīga"}


@pytest.fixture(scope="module", params=["EdDSA", "ES256"])
def key(request: pytest.FixtureRequest) -> SigningKey:
    return generate_signing_key(request.param)


def _segment(value: Any) -> str:
    raw = value if isinstance(value, bytes) else json.dumps(value, separators=(",", ":")).encode()
    return b64url_encode(raw)


def _forge(header: Any, payload: Any, signature: bytes = b"") -> str:
    return f"{_segment(header)}.{_segment(payload)}.{b64url_encode(signature)}"


def _resign(header: dict[str, Any], payload: dict[str, Any], key: SigningKey) -> str:
    """A token signed by ``key`` over exactly this header (no alg rewriting)."""
    signing_input = f"{_segment(header)}.{_segment(payload)}"
    return f"{signing_input}.{b64url_encode(key.sign(signing_input.encode()))}"


def _verify(token: str, key: SigningKey, *, typ: str = TYP) -> dict[str, Any]:
    parsed = parse_compact(token)
    check_header(parsed.header, typ={typ}, algorithms=ALGS)
    verify_signature(parsed, key.public)
    return dict(parsed.payload)


def _good(key: SigningKey) -> str:
    return sign_compact({"typ": TYP, "kid": "k1"}, PAYLOAD, key)


def test_round_trip(key: SigningKey) -> None:
    token = _good(key)
    assert _verify(token, key) == PAYLOAD
    assert peek_header(token) == {"typ": TYP, "kid": "k1", "alg": key.alg}


def test_round_trip_through_published_jwk(key: SigningKey) -> None:
    """The verifier side rebuilds the key from its published JWK, as trust.py will."""
    published = public_jwk(key.public.to_dict(kid="k1"))
    parsed = parse_compact(_good(key))
    verify_signature(parsed, published)


def test_sign_compact_overrides_alg_in_header(key: SigningKey) -> None:
    token = sign_compact({"typ": TYP, "kid": "k1", "alg": "none"}, PAYLOAD, key)
    assert peek_header(token)["alg"] == key.alg


def test_other_key_refused(key: SigningKey) -> None:
    other = generate_signing_key(key.alg)
    with pytest.raises(InvalidSignatureError):
        _verify(_good(key), other)


@pytest.mark.parametrize("position", [0, 1, 2])
def test_tampered_segment_refused(key: SigningKey, position: int) -> None:
    parts = _good(key).split(".")
    if position == 2:
        signature = bytearray(b64url_decode(parts[2]))
        signature[0] ^= 1
        parts[2] = b64url_encode(bytes(signature))
    else:
        decoded = json.loads(b64url_decode(parts[position]))
        decoded["kid" if position == 0 else "sub"] = "x"
        parts[position] = _segment(decoded)
    with pytest.raises(InvalidSignatureError):
        _verify(".".join(parts), key)


@pytest.mark.parametrize(
    "alg",
    [pytest.param(spelling, id=spelling) for spelling in ("none", "None", "NONE", "nOnE", "NoNe")],
)
@pytest.mark.parametrize(
    "keep_signature", [pytest.param(False, id="empty-sig"), pytest.param(True, id="kept-sig")]
)
def test_alg_none_in_all_spellings_refused(key: SigningKey, alg: str, keep_signature: bool) -> None:
    signature = b64url_decode(_good(key).split(".")[2]) if keep_signature else b""
    token = _forge({"alg": alg, "typ": TYP, "kid": "k1"}, PAYLOAD, signature)
    parsed = parse_compact(token)
    with pytest.raises(AlgorithmError):
        check_header(parsed.header, typ={TYP}, algorithms=ALGS | {alg})
    with pytest.raises(AlgorithmError):
        verify_signature(parsed, key.public)


def test_missing_alg_refused() -> None:
    with pytest.raises(AlgorithmError):
        check_header({"typ": TYP, "kid": "k1"}, typ={TYP}, algorithms=ALGS)


@pytest.mark.parametrize(
    "alg", [pytest.param(value, id=repr(value)) for value in (["EdDSA"], 1, None, "")]
)
def test_non_string_alg_refused(alg: Any) -> None:
    with pytest.raises(AlgorithmError):
        check_header({"alg": alg, "typ": TYP, "kid": "k1"}, typ={TYP}, algorithms=ALGS)


def _public_key_encodings(key: SigningKey) -> dict[str, bytes]:
    from cryptography.hazmat.primitives import serialization

    public = key.private.public_key()
    pem = public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    if key.alg == "EdDSA":
        raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    else:
        raw = public.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
    jwk = key.public.to_dict()
    return {
        "spki-pem": pem,
        "spki-pem-no-newline": pem.rstrip(b"\n"),
        "raw": raw,
        "jwk-json": json.dumps(jwk).encode(),
        "jwk-x": jwk["x"].encode(),
        "empty": b"",
    }


@pytest.mark.parametrize(
    "encoding", ["spki-pem", "spki-pem-no-newline", "raw", "jwk-json", "jwk-x", "empty"]
)
@pytest.mark.parametrize("alg", ["HS256", "HS384", "HS512", "hs256"])
def test_hmac_keyed_with_public_key_refused(key: SigningKey, encoding: str, alg: str) -> None:
    """RFC 8725 §3.1; CVE-2017-11424, CVE-2022-29217, CVE-2024-37568: forge with stdlib hmac."""
    secret = _public_key_encodings(key)[encoding]
    digest = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}[
        alg.upper()
    ]
    signing_input = f"{_segment({'alg': alg, 'typ': TYP, 'kid': 'k1'})}.{_segment(PAYLOAD)}"
    mac = hmac.new(secret, signing_input.encode(), digest).digest()
    token = f"{signing_input}.{b64url_encode(mac)}"
    parsed = parse_compact(token)
    # Even a caller that wrongly lists the HMAC algorithm does not get it.
    with pytest.raises(AlgorithmError):
        check_header(parsed.header, typ={TYP}, algorithms=ALGS | {alg})
    with pytest.raises(AlgorithmError):
        verify_signature(parsed, key.public)


def test_alg_swap_refused() -> None:
    """A token signed with EdDSA but labelled ES256 (and the reverse) never verifies."""
    eddsa, es256 = generate_signing_key("EdDSA"), generate_signing_key("ES256")
    for signer, claimed, verifier in ((eddsa, "ES256", es256), (es256, "EdDSA", eddsa)):
        token = _resign({"alg": claimed, "typ": TYP, "kid": "k1"}, PAYLOAD, signer)
        parsed = parse_compact(token)
        check_header(parsed.header, typ={TYP}, algorithms=ALGS)
        with pytest.raises(InvalidSignatureError):
            verify_signature(parsed, verifier.public)
        with pytest.raises(AlgorithmError):
            verify_signature(parsed, signer.public)


@pytest.mark.parametrize("alg", ["Ed448", "ES512", "RS256", "PS256", "ES256K", "EdDSA "])
def test_algorithm_outside_allow_list_refused(alg: str) -> None:
    with pytest.raises(AlgorithmError):
        check_header({"alg": alg, "typ": TYP, "kid": "k1"}, typ={TYP}, algorithms=ALGS)


@pytest.mark.parametrize(
    "typ",
    [
        pytest.param("kb+jwt", id="kb-jwt"),
        pytest.param("statuslist+jwt", id="status-list"),
        pytest.param("JWT", id="jwt"),
        pytest.param("VC+JWT", id="case-changed"),
        pytest.param("application/vc+jwt", id="media-type-prefix"),
        pytest.param("", id="empty"),
        pytest.param(None, id="null"),
        pytest.param(["vc+jwt"], id="array"),
        pytest.param({"v": "vc+jwt"}, id="object"),
    ],
)
def test_wrong_typ_refused(typ: Any) -> None:
    header = {"alg": "EdDSA", "typ": typ, "kid": "k1"}
    with pytest.raises(HeaderError):
        check_header(header, typ=frozenset({TYP}), algorithms=ALGS)


def test_missing_typ_refused() -> None:
    with pytest.raises(HeaderError):
        check_header({"alg": "EdDSA", "kid": "k1"}, typ={TYP}, algorithms=ALGS)


def test_missing_kid_refused_unless_optional() -> None:
    header = {"alg": "EdDSA", "typ": TYP}
    with pytest.raises(HeaderError):
        check_header(header, typ={TYP}, algorithms=ALGS)
    check_header(header, typ={TYP}, algorithms=ALGS, require_kid=False)
    with pytest.raises(HeaderError):
        check_header(dict(header, kid=""), typ={TYP}, algorithms=ALGS, require_kid=False)


@pytest.mark.parametrize(
    "kid",
    [
        pytest.param("k1", id="simple"),
        pytest.param("did:web:wallet.test:issuers:rtu#key-1", id="did-url"),
        pytest.param("did:web:localhost%3A8443:issuers:x#k", id="did-web-port"),
        pytest.param("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs", id="thumbprint"),
        pytest.param("bilbo.baggins@hobbiton.example", id="rfc7520"),
        pytest.param("k" * MAX_KID_CHARS, id="max-length"),
    ],
)
def test_kid_accepted(kid: str) -> None:
    check_header({"alg": "EdDSA", "typ": TYP, "kid": kid}, typ={TYP}, algorithms=ALGS)


@pytest.mark.parametrize(
    "crit",
    [
        pytest.param(["exp"], id="unknown"),
        pytest.param(["b64"], id="b64"),
        pytest.param([], id="empty"),
    ],
)
def test_crit_refused(crit: list[str]) -> None:
    header = {"alg": "EdDSA", "typ": TYP, "kid": "k1", "crit": crit, "b64": False, "exp": 1}
    with pytest.raises(HeaderError):
        check_header(header, typ={TYP}, algorithms=ALGS)


@pytest.mark.parametrize(
    ("member", "value"),
    [
        pytest.param("jku", "https://attacker.test/jwks.json", id="jku"),
        pytest.param("x5u", "https://attacker.test/cert.pem", id="x5u"),
        pytest.param(
            "jwk",
            {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},
            id="jwk",
        ),
        pytest.param("x5c", ["MIIB"], id="x5c"),
        pytest.param("x5t", "AAAA", id="x5t"),
        pytest.param("x5t#S256", "AAAA", id="x5t-s256"),
    ],
)
def test_key_locating_members_refused(member: str, value: Any) -> None:
    header = {"alg": "EdDSA", "typ": TYP, "kid": "k1", member: value}
    with pytest.raises(HeaderError):
        check_header(header, typ={TYP}, algorithms=ALGS)


def test_header_too_large_refused(key: SigningKey) -> None:
    token = sign_compact({"typ": TYP, "kid": "k1", "pad": "x" * MAX_HEADER_CHARS}, PAYLOAD, key)
    with pytest.raises(PayloadTooLargeError):
        parse_compact(token)
    with pytest.raises(PayloadTooLargeError):
        peek_header(token)


def test_token_too_large_refused(key: SigningKey) -> None:
    token = sign_compact({"typ": TYP, "kid": "k1"}, {"pad": "x" * MAX_TOKEN_CHARS}, key)
    with pytest.raises(PayloadTooLargeError):
        parse_compact(token)


def test_token_at_the_limit_parses(key: SigningKey) -> None:
    small = sign_compact({"typ": TYP, "kid": "k1"}, {"pad": ""}, key)
    # Grow the payload until the token is as long as allowed, but not longer.
    pad = (MAX_TOKEN_CHARS - len(small)) * 3 // 4
    token = sign_compact({"typ": TYP, "kid": "k1"}, {"pad": "x" * pad}, key)
    assert len(token) <= MAX_TOKEN_CHARS
    assert _verify(token, key)["pad"] == "x" * pad


@pytest.mark.parametrize(
    "shape",
    [
        pytest.param("two", id="two-segments"),
        pytest.param("four", id="four-segments"),
        pytest.param("five", id="five-segments-jwe-shape"),
        pytest.param("json", id="json-serialization"),
        pytest.param("empty", id="empty-string"),
    ],
)
def test_wrong_shape_refused(key: SigningKey, shape: str) -> None:
    header, payload, signature = _good(key).split(".")
    token = {
        "two": f"{header}.{payload}",
        "four": f"{header}.{payload}.{signature}.",
        "five": f"{header}.{payload}.{signature}.{signature}.{signature}",
        "json": json.dumps({"protected": header, "payload": payload, "signature": signature}),
        "empty": "",
    }[shape]
    with pytest.raises(ParseError):
        parse_compact(token)


def test_non_string_token_refused() -> None:
    with pytest.raises(ParseError):
        parse_compact(b"a.b.c")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "mutation",
    [
        pytest.param(lambda s: s + "=", id="one-pad"),
        pytest.param(lambda s: s + "==", id="two-pads"),
        pytest.param(lambda s: s.replace("-", "+").replace("_", "/"), id="standard-alphabet"),
        pytest.param(lambda s: s[:10] + "\n" + s[10:], id="newline"),
        pytest.param(lambda s: s + " ", id="trailing-space"),
    ],
)
def test_signature_encoding_variants_refused(key: SigningKey, mutation: Any) -> None:
    header, payload, signature = _good(key).split(".")
    mutated = mutation(signature)
    if mutated == signature:  # the alphabet swap changes nothing when neither char occurs
        mutated = signature + "="
    with pytest.raises(ParseError):
        parse_compact(f"{header}.{payload}.{mutated}")


def test_signature_trailing_bits_refused(key: SigningKey) -> None:
    header, payload, signature = _good(key).split(".")
    # A 64-byte signature encodes to 86 chars with 4 unused low bits in the last one.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    last = alphabet.index(signature[-1])
    assert last % 16 == 0
    variant = signature[:-1] + alphabet[last + 1]
    with pytest.raises(ParseError):
        parse_compact(f"{header}.{payload}.{variant}")


@pytest.mark.parametrize(
    ("header", "payload"),
    [
        pytest.param(b'"alg"', PAYLOAD, id="header-is-string"),
        pytest.param({"alg": "EdDSA", "typ": TYP, "kid": "k1"}, b"[1,2]", id="payload-is-array"),
        pytest.param(
            {"alg": "EdDSA", "typ": TYP, "kid": "k1"}, b"\xef\xbb\xbf{}", id="payload-bom"
        ),
        pytest.param(
            {"alg": "EdDSA", "typ": TYP, "kid": "k1"}, b'{"a":"\xff"}', id="payload-bad-utf8"
        ),
        pytest.param(
            b'{"alg":"EdDSA","alg":"EdDSA","typ":"vc+jwt","kid":"k1"}', PAYLOAD, id="duplicate-alg"
        ),
        pytest.param(
            {"alg": "EdDSA", "typ": TYP, "kid": "k1"}, b'{"iss":"a","iss":"b"}', id="duplicate-iss"
        ),
        pytest.param(
            {"alg": "EdDSA", "typ": TYP, "kid": "k1"}, b'{"exp":1e400}', id="exp-overflow"
        ),
    ],
)
def test_bad_json_segments_refused(key: SigningKey, header: Any, payload: Any) -> None:
    token = _resign_bytes(header, payload, key)
    with pytest.raises(ParseError):
        parse_compact(token)


def _resign_bytes(header: Any, payload: Any, key: SigningKey) -> str:
    signing_input = f"{_segment(header)}.{_segment(payload)}"
    return f"{signing_input}.{b64url_encode(key.sign(signing_input.encode()))}"


def test_errors_are_wallet_errors(key: SigningKey) -> None:
    """Every refusal above is a WalletError, so only wallet/verifier.py needs to catch them."""
    for bad in ("", "a.b.c", "..", _good(key) + "x"):
        with pytest.raises(WalletError):
            _verify(bad, key)
