"""Learner wallet API: the signed-in learner's credentials, import, deletion, the access
log, export and erasure (``docs/wallet.md``).

**Who may call.** Only a learner's API session (``Authorization: Bearer`` from
``POST /auth/login``), fully signed in (:data:`~wallet.web.deps.LearnerDep`). What is not a
session at all (an institution's API token, a credential, garbage, a session that ended or
whose account was deleted) is 401, as on every session route; the session of a staff
member or an operator is 403 on every route here, before anything else is looked at:
those accounts have no wallet.

**Isolation.** Every use-case takes the account id (:mod:`wallet.holder`); a credential id
of another learner is 404 with the same body as an id that never existed.

Routes that change data commit; the others never do. Issuer names always come from the
trust registry in the requested language, never from the credential.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query, Request, Response

from wallet import holder
from wallet.db import wallet_crud
from wallet.errors import InputError, ParseError, UnsupportedMediaError
from wallet.jose import loads_object
from wallet.vc import envelope, unwrap
from wallet.web.api.wallet_answers import (
    access_log_public,
    attachment,
    detail_public,
    item_id_or_404,
    item_public,
)
from wallet.web.api.wallet_gdpr import (
    archive_response,
    check_key_choice,
    erase_wallets,
    export_archive,
)
from wallet.web.api.wallet_models import (
    EXAMPLE_ENVELOPED,
    EXAMPLE_TOKEN,
    AccessLogPublic,
    CredentialDetailPublic,
    CredentialItemPublic,
    CredentialListPublic,
    EnvelopedPublic,
    EraseBody,
    ExportBody,
    ImportBody,
    problem_responses,
)
from wallet.web.deps import ClockDep, LearnerDep, ServicesDep, SessionDep
from wallet.web.routing import StrictJSONRoute

router = APIRouter(tags=["wallet"], route_class=StrictJSONRoute)

Language = Literal["lv", "en", "ru"]
_LANG = Query(
    default=None, description="lv, en or ru; the account's language when left out", examples=["en"]
)
#: Most access events in one answer.
MAX_ACCESS_EVENTS = 1000
_NO_STORE = {"Cache-Control": "no-store"}


@router.get(
    "/wallet/credentials",
    summary="List the wallet's credentials",
    responses=problem_responses(401, 403, 422),
)
def list_credentials(
    principal: LearnerDep,
    services: ServicesDep,
    session: SessionDep,
    type: str | None = Query(default=None, max_length=64, examples=["diploma"]),  # noqa: A002
    issuer: str | None = Query(default=None, max_length=64, description="registry slug"),
    year: int | None = Query(default=None, ge=1900, le=9998, description="year of issue (UTC)"),
    q: str | None = Query(default=None, max_length=200, description="words of the title"),
    sort: Literal["date", "-date", "title"] = Query(
        default="date", description="date: newest first; -date: oldest first; title: Latvian order"
    ),
    lang: Language | None = _LANG,
    limit: int = Query(default=20, ge=1, le=holder.MAX_PAGE),
    offset: int = Query(default=0, ge=0, le=1_000_000),
) -> CredentialListPublic:
    """A page of the credentials in every wallet of the signed-in learner, filtered by type,
    issuer, year of issue or words of the title."""
    language = lang or principal.language
    items = holder.list_credentials(
        session, account_id=principal.account_id, type_name=type, issuer_slug=issuer,
        year=year, query=q, sort=sort, language=language, limit=limit, offset=offset,
    )  # fmt: skip
    issuers = services.registry.issuers
    return CredentialListPublic(
        items=[item_public(item, issuers, language) for item in items], limit=limit, offset=offset
    )


@router.post(
    "/wallet/credentials",
    status_code=201,
    summary="Import a credential",
    responses=problem_responses(400, 401, 403, 413, 422),
)
def import_credential(
    body: ImportBody,
    principal: LearnerDep,
    services: ServicesDep,
    session: SessionDep,
    now: ClockDep,
) -> CredentialItemPublic:
    """Add a credential received elsewhere (an enveloped credential or a compact JWS).

    It is verified first and kept whatever the result, marked by ``trust``: ``verified``,
    ``unknown-issuer`` (an institution not in this registry) or ``not-verified``. Only
    something that cannot be parsed as a credential at all is refused (400).
    """
    item = holder.import_credential(
        session, ctx=services.holder, account_id=principal.account_id,
        value=body.verifiableCredential, now=now,
    )  # fmt: skip
    session.commit()
    return item_public(item, services.registry.issuers, principal.language)


#: Media types of an uploaded credential file.
UPLOAD_TYPES = (
    "application/vc+jwt",
    "application/dc+sd-jwt",
    "application/vc+sd-jwt",
    "application/json",
    "text/plain",
)


@router.post(
    "/wallet/credentials/upload",
    status_code=201,
    summary="Import a credential file",
    responses=problem_responses(400, 401, 403, 413, 415, 422),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                media: {"schema": {"type": "string"}, "example": "eyJhbGciOi...<JWS or SD-JWT>"}
                for media in UPLOAD_TYPES
            },
        }
    },
)
async def upload_credential(
    request: Request,
    principal: LearnerDep,
    services: ServicesDep,
    session: SessionDep,
    now: ClockDep,
) -> CredentialItemPublic:
    """Import a credential file as it was received: the body is the file (a ``.jwt`` compact
    JWS, an SD-JWT VC, or enveloped JSON), with its media type. Verified first and kept as
    ``POST /wallet/credentials`` keeps it."""
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media not in UPLOAD_TYPES:
        raise UnsupportedMediaError(f"upload one of: {', '.join(UPLOAD_TYPES)}")
    raw = await request.body()
    try:
        text = raw.decode("utf-8").strip()
    except UnicodeDecodeError as exc:
        raise ParseError("the file is not UTF-8 text") from exc
    value: object = (
        loads_object(text.encode("utf-8"), what="the file") if media == "application/json" else text
    )
    item = holder.import_credential(
        session, ctx=services.holder, account_id=principal.account_id, value=value, now=now
    )
    session.commit()
    return item_public(item, services.registry.issuers, principal.language)


# Declared before "/wallet/credentials/{item_id}", whose parameter would also match "x.json".
@router.get(
    "/wallet/credentials/{item_id}.json",
    summary="Download a credential as enveloped JSON",
    responses=problem_responses(401, 403, 404, 422),
)
def download_json(
    item_id: str,
    principal: LearnerDep,
    services: ServicesDep,
    session: SessionDep,
    response: Response,
) -> EnvelopedPublic:
    """The credential as an ``EnvelopedVerifiableCredential`` (VC 2.0 §4.13), as an
    attachment ``{id}.json``; the same as ``/raw?format=json``."""
    token = holder.raw_token(
        session,
        ctx=services.holder,
        account_id=principal.account_id,
        item_id=item_id_or_404(item_id),
    )
    secured = unwrap(token)
    response.headers["Content-Disposition"] = f'attachment; filename="{item_id}.json"'
    response.headers.update(_NO_STORE)
    return EnvelopedPublic.model_validate(envelope(secured.media_type, secured.token))


@router.get(
    "/wallet/credentials/{item_id}",
    summary="Read one credential",
    responses=problem_responses(401, 403, 404, 422),
)
def read_credential(
    item_id: str,
    principal: LearnerDep,
    services: ServicesDep,
    session: SessionDep,
    now: ClockDep,
    lang: Language | None = _LANG,
) -> CredentialDetailPublic:
    """The credential as a person reads it: title, type and claim labels in ``lang`` (from
    the type metadata), the issuer and its accreditation from the trust registry, the
    credential itself, and its verification re-run now."""
    shown = holder.view(
        session, ctx=services.holder, account_id=principal.account_id,
        item_id=item_id_or_404(item_id), now=now,
    )  # fmt: skip
    return detail_public(
        shown, types=services.types, issuers=services.registry.issuers,
        lang=lang or principal.language, now=now,
    )  # fmt: skip


@router.get(
    "/wallet/credentials/{item_id}/raw",
    summary="Download a credential as it was received",
    response_class=Response,
    responses={
        200: {
            "description": "The compact JWS (``application/vc+jwt``), or with ``format=json`` "
            "the enveloped credential (``application/json``), as an attachment.",
            "content": {
                "application/vc+jwt": {
                    "schema": {"type": "string"},
                    "example": EXAMPLE_TOKEN,
                },
                "application/json": {
                    "schema": {"$ref": "#/components/schemas/EnvelopedPublic"},
                    "example": EXAMPLE_ENVELOPED,
                },
            },
        },
        **problem_responses(401, 403, 404, 422),
    },
)
def download_raw(
    item_id: str,
    principal: LearnerDep,
    services: ServicesDep,
    session: SessionDep,
    format: Literal["jwt", "json"] = Query(  # noqa: A002
        default="jwt", description="jwt: the compact JWS; json: the enveloped credential"
    ),
) -> Response:
    """The credential exactly as the wallet received it, as an attachment ``{id}.jwt``
    (``format=json``: the enveloped JSON, ``{id}.json``)."""
    token = holder.raw_token(
        session,
        ctx=services.holder,
        account_id=principal.account_id,
        item_id=item_id_or_404(item_id),
    )
    return attachment(token, item_id, format)


@router.delete(
    "/wallet/credentials/{item_id}",
    status_code=204,
    summary="Delete a credential",
    responses=problem_responses(400, 401, 403, 404, 422),
)
def delete_credential(
    item_id: str,
    principal: LearnerDep,
    session: SessionDep,
    confirm: bool = Query(
        default=False, description="must be true: deleting cannot be undone", examples=[True]
    ),
) -> Response:
    """Delete one credential from the wallet; ``?confirm=true`` is required (400 without it).

    Only the wallet's copy goes: the institution's record of what it issued stays.
    """
    if not confirm:
        raise InputError("add confirm=true: a deleted credential cannot be brought back")
    holder.delete(session, account_id=principal.account_id, item_id=item_id_or_404(item_id))
    session.commit()
    return Response(status_code=204)


@router.get(
    "/wallet/access-log",
    summary="Who read the learner's data",
    responses=problem_responses(401, 403, 422),
)
def access_log(
    principal: LearnerDep,
    session: SessionDep,
    limit: int = Query(default=100, ge=1, le=MAX_ACCESS_EVENTS),
) -> AccessLogPublic:
    """Everyone other than the learner who read the learner's data, newest first."""
    events = wallet_crud.access_events(session, account_id=principal.account_id, limit=limit)
    return access_log_public(events)


@router.post(
    "/wallet/export",
    summary="Export everything (GDPR art. 15 and 20)",
    response_class=Response,
    responses={
        200: {
            "description": "A ZIP archive: account.json, credentials.json, credentials/*.jwt, "
            "access-log.json, wallets.json, and with includeKeys holder-keys.json (the holder "
            "private keys, encrypted with scrypt and AES-256-GCM under the passphrase).",
            "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
        },
        **problem_responses(400, 401, 403, 422, 429),
    },
)
def export(
    body: ExportBody,
    principal: LearnerDep,
    services: ServicesDep,
    session: SessionDep,
    now: ClockDep,
) -> Response:
    """Everything the wallet holds about the learner, as one ZIP file.

    The account password is proven again (401 when wrong, and nothing is returned). The
    holder private keys are included only with ``includeKeys`` and a ``passphrase`` of at
    least 12 characters, other than the password, which encrypts them.
    """
    check_key_choice(
        password=body.password, include_keys=body.includeKeys, passphrase=body.passphrase
    )
    archive = export_archive(
        session, services=services, principal=principal, password=body.password,
        passphrase=body.passphrase, now=now,
    )  # fmt: skip
    session.commit()
    return archive_response(archive, now=now)


@router.post(
    "/wallet/erase",
    status_code=204,
    summary="Erase the wallet (GDPR art. 17)",
    responses=problem_responses(400, 401, 403, 422, 429),
)
def erase(
    body: EraseBody,
    principal: LearnerDep,
    services: ServicesDep,
    session: SessionDep,
    now: ClockDep,
) -> Response:
    """Erase every wallet of the learner: credentials, holder keys, access log.

    Needs the password and ``"confirm": true``. The account stays; the institutions'
    records of what they issued and the audit log stay (``docs/wallet.md`` says why).
    """
    if not body.confirm:
        raise InputError('add "confirm": true: an erased wallet cannot be brought back')
    erase_wallets(session, services=services, principal=principal, password=body.password, now=now)
    session.commit()
    return Response(status_code=204)
