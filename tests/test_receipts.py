"""Verification receipts: signed with the service's key, checkable by anyone against
GET /.well-known/jwks.json, naming the credential by digest; and POST /credentials/verify
with ``options.receipt``."""

from __future__ import annotations

import hashlib

import pytest
from fastapi.testclient import TestClient

from tests.conftest import NOW
from tests.factories import World, make_world
from tests.fixtures.verifying import forged, issue_token
from wallet.errors import (
    DataModelError,
    HeaderError,
    InvalidSignatureError,
    ParseError,
    UnknownKeyError,
)
from wallet.jose import (
    SIGNING_ALGORITHMS,
    b64url_decode,
    b64url_encode,
    check_header,
    parse_compact,
    parse_jwk_set,
    verify_signature,
)
from wallet.receipts import RECEIPT_TYP, check_receipt, issue_receipt
from wallet.verifier import verify_credential
from wallet.web.app import create_app

BASE = "https://wallet.test"


@pytest.fixture
def world(settings, engine) -> World:
    return make_world(settings, engine, now=NOW)


@pytest.fixture
def client(settings, world) -> TestClient:
    return TestClient(create_app(settings, services=world.services), base_url=BASE)


def verify_with_published_key(client: TestClient, receipt: str) -> dict:
    """What any outsider does: fetch the service's JWK Set, pick the key by kid, verify."""
    jwks = client.get("/.well-known/jwks.json")
    assert jwks.status_code == 200
    parsed = parse_compact(receipt)
    check_header(parsed.header, typ={RECEIPT_TYP}, algorithms=SIGNING_ALGORITHMS)
    key = parse_jwk_set(jwks.json()).key_for(kid=parsed.header["kid"], alg=parsed.header["alg"])
    verify_signature(parsed, key)
    return dict(parsed.payload)


def digest(token: str) -> str:
    return b64url_encode(hashlib.sha256(token.encode()).digest())


@pytest.mark.parametrize("fmt", ["vc+jwt", "dc+sd-jwt"])
def test_receipt_of_a_verified_credential_checks_with_the_published_key(client, world, fmt):
    token = issue_token(world, fmt=fmt)
    response = client.post(
        "/credentials/verify", json={"verifiableCredential": token, "options": {"receipt": True}}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    claims = verify_with_published_key(client, body["receipt"])
    issuer = world.services.registry.by_slug("uni")
    assert claims["iss"] == BASE
    assert claims["iat"] == NOW
    assert claims["verified"] is True
    assert claims["credential"] == {"alg": "sha256", "digest": digest(token)}
    assert claims["format"] == fmt
    assert claims["issuer"] == (issuer.https_id if fmt == "dc+sd-jwt" else issuer.did)
    assert claims["type"] == "diploma"
    assert claims["checks"] == {c["name"]: c["result"] for c in body["checks"]}
    assert "share" not in claims
    assert len(b64url_decode(claims["jti"])) == 16
    # The receipt names the credential; it never carries it.
    assert token.split(".")[1] not in body["receipt"]
    # The rest of the answer is what it was without a receipt.
    plain = client.post("/credentials/verify", json={"verifiableCredential": token}).json()
    assert {k: v for k, v in body.items() if k != "receipt"} == plain


def test_receipt_header(client, world):
    token = issue_token(world)
    receipt = client.post(
        "/credentials/verify", json={"verifiableCredential": token, "options": {"receipt": True}}
    ).json()["receipt"]
    header = parse_compact(receipt).header
    assert header["typ"] == "imk-receipt+jwt"
    assert header["alg"] in SIGNING_ALGORITHMS
    kids = [k["kid"] for k in client.get("/.well-known/jwks.json").json()["keys"]]
    assert header["kid"] in kids


def test_a_not_verified_credential_gets_a_receipt_saying_so(client, world):
    token = forged(issue_token(world))
    response = client.post(
        "/credentials/verify", json={"verifiableCredential": token, "options": {"receipt": True}}
    )
    assert response.status_code == 422
    claims = verify_with_published_key(client, response.json()["receipt"])
    assert claims["verified"] is False
    assert claims["checks"]["signature"] == "failed"
    assert claims["credential"]["digest"] == digest(token)


def test_receipt_of_an_enveloped_credential_digests_its_token(client, world):
    token = issue_token(world)
    enveloped = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": "EnvelopedVerifiableCredential",
        "id": f"data:application/vc+jwt,{token}",
    }
    body = client.post(
        "/credentials/verify",
        json={"verifiableCredential": enveloped, "options": {"receipt": True}},
    ).json()
    assert verify_with_published_key(client, body["receipt"])["credential"]["digest"] == digest(
        token
    )


@pytest.mark.parametrize("options", [{}, {"receipt": False}, {"other": 1}])
def test_no_receipt_unless_asked(client, world, options):
    token = issue_token(world)
    body = client.post(
        "/credentials/verify", json={"verifiableCredential": token, "options": options}
    ).json()
    assert body["verified"] is True
    assert "receipt" not in body


@pytest.mark.parametrize("value", ["true", 1, None, {"a": 1}])
def test_a_receipt_option_that_is_no_bool_is_400(client, world, value):
    token = issue_token(world)
    response = client.post(
        "/credentials/verify", json={"verifiableCredential": token, "options": {"receipt": value}}
    )
    assert response.status_code == 400


def test_unparseable_input_gets_400_and_no_receipt(client):
    response = client.post(
        "/credentials/verify", json={"verifiableCredential": "junk", "options": {"receipt": True}}
    )
    assert response.status_code == 400
    assert "receipt" not in response.json()


def _tamper_payload(receipt: str, **changes) -> str:
    import json

    head, payload, signature = receipt.split(".")
    claims = json.loads(b64url_decode(payload))
    claims.update(changes)
    body = b64url_encode(json.dumps(claims, separators=(",", ":")).encode())
    return f"{head}.{body}.{signature}"


def test_a_tampered_receipt_fails(client, world):
    token = forged(issue_token(world))
    receipt = client.post(
        "/credentials/verify", json={"verifiableCredential": token, "options": {"receipt": True}}
    ).json()["receipt"]
    assert verify_with_published_key(client, receipt)["verified"] is False
    # Turning "not verified" into "verified" breaks the signature, both for an outsider
    # with the published key and for the service's own check.
    lie = _tamper_payload(receipt, verified=True)
    with pytest.raises(InvalidSignatureError):
        verify_with_published_key(client, lie)
    services = world.services
    with pytest.raises(InvalidSignatureError):
        check_receipt(lie, key_history=services.key_history, base_url=BASE)
    # A flipped signature character fails as well.
    with pytest.raises(InvalidSignatureError):
        verify_with_published_key(client, forged(receipt))


def test_check_receipt(client, world):
    services = world.services
    token = issue_token(world)
    report = verify_credential(token, ctx=services.verification, now=NOW)
    with services.session() as session:
        receipt = issue_receipt(
            session, keystore=services.keystore, base_url=BASE, report=report, token=token,
            now=NOW, random=lambda n: b"\x07" * n, share="share-123",
        )  # fmt: skip
    claims = check_receipt(receipt, key_history=services.key_history, base_url=BASE)
    assert claims["share"] == "share-123"
    assert claims["jti"] == b64url_encode(b"\x07" * 16)
    assert claims["verified"] is True
    with pytest.raises(DataModelError):
        check_receipt(receipt, key_history=services.key_history, base_url="https://other.test")
    with pytest.raises(ParseError):
        check_receipt("not.a.receipt!", key_history=services.key_history, base_url=BASE)
    # A credential is not a receipt (typ), even one this service could verify.
    with pytest.raises(HeaderError):
        check_receipt(token, key_history=services.key_history, base_url=BASE)


def test_a_receipt_signed_by_an_issuer_key_is_refused(world):
    """The kid must be one of the service's keys: an institution's key (here one whose
    kid the attacker copies into the header) is unknown as a receipt key."""
    services = world.services
    token = issue_token(world)
    report = verify_credential(token, ctx=services.verification, now=NOW)
    with services.session() as session:
        kid, key = services.keystore.signing_key(session, issuer_slug="uni")
    from wallet.jose import sign_compact
    from wallet.receipts import receipt_claims

    claims = receipt_claims(base_url=BASE, report=report, token=token, now=NOW, jti="x")
    receipt = sign_compact({"typ": RECEIPT_TYP, "kid": kid}, claims, key)
    with pytest.raises(UnknownKeyError):
        check_receipt(receipt, key_history=services.key_history, base_url=BASE)
