"""VC API over HTTP: issue → verify round trips, bad input, tokens, identifiers."""

from __future__ import annotations

import copy
import json

import pytest
from fastapi.testclient import TestClient

from tests.conftest import NOW
from tests.factories import World, make_world
from wallet.issuance import build_credential
from wallet.jose import b64url_decode, b64url_encode
from wallet.web.app import create_app

TYPES = ("diploma", "qualification", "course-certificate", "micro-credential")
EXAMPLES_V2 = "https://www.w3.org/ns/credentials/examples/v2"


@pytest.fixture
def world(settings, engine) -> World:
    return make_world(settings, engine, now=NOW)


@pytest.fixture
def client(settings, world) -> TestClient:
    return TestClient(create_app(settings, services=world.services))


def auth(world: World, slug: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.tokens[slug]}"}


def request_for(world: World, slug: str, type_name: str) -> dict:
    services = world.services
    ctype = services.types.get(type_name)
    issuer = services.registry.by_slug(slug)
    return {
        "credential": build_credential(ctype, copy.deepcopy(ctype.example), issuer_did=issuer.did)
    }


def generic_credential(world: World, slug: str = "uni", **extra) -> dict:
    credential = {
        "@context": ["https://www.w3.org/ns/credentials/v2", EXAMPLES_V2],
        "type": ["VerifiableCredential", "ExampleAlumniCredential"],
        "issuer": world.services.registry.by_slug(slug).did,
        "credentialSubject": {"id": "did:example:abcdefgh", "alumniOf": "The School of Examples"},
    }
    credential.update(extra)
    return credential


@pytest.mark.parametrize("slug", ["uni", "school"], ids=["EdDSA", "ES256"])
@pytest.mark.parametrize("type_name", TYPES)
def test_issue_then_verify_round_trip(client, world, slug, type_name):
    response = client.post(
        "/credentials/issue", json=request_for(world, slug, type_name), headers=auth(world, slug)
    )
    assert response.status_code == 201, response.text
    enveloped = response.json()["verifiableCredential"]
    assert enveloped["type"] == "EnvelopedVerifiableCredential"
    assert enveloped["id"].startswith("data:application/vc+jwt,")
    token = enveloped["id"].split(",", 1)[1]
    header = json.loads(b64url_decode(token.split(".")[0]))
    assert header["typ"] == "vc+jwt"
    assert header["alg"] == ("EdDSA" if slug == "uni" else "ES256")
    assert header["kid"].startswith(world.services.registry.by_slug(slug).did + "#")

    for form in (enveloped, token):
        verified = client.post("/credentials/verify", json={"verifiableCredential": form})
        assert verified.status_code == 200, verified.text
        body = verified.json()
        assert body["verified"] is True
        assert body["problemDetails"] == []
        results = {check["name"]: check["result"] for check in body["checks"]}
        for name in (
            "header",
            "issuer",
            "key",
            "signature",
            "accreditation",
            "dataModel",
            "validityPeriod",
            "contexts",
            "schema",
        ):
            assert results[name] == "passed", (name, body["checks"])


def test_bad_record_names_every_bad_field(client, world):
    request = request_for(world, "uni", "diploma")
    subject = request["credential"]["credentialSubject"]
    subject.pop("familyName", None)
    subject["unexpectedField"] = 1
    request["credential"]["validFrom"] = "yesterday"
    request["options"] = {"learner": {"personalCode": "180565-05611"}}
    response = client.post("/credentials/issue", json=request, headers=auth(world, "uni"))
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    pointers = {error["pointer"] for error in response.json()["errors"]}
    assert "/credential/credentialSubject/familyName" in pointers
    assert any("unexpectedField" in p for p in pointers) or any(
        "unexpectedField" in e["detail"] for e in response.json()["errors"]
    )
    assert "/options/learner/personalCode" in pointers
    assert any(p == "/credential" for p in pointers)  # the validFrom data-model problem
    with world.services.session() as session:
        from wallet.db import crud

        assert crud.list_records(session, issuer_slug="uni") == []


def test_generic_credential_issues_and_verifies(client, world):
    response = client.post(
        "/credentials/issue",
        json={"credential": generic_credential(world)},
        headers=auth(world, "uni"),
    )
    assert response.status_code == 201, response.text
    verified = client.post("/credentials/verify", json=response.json())
    assert verified.status_code == 200, verified.text
    checks = {c["name"]: c["result"] for c in verified.json()["checks"]}
    assert checks["contexts"] == "passed"
    assert checks["schema"] == "not applicable"


@pytest.mark.parametrize(
    "credential_change",
    [
        pytest.param({"@context": ["https://www.w3.org/ns/credentials/v2"]}, id="undefined-term"),
        pytest.param(
            {
                "@context": [
                    "https://www.w3.org/ns/credentials/v2",
                    EXAMPLES_V2,
                    {"issuer": "https://evil.example/issuer"},
                ]
            },
            id="redefined-protected-term",
        ),
        pytest.param({"id": "not a url"}, id="non-url-id"),
    ],
)
def test_generic_credential_with_bad_terms_refused(client, world, credential_change):
    credential = generic_credential(world)
    credential.update(credential_change)
    response = client.post(
        "/credentials/issue", json={"credential": credential}, headers=auth(world, "uni")
    )
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "INVALID_RECORD"


def test_oversize_body_gets_413_without_parsing(client, settings):
    body = b"{" * (settings.max_body_bytes + 1)  # not JSON: a parser would answer 400
    response = client.post(
        "/credentials/verify", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["code"] == "PAYLOAD_TOO_LARGE"


def test_oversize_chunked_body_gets_413(client, settings):
    def chunks():
        for _ in range(settings.max_body_bytes // 65536 + 2):
            yield b" " * 65536

    response = client.post(
        "/credentials/verify", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[]",
        b'{"verifiableCredential": 5}',
        b'{"verifiableCredential": "a.b"}',
        b'{"verifiableCredential": "a.b.c"}',
        b'{"verifiableCredential": {"id": "x"}}',
    ],
    ids=["not-json", "array", "number", "two-segments", "bad-base64-json", "not-enveloped"],
)
def test_unusable_verify_input_is_4xx(client, body):
    response = client.post(
        "/credentials/verify", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code in (400, 422)
    assert response.headers["content-type"].startswith("application/problem+json")


def test_tampered_credential_does_not_verify(client, world):
    token = world.issue("uni", "diploma")
    header, payload, signature = token.split(".")
    claims = json.loads(b64url_decode(payload))
    claims["credentialSubject"]["familyName"] = "Viltotā"
    forged = ".".join([header, b64url_encode(json.dumps(claims).encode()), signature])
    response = client.post("/credentials/verify", json={"verifiableCredential": forged})
    assert response.status_code == 422
    body = response.json()
    assert body["verified"] is False
    signature_check = next(c for c in body["checks"] if c["name"] == "signature")
    assert signature_check["result"] == "failed"
    assert body["problemDetails"][0]["type"].endswith("#CRYPTOGRAPHIC_SECURITY_ERROR")


def test_expired_credential_reports_range_error(client, world):
    token = world.issue(
        "uni", "diploma", validFrom="2025-01-01T00:00:00Z", validUntil="2026-01-01T00:00:00Z"
    )
    response = client.post("/credentials/verify", json={"verifiableCredential": token})
    assert response.status_code == 422
    assert any(p["type"].endswith("#RANGE_ERROR") for p in response.json()["problemDetails"])


def test_issue_requires_a_valid_token(client, world):
    request = request_for(world, "uni", "diploma")
    assert client.post("/credentials/issue", json=request).status_code == 401
    bad = {"Authorization": "Bearer imk_" + "A" * 43}
    assert client.post("/credentials/issue", json=request, headers=bad).status_code == 401


def test_revoked_token_stops_at_once_in_every_process(settings, engine, world):
    from wallet import access
    from wallet.service import Services

    other_process = Services.build(settings, engine=engine)
    other_client = TestClient(create_app(settings, services=other_process))
    request = request_for(world, "uni", "diploma")
    assert (
        other_client.post(
            "/credentials/issue", json=request, headers=auth(world, "uni")
        ).status_code
        == 201
    )
    with world.services.session() as session:
        access.revoke_token(session, issuer_slug="uni", name="test", now=NOW)
        session.commit()
    request = request_for(world, "uni", "course-certificate")
    assert (
        other_client.post(
            "/credentials/issue", json=request, headers=auth(world, "uni")
        ).status_code
        == 401
    )


def test_issuer_cannot_issue_as_another(client, world):
    request = request_for(world, "uni", "diploma")
    request["credential"]["issuer"] = world.services.registry.by_slug("school").did
    response = client.post("/credentials/issue", json=request, headers=auth(world, "uni"))
    assert response.status_code == 403


def test_credential_id_names_the_record(client, world):
    request = request_for(world, "uni", "diploma")
    request["options"] = {"credentialId": "urn:imk:test:42"}
    first = client.post("/credentials/issue", json=request, headers=auth(world, "uni"))
    again = client.post("/credentials/issue", json=request, headers=auth(world, "uni"))
    assert first.status_code == 201 and again.status_code == 200
    assert first.json() == again.json()
    other = copy.deepcopy(request)
    other["credential"]["credentialSubject"]["givenName"] = "Cits"
    conflict = client.post("/credentials/issue", json=other, headers=auth(world, "uni"))
    assert conflict.status_code == 409


def test_issuer_lists_only_its_own_records(client, world):
    request = request_for(world, "uni", "diploma")
    request["options"] = {"credentialId": "urn:imk:test:list"}
    client.post("/credentials/issue", json=request, headers=auth(world, "uni"))
    mine = client.get("/credentials", headers=auth(world, "uni")).json()
    assert [row["id"] for row in mine] == ["urn:imk:test:list"]
    assert client.get("/credentials", headers=auth(world, "school")).json() == []
    assert (
        client.get("/credentials/urn:imk:test:list", headers=auth(world, "school")).status_code
        == 404
    )
    record = client.get("/credentials/urn:imk:test:list", headers=auth(world, "uni")).json()
    assert record["formats"] == ["vc+jwt"]


def test_did_document_and_jwks_list_current_and_retired_keys(client, world):
    services = world.services
    issuer = services.registry.by_slug("uni")
    with services.session() as session:
        old = services.keystore.signing_key(session, issuer_slug="uni")[0]
        new = services.keystore.rotate(session, issuer=issuer, now=NOW)
        session.commit()
    services.key_history.refresh()
    document = client.get("/issuers/uni/did.json").json()
    assert document["id"] == issuer.did
    listed = {vm["id"] for vm in document["verificationMethod"]}
    assert {old, new.kid} <= listed
    jwks = client.get("/issuers/uni/jwks.json").json()
    assert {old, new.kid} <= {key["kid"] for key in jwks["keys"]}
    assert all("d" not in key for key in jwks["keys"])
    metadata = client.get("/.well-known/jwt-vc-issuer/issuers/uni").json()
    assert metadata["issuer"] == issuer.https_id


def test_openapi_documents_the_vc_api(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/credentials/issue", "/credentials/verify"} <= set(paths)


def test_issuing_without_a_current_key_is_a_conflict(client, world):
    # After a compromise the institution cannot sign until it rotates (DESIGN §4).
    services = world.services
    with services.session() as session:
        kid, _ = services.keystore.signing_key(session, issuer_slug="uni")
        services.keystore.mark_compromised(session, issuer_slug="uni", kid=kid, since=NOW)
        session.commit()
    request = request_for(world, "uni", "diploma")
    response = client.post("/credentials/issue", json=request, headers=auth(world, "uni"))
    assert response.status_code == 409
    assert "keys rotate" in response.json()["detail"]


def test_duplicate_member_in_request_body_is_a_parse_error(client, world):
    body = '{"verifiableCredential": "a", "verifiableCredential": "b"}'
    response = client.post(
        "/credentials/verify", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["type"].endswith("#PARSING_ERROR")


@pytest.mark.parametrize("type_name", TYPES)
def test_sd_jwt_vc_type_metadata_is_served_at_the_vct_url(client, world, type_name):
    ctype = world.services.types.get(type_name)
    response = client.get(f"/types/{ctype.vct}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["vct"] == f"https://wallet.test/types/{ctype.vct}"
    assert {d["locale"] for d in body["display"]} == {"lv", "en", "ru"}
    rules = {tuple(c["path"]): c["sd"] for c in body["claims"]}
    assert set(rules.values()) <= {"always", "allowed", "never"}
    assert rules.get(("personalCode",), "always") == "always"
    assert client.get(f"/types/{type_name}/v999").status_code == 404
