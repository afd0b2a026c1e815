"""Wallet listing: a learner's 20 newest credentials among 100,000 and 1,000,000 stored.

Run by ``make bench`` after the issuance and verification figures, or alone as
``python -m bench.wallet_listing``. For SQLite (files under the system temp directory) and
PostgreSQL (``IMK_BENCH_DATABASE_URL``, default :data:`DEFAULT_POSTGRES`; never the
``test`` database) it measures, on random learners:

- ours: :func:`wallet.holder.list_credentials` (``limit=20``) through a SQLModel session on
  the service's engine (:func:`wallet.db.engine.make_engine`), one session kept open as a
  request keeps its own;
- the floor: the same SQL (the same columns) through a raw driver connection of its own
  (``sqlite3``, whose statement cache keeps it prepared, or ``psycopg`` with
  ``prepare=True``), rows fetched as tuples.

Both scales sit side by side (two SQLite files, two PostgreSQL schemas, see
:mod:`bench.listing_data`) and are kept between runs, so a later run loads nothing. The four
figures of a database (ours and the floor at 100k and at 1M) alternate in short runs, so the
ratios and the growth compare figures taken over the same stretch of time. The plan of our
own SQL must read the index ``ix_wallet_item_wallet_newest``.

Targets (issue "Learner wallet"): ours within 2× the floor at both scales, and our median
growing at most 1.5× from 100k to 1M credentials (an index, not a scan).
"""

from __future__ import annotations

import itertools
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

from bench import listing_data
from bench.timing import alternated
from wallet.db import models  # noqa: F401  (registers the tables)
from wallet.db.engine import make_engine
from wallet.db.migrate import upgrade
from wallet.db.wallet_crud import ItemSummary, listing_query
from wallet.holder import list_credentials

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/imk_bench"
SQLITE_DIR = Path(tempfile.gettempdir()) / "imk-bench-wallet-listing"
INDEX = "ix_wallet_item_wallet_newest"
PAGE = 20
ROUNDS = 15
CHUNKS = 20
OPS = 25
RATIO_TARGET = 2.0
GROWTH_TARGET = 1.5
FLOOR_SQL = (
    f"SELECT {', '.join(ItemSummary._fields)} FROM wallet_item"
    " WHERE wallet_id IN (SELECT id FROM holder_wallet WHERE account_id = {mark})"
    f" ORDER BY issued_at DESC, id DESC LIMIT {PAGE}"
)


@dataclass
class Scale:
    """One loaded database: the service's engine on it and a raw driver connection."""

    name: str
    engine: Engine
    floor: Callable[[int], list[Any]]
    explain: Callable[[str, Any], list[str]]
    close: Callable[[], None]


# --- SQLite -------------------------------------------------------------------------------


def sqlite_scale(scale: str) -> Scale:
    """The SQLite file of ``scale``, loaded first when it is missing or stale."""
    path = SQLITE_DIR / f"{scale}.db"
    url = f"sqlite:///{path}"
    started = time.perf_counter()
    stale = not path.exists() or listing_data.sqlite_marker(str(path)) != listing_data.layout(scale)
    if stale:
        SQLITE_DIR.mkdir(parents=True, exist_ok=True)
        for old in SQLITE_DIR.glob(f"{scale}.db*"):
            old.unlink()
    # Also on a stored database: a revision newer than its load applies to its rows.
    upgrade(url)
    if stale:
        listing_data.load_sqlite(str(path), scale)
        print(f"  loaded {path} in {time.perf_counter() - started:.0f} s", flush=True)
    raw = sqlite3.connect(path)
    sql = FLOOR_SQL.format(mark="?")

    def floor(account_id: int) -> list[Any]:
        return raw.execute(sql, (account_id,)).fetchall()

    def explain(statement: str, arguments: Any) -> list[str]:
        rows = raw.execute(f"EXPLAIN QUERY PLAN {statement}", arguments).fetchall()
        return [row[3] for row in rows]

    return Scale(scale, make_engine(url), floor, explain, raw.close)


# --- PostgreSQL ---------------------------------------------------------------------------


def postgres_scale(base_url: str, scale: str) -> Scale:
    """The schema ``listing_<scale>`` of the bench database, loaded when missing or stale."""
    schema = f"listing_{scale}"
    connect_args = make_url(base_url).translate_connect_args(username="user", database="dbname")
    options = f"-c search_path={schema}"
    with psycopg.connect(**connect_args, options=options, autocommit=True) as loader:
        started = time.perf_counter()
        stale = listing_data.postgres_marker(loader) != listing_data.layout(scale)
        if stale:
            loader.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            loader.execute(f"CREATE SCHEMA {schema}")
        # Also on a stored schema: a revision newer than its load applies to its rows.
        upgrade(scoped_url(base_url, schema))
        if stale:
            listing_data.load_postgres(loader, scale)
            print(f"  loaded schema {schema} in {time.perf_counter() - started:.0f} s", flush=True)
    raw = psycopg.connect(**connect_args, options=options)
    cursor = raw.cursor()
    sql = FLOOR_SQL.format(mark="%s")

    def floor(account_id: int) -> list[Any]:
        return cursor.execute(sql, (account_id,), prepare=True).fetchall()

    def explain(statement: str, arguments: Any) -> list[str]:
        with raw.cursor() as explaining:
            rows = explaining.execute(f"EXPLAIN {statement}", arguments).fetchall()
        return [row[0].strip() for row in rows]

    return Scale(scale, make_engine(scoped_url(base_url, schema)), floor, explain, raw.close)


def scoped_url(base_url: str, schema: str) -> str:
    """``base_url`` with every connection's ``search_path`` set to ``schema``."""
    url = make_url(base_url).update_query_dict({"options": f"-c search_path={schema}"})
    return url.render_as_string(hide_password=False)


def ensure_database(base_url: str) -> None:
    """Create the bench database when it does not exist yet (never the test database)."""
    url = make_url(base_url)
    if url.database in (None, "", "test", "postgres"):
        raise SystemExit(f"IMK_BENCH_DATABASE_URL must name a bench database, not {url.database!r}")
    connect_args = url.set(database="postgres").translate_connect_args(
        username="user", database="dbname"
    )
    with psycopg.connect(**connect_args, autocommit=True) as admin:
        found = admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (url.database,)
        ).fetchone()
        if found is None:
            admin.execute(f'CREATE DATABASE "{url.database}"')


# --- measuring ----------------------------------------------------------------------------


def check(scale: Scale, session: Session, learner: int) -> list[str]:
    """Check that ours and the floor list the same page; return the plan of our SQL."""
    ours = list_credentials(session, account_id=learner, limit=PAGE)
    floor = scale.floor(learner)
    if len(ours) != listing_data.ITEMS_PER_WALLET or [tuple(item) for item in ours] != floor:
        raise SystemExit(f"{scale.name}: ours and the floor list different credentials")
    query = listing_query(scale.engine.dialect)
    params = {"account_id": learner, "limit": PAGE, "offset": 0}
    return scale.explain(query.sql, query.arguments(params))


def measure(scales: list[Scale]) -> tuple[dict[str, list[float]], dict[str, list[str]]]:
    """Alternate ours and the floor at every scale; per-call seconds of each, per round."""
    figures: dict[str, list[float]] = {}
    plans: dict[str, list[str]] = {}
    sessions = {scale.name: Session(scale.engine) for scale in scales}
    try:
        calls: dict[str, Callable[[], object]] = {}
        for n, scale in enumerate(scales):
            session = sessions[scale.name]
            learners = listing_data.listed_learners(scale.name, CHUNKS * OPS, seed=n)
            plans[scale.name] = check(scale, session, learners[0])
            ours_ids = itertools.cycle(learners)
            floor_ids = itertools.cycle(learners)

            def ours(session: Session = session, ids: Iterator[int] = ours_ids) -> None:
                list_credentials(session, account_id=next(ids), limit=PAGE)

            def floor(scale: Scale = scale, ids: Iterator[int] = floor_ids) -> None:
                scale.floor(next(ids))

            calls[f"floor {scale.name}"] = floor
            calls[f"ours {scale.name}"] = ours
        for _ in range(ROUNDS):
            for name, seconds in alternated(calls, chunks=CHUNKS, ops=OPS).items():
                figures.setdefault(name, []).append(seconds)
    finally:
        for session in sessions.values():
            session.close()
        for scale in scales:
            scale.close()
            scale.engine.dispose()
    return figures, plans


def per_round(top: list[float], bottom: list[float]) -> float:
    """The median of the per-round ratios ``top / bottom``."""
    return statistics.median(a / b for a, b in zip(top, bottom, strict=True))


def report(label: str, figures: dict[str, list[float]], plans: dict[str, list[str]]) -> bool:
    """Print one database's medians, plans and ratios; return whether a target is missed."""
    names = list(listing_data.SCALES)
    print(f"{label}: µs per listing, median of {ROUNDS} rounds")
    print(f"{'':<32}" + "".join(f"{name:>10}" for name in names))
    for who, title in (("ours", "list_credentials (ours)"), ("floor", "raw driver (floor)")):
        medians = [statistics.median(figures[f"{who} {name}"]) * 1e6 for name in names]
        print(f"{title:<32}" + "".join(f"{value:>10.1f}" for value in medians))
    failed = False
    for name in names:
        key = [line for line in plans[name] if INDEX in line] or plans[name]
        print(f"plan at {name}: {' | '.join(key)}")
        if not any(INDEX in line for line in plans[name]):
            print(f"  the plan does not read {INDEX}  OVER")
            failed = True
    print(f"{'':<32}{'ratio':>10}{'target':>10}")
    rows = [
        (f"ours / floor at {name}", f"ours {name}", f"floor {name}", RATIO_TARGET) for name in names
    ]
    rows.append(("growth ours 1m / 100k", "ours 1m", "ours 100k", GROWTH_TARGET))
    for title, top, bottom, target in rows:
        ratio = per_round(figures[top], figures[bottom])
        failed |= ratio > target
        mark = "ok" if ratio <= target else "OVER"
        print(f"{title:<32}{ratio:>10.2f}{'≤ ' + str(target):>10}  {mark}")
    floor_growth = per_round(figures["floor 1m"], figures["floor 100k"])
    print(f"{'(growth floor 1m / 100k)':<32}{floor_growth:>10.2f}")
    print()
    return failed


def main() -> int:
    """Load (or reuse) both databases, measure, print; exit 1 when a target is missed."""
    print()
    print(
        f"Wallet listing: {PAGE} newest credentials of a random learner (who holds "
        f"{listing_data.ITEMS_PER_WALLET}); ours and the floor alternate in runs of {OPS} calls"
    )
    print("SQLite: preparing", flush=True)
    failed = report("SQLite", *measure([sqlite_scale(name) for name in listing_data.SCALES]))
    base_url = os.environ.get("IMK_BENCH_DATABASE_URL", DEFAULT_POSTGRES)
    print(f"PostgreSQL ({make_url(base_url).render_as_string()}): preparing", flush=True)
    try:
        ensure_database(base_url)
        postgres = [postgres_scale(base_url, name) for name in listing_data.SCALES]
    except psycopg.OperationalError as exc:
        print(f"PostgreSQL: not measured, cannot connect: {exc}  OVER")
        return 1
    failed |= report("PostgreSQL", *measure(postgres))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
