"""SD-JWT VC: issuance and presentation verification beside their floors.

Run by ``make bench`` after the other figures, or alone as ``python -m bench.sd_jwt``. The
credential is the example diploma of ``schemas/diploma`` issued as ``dc+sd-jwt``: its type
metadata makes 12 claims selectively disclosable (4 course results among them), and decoys
are added to every ``_sd`` array.

- **Issuance** (the target): in process, what makes a checked credential an SD-JWT VC: its
  claims from the W3C credential and the type metadata, the salts, disclosures, decoys and
  digests, and the issuer's signature. This is the scope the issue compares with the
  reference Python implementation (8× the same floor). Floor: one signature of the
  issuer-signed JWT plus one SHA-256 per digest it holds.
- **Issuance through the service** (for information, no target): per credential in batches
  of 1,000 with one commit (validate against the type, the above, record), like the
  ``vc+jwt`` figure; no learner is named, so no wallet is made.
- **Presentation verification** of 6 disclosed claims with a KB-JWT, in process (issuer key
  from the cached key history, every check of :func:`wallet.verifier.verify_sd_jwt_vc`; the
  challenge bookkeeping, a database write, excluded). Floor: the issuer's signature
  verification, the holder's P-256 verification of the KB-JWT, and one SHA-256 per
  presented disclosure.

Targets (issue "Selective disclosure"): issuance within 4× its floor, verification within
2× its floor.
"""

from __future__ import annotations

import hashlib
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlmodel import select

from bench.__main__ import setup
from bench.timing import interleaved
from wallet import sdjwt_vc
from wallet.db.models import HolderWallet
from wallet.holder import holder_keys
from wallet.issuance import (
    IssuedCredential,
    IssueRequest,
    Learner,
    SaltPool,
    decoys_for,
    issue_batch,
)
from wallet.jose import parse_compact
from wallet.presentations import MAX_AGE_SECONDS
from wallet.sdjwt import KeyBindingPolicy, issue_sd_jwt, present, sd_jwt_signer, split_sd_jwt
from wallet.service import Services
from wallet.verifier import verify_sd_jwt_vc

ROUNDS = 7
BATCH = 1000
ISSUE_TARGET = 4.0
VERIFY_TARGET = 2.0
DISCLOSED = 6
AUD = "https://verifier.example"


def _issue(
    services: Services, credential: dict[str, object], batch: int, learner: bool
) -> list[IssuedCredential]:
    issuer = services.registry.by_slug("bench-university")
    requests = [
        IssueRequest(
            credential=credential, credential_id=f"urn:sd:{batch}:{i}", format="dc+sd-jwt",
            learner=Learner(email="bench.learner@example.lv") if learner else None,
        )
        for i in range(1 if learner else BATCH)
    ]  # fmt: skip
    with services.session() as session:
        issued = issue_batch(
            session, ctx=services.issuance, issuer=issuer, requests=requests,
            now=int(time.time()) - 10, batch_id=f"sd-{batch}",
        )  # fmt: skip
        session.commit()
    return issued


def _presentation(services: Services, credential: dict[str, object]) -> tuple[str, str]:
    """A 6-claim presentation of a diploma delivered to a wallet, and its nonce."""
    (issued,) = _issue(services, credential, 0, learner=True)
    serialized = issued.token
    with services.session() as session:
        (wallet,) = session.exec(select(HolderWallet)).all()
    p256, _ = holder_keys(services.holder, wallet)
    # Six disclosures: four claims, the course list, and its first course.
    keep = [("givenName",), ("familyName",), ("birthDate",), ("achievement", "awardingDate"),
            ("achievement", "courses", 0)]  # fmt: skip
    nonce = "bench-nonce-0123456789"
    vp = present(serialized, keep=keep, holder_key=p256, aud=AUD, nonce=nonce, iat=int(time.time()))
    return vp, nonce


def main() -> int:
    """Measure both figures for an EdDSA and an ES256 institution; print medians and ratios."""
    ratios: dict[str, list[float]] = {}
    figures: dict[str, list[float]] = {}
    digests = 0
    for alg in ("EdDSA", "ES256"):
        with tempfile.TemporaryDirectory() as folder:
            digests = _measure(alg, Path(folder), figures, ratios)
    print(f"SD-JWT VC bench: diploma with {digests} digests (decoys included); median of {ROUNDS}")
    print(f"{'figure':<32}{'µs/op':>10}")
    for name, values in sorted(figures.items()):
        print(f"{name:<32}{statistics.median(values) * 1e6:>10.1f}")
    print(f"{'':<32}{'ratio':>10}{'target':>12}")
    failed = False
    for name, values in ratios.items():
        ratio = statistics.median(values)
        target = VERIFY_TARGET if name.startswith("verify") else ISSUE_TARGET
        failed |= ratio > target
        mark = "ok" if ratio <= target else "OVER"
        print(f"{name:<32}{ratio:>10.2f}{'≤ ' + str(target):>12}  {mark}")
    return 1 if failed else 0


def _measure(
    alg: str, folder: Path, figures: dict[str, list[float]], ratios: dict[str, list[float]]
) -> int:
    """Both figures of one institution's algorithm; return the digests of its diploma."""
    services, _, credential = setup(folder, alg)
    vp, nonce = _presentation(services, credential)
    parts = split_sd_jwt(vp, max_chars=1_000_000, max_disclosures=1000)
    assert len(parts.disclosures) == DISCLOSED, len(parts.disclosures)
    (sample,) = _issue(services, credential, 1, learner=True)
    jwt = sample.token.split("~", 1)[0]
    digests = _digests(parse_compact(jwt).payload)
    issuer_sign, issuer_verify = _floors(alg, jwt.rsplit(".", 1)[0].encode("ascii"))
    holder = ec.generate_private_key(ec.SECP256R1())
    assert parts.kb_jwt is not None
    kb_input = parts.kb_jwt.rsplit(".", 1)[0].encode("ascii")
    kb_sig = holder.sign(kb_input, ec.ECDSA(hashes.SHA256()))
    holder_pub = holder.public_key()
    presented = [d.encode("ascii") for d in parts.disclosures]
    sd_input = vp[: vp.rfind("~") + 1].encode("ascii")
    issued = [d.encode("ascii") for d in sample.token.split("~")[1:-1]]
    decoys = max(digests - len(issued), 0)

    def verify_floor() -> None:
        issuer_verify()
        holder_pub.verify(kb_sig, kb_input, ec.ECDSA(hashes.SHA256()))
        for disclosure in presented:
            hashlib.sha256(disclosure).digest()
        hashlib.sha256(sd_input).digest()

    policy = KeyBindingPolicy(aud=AUD, nonce=nonce, max_age_seconds=MAX_AGE_SECONDS)

    def verify_ours() -> None:
        report = verify_sd_jwt_vc(
            vp, ctx=services.verification, now=int(time.time()), key_binding=policy
        )
        if not report.verified:
            raise SystemExit(f"bench presentation did not verify: {report.checks}")

    def issue_floor() -> None:
        issuer_sign()
        for disclosure in issued:
            hashlib.sha256(disclosure).digest()
        for _ in range(decoys):
            hashlib.sha256(b"sixteen-byte-sal").digest()

    issuer = services.registry.by_slug("bench-university")
    ctype = services.types.get("diploma")
    with services.session() as session:
        kid, key = services.keystore.signing_key(session, issuer_slug=issuer.slug)
    signer = sd_jwt_signer(key, kid=kid)
    checked = {**credential, "validFrom": "2026-01-01T00:00:00Z", "id": "urn:uuid:bench"}
    salts = SaltPool(services.random)
    holder_jwk = parse_compact(jwt).payload["cnf"]["jwk"]

    def issue_ours() -> None:
        claims = sdjwt_vc.claims_of(
            checked, ctype=ctype, iss=issuer.https_id, base_url=services.settings.base_url,
            iat=int(time.time()), holder_jwk=holder_jwk, personal_code=None,
        )  # fmt: skip
        issue_sd_jwt(
            claims, signer=signer, sd_paths=sdjwt_vc.sd_paths(ctype), salt=salts,
            decoys=decoys_for,
        )  # fmt: skip

    for round_no in range(ROUNDS):
        ours, floor = interleaved(verify_ours, verify_floor)
        figures.setdefault(f"present+verify 6 ({alg})", []).append(ours)
        figures.setdefault(f"floor verify ({alg})", []).append(floor)
        ratios.setdefault(f"verify SD-JWT {alg}", []).append(ours / floor)
        ours, floor = interleaved(issue_ours, issue_floor)
        figures.setdefault(f"issue dc+sd-jwt ({alg})", []).append(ours)
        figures.setdefault(f"floor issue ({alg})", []).append(floor)
        ratios.setdefault(f"issue SD-JWT {alg}", []).append(ours / floor)
        start = time.perf_counter()
        _issue(services, credential, 10 + round_no, learner=False)
        figures.setdefault(f"issue via service ({alg})", []).append(
            (time.perf_counter() - start) / BATCH
        )
    services.close()
    return digests


def _digests(node: object) -> int:
    """How many digests (disclosed claims and decoys) a payload holds."""
    if isinstance(node, dict):
        own = len(node.get("_sd", []))
        return own + sum(_digests(value) for key, value in node.items() if key != "_sd")
    if isinstance(node, list):
        return sum(1 if isinstance(v, dict) and "..." in v else _digests(v) for v in node)
    return 0


def _floors(alg: str, message: bytes) -> tuple[Callable[[], None], Callable[[], None]]:
    """Raw sign and verify of ``message`` with a fresh key of ``alg``."""
    if alg == "EdDSA":
        ed = Ed25519PrivateKey.generate()
        sig = ed.sign(message)
        pub = ed.public_key()
        return (lambda: ed.sign(message) and None), (lambda: pub.verify(sig, message))
    key = ec.generate_private_key(ec.SECP256R1())
    scheme = ec.ECDSA(hashes.SHA256())
    sig = key.sign(message, scheme)
    pub_ec = key.public_key()
    return (lambda: key.sign(message, scheme) and None), (
        lambda: pub_ec.verify(sig, message, scheme)
    )


if __name__ == "__main__":
    sys.exit(main())
