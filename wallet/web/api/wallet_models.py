"""Request and response models of the learner wallet API (:mod:`wallet.web.api.wallet`),
each with an OpenAPI example; the problem-details answers its routes document; and how
stored credentials become answers (names from the trust registry, labels from the type
metadata, in the asked language).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from wallet.credential_types import CredentialType, TypeRegistry
from wallet.db.models import WalletItem
from wallet.db.wallet_crud import ItemSummary
from wallet.errors import TrustError
from wallet.holder import ItemView
from wallet.trust import IssuerEntry
from wallet.vc import format_datetime_stamp
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
    passphrase: str | None = Field(default=None, min_length=12, max_length=1024)


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


# --- from stored rows to answers ---------------------------------------------------------


def text_in(names: Mapping[str, str], lang: str) -> str | None:
    """A language map's text in ``lang``, falling back to Latvian, then English."""
    for candidate in (lang, "lv", "en"):
        value = names.get(candidate)
        if value:
            return value
    return None


def _item_title(item: WalletItem | ItemSummary, lang: str) -> str | None:
    return text_in({"lv": item.title_lv or "", "en": item.title_en or ""}, lang)


def _entry(issuers: Mapping[str, IssuerEntry], slug: str | None) -> IssuerEntry | None:
    # An entry removed from the registry since the credential arrived leaves its slug
    # behind; the credential then shows without a registry name.
    return issuers.get(slug) if slug is not None else None


def item_public(
    item: WalletItem | ItemSummary, issuers: Mapping[str, IssuerEntry], lang: str
) -> CredentialItemPublic:
    """A listed credential; the issuer's name comes from the registry, never the credential."""
    entry = _entry(issuers, item.issuer_slug)
    return CredentialItemPublic(
        id=item.id,
        type=item.type_name,
        issuer=IssuerRefPublic(
            id=item.issuer_id,
            slug=entry.slug if entry is not None else None,
            name=text_in(entry.names, lang) if entry is not None else None,
        ),
        title=_item_title(item, lang),
        issuedAt=format_datetime_stamp(item.issued_at),
        addedAt=format_datetime_stamp(item.added_at),
        source=item.source,
        trust=item.trust,
        verified=item.verified,
    )


def detail_public(
    shown: ItemView,
    *,
    types: TypeRegistry,
    issuers: Mapping[str, IssuerEntry],
    lang: str,
    now: int,
) -> CredentialDetailPublic:
    """One credential as its owner reads it, with the verification that was just re-run."""
    item = shown.item
    ctype = types.types.get(item.type_name)
    subject = shown.credential.get("credentialSubject") if shown.credential else None
    title = None
    if ctype is not None and isinstance(subject, Mapping):
        title = ctype.title(subject, lang)
    if shown.report is None:
        checks = [{"name": "parse", "result": "failed", "reason": shown.problem or "unreadable"}]
        verified = False
    else:
        checks = [
            {"name": c.name, "result": c.result.value, "reason": c.reason}
            for c in shown.report.checks
        ]
        verified = shown.report.verified
    return CredentialDetailPublic(
        id=item.id,
        title=title or _item_title(item, lang),
        type=_type_public(item.type_name, ctype, lang),
        issuer=_issuer_detail(item, _entry(issuers, item.issuer_slug), lang),
        issuedAt=format_datetime_stamp(item.issued_at),
        addedAt=format_datetime_stamp(item.added_at),
        source=item.source,
        trust=item.trust,
        claims=_claims(ctype, subject, lang) if isinstance(subject, Mapping) else [],
        credential=dict(shown.credential) if shown.credential is not None else None,
        verification=VerificationPublic.model_validate(
            {"verified": verified, "checkedAt": format_datetime_stamp(now), "checks": checks}
        ),
    )


def _type_public(name: str, ctype: CredentialType | None, lang: str) -> CredentialTypePublic:
    if ctype is None:
        return CredentialTypePublic(name=name, displayName=None, description=None)
    display = {d["locale"]: d for d in ctype.metadata["display"]}
    chosen = display.get(lang) or display["lv"]
    return CredentialTypePublic(
        name=name, displayName=ctype.display_name(lang), description=str(chosen["description"])
    )


def _issuer_detail(item: WalletItem, entry: IssuerEntry | None, lang: str) -> IssuerDetailPublic:
    if entry is None:
        return IssuerDetailPublic(
            id=item.issuer_id, slug=None, name=None, country=None, registrationNumber=None,
            accredited=False, accreditation=[],
        )  # fmt: skip
    try:
        entry.check_accredited(item.type_name, item.issued_at)
        accredited = True
    except TrustError:
        accredited = False
    return IssuerDetailPublic(
        id=item.issuer_id,
        slug=entry.slug,
        name=text_in(entry.names, lang),
        country=entry.country,
        registrationNumber=entry.registration_number,
        accredited=accredited,
        accreditation=[
            AccreditationPublic(
                types=sorted(a.types),
                validFrom=format_datetime_stamp(a.valid_from),
                validUntil=None if a.valid_until is None else format_datetime_stamp(a.valid_until),
                decision=a.decision,
            )
            for a in entry.accreditations
        ],
    )


def _claims(
    ctype: CredentialType | None, subject: Mapping[str, Any], lang: str
) -> list[ClaimPublic]:
    """The subject's claims that the type metadata labels, in its order, with the label in
    ``lang`` (SD-JWT VC type metadata ``claims[].display``)."""
    if ctype is None:
        return []
    found = []
    for claim in ctype.metadata["claims"]:
        path = claim["path"]
        if any(not isinstance(step, str) for step in path):
            continue  # "every element of" paths repeat what their array's claim shows
        node: Any = subject
        for step in path:
            node = node.get(step) if isinstance(node, Mapping) else None
        if node is None:
            continue
        labels = {d["locale"]: d["label"] for d in claim["display"]}
        found.append(
            ClaimPublic(path=list(path), label=text_in(labels, lang) or path[-1], value=node)
        )
    return found
