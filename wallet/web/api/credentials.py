"""VC API (W3C VCALM) credential routes: issue, verify, and the issuer's list of records."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, BackgroundTasks, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from wallet.db import crud
from wallet.errors import InputError, NotFoundError
from wallet.issuance import IssueRequest, Learner, issue_batch
from wallet.receipts import issue_receipt
from wallet.service import Services
from wallet.vc import unwrap
from wallet.verifier import VerificationReport, verify_credential
from wallet.web.deps import ClockDep, IssuerDep, ServicesDep, SessionDep
from wallet.web.problems import problem_of
from wallet.web.routing import StrictJSONRoute

router = APIRouter(tags=["credentials"], route_class=StrictJSONRoute)


class LearnerIn(BaseModel):
    """Who receives the credential; never signed into it."""

    model_config = ConfigDict(extra="forbid")

    personalCode: str | None = Field(default=None, max_length=32)  # noqa: N815
    email: str | None = Field(default=None, max_length=254)


class IssueOptions(BaseModel):
    """``options`` of ``POST /credentials/issue``."""

    model_config = ConfigDict(extra="forbid")

    format: str = Field(
        default="vc+jwt",
        description="vc+jwt (W3C VC 2.0, VC-JOSE-COSE) or dc+sd-jwt (SD-JWT VC, selective "
        "disclosure; registered types only)",
    )
    credentialId: str | None = Field(default=None, max_length=512)  # noqa: N815
    learner: LearnerIn | None = None
    replaces: str | None = Field(
        default=None,
        max_length=512,
        description="a correction: the credentialId of an issued credential this one "
        "corrects; it is revoked as superseded in the same transaction",
    )


class IssueBody(BaseModel):
    """VCALM IssueCredentialRequest."""

    credential: dict[str, Any]
    options: IssueOptions = Field(default_factory=IssueOptions)


class IssuePublic(BaseModel):
    """VCALM IssueCredentialResponse: the enveloped credential."""

    verifiableCredential: dict[str, Any]  # noqa: N815


class VerifyBody(BaseModel):
    """VCALM VerifyCredentialRequest: enveloped form, compact JWS, or JSON with an enveloped id."""

    verifiableCredential: dict[str, Any] | str  # noqa: N815
    options: dict[str, Any] = Field(default_factory=dict)


class CheckPublic(BaseModel):
    """One check of a verification."""

    name: str
    result: str
    reason: str


class VerifyPublic(BaseModel):
    """VCALM VerifyCredentialResponse plus ``checks``."""

    verified: bool
    results: dict[str, Any] = Field(default_factory=dict)
    checks: list[CheckPublic]
    problemDetails: list[dict[str, Any]]  # noqa: N815
    #: Present when a policy accepted something doubtful (an "unknown" status).
    warnings: list[str] = Field(default_factory=list)
    #: With ``options.receipt: true``: a compact JWS (typ ``imk-receipt+jwt``) recording
    #: what was verified and when, signed with a key of ``/.well-known/jwks.json``.
    receipt: str | None = None


class RecordPublic(BaseModel):
    """An issued record as its issuer sees it."""

    id: str
    type: str
    title: str | None
    issued: int
    formats: list[str] = Field(default_factory=list)


@router.post(
    "/credentials/issue",
    status_code=201,
    response_model=IssuePublic,
    responses={400: {}, 401: {}, 403: {}, 409: {}, 413: {}, 422: {}},
)
def issue(
    body: IssueBody,
    principal: IssuerDep,
    services: ServicesDep,
    session: SessionDep,
    now: ClockDep,
    background: BackgroundTasks,
) -> Any:
    """Issue one credential as the calling institution (VCALM ``POST /credentials/issue``).

    The credential is validated against its registered type (every bad field is named),
    signed with the institution's current key and recorded. Issuing again with the same
    ``credentialId`` returns the same credential (200) or adds another format; another
    credential under that id is refused (409).
    """
    issuer = services.registry.by_slug(principal.issuer_slug)
    learner = None
    if body.options.learner is not None:
        learner = Learner(
            personal_code=body.options.learner.personalCode, email=body.options.learner.email
        )
    request = IssueRequest(
        credential=body.credential,
        format=body.options.format,
        credential_id=body.options.credentialId,
        learner=learner,
        replaces=body.options.replaces,
    )
    (issued,) = issue_batch(
        session, ctx=services.issuance, issuer=issuer, requests=[request], now=now
    )
    session.commit()
    background.add_task(services.flush_notifications)
    status = 201 if issued.created else 200
    return JSONResponse({"verifiableCredential": issued.enveloped}, status_code=status)


def report_body(report: VerificationReport) -> dict[str, Any]:
    """The VCALM response body of a verification report."""
    results: dict[str, Any] = {}
    if report.verified:
        credential = report.credential or {}
        results = {
            "validFrom": credential.get("validFrom"),
            "validUntil": credential.get("validUntil"),
            "credentialSchema": [{"type": report.type_name, "verified": True}],
            "credentialStatus": [
                {"verified": check.result == "passed", "value": check.reason}
                for check in report.checks
                if check.name == "status" and check.result != "not applicable"
            ],
            "proof": [
                {
                    "type": report.format,
                    "alg": report.alg,
                    "verificationMethod": report.kid,
                    "created": report.signed_at,
                    "verified": True,
                }
            ],
            "issuer": {
                "id": report.issuer.did if report.issuer else None,
                "name": dict(report.issuer.names) if report.issuer else None,
            },
            "credential": credential,
        }
        if report.format == "dc+sd-jwt":
            results["disclosed"] = list(report.disclosed)
            if report.audience is not None:
                results["audience"] = report.audience
    body: dict[str, Any] = {
        "verified": report.verified,
        "results": results,
        "checks": [
            {"name": c.name, "result": c.result.value, "reason": c.reason} for c in report.checks
        ],
        "problemDetails": [problem_of(problem) for problem in report.problems],
    }
    if report.warnings:
        body["warnings"] = list(report.warnings)
    return body


@router.post(
    "/credentials/verify",
    response_model=VerifyPublic,
    responses={400: {}, 413: {}, 422: {"model": VerifyPublic}},
)
def verify(body: VerifyBody, services: ServicesDep, now: ClockDep) -> Any:
    """Verify a credential (VCALM ``POST /credentials/verify``); no authentication.

    200 when it verifies, 422 with every check and the problems when it does not, 400 when
    it cannot be parsed at all. With ``options.receipt: true`` both answers carry a
    ``receipt``: a JWS of what was verified and when, signed with the service's own key.
    """
    receipt = body.options.get("receipt", False)
    if not isinstance(receipt, bool):
        raise InputError("options.receipt must be true or false")
    report = verify_credential(body.verifiableCredential, ctx=services.verification, now=now)
    token = unwrap(body.verifiableCredential).token if receipt else None
    return verification_answer(report, services=services, token=token, now=now)


def verification_answer(
    report: VerificationReport, *, services: Services, token: str | None, now: int
) -> JSONResponse:
    """The answer of a verification: 200 when it verified, 422 when not; with a signed
    ``receipt`` (:func:`wallet.receipts.issue_receipt`) of the presented ``token`` when one
    is given."""
    answer = report_body(report)
    if token is not None:
        with services.session() as session:
            answer["receipt"] = issue_receipt(
                session, keystore=services.keystore, base_url=services.settings.base_url,
                report=report, token=token, now=now, random=services.random,
            )  # fmt: skip
    return JSONResponse(answer, status_code=200 if report.verified else 422)


@router.get("/credentials", response_model=list[RecordPublic], responses={401: {}})
def list_issued(
    principal: IssuerDep,
    session: SessionDep,
    type: str | None = Query(default=None, max_length=64),  # noqa: A002
    q: str | None = Query(default=None, max_length=200),
    limit: int = Query(default=50, ge=1, le=500),
    offset: int = Query(default=0, ge=0),
) -> Any:
    """The calling institution's issued records, newest first; filter by type or search."""
    rows = crud.list_records(
        session,
        issuer_slug=principal.issuer_slug,
        type_name=type,
        query=q,
        limit=limit,
        offset=offset,
    )
    return [
        RecordPublic(id=row.id, type=row.type_name, title=row.title, issued=row.created_at)
        for row in rows
    ]


@router.get(
    "/credentials/{credential_id:path}", response_model=RecordPublic, responses={401: {}, 404: {}}
)
def get_issued(credential_id: str, principal: IssuerDep, session: SessionDep) -> Any:
    """One issued record of the calling institution, with its formats (404 for anyone else's)."""
    row = crud.get_record(session, credential_id=credential_id)
    if row is None or row.issuer_slug != principal.issuer_slug:
        raise NotFoundError("no such credential")
    formats = [env.format for env in crud.get_envelopes(session, credential_id=credential_id)]
    return RecordPublic(
        id=row.id, type=row.type_name, title=row.title, issued=row.created_at, formats=formats
    )
