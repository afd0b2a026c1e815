"""Request and response models of the learner wallet API (:mod:`wallet.web.api.wallet`),
each with an OpenAPI example, and the problem-details answers its routes document. How
stored credentials fill the response models is :mod:`wallet.web.api.wallet_answers`.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from wallet.web.api.wallet_gdpr import MAX_PASSPHRASE_CHARS, MIN_PASSPHRASE_CHARS
from wallet.web.limits import PROBLEM_JSON

_PASSWORD = Field(
    max_length=1024, description="the account password, proven again", examples=["Daugava 1972"]
)
_ID = "kB3yX0m9Qe2Lr7VtZp4WcA"
_ISSUER_DID = "did:web:wallet.example.lv:issuers:daugava-uni"
#: A shortened compact JWS (header.payload.signature of a ``vc+jwt``) for the examples.
EXAMPLE_TOKEN = ".".join(
    ("eyJhbGciOiJFZERTQSIsImtpZCI6Ii4uLiIsInR5cCI6InZjK2p3dCJ9",
     "eyJAY29udGV4dCI6Wy4uLl19", "c2lnbmF0dXJl")
)  # fmt: skip
EXAMPLE_ENVELOPED: dict[str, Any] = {
    "@context": ["https://www.w3.org/ns/credentials/v2"],
    "type": "EnvelopedVerifiableCredential",
    "id": f"data:application/vc+jwt,{EXAMPLE_TOKEN}",
}
_ISSUER_REF = {"id": _ISSUER_DID, "slug": "daugava-uni", "name": "University of Daugava"}
_ITEM = {
    "id": _ID,
    "type": "diploma",
    "issuer": _ISSUER_REF,
    "title": "Bachelor of Natural Sciences in Computer Science",
    "issuedAt": "2025-06-19T10:00:00Z",
    "addedAt": "2025-06-19T10:00:00Z",
    "source": "issued",
    "trust": "verified",
    "verified": True,
}
_ACCREDITATION = {
    "types": ["diploma", "micro-credential"],
    "validFrom": "2020-01-01T00:00:00Z",
    "validUntil": None,
    "decision": "AIC 2019/311",
}
_ISSUER_DETAIL = {
    **_ISSUER_REF,
    "country": "LV",
    "registrationNumber": "90000012345",
    "accredited": True,
    "accreditation": [_ACCREDITATION],
}
_TYPE = {"name": "diploma", "displayName": "Diploma", "description": "Certifies a degree."}
_CHECK = {"name": "signature", "result": "passed", "reason": "EdDSA signature by key ..."}
_VERIFICATION = {"verified": True, "checkedAt": "2026-06-01T00:00:00Z", "checks": [_CHECK]}
_CLAIM = {"path": ["givenName"], "label": "Given name", "value": "Līga"}


def _examples(*examples: Any) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": list(examples)})


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IssuerRefPublic(BaseModel):
    """The issuer of a credential: its identifier in the credential, and its slug and name
    in the trust registry (both null when the registry does not know it)."""

    model_config = _examples(_ISSUER_REF)

    id: str
    slug: str | None
    name: str | None


class CredentialItemPublic(BaseModel):
    """One credential in a listing.

    ``source``: ``issued`` (delivered by an institution here) or ``imported``; ``trust``:
    ``verified``, ``not-verified`` or ``unknown-issuer``, as found when it was added.
    """

    model_config = _examples(_ITEM)

    id: str
    type: str
    issuer: IssuerRefPublic
    title: str | None
    issuedAt: str  # noqa: N815
    addedAt: str  # noqa: N815
    source: str
    trust: str
    verified: bool


class CredentialListPublic(BaseModel):
    """A page of the learner's credentials."""

    model_config = _examples({"items": [_ITEM], "limit": 20, "offset": 0})

    items: list[CredentialItemPublic]
    limit: int
    offset: int


class CredentialTypePublic(BaseModel):
    """The credential's type with its display name from the type metadata (null for a
    credential of no registered type)."""

    model_config = _examples(_TYPE)

    name: str
    displayName: str | None  # noqa: N815
    description: str | None


class AccreditationPublic(BaseModel):
    """One accreditation decision of the registry (``validUntil`` exclusive)."""

    model_config = _examples(_ACCREDITATION)

    types: list[str]
    validFrom: str  # noqa: N815
    validUntil: str | None  # noqa: N815
    decision: str


class IssuerDetailPublic(IssuerRefPublic):
    """The issuer as the trust registry describes it; ``accredited`` says whether an
    accreditation covered this credential's type when it was signed."""

    model_config = _examples(_ISSUER_DETAIL)

    country: str | None
    registrationNumber: str | None  # noqa: N815
    accredited: bool
    accreditation: list[AccreditationPublic]


class ClaimPublic(BaseModel):
    """A claim of the subject with its label from the type metadata, in the asked language;
    ``value`` is the claim as it stands in the credential."""

    model_config = _examples(_CLAIM)

    path: list[str]
    label: str
    value: Any


class CheckPublic(BaseModel):
    """One check of a verification."""

    model_config = _examples(_CHECK)

    name: str
    result: str
    reason: str


class VerificationPublic(BaseModel):
    """Verification re-run at ``checkedAt``: every check with its result and reason."""

    model_config = _examples(_VERIFICATION)

    verified: bool
    checkedAt: str  # noqa: N815
    checks: list[CheckPublic]


class CredentialDetailPublic(BaseModel):
    """One credential as its owner reads it."""

    model_config = _examples(
        {
            **_ITEM,
            "type": _TYPE,
            "issuer": _ISSUER_DETAIL,
            "claims": [_CLAIM],
            "credential": {
                "@context": ["https://www.w3.org/ns/credentials/v2", "https://..."],
                "type": ["VerifiableCredential", "DiplomaCredential"],
                "issuer": _ISSUER_DID,
                "credentialSubject": {"id": "did:jwk:...", "givenName": "Līga"},
            },
            "verification": _VERIFICATION,
        }
    )

    id: str
    title: str | None
    type: CredentialTypePublic
    issuer: IssuerDetailPublic
    issuedAt: str  # noqa: N815
    addedAt: str  # noqa: N815
    source: str
    trust: str
    claims: list[ClaimPublic]
    credential: dict[str, Any] | None
    verification: VerificationPublic


class EnvelopedPublic(BaseModel):
    """An ``EnvelopedVerifiableCredential`` (VC 2.0 §4.13): the secured credential as a
    ``data:`` URL."""

    model_config = ConfigDict(
        populate_by_name=True, json_schema_extra={"examples": [EXAMPLE_ENVELOPED]}
    )

    context: list[str] = Field(alias="@context")
    type: str
    id: str


class ImportBody(_Body):
    """A credential received elsewhere: enveloped, or a compact JWS string."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"verifiableCredential": EXAMPLE_ENVELOPED},
                {"verifiableCredential": EXAMPLE_TOKEN},
            ]
        },
    )

    verifiableCredential: dict[str, Any] | str  # noqa: N815


class AccessEventPublic(BaseModel):
    """Someone other than the learner read the learner's data."""

    model_config = _examples(
        {
            "at": "2026-06-02T09:30:00Z",
            "actor": "verifier:employer.example.lv",
            "action": "presentation.read",
            "target": _ID,
        }
    )

    at: str
    actor: str
    action: str
    target: str


class AccessLogPublic(BaseModel):
    """The access log, newest first (empty until sharing exists)."""

    model_config = _examples({"items": []})

    items: list[AccessEventPublic]


class ExportBody(_Body):
    """Export: the password again; the holder keys only with ``includeKeys`` and a
    passphrase of at least 12 characters that encrypts them."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"password": "Daugava flows slowly 1972", "includeKeys": False},
                {
                    "password": "Daugava flows slowly 1972",
                    "includeKeys": True,
                    "passphrase": "five brown owls at Sigulda",
                },
            ]
        },
    )

    password: str = _PASSWORD
    includeKeys: bool = False  # noqa: N815
    passphrase: str | None = Field(
        default=None, min_length=MIN_PASSPHRASE_CHARS, max_length=MAX_PASSPHRASE_CHARS
    )


class EraseBody(_Body):
    """Erase the wallet: the password again, and ``confirm`` true."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"password": "Daugava flows slowly 1972", "confirm": True}]
        },
    )

    password: str = _PASSWORD
    confirm: bool = Field(description="must be true: erasing cannot be undone")


_PROBLEMS: dict[int, tuple[str, str, str]] = {
    400: ("Bad request", "BAD_REQUEST", "The request cannot be used (see detail)."),
    401: (
        "Authentication required",
        "UNAUTHENTICATED",
        "No live learner session (or, for export and erase, a wrong password).",
    ),
    403: ("Not allowed", "FORBIDDEN", "A staff or operator session: those have no wallet."),
    404: (
        "Not found",
        "NOT_FOUND",
        "No such credential in the learner's wallets; another learner's id answers the same.",
    ),
    413: ("Payload too large", "PAYLOAD_TOO_LARGE", "The credential is over the import cap."),
    415: (
        "Unsupported media type",
        "UNSUPPORTED_MEDIA_TYPE",
        "The upload is not a .jwt, SD-JWT VC or enveloped JSON credential.",
    ),
    422: (
        "The record does not match its credential type",
        "INVALID_RECORD",
        "A parameter or the body has the wrong shape; errors[] names each.",
    ),
    429: ("Too many attempts", "RATE_LIMITED", "Too many wrong passwords for the account."),
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI ``responses`` of these error statuses, each an RFC 9457 example."""
    answers: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        title, code, description = _PROBLEMS[status]
        example = {
            "type": f"urn:imk:problem:{code.lower().replace('_', '-')}",
            "title": title,
            "status": status,
            "detail": description,
            "code": code,
        }
        answers[status] = {
            "description": description,
            "content": {PROBLEM_JSON: {"schema": {"type": "object"}, "example": example}},
        }
    return answers
