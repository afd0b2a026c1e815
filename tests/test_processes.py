"""Several service processes on one database see the same keys, records and registry state."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import NOW, REPO
from tests.factories import make_world, settings_env
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
