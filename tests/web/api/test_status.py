"""Revocation and suspension over HTTP: issue → change status → verify, in both formats,
through the VC API, the published lists, the CLI and the learner's wallet view."""

from __future__ import annotations

import copy
import io
import json

import pytest
from sqlmodel import select

from tests.factories import settings_env
from tests.fixtures.accounts import login, register
from wallet import cli
from wallet.db import status_crud
from wallet.db.models import AuditEvent, CredentialRecord, StatusList
from wallet.issuance import build_credential
from wallet.jose import parse_compact, verify_signature
from wallet.sdjwt import split_sd_jwt
from wallet.status import bit_at, decode_list, decode_lst, value_at

UNI = "uni"


def _credential(world, slug=UNI, type_name="diploma"):
    services = world.services
    ctype = services.types.get(type_name)
    subject = {k: v for k, v in copy.deepcopy(ctype.example).items() if k != "id"}
    return build_credential(ctype, subject, issuer_did=services.registry.by_slug(slug).did)


def _auth(world, slug=UNI):
    return {"Authorization": f"Bearer {world.tokens[slug]}"}


def _issue(api, world, *, fmt="vc+jwt", credential_id=None, learner=None, slug=UNI):
    options = {"format": fmt}
    if credential_id:
        options["credentialId"] = credential_id
    if learner:
        options["learner"] = learner
    response = api.post(
        "/credentials/issue",
        json={"credential": _credential(world, slug), "options": options},
        headers=_auth(world, slug),
    )
    assert response.status_code in (200, 201), response.text
    return response.json()["verifiableCredential"]["id"].split(",", 1)[1]


def _change(api, world, credential_id, purpose, status, *, slug=UNI, reason="test reason"):
    return api.post(
        "/credentials/status",
        json={
            "credentialId": credential_id,
            "credentialStatus": [{"type": "BitstringStatusListEntry", "statusPurpose": purpose}],
            "status": status,
            "reason": reason,
        },
        headers=_auth(world, slug),
    )


def _verify(api, token):
    response = api.post("/credentials/verify", json={"verifiableCredential": token})
    body = response.json()
    checks = {check["name"]: check for check in body["checks"]}
    return response.status_code, checks, body


def _codes(body):
    return [problem["code"] for problem in body["problemDetails"]]


def test_vc_jwt_carries_two_entries_sharing_one_index_of_our_list(api, accounts_world):
    token = _issue(api, accounts_world)
    entries = parse_compact(token).payload["credentialStatus"]
    assert [entry["statusPurpose"] for entry in entries] == ["revocation", "suspension"]
    assert {entry["type"] for entry in entries} == {"BitstringStatusListEntry"}
    assert entries[0]["statusListIndex"] == entries[1]["statusListIndex"]
    assert entries[0]["statusListIndex"].isdigit()
    assert entries[0]["statusListCredential"].startswith("https://wallet.test/status/uni/")
    assert entries[0]["statusListCredential"].endswith("/revocation")
    assert entries[1]["statusListCredential"].endswith("/suspension")
    status, checks, _ = _verify(api, token)
    assert status == 200
    assert checks["status"]["result"] == "passed"


def test_a_revoked_credential_fails_with_a_named_reason(api, accounts_world):
    token = _issue(api, accounts_world, credential_id="urn:uuid:0b6c7d2e-revoked-1")
    response = _change(api, accounts_world, "urn:uuid:0b6c7d2e-revoked-1", "revocation", True)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "credentialId": "urn:uuid:0b6c7d2e-revoked-1", "status": "revoked", "changed": True,
    }  # fmt: skip
    status, checks, body = _verify(api, token)
    assert status == 422
    assert checks["status"]["result"] == "failed"
    assert "revoked" in checks["status"]["reason"]
    assert _codes(body) == ["REVOKED"]
    # The other checks still pass: it is the status, not the signature, that fails.
    assert checks["signature"]["result"] == "passed"


def test_suspension_fails_then_passes_after_unsuspend(api, accounts_world):
    token = _issue(api, accounts_world, credential_id="urn:uuid:suspended-1")
    assert (
        _change(api, accounts_world, "urn:uuid:suspended-1", "suspension", True).json()["status"]
        == "suspended"
    )
    status, checks, body = _verify(api, token)
    assert status == 422 and _codes(body) == ["SUSPENDED"]
    assert "suspended" in checks["status"]["reason"]
    response = _change(api, accounts_world, "urn:uuid:suspended-1", "suspension", False)
    assert response.json()["status"] == "valid"
    status, checks, _ = _verify(api, token)
    assert status == 200 and checks["status"]["result"] == "passed"


@pytest.mark.parametrize(
    ("purpose", "status"), [("suspension", False), ("suspension", True), ("revocation", False)]
)
def test_revocation_is_final(api, accounts_world, purpose, status):
    token = _issue(api, accounts_world, credential_id="urn:uuid:final-1")
    assert _change(api, accounts_world, "urn:uuid:final-1", "revocation", True).status_code == 200
    response = _change(api, accounts_world, "urn:uuid:final-1", purpose, status)
    assert response.status_code in (400, 409), response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert _codes(_verify(api, token)[2]) == ["REVOKED"]


def test_repeating_a_change_is_idempotent_and_audited_once(api, accounts_world):
    _issue(api, accounts_world, credential_id="urn:uuid:twice-1")
    first = _change(api, accounts_world, "urn:uuid:twice-1", "revocation", True)
    second = _change(api, accounts_world, "urn:uuid:twice-1", "revocation", True)
    assert first.json()["changed"] is True
    assert second.status_code == 200 and second.json()["changed"] is False
    with accounts_world.services.session() as session:
        events = session.exec(
            select(AuditEvent).where(AuditEvent.action == "credential.revoke")
        ).all()
    assert len(events) == 1


def test_every_change_is_in_the_audit_log_with_who_when_and_why(api, accounts_world):
    _issue(api, accounts_world, credential_id="urn:uuid:audited-1")
    steps = [("suspension", True, "under review"), ("suspension", False, "review closed"),
             ("revocation", True, "obtained by fraud")]  # fmt: skip
    for purpose, status, reason in steps:
        assert (
            _change(
                api, accounts_world, "urn:uuid:audited-1", purpose, status, reason=reason
            ).status_code
            == 200
        )
    with accounts_world.services.session() as session:
        events = session.exec(
            select(AuditEvent)
            .where(
                AuditEvent.target == "urn:uuid:audited-1", AuditEvent.action != "credential.issue"
            )
            .order_by(AuditEvent.id)
        ).all()
    assert [e.action for e in events] == [
        "credential.suspend", "credential.unsuspend", "credential.revoke",
    ]  # fmt: skip
    assert {e.actor for e in events} == {"token:uni/test"}
    assert [json.loads(e.detail)["reason"] for e in events] == [r for _, _, r in steps]
    assert all(e.at == accounts_world.services.now() for e in events)


def test_another_institution_cannot_change_the_status(api, accounts_world):
    token = _issue(api, accounts_world, credential_id="urn:uuid:theirs-1")
    response = _change(api, accounts_world, "urn:uuid:theirs-1", "revocation", True, slug="school")
    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"
    assert _verify(api, token)[0] == 200
    with accounts_world.services.session() as session:
        assert session.get(CredentialRecord, "urn:uuid:theirs-1").status == 0


@pytest.mark.parametrize(
    "body",
    [
        {"credentialStatus": [{"statusPurpose": "revocation"}], "status": True, "reason": "x"},
        {"credentialId": "urn:uuid:bad-1", "status": True, "reason": "x",
         "credentialStatus": [{"statusPurpose": "refresh"}]},
        {"credentialId": "urn:uuid:bad-1", "status": True,
         "credentialStatus": [{"statusPurpose": "revocation"}]},
        {"credentialId": "urn:uuid:bad-1", "status": True, "reason": "",
         "credentialStatus": [{"statusPurpose": "revocation"}]},
        {"credentialId": "urn:uuid:bad-1", "status": True, "reason": "   ",
         "credentialStatus": [{"statusPurpose": "revocation"}]},
        {"credentialId": "urn:uuid:bad-1", "status": "yes", "reason": "x",
         "credentialStatus": [{"statusPurpose": "revocation"}]},
        {"credentialId": "urn:uuid:bad-1", "status": True, "reason": "x",
         "credentialStatus": [{"statusPurpose": "revocation"}, {"statusPurpose": "suspension"}]},
    ],
    ids=["no-id", "unknown-purpose", "no-reason", "empty-reason", "blank-reason", "not-bool",
         "two-entries"],
)  # fmt: skip
def test_bad_status_requests_are_refused_and_change_nothing(api, accounts_world, body):
    _issue(api, accounts_world, credential_id="urn:uuid:bad-1")
    response = api.post("/credentials/status", json=body, headers=_auth(accounts_world))
    assert 400 <= response.status_code < 500, response.text
    with accounts_world.services.session() as session:
        assert session.get(CredentialRecord, "urn:uuid:bad-1").status == 0
        assert session.exec(select(StatusList)).one().version == 0


def test_status_changes_need_an_issuer_token(api, accounts_world):
    _issue(api, accounts_world, credential_id="urn:uuid:anon-1")
    response = api.post(
        "/credentials/status",
        json={"credentialId": "urn:uuid:anon-1", "status": True, "reason": "x",
              "credentialStatus": [{"statusPurpose": "revocation"}]},
    )  # fmt: skip
    assert response.status_code == 401


def test_unknown_credential_is_not_found(api, accounts_world):
    response = _change(api, accounts_world, "urn:uuid:never-issued", "revocation", True)
    assert response.status_code == 404


def test_revoking_a_record_revokes_every_envelope(api, accounts_world):
    vc_jwt = _issue(api, accounts_world, credential_id="urn:uuid:both-1")
    sd_jwt = _issue(api, accounts_world, credential_id="urn:uuid:both-1", fmt="dc+sd-jwt")
    payload = parse_compact(
        split_sd_jwt(sd_jwt, max_chars=100_000, max_disclosures=256).jwt
    ).payload
    index = int(parse_compact(vc_jwt).payload["credentialStatus"][0]["statusListIndex"])
    assert payload["status"]["status_list"]["idx"] == index
    assert payload["status"]["status_list"]["uri"].endswith("/token")
    assert _verify(api, sd_jwt)[0] == 200
    _change(api, accounts_world, "urn:uuid:both-1", "suspension", True)
    for token in (vc_jwt, sd_jwt):
        status, _, body = _verify(api, token)
        assert (status, _codes(body)) == (422, ["SUSPENDED"])
    _change(api, accounts_world, "urn:uuid:both-1", "revocation", True)
    for token in (vc_jwt, sd_jwt):
        status, checks, body = _verify(api, token)
        assert (status, _codes(body)) == (422, ["REVOKED"])
        assert checks["status"]["result"] == "failed"


def _published(api, url):
    response = api.get(url.removeprefix("https://wallet.test"))
    assert response.status_code == 200, response.text
    return response


def test_published_lists_reflect_changes_in_both_formats(api, accounts_world):
    services = accounts_world.services
    tokens = {name: _issue(api, accounts_world, credential_id=f"urn:uuid:pub-{name}")
              for name in ("revoked", "suspended", "valid")}  # fmt: skip
    _change(api, accounts_world, "urn:uuid:pub-revoked", "revocation", True)
    _change(api, accounts_world, "urn:uuid:pub-suspended", "suspension", True)
    entries = {name: parse_compact(t).payload["credentialStatus"] for name, t in tokens.items()}
    index = {name: int(e[0]["statusListIndex"]) for name, e in entries.items()}
    revocation = _published(api, entries["valid"][0]["statusListCredential"])
    assert revocation.headers["content-type"] == "application/vc+jwt"
    assert revocation.headers["cache-control"] == "public, max-age=300"
    parsed = parse_compact(revocation.text)
    assert parsed.header["typ"] == "vc+jwt"
    key = services.key_history.lookup(UNI, parsed.header["kid"])
    verify_signature(parsed, key.jwk)
    credential = parsed.payload
    assert "BitstringStatusListCredential" in credential["type"]
    assert credential["issuer"] == services.registry.by_slug(UNI).did
    assert credential["id"] == entries["valid"][0]["statusListCredential"]
    subject = credential["credentialSubject"]
    assert subject["statusPurpose"] == "revocation" and subject["ttl"] == 300_000
    bits = decode_list(subject["encodedList"], max_bytes=1 << 20)
    assert len(bits) * 8 == 131_072
    assert [bit_at(bits, index[n]) for n in ("revoked", "suspended", "valid")] == [1, 0, 0]
    assert bits.count(0) == len(bits) - 1

    suspension = parse_compact(_published(api, entries["valid"][1]["statusListCredential"]).text)
    bits = decode_list(suspension.payload["credentialSubject"]["encodedList"], max_bytes=1 << 20)
    assert [bit_at(bits, index[n]) for n in ("revoked", "suspended", "valid")] == [0, 1, 0]

    uri = entries["valid"][0]["statusListCredential"].rsplit("/", 1)[0] + "/token"
    response = _published(api, uri)
    assert response.headers["content-type"] == "application/statuslist+jwt"
    token = parse_compact(response.text)
    assert token.header["typ"] == "statuslist+jwt"
    verify_signature(token, services.key_history.lookup(UNI, token.header["kid"]).jwk)
    assert token.payload["sub"] == uri and token.payload["ttl"] == 300
    assert token.payload["exp"] > token.payload["iat"]
    packed = decode_lst(token.payload["status_list"]["lst"], max_bytes=1 << 20)
    assert token.payload["status_list"]["bits"] == 2
    assert [value_at(packed, index[n], 2) for n in ("revoked", "suspended", "valid")] == [1, 2, 0]

    # An unsuspension shows at once in the published list (interval 0 in tests).
    _change(api, accounts_world, "urn:uuid:pub-suspended", "suspension", False)
    suspension = parse_compact(_published(api, entries["valid"][1]["statusListCredential"]).text)
    bits = decode_list(suspension.payload["credentialSubject"]["encodedList"], max_bytes=1 << 20)
    assert bit_at(bits, index["suspended"]) == 0


@pytest.mark.parametrize(
    "path",
    ["/status/uni/999/revocation", "/status/school/1/revocation", "/status/uni/1/refresh",
     "/status/uni/0/token", "/status/nobody/1/token"],
)  # fmt: skip
def test_unknown_lists_are_not_found(api, accounts_world, path):
    _issue(api, accounts_world)
    response = api.get(path)
    assert response.status_code in (404, 422), response.text
    assert response.status_code != 200


def test_indices_are_distinct_and_not_in_issuance_order(api, accounts_world):
    indices = []
    for n in range(24):
        token = _issue(api, accounts_world, credential_id=f"urn:uuid:order-{n}")
        indices.append(int(parse_compact(token).payload["credentialStatus"][0]["statusListIndex"]))
    assert len(set(indices)) == len(indices)
    assert indices != sorted(indices)
    assert max(indices) - min(indices) > 131_072 // 4


def test_a_full_list_opens_a_new_one_within_one_batch(accounts_world):
    services = accounts_world.services
    accounts_world.issue(UNI, "diploma")
    with services.session() as session:
        (first,) = session.exec(select(StatusList)).all()
        first.allocated = first.size - 2
        session.add(first)
        session.commit()
    issuer = services.registry.by_slug(UNI)
    with services.session() as session:
        runs = status_crud.reserve(
            session, issuer_slug=UNI, count=5, size=131_072, new_key=lambda: b"k" * 16,
            now=services.now(),
        )  # fmt: skip
        session.rollback()
    assert [(run.list.id, run.first, run.length) for run in runs] == [
        (first.id, first.size - 2, 2), (first.id + 1, 0, 3),
    ]  # fmt: skip
    from wallet.issuance import IssueRequest, issue_batch

    requests = [IssueRequest(credential=_credential(accounts_world)) for _ in range(5)]
    with services.session() as session:
        issued = issue_batch(
            session, ctx=services.issuance, issuer=issuer, requests=requests, now=services.now()
        )
        session.commit()
    lists = {
        parse_compact(item.token).payload["credentialStatus"][0]["statusListCredential"]
        for item in issued
    }
    assert len(lists) == 2
    with services.session() as session:
        sizes = sorted(row.allocated for row in session.exec(select(StatusList)).all())
    assert sizes == [3, 131_072]


def test_the_wallet_view_shows_a_revocation(api, accounts_world, mailbox):
    learner = login(api, register(api, mailbox, "status.learner@example.lv"))
    _issue(api, accounts_world, credential_id="urn:uuid:wallet-1",
           learner={"email": "status.learner@example.lv"})  # fmt: skip
    (item,) = api.get("/wallet/credentials", headers=learner.auth).json()["items"]
    assert item["trust"] == "verified"
    view = api.get(f"/wallet/credentials/{item['id']}", headers=learner.auth).json()
    assert view["verification"]["verified"] is True
    _change(api, accounts_world, "urn:uuid:wallet-1", "revocation", True, reason="fraud")
    view = api.get(f"/wallet/credentials/{item['id']}", headers=learner.auth).json()
    assert view["verification"]["verified"] is False
    status = {c["name"]: c for c in view["verification"]["checks"]}["status"]
    assert status["result"] == "failed" and "revoked" in status["reason"]


def test_the_cli_revokes_suspends_and_verifies(accounts_world, settings, tmp_path, capsys):
    token = accounts_world.issue(UNI, "diploma")
    credential_id = parse_compact(token).payload["id"]
    path = tmp_path / "credential.jwt"
    path.write_text(token)
    env = settings_env(settings)

    def run(*argv):
        out = io.StringIO()
        code = cli.main(list(argv), environ=env, out=out)
        return code, out.getvalue()

    assert run("verify", str(path))[0] == 0
    code, out = run("revoke", credential_id, "--suspend", "--reason", "under review")
    assert code == 0 and "suspended" in out
    code, out = run("verify", str(path), "--json")
    assert code == 1 and json.loads(out)["problemDetails"][0]["code"] == "SUSPENDED"
    assert run("revoke", credential_id, "--unsuspend", "--reason", "review closed")[0] == 0
    assert run("verify", str(path))[0] == 0
    assert run("revoke", credential_id, "--reason", "obtained by fraud")[0] == 0
    code, out = run("verify", str(path))
    assert code == 1 and "revoked" in out
    code, _ = run("revoke", credential_id, "--unsuspend", "--reason", "undo")
    assert code == 1
    assert "final" in capsys.readouterr().err
    assert run("revoke", "urn:uuid:nothing", "--reason", "x")[0] == 2
    with accounts_world.services.session() as session:
        actors = {
            e.actor
            for e in session.exec(select(AuditEvent)).all()
            if e.action.startswith("credential.") and e.action != "credential.issue"
        }
    assert len(actors) == 1 and next(iter(actors)).startswith("cli:")


def test_a_presentation_of_a_suspended_credential_does_not_verify(api, accounts_world, mailbox):
    learner = login(api, register(api, mailbox, "present.status@example.lv"))
    _issue(api, accounts_world, fmt="dc+sd-jwt", credential_id="urn:uuid:presented-1",
           learner={"email": "present.status@example.lv"})  # fmt: skip
    (item,) = api.get("/wallet/credentials", headers=learner.auth).json()["items"]

    def present_and_verify():
        challenge = api.post("/challenges", json={"domain": "hr.example.lv"}).json()["challenge"]
        vp = api.post(
            f"/wallet/credentials/{item['id']}/present",
            json={"disclose": [["givenName"]], "challenge": challenge, "domain": "hr.example.lv"},
            headers=learner.auth,
        ).json()["verifiablePresentation"]
        options = {"challenge": challenge, "domain": "hr.example.lv"}
        response = api.post(
            "/presentations/verify", json={"verifiablePresentation": vp, "options": options}
        )
        return response.status_code, response.json()

    assert present_and_verify()[0] == 200
    _change(api, accounts_world, "urn:uuid:presented-1", "suspension", True)
    status, body = present_and_verify()
    assert status == 422 and _codes(body) == ["SUSPENDED"]
    assert {c["name"]: c["result"] for c in body["checks"]}["status"] == "failed"
