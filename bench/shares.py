"""Share links: the verifier's JSON answer beside ``POST /credentials/verify``, and the QR
code of a link beside segno's.

Run by ``make bench`` after the other figures, or alone as ``python -m bench.shares``. One
service on a file-backed SQLite database (:func:`bench.__main__.setup`: WAL,
``synchronous=FULL``, EdDSA institution); a learner's account whose wallet holds the
example diploma twice, as ``vc+jwt`` and as ``dc+sd-jwt``; one share of each, made by the
use-case (:func:`wallet.shares.create_share`) without a view limit, so views never run
out. Every figure is the median of the rounds of this run.

- **Share page (JSON)**: ``GET /s/{token}`` with ``Accept: application/json`` through the
  real ASGI app in process (fastapi's TestClient): the share and its wallet found by the
  token's keyed hash in one query, its presentations unsealed and verified (status checked
  live, as in every verification), a view counted and the opening's access-log entries
  written in one transaction with one commit, the answer built. Floor: ``POST
  /credentials/verify`` of the same credential through the same client, which verifies it
  (status included) and touches no database. The two alternate in adjacent runs
  (:func:`bench.timing.paired_ratios`); the ratio is the median of the pairs' ratios.
- Reported beside them, each measured on its own in the same rounds: the **share lookup**
  (:func:`wallet.shares.find_presentations` in a new session: the query, the state
  checked, the presentations unsealed) and the **access-log write** (the view taken and
  the opening's two entries written, in one transaction, and the commit), with the
  **commit** alone (the same writes rolled back instead, subtracted): the fsync of the WAL
  that makes the log durable before the answer leaves.
- **Signatures**: a share's presentation carries two signatures, the issuer's over the
  credential and the holder's (P-256) over the presentation (vp+jwt, or the SD-JWT's
  KB-JWT); ``POST /credentials/verify`` checks the issuer's only. The raw checks of
  pyca/cryptography over the very same signing inputs are printed as a floor line.
- **QR SVG, first render**: :class:`wallet.share_images.ShareImages` with an empty cache
  rendering the link's SVG (qrcode builds the matrix, mask chosen by penalty). Floor:
  segno (a bench-only dependency, ``.[bench]``) making the same link at the same error
  correction level (M, not boosted) and writing its SVG to bytes. The **cached render**
  (the second fetch of the same share) is measured from a warm cache.

Targets (issue "Share and verify"): the share page within 1.5× the verify endpoint; the
first QR render within 1.5× segno; the cached render within 0.1× the first. Missing one
exits 1.
"""

from __future__ import annotations

import io
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import segno
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from sqlmodel import Session

from bench.__main__ import setup
from bench.timing import alternated, paired_ratios
from wallet import holder, shares
from wallet.db import account_crud, share_crud
from wallet.db.models import Account
from wallet.issuance import IssueRequest, Learner, issue_batch
from wallet.service import Services
from wallet.share_images import ShareImages, qr_code
from wallet.shares import ShareItem
from wallet.web.app import create_app

ROUNDS = 9
CHUNKS = 8
HTTP_OPS = 20
SIGNATURE_OPS = 200
QR_OPS = 4
PAGE_TARGET = 1.5
QR_TARGET = 1.5
CACHED_TARGET = 0.1
BASE_URL = "https://wallet.example"
EMAIL = "bench.learner@example.lv"
JSON = {"Accept": "application/json"}
#: The claims an SD-JWT share discloses, besides what is always visible.
DISCLOSE = (("givenName",), ("familyName",), ("achievement", "awardingDate"))


@dataclass(frozen=True)
class Shared:
    """One credential in the learner's wallet, issued as ``format``, and its share."""

    format: str
    token: str
    link_token: str
    url: str


def _learner(services: Services, now: int) -> int:
    """A learner's account with a proven address (made directly: no mail in a bench)."""
    with services.session() as session:
        account = account_crud.add_account(
            session,
            row=Account(
                email=EMAIL, email_verified_at=now, password_hash="bench: never signs in",
                role="learner", password_changed_at=now, created_at=now,
            ),
        )  # fmt: skip
        session.commit()
        assert account.id is not None
        return account.id


def _shared(services: Services, credential: dict[str, object], account_id: int, fmt: str) -> Shared:
    """Issue the diploma as ``fmt`` to the learner, and share it without a view limit."""
    issuer = services.registry.by_slug("bench-university")
    now = int(time.time()) - 20
    # Without a subject id the service binds the credential to the wallet's holder, so
    # that the holder can present it.
    subject = {k: v for k, v in dict(credential["credentialSubject"]).items() if k != "id"}
    request = IssueRequest(
        credential={**credential, "credentialSubject": subject},
        credential_id=f"urn:bench:share:{fmt}", format=fmt,
        learner=Learner(email=EMAIL),
    )  # fmt: skip
    with services.session() as session:
        (issued,) = issue_batch(
            session, ctx=services.issuance, issuer=issuer, requests=[request], now=now
        )
        session.commit()
    with services.session() as session:
        listed = holder.list_credentials(session, account_id=account_id)
        (item,) = [i for i in listed if i.format == fmt]
        disclose = DISCLOSE if fmt == "dc+sd-jwt" else ()
        created = shares.create_share(
            session, ctx=services.shares, account_id=account_id,
            items=[ShareItem(item.id, disclose)], now=now + 10, max_views=None,
        )  # fmt: skip
        session.commit()
    return Shared(fmt, issued.token, created.token, created.url)


def _http(client: TestClient, shared: Shared) -> dict[str, Callable[[], object]]:
    """The share page and its floor, each checking that it got the answer it should."""
    path = shared.url.removeprefix(BASE_URL)
    body = {"verifiableCredential": shared.token}

    def page() -> None:
        response = client.get(path, headers=JSON)
        if response.status_code != 200 or not response.json()["verified"]:
            raise SystemExit(f"the share did not verify: {response.text[:2000]}")

    def verify() -> None:
        response = client.post("/credentials/verify", json=body)
        if response.status_code != 200:
            raise SystemExit(f"the credential did not verify: {response.text[:2000]}")

    return {"verify": verify, "page": page}


def _parts(services: Services, shared: Shared) -> dict[str, Callable[[], object]]:
    """The share lookup and the access-log write of an opening, each on its own, and the
    same writes rolled back (their difference is the commit)."""
    ctx = services.shares
    with services.session() as session:
        share = shares.find(session, ctx=ctx, token=shared.link_token, now=int(time.time()),
                            need_view=True)  # fmt: skip

    def lookup() -> None:
        with services.session() as session:
            _, presented = shares.find_presentations(
                session, ctx=ctx, token=shared.link_token, now=int(time.time())
            )
            if len(presented) != 1:
                raise SystemExit("the share holds one presentation")

    def writes(session: Session) -> None:
        now = int(time.time())
        entries = [
            ("verifier:Bench", shares.OPENED, f"share:{share.id}"),
            ("verifier:Bench", "share.verified", f"share:{share.id}/bench"),
        ]
        if share_crud.take_view(session, share_id=share.id, now=now) is None:
            raise SystemExit("the share has no view left")
        holder.record_accesses(session, wallet_id=share.wallet_id, entries=entries, now=now)

    def log_write() -> None:
        with services.session() as session:
            writes(session)
            session.commit()

    def rolled_back() -> None:
        with services.session() as session:
            writes(session)
            session.rollback()

    return {"lookup": lookup, "log write": log_write, "rolled back": rolled_back}


def _signatures(
    services: Services, shared: Shared
) -> tuple[Callable[[], object], Callable[[], object]]:
    """The raw signature checks behind each answer, over the very signing inputs of this
    share (fresh keys of the same algorithms): the issuer's Ed25519 signature of the
    credential, which is all ``POST /credentials/verify`` checks, and that plus the
    holder's P-256 signature of the presentation, which every opening checks too."""
    with services.session() as session:
        _, (presented,) = shares.find_presentations(
            session, ctx=services.shares, token=shared.link_token, now=int(time.time())
        )
    credential_input = shared.token.split("~")[0].rsplit(".", 1)[0].encode("ascii")
    holder_jws = presented.presentation.rstrip("~").rsplit("~", 1)[-1]
    presentation_input = holder_jws.rsplit(".", 1)[0].encode("ascii")
    issuer_key = Ed25519PrivateKey.generate()
    issuer_signature = issuer_key.sign(credential_input)
    issuer_public = issuer_key.public_key()
    ecdsa = ec.ECDSA(hashes.SHA256())
    holder_key = ec.generate_private_key(ec.SECP256R1())
    holder_signature = holder_key.sign(presentation_input, ecdsa)
    holder_public = holder_key.public_key()

    def one() -> None:
        issuer_public.verify(issuer_signature, credential_input)

    def two() -> None:
        issuer_public.verify(issuer_signature, credential_input)
        holder_public.verify(holder_signature, presentation_input, ecdsa)

    return one, two


def _qr(url: str) -> dict[str, Callable[[], object]]:
    """Our first render (an empty cache each time), our cached render, and segno."""
    warm = ShareImages()
    warm.image("bench", url, "svg")
    version = qr_code(url).version

    def first() -> bytes:
        return ShareImages().image("bench", url, "svg")

    def cached() -> bytes:
        return warm.image("bench", url, "svg")

    def floor() -> bytes:
        code = segno.make(url, error="m", boost_error=False, micro=False)
        buffer = io.BytesIO()
        code.save(buffer, kind="svg", scale=10, border=4)
        return buffer.getvalue()

    code = segno.make(url, error="m", boost_error=False, micro=False)
    if code.version != version or code.error != "M":
        raise SystemExit(f"segno made version {code.version}-{code.error}, ours {version}-M")
    return {"segno": floor, "first": first, "cached": cached}


def main() -> int:
    """Measure, print each figure beside its floor; exit 1 when a ratio misses its target."""
    figures: dict[str, list[float]] = {}
    ratios: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        services, _, credential = setup(Path(folder), "EdDSA")
        account_id = _learner(services, int(time.time()) - 60)
        shared = [_shared(services, credential, account_id, f) for f in ("vc+jwt", "dc+sd-jwt")]
        app = create_app(services.settings, services=services)
        with TestClient(app, base_url=BASE_URL) as client:
            http = {s.format: _http(client, s) for s in shared}
            parts = {s.format: _parts(services, s) for s in shared}
            signatures = {s.format: _signatures(services, s) for s in shared}
            qr = _qr(shared[0].url)
            for _ in range(ROUNDS):
                for fmt, calls in http.items():
                    paired, page, verify = paired_ratios(
                        calls["page"], calls["verify"], chunks=CHUNKS, ops=HTTP_OPS
                    )
                    ratios.setdefault(f"share page {fmt}", []).extend(paired)
                    figures.setdefault(f"page ({fmt})", []).append(page)
                    figures.setdefault(f"verify ({fmt})", []).append(verify)
                    took = alternated(parts[fmt], chunks=CHUNKS, ops=HTTP_OPS)
                    for name, value in took.items():
                        figures.setdefault(f"{name} ({fmt})", []).append(value)
                    figures.setdefault(f"commit ({fmt})", []).append(
                        took["log write"] - took["rolled back"]
                    )
                    one, two = signatures[fmt]
                    took = alternated({"one": one, "two": two}, chunks=CHUNKS, ops=SIGNATURE_OPS)
                    for name, value in took.items():
                        figures.setdefault(f"signatures {name} ({fmt})", []).append(value)
                took = alternated(qr, chunks=CHUNKS, ops=QR_OPS)
                for name, value in took.items():
                    figures.setdefault(f"QR SVG {name}", []).append(value)
                ratios.setdefault("QR SVG first render", []).append(took["first"] / took["segno"])
                ratios.setdefault("QR SVG cached", []).append(took["cached"] / took["first"])
        services.close()
    return _report(figures, ratios)


def _line(label: str, value: float, beside: str) -> None:
    print(f"{label:<44}{value * 1e6:>10.1f}   {beside}")


def _report(figures: dict[str, list[float]], ratios: dict[str, list[float]]) -> int:
    med = {name: statistics.median(values) for name, values in figures.items()}
    print(f"Share links bench: median of {ROUNDS} rounds, SQLite file (WAL, synchronous=FULL),")
    print("EdDSA issuer, P-256 holder key")
    print(f"{'figure':<44}{'µs/op':>10}   beside")
    for fmt in ("vc+jwt", "dc+sd-jwt"):
        floor = med[f"verify ({fmt})"]
        _line(f"POST /credentials/verify ({fmt})", floor, "(floor)")
        _line(
            "GET /s/{token} JSON",
            med[f"page ({fmt})"],
            f"{med[f'page ({fmt})'] / floor:.2f}× the floor",
        )
        for name, label in (("lookup", "  of which share lookup"),
                            ("log write", "  of which access-log write + view, commit"),
                            ("commit", "    of which the commit (fsync)")):  # fmt: skip
            value = med[f"{name} ({fmt})"]
            _line(label, value, f"{value / floor:.2f}× the floor")
        one, two = med[f"signatures one ({fmt})"], med[f"signatures two ({fmt})"]
        _line("raw signature check, issuer's Ed25519", one, "(what verify checks)")
        _line("  + holder's P-256 (every opening)", two, f"{two / one:.2f}× the issuer's alone")
    segno_time = med["QR SVG segno"]
    _line("QR SVG, segno", segno_time, "(floor)")
    for name, label in (("first", "QR SVG, ours, first render"),
                        ("cached", "QR SVG, ours, cached (second fetch)")):  # fmt: skip
        value = med[f"QR SVG {name}"]
        _line(label, value, f"{value / segno_time:.3f}× segno")
    print("(share lookup: share and wallet in one query, state checked, presentations unsealed,")
    print(" in a session of its own; access-log write: the view taken and the opening's two")
    print(" entries written in one transaction, and its commit; the commit: the same writes")
    print(" committed less rolled back. Each is measured on its own and is inside the share")
    print(" page's figure, which alternates with the floor in adjacent runs)")
    print()
    print(f"{'ratio (median of per-run ratios)':<44}{'ratio':>10}{'target':>10}")
    failed = False
    targets = {"share page": PAGE_TARGET, "QR SVG first render": QR_TARGET,
               "QR SVG cached": CACHED_TARGET}  # fmt: skip
    for name, values in ratios.items():
        ratio = statistics.median(values)
        target = next(t for prefix, t in targets.items() if name.startswith(prefix))
        failed |= ratio > target
        mark = "ok" if ratio <= target else "OVER"
        print(f"{_ratio_label(name):<44}{ratio:>10.2f}{'≤ ' + str(target):>10}  {mark}")
    return 1 if failed else 0


def _ratio_label(name: str) -> str:
    if name.startswith("share page"):
        return f"share page / verify ({name.removeprefix('share page ')})"
    if name == "QR SVG cached":
        return "QR SVG cached / first render"
    return "QR SVG first render / segno"


if __name__ == "__main__":
    sys.exit(main())
