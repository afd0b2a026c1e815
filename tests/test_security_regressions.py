"""One named test per known attack (STYLE rule 7; catalogue: reference/security.md §1.5, §2).

Each test has a comment linking the advisory or spec section it reproduces, and a valid
baseline next to it where one makes sense, so that a layer refusing everything cannot pass.

Sections:
    1. JOSE level (wallet.jose): parse, header check, key import, signature.
    2. Verifier level (wallet.verifier): appended below by the lead.
"""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from cryptography.hazmat.primitives import serialization

from wallet.errors import (
    AlgorithmError,
    HeaderError,
    ParseError,
    PayloadTooLargeError,
    WeakKeyError,
)
from wallet.jose import (
    MAX_TOKEN_CHARS,
    SigningKey,
    b64url_decode,
    b64url_encode,
    check_header,
    generate_signing_key,
    parse_compact,
    public_jwk,
    sign_compact,
    verify_signature,
)

TYP = "vc+jwt"
ALGS = frozenset({"EdDSA", "ES256"})
CLAIMS = {"iss": "https://issuer.test", "sub": "did:example:learner"}


def _segment(raw: bytes) -> str:
    return b64url_encode(raw)


def _json_segment(value: object) -> str:
    return _segment(json.dumps(value, separators=(",", ":")).encode())


def _signed(header_b64: str, payload_b64: str, key: SigningKey) -> str:
    signing_input = f"{header_b64}.{payload_b64}"
    return f"{signing_input}.{b64url_encode(key.sign(signing_input.encode()))}"


def _verify(token: str, key: SigningKey) -> None:
    parsed = parse_compact(token)
    check_header(parsed.header, typ={TYP}, algorithms=ALGS)
    verify_signature(parsed, key.public)


@pytest.fixture(scope="module")
def issuer() -> SigningKey:
    return generate_signing_key("EdDSA")


@pytest.fixture(scope="module")
def genuine(issuer: SigningKey) -> str:
    token = sign_compact({"typ": TYP, "kid": "k1"}, CLAIMS, issuer)
    _verify(token, issuer)  # The baseline must pass, or every refusal below means nothing.
    return token


# =========================================================================================
# 1. JOSE level
# =========================================================================================


def test_alg_none_refused(issuer: SigningKey, genuine: str) -> None:
    # RFC 8725 §3.1; PyJWT alg=None bypass (2015, PR #109/#110); security.md §2 A1–A2.
    signature = genuine.split(".")[2]
    for alg in ("none", "None", "NONE", "nOnE"):
        for kept in ("", signature):
            header = _json_segment({"alg": alg, "typ": TYP, "kid": "k1"})
            token = f"{header}.{_json_segment(CLAIMS)}.{kept}"
            with pytest.raises(AlgorithmError):
                _verify(token, issuer)


def test_hs256_keyed_with_public_key_refused(issuer: SigningKey) -> None:
    # RFC 8725 §3.1 (RSA/HMAC confusion); CVE-2017-11424, CVE-2022-29217 (GHSA-ffqj-6fqr-9h24),
    # CVE-2024-37568, CVE-2026-49852 (empty key); security.md §2 A4.
    public = issuer.private.public_key()
    secrets = [
        public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
        public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw),
        json.dumps(issuer.public.to_dict()).encode(),
        issuer.public.to_dict()["x"].encode(),
        b"",
    ]
    header_b64 = _json_segment({"alg": "HS256", "typ": TYP, "kid": "k1"})
    signing_input = f"{header_b64}.{_json_segment(CLAIMS)}"
    for secret in secrets:
        mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
        parsed = parse_compact(f"{signing_input}.{b64url_encode(mac)}")
        with pytest.raises(AlgorithmError):
            check_header(parsed.header, typ={TYP}, algorithms=ALGS | {"HS256"})
        with pytest.raises(AlgorithmError):
            verify_signature(parsed, issuer.public)


def test_ed25519_small_order_key_refused() -> None:
    # security.md F1: with OpenSSL 3, public key 01 00..00 (the neutral point) accepts the
    # signature R = 01 00..00, S = 0 for any message; "Taming the many EdDSAs" (Chalkias et
    # al., 2020); RFC 8032 §5.1.7 does not reject small-order A. All eight points and their
    # non-canonical encodings are covered in tests/jose/test_jwk.py.
    neutral = bytes([1]) + bytes(31)
    order_four = bytes(32)
    for raw in (neutral, order_four):
        with pytest.raises(WeakKeyError):
            public_jwk({"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(raw)})


def test_duplicate_header_member_refused(issuer: SigningKey) -> None:
    # RFC 8725 §2.6 / RFC 7515 §5.2 step 4 (duplicate names MUST be rejected or the last
    # taken); I-JSON RFC 7493 §2.3; PyJWT 2.15.1 takes the last one (security.md F2, A18).
    for header in (
        b'{"alg":"none","typ":"vc+jwt","kid":"k1","alg":"EdDSA"}',
        b'{"alg":"EdDSA","typ":"vc+jwt","kid":"k1","kid":"other"}',
    ):
        token = _signed(_segment(header), _json_segment(CLAIMS), issuer)
        with pytest.raises(ParseError):
            _verify(token, issuer)


def test_padded_signature_refused(issuer: SigningKey, genuine: str) -> None:
    # CVE-2026-102269 (PyJWT < 2.14.0): a non-canonical signature segment gives a second
    # string for the same signature, so raw-token revocation/replay checks are bypassed
    # (security.md §2 A15, C8). Padding, foreign alphabet and trailing bits are all refused.
    header, payload, signature = genuine.split(".")
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    trailing = signature[:-1] + alphabet[alphabet.index(signature[-1]) + 1]
    assert b64url_decode(signature) == issuer.sign(f"{header}.{payload}".encode())
    for variant in (signature + "=", signature + "==", trailing):
        with pytest.raises(ParseError):
            _verify(f"{header}.{payload}.{variant}", issuer)


def test_bom_payload_refused(issuer: SigningKey) -> None:
    # RFC 8725 §3.7 (UTF-8), RFC 8259 §8.1 (no BOM in networked JSON); PyJWT 2.15.1 accepts a
    # BOM before the payload JSON (security.md F2, A17).
    payload = b"\xef\xbb\xbf" + json.dumps(CLAIMS).encode()
    token = _signed(
        _json_segment({"alg": "EdDSA", "typ": TYP, "kid": "k1"}), _segment(payload), issuer
    )
    with pytest.raises(ParseError):
        _verify(token, issuer)


def test_unknown_crit_refused(issuer: SigningKey) -> None:
    # CVE-2026-32597 (PyJWT < 2.12.0), CVE-2025-59420 / GHSA-9ggr-2464-2j32 (Authlib);
    # RFC 7515 §4.1.11: a recipient MUST reject a crit extension it does not understand (A9).
    for crit, extra in ((["exp"], {"exp": 1}), (["b64"], {"b64": False}), ([], {})):
        header = {"alg": "EdDSA", "typ": TYP, "kid": "k1", "crit": crit, **extra}
        token = sign_compact(header, CLAIMS, issuer)
        with pytest.raises(HeaderError):
            _verify(token, issuer)


def test_jku_x5u_embedded_jwk_refused(issuer: SigningKey) -> None:
    # RFC 8725 §3.10 (do not trust key locations in the token; SSRF); security.md §2 A8.
    # The embedded jwk is the attacker's own key, and the token verifies under it.
    attacker = generate_signing_key("EdDSA")
    for member, value in (
        ("jku", "https://attacker.test/jwks.json"),
        ("x5u", "https://attacker.test/cert.pem"),
        ("jwk", attacker.public.to_dict()),
        ("x5c", ["MIIBszCCAVmgAwIBAgIU"]),
    ):
        token = sign_compact({"typ": TYP, "kid": "k1", member: value}, CLAIMS, attacker)
        with pytest.raises(HeaderError):
            _verify(token, attacker)


def test_oversized_token_refused(issuer: SigningKey) -> None:
    # security.md §2 A21 and N (resource exhaustion); CVE-2025-65015 (joserfc echoed the
    # oversized input in its error): the error must not carry the input.
    token = sign_compact({"typ": TYP, "kid": "k1"}, {"pad": "A" * MAX_TOKEN_CHARS}, issuer)
    with pytest.raises(PayloadTooLargeError) as caught:
        _verify(token, issuer)
    assert "AAAA" not in caught.value.description
    huge_header = sign_compact({"typ": TYP, "kid": "k1", "pad": "A" * (64 * 1024)}, CLAIMS, issuer)
    with pytest.raises(PayloadTooLargeError):
        _verify(huge_header, issuer)


@pytest.mark.parametrize(
    "kid",
    [
        pytest.param("../../keys/issuer.pem", id="path-traversal"),
        pytest.param("..\\..\\keys\\issuer.pem", id="windows-path"),
        pytest.param("/etc/passwd", id="absolute-path"),
        pytest.param("' OR '1'='1", id="sql-quote"),
        pytest.param("k1; DROP TABLE issuer_key;--", id="sql-statement"),
        pytest.param("k1\x00.pem", id="nul-byte"),
        pytest.param("https://attacker.test/key", id="url"),
        pytest.param("k1\n", id="newline"),
        pytest.param("A" * 64 * 1024, id="64KiB"),
        pytest.param("", id="empty"),
        pytest.param({"$ne": ""}, id="object"),
        pytest.param(["k1"], id="array"),
        pytest.param(1, id="number"),
        pytest.param(None, id="null"),
    ],
)
def test_kid_injection_values_refused(kid: object) -> None:
    # RFC 8725 §3.10 (kid → SQL/LDAP/path injection); security.md §2 A7. Refused at the
    # header check, before any registry lookup sees the value.
    check_header(
        {"alg": "EdDSA", "typ": TYP, "kid": "did:web:wallet.test:issuers:rtu#k1"},
        typ={TYP},
        algorithms=ALGS,
    )
    with pytest.raises(HeaderError):
        check_header({"alg": "EdDSA", "typ": TYP, "kid": kid}, typ={TYP}, algorithms=ALGS)


# =========================================================================================
# 2. Verifier level (wallet.verifier) — appended by the lead: kid not in the registry,
#    expired / not yet valid, XML with a DOCTYPE, oversized body, ...
# =========================================================================================


def _world(settings, engine):
    from tests.conftest import NOW
    from tests.factories import make_world

    return make_world(settings, engine, now=NOW)


def _forge(
    world,
    *,
    slug: str = "uni",
    key: SigningKey | None = None,
    kid: str | None = None,
    **changes: object,
) -> str:
    """A diploma of ``slug`` signed with ``key`` (default: the issuer's own) under ``kid``."""
    from tests.conftest import NOW
    from wallet.issuance import build_credential
    from wallet.vc import vc_jwt_signer

    services = world.services
    issuer = services.registry.by_slug(slug)
    ctype = services.types.get("diploma")
    credential = build_credential(ctype, ctype.example, issuer_did=issuer.did)
    credential["validFrom"] = "2026-01-01T00:00:00Z"
    iat = changes.pop("iat", NOW - 60)
    credential.update(changes)
    with services.session() as session:
        own_kid, own_key = services.keystore.signing_key(session, issuer_slug=slug)
    signing_key = key or own_key
    payload = dict(credential)
    payload["iat"] = iat
    return vc_jwt_signer(kid=kid or own_kid, key=signing_key).sign(payload)


def _failed_checks(world, token: str) -> dict[str, str]:
    from tests.conftest import NOW
    from wallet.verifier import verify_credential

    report = verify_credential(token, ctx=world.services.verification, now=NOW)
    assert not report.verified
    return {
        c.name: c.reason
        for c in report.checks
        if c.result.value != "passed" and c.result.value != "not applicable"
    }


def test_genuine_credential_baseline_verifies(settings, engine) -> None:
    from tests.conftest import NOW
    from wallet.verifier import verify_credential

    world = _world(settings, engine)
    report = verify_credential(_forge(world), ctx=world.services.verification, now=NOW)
    assert report.verified, report.checks


def test_kid_not_in_registry_refused(settings, engine) -> None:
    # RFC 8725 §3.10; security.md §2 A6: an attacker's key named under the issuer's DID.
    world = _world(settings, engine)
    attacker = generate_signing_key("EdDSA")
    did = world.services.registry.by_slug("uni").did
    token = _forge(world, key=attacker, kid=f"{did}#{attacker.public.thumbprint}")
    assert "key" in _failed_checks(world, token)


def test_kid_of_another_issuer_refused(settings, engine) -> None:
    # RFC 8725 §3.8: the key must belong to the issuer; security.md §2 A24.
    world = _world(settings, engine)
    with world.services.session() as session:
        school_kid, school_key = world.services.keystore.signing_key(session, issuer_slug="school")
    token = _forge(world, key=school_key, kid=school_kid)
    assert "key" in _failed_checks(world, token)


def test_unregistered_issuer_refused(settings, engine) -> None:
    # VC 2.0 §7.1: the issuer must be trusted; a self-made did:web is not in the registry.
    world = _world(settings, engine)
    attacker = generate_signing_key("EdDSA")
    token = _forge(
        world, key=attacker, kid="did:web:evil.example#k1", issuer="did:web:evil.example"
    )
    failed = _failed_checks(world, token)
    assert "issuer" in failed and "signature" in failed


def test_expired_credential_refused(settings, engine) -> None:
    # VC 2.0 §4.9 validUntil; security.md §2 (expired credentials).
    world = _world(settings, engine)
    token = _forge(world, validUntil="2026-02-01T00:00:00Z")
    assert "validityPeriod" in _failed_checks(world, token)


def test_not_yet_valid_credential_refused(settings, engine) -> None:
    # VC 2.0 §4.9 validFrom in the future.
    world = _world(settings, engine)
    token = _forge(world, validFrom="2027-01-01T00:00:00Z")
    assert "validityPeriod" in _failed_checks(world, token)


@pytest.mark.parametrize(
    "iat", ["1780271940", 1.5, True, None], ids=["string", "float", "bool", "null"]
)
def test_non_integer_signing_time_refused(settings, engine, iat: object) -> None:
    # security.md F2: pyjwt accepts exp as a numeric string; we require integers.
    world = _world(settings, engine)
    assert "key" in _failed_checks(world, _forge(world, iat=iat))


def test_future_signing_time_refused(settings, engine) -> None:
    # A signing time in the future would let a token escape a later compromise date.
    from tests.conftest import NOW

    world = _world(settings, engine)
    assert "key" in _failed_checks(world, _forge(world, iat=NOW + 3600))


def test_signed_after_key_compromise_refused(settings, engine) -> None:
    # DESIGN §4: a key marked compromised since a date verifies nothing signed after it.
    from tests.conftest import NOW

    world = _world(settings, engine)
    services = world.services
    before = _forge(world, iat=NOW - 600)
    after = _forge(world, iat=NOW - 60)
    with services.session() as session:
        kid, _ = services.keystore.signing_key(session, issuer_slug="uni")
        services.keystore.mark_compromised(session, issuer_slug="uni", kid=kid, since=NOW - 300)
        session.commit()
    services.key_history.refresh()
    assert "key" in _failed_checks(world, after)
    from wallet.verifier import verify_credential

    assert verify_credential(before, ctx=services.verification, now=NOW).verified


def test_signed_after_key_retirement_refused(settings, engine) -> None:
    # DESIGN §4: a retired key verifies only what it signed inside its window.
    from tests.conftest import NOW

    world = _world(settings, engine)
    services = world.services
    with services.session() as session:
        old_kid, old_key = services.keystore.signing_key(session, issuer_slug="uni")
        services.keystore.rotate(session, issuer=services.registry.by_slug("uni"), now=NOW - 300)
        session.commit()
    services.key_history.refresh()
    late = _forge(world, key=old_key, kid=old_kid, iat=NOW - 60)
    assert "key" in _failed_checks(world, late)


def test_vc11_enveloped_payload_with_vc_claim_refused(settings, engine) -> None:
    # VC-JOSE-COSE §3.1.1: the payload is the credential itself; a VC 1.1 JWT wraps it in a
    # `vc` claim, which must not be mistaken for a VC 2.0 credential.
    world = _world(settings, engine)
    services = world.services
    issuer = services.registry.by_slug("uni")
    with services.session() as session:
        kid, key = services.keystore.signing_key(session, issuer_slug="uni")
    token = sign_compact(
        {"typ": "vc+jwt", "kid": kid}, {"iss": issuer.did, "vc": {}, "iat": 1}, key
    )
    assert "dataModel" in _failed_checks(world, token)


def test_oversized_request_body_refused_before_parsing(settings, engine) -> None:
    # security.md F8: Starlette has no JSON body limit; ours answers 413 before parsing.
    from fastapi.testclient import TestClient

    from wallet.web.app import create_app

    world = _world(settings, engine)
    client = TestClient(create_app(settings, services=world.services))
    response = client.post(
        "/credentials/issue",
        content=b"[" * (settings.max_body_bytes + 10),
        headers={"Content-Type": "application/json", "Authorization": "Bearer x"},
    )
    assert response.status_code == 413


def test_nul_characters_are_a_400_never_a_database_error(settings, engine):
    """PostgreSQL text cannot hold NUL: a NUL in a path, a query or a JSON string must be
    refused before it reaches a query (it once made a wallet page answer 500 on PostgreSQL)."""
    from fastapi.testclient import TestClient

    from tests.conftest import NOW
    from tests.factories import make_world
    from wallet.web.app import create_app

    world = make_world(settings, engine, now=NOW)
    client = TestClient(create_app(settings, services=world.services))
    auth = {"Authorization": f"Bearer {world.tokens['uni']}"}
    assert client.get("/wallet/credentials/%00").status_code == 400
    assert client.get("/credentials?q=a%00b", headers=auth).status_code == 400
    ctype = world.services.types.get("course-certificate")
    from wallet.issuance import build_credential

    credential = build_credential(
        ctype, dict(ctype.example), issuer_did=world.services.registry.by_slug("uni").did
    )
    body = {"credential": credential, "options": {"credentialId": "urn:uuid:a\u0000b"}}
    response = client.post("/credentials/issue", json=body, headers=auth)
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "PARSING_ERROR"
    assert client.post("/challenges", json={"domain": "a\u0000"}).status_code == 400
