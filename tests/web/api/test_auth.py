"""Accounts and sessions over the API, end to end with the test SMTP server.

Every link a test follows comes out of a message the test SMTP server received. Failure
answers are compared whole: an unknown account and a wrong password must look the same.
"""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from tests.factories import make_world
from tests.fixtures.accounts import (
    NEW_PASSWORD,
    PASSWORD,
    Person,
    last_link,
    login,
    register,
    token_of,
)
from tests.fixtures.mail import free_port, links
from wallet import accounts, totp
from wallet.db import account_crud
from wallet.db.models import Account
from wallet.jose import b64url_decode, b64url_encode
from wallet.sessions import SESSION_TOKEN_TYP
from wallet.web.app import create_app


def accounts_in(world) -> list[Account]:
    with world.services.session() as session:
        return list(session.exec(select(Account)).all())


def problem(response) -> dict:
    body = response.json()
    body.pop("status", None)
    return body


def test_register_verify_login_account_logout(api, mailbox):
    person = login(api, register(api, mailbox, "liga@example.lv"))
    me = api.get("/account", headers=person.auth)
    assert me.status_code == 200, me.text
    assert me.json() == {
        "email": "liga@example.lv",
        "role": "learner",
        "institution": None,
        "language": "lv",
        "emailVerified": True,
        "secondFactor": False,
        "personalCodeLinked": False,
    }
    assert api.post("/auth/logout", headers=person.auth).status_code == 204
    assert api.get("/account", headers=person.auth).status_code == 401


def test_logout_ends_every_session_of_the_account(api, mailbox):
    person = register(api, mailbox, "janis@example.lv")
    first = login(api, Person(person.email, person.password)).auth
    second = login(api, Person(person.email, person.password)).auth
    assert api.post("/auth/logout", headers=first).status_code == 204
    assert api.get("/account", headers=second).status_code == 401


@pytest.mark.parametrize(
    ("language", "phrase"), [("lv", "apstipriniet"), ("en", "confirm"), ("ru", "подтвердите")]
)
def test_verification_mail_is_in_the_accounts_language(api, mailbox, language, phrase):
    email = f"{language}@example.lv"
    response = api.post(
        "/auth/register", json={"email": email, "password": PASSWORD, "language": language}
    )
    assert response.status_code == 202
    (message,) = mailbox.wait_for(to=email)
    text = message.get_body(("plain",)).get_content().lower()
    assert phrase in text, text


def test_register_taken_address_answers_the_same_and_sends_nothing(api, mailbox, accounts_world):
    register(api, mailbox, "anna@example.lv")
    again = api.post("/auth/register", json={"email": "ANNA@example.lv", "password": NEW_PASSWORD})
    assert again.status_code == 202
    assert again.json() == {"status": "accepted"}
    assert len(mailbox.wait_for(to="anna@example.lv")) == 1
    assert len(accounts_in(accounts_world)) == 1


def test_login_before_the_address_is_proven_is_refused(api, mailbox):
    api.post("/auth/register", json={"email": "new@example.lv", "password": PASSWORD})
    mailbox.wait_for(to="new@example.lv")
    response = api.post("/auth/login", json={"email": "new@example.lv", "password": PASSWORD})
    assert response.status_code == 401


def test_unknown_account_and_wrong_password_answer_alike(api, mailbox):
    register(api, mailbox, "maris@example.lv")
    wrong = api.post("/auth/login", json={"email": "maris@example.lv", "password": "x" * 20})
    unknown = api.post("/auth/login", json={"email": "nobody@example.lv", "password": "x" * 20})
    assert wrong.status_code == unknown.status_code == 401
    assert problem(wrong) == problem(unknown)


def test_verification_link_is_single_use(api, mailbox):
    api.post("/auth/register", json={"email": "once@example.lv", "password": PASSWORD})
    token = token_of(last_link(mailbox, "once@example.lv", count=1))
    assert api.post("/auth/email/verify", json={"token": token}).status_code == 200
    reused = api.post("/auth/email/verify", json={"token": token})
    assert reused.status_code == 410
    assert reused.json()["code"] == "LINK_NOT_USABLE"
    forged = api.post("/auth/email/verify", json={"token": b64url_encode(b"\0" * 32)})
    assert problem(forged) == problem(reused)


def test_verification_link_expires(api, mailbox, accounts_world):
    api.post("/auth/register", json={"email": "late@example.lv", "password": PASSWORD})
    token = token_of(last_link(mailbox, "late@example.lv", count=1))
    accounts_world.clock[0] += accounts_world.services.settings.verify_link_ttl_seconds
    assert api.post("/auth/email/verify", json={"token": token}).status_code == 410
    login_now = api.post("/auth/login", json={"email": "late@example.lv", "password": PASSWORD})
    assert login_now.status_code == 401


def test_weak_password_is_refused_naming_the_rules_and_nothing_is_created(
    api, mailbox, accounts_world
):
    response = api.post("/auth/register", json={"email": "weak@example.lv", "password": "password"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "WEAK_PASSWORD"
    assert {error["pointer"] for error in body["errors"]} == {"/password"}
    assert len(body["errors"]) >= 2  # too short and common
    assert "qwerty" not in response.text
    assert accounts_in(accounts_world) == []
    assert mailbox.messages == []


def test_malformed_address_is_a_4xx(api, accounts_world):
    for email in ("not-an-address", "a@b", "x@example.lv\r\nBcc: y@example.lv", "ā@example.lv"):
        response = api.post("/auth/register", json={"email": email, "password": PASSWORD})
        assert 400 <= response.status_code < 500, (email, response.text)
    assert accounts_in(accounts_world) == []


def test_failed_logins_are_rate_limited_per_account(api, mailbox):
    register(api, mailbox, "target@example.lv")
    for _ in range(5):
        bad = api.post("/auth/login", json={"email": "target@example.lv", "password": "w" * 20})
        assert bad.status_code == 401
    blocked = api.post("/auth/login", json={"email": "target@example.lv", "password": PASSWORD})
    assert blocked.status_code == 429
    assert blocked.json()["code"] == "RATE_LIMITED"


def test_rate_limit_answers_unknown_accounts_alike(api, mailbox):
    register(api, mailbox, "known@example.lv")
    answers = {}
    for email in ("known@example.lv", "unknown@example.lv"):
        for _ in range(5):
            api.post("/auth/login", json={"email": email, "password": "w" * 20})
        answers[email] = api.post("/auth/login", json={"email": email, "password": "w" * 20})
    known, unknown = answers.values()
    assert known.status_code == unknown.status_code == 429
    assert problem(known) == problem(unknown)


def test_rate_limit_window_passes(api, mailbox, accounts_world):
    register(api, mailbox, "patient@example.lv")
    for _ in range(5):
        api.post("/auth/login", json={"email": "patient@example.lv", "password": "w" * 20})
    accounts_world.clock[0] += 900
    login(api, Person("patient@example.lv", PASSWORD))


def test_failed_logins_are_rate_limited_per_address(api, mailbox):
    for n in range(30):
        api.post("/auth/login", json={"email": f"spray{n}@example.lv", "password": "w" * 20})
    register(api, mailbox, "innocent@example.lv")
    response = api.post("/auth/login", json={"email": "innocent@example.lv", "password": PASSWORD})
    assert response.status_code == 429


def test_forgot_and_reset_password(api, mailbox):
    person = login(api, register(api, mailbox, "reset@example.lv"))
    assert api.post("/auth/password/forgot", json={"email": "reset@example.lv"}).status_code == 202
    link = last_link(mailbox, "reset@example.lv", count=2)
    assert link.startswith("https://wallet.test/reset-password?token=")
    token = token_of(link)
    done = api.post("/auth/password/reset", json={"token": token, "password": NEW_PASSWORD})
    assert done.status_code == 204, done.text
    assert api.get("/account", headers=person.auth).status_code == 401  # every session ended
    old = api.post("/auth/login", json={"email": "reset@example.lv", "password": PASSWORD})
    assert old.status_code == 401
    login(api, Person("reset@example.lv", NEW_PASSWORD))
    again = api.post("/auth/password/reset", json={"token": token, "password": PASSWORD})
    assert again.status_code == 410
    notice = mailbox.wait_for(to="reset@example.lv", count=3)[2]
    assert links(notice) == [] or all("token=" not in link for link in links(notice))


def test_forgot_for_an_unknown_address_answers_the_same_and_sends_nothing(api, mailbox):
    known = register(api, mailbox, "has@example.lv")
    a = api.post("/auth/password/forgot", json={"email": known.email})
    b = api.post("/auth/password/forgot", json={"email": "hasnot@example.lv"})
    assert a.status_code == b.status_code == 202
    assert a.json() == b.json()
    assert len(mailbox.wait_for(to=known.email, count=2)) == 2
    assert all("hasnot@example.lv" not in r.rcpt_tos for r in mailbox.received)


def test_reset_with_a_weak_password_keeps_the_link_usable(api, mailbox):
    register(api, mailbox, "keep@example.lv")
    api.post("/auth/password/forgot", json={"email": "keep@example.lv"})
    token = token_of(last_link(mailbox, "keep@example.lv", count=2))
    weak = api.post("/auth/password/reset", json={"token": token, "password": "short"})
    assert weak.status_code == 400
    ok = api.post("/auth/password/reset", json={"token": token, "password": NEW_PASSWORD})
    assert ok.status_code == 204


def test_password_mails_are_rate_limited(api, mailbox):
    register(api, mailbox, "bomb@example.lv")  # the verification mail counts too
    answers = [
        api.post("/auth/password/forgot", json={"email": "bomb@example.lv"}).status_code
        for _ in range(3)
    ]
    assert answers == [202, 202, 429]
    assert len(mailbox.wait_for(to="bomb@example.lv", count=3)) == 3


def test_change_password_ends_every_session(api, mailbox):
    person = register(api, mailbox, "change@example.lv")
    one = login(api, Person(person.email, PASSWORD)).auth
    two = login(api, Person(person.email, PASSWORD)).auth
    wrong = api.post(
        "/auth/password/change",
        json={"currentPassword": "w" * 20, "newPassword": NEW_PASSWORD},
        headers=one,
    )
    assert wrong.status_code == 401
    assert api.get("/account", headers=one).status_code == 200  # a wrong guess changes nothing
    done = api.post(
        "/auth/password/change",
        json={"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD},
        headers=one,
    )
    assert done.status_code == 204, done.text
    assert api.get("/account", headers=one).status_code == 401
    assert api.get("/account", headers=two).status_code == 401
    login(api, Person(person.email, NEW_PASSWORD))


def test_delete_account(api, mailbox, accounts_world):
    person = login(api, register(api, mailbox, "bye@example.lv"))
    wrong = api.post("/account/delete", json={"password": "w" * 20}, headers=person.auth)
    assert wrong.status_code == 401
    assert len(accounts_in(accounts_world)) == 1
    done = api.post("/account/delete", json={"password": PASSWORD}, headers=person.auth)
    assert done.status_code == 204
    assert accounts_in(accounts_world) == []
    assert api.get("/account", headers=person.auth).status_code == 401
    gone = api.post("/auth/login", json={"email": person.email, "password": PASSWORD})
    assert gone.status_code == 401
    assert len(mailbox.wait_for(to=person.email, count=2)) == 2  # verification + farewell


def enrol(api, person, accounts_world) -> tuple[str, list[str]]:
    started = api.post("/account/second-factor", headers=person.auth)
    assert started.status_code == 201, started.text
    secret = started.json()["secret"]
    assert started.json()["otpauthUri"].startswith("otpauth://totp/")
    code = totp.code_at(secret, now=int(accounts_world.clock[0]))
    confirmed = api.post("/account/second-factor/confirm", json={"code": code}, headers=person.auth)
    assert confirmed.status_code == 200, confirmed.text
    return secret, confirmed.json()["recoveryCodes"]


def test_second_factor_is_required_once_set_up(api, mailbox, accounts_world):
    person = login(api, register(api, mailbox, "totp@example.lv"))
    secret, recovery = enrol(api, person, accounts_world)
    assert len(recovery) == 10
    assert api.get("/account", headers=person.auth).json()["secondFactor"] is True
    body = {"email": person.email, "password": PASSWORD}
    missing = api.post("/auth/login", json=body)
    assert missing.status_code == 401
    assert missing.json()["code"] == "SECOND_FACTOR_FAILED"
    accounts_world.clock[0] += 30
    code = totp.code_at(secret, now=int(accounts_world.clock[0]))
    assert api.post("/auth/login", json={**body, "code": code}).status_code == 201
    replay = api.post("/auth/login", json={**body, "code": code})
    assert replay.status_code == 401
    assert api.post("/auth/login", json={**body, "code": recovery[0]}).status_code == 201
    used = api.post("/auth/login", json={**body, "code": recovery[0]})
    assert used.status_code == 401


def test_wrong_second_factor_codes_are_rate_limited(api, mailbox, accounts_world):
    person = login(api, register(api, mailbox, "guess@example.lv"))
    secret, _ = enrol(api, person, accounts_world)
    body = {"email": person.email, "password": PASSWORD}
    for _ in range(5):
        assert api.post("/auth/login", json={**body, "code": "000000"}).status_code == 401
    accounts_world.clock[0] += 30
    right = totp.code_at(secret, now=int(accounts_world.clock[0]))
    assert api.post("/auth/login", json={**body, "code": right}).status_code == 429


def test_second_factor_cannot_be_set_up_twice(api, mailbox, accounts_world):
    person = login(api, register(api, mailbox, "twice@example.lv"))
    enrol(api, person, accounts_world)
    assert api.post("/account/second-factor", headers=person.auth).status_code == 409


def test_totp_secret_is_sealed_at_rest(api, mailbox, accounts_world):
    person = login(api, register(api, mailbox, "sealed@example.lv"))
    secret, _ = enrol(api, person, accounts_world)
    (row,) = accounts_in(accounts_world)
    assert row.totp_secret is not None and secret not in row.totp_secret
    assert row.totp_secret.startswith("v1.")


def make_staff(world, email: str, slug: str = "uni") -> Person:
    services = world.services
    now = int(world.clock[0])
    with services.session() as session:
        account = accounts.register(
            session,
            ctx=services.accounts,
            email=email,
            password=PASSWORD,
            language="en",
            now=now,
            role="staff",
            issuer_slug=slug,
            actor="test",
        )
        assert account is not None
        account.email_verified_at = now
        session.add(account)
        session.commit()
    return Person(email, PASSWORD)


def issue_body(world, slug: str) -> dict:
    from wallet.issuance import build_credential

    ctype = world.services.types.get("course-certificate")
    issuer = world.services.registry.by_slug(slug)
    return {"credential": build_credential(ctype, dict(ctype.example), issuer_did=issuer.did)}


def test_staff_issue_only_with_a_second_factor_and_only_for_their_institution(
    api, mailbox, accounts_world
):
    staff = login(api, make_staff(accounts_world, "registrar@uni.example.lv"))
    before = api.post(
        "/credentials/issue", json=issue_body(accounts_world, "uni"), headers=staff.auth
    )
    assert before.status_code == 403
    enrol(api, staff, accounts_world)
    issued = api.post(
        "/credentials/issue", json=issue_body(accounts_world, "uni"), headers=staff.auth
    )
    assert issued.status_code == 201, issued.text
    other = api.post(
        "/credentials/issue", json=issue_body(accounts_world, "school"), headers=staff.auth
    )
    assert other.status_code in (403, 422)


def test_learner_tokens_cannot_issue(api, mailbox, accounts_world):
    learner = login(api, register(api, mailbox, "learner@example.lv"))
    response = api.post(
        "/credentials/issue", json=issue_body(accounts_world, "uni"), headers=learner.auth
    )
    assert response.status_code == 403


def test_session_token_is_not_a_credential(api, mailbox):
    person = login(api, register(api, mailbox, "mix@example.lv"))
    header = b64url_decode(person.token.split(".")[0])
    assert SESSION_TOKEN_TYP.encode() in header
    response = api.post("/credentials/verify", json={"verifiableCredential": person.token})
    assert response.status_code == 422
    checks = {c["name"]: c["result"] for c in response.json()["checks"]}
    assert checks["header"] == "failed"


def test_credential_is_not_a_session_token(api, mailbox, accounts_world):
    issued = api.post(
        "/credentials/issue",
        json=issue_body(accounts_world, "uni"),
        headers={"Authorization": f"Bearer {accounts_world.tokens['uni']}"},
    )
    token = issued.json()["verifiableCredential"]["id"].split(",", 1)[1]
    response = api.get("/account", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_forged_and_expired_session_tokens_are_refused(api, mailbox, accounts_world):
    person = login(api, register(api, mailbox, "forge@example.lv"))
    head, payload, signature = person.token.split(".")
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    assert (
        api.get(
            "/account", headers={"Authorization": f"Bearer {head}.{payload}.{flipped}"}
        ).status_code
        == 401
    )
    claims = json.loads(b64url_decode(payload))
    claims["sub"] = "account:999"
    other = b64url_encode(json.dumps(claims).encode())
    assert (
        api.get(
            "/account", headers={"Authorization": f"Bearer {head}.{other}.{signature}"}
        ).status_code
        == 401
    )
    accounts_world.clock[0] += accounts_world.services.settings.session_ttl_seconds
    assert api.get("/account", headers=person.auth).status_code == 401


def test_uniform_answer_for_missing_and_garbage_tokens(api):
    answers = [
        api.get("/account"),
        api.get("/account", headers={"Authorization": "Bearer nonsense"}),
        api.get("/account", headers={"Authorization": "Basic dXNlcjpwYXNz"}),
        api.get("/account", headers={"Authorization": "Bearer a.b.c"}),
    ]
    assert {a.status_code for a in answers} == {401}


def test_mail_server_down_changes_nothing(settings, engine, now):
    down = settings.model_copy(update={"smtp_port": free_port(), "smtp_security": "none"})
    world = make_world(down, engine, now=now)
    with TestClient(create_app(down, services=world.services)) as client:
        response = client.post(
            "/auth/register", json={"email": "offline@example.lv", "password": PASSWORD}
        )
    assert response.status_code == 503
    assert response.json()["code"] == "MAIL_NOT_SENT"
    assert accounts_in(world) == []


def test_personal_code_field_is_refused_at_registration(api, accounts_world):
    response = api.post(
        "/auth/register",
        json={"email": "pk@example.lv", "password": PASSWORD, "personalCode": "010190-10001"},
    )
    assert response.status_code == 422
    assert accounts_in(accounts_world) == []


def test_account_rows_keep_no_personal_code_or_password(api, mailbox, accounts_world):
    register(api, mailbox, "rows@example.lv")
    (row,) = accounts_in(accounts_world)
    assert PASSWORD not in row.password_hash
    assert row.password_hash.startswith("$argon2id$")
    assert row.personal_code_hash is None
    with accounts_world.services.session() as session:
        assert account_crud.account_by_email(session, email="rows@example.lv") is not None


ACCOUNT_PATHS = (
    "/auth/register",
    "/auth/email/verify",
    "/auth/email/resend",
    "/auth/login",
    "/auth/logout",
    "/auth/password/forgot",
    "/auth/password/reset",
    "/auth/password/change",
    "/account",
    "/account/delete",
    "/account/second-factor",
    "/account/second-factor/confirm",
)


def _resolve(spec: dict, schema: dict) -> dict:
    ref = schema.get("$ref")
    return spec["components"]["schemas"][ref.rsplit("/", 1)[1]] if ref else schema


def test_account_endpoints_are_in_the_openapi_schema_with_examples(api):
    spec = api.get("/openapi.json").json()
    for path in ACCOUNT_PATHS:
        assert path in spec["paths"], path
        for method, operation in spec["paths"][path].items():
            assert operation.get("summary"), (method, path)
            body = operation.get("requestBody")
            if body is not None:
                schema = _resolve(spec, body["content"]["application/json"]["schema"])
                assert schema.get("examples"), f"{method} {path}: request has no example"
            for status, response in operation["responses"].items():
                if status.startswith("2") and "content" in response:
                    schema = _resolve(spec, response["content"]["application/json"]["schema"])
                    assert schema.get("examples"), f"{method} {path} {status}: no example"


def test_reset_link_older_than_ten_minutes_is_gone(api, mailbox, accounts_world):
    register(api, mailbox, "tardy@example.lv")
    api.post("/auth/password/forgot", json={"email": "tardy@example.lv"})
    token = token_of(last_link(mailbox, "tardy@example.lv", count=2))
    accounts_world.clock[0] += 600
    late = api.post("/auth/password/reset", json={"token": token, "password": NEW_PASSWORD})
    assert late.status_code == 410
    login(api, Person("tardy@example.lv", PASSWORD))  # the old password still works


def test_failures_from_elsewhere_do_not_lock_the_owner_out(accounts_world, mailbox, api):
    register(api, mailbox, "owner@example.lv")
    app = api.app
    with TestClient(app, base_url="https://wallet.test", client=("203.0.113.9", 4000)) as attacker:
        for _ in range(5):
            bad = {"email": "owner@example.lv", "password": "w" * 20}
            assert attacker.post("/auth/login", json=bad).status_code == 401
        blocked = attacker.post(
            "/auth/login", json={"email": "owner@example.lv", "password": PASSWORD}
        )
        assert blocked.status_code == 429
    login(api, Person("owner@example.lv", PASSWORD))


def _forged_session_token(person: Person, *, alg: str, key: bytes | None) -> str:
    header, payload, _ = person.token.split(".")
    claims = b64url_decode(payload)
    new_header = b64url_encode(json.dumps({"alg": alg, "typ": SESSION_TOKEN_TYP}).encode())
    body = b64url_encode(claims)
    if key is None:
        return f"{new_header}.{body}."
    mac = hmac.new(key, f"{new_header}.{body}".encode(), hashlib.sha256).digest()
    return f"{new_header}.{body}.{b64url_encode(mac)}"


def test_session_token_with_alg_none_is_refused(api, mailbox):
    person = login(api, register(api, mailbox, "none@example.lv"))
    forged = _forged_session_token(person, alg="none", key=None)
    assert api.get("/account", headers={"Authorization": f"Bearer {forged}"}).status_code == 401


def test_session_token_hs256_keyed_with_the_public_key_is_refused(api, mailbox):
    person = login(api, register(api, mailbox, "hs256@example.lv"))
    jwks = api.get("/.well-known/jwks.json").json()
    public = json.dumps(jwks["keys"][0]).encode()
    forged = _forged_session_token(person, alg="HS256", key=public)
    assert api.get("/account", headers={"Authorization": f"Bearer {forged}"}).status_code == 401


@pytest.mark.parametrize("name", ["access_token", "api_key"])
def test_tokens_in_the_query_string_are_refused(api, mailbox, name):
    person = login(api, register(api, mailbox, f"{name.replace('_', '')}@example.lv"))
    response = api.get(f"/account?{name}={person.token}", headers=person.auth)
    assert response.status_code == 400
    assert person.token not in response.text


def test_issuer_api_token_in_the_query_string_is_refused(api, accounts_world):
    token = accounts_world.tokens["uni"]
    assert api.get(f"/credentials?t={token}").status_code == 400
