"""Schema migrations: Alembic configured in code, with the revisions inside the package.

``imk db upgrade`` and service start call :func:`upgrade`. The revisions live in
``wallet/db/migrations/`` (not a top-level folder) so that an installed package can migrate
its database too; no ``alembic.ini`` is needed. Several processes may start at once: on
PostgreSQL a transaction-scoped advisory lock, on SQLite an exclusive lock on a file next to
the database, lets one of them migrate while the others wait and then find nothing to do.

To write a new revision, change ``models.py``, then in Python::

    with connected(url) as config:
        command.revision(config, autogenerate=True, message="what")

and review the generated file (name it ``NNNN_what.py``, revision id ``NNNN``).
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import make_url

from wallet.db.engine import make_engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
#: Key of the PostgreSQL advisory lock held while migrating ("IMKmigr" as a number).
ADVISORY_LOCK_KEY = 0x494D4B6D696772


def alembic_config() -> Config:
    """An Alembic configuration pointing at the package's migrations (no ini file)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


@contextmanager
def _sqlite_file_lock(database_url: str) -> Iterator[None]:
    database = make_url(database_url).database
    if not database or database == ":memory:":
        yield
        return
    lock_path = Path(database).with_name(Path(database).name + ".migrate-lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


@contextmanager
def connected(database_url: str) -> Iterator[Config]:
    """Yield an Alembic configuration bound to one open, locked connection; commit at the end.

    :param database_url: the SQLAlchemy URL of the database (``IMK_DATABASE_URL``).
    """
    engine = make_engine(database_url)
    is_sqlite = engine.dialect.name == "sqlite"
    try:
        with _sqlite_file_lock(database_url) if is_sqlite else _no_lock():
            with engine.connect() as connection:
                if engine.dialect.name == "postgresql":
                    connection.execute(
                        text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY}
                    )
                config = alembic_config()
                config.attributes["connection"] = connection
                yield config
                connection.commit()
    finally:
        engine.dispose()


@contextmanager
def _no_lock() -> Iterator[None]:
    yield


def upgrade(database_url: str) -> None:
    """Bring the database at ``database_url`` to the newest revision; idempotent.

    :param database_url: the SQLAlchemy URL of the database (``IMK_DATABASE_URL``).
    """
    with connected(database_url) as config:
        command.upgrade(config, "head")
