"""Project Wycheproof vectors run through OUR verify path, not just cryptography's.

Files and provenance: ``tests/vectors/README.md``. The signature files go through
``public_jwk(...)`` and ``JWK.verify``; the JWS file goes through the strict compact path
(``parse_compact_raw``/``parse_compact`` + ``check_header`` + ``public_jwk`` +
``verify_signature``). Decisions on ``acceptable`` vectors and on the JWS file are in the
README and asserted here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from wallet.errors import (
    AlgorithmError,
    InvalidSignatureError,
    ParseError,
    VerificationError,
    WalletError,
    WeakKeyError,
)
from wallet.jose import (
    JWK,
    b64url_encode,
    check_header,
    parse_compact,
    parse_compact_raw,
    public_jwk,
    verify_signature,
)

VECTORS = Path(__file__).resolve().parent.parent / "vectors" / "wycheproof"
#: The algorithms the JWS-file test allows; everything else must be refused (RFC 8725 §3.1).
ALLOWED = frozenset({"EdDSA", "ES256", "ES384", "RS256", "PS256"})
RESULTS = frozenset({"valid", "invalid", "acceptable"})


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((VECTORS / name).read_text(encoding="utf-8"))
    return data


def _cases(name: str) -> list[Any]:
    cases = []
    for group in _load(name)["testGroups"]:
        for test in group["tests"]:
            flags = "+".join(test["flags"]) or "noflag"
            case_id = f"tc{test['tcId']}-{test['result']}-{flags}"
            cases.append(pytest.param(group, test, id=case_id))
    return cases


def _ec_jwk(group: Mapping[str, Any]) -> dict[str, str]:
    """The group's P-256 key as a JWK, built from the raw ``wx``/``wy`` (some groups lack a JWK)."""
    raw = group["publicKey"]

    def coordinate(hex_value: str) -> str:
        # Wycheproof writes coordinates as signed big-endian integers: a leading 00 byte when
        # the top bit is set, fewer bytes when the value is small. JWK wants exactly 32 bytes.
        return b64url_encode(int(hex_value, 16).to_bytes(32, "big"))

    built = {"kty": "EC", "crv": "P-256", "x": coordinate(raw["wx"]), "y": coordinate(raw["wy"])}
    if "publicKeyJwk" in group:
        published = group["publicKeyJwk"]
        assert (published["x"], published["y"]) == (built["x"], built["y"])
    return built


def _check_signature_vector(key_source: Mapping[str, Any], test: Mapping[str, Any]) -> None:
    """Apply the shared decision table (README) for one signature vector."""
    assert test["result"] in RESULTS
    sig, msg = bytes.fromhex(test["sig"]), bytes.fromhex(test["msg"])
    try:
        key: JWK | None = public_jwk(key_source)
    except (WeakKeyError, ParseError):
        # A refused key counts as a refusal of every signature under it; it must never
        # happen for a vector Wycheproof calls valid (its keys are honest ones).
        key = None
    if test["result"] == "valid":
        assert key is not None, "an honest Wycheproof key was refused"
        key.verify(sig, msg)
    elif test["result"] == "invalid":
        if key is not None:
            with pytest.raises(InvalidSignatureError):
                key.verify(sig, msg)
    else:
        # "acceptable": either outcome is allowed, but only through our error tree.
        if key is not None:
            try:
                key.verify(sig, msg)
            except InvalidSignatureError:
                pass


@pytest.mark.parametrize(("group", "test"), _cases("ed25519_test.json"))
def test_ed25519(group: Mapping[str, Any], test: Mapping[str, Any]) -> None:
    jwk = group["publicKeyJwk"]
    # The JWK and the raw key of the group must be the same key.
    assert jwk["x"] == b64url_encode(bytes.fromhex(group["publicKey"]["pk"]))
    _check_signature_vector(jwk, test)


@pytest.mark.parametrize(("group", "test"), _cases("ecdsa_secp256r1_sha256_p1363_test.json"))
def test_ecdsa_p256_p1363(group: Mapping[str, Any], test: Mapping[str, Any]) -> None:
    assert group["sha"] == "SHA-256"
    _check_signature_vector(_ec_jwk(group), test)


@pytest.mark.parametrize(
    "name",
    ["ed25519_test.json", "ecdsa_secp256r1_sha256_p1363_test.json", "json_web_signature_test.json"],
)
def test_vector_file_is_complete(name: str) -> None:
    """The copy is whole: the declared count matches, and every result label is one we handle."""
    data = _load(name)
    tests = [test for group in data["testGroups"] for test in group["tests"]]
    assert len(tests) == data["numberOfTests"]
    assert {test["result"] for test in tests} <= RESULTS


# --- json_web_signature_test.json -----------------------------------------------------------


def _header_alg(token: object) -> str | None:
    """The alg a vector's header claims, or None when the token is not even a compact JWS."""
    try:
        return str(parse_compact_raw(token).header.get("alg"))  # type: ignore[arg-type]
    except WalletError:
        return None


def _strict_raw(token: object, group: Mapping[str, Any]) -> None:
    """Our strict path with the payload left as octets, ending in ``verify_signature``."""
    raw = parse_compact_raw(token)  # type: ignore[arg-type]
    # The vectors carry no typ, and check_header requires one. typ is tested on its own in
    # test_jws.py; here the header check sees a copy with typ "JWT" added when absent, so every
    # other header rule (alg, crit, kid, jwk/jku/x5u) applies unchanged and the typ rule does
    # not mask the algorithm and signature outcomes this file is about.
    header = {"typ": "JWT", **raw.header}
    check_header(header, typ={"JWT"}, algorithms=ALLOWED)
    assert "public" in group, "a vector without a public key got past the header check"
    verify_signature(raw, public_jwk(group["public"]))


def _jws_cases() -> list[Any]:
    cases = []
    for index, group in enumerate(_load("json_web_signature_test.json")["testGroups"]):
        for test in group["tests"]:
            flags = "+".join(test["flags"]) or "noflag"
            case_id = (
                f"tc{test['tcId']}-{group['comment']}-{test['result']}-{flags}-{test['comment']}"
            )
            cases.append(pytest.param(index, group, test, id=case_id))
    return cases


@pytest.mark.parametrize(("index", "group", "test"), _jws_cases())
def test_json_web_signature(index: int, group: Mapping[str, Any], test: Mapping[str, Any]) -> None:
    token = test["jws"]
    alg = _header_alg(token)
    accepted = test["result"] == "valid" and alg in ALLOWED
    if accepted:
        _strict_raw(token, group)
    else:
        # Refused: invalid vectors, and valid ones whose alg we do not allow (none, HS*, RS384,
        # PS384/512, ES512) or that are not compact JWS (JSON serialization, JWE).
        with pytest.raises(WalletError) as caught:
            _strict_raw(token, group)
        assert isinstance(caught.value, ParseError | VerificationError)
        if alg is not None and alg not in ALLOWED:
            assert isinstance(caught.value, AlgorithmError)
        if {"ModifiedSignature", "ModifiedPadding"} & set(test["flags"]) and alg in ALLOWED:
            assert isinstance(caught.value, InvalidSignatureError)
    # The JWT path requires a JSON object payload (RFC 7519 §7.2); no Wycheproof payload is
    # one ("foo", "", binary, RFC 7520's text), so parse_compact refuses them all.
    if isinstance(token, str):
        with pytest.raises(WalletError):
            parse_compact(token)


def test_json_web_signature_exercises_every_allowed_family() -> None:
    """Guard against a vacuous run: valid vectors of every allowed alg in the file verify."""
    verified: set[str] = set()
    for _, group, test in (case.values for case in _jws_cases()):
        alg = _header_alg(test["jws"])
        if test["result"] == "valid" and alg in ALLOWED:
            _strict_raw(test["jws"], group)
            verified.add(str(alg))
    # The file has no EdDSA or ES384 vectors; ES256, RS256 and PS256 must all be reached.
    assert verified == {"ES256", "RS256", "PS256"}
