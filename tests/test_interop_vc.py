"""vc+jwt interoperability with an independent implementation, joserfc (issue "Foundation").

Our issued vc+jwt verifies under joserfc with the key our DID document publishes; a vc+jwt
that joserfc signs with a registered issuer key verifies with our full verifier.
"""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives import serialization
from fastapi.testclient import TestClient
from joserfc import jws
from joserfc.jwk import ECKey, OKPKey

from tests.conftest import NOW
from tests.factories import World, make_world
from wallet.issuance import build_credential
from wallet.verifier import verify_credential
from wallet.web.app import create_app

EDDSA_DEPRECATION = "ignore:EdDSA is deprecated via RFC 9864:joserfc.errors.SecurityWarning"
ISSUERS = [
    pytest.param("uni", marks=pytest.mark.filterwarnings(EDDSA_DEPRECATION), id="EdDSA"),
    pytest.param("school", id="ES256"),
]


@pytest.fixture
def world(settings, engine) -> World:
    return make_world(settings, engine, now=NOW)


@pytest.mark.parametrize("slug", ISSUERS)
def test_our_vc_jwt_verifies_under_joserfc(settings, world, slug):
    token = world.issue(slug, "diploma")
    client = TestClient(create_app(settings, services=world.services))
    document = client.get(f"/issuers/{slug}/did.json").json()
    header = jws.extract_compact(token.encode()).headers()
    method = next(vm for vm in document["verificationMethod"] if vm["id"] == header["kid"])
    jwk = method["publicKeyJwk"]
    key = OKPKey.import_key(jwk) if jwk["kty"] == "OKP" else ECKey.import_key(jwk)
    result = jws.deserialize_compact(token, key, algorithms=[header["alg"]])
    payload = json.loads(result.payload)
    assert header["typ"] == "vc+jwt"
    assert payload["issuer"] == document["id"]
    assert payload["credentialSubject"]["familyName"]


@pytest.mark.parametrize("slug", ISSUERS)
def test_vc_jwt_signed_by_joserfc_verifies_with_us(world, slug):
    services = world.services
    issuer = services.registry.by_slug(slug)
    with services.session() as session:
        kid, our_key = services.keystore.signing_key(session, issuer_slug=slug)
    pem = our_key.private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    key = OKPKey.import_key(pem) if our_key.alg == "EdDSA" else ECKey.import_key(pem)
    ctype = services.types.get("qualification")
    credential = build_credential(ctype, ctype.example, issuer_did=issuer.did)
    credential["validFrom"] = "2026-01-01T00:00:00Z"
    credential["iat"] = NOW - 60
    token = jws.serialize_compact(
        {"alg": our_key.alg, "typ": "vc+jwt", "kid": kid},
        json.dumps(credential, ensure_ascii=False).encode(),
        key,
        algorithms=[our_key.alg],
    )
    report = verify_credential(token, ctx=services.verification, now=NOW)
    assert report.verified, report.checks
    assert report.type_name == "qualification"
