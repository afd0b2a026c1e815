"""Shared fixtures: settings from a dict, an engine from settings, a fixed clock.

The suite runs on a file-backed WAL SQLite database under ``tmp_path`` by default, and on
PostgreSQL when ``IMK_TEST_DATABASE_URL`` is set (``.ci/run`` does both). On PostgreSQL each
test starts from empty tables: the schema is rebuilt once per test process, and each test
then empties every table with one ``TRUNCATE ... RESTART IDENTITY CASCADE`` (much faster than
dropping and creating). Two test runs must not share one PostgreSQL database at once.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from wallet.config import Settings, load_settings
from wallet.db import models  # noqa: F401  (registers the tables)
from wallet.db.engine import make_engine

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
#: A fixed "now" for tests: 2026-06-01T00:00:00Z.
NOW = 1780272000
TEST_SECRET = "11" * 32


def database_url(tmp_path: Path) -> str:
    return os.environ.get("IMK_TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'imk.db'}"


@pytest.fixture
def now() -> int:
    return NOW


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    data = tmp_path / "data"
    env = {
        "IMK_DATA_DIR": str(data),
        "IMK_DATABASE_URL": database_url(tmp_path),
        "IMK_ISSUERS_DIR": str(tmp_path / "issuers"),
        "IMK_KEYS_DIR": str(tmp_path / "keys"),
        "IMK_SCHEMAS_DIR": str(REPO / "schemas"),
        "IMK_SECRET_KEY": TEST_SECRET,
        "IMK_BASE_URL": "https://wallet.test",
        "IMK_CACHE_TTL_SECONDS": "0",
    }
    (tmp_path / "issuers").mkdir(exist_ok=True)
    return load_settings(env)


_pg_schema_built = False


def reset_database(engine: Engine) -> None:
    """Give ``engine`` the tables of ``SQLModel.metadata``, all empty."""
    global _pg_schema_built
    if engine.dialect.name != "postgresql":
        SQLModel.metadata.drop_all(engine)
        SQLModel.metadata.create_all(engine)
        return
    if not _pg_schema_built:
        # Once per process, so that a changed model is picked up.
        SQLModel.metadata.drop_all(engine)
        _pg_schema_built = True
    # Cheap when the tables exist; restores them after a test that dropped them.
    SQLModel.metadata.create_all(engine)
    names = ", ".join(f'"{table.name}"' for table in SQLModel.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    engine = make_engine(settings.database_url)
    reset_database(engine)
    yield engine
    engine.dispose()
