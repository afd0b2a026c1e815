"""Verifier challenges and presentation verification (VC API shapes)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from wallet import challenges, presentations
from wallet.vc import format_datetime_stamp
from wallet.verifier import VerificationReport
from wallet.web.api.credentials import VerifyPublic, report_body
from wallet.web.deps import ClockDep, LearnerDep, ServicesDep, SessionDep
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


class PresentationOptions(BaseModel):
    """What the presentation must have been made for."""

    model_config = ConfigDict(extra="forbid")

    challenge: str = Field(max_length=128)
    domain: str = Field(max_length=challenges.MAX_DOMAIN_CHARS)


class VerifyPresentationBody(BaseModel):
    """``{verifiablePresentation, options: {challenge, domain}}``: an SD-JWT+KB string (or
    enveloped as ``data:application/dc+sd-jwt,``), or a ``vp+jwt``: compact, as the data URL
    ``data:application/vp+jwt,<JWS>``, or as an ``EnvelopedVerifiablePresentation`` object
    whose ``id`` is that data URL."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "verifiablePresentation": "eyJhbGciOiJFZERTQSJ9.eyJ2Y3QiOiIuLi4ifQ.c2ln~WyJz"
                    "YWx0IiwiYmlydGhEYXRlIiwiMjAwMS0wMy0xNCJd~eyJ0eXAiOiJrYitqd3QifQ.e30.c2ln",
                    "options": {"challenge": "q3Jz5E0m6V3cQ0fW8uTQbg", "domain": "hr.example.lv"},
                }
            ]
        },
    )

    verifiablePresentation: dict[str, Any] | str  # noqa: N815
    options: PresentationOptions


def presentation_body(report: VerificationReport) -> dict[str, Any]:
    """The VCALM answer for a ``vp+jwt``: ``results.presentation`` (``challenge`` = its
    nonce, ``domain`` = its audience, ``holder``, ``proof``) and ``results.credentials``
    (one VCALM credential answer each), when it verified; the checks and problems always."""
    body = report_body(report)
    if report.verified:
        proof = {
            "type": report.format,
            "alg": report.alg,
            "verificationMethod": report.kid,
            "created": report.signed_at,
            "verified": True,
        }
        body["results"] = {
            "presentation": {
                "challenge": report.nonce,
                "domain": report.audience,
                "holder": report.holder,
                "proof": [proof],
            },
            "credentials": [report_body(credential) for credential in report.credentials],
        }
    return body


@router.post(
    "/presentations/verify",
    response_model=VerifyPublic,
    responses={400: {}, 413: {}, 422: {"model": VerifyPublic}},
    summary="Verify a presentation made for a challenge",
)
def verify_presentation(
    body: VerifyPresentationBody, services: ServicesDep, session: SessionDep, now: ClockDep
) -> Any:
    """Verify an SD-JWT VC presentation with key binding: the issuer's signature and key,
    every disclosure, the KB-JWT (signed by the credential's ``cnf`` key, ``aud`` = domain,
    ``nonce`` = challenge, ``sd_hash``, ``iat`` at most five minutes old), type, accreditation
    and validity; then the challenge, which this verification uses up. 200 when verified,
    422 when not, with every check; ``results.disclosed`` lists the disclosed claims.

    A ``vp+jwt`` is checked likewise: its holder a ``did:jwk`` whose ``#0`` key signed it,
    ``aud`` = domain, ``nonce`` = challenge, ``iat`` at most five minutes old, every enveloped
    vc+jwt credential verified in full (status included) with the holder as its subject,
    then the challenge. ``results`` has ``presentation`` and ``credentials``."""
    report = presentations.verify_presentation(
        session,
        ctx=services.verification,
        value=body.verifiablePresentation,
        challenge=body.options.challenge,
        domain=body.options.domain,
        now=now,
    )
    session.commit()
    body_of = presentation_body if report.format == "vp+jwt" else report_body
    return JSONResponse(body_of(report), status_code=200 if report.verified else 422)


class PresentBody(BaseModel):
    """Which claims to disclose (paths as in the type metadata; a number picks an array
    element), for which verifier challenge and domain. A vc+jwt credential is presented
    whole: leave ``disclose`` out or empty."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "disclose": [["givenName"], ["familyName"], ["achievement", "courses", 0]],
                    "challenge": "q3Jz5E0m6V3cQ0fW8uTQbg",
                    "domain": "hr.example.lv",
                }
            ]
        },
    )

    disclose: list[list[str | int | None]] = Field(
        default_factory=list, max_length=presentations.MAX_PATHS
    )
    challenge: str = Field(max_length=128)
    domain: str = Field(max_length=challenges.MAX_DOMAIN_CHARS)


class PresentationPublic(BaseModel):
    """The presentation to hand to the verifier: an SD-JWT+KB, or a compact ``vp+jwt``."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"verifiablePresentation": "<jwt>~<d1>~<d2>~<kb-jwt>"},
                {"verifiablePresentation": "<vp+jwt header>.<presentation>.<signature>"},
            ]
        }
    )

    verifiablePresentation: str  # noqa: N815


@router.post(
    "/wallet/credentials/{item_id}/present",
    status_code=201,
    tags=["wallet"],
    responses={400: {}, 401: {}, 403: {}, 404: {}},
    summary="Present chosen claims of an SD-JWT VC, or a vc+jwt as a vp+jwt",
)
def present_credential(
    item_id: str,
    body: PresentBody,
    learner: LearnerDep,
    services: ServicesDep,
    session: SessionDep,
    now: ClockDep,
) -> PresentationPublic:
    """An SD-JWT+KB of one of the learner's SD-JWT VCs revealing only ``disclose``, bound to
    the verifier's challenge and domain with the wallet's holder key. A vc+jwt credential
    is presented whole, as a ``vp+jwt`` signed with the same key (``aud`` = domain,
    ``nonce`` = challenge, ``iat`` = now); ``disclose`` must then be empty."""
    presentation = presentations.present_credential(
        session,
        ctx=services.holder,
        account_id=learner.account_id,
        item_id=item_id,
        disclose=[tuple(path) for path in body.disclose],
        domain=body.domain,
        challenge=body.challenge,
        now=now,
    )
    return PresentationPublic(verifiablePresentation=presentation)
