"""Several service processes on one database see the same keys, records and registry state."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

from tests.conftest import NOW, REPO
from tests.factories import make_world, settings_env
from tests.fixtures.accounts import PASSWORD, account_env, account_settings, last_link, token_of
from tests.fixtures.serving import serve
from wallet.db.engine import make_engine
from wallet.service import Services
from wallet.verifier import verify_credential


def _env(settings) -> dict[str, str]:
    return {**os.environ, **settings_env(settings)}


def test_another_process_verifies_what_this_one_issued(settings, engine, tmp_path):
    world = make_world(settings, engine, now=NOW)
    token = world.issue("uni", "diploma", validFrom="2026-01-01T00:00:00Z")
    path = tmp_path / "credential.jwt"
    path.write_text(token)
    result = subprocess.run(
        [sys.executable, "-m", "wallet", "verify", str(path)],
        cwd=REPO, env=_env(settings), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("VERIFIED")


def test_rotation_in_one_process_reaches_another(settings, engine):
    world = make_world(settings, engine, now=NOW)
    other_engine = make_engine(settings.database_url)
    clock = [float(NOW)]
    other = Services.build(settings, engine=other_engine, clock=lambda: clock[0])
    try:
        services = world.services
        with services.session() as session:
            services.keystore.rotate(session, issuer=services.registry.by_slug("uni"), now=NOW)
            session.commit()
        token = world.issue("uni", "diploma", now=NOW + 10, validFrom="2026-01-01T00:00:00Z")
        clock[0] = NOW + 20
        report = verify_credential(token, ctx=other.verification, now=NOW + 20)
        assert report.verified, report.checks
        from wallet.db import crud

        with other.session() as session:
            assert crud.get_record(session, credential_id=report.credential["id"]) is not None
    finally:
        other_engine.dispose()


def _request(base: str, method: str, path: str, body: dict | None = None, token: str = ""):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{base}{path}", data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (our server)
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def test_logout_in_one_process_ends_the_session_in_another(
    settings, engine, mailbox, oidc_provider, tmp_path
):
    env = {**os.environ, **account_env(account_settings(settings, mailbox, oidc_provider))}
    with serve(env, log=tmp_path / "a.log") as first, serve(env, log=tmp_path / "b.log") as second:
        email = "two.processes@example.lv"
        status, _ = _request(
            first, "POST", "/auth/register", {"email": email, "password": PASSWORD}
        )
        assert status == 202
        link = last_link(mailbox, email, count=1)
        status, _ = _request(second, "POST", "/auth/email/verify", {"token": token_of(link)})
        assert status == 200
        status, body = _request(
            first, "POST", "/auth/login", {"email": email, "password": PASSWORD}
        )
        assert status == 201, body
        token = body["access_token"]
        assert _request(second, "GET", "/account", token=token)[0] == 200
        assert _request(first, "POST", "/auth/logout", token=token)[0] == 204
        status, problem = _request(second, "GET", "/account", token=token)
        assert status == 401
        assert problem["code"] == "UNAUTHENTICATED"


def test_a_revocation_in_one_process_is_refused_by_another_within_the_interval(
    settings, engine, tmp_path
):
    """Two ``imk serve`` processes re-read the list versions once a second (the default):
    after a revocation through the first commits, every verification the second starts a
    second later refuses the credential, although the second had the list cached as valid."""
    world = make_world(settings, engine, now=NOW)
    token = world.issue("uni", "diploma", validFrom="2026-01-01T00:00:00Z")
    credential_id = json.loads(__import__("base64").urlsafe_b64decode(token.split(".")[1] + "=="))[
        "id"
    ]
    interval = 1.0
    env = {**_env(settings), "IMK_STATUS_INTERVAL_SECONDS": str(interval)}
    with serve(env, log=tmp_path / "a.log") as first, serve(env, log=tmp_path / "b.log") as second:
        body = {"verifiableCredential": token}
        status, report = _request(second, "POST", "/credentials/verify", body)
        assert status == 200, report  # the second process now holds the list as valid
        status, changed = _request(
            first, "POST", "/credentials/status",
            {"credentialId": credential_id, "status": True, "reason": "fraud",
             "credentialStatus": [{"type": "BitstringStatusListEntry",
                                   "statusPurpose": "revocation"}]},
            token=world.tokens["uni"],
        )  # fmt: skip
        assert status == 200 and changed["status"] == "revoked", changed
        time.sleep(interval + 0.05)
        status, report = _request(second, "POST", "/credentials/verify", body)
        assert status == 422, report
        assert [p["code"] for p in report["problemDetails"]] == ["REVOKED"]
