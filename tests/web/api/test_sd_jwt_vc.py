"""SD-JWT VC end to end over HTTP: issue → wallet → challenge → present → verify."""

from __future__ import annotations

import copy
import json

import pytest
from sqlmodel import select

from tests.fixtures.accounts import login, register
from wallet.db.models import CredentialEnvelope
from wallet.issuance import build_credential
from wallet.jose import b64url_decode, parse_compact
from wallet.sdjwt import split_sd_jwt
from wallet.vc import parse_datetime_stamp

CODE = "010190-10001"


def issue(api, world, *, fmt="dc+sd-jwt", learner=None, credential_id=None, type_name="diploma"):
    services = world.services
    ctype = services.types.get(type_name)
    subject = {k: v for k, v in copy.deepcopy(ctype.example).items() if k != "id"}
    credential = build_credential(ctype, subject, issuer_did=services.registry.by_slug("uni").did)
    options = {"format": fmt}
    if learner:
        options["learner"] = learner
    if credential_id:
        options["credentialId"] = credential_id
    return api.post(
        "/credentials/issue",
        json={"credential": credential, "options": options},
        headers={"Authorization": f"Bearer {world.tokens['uni']}"},
    )


def sd_jwt_of(response) -> str:
    assert response.status_code in (200, 201), response.text
    enveloped = response.json()["verifiableCredential"]
    assert enveloped["id"].startswith("data:application/dc+sd-jwt,")
    return enveloped["id"].split(",", 1)[1]


@pytest.fixture
def learner(api, mailbox):
    return login(api, register(api, mailbox, "sd.learner@example.lv"))


def test_issue_present_and_verify_end_to_end(api, accounts_world, learner):
    serialized = sd_jwt_of(issue(api, accounts_world, learner={"email": learner.email}))
    parts = split_sd_jwt(serialized, max_chars=100_000, max_disclosures=256)
    payload = parse_compact(parts.jwt).payload
    assert parse_compact(parts.jwt).header["typ"] == "dc+sd-jwt"
    assert payload["iss"] == "https://wallet.test/issuers/uni"
    assert payload["vct"] == "https://wallet.test/types/diploma/v1"
    assert "cnf" in payload and payload["cnf"]["jwk"]["crv"] == "P-256"
    assert "birthDate" not in payload  # always disclosable
    assert payload["achievement"]["title"]["lv"]  # never disclosable: in the clear
    # The institution's record keeps the signed JWT without any disclosure.
    with accounts_world.services.session() as session:
        (row,) = session.exec(select(CredentialEnvelope)).all()
    assert row.token == parts.jwt + "~"
    # The learner's wallet has it, verified.
    (item,) = api.get("/wallet/credentials", headers=learner.auth).json()["items"]
    assert item["trust"] == "verified"
    # A verifier asks; the learner shows only their names.
    challenge = api.post("/challenges", json={"domain": "hr.example.lv"}).json()["challenge"]
    presented = api.post(
        f"/wallet/credentials/{item['id']}/present",
        json={"disclose": [["givenName"], ["familyName"]], "challenge": challenge,
              "domain": "hr.example.lv"},
        headers=learner.auth,
    )  # fmt: skip
    assert presented.status_code == 201, presented.text
    vp = presented.json()["verifiablePresentation"]
    assert CODE not in vp
    body = {
        "verifiablePresentation": vp,
        "options": {"challenge": challenge, "domain": "hr.example.lv"},
    }
    verified = api.post("/presentations/verify", json=body)
    assert verified.status_code == 200, verified.text
    result = verified.json()
    assert sorted(result["results"]["disclosed"]) == ["familyName", "givenName"]
    assert "birthDate" not in result["results"]["credential"]
    assert {c["name"]: c["result"] for c in result["checks"]}["challenge"] == "passed"
    # The challenge is used up: the same presentation again is refused.
    replay = api.post("/presentations/verify", json=body)
    assert replay.status_code == 422
    assert {c["name"]: c["result"] for c in replay.json()["checks"]}["challenge"] == "failed"


def test_personal_code_is_an_always_disclosable_claim(api, accounts_world):
    serialized = sd_jwt_of(issue(api, accounts_world, learner={"personalCode": CODE}))
    parts = split_sd_jwt(serialized, max_chars=100_000, max_disclosures=256)
    assert "personalCode" not in parse_compact(parts.jwt).payload
    disclosed = [json.loads(b64url_decode(d)) for d in parts.disclosures]
    assert ["personalCode", CODE] in [d[1:] for d in disclosed if len(d) == 3]
    with accounts_world.services.session() as session:
        (row,) = session.exec(select(CredentialEnvelope)).all()
    assert CODE not in row.token and "~" + parts.disclosures[0] not in row.token


def test_presentation_for_another_domain_or_challenge_is_refused(api, accounts_world, learner):
    sd_jwt_of(issue(api, accounts_world, learner={"email": learner.email}))
    (item,) = api.get("/wallet/credentials", headers=learner.auth).json()["items"]
    challenge = api.post("/challenges", json={"domain": "a.example"}).json()["challenge"]
    vp = api.post(
        f"/wallet/credentials/{item['id']}/present",
        json={"disclose": [], "challenge": challenge, "domain": "a.example"},
        headers=learner.auth,
    ).json()["verifiablePresentation"]
    other = api.post(
        "/presentations/verify",
        json={
            "verifiablePresentation": vp,
            "options": {"challenge": challenge, "domain": "b.example"},
        },
    )
    assert other.status_code == 422
    assert {c["name"]: c["result"] for c in other.json()["checks"]}["keyBinding"] == "failed"


def test_the_stored_sd_jwt_vc_verifies_at_credentials_verify(api, accounts_world, learner):
    serialized = sd_jwt_of(issue(api, accounts_world, learner={"email": learner.email}))
    response = api.post("/credentials/verify", json={"verifiableCredential": serialized})
    assert response.status_code == 200, response.text
    assert response.json()["results"]["disclosed"]


def test_second_format_of_a_record_keeps_its_valid_from(api, accounts_world, learner):
    record = "urn:uuid:6b1e6f2e-0000-4000-8000-000000000001"
    first = issue(
        api, accounts_world, fmt="vc+jwt", credential_id=record, learner={"email": learner.email}
    )
    assert first.status_code == 201
    vc = parse_compact(first.json()["verifiableCredential"]["id"].split(",", 1)[1]).payload
    accounts_world.clock[0] += 3600
    second = sd_jwt_of(
        issue(api, accounts_world, credential_id=record, learner={"email": learner.email})
    )
    payload = parse_compact(second.split("~", 1)[0]).payload
    assert payload["nbf"] == parse_datetime_stamp(vc["validFrom"], field="validFrom")
    assert payload["iat"] == vc["iat"] + 3600


def test_generic_credentials_are_not_issued_as_sd_jwt_vc(api, accounts_world):
    credential = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://www.w3.org/ns/credentials/examples/v2",
        ],
        "type": ["VerifiableCredential", "ExampleAlumniCredential"],
        "issuer": accounts_world.services.registry.by_slug("uni").did,
        "credentialSubject": {"id": "did:example:abcdefgh", "alumniOf": "The School of Examples"},
    }
    response = api.post(
        "/credentials/issue",
        json={"credential": credential, "options": {"format": "dc+sd-jwt"}},
        headers={"Authorization": f"Bearer {accounts_world.tokens['uni']}"},
    )
    assert response.status_code in (400, 403, 422)


def test_another_learner_cannot_present_my_credential(api, mailbox, accounts_world, learner):
    sd_jwt_of(issue(api, accounts_world, learner={"email": learner.email}))
    (item,) = api.get("/wallet/credentials", headers=learner.auth).json()["items"]
    other = login(api, register(api, mailbox, "other.learner@example.lv"))
    response = api.post(
        f"/wallet/credentials/{item['id']}/present",
        json={"disclose": [], "challenge": "c", "domain": "a.example"},
        headers=other.auth,
    )
    assert response.status_code == 404


def test_an_imported_sd_jwt_vc_is_kept_verified(api, mailbox, accounts_world, learner):
    serialized = sd_jwt_of(issue(api, accounts_world))
    imported = api.post(
        "/wallet/credentials", json={"verifiableCredential": serialized}, headers=learner.auth
    )
    assert imported.status_code == 201, imported.text
    assert imported.json()["trust"] == "verified"


def test_an_sd_jwt_vc_reads_like_any_credential_in_the_wallet(api, accounts_world, learner):
    sd_jwt_of(issue(api, accounts_world, learner={"email": learner.email}))
    (item,) = api.get("/wallet/credentials", headers=learner.auth).json()["items"]
    assert item["issuer"]["id"] == "https://wallet.test/issuers/uni"
    ctype = accounts_world.services.types.get("diploma")
    expected = ctype.title(ctype.example, "lv")
    assert item["title"] == expected
    detail = api.get(f"/wallet/credentials/{item['id']}?lang=lv", headers=learner.auth).json()
    assert detail["title"] == expected
    labels = {claim["label"] for claim in detail["claims"]}
    assert "Vārds" in labels  # givenName, disclosed to its holder
