"""The database engine, built from settings (never at import).

SQLite runs in WAL mode with ``synchronous=FULL`` and a busy timeout, so several processes
on one host can share the file and a committed batch survives a crash
(``reference/security.md`` F6). PostgreSQL is reached through psycopg 3
(``postgresql+psycopg://…``); several hosts may share it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import create_engine


def _unicode_lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # SQLite's own lower() folds ASCII only, so a search for "čug" would miss "Čuguns";
    # Python's str.lower folds every letter, as the searches' patterns are folded.
    dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engine(database_url: str) -> Engine:
    """Create the engine for ``database_url`` (SQLite file or PostgreSQL)."""
    if database_url.startswith("sqlite"):
        engine = create_engine(
            database_url, connect_args={"check_same_thread": False, "timeout": 10}
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(database_url, pool_pre_ping=True)
