"""The batch resource over HTTP: submit, progress, report, batch status, templates."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from tests.batches.helpers import diploma_row, jsonl
from tests.conftest import NOW
from tests.factories import World, make_world
from wallet.db.models import CredentialRecord, IssuanceBatch, WalletItem
from wallet.web.app import create_app


@pytest.fixture
def world(settings, engine) -> World:
    return make_world(settings, engine, now=NOW)


@pytest.fixture
def client(settings, world) -> TestClient:
    return TestClient(create_app(settings, services=world.services))


def auth(world: World, slug: str = "uni") -> dict[str, str]:
    return {"Authorization": f"Bearer {world.tokens[slug]}"}


def submit(client, world, data: bytes, *, slug: str = "uni", headers=None, **params):
    query = {"filename": "cohort.jsonl", "type": "diploma", **params}
    return client.post(
        "/batches", params=query, content=data, headers={**auth(world, slug), **(headers or {})}
    )


def test_a_submitted_batch_runs_after_the_answer_and_its_report_can_be_fetched(client, world):
    answer = submit(client, world, jsonl([diploma_row(world, n) for n in range(3)]))

    assert answer.status_code == 202
    batch_id = answer.json()["id"]
    assert answer.headers["location"] == f"/batches/{batch_id}"
    status = client.get(f"/batches/{batch_id}", headers=auth(world)).json()
    assert (status["state"], status["issued"], status["done"], status["total"]) == (
        "issued", 3, 3, 3,
    )  # fmt: skip
    report = client.get(f"/batches/{batch_id}/report", headers=auth(world)).json()
    assert [entry["outcome"] for entry in report] == ["issued"] * 3
    as_csv = client.get(
        f"/batches/{batch_id}/report", headers={**auth(world), "Accept": "text/csv"}
    )
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert as_csv.content.startswith(b"\xef\xbb\xbf")  # a BOM, so spreadsheets read UTF-8
    lines = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert len(lines) == 4
    # Delivery ran after the batch's commit, in the same background task.
    with world.services.session() as session:
        assert len(session.exec(select(WalletItem)).all()) == 3
    listed = client.get("/batches", headers=auth(world)).json()
    assert [b["id"] for b in listed] == [batch_id]


def test_another_institution_sees_no_batch_of_ours(client, world):
    batch_id = submit(client, world, jsonl([diploma_row(world, 1)])).json()["id"]
    for path in (f"/batches/{batch_id}", f"/batches/{batch_id}/report"):
        assert client.get(path, headers=auth(world, "school")).status_code == 404
    answer = client.post(
        f"/batches/{batch_id}/status", json={"action": "revoke", "reason": "not ours"},
        headers=auth(world, "school"),
    )  # fmt: skip
    assert answer.status_code == 404
    assert client.get("/batches", headers=auth(world, "school")).json() == []


def test_a_batch_is_revoked_through_the_api_with_a_reason(client, world):
    batch_id = submit(client, world, jsonl([diploma_row(world, n) for n in range(2)])).json()["id"]
    answer = client.post(
        f"/batches/{batch_id}/status", json={"action": "suspend", "reason": "under review"},
        headers=auth(world),
    )  # fmt: skip
    assert answer.status_code == 200
    assert answer.json() == {"changed": 2, "unchanged": 0, "revoked": 0}
    with world.services.session() as session:
        assert {r.status for r in session.exec(select(CredentialRecord)).all()} == {2}
    no_reason = client.post(
        f"/batches/{batch_id}/status", json={"action": "revoke"}, headers=auth(world)
    )
    assert no_reason.status_code == 422


def test_the_same_key_for_another_file_is_a_conflict(client, world):
    first = submit(client, world, jsonl([diploma_row(world, 1)]), headers={"Idempotency-Key": "k1"})
    assert first.status_code == 202
    again = submit(client, world, jsonl([diploma_row(world, 1)]), headers={"Idempotency-Key": "k1"})
    assert (again.status_code, again.json()["id"]) == (202, first.json()["id"])
    other = submit(client, world, jsonl([diploma_row(world, 2)]), headers={"Idempotency-Key": "k1"})
    assert other.status_code == 409
    assert other.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"filename": "cohort.txt"}, 415),
        ({"format": "pdf"}, 422),
        ({"filename": ""}, 422),
        ({"type": "doctorate"}, 400),
        ({"encoding": "klingon-8"}, 400),
    ],
)
def test_unusable_submissions_are_refused_before_anything_runs(client, world, params, status):
    answer = submit(client, world, jsonl([diploma_row(world, 1)]), **params)
    assert answer.status_code == status
    with world.services.session() as session:
        assert session.exec(select(IssuanceBatch)).all() == []


def test_a_submission_needs_an_institution_token(client, world):
    answer = client.post("/batches", params={"filename": "a.jsonl"}, content=b"{}")
    assert answer.status_code == 401


def test_a_file_over_the_batch_cap_is_413_before_it_is_read(settings, world):
    small = settings.model_copy(update={"batch_max_bytes": 2000})
    client = TestClient(create_app(small, services=world.services))
    data = jsonl([diploma_row(world, n) for n in range(5)])
    assert len(data) > 2000
    answer = submit(client, world, data)
    assert answer.status_code == 413
    with world.services.session() as session:
        assert session.exec(select(IssuanceBatch)).all() == []


def test_a_refused_batch_is_an_outcome_with_a_report_not_an_error(client, world):
    bad = diploma_row(world, 1)
    bad["credentialSubject"]["achievement"]["eqfLevel"] = 12
    answer = submit(client, world, jsonl([bad]))
    assert answer.status_code == 202
    batch = client.get(answer.headers["location"], headers=auth(world)).json()
    assert (batch["state"], batch["refused"]) == ("refused", 1)
    (entry,) = client.get(batch["report"], headers=auth(world)).json()
    assert entry["field"] == "achievement.eqfLevel" and entry["outcome"] == "refused"


def test_every_type_has_a_csv_template(client, world):
    for type_name in ("diploma", "qualification", "course-certificate", "micro-credential"):
        answer = client.get(f"/templates/{type_name}.csv")
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/csv")
        assert answer.content.startswith(b"\xef\xbb\xbf")
        assert "External ID" in answer.content.decode("utf-8-sig")
    assert client.get("/templates/nothing.csv").status_code == 404


def test_a_single_credential_is_corrected_through_the_vc_api(client, world):
    from tests.batches.helpers import diploma_row as row
    from wallet.issuance import build_credential

    services = world.services
    issuer = services.registry.by_slug("uni")
    ctype = services.types.get("diploma")
    subject = row(world, 1)["credentialSubject"]
    old = client.post(
        "/credentials/issue",
        json={"credential": build_credential(ctype, subject, issuer_did=issuer.did),
              "options": {"credentialId": "urn:uuid:6f1c1a56-0d43-4ab0-9a55-6a3c8d1b7e01"}},
        headers=auth(world),
    )  # fmt: skip
    assert old.status_code == 201
    fixed_subject = {**subject, "familyName": "Kalniņa"}
    body = {
        "credential": build_credential(ctype, fixed_subject, issuer_did=issuer.did),
        "options": {"replaces": "urn:uuid:6f1c1a56-0d43-4ab0-9a55-6a3c8d1b7e01"},
    }
    fixed = client.post("/credentials/issue", json=body, headers=auth(world))
    assert fixed.status_code == 201
    with services.session() as session:
        records = {r.id: r for r in session.exec(select(CredentialRecord)).all()}
    old_record = records["urn:uuid:6f1c1a56-0d43-4ab0-9a55-6a3c8d1b7e01"]
    assert old_record.status == 1 and old_record.replaced_by is not None
    assert records[old_record.replaced_by].replaces == old_record.id
    # Corrected once only; an unknown credential cannot be corrected.
    body["credential"]["credentialSubject"]["familyName"] = "Kalniņa-Ozola"
    assert client.post("/credentials/issue", json=body, headers=auth(world)).status_code == 409
    body["options"]["replaces"] = "urn:uuid:00000000-0000-4000-8000-000000000000"
    assert client.post("/credentials/issue", json=body, headers=auth(world)).status_code == 404


def test_the_openapi_document_describes_the_batch_routes(client):
    paths = client.get("/openapi.json").json()["paths"]
    submit_op = paths["/batches"]["post"]
    assert "text/csv" in submit_op["requestBody"]["content"]
    assert {p["name"] for p in submit_op["parameters"]} >= {"filename", "type", "format", "dryRun"}
    assert {"/batches/{batch_id}", "/batches/{batch_id}/report", "/batches/{batch_id}/status",
            "/templates/{type_name}.csv"} <= set(paths)  # fmt: skip
