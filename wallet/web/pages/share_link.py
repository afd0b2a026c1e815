"""The share link itself, for anyone who has it, no account needed (``docs/shares.md``).

- ``GET /s/{token}``: for a person (HTML), the credentials verified now, in lv, en or ru
  (``?lang=``, then the ``lang`` cookie, then ``Accept-Language``, then Latvian). A link
  with a view limit first shows a "Show" page, which uses no view: link previews of chat
  apps open links by GET. With ``Accept: application/json`` the same as JSON
  (:class:`~wallet.web.api.share_models.OpenedSharePublic`), which counts a view.
- ``POST /s/{token}``: the "Show" button (an anonymous form, CSRF-checked as the sign-in
  forms are: :mod:`wallet.web.csrf`), which counts a view and shows the credentials.
- ``HEAD /s/{token}``: whether the link is usable (200, 404 or 410), nothing counted.
- ``GET /s/{token}/qr.svg`` and ``/qr.png``: the link's QR code, rendered once per process
  and kept (:class:`wallet.share_images.ShareImages`); no view counted or needed.

An unknown token is 404, an expired, revoked or used-up link 410 (a page for a person,
problem details for JSON and images). The verifier may state a name (``?verifier=``, the
``X-Verifier-Name`` header, or the Show form's field); it goes to the owner's access log,
sanitised and capped.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.responses import Response

from wallet import shares
from wallet.accounts import LANGUAGES
from wallet.errors import WalletError
from wallet.web.api.share_answers import opened_public
from wallet.web.cookies import LANGUAGE_COOKIE
from wallet.web.csrf import AnonymousCSRFDep, AnonymousFormDep
from wallet.web.deps import ClockDep, ServicesDep, SessionDep
from wallet.web.pages import share_views as views
from wallet.web.pages.labels import DEFAULT_LANGUAGE, chosen_language
from wallet.web.pages.routing import PageRoute
from wallet.web.problems import problem_of, problem_response

router = APIRouter(include_in_schema=False, route_class=PageRoute)

_JSON_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
_IMAGE_TYPES = {"svg": "image/svg+xml", "png": "image/png"}
#: Longest verifier name read from a request, before sanitising.
MAX_VERIFIER_INPUT = 256


def share_language(request: Request) -> str:
    """The page language: ``?lang=``, the ``lang`` cookie, the first of ours in
    ``Accept-Language`` (by weight), else Latvian."""
    chosen = chosen_language(request)
    if chosen is not None:
        return chosen
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


def wants_json(request: Request) -> bool:
    """Whether the client asked for JSON rather than a page."""
    accept = request.headers.get("accept", "").lower()
    return "application/json" in accept and "text/html" not in accept


def _verifier(request: Request, field: str | None = None) -> str | None:
    value = field or request.headers.get("x-verifier-name") or request.query_params.get("verifier")
    return shares.verifier_name(value[:MAX_VERIFIER_INPUT]) if value else None


def _problem(error: WalletError) -> Response:
    body = problem_of(error)
    body["status"] = error.status
    response = problem_response(error.status, body)
    response.headers.update(_JSON_HEADERS)
    return response


def _unusable(request: Request, error: WalletError) -> Response:
    if error.status not in (404, 410):
        raise error
    return views.unusable_page(
        request, share_language(request), status=error.status, description=error.description
    )


@router.get("/s/{token}")
def open_link(
    token: str,
    request: Request,
    services: ServicesDep,
    session: SessionDep,
    now: ClockDep,
    csrf: AnonymousCSRFDep,
) -> Response:
    """The link: JSON (a view counted), or a page: the credentials at once, or for a
    view-limited link the "Show" step first."""
    language = share_language(request)
    ctx = services.shares
    if wants_json(request):
        try:
            opened = shares.open_share(
                session, ctx=ctx, token=token, now=now, count_view=True,
                verifier=_verifier(request),
            )  # fmt: skip
        except WalletError as exc:
            return _problem(exc)
        session.commit()
        body = opened_public(opened, types=services.types, lang=language)
        return JSONResponse(body.model_dump(mode="json"), headers=_JSON_HEADERS)
    try:
        share = shares.find(session, ctx=ctx, token=token, now=now, need_view=True)
        if share.max_views is not None:
            shares.record_opening(
                session, share=share, verifier=_verifier(request), action="share.opened", now=now
            )
            session.commit()
            page = views.show_page(
                request, language, action=f"/s/{token}?lang={language}", token=csrf.token,
                note=share.label,
            )  # fmt: skip
            return csrf.attach(page)
        opened = shares.open_share(
            session, ctx=ctx, token=token, now=now, count_view=True, verifier=_verifier(request)
        )
    except WalletError as exc:
        return _unusable(request, exc)
    session.commit()
    shown = opened_public(opened, types=services.types, lang=language)
    return views.opened_page(request, language, shown)


@router.post("/s/{token}")
def show(
    token: str,
    request: Request,
    form: AnonymousFormDep,
    services: ServicesDep,
    session: SessionDep,
    now: ClockDep,
) -> Response:
    """The "Show" button: one view used, the credentials verified and shown."""
    language = share_language(request)
    form.values(ignore=frozenset({"csrf", "verifier"}))
    try:
        opened = shares.open_share(
            session, ctx=services.shares, token=token, now=now, count_view=True,
            verifier=_verifier(request, form.get("verifier")),
        )  # fmt: skip
    except WalletError as exc:
        return _unusable(request, exc)
    session.commit()
    shown = opened_public(opened, types=services.types, lang=language)
    return views.opened_page(request, language, shown)


@router.head("/s/{token}")
def probe(token: str, services: ServicesDep, session: SessionDep, now: ClockDep) -> Response:
    """Whether the link is usable (200), unknown (404) or gone (410); nothing is counted,
    verified or logged."""
    try:
        shares.find(session, ctx=services.shares, token=token, now=now, need_view=True)
    except WalletError as exc:
        return Response(status_code=exc.status, headers=views.SHARE_HEADERS)
    return Response(status_code=200, headers={**views.SHARE_HEADERS, **_JSON_HEADERS})


def _qr(token: str, kind: str, services: ServicesDep, session: SessionDep, now: int) -> Response:
    ctx = services.shares
    try:
        share = shares.find(session, ctx=ctx, token=token, now=now, need_view=False)
    except WalletError as exc:
        return _problem(exc)
    image = services.share_images.image(share.id, shares.share_url(ctx, token), kind)
    headers = {**views.SHARE_HEADERS, **_JSON_HEADERS, "X-Content-Type-Options": "nosniff"}
    return Response(image, media_type=_IMAGE_TYPES[kind], headers=headers)


@router.get("/s/{token}/qr.svg")
def qr_svg(token: str, services: ServicesDep, session: SessionDep, now: ClockDep) -> Response:
    """The link as an SVG QR code (error correction M); no view counted."""
    return _qr(token, "svg", services, session, now)


@router.get("/s/{token}/qr.png")
def qr_png(token: str, services: ServicesDep, session: SessionDep, now: ClockDep) -> Response:
    """The link as a PNG QR code (error correction M); no view counted."""
    return _qr(token, "png", services, session, now)
