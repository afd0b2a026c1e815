"""Institution use-case: issue a whole batch file (CSV, JSON Lines, ELMO XML, .zip of ELMO).

A batch is all or nothing. Every row is read and validated first; if any row is refused,
nothing is issued and the report names every refusal (row, field, reason). A dry run stops
there. Otherwise the batch runs in three steps (``wallet.issuance``):

1. **plan**: find or make each learner's wallet (the credential names its holder key) and
   reserve the status slots, then commit. Nothing is issued yet: a batch that dies after
   this step leaves empty pending wallets and unused slots, which are never handed out
   again.
2. **sign**: sign every credential in memory, while the progress (``done`` of ``total``)
   is written in short transactions of its own, so every process can report it.
3. **record**: in one transaction, the records, their envelopes, the corrections'
   revocations, the delivery outbox, the evidence and the batch's outcome, then commit.

The batch row names the run that holds it (``runner``); only that run may write its
outcome, so two runs of the same batch never both issue it. Delivery into the wallets
happens after the commit, from the outbox (``wallet.delivery``).

**Idempotency.** Each row's external id names one record per institution (its credential
id is derived from the institution and the external id): a row issued before with the same
content is skipped; with other content it is refused and points to the correction flow
(a new row with its own external id whose ``replaces`` names the old one). A batch's
idempotency key (by default the file's SHA-256) names the submission: submitting an issued
batch again returns it as it was; a refused or dry-run batch runs again; a batch whose run
stopped moving for ``stale_seconds`` (its process died) runs again; another file under the
key of an issued or running batch is a conflict.
"""

from __future__ import annotations

import gc
import hashlib
import json
import secrets
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from wallet import issuance, revocation
from wallet.checkpoints import NONE, Checkpoints
from wallet.db import batch_crud, crud
from wallet.db.models import IssuanceBatch
from wallet.errors import (
    ConflictError,
    FieldProblem,
    InputError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    RecordError,
    TrustError,
    WalletError,
)
from wallet.intake import dispatch, report, text
from wallet.intake.rows import IntakeFile, IntakeRow, ReportEntry
from wallet.issuance import IssuanceContext, IssueRequest, Learner
from wallet.trust import IssuerEntry
from wallet.vc import DC_SD_JWT, VC_JWT

#: What ``--format`` may say, and the envelopes each row gets.
FORMATS: dict[str, tuple[str, ...]] = {
    VC_JWT: (VC_JWT,),
    DC_SD_JWT: (DC_SD_JWT,),
    "both": (VC_JWT, DC_SD_JWT),
}
#: Namespace of the credential ids derived from (institution, external id).
_ID_NAMESPACE = uuid.UUID("0b6f5c1e-7a53-4d53-9a8e-3c1c9b1f2d47")
_NAMESPACE_BYTES = _ID_NAMESPACE.bytes
#: The longest idempotency key and external id.
MAX_KEY = 128
MAX_EXTERNAL_ID = 200
#: Seconds between two progress writes while signing.
PROGRESS_SECONDS = 0.5


@dataclass(frozen=True)
class BatchOptions:
    """How to read and issue one batch file."""

    filename: str
    type_name: str | None = None
    formats: str = VC_JWT
    dry_run: bool = False
    encoding: str | None = None
    idempotency_key: str | None = None

    def check(self) -> None:
        """:raises InputError: for an unknown format or file extension, or a bad key."""
        if self.formats not in FORMATS:
            raise InputError(f"format must be one of {sorted(FORMATS)}")
        dispatch.source_format(self.filename)
        key = self.idempotency_key
        if key is not None and not (0 < len(key) <= MAX_KEY and key.isprintable()):
            raise InputError(f"an idempotency key has 1 to {MAX_KEY} printable characters")


@dataclass(frozen=True)
class BatchContext:
    """What running batches needs, built once per process."""

    issuance: IssuanceContext
    sessions: Callable[[], Session]
    max_rows: int = 10_000
    max_bytes: int = 50 * 1024 * 1024
    stale_seconds: int = 120
    checkpoint: Checkpoints = NONE
    #: A monotonic clock, to pace the progress writes.
    clock: Callable[[], float] = field(default=lambda: 0.0)


def credential_id_for(issuer_slug: str, external_id: str) -> str:
    """The credential id of the institution's row ``external_id`` (stable across runs)."""
    # uuid.uuid5(_ID_NAMESPACE, name) spelt out (RFC 9562 §5.5: SHA-1 of the namespace and
    # the name, version 5, variant 10): the same UUID without building a UUID object for
    # each of a batch's rows.
    name = issuer_slug + "\n" + external_id
    sha1 = hashlib.sha1(_NAMESPACE_BYTES + name.encode("utf-8"), usedforsecurity=False)
    digest = bytearray(sha1.digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50
    digest[8] = (digest[8] & 0x3F) | 0x80
    hexed = digest.hex()
    return f"urn:uuid:{hexed[:8]}-{hexed[8:12]}-{hexed[12:16]}-{hexed[16:20]}-{hexed[20:]}"


# --- submitting ---------------------------------------------------------------------------


def submit(
    ctx: BatchContext,
    *,
    issuer: IssuerEntry,
    data: bytes,
    options: BatchOptions,
    actor: str,
    now: int,
) -> tuple[IssuanceBatch, bool]:
    """Open the batch for ``data``, or find it by its idempotency key.

    :returns: the batch and whether it must run now (:func:`run`); False for a batch that
        was issued before, which is returned as it was.
    :raises PayloadTooLargeError: above ``max_bytes``.
    :raises InputError: for options that cannot be used (format, extension, key, type,
        encoding): the file's own problems are the batch's outcome instead.
    :raises ConflictError: when the key names another file that was issued or is running,
        or when the same batch is running right now.
    """
    options.check()
    if options.type_name is not None and options.type_name not in ctx.issuance.types.types:
        known = ", ".join(sorted(ctx.issuance.types.types))
        raise InputError(f"unknown credential type {options.type_name!r} (known: {known})")
    if options.encoding is not None:
        text.decode(b"", options.encoding)  # an unknown encoding is refused here, not later
    if len(data) > ctx.max_bytes:
        raise PayloadTooLargeError(f"a batch file holds at most {ctx.max_bytes} bytes")
    digest = hashlib.sha256(data).hexdigest()
    key = options.idempotency_key or digest
    runner = secrets.token_hex(16)
    values: dict[str, Any] = {
        "filename": PurePath(options.filename).name[:255],
        "source_format": dispatch.source_format(options.filename),
        "formats": options.formats,
        "content_sha256": digest,
        "actor": actor[:128],
        "runner": runner,
        "state": "running",
        "total": 0, "done": 0, "issued": 0, "skipped": 0, "refused": 0,
        "updated_at": now,
        "finished_at": None,
        "options": json.dumps(
            {"type": options.type_name, "format": options.formats,
             "dryRun": options.dry_run, "encoding": options.encoding}
        ),
        "signatures": "[]",
        "report": None,
    }  # fmt: skip
    with ctx.sessions() as session:
        row = batch_crud.by_key(session, issuer_slug=issuer.slug, key=key)
        if row is None:
            row = IssuanceBatch(
                id=f"batch-{secrets.token_hex(12)}",
                issuer_slug=issuer.slug,
                idempotency_key=key,
                created_at=now,
                **values,
            )
            session.add(row)
        else:
            if row.state == "issued" and row.content_sha256 == digest:
                return row, False
            if row.state in ("issued", "running") and row.content_sha256 != digest:
                raise ConflictError("this idempotency key names another batch file (use a new key)")
            if row.state == "running" and now - row.updated_at < ctx.stale_seconds:
                raise ConflictError(f"batch {row.id} is running; follow its progress")
            for name, value in values.items():
                setattr(row, name, value)
            session.add(row)
        try:
            session.commit()
        except IntegrityError as exc:
            raise ConflictError("this batch was submitted twice at the same time") from exc
        return row, True


# --- running ------------------------------------------------------------------------------


@dataclass
class _Rows:
    """The rows of a batch turned into issue requests, and what was refused on the way."""

    entries: dict[str, ReportEntry] = field(default_factory=dict)
    refused: list[ReportEntry] = field(default_factory=list)
    requests: list[IssueRequest] = field(default_factory=list)
    #: The row (its locator) each request came from.
    request_rows: list[str] = field(default_factory=list)
    credential_ids: dict[str, str] = field(default_factory=dict)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a batch runs.

    A batch holds hundreds of thousands of objects (rows, credentials, tokens) until its
    commit. The collector would walk all of them again every few thousand allocations, a
    third of a 10,000-row batch's time, to find none garbage: they are freed by reference
    counting when the batch ends. It resumes (and may collect) as soon as the batch is done.
    The switch is process-wide: requests served meanwhile by other threads only keep their
    cyclic garbage a few seconds longer. A batch that finds it off (another batch is running)
    leaves switching it on again to the one that switched it off.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def run(
    ctx: BatchContext,
    *,
    batch: IssuanceBatch,
    issuer: IssuerEntry,
    data: bytes,
    options: BatchOptions,
    now: int,
    progress: Callable[[int, int], None] | None = None,
) -> IssuanceBatch:
    """Read, validate and (unless a dry run) issue the batch opened by :func:`submit`.

    Refusals are the batch's outcome (state ``refused`` with its report), not exceptions.

    :param progress: told (done, total) as credentials are signed (a progress bar).
    """
    with _collector_paused():
        return _run(ctx, batch=batch, issuer=issuer, data=data, options=options, now=now,
                    progress=progress)  # fmt: skip


def _run(
    ctx: BatchContext,
    *,
    batch: IssuanceBatch,
    issuer: IssuerEntry,
    data: bytes,
    options: BatchOptions,
    now: int,
    progress: Callable[[int, int], None] | None,
) -> IssuanceBatch:
    ctx.checkpoint("batch.started")
    try:
        intake = dispatch.read_batch_file(
            data, filename=options.filename, issuer=issuer, types=ctx.issuance.types,
            type_name=options.type_name, encoding=options.encoding, max_rows=ctx.max_rows,
            max_bytes=ctx.max_bytes,
        )  # fmt: skip
    except WalletError as exc:
        return _finish_refused(ctx, batch, [ReportEntry("file", "refused", reason=_why(exc))], now)
    rows = _requests(ctx, issuer, intake, options, now)
    if not rows.refused:
        _check_existing(ctx, issuer, rows)
    signatures = json.dumps(
        [{"source": s.source, "signed": s.signed, "algorithm": s.algorithm,
          "certificateSha256": s.certificate_sha256} for s in intake.signatures]
    )  # fmt: skip
    if rows.refused or not rows.requests:
        if not rows.refused and not rows.entries:
            rows.refused.append(ReportEntry("file", "refused", reason="the file holds no rows"))
        if not rows.refused:
            return _finish_done(ctx, batch, rows, signatures, state="issued", now=now)
        return _finish_refused(ctx, batch, _report(rows), now, signatures=signatures)
    with ctx.sessions() as session:
        try:
            plan = issuance.plan_batch(
                session, ctx=ctx.issuance, issuer=issuer, requests=rows.requests, now=now
            )
        except RecordError as exc:
            session.rollback()
            _refuse_fields(rows, exc.problems)
            return _finish_refused(ctx, batch, _report(rows), now, signatures=signatures)
        except (ConflictError, NotFoundError, PermissionDeniedError) as exc:
            session.rollback()
            rows.refused.append(ReportEntry("file", "refused", reason=_why(exc)))
            return _finish_refused(ctx, batch, _report(rows), now, signatures=signatures)
        if options.dry_run:
            session.rollback()  # no wallets made, no slots reserved
            for entry in list(rows.entries.values()):
                if entry.outcome == "issued":
                    rows.entries[entry.locator] = _replace(entry, outcome="valid")
            return _finish_done(ctx, batch, rows, signatures, state="checked", now=now)
        session.commit()
    ctx.checkpoint("batch.planned")
    _set_total(ctx, batch, len(rows.requests), now)
    issuance.sign_batch(
        plan, ctx=ctx.issuance, now=now, batch_id=batch.id,
        progress=_progress_writer(ctx, batch, len(rows.requests), now, progress),
    )  # fmt: skip
    ctx.checkpoint("batch.signed")
    created: set[str] = {r.credential_id for r in plan.results if r.created}
    for locator, entry in list(rows.entries.items()):
        if entry.credential_id is not None and entry.credential_id not in created:
            rows.entries[locator] = _replace(entry, outcome="skipped")
    with ctx.sessions() as session:
        try:
            issuance.record_batch(
                session, plan, ctx=ctx.issuance, now=now, actor=batch.actor,
                batch_id=batch.id, deliver=False,
            )  # fmt: skip
            batch_crud.add_evidence(
                session,
                rows=[
                    {"batch_id": batch.id, "name": a.name[:255], "media_type": a.media_type,
                     "sha256": hashlib.sha256(a.content).hexdigest(), "content": a.content}
                    for a in intake.attachments
                ],
            )  # fmt: skip
            values = _outcome(rows, signatures, state="issued", now=now)
            if not batch_crud.finish(
                session, batch_id=batch.id, runner=batch.runner, values=values
            ):
                raise ConflictError("another run of this batch took it over")
            crud.add_audit(
                session, at=now, actor=batch.actor, action="batch.issue", target=batch.id,
                detail={"issued": values["issued"], "skipped": values["skipped"]},
            )  # fmt: skip
            ctx.checkpoint("batch.recorded")
            session.commit()
        except IntegrityError:
            session.rollback()
            rows.refused.append(
                ReportEntry("file", "refused",
                            reason="another batch issued some of these rows at the same time; "
                                   "submit this batch again")
            )  # fmt: skip
            return _finish_refused(ctx, batch, _report(rows), now, signatures=signatures)
    ctx.checkpoint("batch.committed")
    return _reload(ctx, batch)


def _why(exc: WalletError) -> str:
    return str(getattr(exc, "description", "") or exc)


def _replace(entry: ReportEntry, **changes: Any) -> ReportEntry:
    return ReportEntry(**{**entry.__dict__, **changes})


def _requests(
    ctx: BatchContext, issuer: IssuerEntry, intake: IntakeFile, options: BatchOptions, now: int
) -> _Rows:
    """Issue requests for the rows; reader problems, duplicates, unknown types refused."""
    rows = _Rows()
    for problem in intake.problems:
        rows.refused.append(
            ReportEntry(problem.locator, "refused", field=problem.field, reason=problem.reason)
        )
    formats = FORMATS[options.formats]
    seen: dict[str, str] = {}
    for row in intake.rows:
        refusal = _row_refusal(ctx, issuer, row, options, seen, now)
        if refusal is not None:
            rows.refused.append(refusal)
            continue
        assert row.external_id is not None
        seen[row.external_id] = row.locator
        credential_id = credential_id_for(issuer.slug, row.external_id)
        ctype = ctx.issuance.types.get(row.type_name or options.type_name or "")
        credential = issuance.build_credential(ctype, row.subject, issuer_did=issuer.did)
        if row.valid_until:
            credential["validUntil"] = row.valid_until
        learner = None
        if row.personal_code or row.email:
            learner = Learner(personal_code=row.personal_code, email=row.email)
        replaces = credential_id_for(issuer.slug, row.replaces) if row.replaces else None
        for fmt in formats:
            rows.requests.append(
                IssueRequest(
                    credential=credential, format=fmt, credential_id=credential_id,
                    learner=learner, external_id=row.external_id, replaces=replaces,
                    subject_checked=row.subject_checked,
                )
            )  # fmt: skip
            rows.request_rows.append(row.locator)
        rows.credential_ids[row.locator] = credential_id
        rows.entries[row.locator] = ReportEntry(
            row.locator, "issued", external_id=row.external_id, credential_id=credential_id
        )
    return rows


def _row_refusal(
    ctx: BatchContext,
    issuer: IssuerEntry,
    row: IntakeRow,
    options: BatchOptions,
    seen: Mapping[str, str],
    now: int,
) -> ReportEntry | None:
    """Why a row cannot even be validated (no external id, a duplicate, an unknown type)."""

    def refused(name: str, reason: str) -> ReportEntry:
        return ReportEntry(
            row.locator, "refused", external_id=row.external_id, field=name, reason=reason
        )

    external_id = row.external_id
    if not external_id or len(external_id) > MAX_EXTERNAL_ID or not external_id.isprintable():
        return refused("externalId", f"1 to {MAX_EXTERNAL_ID} printable characters required")
    if external_id in seen:
        return refused("externalId", f"the same external id as {seen[external_id]}")
    if row.replaces == external_id:
        return refused("replaces", "a row cannot correct itself")
    type_name = row.type_name or options.type_name
    if not type_name:
        return refused("type", "no type: give one per row or for the whole batch")
    try:
        ctx.issuance.types.get(type_name)
    except NotFoundError:
        known = ", ".join(sorted(ctx.issuance.types.types))
        return refused("type", f"unknown type {type_name!r} (known: {known})")
    try:
        issuer.check_accredited(type_name, now)
    except TrustError as exc:
        return refused("type", exc.description)
    return None


def _check_existing(ctx: BatchContext, issuer: IssuerEntry, rows: _Rows) -> None:
    """Rows issued before: same content is skipped later; other content is refused here,
    as is a correction of a record that does not exist."""
    ids = list(rows.credential_ids.values())
    replaced = [r.replaces for r in rows.requests if r.replaces]
    with ctx.sessions() as session:
        known = batch_crud.content_hashes(session, credential_ids=ids + replaced)
    first_request: dict[str, IssueRequest] = {}
    for request in rows.requests:
        assert request.credential_id is not None
        first_request.setdefault(request.credential_id, request)
    for locator, credential_id in list(rows.credential_ids.items()):
        request = first_request[credential_id]
        found = known.get(credential_id)
        entry = rows.entries[locator]
        if found is not None and (
            found[0] != issuer.slug or found[1] != issuance.content_hash(request.credential)
        ):
            rows.refused.append(
                _replace(entry, outcome="refused", field="externalId",
                         reason="issued before with other content: to correct it, issue a "
                                "row with a new external id whose 'replaces' names this one")
            )  # fmt: skip
            del rows.entries[locator]
            continue
        if request.replaces is not None and found is None:
            old = known.get(request.replaces)
            if old is None or old[0] != issuer.slug:
                rows.refused.append(
                    _replace(entry, outcome="refused", field="replaces",
                             reason="no credential with this external id to correct")
                )  # fmt: skip
                del rows.entries[locator]
            elif old[2] == 1:
                rows.refused.append(
                    _replace(entry, outcome="refused", field="replaces",
                             reason="the credential it corrects is revoked")
                )  # fmt: skip
                del rows.entries[locator]


def _refuse_fields(rows: _Rows, problems: Iterable[FieldProblem]) -> None:
    """Turn the issuance's field problems (``/<index>/credential/...``) into row refusals."""
    for problem in problems:
        index_text, _, rest = problem.pointer.lstrip("/").partition("/")
        locator = "file"
        if index_text.isdigit() and int(index_text) < len(rows.request_rows):
            locator = rows.request_rows[int(index_text)]
        elif len(rows.request_rows) == 1:
            locator, rest = rows.request_rows[0], problem.pointer.lstrip("/")
        entry = rows.entries.pop(locator, None)
        rows.refused.append(
            ReportEntry(
                locator, "refused",
                external_id=entry.external_id if entry else None,
                field=_field_name("/" + rest), reason=problem.message,
            )
        )  # fmt: skip


def _field_name(pointer: str) -> str:
    """``/credential/credentialSubject/achievement/title/lv`` → ``achievement.title.lv``."""
    for prefix, name in (
        ("/credential/credentialSubject/", ""),
        ("/options/learner/", ""),
        ("/credential/", ""),
    ):
        if pointer.startswith(prefix):
            return name + pointer[len(prefix) :].replace("/", ".")
    return pointer


def _report(rows: _Rows) -> list[ReportEntry]:
    """Every refusal, then the rows that were fine (outcome ``not issued``)."""
    fine = [_replace(e, outcome="not issued", credential_id=None) for e in rows.entries.values()]
    return rows.refused + fine


def _outcome(rows: _Rows, signatures: str, *, state: str, now: int) -> dict[str, Any]:
    entries = list(rows.entries.values())
    return {
        "state": state,
        "issued": sum(e.outcome in ("issued", "valid") for e in entries),
        "skipped": sum(e.outcome == "skipped" for e in entries),
        "refused": 0,
        "done": len(rows.requests),
        "total": len(rows.requests),
        "updated_at": now,
        "finished_at": now,
        "signatures": signatures,
        "report": report.report_json(entries),
    }


def report_entries(batch: IssuanceBatch) -> list[ReportEntry]:
    """The report a finished batch keeps (empty while it runs)."""
    return list(report.parse_report_json(batch.report)) if batch.report else []


def _finish_done(
    ctx: BatchContext, batch: IssuanceBatch, rows: _Rows, signatures: str, *, state: str, now: int
) -> IssuanceBatch:
    with ctx.sessions() as session:
        batch_crud.finish(
            session, batch_id=batch.id, runner=batch.runner,
            values=_outcome(rows, signatures, state=state, now=now),
        )  # fmt: skip
        session.commit()
    return _reload(ctx, batch)


def _finish_refused(
    ctx: BatchContext,
    batch: IssuanceBatch,
    entries: list[ReportEntry],
    now: int,
    *,
    signatures: str = "[]",
) -> IssuanceBatch:
    refused = {e.locator for e in entries if e.outcome == "refused"}
    values = {
        "state": "refused", "refused": len(refused), "issued": 0, "skipped": 0,
        "updated_at": now, "finished_at": now, "signatures": signatures,
        "report": report.report_json(entries),
    }  # fmt: skip
    with ctx.sessions() as session:
        batch_crud.finish(session, batch_id=batch.id, runner=batch.runner, values=values)
        session.commit()
    return _reload(ctx, batch)


def _reload(ctx: BatchContext, batch: IssuanceBatch) -> IssuanceBatch:
    with ctx.sessions() as session:
        row = batch_crud.get(session, issuer_slug=batch.issuer_slug, batch_id=batch.id)
        assert row is not None
        return row


def _set_total(ctx: BatchContext, batch: IssuanceBatch, total: int, now: int) -> None:
    with ctx.sessions() as session:
        batch_crud.finish(
            session, batch_id=batch.id, runner=batch.runner,
            values={"total": total, "done": 0, "updated_at": now},
        )  # fmt: skip
        session.commit()


def _progress_writer(
    ctx: BatchContext,
    batch: IssuanceBatch,
    total: int,
    now: int,
    tell: Callable[[int, int], None] | None,
) -> Callable[[int], None]:
    """Write the progress at most every :data:`PROGRESS_SECONDS` (and at the end), each in
    its own short transaction: the batch's own is not open while it signs."""
    start = ctx.clock()
    last = [start - PROGRESS_SECONDS]  # the first call writes at once

    def write(done: int) -> None:
        if tell is not None:
            tell(done, total)
        moment = ctx.clock()
        if moment - last[0] < PROGRESS_SECONDS and done < total:
            return
        last[0] = moment
        with ctx.sessions() as session:
            batch_crud.set_progress(
                session, batch_id=batch.id, runner=batch.runner, done=done,
                now=now + int(moment - start),
            )  # fmt: skip
            session.commit()
        ctx.checkpoint("batch.signing")

    return write


# --- after issuance -----------------------------------------------------------------------


def change_batch_status(
    session: Session,
    *,
    issuer_slug: str,
    batch_id: str,
    action: revocation.Action,
    reason: str,
    actor: str,
    now: int,
) -> dict[str, int]:
    """Revoke, suspend or unsuspend every credential a batch issued; the caller commits.

    Each record's change is audited like any other status change; records already in the
    asked state are counted as unchanged; revoked records are left revoked (revocation is
    final) and counted as such.

    :raises NotFoundError: when the institution has no such batch.
    """
    revocation.check_reason(reason)
    batch = batch_crud.get(session, issuer_slug=issuer_slug, batch_id=batch_id)
    if batch is None:
        raise NotFoundError("no such batch")
    counts = {"changed": 0, "unchanged": 0, "revoked": 0}
    for credential_id in batch_crud.record_ids(session, issuer_slug=issuer_slug, batch_id=batch_id):
        try:
            change = revocation.change_status(
                session, issuer_slug=issuer_slug, credential_id=credential_id, action=action,
                reason=reason, actor=actor, now=now,
            )  # fmt: skip
        except ConflictError:
            counts["revoked"] += 1
            continue
        counts["changed" if change.changed else "unchanged"] += 1
    crud.add_audit(
        session, at=now, actor=actor, action=f"batch.{action.value}", target=batch_id,
        detail={"reason": reason.strip(), **counts},
    )  # fmt: skip
    return counts


__all__ = [
    "FORMATS",
    "BatchContext",
    "BatchOptions",
    "change_batch_status",
    "credential_id_for",
    "report_entries",
    "run",
    "submit",
]
