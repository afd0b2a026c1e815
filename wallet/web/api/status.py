"""Status routes: an issuer changes a record's status; anyone reads the published lists."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Path
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, StrictBool

from wallet.errors import InputError
from wallet.revocation import MAX_REASON, Action, change_status
from wallet.web.deps import ClockDep, IssuerDep, ServicesDep, SessionDep
from wallet.web.routing import StrictJSONRoute

router = APIRouter(tags=["status"], route_class=StrictJSONRoute)


class StatusEntryIn(BaseModel):
    """Which list a change is about (VCALM: the credentialStatus entry's type and purpose)."""

    model_config = ConfigDict(extra="allow")

    type: Literal["BitstringStatusListEntry"] = "BitstringStatusListEntry"
    statusPurpose: Literal["revocation", "suspension"]  # noqa: N815


class StatusBody(BaseModel):
    """VCALM UpdateCredentialStatus, plus the reason the audit log keeps.

    ``status: true`` sets the purpose's bit: revocation revokes (final), suspension
    suspends; ``status: false`` with suspension lifts a suspension.
    """

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "credentialId": "urn:uuid:5b0fd0ae-5f4b-4c42-9c8e-3f8f2c1f6f0a",
                    "credentialStatus": [
                        {"type": "BitstringStatusListEntry", "statusPurpose": "revocation"}
                    ],
                    "status": True,
                    "reason": "Diploma obtained by fraud: decision 12-3/2026 of the senate",
                }
            ]
        },
    )

    credentialId: str = Field(min_length=1, max_length=512)  # noqa: N815
    credentialStatus: list[StatusEntryIn] | StatusEntryIn  # noqa: N815
    status: StrictBool
    reason: str = Field(min_length=1, max_length=MAX_REASON)


class StatusPublic(BaseModel):
    """The record's status after the request, and whether the request changed it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "credentialId": "urn:uuid:5b0fd0ae-5f4b-4c42-9c8e-3f8f2c1f6f0a",
                    "status": "revoked",
                    "changed": True,
                }
            ]
        }
    )

    credentialId: str  # noqa: N815
    status: str = Field(description="valid, revoked or suspended")
    changed: bool


def _action(body: StatusBody) -> Action:
    entries = (
        body.credentialStatus
        if isinstance(body.credentialStatus, list)
        else [body.credentialStatus]
    )
    if len(entries) != 1:
        raise InputError("name exactly one credentialStatus entry (revocation or suspension)")
    purpose = entries[0].statusPurpose
    if purpose == "revocation":
        if not body.status:
            raise InputError("revocation is final: status false is refused for revocation")
        return Action.REVOKE
    return Action.SUSPEND if body.status else Action.UNSUSPEND


@router.post(
    "/credentials/status",
    response_model=StatusPublic,
    responses={400: {}, 401: {}, 403: {}, 404: {}, 409: {}, 422: {}},
    summary="Revoke, suspend or unsuspend an issued credential",
)
def update_status(
    body: StatusBody, principal: IssuerDep, services: ServicesDep, session: SessionDep,
    now: ClockDep,
) -> Any:  # fmt: skip
    """Change the status of one of the calling institution's records (VCALM
    ``POST /credentials/status``).

    Every envelope of the record changes at once; the change is in every process's view
    within a second and in the published lists as soon as they are next served. Another
    institution's record answers 404; unsuspending or un-revoking a revoked one 409.
    """
    change = change_status(
        session, issuer_slug=principal.issuer_slug, credential_id=body.credentialId,
        action=_action(body), reason=body.reason, actor=principal.actor, now=now,
    )  # fmt: skip
    session.commit()
    return StatusPublic(
        credentialId=change.credential_id, status=change.status, changed=change.changed
    )


@router.get(
    "/status/{slug}/{list_id}/{kind}",
    responses={
        200: {
            "content": {"application/vc+jwt": {}, "application/statuslist+jwt": {}},
            "description": "the signed list",
        },
        404: {},
    },
    response_class=Response,
    summary="A published status list",
)
def published_list(
    services: ServicesDep,
    now: ClockDep,
    slug: str = Path(pattern=r"^[a-z0-9-]{2,64}$"),
    list_id: int = Path(ge=1, le=2**62),
    kind: Literal["revocation", "suspension", "token"] = Path(),
) -> Response:
    """A status list of an institution: ``revocation`` and ``suspension`` as W3C
    BitstringStatusListCredentials (vc+jwt), ``token`` as an IETF Status List Token."""
    published = services.status_publisher.publish(slug, list_id, kind, now=now)
    return Response(
        content=published.token,
        media_type=published.media_type,
        headers={
            "Cache-Control": f"public, max-age={published.max_age}",
            "Access-Control-Allow-Origin": "*",
        },
    )
