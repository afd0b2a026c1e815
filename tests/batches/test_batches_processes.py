"""Batches across processes: ``imk import`` killed with SIGKILL at every crash point leaves
the whole batch or none of it; delivery after a crash that follows the commit; progress
read from another process while a batch runs; the CLI's exit codes and reports.

The crash points are honoured only in test mode (``IMK_TEST_MODE``); see
``wallet/checkpoints.py``. These tests run on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from tests.batches.helpers import diploma_row, jsonl
from tests.conftest import NOW, REPO
from tests.factories import World, make_world, settings_env
from wallet.db import crud
from wallet.db.models import CredentialRecord, DeliveryOutbox, IssuanceBatch, WalletItem
from wallet.verifier import verify_credential
from wallet.web.app import create_app

ROWS = 6


@pytest.fixture
def world(settings, engine) -> World:
    return make_world(settings, engine, now=NOW)


def imk(env: dict[str, str], *argv: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "wallet", *argv], cwd=REPO, env=env, capture_output=True,
        text=True, timeout=timeout,
    )  # fmt: skip


def base_env(settings) -> dict[str, str]:
    import os

    return {
        "PATH": os.environ.get("PATH", ""),
        **settings_env(settings),
        "IMK_STATUS_INTERVAL_SECONDS": "0",
        # A resubmission right after a crash must not wait for the run to look stale.
        "IMK_BATCH_STALE_SECONDS": "0",
    }


def check_exactly(world: World, count: int) -> None:
    """``count`` records, each verifying, on distinct status slots, each in its wallet."""
    services = world.services
    now = int(time.time())
    with services.session() as session:
        records = session.exec(select(CredentialRecord)).all()
        assert len(records) == count
        assert len({(r.status_list_id, r.status_index) for r in records}) == count
        for record in records:
            (envelope,) = crud.get_envelopes(session, credential_id=record.id)
            report = verify_credential(envelope.token, ctx=services.verification, now=now)
            assert report.verified, report.problems
        items = session.exec(select(WalletItem)).all()
        assert sorted(i.record_id for i in items) == sorted(r.id for r in records)
        assert session.exec(select(DeliveryOutbox)).all() == []
        (batch,) = session.exec(select(IssuanceBatch)).all()
        assert (batch.state, batch.issued + batch.skipped) == ("issued", count)


@pytest.mark.parametrize(
    "point",
    [
        "batch.started",
        "batch.planned",
        "batch.signing",
        "batch.signed",
        "batch.recorded",
        "batch.committed",
        "delivery.chunk",
    ],
)
def test_a_batch_killed_at_any_point_is_issued_exactly_once_when_resubmitted(
    world, settings, tmp_path, point
):
    path = tmp_path / "cohort.jsonl"
    path.write_bytes(jsonl([diploma_row(world, n) for n in range(ROWS)]))
    env = base_env(settings)
    argv = ("import", str(path), "--issuer", "uni", "--type", "diploma")

    crashed = imk({**env, "IMK_TEST_MODE": "1", "IMK_CRASH_AT": point}, *argv)
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr

    with world.services.session() as session:
        issued = len(session.exec(select(CredentialRecord)).all())
    # Before the commit nothing is issued; after it, all of it.
    committed = point in ("batch.committed", "delivery.chunk")
    assert issued == (ROWS if committed else 0)

    again = imk(env, *argv)
    assert again.returncode == 0, again.stderr
    check_exactly(world, ROWS)


def test_crash_points_are_ignored_outside_test_mode(world, settings, tmp_path):
    path = tmp_path / "cohort.jsonl"
    path.write_bytes(jsonl([diploma_row(world, 1)]))
    env = {**base_env(settings), "IMK_CRASH_AT": "batch.started"}
    done = imk(env, "import", str(path), "--issuer", "uni", "--type", "diploma")
    assert done.returncode == 0, done.stderr
    check_exactly(world, 1)


def test_delivery_after_a_crash_that_follows_the_commit_happens_on_imk_deliver(
    world, settings, tmp_path
):
    path = tmp_path / "cohort.jsonl"
    path.write_bytes(jsonl([diploma_row(world, n) for n in range(3)]))
    env = base_env(settings)
    crashed = imk(
        {**env, "IMK_TEST_MODE": "1", "IMK_CRASH_AT": "delivery.chunk"},
        "import", str(path), "--issuer", "uni", "--type", "diploma",
    )  # fmt: skip
    assert crashed.returncode == -signal.SIGKILL
    with world.services.session() as session:
        assert len(session.exec(select(DeliveryOutbox)).all()) == 3
        assert session.exec(select(WalletItem)).all() == []
    delivered = imk(env, "deliver")
    assert delivered.returncode == 0 and "3 credential(s) delivered" in delivered.stdout
    check_exactly(world, 3)


def test_progress_is_read_from_another_process_while_the_batch_runs(world, settings, tmp_path):
    rows = 300  # the first progress write comes after 250 signatures
    path = tmp_path / "cohort.jsonl"
    path.write_bytes(jsonl([diploma_row(world, n) for n in range(rows)]))
    release = tmp_path / "release"
    env = {
        **base_env(settings), "IMK_TEST_MODE": "1", "IMK_PAUSE_AT": "batch.signing",
        "IMK_PAUSE_FILE": str(release),
    }  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-m", "wallet", "import", str(path), "--issuer", "uni", "--type",
         "diploma"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    client = TestClient(create_app(settings, services=world.services))
    headers = {"Authorization": f"Bearer {world.tokens['uni']}"}
    try:
        deadline = time.monotonic() + 90
        seen = None
        while time.monotonic() < deadline:
            listed = client.get("/batches", headers=headers).json()
            if listed and listed[0]["done"] > 0:
                seen = listed[0]
                break
            assert process.poll() is None, process.communicate()
            time.sleep(0.05)
        assert seen is not None, "no progress seen"
        assert seen["state"] == "running"
        assert (seen["done"], seen["total"]) == (250, rows)
        with world.services.session() as session:
            assert session.exec(select(CredentialRecord)).all() == []
    finally:
        release.touch()
        out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    done = client.get(f"/batches/{seen['id']}", headers=headers).json()
    assert (done["state"], done["done"], done["issued"]) == ("issued", rows, rows)


def test_the_cli_imports_reports_and_revokes_a_batch(world, settings, tmp_path):
    env = base_env(settings)
    good = tmp_path / "cohort.jsonl"
    good.write_bytes(jsonl([diploma_row(world, n) for n in range(2)]))
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_with(world, givenName='=HYPERLINK("http://evil")'))

    dry = imk(env, "import", str(good), "--issuer", "uni", "--type", "diploma", "--dry-run")
    assert dry.returncode == 0 and "checked (dry run): 2 valid" in dry.stdout

    refused = imk(
        env, "import", str(bad), "--issuer", "uni", "--type", "diploma",
        "--report", str(tmp_path / "report.csv"),
    )  # fmt: skip
    assert refused.returncode == 1 and "refused" in refused.stdout
    report = (tmp_path / "report.csv").read_text(encoding="utf-8-sig")
    assert "row 2" in report and "formula" in report
    assert "=HYPERLINK" not in report.replace("'=HYPERLINK", "")  # neutralised if repeated

    issued = imk(env, "import", str(good), "--issuer", "uni", "--type", "diploma")
    assert issued.returncode == 0 and "issued: 2 issued" in issued.stdout
    assert "2 credential(s) delivered" in issued.stdout
    batch_id = issued.stdout.split()[1]

    shown = imk(env, "batch", "show", batch_id, "--issuer", "uni")
    assert shown.returncode == 0 and batch_id in shown.stdout
    revoked = imk(env, "batch", "revoke", batch_id, "--issuer", "uni", "--reason", "annulled")
    assert revoked.returncode == 0 and "2 changed" in revoked.stdout
    with world.services.session() as session:
        assert {r.status for r in session.exec(select(CredentialRecord)).all()} == {1}
    assert imk(env, "batch", "show", batch_id, "--issuer", "school").returncode == 2

    template = imk(env, "template", "diploma")
    assert template.returncode == 0 and "External ID" in template.stdout
    assert imk(env, "import", str(tmp_path / "x.pdf"), "--issuer", "uni").returncode == 2


def csv_with(world: World, **cells: str) -> bytes:
    """The diploma template with its example row as a real row, ``cells`` changed."""
    import csv
    import io

    from wallet.intake import columns

    text = columns.template_csv(world.services.types.get("diploma"))
    header, example = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))[:2]
    keys = [column.key for column in columns.columns(world.services.types.get("diploma"))]
    by_key = dict(zip(keys, range(len(keys)), strict=False))
    example[by_key["externalId"]] = "CSV-1"
    for key, value in cells.items():
        example[by_key[key]] = value
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(header)
    writer.writerow(example)
    return out.getvalue().encode()


def test_the_progress_points_exist_in_the_code(tmp_path):
    # The crash test's points are the ones the code passes; a renamed point would make
    # the crash test pass without crashing anywhere.
    source = (REPO / "wallet/batches.py").read_text() + (REPO / "wallet/delivery.py").read_text()
    for point in ("batch.started", "batch.planned", "batch.signing", "batch.signed",
                  "batch.recorded", "batch.committed", "delivery.chunk"):  # fmt: skip
        assert f'"{point}"' in source
    assert isinstance(tmp_path, Path)


def test_the_import_progress_bar_shows_rate_and_time_left():
    import io

    from rich.console import Console

    from wallet.cli_batches import progress_bar

    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=120)
    ticks = iter(float(t) for t in range(100))
    with progress_bar(console) as bar:
        bar.get_time = lambda: next(ticks)  # one second per update
        task = bar.add_task("signing", total=1000)
        for done in (100, 200, 300):
            bar.update(task, completed=done)
        bar.refresh()
        text = screen.getvalue()
    assert "300/1000" in text
    assert "100/s" in text  # the rate: 100 more each second
    assert "0:00:07" in text  # the time left: 700 to go at 100/s
