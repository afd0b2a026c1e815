"""``POST /verify/qr``: verify what a QR code image holds; and the reading of a presented
text (pasted, uploaded as a file, or decoded from a QR code) that the ``/verify`` page shares.

A presented text is one of the forms ``POST /credentials/verify`` accepts: a compact JWS, an
SD-JWT, a ``data:`` URL or the JSON of an enveloped credential. A link of this service is
not a credential: share links open at their own address (``/s/{token}``), so it gets a
clear 400 rather than a parse error. A link to anywhere else is a 400 too and is never
opened (``reference/security.md`` J7).
"""

from __future__ import annotations

from typing import Any, NamedTuple
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from wallet.errors import InputError, PayloadTooLargeError
from wallet.jose import MAX_TOKEN_CHARS, loads_object
from wallet.qr_decode import MAX_IMAGE_BYTES, decode_qr
from wallet.service import Services
from wallet.vc import unwrap
from wallet.verifier import VerificationReport, verify_credential
from wallet.web.api.credentials import VerifyPublic, verification_answer
from wallet.web.csrf import origin_of
from wallet.web.deps import ClockDep, ServicesDep
from wallet.web.uploads import read_upload

router = APIRouter(tags=["credentials"])

#: The sentence of a link of this service given where a credential was expected.
SHARE_LINK_ELSEWHERE = "share links open at their own address: open the link itself"
_BOOLEANS = {"true": True, "false": False}


class Presented(NamedTuple):
    """A verified presented text: the report and the secured token it was about."""

    report: VerificationReport
    token: str


def own_link(text: str, *, base_url: str) -> str | None:
    """``text`` when it is a URL on this service's base URL (a share link, say), else None."""
    if not text.lower().startswith(("http://", "https://")) or any(c.isspace() for c in text):
        return None
    origin = origin_of(text)
    if origin is None or origin != origin_of(base_url):
        return None
    base_path = urlsplit(base_url).path.rstrip("/") + "/"
    return text if (urlsplit(text).path or "/").startswith(base_path) else None


def presented_value(text: str, *, base_url: str) -> str | dict[str, Any]:
    """What a presented text is, for :func:`wallet.verifier.verify_credential`.

    :raises InputError: for an empty text, a link of this service (:data:`SHARE_LINK_ELSEWHERE`)
        or a link to anywhere else.
    :raises ParseError: for JSON that is not a strict JSON object.
    :raises PayloadTooLargeError: above :data:`wallet.jose.MAX_TOKEN_CHARS`.
    """
    text = text.strip()
    if not text:
        raise InputError("give a credential: paste it, or upload its file or its QR code")
    if len(text) > MAX_TOKEN_CHARS:
        raise PayloadTooLargeError(f"a credential is at most {MAX_TOKEN_CHARS} characters")
    if own_link(text, base_url=base_url) is not None:
        raise InputError(SHARE_LINK_ELSEWHERE)
    if text.lower().startswith(("http://", "https://")):
        raise InputError(
            "this is a link to another site, which is never opened here: only credentials "
            "and links of this service can be checked"
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


def _verify_image(image: bytes, services: Services, now: int, receipt: bool) -> JSONResponse:
    presented = verify_text(decode_qr(image), services=services, now=now)
    token = presented.token if receipt else None
    return verification_answer(presented.report, services=services, token=token, now=now)


@router.post(
    "/verify/qr",
    response_model=VerifyPublic,
    responses={400: {}, 413: {}, 415: {}, 422: {"model": VerifyPublic}},
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
                        },
                    }
                }
            },
        }
    },
)
async def verify_qr(request: Request, services: ServicesDep, now: ClockDep) -> Any:
    """Verify the credential in a QR code image; no authentication.

    The ``image`` part is a PNG or JPEG of at most 4096×4096 pixels showing exactly one QR
    code, whose text is verified as ``POST /credentials/verify`` verifies a credential and
    answered the same way (200 or 422; ``receipt=true`` adds a signed receipt). Other
    images are 415, oversize ones 413, a damaged image, no QR code or several, or a QR code
    that holds no credential 400.
    """
    upload = await read_upload(request, fields={"receipt": 5}, files={"image": MAX_IMAGE_BYTES})
    image = upload.files.get("image")
    if not image:
        raise InputError("upload the QR code image in the part named image")
    receipt = _BOOLEANS.get(upload.fields.get("receipt", "false"))
    if receipt is None:
        raise InputError("receipt must be true or false")
    return await run_in_threadpool(_verify_image, image, services, now, receipt)
