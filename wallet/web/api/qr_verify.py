"""``POST /verify/qr``: verify what a QR code image holds; and the reading of a presented
text (pasted, uploaded as a file, or decoded from a QR code) that the ``/verify`` page shares.

A presented text is one of the forms ``POST /credentials/verify`` accepts: a compact JWS, an
SD-JWT, a ``data:`` URL or the JSON of an enveloped credential; or one of this service's
share links, ``{base}/s/{token}``, which gets the answer of opening the link itself
(:mod:`wallet.web.api.share_opening`): the same lookup, 404 and 410, the same verdict and
JSON, a view taken and the access log written (as ``share.checked``). Any other link of
this service is a 400, and a link to anywhere else is a 400 too and is never opened
(``reference/security.md`` J7).
"""

from __future__ import annotations

from typing import Any, NamedTuple
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from wallet import shares
from wallet.errors import InputError, PayloadTooLargeError, WalletError
from wallet.jose import MAX_TOKEN_CHARS, loads_object
from wallet.qr_decode import MAX_IMAGE_BYTES, decode_qr
from wallet.service import Services
from wallet.vc import unwrap
from wallet.verifier import VerificationReport, verify_credential
from wallet.web.api.credentials import VerifyPublic, verification_answer
from wallet.web.api.share_models import OpenedSharePublic
from wallet.web.api.share_opening import (
    MAX_VERIFIER_INPUT,
    open_link,
    opened_json,
    problem,
    share_language,
    share_token_of,
    verifier_of,
)
from wallet.web.csrf import origin_of
from wallet.web.deps import ClockDep, ServicesDep
from wallet.web.uploads import read_upload

router = APIRouter(tags=["credentials"])

#: The sentence of a link of this service that is neither a credential nor a share link.
OWN_LINK_NO_SHARE = (
    "this link of the service is no share link: only credentials and share links can be "
    "checked here"
)
_BOOLEANS = {"true": True, "false": False}


class Presented(NamedTuple):
    """A verified presented text: the report and the secured token it was about."""

    report: VerificationReport
    token: str


def own_link(text: str, *, base_url: str) -> str | None:
    """``text`` when it is a URL on this service's base URL, else None (a share link is one
    too: :func:`wallet.web.api.share_opening.share_token_of` reads those first)."""
    if not text.lower().startswith(("http://", "https://")) or any(c.isspace() for c in text):
        return None
    origin = origin_of(text)
    if origin is None or origin != origin_of(base_url):
        return None
    base_path = urlsplit(base_url).path.rstrip("/") + "/"
    return text if (urlsplit(text).path or "/").startswith(base_path) else None


def presented_value(text: str, *, base_url: str) -> str | dict[str, Any]:
    """What a presented text is, for :func:`wallet.verifier.verify_credential`.

    :raises InputError: for an empty text, a link of this service (share links are read
        by :func:`wallet.web.api.share_opening.share_token_of` first, so this is any other:
        :data:`OWN_LINK_NO_SHARE`) or a link to anywhere else.
    :raises ParseError: for JSON that is not a strict JSON object.
    :raises PayloadTooLargeError: above :data:`wallet.jose.MAX_TOKEN_CHARS`.
    """
    text = text.strip()
    if not text:
        raise InputError("give a credential: paste it, or upload its file or its QR code")
    if len(text) > MAX_TOKEN_CHARS:
        raise PayloadTooLargeError(f"a credential is at most {MAX_TOKEN_CHARS} characters")
    if own_link(text, base_url=base_url) is not None:
        raise InputError(OWN_LINK_NO_SHARE)
    if text.lower().startswith(("http://", "https://")):
        raise InputError(
            "this is a link to another site, which is never opened here: only credentials "
            "and share links of this service can be checked"
        )
    if text.startswith("{"):
        return loads_object(text.encode("utf-8"), what="the credential")
    return text


def verify_text(text: str, *, services: Services, now: int) -> Presented:
    """Verify a presented text (see :func:`presented_value`).

    :raises InputError: as :func:`presented_value`, and when it is no credential at all.
    """
    value = presented_value(text, base_url=services.settings.base_url)
    report = verify_credential(value, ctx=services.verification, now=now)
    return Presented(report=report, token=unwrap(value).token)


def _verify_image(
    image: bytes, services: Services, now: int, receipt: bool, lang: str, verifier: str | None
) -> Response:
    text = decode_qr(image).strip()
    token = share_token_of(text, base_url=services.settings.base_url)
    if token is not None:
        try:
            opened = open_link(
                services, token=token, now=now, verifier=verifier, action=shares.CHECKED
            )
        except WalletError as exc:
            return problem(exc)
        return opened_json(opened, services=services, lang=lang)
    presented = verify_text(text, services=services, now=now)
    receipt_of = presented.token if receipt else None
    return verification_answer(presented.report, services=services, token=receipt_of, now=now)


@router.post(
    "/verify/qr",
    response_model=VerifyPublic | OpenedSharePublic,
    responses={400: {}, 404: {}, 410: {}, 413: {}, 415: {}, 422: {"model": VerifyPublic}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["image"],
                        "properties": {
                            "image": {
                                "type": "string",
                                "format": "binary",
                                "description": "a PNG or JPEG image of one QR code",
                            },
                            "receipt": {"type": "string", "enum": ["true", "false"]},
                            "verifier": {
                                "type": "string",
                                "maxLength": MAX_VERIFIER_INPUT,
                                "description": "the verifier's name or organisation, for "
                                "the access log of a share link (optional)",
                            },
                        },
                    }
                }
            },
        }
    },
)
async def verify_qr(request: Request, services: ServicesDep, now: ClockDep) -> Any:
    """Verify the credential in a QR code image, or open the share link in it; no
    authentication.

    The ``image`` part is a PNG or JPEG of at most 4096×4096 pixels showing exactly one QR
    code. A credential in it is verified as ``POST /credentials/verify`` verifies one and
    answered the same way (200 or 422; ``receipt=true`` adds a signed receipt). A share
    link of this service in it is answered as ``GET /s/{token}`` with ``Accept:
    application/json`` answers: the same verdict and JSON (in the language of ``?lang=``,
    the ``lang`` cookie or ``Accept-Language``), 404 for an unknown link and 410 for one
    expired, revoked or used up; it uses a view, and goes to the owner's access log as
    ``share.checked`` with the ``verifier`` part (or the ``X-Verifier-Name`` header) as
    the verifier's name. Such an answer has no receipt. Other images are 415, oversize
    ones 413, a damaged image, no QR code or several, or a QR code that holds neither a
    credential nor a share link 400.
    """
    upload = await read_upload(
        request,
        fields={"receipt": 5, "verifier": MAX_VERIFIER_INPUT},
        files={"image": MAX_IMAGE_BYTES},
    )
    image = upload.files.get("image")
    if not image:
        raise InputError("upload the QR code image in the part named image")
    receipt = _BOOLEANS.get(upload.fields.get("receipt", "false"))
    if receipt is None:
        raise InputError("receipt must be true or false")
    lang = share_language(request)
    verifier = verifier_of(request, upload.fields.get("verifier"))
    return await run_in_threadpool(_verify_image, image, services, now, receipt, lang, verifier)
