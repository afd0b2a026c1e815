"""Verifier challenges and presentation verification (VC API shapes)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from wallet import challenges
from wallet.vc import format_datetime_stamp
from wallet.web.deps import ClockDep, ServicesDep, SessionDep
from wallet.web.routing import StrictJSONRoute

router = APIRouter(tags=["presentations"], route_class=StrictJSONRoute)


class ChallengeBody(BaseModel):
    """Who asks: the verifier's domain, which presentations must name as their audience."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"domain": "hr.example.lv"}]}
    )

    domain: str = Field(max_length=challenges.MAX_DOMAIN_CHARS)


class ChallengePublic(BaseModel):
    """A single-use challenge for ``domain``, valid until ``expires``."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "challenge": "q3Jz5E0m6V3cQ0fW8uTQbg",
                    "domain": "hr.example.lv",
                    "expires": "2026-11-28T12:05:00Z",
                }
            ]
        }
    )

    challenge: str
    domain: str
    expires: str


@router.post("/challenges", status_code=201, summary="Get a challenge for a presentation")
def create_challenge(
    body: ChallengeBody, services: ServicesDep, session: SessionDep, now: ClockDep
) -> ChallengePublic:
    """A single-use challenge (nonce) bound to the verifier's domain; a presentation made
    for it must carry it and name the domain as its audience. No account is needed."""
    issued = challenges.create(
        session,
        domain=body.domain,
        now=now,
        ttl=services.settings.challenge_ttl_seconds,
        random=services.random,
    )
    session.commit()
    return ChallengePublic(
        challenge=issued.challenge,
        domain=issued.domain,
        expires=format_datetime_stamp(issued.expires),
    )
