"""Shared fixtures: settings from a dict, an engine from settings, a fixed clock.

The suite runs on a file-backed WAL SQLite database under ``tmp_path`` by default, and on
PostgreSQL when ``IMK_TEST_DATABASE_URL`` is set (``.ci/run`` does both). On PostgreSQL each
test starts from empty tables: the schema is rebuilt once per test process, and each test
then empties every table with one ``TRUNCATE ... RESTART IDENTITY CASCADE`` (much faster than
dropping and creating). Two test runs must not share one PostgreSQL database at once.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from wallet.config import Settings, load_settings
from wallet.db import models  # noqa: F401  (registers the tables)
from wallet.db.engine import make_engine
from wallet.db.migrate import upgrade

pytest_plugins = [
    "tests.fixtures.oidc",
    "tests.fixtures.mail",
    "tests.fixtures.accounts",
    "tests.fixtures.node",
]

REPO = Path(__file__).resolve().parent.parent
#: Copies of the shared reference data the tests read (see tests/vectors/README.md).
VECTORS = REPO / "tests" / "vectors"
#: A fixed "now" for tests: 2026-06-01T00:00:00Z.
NOW = 1780272000
TEST_SECRET = "11" * 32
#: Argon2id at its cheapest for tests (about a millisecond); production uses RFC 9106's
#: second recommended option, which tests/test_passwords.py checks.
CHEAP_PASSWORD_HASHING = {
    "IMK_PASSWORD_TIME_COST": "1",
    "IMK_PASSWORD_MEMORY_KIB": "1024",
    "IMK_PASSWORD_PARALLELISM": "1",
    "IMK_EXPORT_SCRYPT_N": "1024",
}


def database_url(tmp_path: Path) -> str:
    """A file under ``tmp_path``, or the PostgreSQL database of ``IMK_TEST_DATABASE_URL``.

    Under pytest-xdist each worker gets its own PostgreSQL database (``test_gw0``, …),
    created on first use next to the named one, since tests empty every table.
    """
    url = os.environ.get("IMK_TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path / 'imk.db'}"
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return _worker_database(url, worker) if worker else url


_worker_urls: dict[str, str] = {}


def _worker_database(url: str, worker: str) -> str:
    """``url`` with the database ``{name}_{worker}``, created when missing."""
    if url in _worker_urls:
        return _worker_urls[url]
    base = make_url(url)
    name = f"{base.database}_{worker}"
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            ).first()
            if exists is None:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    worker_url = base.set(database=name).render_as_string(hide_password=False)
    _worker_urls[url] = worker_url
    return worker_url


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
        "IMK_STATUS_INTERVAL_SECONDS": "0",
        **CHEAP_PASSWORD_HASHING,
    }
    (tmp_path / "issuers").mkdir(exist_ok=True)
    return load_settings(env)


_pg_schema_built = False
_sqlite_template: Path | None = None


def reset_database(engine: Engine) -> None:
    """Give ``engine`` the migrated schema (``imk db upgrade``), with every table empty.

    SQLite: a migrated template file is made once per process and copied per test.
    PostgreSQL: the schema is dropped and migrated once per process, then truncated per test.
    """
    global _pg_schema_built, _sqlite_template
    url = engine.url.render_as_string(hide_password=False)
    if engine.dialect.name != "postgresql":
        if _sqlite_template is None:
            folder = Path(tempfile.mkdtemp(prefix="imk-template-"))
            _sqlite_template = folder / "template.db"
            upgrade(f"sqlite:///{_sqlite_template}")
        assert engine.url.database is not None
        shutil.copyfile(_sqlite_template, engine.url.database)
        return
    if not _pg_schema_built:
        # Once per process, so that a changed model or migration is picked up.
        SQLModel.metadata.drop_all(engine)
        with engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade(url)
        _pg_schema_built = True
    names = ", ".join(f'"{table.name}"' for table in SQLModel.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    engine = make_engine(settings.database_url)
    reset_database(engine)
    yield engine
    engine.dispose()
