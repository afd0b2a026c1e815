"""Opening a share link, wherever it is given: at its own address (``/s/{token}``,
:mod:`wallet.web.pages.share_link`), or on ``/verify`` as an uploaded QR code or pasted
text (:mod:`wallet.web.api.qr_verify`, :mod:`wallet.web.pages.verify`).

Every way takes the same steps (:func:`open_link`): the share found by its token's keyed
hash, its presentations verified under the share-link policy, a view taken, the opening
and each verification written to the owner's access log and committed, all before the
answer is built. An unknown token is 404, an expired, revoked or used-up share 410, and
neither answer says anything about another token. The JSON answer (:func:`opened_json`)
is the same wherever the link was given.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from fastapi import Request
from pydantic_core import to_json
from starlette.responses import Response

from wallet import shares
from wallet.accounts import LANGUAGES
from wallet.errors import WalletError
from wallet.service import Services
from wallet.shares import Opened
from wallet.web.api.share_answers import opened_answer
from wallet.web.cookies import LANGUAGE_COOKIE
from wallet.web.csrf import origin_of
from wallet.web.problems import problem_of, problem_response

#: Headers of every JSON answer about a share: never cached, never sent on as a referrer.
JSON_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
#: Longest verifier name read from a request, before sanitising.
MAX_VERIFIER_INPUT = 256
#: The language when the request names none of ours: Latvian, as on every page.
DEFAULT_LANGUAGE = "lv"


def share_language(request: Request) -> str:
    """The language of a share's answer: ``?lang=``, the ``lang`` cookie, the first of ours
    in ``Accept-Language`` (by weight), else Latvian."""
    chosen = request.query_params.get("lang")
    if chosen in LANGUAGES:
        return str(chosen)
    cookie = request.cookies.get(LANGUAGE_COOKIE)
    if cookie in LANGUAGES:
        return str(cookie)
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(request.headers.get("accept-language", "").split(",")[:32]):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        primary = tag.strip().split("-", 1)[0].lower()
        if primary in LANGUAGES and weight > 0:
            ranked.append((-weight, index, primary))
    return min(ranked)[2] if ranked else DEFAULT_LANGUAGE


def verifier_of(request: Request, field: str | None = None) -> str | None:
    """The verifier's stated name: a form ``field``, else the ``X-Verifier-Name`` header,
    else ``?verifier=``; sanitised (:func:`wallet.shares.verifier_name`)."""
    value = field or request.headers.get("x-verifier-name") or request.query_params.get("verifier")
    return shares.verifier_name(value[:MAX_VERIFIER_INPUT]) if value else None


def share_token_of(link: str, *, base_url: str) -> str | None:
    """The token of ``link`` when it is one of this service's share links,
    ``{base_url}/s/{token}`` (a trailing slash, its query and fragment aside), else None.

    Only the shape of the link is read here: whether the token is one of a share is for
    :func:`wallet.shares.find` to say (404), as at the link's own address.
    """
    if not link.lower().startswith(("http://", "https://")) or any(c.isspace() for c in link):
        return None
    origin = origin_of(link)
    if origin is None or origin != origin_of(base_url):
        return None
    parts = urlsplit(link)
    prefix = urlsplit(base_url).path.rstrip("/") + "/s/"
    if parts.username is not None or not parts.path.startswith(prefix):
        return None
    token = parts.path[len(prefix) :].removesuffix("/")
    return unquote(token) if token and "/" not in token else None


def problem(error: WalletError) -> Response:
    """The problem-details answer of a share that cannot be opened (JSON, not cached)."""
    body = problem_of(error)
    body["status"] = error.status
    response = problem_response(error.status, body)
    response.headers.update(JSON_HEADERS)
    return response


def open_link(
    services: Services, *, token: str, now: int, verifier: str | None, action: str
) -> Opened:
    """Open the share of ``token`` for a verifier: verified now, a view taken, the access
    log written (``action``: :data:`wallet.shares.OPENED` or :data:`wallet.shares.CHECKED`)
    and committed, in one session and one transaction.

    :raises NotFoundError: for an unknown token.
    :raises GoneError: for a revoked, expired or used-up share.
    """
    with services.session() as session:
        opened = shares.open_share(
            session, ctx=services.shares, token=token, now=now, count_view=True,
            verifier=verifier, action=action,
        )  # fmt: skip
        session.commit()
    return opened


def opened_json(opened: Opened, *, services: Services, lang: str) -> Response:
    """The JSON answer of an opened share (:class:`~wallet.web.api.share_models.OpenedSharePublic`),
    serialised once, straight from its plain data to bytes.

    :func:`~wallet.web.api.share_answers.opened_answer` holds the model's fields in their
    order, so these are the bytes the model itself would give (a test holds them to it);
    building the model first would only check again, at every opening, what the code that
    fills it already fixes.
    """
    body = opened_answer(opened, types=services.types, lang=lang)
    return Response(to_json(body), media_type="application/json", headers=JSON_HEADERS)
