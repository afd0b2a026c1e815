"""The ``imk`` command end to end: registry, keys, tokens, issue → verify, exit codes."""

from __future__ import annotations

import io
import json
import os
import stat
import time
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from tests.conftest import NOW, REPO
from tests.factories import make_world, settings_env
from tests.fixtures.accounts import (
    NEW_PASSWORD,
    account_env,
    account_settings,
    last_link,
    token_of,
)
from wallet.cli import main
from wallet.config import load_settings
from wallet.service import Services
from wallet.web.app import create_app

TYPES = ("diploma", "qualification", "course-certificate", "micro-credential")


@pytest.fixture
def env(settings, engine) -> dict[str, str]:
    return settings_env(settings)


def imk(env: dict[str, str], *args: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(args), environ=env, out=out)
    return code, out.getvalue()


def entry(types: list[str]) -> dict:
    return {
        "name": {"lv": "Rīgas Testa universitāte", "en": "Riga Test University"},
        "registrationNumber": "3341000000",
        "country": "LV",
        "accreditation": [
            {"types": types, "validFrom": "2020-01-01", "validUntil": None, "decision": "test"}
        ],
        "types": types,
    }


def add_issuer(env, tmp_path: Path, slug: str, *extra: str, types=TYPES) -> str:
    source = tmp_path / f"{slug}.json"
    source.write_text(json.dumps(entry(list(types))), encoding="utf-8")
    code, out = imk(env, "issuer", "add", slug, "--from", str(source), *extra)
    assert code == 0, out
    return out


def subject_file(tmp_path: Path, type_name: str) -> Path:
    schema = json.loads((REPO / "schemas" / type_name / "schema.json").read_text())
    path = tmp_path / f"{type_name}-subject.json"
    path.write_text(json.dumps(schema["examples"][0], ensure_ascii=False), encoding="utf-8")
    return path


def issue(env, tmp_path, slug, type_name) -> dict:
    code, out = imk(
        env, "issue", "--issuer", slug, "--type", type_name,
        "--subject", str(subject_file(tmp_path, type_name)),
    )  # fmt: skip
    assert code == 0, out
    return json.loads(out)


@pytest.mark.parametrize("alg", ["EdDSA", "ES256"])
@pytest.mark.parametrize("type_name", TYPES)
def test_issue_then_verify_over_the_cli(env, tmp_path, alg, type_name):
    add_issuer(env, tmp_path, "rtu", "--alg", alg)
    issued = issue(env, tmp_path, "rtu", type_name)
    credential_file = tmp_path / "credential.json"
    credential_file.write_text(json.dumps(issued))
    code, out = imk(env, "verify", str(credential_file), "--json")
    assert code == 0, out
    report = json.loads(out)
    assert report["verified"] is True
    assert report["results"]["proof"][0]["alg"] == alg
    token = issued["verifiableCredential"]["id"].split(",", 1)[1]
    bare = tmp_path / "credential.jwt"
    bare.write_text(token)
    assert imk(env, "verify", str(bare))[0] == 0


@pytest.mark.parametrize("alg", ["EdDSA", "ES256"])
def test_sd_jwt_vc_over_the_cli(env, tmp_path, alg):
    add_issuer(env, tmp_path, "rtu", "--alg", alg)
    code, out = imk(
        env, "issue", "--issuer", "rtu", "--type", "diploma", "--format", "dc+sd-jwt",
        "--subject", str(subject_file(tmp_path, "diploma")),
    )  # fmt: skip
    assert code == 0, out
    enveloped = json.loads(out)["verifiableCredential"]
    assert enveloped["id"].startswith("data:application/dc+sd-jwt,")
    serialized = tmp_path / "diploma.sd-jwt"
    serialized.write_text(enveloped["id"].split(",", 1)[1])
    code, out = imk(env, "verify", str(serialized), "--json")
    assert code == 0, out
    report = json.loads(out)
    assert report["verified"] is True and report["results"]["disclosed"]


def test_verify_exit_codes(env, tmp_path):
    add_issuer(env, tmp_path, "rtu")
    token = issue(env, tmp_path, "rtu", "diploma")["verifiableCredential"]["id"].split(",", 1)[1]
    header, payload, signature = token.split(".")
    tampered = tmp_path / "tampered.jwt"
    tampered.write_text(f"{header}.{payload}.{signature[:-4]}AAAA")
    code, out = imk(env, "verify", str(tampered))
    assert code == 1 and out.startswith("NOT VERIFIED")
    garbage = tmp_path / "garbage.txt"
    garbage.write_text("this is not a credential")
    assert imk(env, "verify", str(garbage))[0] == 2
    assert imk(env, "verify", str(tmp_path / "missing.jwt"))[0] == 2


def test_issuer_add_key_files_are_encrypted_and_private(env, tmp_path, settings):
    out = add_issuer(env, tmp_path, "rtu", "--alg", "ES256")
    assert "did:web:wallet.test:issuers:rtu" in out
    files = list((settings.keys_dir / "rtu").glob("*.pem"))
    assert len(files) == 1
    assert stat.S_IMODE(os.stat(files[0]).st_mode) == 0o600
    content = files[0].read_bytes()
    assert content.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    entry_file = settings.issuers_dir / "rtu" / "issuer.json"
    assert json.loads(entry_file.read_text())["slug"] == "rtu"


@pytest.mark.parametrize("curve", ["Ed25519", "P-256"])
def test_issuer_add_with_imported_key(env, tmp_path, curve):
    private = (
        Ed25519PrivateKey.generate()
        if curve == "Ed25519"
        else ec.generate_private_key(ec.SECP256R1())
    )
    pem = tmp_path / "key.pem"
    pem.write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    add_issuer(env, tmp_path, "rtu", "--import-key", str(pem))
    issued = issue(env, tmp_path, "rtu", "diploma")
    token = issued["verifiableCredential"]["id"].split(",", 1)[1]
    public = private.public_key()
    header, payload, signature = token.split(".")
    from wallet.jose import b64url_decode
    from wallet.jose.jwk import public_key_jwk

    public_key_jwk(public).verify(b64url_decode(signature), f"{header}.{payload}".encode())
    path = tmp_path / "c.jwt"
    path.write_text(token)
    assert imk(env, "verify", str(path))[0] == 0


def test_issuer_token_prints_once_and_revoke_ends_it(env, tmp_path, settings, engine):
    from fastapi.testclient import TestClient

    from wallet.config import load_settings
    from wallet.service import Services
    from wallet.web.app import create_app

    add_issuer(env, tmp_path, "rtu")
    code, out = imk(env, "issuer", "token", "rtu", "--name", "registrar")
    assert code == 0
    token = out.strip()
    assert token.startswith("imk_")
    app_settings = load_settings(env)
    services = Services.build(app_settings, engine=engine)
    client = TestClient(create_app(app_settings, services=services))
    schema = json.loads((REPO / "schemas/diploma/schema.json").read_text())
    body = {
        "credential": {
            "@context": ["https://www.w3.org/ns/credentials/v2", "https://w3id.org/imk-wallet/v1"],
            "type": ["VerifiableCredential", "DiplomaCredential"],
            "credentialSubject": schema["examples"][0],
        }
    }
    headers = {"Authorization": f"Bearer {token}"}
    assert client.post("/credentials/issue", json=body, headers=headers).status_code == 201
    assert imk(env, "issuer", "token", "rtu", "--revoke", "registrar")[0] == 0
    assert client.post("/credentials/issue", json=body, headers=headers).status_code == 401
    assert imk(env, "issuer", "token", "rtu", "--revoke", "no-such-token")[0] == 2


def test_keys_rotate_keeps_old_credentials_verifying(env, tmp_path, settings):
    add_issuer(env, tmp_path, "rtu")
    old = tmp_path / "old.json"
    old.write_text(json.dumps(issue(env, tmp_path, "rtu", "diploma")))
    before = {p.name for p in (settings.keys_dir / "rtu").glob("*.pem")}
    code, out = imk(env, "keys", "rotate", "rtu", "--alg", "ES256")
    assert code == 0, out
    after = {p.name for p in (settings.keys_dir / "rtu").glob("*.pem")}
    assert len(after) == 1 and after != before  # the retired private key is destroyed
    assert imk(env, "verify", str(old))[0] == 0
    new = tmp_path / "new.json"
    new.write_text(json.dumps(issue(env, tmp_path, "rtu", "diploma")))
    code, out = imk(env, "verify", str(new), "--json")
    assert code == 0 and json.loads(out)["results"]["proof"][0]["alg"] == "ES256"


def test_keys_compromised_refuses_what_was_signed_after(env, tmp_path):
    add_issuer(env, tmp_path, "rtu")
    issued = issue(env, tmp_path, "rtu", "diploma")
    path = tmp_path / "c.json"
    path.write_text(json.dumps(issued))
    kid = issued["verifiableCredential"]["id"]
    from wallet.jose import b64url_decode

    token = kid.split(",", 1)[1]
    kid = json.loads(b64url_decode(token.split(".")[0]))["kid"]
    assert imk(env, "keys", "compromised", "rtu", kid, "--since", "2020-01-01")[0] == 0
    code, out = imk(env, "verify", str(path), "--json")
    assert code == 1
    key_check = next(c for c in json.loads(out)["checks"] if c["name"] == "key")
    assert key_check["result"] == "failed"


def test_bad_subject_names_every_field(env, tmp_path, capsys):
    add_issuer(env, tmp_path, "rtu")
    subject = tmp_path / "bad.json"
    subject.write_text(json.dumps({"givenName": 5}))
    code, _ = imk(env, "issue", "--issuer", "rtu", "--type", "diploma", "--subject", str(subject))
    assert code == 1
    assert "familyName" in capsys.readouterr().err


def test_issued_lists_records_and_db_upgrade_is_idempotent(env, tmp_path):
    add_issuer(env, tmp_path, "rtu")
    issue(env, tmp_path, "rtu", "diploma")
    code, out = imk(env, "issued", "rtu")
    assert code == 0 and "diploma" in out
    assert imk(env, "db", "upgrade")[0] == 0
    assert imk(env, "db", "upgrade")[0] == 0


def test_unknown_issuer_and_missing_secret_are_usage_errors(env, tmp_path):
    assert imk(env, "keys", "rotate", "nobody")[0] == 2
    no_secret = {k: v for k, v in env.items() if k != "IMK_SECRET_KEY"}
    assert imk(no_secret, "db", "upgrade")[0] == 2


def test_account_add_mails_a_link_to_set_the_password(
    settings, engine, mailbox, oidc_provider, tmp_path
):
    configured = account_settings(settings, mailbox, oidc_provider)
    world = make_world(configured, engine, now=NOW)
    env = account_env(configured)
    code, out = imk(env, "account", "add", "Registrar@Uni.example.lv", "--role", "staff",
                    "--issuer", "uni", "--language", "en")  # fmt: skip
    assert code == 0, out
    link = last_link(mailbox, "registrar@uni.example.lv", count=1)
    assert link.startswith("https://wallet.test/reset-password?token=")
    code, out = imk(env, "account", "add", "registrar@uni.example.lv", "--role", "staff",
                    "--issuer", "uni")  # fmt: skip
    assert code == 1  # the address has an account
    code, _ = imk(env, "account", "add", "x@uni.example.lv", "--role", "staff")
    assert code == 2  # a staff account names its institution
    client = TestClient(create_app(configured, services=world.services))
    world.clock[0] = time.time()  # the CLI ran on the real clock
    reset = client.post(
        "/auth/password/reset", json={"token": token_of(link), "password": NEW_PASSWORD}
    )
    assert reset.status_code == 204, reset.text
    login = client.post(
        "/auth/login", json={"email": "registrar@uni.example.lv", "password": NEW_PASSWORD}
    )
    assert login.status_code == 201
    me = client.get("/account", headers={"Authorization": f"Bearer {login.json()['access_token']}"})
    assert me.json()["role"] == "staff" and me.json()["institution"] == "uni"


def test_demo_prints_institutions_and_a_learner_whose_wallet_holds_credentials(
    settings, engine, tmp_path
):
    env = settings_env(settings)
    env.pop("IMK_SECRET_KEY")
    env.update({"IMK_DEMO": "1", "IMK_ISSUERS_DIR": str(REPO / "issuers")})
    code, out = imk(env, "demo")
    assert code == 0, out
    assert "demo-university" in out and "demo-vocational-school" in out
    lines = {line.split()[0]: line.split()[-1] for line in out.splitlines() if line.strip()}
    assert lines["e-mail"] == "learner@demo.imk.lv"
    password = lines["password"]
    demo_settings = load_settings(env)
    assert demo_settings.mail_dir == demo_settings.data_dir / "mail"
    world_services = Services.build(demo_settings, engine=engine)
    client = TestClient(create_app(demo_settings, services=world_services))
    login = client.post("/auth/login", json={"email": "learner@demo.imk.lv", "password": password})
    assert login.status_code == 201, login.text
    token = login.json()["access_token"]
    listing = client.get("/wallet/credentials", headers={"Authorization": f"Bearer {token}"})
    assert listing.status_code == 200
    assert {item["type"] for item in listing.json()["items"]} == {"diploma", "course-certificate"}
    # A second start prints a new password and issues nothing twice.
    code, again = imk(env, "demo")
    assert code == 0
    assert password not in again and "(2 credentials in the wallet)" in again
