"""An external institution's credential through POST /credentials/verify: its status list
is fetched from an allow-listed host (a real server on 127.0.0.1), and a list that cannot
be fetched makes the status "unknown", so the credential does not verify."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.conftest import NOW
from tests.factories import settings_env
from tests.fixtures.http_server import Route, RouteServer, closed_port, running
from wallet.config import load_settings
from wallet.db.engine import make_engine
from wallet.jose import generate_signing_key, sign_compact
from wallet.service import Services
from wallet.status import MIN_ENTRIES, encode_list, pack_bits
from wallet.vc import format_datetime_stamp
from wallet.web.app import create_app

DID = "did:web:partner.example"
KID = f"{DID}#k1"
V2 = "https://www.w3.org/ns/credentials/v2"


@pytest.fixture
def server() -> Iterator[RouteServer]:
    with running() as running_server:
        yield running_server


@pytest.fixture
def partner(settings, engine, server):
    key = generate_signing_key("EdDSA")
    folder = settings.issuers_dir / "partner"
    folder.mkdir(parents=True)
    entry = {
        "slug": "partner", "name": {"lv": "Partneris", "en": "Partner"},
        "types": ["generic"], "external": True, "did": DID,
        "accreditation": [{"types": ["generic"], "validFrom": "2020-01-01",
                           "validUntil": None, "decision": "t"}],
        "keys": [{"kid": KID, "jwk": dict(key.public.members), "validFrom": "2021-01-01"}],
    }  # fmt: skip
    (folder / "issuer.json").write_text(json.dumps(entry), encoding="utf-8")
    env = {**settings_env(settings), "IMK_STATUS_HOSTS": "127.0.0.1",
           "IMK_STATUS_INTERVAL_SECONDS": "0", "IMK_STATUS_FETCH_TIMEOUT_SECONDS": "2"}  # fmt: skip
    services = Services.build(load_settings(env), engine=make_engine(settings.database_url),
                              clock=lambda: float(NOW))  # fmt: skip
    client = TestClient(create_app(services.settings, services=services))
    yield key, client
    services.close()


def _list(server: RouteServer, key, path: str, revoked: tuple[int, ...]) -> str:
    url = server.url(path)
    payload = {
        "@context": [V2], "id": url, "issuer": DID,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "validFrom": format_datetime_stamp(NOW - 60),
        "credentialSubject": {"id": f"{url}#list", "type": "BitstringStatusList",
                              "statusPurpose": "revocation",
                              "encodedList": encode_list(pack_bits(revoked, size=MIN_ENTRIES))},
        "iat": NOW - 60,
    }  # fmt: skip
    token = sign_compact({"typ": "vc+jwt", "kid": KID}, payload, key)
    server.routes[path] = Route(body=token.encode("ascii"), content_type="application/vc+jwt")
    return url


def _credential(key, url: str, index: int) -> str:
    payload = {
        "@context": [V2, "https://www.w3.org/ns/credentials/examples/v2"],
        "type": ["VerifiableCredential", "ExampleAlumniCredential"],
        "issuer": DID, "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:alumna", "alumniOf": "Example School"},
        "credentialStatus": {"type": "BitstringStatusListEntry", "statusPurpose": "revocation",
                             "statusListIndex": str(index), "statusListCredential": url},
        "iat": NOW - 30,
    }  # fmt: skip
    return sign_compact({"typ": "vc+jwt", "kid": KID}, payload, key)


def _verify(client, token):
    response = client.post("/credentials/verify", json={"verifiableCredential": token})
    body = response.json()
    return response.status_code, {c["name"]: c for c in body["checks"]}, body


def test_an_external_credential_checks_its_fetched_list(partner, server):
    key, client = partner
    url = _list(server, key, "/lists/1", revoked=(7,))
    status, checks, _ = _verify(client, _credential(key, url, 8))
    assert status == 200 and checks["status"]["result"] == "passed"
    status, checks, body = _verify(client, _credential(key, url, 7))
    assert status == 422 and checks["status"]["result"] == "failed"
    assert [p["code"] for p in body["problemDetails"]] == ["REVOKED"]
    assert len(server.requests) == 1  # decoded once, then from the cache


def test_an_unreachable_external_list_is_unknown_and_does_not_verify(partner):
    key, client = partner
    url = f"http://127.0.0.1:{closed_port()}/lists/1"
    status, checks, body = _verify(client, _credential(key, url, 8))
    assert status == 422
    assert checks["status"]["result"] == "unknown"
    (problem,) = body["problemDetails"]
    assert problem["type"] == "https://www.w3.org/ns/credentials/status-list#STATUS_RETRIEVAL_ERROR"


def test_a_host_off_the_allow_list_is_never_asked(partner, server):
    key, client = partner
    url = _list(server, key, "/lists/1", revoked=()).replace("127.0.0.1", "localhost")
    status, checks, _ = _verify(client, _credential(key, url, 8))
    assert status == 422 and checks["status"]["result"] == "unknown"
    assert server.requests == []
