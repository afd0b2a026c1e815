"""wallet.trust: the optional ``elmo`` block of a registry entry (ELMO signing certificates)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import NOW
from tests.intake.elmo_fixtures import Signer, make_signer
from wallet.errors import InputError
from wallet.trust import load_registry, scaffold_entry

BASE = "https://wallet.test"


@pytest.fixture(scope="module")
def certificates() -> tuple[Signer, Signer]:
    return make_signer("first (test only)"), make_signer("second (test only)")


def write_entry(issuers: Path, elmo: object | None) -> Path:
    folder = issuers / "zile"
    folder.mkdir(parents=True, exist_ok=True)
    data: dict = {
        "slug": "zile",
        "name": {"lv": "Zīle", "en": "Zile"},
        "types": ["course-certificate"],
        "accreditation": [
            {"types": ["course-certificate"], "validFrom": "2020-01-01", "validUntil": None,
             "decision": "test"}
        ],
    }  # fmt: skip
    if elmo is not None:
        data["elmo"] = elmo
    (folder / "issuer.json").write_text(json.dumps(data), encoding="utf-8")
    return folder


def load(issuers: Path):
    return load_registry(issuers, base_url=BASE, demo=False).by_slug("zile")


def test_without_the_block_nothing_is_trusted_and_unsigned_is_refused(tmp_path: Path) -> None:
    write_entry(tmp_path, None)
    entry = load(tmp_path)
    assert (entry.elmo_certificates, entry.elmo_allow_unsigned) == ((), False)


def test_inline_pem_and_files_in_the_entry_folder(tmp_path: Path, certificates) -> None:
    first, second = certificates
    folder = write_entry(tmp_path, None)
    (folder / "certs").mkdir()
    (folder / "certs" / "bundle.pem").write_bytes(first.cert_pem + second.cert_pem)
    write_entry(
        tmp_path,
        {"certificates": [first.cert_pem.decode(), "certs/bundle.pem"], "allowUnsigned": True},
    )
    entry = load(tmp_path)
    assert entry.elmo_certificates == (first.cert_der, first.cert_der, second.cert_der)
    assert entry.elmo_allow_unsigned is True
    assert "elmo_certificates" not in repr(entry)


@pytest.mark.parametrize(
    ("block", "message"),
    [
        pytest.param({"certificate": []}, "elmo must be an object", id="unknown-member"),
        pytest.param([], "elmo must be an object", id="not-an-object"),
        pytest.param({"allowUnsigned": "no"}, "true or false", id="allow-not-bool"),
        pytest.param({"certificates": "x.pem"}, "must be a list", id="not-a-list"),
        pytest.param({"certificates": [""]}, "non-empty string", id="empty"),
        pytest.param(
            {"certificates": ["-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----"]},
            "holds no PEM certificate",
            id="garbage-pem",
        ),
        pytest.param(
            {"certificates": ["-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"]},
            "not a DER certificate",
            id="not-der",
        ),
        pytest.param({"certificates": ["../outside.pem"]}, "inside the entry's folder", id="up"),
        pytest.param({"certificates": ["/etc/ssl/cert.pem"]}, "inside the entry's", id="abs"),
        pytest.param({"certificates": ["missing.pem"]}, "cannot read", id="missing"),
    ],
)
def test_malformed_blocks_stop_the_load(tmp_path: Path, block, message: str) -> None:
    (tmp_path / "outside.pem").write_text("-----BEGIN CERTIFICATE-----")
    write_entry(tmp_path, block)
    with pytest.raises(InputError, match=message):
        load(tmp_path)


def test_a_link_out_of_the_folder_is_refused(tmp_path: Path, certificates) -> None:
    outside = tmp_path / "outside.pem"
    outside.write_bytes(certificates[0].cert_pem)
    folder = write_entry(tmp_path / "issuers", {"certificates": ["cert.pem"]})
    (folder / "cert.pem").symlink_to(outside)
    with pytest.raises(InputError, match="inside the entry's folder"):
        load(tmp_path / "issuers")


def test_scaffold_accepts_inline_certificates_only(tmp_path: Path, certificates) -> None:
    source = {
        "name": {"lv": "Zīle", "en": "Zile"},
        "types": [],
        "elmo": {"certificates": [certificates[0].cert_pem.decode()]},
    }
    scaffold_entry(tmp_path, "zile", source=source, now=NOW)
    assert load(tmp_path).elmo_certificates == (certificates[0].cert_der,)
    source["elmo"] = {"certificates": ["cert.pem"]}
    with pytest.raises(InputError, match="read only from the entry's folder"):
        scaffold_entry(tmp_path, "other", source=source, now=NOW)
