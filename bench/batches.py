"""``make bench``: bulk issuance of a 10,000-row batch beside raw Ed25519 signing.

The figure is one whole batch (``wallet.batches``: read the JSON Lines file, validate every
row, find the learners' wallets, allocate status slots, sign, record, commit), for learners
whose wallets already exist, per credential. Beside it, in the same run and on the same
signing input, the raw Ed25519 signature of pyca/cryptography, measured just before and just
after each batch (the mean of the two is the floor). Measured separately: creating the
pending wallets of 10,000 new learners, and delivery from the outbox into the wallets.

Target (issue "Institution intake"): at least 25% of the raw signing rate, i.e. a batch
costs at most 4× the raw signature per credential, on SQLite and on PostgreSQL
(``IMK_BENCH_DATABASE_URL``, default the ``imk_bench`` database on 127.0.0.1, schema
``batches``, dropped and made again on every run).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psycopg
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import make_url
from sqlmodel import SQLModel

from bench.__main__ import setup
from bench.timing import per_op
from bench.wallet_listing import DEFAULT_POSTGRES, ensure_database, scoped_url
from wallet import batches, holder
from wallet.batches import BatchOptions
from wallet.personal_code import hash_identifier
from wallet.service import Services

ROWS = 10_000
ROUNDS = 3
TARGET = 4.0
SCHEMA = "batches"
_WEIGHTS = (10, 5, 8, 4, 2, 1, 6, 3, 7, 9)


def personal_code(n: int) -> str:
    """A valid new-format personal code, distinct for each ``n``."""
    body = f"32{n:08d}"
    check = (1 + sum(w * int(d) for w, d in zip(_WEIGHTS, body, strict=True))) % 11 % 10
    return f"{body}{check}"


def batch_file(services: Services, round_no: int, type_name: str = "diploma") -> bytes:
    """10,000 credentials of the type's example for learners 0..9,999, with external ids of
    this round."""
    subject = dict(services.types.get(type_name).example)
    subject.pop("id", None)
    lines = []
    for n in range(ROWS):
        row = {
            "externalId": f"{type_name}-{round_no}-{n}",
            "learner": {"personalCode": personal_code(n)},
            "credentialSubject": {**subject, "givenName": f"Learner {n}"},
        }
        lines.append(json.dumps(row, ensure_ascii=False))
    return ("\n".join(lines) + "\n").encode()


def make_wallets(services: Services) -> float:
    """Create the pending wallets of the 10,000 learners; seconds per wallet."""
    key = services.issuance.learner_key
    learners = [(hash_identifier(key, "pk", personal_code(n)), None, None) for n in range(ROWS)]
    start = time.perf_counter()
    with services.session() as session:
        holder.wallets_for_learners(session, ctx=services.holder, learners=learners, now=0)
        session.commit()
    return (time.perf_counter() - start) / ROWS


def run_batch(
    services: Services, data: bytes, round_no: int, type_name: str = "diploma"
) -> float:
    """Issue one batch file; seconds per credential."""
    issuer = services.registry.by_slug("bench-university")
    options = BatchOptions(filename=f"{type_name}-{round_no}.jsonl", type_name=type_name)
    now = int(time.time())
    start = time.perf_counter()
    batch, fresh = batches.submit(
        services.batches, issuer=issuer, data=data, options=options, actor="bench", now=now
    )
    assert fresh
    batch = batches.run(
        services.batches, batch=batch, issuer=issuer, data=data, options=options, now=now
    )
    elapsed = time.perf_counter() - start
    if (batch.state, batch.issued) != ("issued", ROWS):
        raise SystemExit(f"bench batch not issued: {batch.state} {batch.report[:500]!r}")
    return elapsed / ROWS


def deliver(services: Services) -> float:
    """Deliver the first batch into the wallets; seconds per credential."""
    start = time.perf_counter()
    count = services.deliver_pending()
    if count != ROWS:
        raise SystemExit(f"delivered {count} of {ROWS}")
    return (time.perf_counter() - start) / ROWS


#: The types measured: the largest (a diploma with its supplement) and the one course
#: providers issue in bulk most (a course certificate, apliecība).
TYPES = ("diploma", "course-certificate")


def measure(name: str, services: Services, message: bytes) -> bool:
    """Print the figures of one database; True when a type misses the target."""
    key = Ed25519PrivateKey.generate()

    def floor() -> float:
        return per_op(lambda: key.sign(message), 2000)

    wallets = make_wallets(services)
    delivery = 0.0
    figures: dict[str, list[float]] = {}
    for round_no in range(ROUNDS):
        for type_name in TYPES:
            data = batch_file(services, round_no, type_name)
            before = floor()
            ours = run_batch(services, data, round_no, type_name)
            after = floor()
            base = (before + after) / 2
            figures.setdefault(f"{type_name} batch", []).append(ours)
            figures.setdefault("floor", []).append(base)
            figures.setdefault(f"{type_name} ratio", []).append(ours / base)
            if round_no == 0 and type_name == TYPES[0]:
                # Delivery is measured once: it is reported beside the target, not in it.
                delivery = deliver(services)
    result = {label: statistics.median(values) for label, values in figures.items()}
    print(f"\n{name}: batches of {ROWS:,} vc+jwt credentials, median of {ROUNDS} per type")
    print(f"{'figure':<52}{'µs/op':>10}{'ops/s':>10}")
    lines = [("raw Ed25519 sign (floor)", result["floor"])]
    lines += [(f"{t} batch, per credential (wallets exist)", result[f"{t} batch"]) for t in TYPES]
    lines += [
        ("  separately: pending wallet created", wallets),
        ("  separately: delivery from the outbox", delivery),
    ]
    for label, value in lines:
        print(f"{label:<52}{value * 1e6:>10.1f}{1 / value:>10.0f}")
    missed = False
    for type_name in TYPES:
        ratio = result[f"{type_name} ratio"]
        mark = "ok" if ratio <= TARGET else "OVER"
        missed |= ratio > TARGET
        label = f"{type_name}: batch rate / raw signing rate"
        print(f"{label:<52}{1 / ratio:>10.1%}{'≥ 25%':>10}  {mark}  (ratio {ratio:.2f} ≤ {TARGET})")
    return missed


def postgres_services(tmp: Path) -> Services:
    base = os.environ.get("IMK_BENCH_DATABASE_URL", DEFAULT_POSTGRES)
    ensure_database(base)
    url = make_url(base)
    connect_args = url.translate_connect_args(username="user", database="dbname")
    with psycopg.connect(**connect_args, autocommit=True) as admin:
        admin.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        admin.execute(f"CREATE SCHEMA {SCHEMA}")
    services, _, _ = setup(tmp, "EdDSA", extra={"IMK_DATABASE_URL": scoped_url(base, SCHEMA)})
    return services


def main() -> int:
    failed = False
    with tempfile.TemporaryDirectory() as lite, tempfile.TemporaryDirectory() as pg:
        services, token, _ = setup(Path(lite), "EdDSA")
        message = token.rsplit(".", 1)[0].encode("ascii")
        failed |= measure("SQLite", services, message)
        try:
            pg_services = postgres_services(Path(pg))
        except psycopg.OperationalError as exc:
            print(f"PostgreSQL not reachable: {exc}")
            return 1
        SQLModel.metadata.create_all(pg_services.engine)
        failed |= measure("PostgreSQL", pg_services, message)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
