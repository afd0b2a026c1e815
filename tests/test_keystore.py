"""wallet.keystore: encrypted key files, rotation, compromise, import, the service key."""

from __future__ import annotations

import stat

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from sqlmodel import Session

from tests.conftest import NOW, TEST_SECRET
from wallet.db import crud
from wallet.dids import issuer_did, issuer_https_id
from wallet.errors import ConflictError, InputError, NotFoundError
from wallet.keystore import Keystore
from wallet.trust import IssuerEntry

SECRET = bytes.fromhex(TEST_SECRET)
BASE = "https://wallet.test"


def issuer(slug: str = "uni", *, external: bool = False) -> IssuerEntry:
    return IssuerEntry(
        slug=slug,
        names={"lv": "Universitāte", "en": "University"},
        registration_number=None,
        country="LV",
        accreditations=(),
        types=frozenset({"diploma"}),
        did=issuer_did(BASE, slug),
        https_id=issuer_https_id(BASE, slug),
        demo=False,
        external=external,
    )


@pytest.fixture
def keystore(tmp_path) -> Keystore:
    return Keystore(tmp_path / "keys", SECRET, service_did="did:web:wallet.test")


def key_file(tmp_path, row):
    return tmp_path / "keys" / row.issuer_slug / (row.kid.rsplit("#", 1)[1] + ".pem")


@pytest.mark.parametrize("alg", ["EdDSA", "ES256"])
def test_created_key_file_is_encrypted_and_private(engine, keystore, tmp_path, alg):
    with Session(engine) as session:
        row = keystore.create_key(session, issuer=issuer(), alg=alg, now=NOW)
        session.commit()
        assert row.kid.startswith("did:web:wallet.test:issuers:uni#")
        assert (row.state, row.alg, row.valid_from) == ("current", alg, NOW)
        path = key_file(tmp_path, row)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        text = path.read_text()
        assert text.startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----")
        assert "BEGIN PRIVATE KEY-----" not in text

        kid, key = keystore.signing_key(session, issuer_slug="uni")
        assert kid == row.kid
        key.public.verify(key.sign(b"data"), b"data")
        # The same file does not open under another service secret.
        stranger = Keystore(tmp_path / "keys", b"\x22" * 32)
        with pytest.raises(InputError):
            stranger.signing_key(session, issuer_slug="uni")


def test_rotation_retires_and_destroys_the_old_key_after_commit(engine, keystore, tmp_path):
    with Session(engine) as session:
        first = keystore.create_key(session, issuer=issuer(), alg="ES256", now=NOW)
        session.commit()
        first_kid, first_file = first.kid, key_file(tmp_path, first)
        second = keystore.rotate(session, issuer=issuer(), now=NOW + 100)
        assert second.alg == "ES256"
        # Not committed yet: the old private key still exists.
        assert first_file.exists()
        session.commit()
        assert not first_file.exists()
        assert key_file(tmp_path, second).exists()
        history = {k.kid: k for k in crud.keys_of(session, issuer_slug="uni")}
        assert history[first_kid].state == "retired"
        assert history[first_kid].valid_until == NOW + 100
        assert history[second.kid].state == "current"
        assert keystore.signing_key(session, issuer_slug="uni")[0] == second.kid
        third = keystore.rotate(session, issuer=issuer(), now=NOW + 200, alg="EdDSA")
        session.commit()
        assert third.alg == "EdDSA"


def test_rotation_rolled_back_keeps_the_old_key(engine, keystore, tmp_path):
    with Session(engine) as session:
        first = keystore.create_key(session, issuer=issuer(), alg="EdDSA", now=NOW)
        session.commit()
        first_kid, first_file = first.kid, key_file(tmp_path, first)
        keystore.rotate(session, issuer=issuer(), now=NOW + 100)
        session.rollback()
        assert first_file.exists()
        # A later unrelated commit must not destroy it either.
        crud.add_audit(session, at=NOW, actor="t", action="x", target="y", detail={})
        session.commit()
        assert first_file.exists()
        assert keystore.signing_key(session, issuer_slug="uni")[0] == first_kid


def test_mark_compromised(engine, keystore, tmp_path):
    with Session(engine) as session:
        row = keystore.create_key(session, issuer=issuer(), alg="EdDSA", now=NOW)
        session.commit()
        kid, path = row.kid, key_file(tmp_path, row)
        with pytest.raises(NotFoundError):
            keystore.mark_compromised(session, issuer_slug="other", kid=kid, since=NOW)
        marked = keystore.mark_compromised(session, issuer_slug="uni", kid=kid, since=NOW + 50)
        session.commit()
        assert (marked.state, marked.compromised_since) == ("compromised", NOW + 50)
        assert not path.exists()
        # The issuer must rotate before it signs again.
        with pytest.raises(NotFoundError):
            keystore.signing_key(session, issuer_slug="uni")
        again = keystore.mark_compromised(session, issuer_slug="uni", kid=kid, since=NOW + 90)
        assert again.compromised_since == NOW + 50
        new = keystore.rotate(session, issuer=issuer(), now=NOW + 100)
        session.commit()
        assert keystore.signing_key(session, issuer_slug="uni")[0] == new.kid
        assert crud.get_key(session, kid=kid).state == "compromised"


def pem(private) -> bytes:
    return private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


@pytest.mark.parametrize(
    ("private", "alg"),
    [
        (ed25519.Ed25519PrivateKey.generate(), "EdDSA"),
        (ec.generate_private_key(ec.SECP256R1()), "ES256"),
    ],
    ids=["ed25519", "p256"],
)
def test_import_key(engine, keystore, tmp_path, private, alg):
    with Session(engine) as session:
        row = keystore.import_key(session, issuer=issuer(), pem=pem(private), now=NOW)
        session.commit()
        assert row.alg == alg
        assert key_file(tmp_path, row).read_text().startswith("-----BEGIN ENCRYPTED PRIVATE KEY")
        _, key = keystore.signing_key(session, issuer_slug="uni")
        key.public.verify(key.sign(b"x"), b"x")
        with pytest.raises(ConflictError):
            keystore.import_key(session, issuer=issuer(), pem=pem(private), now=NOW + 1)


@pytest.mark.parametrize(
    "data",
    [
        pem(rsa.generate_private_key(public_exponent=65537, key_size=2048)),
        pem(ec.generate_private_key(ec.SECP384R1())),
        ed25519.Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"passphrase"),
        ),
        b"not a key",
    ],
    ids=["rsa", "p384", "encrypted", "garbage"],
)
def test_import_refuses_other_keys(engine, keystore, tmp_path, data):
    with Session(engine) as session, pytest.raises(InputError):
        keystore.import_key(session, issuer=issuer(), pem=data, now=NOW)
    assert not list((tmp_path / "keys").rglob("*.pem"))


def test_external_issuer_has_no_keys_here(engine, keystore):
    with Session(engine) as session, pytest.raises(InputError):
        keystore.create_key(session, issuer=issuer(external=True), alg="EdDSA", now=NOW)


def test_service_key_is_created_once(engine, keystore, tmp_path):
    with Session(engine) as session:
        kid, key = keystore.service_key(session, now=NOW)
    assert kid.startswith("did:web:wallet.test#")
    with Session(engine) as session:
        assert keystore.service_key(session, now=NOW + 5)[0] == kid
        # Another process (another Keystore) finds the same key.
        other = Keystore(tmp_path / "keys", SECRET, service_did="did:web:wallet.test")
        assert other.service_key(session, now=NOW + 9)[0] == kid
        assert len(crud.keys_of(session, issuer_slug="service")) == 1
