"""Batch files end to end: ELMO in every namespace variant, signed and refused, a .zip of
ELMO files, ELMO inside an EWP response, CSV in windows-1257, and every malformed input
(a clear report, nothing issued, no 5xx)."""

from __future__ import annotations

import copy
import io
import zipfile

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from tests.batches.helpers import diploma_row, jsonl
from tests.batches.test_batches_processes import csv_with
from tests.conftest import NOW
from tests.factories import World, make_issuer_dir, make_world
from tests.intake.elmo_fixtures import (
    PURL,
    V1,
    V130,
    Course,
    Signer,
    elmo,
    ewp,
    make_signer,
    sign,
    to_bytes,
)
from wallet import batches
from wallet.db import crud
from wallet.db.models import CredentialRecord, IssuanceBatch, WalletItem
from wallet.verifier import verify_credential
from wallet.web.app import create_app

SIGNER = make_signer("Universitātes ELMO parakstītājs (test only)")
STRANGER = make_signer("Another signer (test only)")


@pytest.fixture
def world(settings, engine) -> World:
    folder = make_issuer_dir(
        settings.issuers_dir, "uni", extra={"elmo": {"certificates": ["elmo.pem"]}}
    )
    (folder / "elmo.pem").write_bytes(SIGNER.cert_pem)
    return make_world(settings, engine, now=NOW)


@pytest.fixture
def client(settings, world) -> TestClient:
    return TestClient(create_app(settings, services=world.services))


def records(world: World) -> list[CredentialRecord]:
    with world.services.session() as session:
        return list(session.exec(select(CredentialRecord)).all())


def submit(client: TestClient, world: World, data: bytes, filename: str, **params) -> dict:
    """Submit through the API; return the finished batch (it runs after the answer)."""
    answer = client.post(
        "/batches", params={"filename": filename, **params}, content=data,
        headers={"Authorization": f"Bearer {world.tokens['uni']}"},
    )  # fmt: skip
    assert answer.status_code == 202, answer.text
    batch = client.get(
        answer.headers["location"], headers={"Authorization": f"Bearer {world.tokens['uni']}"}
    )
    return batch.json()


def report(client: TestClient, world: World, batch: dict) -> list[dict]:
    return client.get(
        batch["report"], headers={"Authorization": f"Bearer {world.tokens['uni']}"}
    ).json()


def signed(element, signer: Signer = SIGNER, **options) -> bytes:
    return sign(to_bytes(element), signer, **options)


VARIANTS = {
    "tree-v1": lambda: elmo(V1),
    "tree-v1-v2-shape": lambda: elmo(V1, shape="v2"),
    "tree-v1.3.0": lambda: elmo(V130),
    "purl": lambda: elmo(PURL),
    "no-namespace": lambda: elmo(None),
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_a_signed_elmo_file_of_each_variant_is_issued_and_delivered(client, world, variant):
    batch = submit(client, world, signed(VARIANTS[variant]()), f"{variant}.xml")

    assert (batch["state"], batch["issued"]) == ("issued", 1), report(client, world, batch)
    assert batch["signatures"][0]["signed"] is True
    assert batch["signatures"][0]["certificateSha256"] == SIGNER.fingerprint
    (record,) = records(world)
    assert record.type_name == "course-certificate"
    with world.services.session() as session:
        (envelope,) = crud.get_envelopes(session, credential_id=record.id)
        (item,) = session.exec(select(WalletItem)).all()
    credential = verify_credential(envelope.token, ctx=world.services.verification, now=NOW)
    assert credential.verified, credential.problems
    subject = credential.credential["credentialSubject"]
    assert (subject["givenName"], subject["familyName"]) == ("Ērika", "Žagare")
    assert "32073120115" not in envelope.token  # the personal code went to delivery only
    assert item.record_id == record.id


def test_rsa_sha1_is_accepted_for_elmo_and_recorded(client, world):
    batch = submit(client, world, signed(elmo(V1), algorithm="rsa-sha1"), "sha1.xml")
    assert batch["state"] == "issued"
    assert "sha1" in batch["signatures"][0]["algorithm"].lower()


def test_elmo_inside_an_ewp_response_is_issued(client, world):
    data = sign(to_bytes(ewp(elmo(V1))), SIGNER)
    batch = submit(client, world, data, "ewp-tor.xml")
    assert (batch["state"], batch["issued"]) == ("issued", 1), report(client, world, batch)


def test_a_zip_of_elmo_files_is_one_batch(client, world):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("erika.xml", signed(elmo(V1)))
        web = Course(local_id="WEB-2025", titles={"lv": "Tīmekļa izstrāde", "en": "Web"})
        other = elmo(V1, given="Oskars", family="Liepiņš", national_id="32579461005",
                     courses=[web])  # fmt: skip
        archive.writestr("oskars.xml", signed(other))
    batch = submit(client, world, buffer.getvalue(), "cohort.zip")
    assert (batch["state"], batch["issued"]) == ("issued", 2), report(client, world, batch)
    assert len(batch["signatures"]) == 2
    assert {r.title for r in records(world)} >= {"Tīmekļa izstrāde"}


def test_an_elmo_file_altered_after_signing_refuses_the_batch(client, world):
    data = signed(elmo(V1)).replace("Ērika".encode(), "Ērike".encode())
    batch = submit(client, world, data, "altered.xml")
    assert batch["state"] == "refused"
    (entry,) = report(client, world, batch)
    assert entry["locator"] == "file" and "signature" in entry["reason"]
    assert records(world) == []


def test_an_elmo_file_signed_by_a_certificate_the_registry_does_not_list_is_refused(client, world):
    batch = submit(client, world, signed(elmo(V1), STRANGER), "stranger.xml")
    assert batch["state"] == "refused"
    assert "certificate" in report(client, world, batch)[0]["reason"]
    assert records(world) == []


def test_an_unsigned_elmo_file_is_refused_unless_the_registry_allows_it(client, world):
    batch = submit(client, world, to_bytes(elmo(V1)), "unsigned.xml")
    assert batch["state"] == "refused"
    assert "sign" in report(client, world, batch)[0]["reason"]
    assert records(world) == []


LATVIAN = "Ģirts Ķēniņš-Čakste"


def test_a_csv_in_windows_1257_with_latvian_letters_is_issued_with_its_encoding(client, world):
    data = csv_with(world, givenName="Ģirts", familyName="Ķēniņš-Čakste").decode().encode("cp1257")
    refused = submit(client, world, data, "cohort.csv", type="diploma")
    assert refused["state"] == "refused"  # read as UTF-8, the bytes are not text
    assert "encoding" in report(client, world, refused)[0]["reason"]

    batch = submit(client, world, data, "cohort.csv", type="diploma", encoding="windows-1257")
    assert (batch["state"], batch["issued"]) == ("issued", 1), report(client, world, batch)
    with world.services.session() as session:
        (envelope,) = crud.get_envelopes(session, credential_id=records(world)[0].id)
    subject = verify_credential(
        envelope.token, ctx=world.services.verification, now=NOW
    ).credential["credentialSubject"]
    assert f"{subject['givenName']} {subject['familyName']}" == LATVIAN


def test_a_csv_in_utf8_with_a_bom_is_issued(client, world):
    data = b"\xef\xbb\xbf" + csv_with(world, givenName="Ģirts", familyName="Ķēniņš-Čakste")
    batch = submit(client, world, data, "cohort.csv", type="diploma")
    assert (batch["state"], batch["issued"]) == ("issued", 1), report(client, world, batch)


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE elmo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<elmo xmlns="https://github.com/emrex-eu/elmo-schemas/tree/v1"><learner>&xxe;</learner></elmo>"""
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<elmo xmlns="https://github.com/emrex-eu/elmo-schemas/tree/v1"><learner>&lol3;</learner></elmo>"""
EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE elmo SYSTEM "http://127.0.0.1:9/elmo.dtd">
<elmo xmlns="https://github.com/emrex-eu/elmo-schemas/tree/v1"/>"""


def _malformed(world: World) -> dict[str, tuple[bytes, str, dict]]:
    missing = csv_with(world).decode().split("\r\n")
    header = ";".join(missing[0].split(";")[:3])
    unknown = copy.deepcopy(diploma_row(world, 1))
    unknown["type"] = "doctorate"
    return {
        "xxe": (XXE, "xxe.xml", {}),
        "billion laughs": (BILLION_LAUGHS, "lol.xml", {}),
        "external dtd": (EXTERNAL_DTD, "dtd.xml", {}),
        "zip bomb": (_zip({"bomb.xml": bytes(20 * 1024 * 1024)}), "bomb.zip", {}),
        "zip with ../ paths": (_zip({"../../etc/evil.xml": signed(elmo(V1))}), "evil.zip", {}),
        "wrong encoding": ("Ģirts".encode("cp1257") + b";x\n", "cohort.csv", {"type": "diploma"}),
        "formula in a cell": (
            csv_with(world, givenName="=cmd|' /C calc'!A0"),
            "cohort.csv",
            {"type": "diploma"},
        ),
        "missing columns": ((header + "\r\nA;B;C\r\n").encode(), "cohort.csv", {"type": "diploma"}),
        "unknown type": (jsonl([unknown]), "cohort.jsonl", {}),
        "not json": (b"{not json\n", "cohort.jsonl", {"type": "diploma"}),
        "not xml": (b"\x00\x01binary", "file.xml", {}),
        "not a zip": (b"PK but not really", "file.zip", {}),
    }


#: Each malformed input, and what its refusal says.
EXPECTED = {
    "xxe": "DOCTYPE",
    "billion laughs": "DOCTYPE",
    "external dtd": "DOCTYPE",
    "zip bomb": "zip bomb",
    "zip with ../ paths": "unsafe path",
    "wrong encoding": "--encoding",
    "formula in a cell": "formula",
    "missing columns": "missing required columns",
    "unknown type": "unknown credential type",
    "not json": "not JSON",
    "not xml": "not well-formed XML",
    "not a zip": "not a readable zip",
}


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_a_malformed_batch_file_gets_a_clear_report_and_issues_nothing(client, world, case):
    data, filename, params = _malformed(world)[case]
    batch = submit(client, world, data, filename, **params)
    assert batch["state"] == "refused"
    reasons = [e["reason"] for e in report(client, world, batch) if e["outcome"] == "refused"]
    assert reasons and any(EXPECTED[case] in reason for reason in reasons), reasons
    assert records(world) == []
    with world.services.session() as session:
        assert all(b.state == "refused" for b in session.exec(select(IssuanceBatch)).all())


def test_a_200_mb_file_is_refused_before_it_is_read(client, world, tmp_path):
    big = tmp_path / "big.csv"
    with big.open("wb") as out:
        out.truncate(200 * 1024 * 1024)  # sparse: 200 MB without writing them
    with big.open("rb") as body:
        answer = client.post(
            "/batches", params={"filename": "big.csv", "type": "diploma"}, content=body,
            headers={"Authorization": f"Bearer {world.tokens['uni']}",
                     "Content-Length": str(200 * 1024 * 1024)},
        )  # fmt: skip
    assert answer.status_code == 413
    assert answer.headers["content-type"].startswith("application/problem+json")
    from tests.factories import settings_env
    from wallet import cli

    out = io.StringIO()
    code = cli.main(
        ["import", str(big), "--issuer", "uni", "--type", "diploma"],
        environ=settings_env(world.services.settings), out=out,
    )  # fmt: skip
    assert code == 2  # too large: unusable input, nothing read
    assert records(world) == []
    assert batches is not None


def test_the_pdfs_of_an_elmo_file_are_kept_as_evidence_of_the_batch(client, world):
    from tests.intake.elmo_fixtures import PDF
    from wallet.db import batch_crud

    element = elmo(V1, attachments=[("tor-1", "Transcript of Records", PDF)])
    batch = submit(client, world, signed(element), "with-pdf.xml")
    assert batch["state"] == "issued", report(client, world, batch)
    with world.services.session() as session:
        (evidence,) = batch_crud.evidence_of(session, batch_id=batch["id"])
    assert evidence.content == PDF and evidence.media_type == "application/pdf"
    import hashlib

    assert evidence.sha256 == hashlib.sha256(PDF).hexdigest()
