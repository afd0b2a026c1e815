"""``make bench``: what checking status adds to verification, for short and very long lists.

For lists of 131,072 and of 10,000,000 entries (each with 1,000 revoked or suspended
records, so a lookup is not trivially an empty dict), in one run:

- verification of the bench diploma (vc+jwt, EdDSA) with its status checked against the
  in-memory lists, the list version already known (ours), beside the same verification
  with no status check (floor): the median of the ratios of adjacent runs
  (:func:`bench.timing.paired_ratios`), since the two differ by a few per cent only;
- the cost of one list-version read (the query each process makes at most once a
  second), and of a read after one list's version moved (its states re-read).

Target (issue "Revocation and suspension"): ours within 1.05× the floor.
"""

from __future__ import annotations

import dataclasses
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert
from sqlmodel import select

from bench.__main__ import setup
from bench.timing import paired_ratios, per_op
from wallet.db.models import CredentialRecord, StatusList
from wallet.jose import parse_compact
from wallet.service import Services
from wallet.verifier import VerifierContext, verify_credential

ROUNDS = 9
CHUNKS = 40
OPS = 20
TARGET = 1.05
SIZES = (131_072, 10_000_000)
CHANGED = 1000


def _prepare(tmp: Path, size: int) -> tuple[Services, str]:
    extra = {"IMK_STATUS_LIST_SIZE": str(size), "IMK_STATUS_INTERVAL_SECONDS": "3600"}
    services, token, _ = setup(tmp, "EdDSA", extra=extra)
    entry = parse_compact(token).payload["credentialStatus"][0]
    index = int(entry["statusListIndex"])
    with services.session() as session:
        (status_list,) = session.exec(select(StatusList)).all()
        step = size // (CHANGED + 1)
        rows = [
            {
                "id": f"urn:bench:status:{n}", "issuer_slug": "bench-university",
                "type_name": "diploma", "content_hash": "0" * 64, "created_at": 0,
                "status_list_id": status_list.id, "status_index": n * step,
                "status": 1 + n % 2,
            }
            for n in range(1, CHANGED + 1)
            if n * step != index
        ]  # fmt: skip
        session.execute(insert(CredentialRecord), rows)
        status_list.version += 1
        session.add(status_list)
        session.commit()
    services.own_status_lists.refresh()
    return services, token


def main() -> int:
    """Measure and print; exit 1 when a ratio misses its target."""
    ratios: dict[int, list[float]] = {size: [] for size in SIZES}
    figures: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as small, tempfile.TemporaryDirectory() as large:
        prepared = {SIZES[0]: _prepare(Path(small), SIZES[0]),
                    SIZES[1]: _prepare(Path(large), SIZES[1])}  # fmt: skip
        for _ in range(ROUNDS):
            for size, (services, token) in prepared.items():
                now = int(time.time())
                with_status = services.verification
                without: VerifierContext = dataclasses.replace(with_status, status=None)
                state = services.own_status_lists.get(1)
                assert state is not None and state.size == size
                assert len(state.states) >= CHANGED - 1

                def ours(
                    ctx: VerifierContext = with_status, token: str = token, now: int = now
                ) -> None:
                    report = verify_credential(token, ctx=ctx, now=now)
                    if not report.verified:
                        raise SystemExit(f"bench credential did not verify: {report.checks}")

                def floor(
                    ctx: VerifierContext = without, token: str = token, now: int = now
                ) -> None:
                    # The same verdict is computed; only the status check is missing.
                    report = verify_credential(token, ctx=ctx, now=now)
                    if report.verified:
                        raise SystemExit("without a status check the diploma must not verify")

                pairs, mine, base = paired_ratios(ours, floor, chunks=CHUNKS, ops=OPS)
                ratios[size].extend(pairs)
                figures.setdefault(f"verify, status cached ({size:,})", []).append(mine)
                figures.setdefault(f"verify, no status ({size:,})", []).append(base)
                lists = services.own_status_lists
                figures.setdefault(f"list-version read ({size:,})", []).append(
                    per_op(lists.refresh, 20)
                )

                def moved(services: Services = services) -> None:
                    with services.session() as session:
                        row = session.get(StatusList, 1)
                        assert row is not None
                        row.version += 1
                        session.commit()
                    services.own_status_lists.refresh()

                start = time.perf_counter()
                for _ in range(5):
                    moved()
                figures.setdefault(f"read after a change ({size:,})", []).append(
                    (time.perf_counter() - start) / 5
                )

    print(f"IMK Wallet status bench: median of {ROUNDS} interleaved rounds, vc+jwt EdDSA")
    print(f"{'figure':<40}{'µs/op':>10}")
    for name, values in figures.items():
        print(f"{name:<40}{statistics.median(values) * 1e6:>10.1f}")
    print("(a read after a change includes the commit that moves the version)")
    print()
    print("ratio: median over every pair of adjacent runs (20 calls each, order alternating)")
    print(f"{'status check, ratio to no status check':<40}{'ratio':>10}{'target':>10}")
    failed = False
    for size, values in ratios.items():
        ratio = statistics.median(values)
        failed |= ratio > TARGET
        mark = "ok" if ratio <= TARGET else "OVER"
        label = f"list of {size:,} entries"
        print(f"{label:<40}{ratio:>10.3f}{'≤ ' + str(TARGET):>10}  {mark}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
