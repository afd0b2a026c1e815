"""The verifier's page, ``/verify``: check a credential without an account (issue 7).

**GET** shows three forms, each for one way to give a credential: paste its text (a compact
JWS, an SD-JWT, JSON, or a link), upload its file, or upload an image or photo of its QR
code. All three post ``multipart/form-data`` to ``/verify`` (read strictly by
:mod:`wallet.web.uploads`); exactly one of ``credential``, ``file`` and ``image`` must be
given.

**POST** verifies it as ``POST /credentials/verify`` does (the QR code is decoded on the
server by :func:`wallet.qr_decode.decode_qr`, its text then read like pasted text, see
:mod:`wallet.web.api.qr_verify`) and shows the verdict, each check in plain words with its
result, green or red, and a link that downloads the signed receipt as ``receipt.jwt`` (a
``data:`` URL: nothing is stored, so there is nothing to fetch later). A credential that
does not verify is a 422 page; input that cannot be used shows the forms again with the
error and its 4xx status.

**A share link** of this service (``{base}/s/{token}``, in a QR code or pasted) is opened
here as at its own address (:mod:`wallet.web.api.share_opening`): the same result page,
verdict and checks (404 and 410 pages for a link unknown or no longer usable), a view
taken (the upload is a deliberate POST by a person, as the "Show" button is), and the
owner's access log gets ``share.checked`` with the name given in the forms' optional
``verifier`` field. Any other link of this service, and every link elsewhere, is a 400.

**CSRF** as on the other anonymous forms (:mod:`wallet.web.csrf`): the GET sets the
``imk_csrf`` cookie, each form carries its keyed hash, and the POST checks the origin
headers before it reads the body and the token before it acts.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence

from fastapi import APIRouter, Depends, Request
from lxml.html import builder as E
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from wallet import shares
from wallet.errors import InputError, WalletError
from wallet.jose import MAX_TOKEN_CHARS
from wallet.qr_decode import MAX_IMAGE_BYTES, decode_qr
from wallet.receipts import issue_receipt
from wallet.service import Services
from wallet.vc import format_datetime_stamp
from wallet.verifier import Result, VerificationReport
from wallet.web.api.qr_verify import Presented, verify_text
from wallet.web.api.share_answers import opened_public
from wallet.web.api.share_opening import (
    MAX_VERIFIER_INPUT,
    open_link,
    share_token_of,
    verifier_of,
)
from wallet.web.csrf import FIELD, AnonymousCSRFDep, CSRFGuard, GuardDep, csrf_cookie
from wallet.web.deps import ClockDep, CookiePrincipalDep, ServicesDep, get_cookie_principal
from wallet.web.forms import Form
from wallet.web.pages import share_views
from wallet.web.pages.labels import keys, label, language_of
from wallet.web.pages.layout import Element, error_box, link, printable, render
from wallet.web.pages.routing import PageRoute
from wallet.web.uploads import Upload, read_upload

router = APIRouter(
    include_in_schema=False,
    route_class=PageRoute,
    dependencies=[Depends(get_cookie_principal)],
)

#: The text fields of the forms, with their longest values.
FIELDS = {FIELD: 128, "credential": MAX_TOKEN_CHARS, "verifier": MAX_VERIFIER_INPUT}
#: The file fields of the forms, with their largest files in bytes.
FILES = {"file": MAX_TOKEN_CHARS, "image": MAX_IMAGE_BYTES}
#: What the credential file input offers to pick.
FILE_ACCEPT = ".jwt,.json,.txt,.sd-jwt,application/jwt,application/json,text/plain"
#: The verdict and each result in colour (with a sign and a word, never colour alone), a
#: readable line length, and tables that scroll sideways on a phone instead of overflowing.
STYLE = (
    "body{font-family:sans-serif;line-height:1.45;max-width:50em;margin:0 auto;padding:0 1em}"
    "textarea{width:100%;box-sizing:border-box;font-family:monospace}"
    "button{font-size:1em;padding:.4em 1em}"
    ".verdict{padding:.75em 1em;border:3px solid;border-radius:.4em;font-weight:bold}"
    ".passed{color:#0b5d1e;background:#e3f5e8}"
    ".failed{color:#9b1c1c;background:#fde8e8}"
    ".unknown{color:#6b4300;background:#fff4d6}"
    ".scroll{overflow-x:auto}"
    "table{border-collapse:collapse}"
    "th,td{border:1px solid #767676;padding:.3em .5em;text-align:left;vertical-align:top;"
    "overflow-wrap:anywhere}"
    ":focus-visible{outline:3px solid #1a5fb4;outline-offset:2px}"
)
_SIGNS = {
    Result.PASSED: "✓",
    Result.FAILED: "✗",
    Result.UNKNOWN: "?",
    Result.NOT_APPLICABLE: "–",
}
_RESULT_LABELS = {
    Result.PASSED: "result.passed",
    Result.FAILED: "result.failed",
    Result.UNKNOWN: "result.unknown",
    Result.NOT_APPLICABLE: "result.not_applicable",
}


def _page(
    request: Request,
    services: Services,
    guard: CSRFGuard,
    principal: CookiePrincipalDep,
    *,
    title: str,
    content: Sequence[Element],
    status: int = 200,
) -> Response:
    session_token = guard.session_token(principal) if principal is not None else None
    return render(
        request, language=language_of(request), title=title, content=content, status=status,
        session_token=session_token,
        wallet_link=principal is not None and principal.role == "learner", style=STYLE,
    )  # fmt: skip


# --- the forms ----------------------------------------------------------------------------


def _verifier_field(language: str) -> Element:
    """The verifier's optional name, for the access log of a share link given here."""
    name = E.INPUT(type="text", name="verifier", maxlength="64", autocomplete="organization")
    return E.P(E.LABEL(label(language, "field.verifier_name"), E.BR(), name))


def _upload_form(
    language: str, token: str, heading: str, control: Element, *more: Element
) -> Element:
    return E.SECTION(
        E.H2(label(language, heading)),
        E.FORM(
            E.INPUT(type="hidden", name=FIELD, value=token),
            E.P(control),
            *more,
            E.P(E.BUTTON(label(language, "button.check"), type="submit")),
            method="post",
            action="/verify",
            enctype="multipart/form-data",
        ),
    )


def _forms(language: str, token: str) -> list[Element]:
    paste = E.LABEL(
        label(language, "field.credential_or_link"),
        E.BR(),
        E.TEXTAREA(
            name="credential",
            rows="6",
            required="required",
            autocomplete="off",
            spellcheck="false",
            autocapitalize="off",
        ),  # fmt: skip
    )
    credential_file = E.LABEL(
        label(language, "field.credential_file"),
        E.BR(),
        E.INPUT(type="file", name="file", accept=FILE_ACCEPT, required="required"),
    )
    qr_image = E.LABEL(
        label(language, "field.qr_image"),
        E.BR(),
        E.INPUT(type="file", name="image", accept="image/png,image/jpeg", required="required"),
    )
    # On a phone, ``capture`` opens the camera at once to photograph the code (decoded on the
    # server like any upload); browsers without a camera show their file chooser instead.
    # The page runs no script (its Content-Security-Policy allows none), so live scanning
    # is left to the phone's own camera app, which opens the link of a share's QR code.
    camera = E.LABEL(
        label(language, "field.qr_camera"),
        E.BR(),
        E.INPUT(
            type="file", name="image", accept="image/jpeg,image/png", capture="environment",
            required="required",
        ),
    )  # fmt: skip
    return [
        E.P(label(language, "text.check_intro")),
        _upload_form(language, token, "heading.paste", paste, _verifier_field(language)),
        _upload_form(language, token, "heading.file", credential_file),
        _upload_form(language, token, "heading.qr", qr_image, _verifier_field(language)),
        _upload_form(language, token, "heading.camera", camera, _verifier_field(language)),
    ]


@router.get("/verify")
def verify_form(
    request: Request,
    csrf: AnonymousCSRFDep,
    guard: GuardDep,
    services: ServicesDep,
    principal: CookiePrincipalDep,
) -> Response:
    """The three forms: paste, credential file, QR code image."""
    content = _forms(language_of(request), csrf.token)
    return csrf.attach(
        _page(request, services, guard, principal, title="title.check_credential", content=content)
    )


# --- the result ---------------------------------------------------------------------------


def _check_row(language: str, name: str, result: Result, reason: str) -> Element:
    key = f"check.{name}"
    shown = label(language, key) if key in keys() else printable(name)
    return E.TR(
        E.TD(shown),
        E.TD(
            f"{_SIGNS[result]} {label(language, _RESULT_LABELS[result])}",
            {"class": "result " + result.name.lower().replace("_", "-")},
        ),
        E.TD(printable(reason)),
    )


def _facts(language: str, services: Services, report: VerificationReport, now: int) -> Element:
    rows: list[tuple[str, str]] = []
    issuer = report.issuer
    if issuer is not None:
        name = issuer.names.get(language) or issuer.names.get("en") or issuer.slug
        identifier = issuer.https_id if report.format == "dc+sd-jwt" else issuer.did
        rows += [(label(language, "label.issuer"), printable(name))]
        rows += [(label(language, "label.issuer_id"), printable(identifier))]
    ctype = services.types.types.get(report.type_name or "")
    if ctype is not None:
        rows.append((label(language, "label.type"), printable(ctype.display_name(language))))
    rows.append((label(language, "label.checked_at"), format_datetime_stamp(now)))
    return E.DL(*[item for term, value in rows for item in (E.DT(term), E.DD(value))])


def _result(
    language: str, services: Services, presented: Presented, receipt: str, now: int
) -> list[Element]:
    report = presented.report
    verdict = "passed" if report.verified else "failed"
    text = label(language, f"text.credential_{'valid' if report.verified else 'invalid'}")
    sign = _SIGNS[Result.PASSED if report.verified else Result.FAILED]
    rows = [_check_row(language, c.name, c.result, c.reason) for c in report.checks]
    heads = ("label.check", "label.result", "label.reason")
    href = "data:application/jwt;base64," + base64.b64encode(receipt.encode("ascii")).decode()
    return [
        E.P(f"{sign} {text}", {"class": f"verdict {verdict}"}, role="status"),
        _facts(language, services, report, now),
        E.H2(label(language, "label.verification")),
        E.DIV(
            E.TABLE(
                E.THEAD(E.TR(*[E.TH(label(language, key), scope="col") for key in heads])),
                E.TBODY(*rows),
                {"class": "checks"},
            ),
            {"class": "scroll"},
        ),
        E.P(
            E.A(
                label(language, "link.download_receipt"),
                href=href,
                download="receipt.jwt",
                type="application/jwt",
            )
        ),
        E.P(label(language, "text.receipt")),
        link(label(language, "link.check_another"), "/verify"),
    ]


def _text_of(upload: Upload) -> tuple[str, bool]:
    """The one text given and whether it came from a QR code image.

    :raises InputError: when none, or more than one, is given, or a file is not UTF-8.
    """
    pasted = upload.fields.get("credential", "").strip()
    given = {name: data for name, data in upload.files.items() if data}
    if pasted:
        given["credential"] = pasted.encode("utf-8")
    if not given:
        raise InputError("give a credential: paste it, or upload its file or its QR code")
    if len(given) > 1:
        raise InputError("give one thing to check at a time")
    ((name, data),) = given.items()
    if name == "image":
        return decode_qr(data), True
    try:
        return data.decode("utf-8"), False
    except UnicodeDecodeError as exc:
        raise InputError("the file is not UTF-8 text") from exc


def _opened_share(
    request: Request, services: Services, token: str, verifier: str | None, now: int
) -> Response:
    """The page of a share link given here: the share page's own result (or its 404 or 410
    page), with a way back to the forms."""
    language = language_of(request)
    back = [link(label(language, "link.check_another"), "/verify")]
    try:
        opened = open_link(services, token=token, now=now, verifier=verifier, action=shares.CHECKED)
    except WalletError as exc:
        if exc.status not in (404, 410):
            raise
        return share_views.unusable_page(
            request, language, status=exc.status, description=exc.description, more=back
        )
    shown = opened_public(opened, types=services.types, lang=language)
    return share_views.opened_page(request, language, shown, more=back)


def _answer(
    request: Request, services: Services, upload: Upload, now: int
) -> tuple[list[Element], int, str] | Response:
    """The content, status and title of the POST's page, or the whole page of a share link
    (run in a worker thread: decoding an image and verifying take CPU, and the receipt and
    a share read the database)."""
    language = language_of(request)
    token = upload.fields.get(FIELD, "")
    try:
        text, _ = _text_of(upload)
        share_token = share_token_of(text.strip(), base_url=services.settings.base_url)
        if share_token is not None:
            verifier = verifier_of(request, upload.fields.get("verifier"))
            return _opened_share(request, services, share_token, verifier, now)
        presented = verify_text(text, services=services, now=now)
    except WalletError as exc:
        return [error_box(exc), *_forms(language, token)], exc.status, "title.check_credential"
    with services.session() as session:
        receipt = issue_receipt(
            session, keystore=services.keystore, base_url=services.settings.base_url,
            report=presented.report, token=presented.token, now=now, random=services.random,
        )  # fmt: skip
    status = 200 if presented.report.verified else 422
    return _result(language, services, presented, receipt, now), status, "title.check_result"


@router.post("/verify")
async def verify_submit(
    request: Request,
    guard: GuardDep,
    services: ServicesDep,
    principal: CookiePrincipalDep,
    now: ClockDep,
) -> Response:
    """Verify what one of the forms gave and show the result (see the module docstring)."""
    guard.check_request(request)
    upload = await read_upload(request, fields=FIELDS, files=FILES)
    value = csrf_cookie(request)
    guard.check_token(
        Form(fields=upload.fields), guard.cookie_token(value) if value is not None else None
    )
    answer = await run_in_threadpool(_answer, request, services, upload, now)
    if isinstance(answer, Response):
        return answer
    content, status, title = answer
    return _page(request, services, guard, principal, title=title, content=content, status=status)
