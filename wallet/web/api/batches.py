"""Batch routes: an institution submits a batch file, follows its progress, fetches its
report, and revokes or suspends it as a whole; CSV templates of each type.

``POST /batches?filename=cohort.csv`` takes the file itself as the body (any media type;
the extension of ``filename`` names the format) under ``IMK_BATCH_MAX_BYTES``, answers
``202 Accepted`` with the batch and its ``Location``, and runs it after the answer: a
refusal is the batch's outcome (state ``refused`` and its report), never an error of the
submission. The ``Idempotency-Key`` header names the submission (default: the file's
SHA-256); ``GET /batches/{id}`` is the progress (``done`` of ``total``), which every
process reads from the database while the batch runs.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, BackgroundTasks, Header, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from wallet import batches
from wallet.batches import BatchOptions
from wallet.db import batch_crud
from wallet.db.models import IssuanceBatch
from wallet.errors import NotFoundError
from wallet.intake import columns
from wallet.intake.report import report_csv, report_json
from wallet.revocation import MAX_REASON, Action
from wallet.service import Services
from wallet.trust import IssuerEntry
from wallet.web.deps import ClockDep, IssuerDep, ServicesDep, SessionDep
from wallet.web.routing import StrictJSONRoute


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for these error statuses (RFC 9457 problem details)."""
    return {status: {"description": "problem details"} for status in statuses}


router = APIRouter(tags=["batches"], route_class=StrictJSONRoute)

CSV_TYPE = "text/csv; charset=utf-8"


class BatchPublic(BaseModel):
    """A batch: its state, progress and counts."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "batch-3f9a0c1d2e4b5a6978c1d2e3",
                    "state": "running",
                    "filename": "graduates-2026.csv",
                    "sourceFormat": "csv",
                    "format": "vc+jwt",
                    "total": 1200,
                    "done": 500,
                    "issued": 0,
                    "skipped": 0,
                    "refused": 0,
                    "createdAt": 1795860000,
                    "finishedAt": None,
                    "report": "/batches/batch-3f9a0c1d2e4b5a6978c1d2e3/report",
                }
            ]
        }
    )

    id: str
    state: str = Field(description="running, issued, refused or checked (a dry run)")
    filename: str
    sourceFormat: str  # noqa: N815
    format: str
    total: int = Field(description="credentials to sign (known once the file is read)")
    done: int = Field(description="credentials signed so far")
    issued: int
    skipped: int
    refused: int = Field(description="rows refused")
    createdAt: int  # noqa: N815
    finishedAt: int | None  # noqa: N815
    signatures: list[dict[str, Any]] = Field(
        default_factory=list, description="how each XML file of the batch was signed"
    )
    report: str


def _public(batch: IssuanceBatch) -> BatchPublic:
    return BatchPublic(
        id=batch.id, state=batch.state, filename=batch.filename,
        sourceFormat=batch.source_format, format=batch.formats, total=batch.total,
        done=batch.done, issued=batch.issued, skipped=batch.skipped, refused=batch.refused,
        createdAt=batch.created_at, finishedAt=batch.finished_at,
        signatures=json.loads(batch.signatures), report=f"/batches/{batch.id}/report",
    )  # fmt: skip


def _run_and_deliver(
    services: Services,
    batch: IssuanceBatch,
    issuer: IssuerEntry,
    data: bytes,
    options: BatchOptions,
) -> None:
    done = batches.run(
        services.batches, batch=batch, issuer=issuer, data=data, options=options,
        now=services.now(),
    )  # fmt: skip
    if done.state == "issued":
        services.deliver_pending()


@router.post(
    "/batches",
    status_code=202,
    response_model=BatchPublic,
    responses=problem_responses(400, 401, 403, 409, 413, 415),
    summary="Submit a batch file (CSV, JSON Lines, ELMO XML or a .zip of ELMO files)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "the batch file itself; the extension of `filename` names its format",
            "content": {
                media: {"schema": {"type": "string", "format": "binary"}}
                for media in (
                    "text/csv",
                    "application/jsonl",
                    "application/xml",
                    "application/zip",
                    "application/octet-stream",
                )
            },
        }
    },
)
async def submit_batch(
    request: Request,
    principal: IssuerDep,
    services: ServicesDep,
    now: ClockDep,
    background: BackgroundTasks,
    response: Response,
    filename: Annotated[str, Query(min_length=1, max_length=255)],
    type: Annotated[str | None, Query(max_length=64)] = None,
    format: Annotated[Literal["vc+jwt", "dc+sd-jwt", "both"], Query()] = "vc+jwt",
    dryRun: Annotated[bool, Query()] = False,  # noqa: N803
    encoding: Annotated[str | None, Query(max_length=32)] = None,
    idempotency_key: Annotated[str | None, Header(max_length=128)] = None,
) -> BatchPublic:
    """Submit one batch file as the request body; it runs after the answer (202).

    Every row is validated before anything is signed; if any row is refused nothing is
    issued. ``dryRun=true`` checks and reports without issuing.
    """
    options = BatchOptions(
        filename=filename, type_name=type, formats=format, dry_run=dryRun, encoding=encoding,
        idempotency_key=idempotency_key,
    )  # fmt: skip
    options.check()
    data = await request.body()
    issuer = services.registry.by_slug(principal.issuer_slug)
    batch, fresh = batches.submit(
        services.batches, issuer=issuer, data=data, options=options, actor=principal.actor,
        now=now,
    )  # fmt: skip
    if fresh:
        background.add_task(_run_and_deliver, services, batch, issuer, data, options)
    response.headers["Location"] = f"/batches/{batch.id}"
    return _public(batch)


@router.get(
    "/batches",
    response_model=list[BatchPublic],
    responses=problem_responses(401, 403),
    summary="The calling institution's recent batches, newest first",
)
def list_batches(
    principal: IssuerDep,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[BatchPublic]:
    """The institution's most recent batches."""
    rows = batch_crud.latest(session, issuer_slug=principal.issuer_slug, limit=limit)
    return [_public(row) for row in rows]


def _batch(session: SessionDep, principal: IssuerDep, batch_id: str) -> IssuanceBatch:
    batch = batch_crud.get(session, issuer_slug=principal.issuer_slug, batch_id=batch_id)
    if batch is None:
        raise NotFoundError("no such batch")
    return batch


@router.get(
    "/batches/{batch_id}",
    response_model=BatchPublic,
    responses=problem_responses(401, 403, 404),
    summary="A batch's state and progress",
)
def get_batch(batch_id: str, principal: IssuerDep, session: SessionDep) -> BatchPublic:
    """The batch's state, its progress while it runs, and its counts once it has finished.
    Another institution's batch answers 404."""
    return _public(_batch(session, principal, batch_id))


@router.get(
    "/batches/{batch_id}/report",
    responses={
        200: {"content": {"application/json": {}, "text/csv": {}}},
        **problem_responses(401, 403, 404),
    },
    response_class=Response,
    summary="A batch's report: every row issued, skipped or refused (with field and reason)",
)
def get_report(
    batch_id: str,
    principal: IssuerDep,
    session: SessionDep,
    accept: Annotated[str, Header()] = "application/json",
) -> Response:
    """The per-row report as JSON, or as CSV with ``Accept: text/csv`` (spreadsheet
    formulas neutralised). Empty while the batch runs."""
    entries = batches.report_entries(_batch(session, principal, batch_id))
    if "text/csv" in accept:
        return Response(
            report_csv(entries).encode("utf-8"),
            media_type=CSV_TYPE,
            headers={"Content-Disposition": f'attachment; filename="{batch_id}-report.csv"'},
        )
    return Response(report_json(entries), media_type="application/json")


class BatchStatusBody(BaseModel):
    """What to do to every credential of the batch, and why (kept in the audit log)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"action": "revoke", "reason": "Exam results annulled: decision 7/2026"}]
        },
    )

    action: Literal["revoke", "suspend", "unsuspend"]
    reason: str = Field(min_length=1, max_length=MAX_REASON)


class BatchStatusPublic(BaseModel):
    """How many credentials the change changed."""

    changed: int
    unchanged: int = Field(description="already in the asked state")
    revoked: int = Field(description="revoked before, and left revoked (revocation is final)")


@router.post(
    "/batches/{batch_id}/status",
    response_model=BatchStatusPublic,
    responses=problem_responses(400, 401, 403, 404, 422),
    summary="Revoke, suspend or unsuspend every credential of a batch",
)
def change_status(
    batch_id: str,
    body: BatchStatusBody,
    principal: IssuerDep,
    session: SessionDep,
    now: ClockDep,
) -> BatchStatusPublic:
    """Apply one status change to every credential the batch issued, each recorded in the
    audit log like a single change, in one transaction."""
    counts = batches.change_batch_status(
        session, issuer_slug=principal.issuer_slug, batch_id=batch_id,
        action=Action(body.action), reason=body.reason, actor=principal.actor, now=now,
    )  # fmt: skip
    session.commit()
    return BatchStatusPublic(**counts)


@router.get(
    "/templates/{type_name}.csv",
    responses={200: {"content": {"text/csv": {}}}, **problem_responses(404)},
    response_class=Response,
    summary="A credential type's CSV template (headers in Latvian and English)",
)
def get_template(type_name: str, services: ServicesDep) -> Response:
    """The CSV template of a registered type, with one example row."""
    ctype = services.types.get(type_name)
    return Response(
        columns.template_csv(ctype).encode("utf-8"),
        media_type=CSV_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{type_name}.csv"'},
    )
