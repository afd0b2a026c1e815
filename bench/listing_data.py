"""Synthetic learners and wallets for the wallet-listing benchmark, bulk-loaded by the driver.

Every scale has 100,000 learner accounts with one wallet each. The credentials come in two
stages:

- stage 1, 100,000 credentials: 10 in each of 10,000 wallets (wallets 1, 11, 21, …);
- stage 2, 900,000 more: 10 in each of the other 90,000 wallets.

The 100k database holds stage 1, the 1M database stage 1 and then stage 2. A listed learner
is one of the 10,000 filled ones at 100k and any of the 100,000 at 1M: either way they hold
exactly 10 credentials (the page of 20 is the same work), the rows read are spread over the
whole table, and only the size of the tables differs. Within a stage the rows go in in random
order, with issuing times spread over 21 years, as credentials of many learners arrive
interleaved in life. On disk: about 85 MB and 540 MB of SQLite, 115 MB and 670 MB of
PostgreSQL.

The schema comes from :func:`wallet.db.migrate.upgrade`; the rows go in through the raw
driver (``executemany`` in one transaction on SQLite, ``COPY`` on PostgreSQL), which takes
seconds rather than the hours the service would spend sealing a million credentials. A
marker table records what was loaded, so a later run reuses a database that matches.
"""

from __future__ import annotations

import base64
import random
import sqlite3
from collections.abc import Iterator
from typing import Any

import psycopg

LEARNERS = 100_000
ITEMS_PER_WALLET = 10
#: Every STAGE1_STRIDE-th wallet (1, 11, 21, …) is filled in stage 1.
STAGE1_STRIDE = 10
SCALES = {"100k": 1, "1m": 2}
#: Bump when the synthetic rows change, so that stored databases are rebuilt.
LAYOUT_VERSION = 1
NOW = 1_780_272_000
YEAR = 365 * 24 * 3600
EARLIEST = NOW - 21 * YEAR
#: About the size of a short sealed credential (real ones are a few kilobytes).
CONTENT = "v1." + "A" * 200
DUMMY_SECRET = "v1.bench-not-a-secret"

ACCOUNT_COLUMNS = (
    "id", "email", "email_verified_at", "password_hash", "role", "language",
    "password_changed_at", "created_at",
)  # fmt: skip
WALLET_COLUMNS = (
    "id", "account_id", "holder_did", "data_key", "p256_key", "ed25519_key", "created_at",
)  # fmt: skip
ITEM_COLUMNS = (
    "id", "wallet_id", "record_id", "source", "format", "type_name", "issuer_slug",
    "issuer_id", "title_lv", "title_en", "issued_at", "added_at", "verified", "trust",
    "content",
)  # fmt: skip
TITLES = (
    ("diploma", "Bakalaura diploms datorzinātnēs", "Bachelor's diploma in computer science"),
    ("diploma", "Maģistra diploms ķīmijā", "Master's diploma in chemistry"),
    ("course-certificate", "Čuguna liešana", "Iron casting"),
    ("course-certificate", "Latviešu valoda A2", "Latvian language A2"),
)


def layout(scale: str) -> str:
    """What a database of ``scale`` holds, as written into (and compared with) its marker."""
    items = len(stage_wallets(1)) * ITEMS_PER_WALLET
    if SCALES[scale] == 2:
        items += len(stage_wallets(2)) * ITEMS_PER_WALLET
    return f"v{LAYOUT_VERSION} learners={LEARNERS} wallets={LEARNERS} items={items}"


def stage_wallets(stage: int) -> list[int]:
    """The wallet ids (equal to their account ids) that receive credentials in ``stage``."""
    first = [w for w in range(1, LEARNERS + 1) if w % STAGE1_STRIDE == 1]
    if stage == 1:
        return first
    return [w for w in range(1, LEARNERS + 1) if w % STAGE1_STRIDE != 1]


def listed_learners(scale: str, count: int, seed: int) -> list[int]:
    """Account ids to list, at random among those that hold credentials at ``scale``."""
    pool = stage_wallets(1) if SCALES[scale] == 1 else list(range(1, LEARNERS + 1))
    return random.Random(seed).choices(pool, k=count)


def accounts() -> Iterator[tuple[Any, ...]]:
    for n in range(1, LEARNERS + 1):
        yield (n, f"learner{n}@bench.example", NOW, DUMMY_SECRET, "learner", "lv", NOW, NOW)


def wallets() -> Iterator[tuple[Any, ...]]:
    for n in range(1, LEARNERS + 1):
        did = f"did:example:bench-holder-{n}"
        yield (n, n, did, DUMMY_SECRET, DUMMY_SECRET, DUMMY_SECRET, NOW)


def items(stage: int) -> list[tuple[Any, ...]]:
    """The credential rows of ``stage``, in a random (but fixed) order of insertion."""
    rng = random.Random(f"wallet-listing stage {stage}")
    rows = []
    for wallet in stage_wallets(stage):
        for k in range(ITEMS_PER_WALLET):
            type_name, title_lv, title_en = TITLES[rng.randrange(len(TITLES))]
            issued = rng.randrange(EARLIEST, NOW)
            item_id = base64.urlsafe_b64encode(rng.randbytes(16)).rstrip(b"=").decode()
            rows.append(
                (
                    item_id, wallet, f"urn:bench:{wallet}:{k}", "issued", "vc+jwt", type_name,
                    "bench-university", "did:web:bench.example", title_lv, title_en, issued,
                    issued + rng.randrange(3600, 30 * 24 * 3600), True, "verified", CONTENT,
                )
            )  # fmt: skip
    rng.shuffle(rows)
    return rows


def _insert(table: str, columns: tuple[str, ...], placeholder: str) -> str:
    marks = ", ".join(placeholder for _ in columns)
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"


def sqlite_marker(path: str) -> str | None:
    """The layout recorded in the SQLite file at ``path``, or None."""
    connection = sqlite3.connect(path)
    try:
        row = connection.execute("SELECT layout FROM bench_marker").fetchone()
    except sqlite3.DatabaseError:  # no marker table (a load cut short), or not a database
        return None
    finally:
        connection.close()
    return row[0] if row else None


def load_sqlite(path: str, scale: str) -> None:
    """Fill the migrated, empty SQLite file at ``path`` with the rows of ``scale``."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        # A throw-away database (a cut-short load leaves no marker, so it is rebuilt): no
        # journal, no fsync, and a page cache that holds the indexes being built.
        connection.execute("PRAGMA journal_mode=OFF")
        connection.execute("PRAGMA synchronous=OFF")
        connection.execute("PRAGMA cache_size=-1000000")
        connection.execute("BEGIN")
        connection.executemany(_insert("account", ACCOUNT_COLUMNS, "?"), accounts())
        connection.executemany(_insert("holder_wallet", WALLET_COLUMNS, "?"), wallets())
        for stage in range(1, SCALES[scale] + 1):
            connection.executemany(_insert("wallet_item", ITEM_COLUMNS, "?"), items(stage))
        connection.execute("CREATE TABLE bench_marker (layout TEXT NOT NULL)")
        connection.execute("INSERT INTO bench_marker VALUES (?)", (layout(scale),))
        connection.execute("COMMIT")
        connection.execute("ANALYZE")
        connection.execute("PRAGMA journal_mode=WAL")
    finally:
        connection.close()


def postgres_marker(connection: psycopg.Connection[Any]) -> str | None:
    """The layout recorded in the connection's schema (its ``search_path``), or None."""
    exists = connection.execute("SELECT to_regclass('bench_marker')").fetchone()
    if exists is None or exists[0] is None:
        return None
    row = connection.execute("SELECT layout FROM bench_marker").fetchone()
    return row[0] if row else None


def load_postgres(connection: psycopg.Connection[Any], scale: str) -> None:
    """Fill the migrated, empty schema of ``connection`` with the rows of ``scale``.

    ``connection`` is in autocommit mode: the rows go in one transaction, then ``VACUUM
    ANALYZE`` (which cannot run inside one) leaves the tables as autovacuum would.
    """
    connection.execute("SET synchronous_commit = off")
    connection.execute("SET maintenance_work_mem = '256MB'")
    with connection.transaction():
        with connection.cursor() as cursor:
            _copy(cursor, "account", ACCOUNT_COLUMNS, accounts())
            _copy(cursor, "holder_wallet", WALLET_COLUMNS, wallets())
            for stage in range(1, SCALES[scale] + 1):
                _copy(cursor, "wallet_item", ITEM_COLUMNS, iter(items(stage)))
            cursor.execute("CREATE TABLE bench_marker (layout TEXT NOT NULL)")
            cursor.execute("INSERT INTO bench_marker VALUES (%s)", (layout(scale),))
    connection.execute("VACUUM ANALYZE")


def _copy(
    cursor: psycopg.Cursor[Any],
    table: str,
    columns: tuple[str, ...],
    rows: Iterator[tuple[Any, ...]],
) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
