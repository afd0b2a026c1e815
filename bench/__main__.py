"""``make bench``: our issuance and verification beside the raw signature operations.

Every figure is the median of interleaved rounds measured in this one run (the machine is
shared and noisy, so only ratios within a run mean anything):

- floors: raw Ed25519 and P-256 sign and verify of pyca/cryptography over the signing input
  of the bench diploma (about 3 KB: the same bytes, so hashing costs the same);
- verification: the full in-process ``vc+jwt`` verification (strict parse, header, trust
  lookup, key history from the in-memory cache, signature, accreditation, data model,
  validity, contexts, schema) of a diploma; no database access (cache ttl is long);
- issuance: per credential, in batches of 1,000 with one commit per batch (validate, sign,
  record) on a file-backed SQLite database.

Targets (issue "Foundation"): verification within 2.0× the raw verification, issuance
within 4× the raw signing.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlmodel import SQLModel

from bench.timing import interleaved, per_op
from wallet.config import load_settings
from wallet.db import models  # noqa: F401
from wallet.issuance import IssueRequest, build_credential, issue_batch
from wallet.service import Services
from wallet.verifier import verify_credential

REPO = Path(__file__).resolve().parent.parent
ROUNDS = 9
OPS = 2000
BATCH = 1000
VERIFY_TARGET = 2.0
ISSUE_TARGET = 4.0


def setup(
    tmp: Path, alg: str, *, extra: dict[str, str] | None = None
) -> tuple[Services, str, dict[str, object]]:
    """A service with one demo institution signing with ``alg`` and one issued diploma.

    :param extra: more ``IMK_*`` settings.
    """
    issuers = tmp / "issuers"
    issuers.mkdir()
    entry = json.loads((REPO / "issuers/demo-university/issuer.json").read_text())
    entry["demo"] = False
    entry["slug"] = "bench-university"
    (issuers / "bench-university").mkdir()
    (issuers / "bench-university/issuer.json").write_text(json.dumps(entry))
    settings = load_settings(
        {
            "IMK_DATA_DIR": str(tmp / "data"),
            "IMK_DATABASE_URL": f"sqlite:///{tmp / 'bench.db'}",
            "IMK_ISSUERS_DIR": str(issuers),
            "IMK_KEYS_DIR": str(tmp / "keys"),
            "IMK_SCHEMAS_DIR": str(REPO / "schemas"),
            "IMK_SECRET_KEY": "42" * 32,
            "IMK_BASE_URL": "https://wallet.example",
            "IMK_CACHE_TTL_SECONDS": "3600",
            "IMK_STATUS_INTERVAL_SECONDS": "3600",
            **(extra or {}),
        }
    )
    (tmp / "data").mkdir()
    services = Services.build(settings)
    SQLModel.metadata.create_all(services.engine)
    issuer = services.registry.by_slug("bench-university")
    now = int(time.time())
    with services.session() as session:
        services.keystore.create_key(session, issuer=issuer, alg=alg, now=now - 60)
        session.commit()
    services.key_history.refresh()
    ctype = services.types.get("diploma")
    credential = build_credential(ctype, ctype.example, issuer_did=issuer.did)
    with services.session() as session:
        (issued,) = issue_batch(
            session, ctx=services.issuance, issuer=issuer,
            requests=[IssueRequest(credential=credential)], now=now - 30,
        )  # fmt: skip
        session.commit()
    return services, issued.token, credential


def bracketed(ours: Callable[[], float], floor: Callable[[], float]) -> tuple[float, float]:
    """Measure the floor, ours, then the floor again; return (ours, mean floor).

    Bracketing our figure between two floor measurements cancels most of the drift of a
    shared, noisy machine from the ratio.
    """
    before = floor()
    value = ours()
    after = floor()
    return value, (before + after) / 2


def main() -> int:
    """Run every measurement in interleaved rounds and print medians and ratios."""
    figures: dict[str, list[float]] = {}
    ratios: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as ed_dir, tempfile.TemporaryDirectory() as es_dir:
        setups = {"EdDSA": setup(Path(ed_dir), "EdDSA"), "ES256": setup(Path(es_dir), "ES256")}
        # The floors sign and verify the very bytes of a bench credential's signing input, so
        # that "raw signature" means the signature of the same credential, hashing included.
        message = setups["EdDSA"][1].rsplit(".", 1)[0].encode("ascii")
        ed = Ed25519PrivateKey.generate()
        ed_sig = ed.sign(message)
        ed_pub = ed.public_key()
        p256 = ec.generate_private_key(ec.SECP256R1())
        p256_sig = p256.sign(message, ec.ECDSA(hashes.SHA256()))
        p256_pub = p256.public_key()
        ecdsa = ec.ECDSA(hashes.SHA256())
        operations: dict[str, Callable[[], object]] = {
            "raw Ed25519 sign": lambda: ed.sign(message),
            "raw Ed25519 verify": lambda: ed_pub.verify(ed_sig, message),
            "raw P-256 sign": lambda: p256.sign(message, ecdsa),
            "raw P-256 verify": lambda: p256_pub.verify(p256_sig, message, ecdsa),
        }
        floors: dict[str, Callable[[], float]] = {
            name: (lambda op=op: per_op(op, OPS)) for name, op in operations.items()
        }
        verify_floor = {"EdDSA": "raw Ed25519 verify", "ES256": "raw P-256 verify"}
        sign_floor = {"EdDSA": "raw Ed25519 sign", "ES256": "raw P-256 sign"}
        batch_no = 0
        for _ in range(ROUNDS):
            for alg, (services, token, credential) in setups.items():
                now = int(time.time())

                def verify_once(
                    services: Services = services, token: str = token, now: int = now
                ) -> None:
                    report = verify_credential(token, ctx=services.verification, now=now)
                    if not report.verified:
                        raise SystemExit(f"bench credential did not verify: {report.checks}")

                ours, floor = interleaved(verify_once, operations[verify_floor[alg]])
                figures.setdefault(f"vc+jwt verify ({alg})", []).append(ours)
                figures.setdefault(verify_floor[alg], []).append(floor)
                ratios.setdefault(f"verify {alg}", []).append(ours / floor)

                issuer = services.registry.by_slug("bench-university")
                batch_no += 1
                requests = [
                    IssueRequest(credential=credential, credential_id=f"urn:bench:{batch_no}:{i}")
                    for i in range(BATCH)
                ]

                def issue_once(
                    services: Services = services,
                    requests: list[IssueRequest] = requests,
                    batch: int = batch_no,
                    issuer: object = issuer,
                ) -> float:
                    start = time.perf_counter()
                    with services.session() as session:
                        issue_batch(
                            session,
                            ctx=services.issuance,
                            issuer=issuer,
                            requests=requests,
                            now=int(time.time()),
                            batch_id=f"bench-{batch}",
                        )
                        session.commit()
                    return (time.perf_counter() - start) / BATCH

                ours, floor = bracketed(issue_once, floors[sign_floor[alg]])
                figures.setdefault(f"issue per credential ({alg})", []).append(ours)
                figures.setdefault(sign_floor[alg], []).append(floor)
                ratios.setdefault(f"issue {alg}", []).append(ours / floor)  # fmt: skip

    med = {name: statistics.median(values) for name, values in sorted(figures.items())}
    print(
        f"IMK Wallet bench: median of {ROUNDS} interleaved rounds; issuance in batches of {BATCH}"
    )
    print(f"{'figure':<32}{'µs/op':>10}{'ops/s':>12}")
    for name, value in med.items():
        print(f"{name:<32}{value * 1e6:>10.1f}{1 / value:>12.0f}")
    print()
    print("ratio to floor: median of per-round ratios; verification alternates with its floor")
    print("in runs of 50 calls; each issuance batch is measured between two floor runs")
    print(f"{'':<32}{'ratio':>10}{'target':>12}")
    failed = False
    for name, values in ratios.items():
        ratio = statistics.median(values)
        target = VERIFY_TARGET if name.startswith("verify") else ISSUE_TARGET
        failed |= ratio > target
        mark = "ok" if ratio <= target else "OVER"
        print(f"{name:<32}{ratio:>10.2f}{'≤ ' + str(target):>12}  {mark}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
