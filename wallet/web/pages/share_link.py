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
from starlette.responses import Response

from wallet import shares
from wallet.errors import WalletError
from wallet.service import Services
from wallet.web.api.share_answers import opened_public
from wallet.web.api.share_opening import (
    JSON_HEADERS,
    open_link,
    opened_json,
    problem,
    share_language,
    verifier_of,
)
from wallet.web.csrf import AnonymousFormDep, CSRFGuard, get_anonymous_csrf
from wallet.web.deps import ClockDep, ServicesDep, SessionDep
from wallet.web.pages import share_views as views
from wallet.web.pages.routing import PageRoute

router = APIRouter(include_in_schema=False, route_class=PageRoute)

_IMAGE_TYPES = {"svg": "image/svg+xml", "png": "image/png"}


def wants_json(request: Request) -> bool:
    """Whether the client asked for JSON rather than a page."""
    accept = request.headers.get("accept", "").lower()
    return "application/json" in accept and "text/html" not in accept


def _unusable(request: Request, error: WalletError) -> Response:
    if error.status not in (404, 410):
        raise error
    return views.unusable_page(
        request, share_language(request), status=error.status, description=error.description
    )


@router.get("/s/{token}")
def open_share_link(token: str, request: Request, services: ServicesDep, now: ClockDep) -> Response:
    """The link: JSON (a view counted), or a page: the credentials at once, or for a
    view-limited link the "Show" step first.

    The route takes only the services and the clock as dependencies: the session is opened
    here, once, and the anonymous form token only for the "Show" step, which alone needs
    it (each dependency of a plain function costs a trip through the thread pool).
    """
    language = share_language(request)
    verifier = verifier_of(request)
    if wants_json(request):
        try:
            opened = open_link(
                services, token=token, now=now, verifier=verifier, action=shares.OPENED
            )
        except WalletError as exc:
            return problem(exc)
        return opened_json(opened, services=services, lang=language)
    ctx = services.shares
    try:
        with services.session() as session:
            share = shares.find(session, ctx=ctx, token=token, now=now, need_view=True)
            if share.max_views is not None:
                shares.record_opening(
                    session, share=share, verifier=verifier, action=shares.OPENED, now=now
                )
                session.commit()
                return _show_step(request, services, token, language, share.label)
            opened = shares.open_share(
                session, ctx=ctx, token=token, now=now, count_view=True, verifier=verifier
            )
            session.commit()
    except WalletError as exc:
        return _unusable(request, exc)
    shown = opened_public(opened, types=services.types, lang=language)
    return views.opened_page(request, language, shown)


def _show_step(
    request: Request, services: Services, token: str, language: str, note: str | None
) -> Response:
    csrf = get_anonymous_csrf(request, CSRFGuard.from_settings(services.settings), services)
    page = views.show_page(
        request, language, action=f"/s/{token}?lang={language}", token=csrf.token, note=note
    )
    return csrf.attach(page)


@router.post("/s/{token}")
def show(
    token: str, request: Request, form: AnonymousFormDep, services: ServicesDep, now: ClockDep
) -> Response:
    """The "Show" button: one view used, the credentials verified and shown."""
    language = share_language(request)
    form.values(ignore=frozenset({"csrf", "verifier"}))
    try:
        opened = open_link(
            services, token=token, now=now, verifier=verifier_of(request, form.get("verifier")),
            action=shares.OPENED,
        )  # fmt: skip
    except WalletError as exc:
        return _unusable(request, exc)
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
    return Response(status_code=200, headers={**views.SHARE_HEADERS, **JSON_HEADERS})


def _qr(token: str, kind: str, services: ServicesDep, session: SessionDep, now: int) -> Response:
    ctx = services.shares
    try:
        share = shares.find(session, ctx=ctx, token=token, now=now, need_view=False)
    except WalletError as exc:
        return problem(exc)
    image = services.share_images.image(share.id, shares.share_url(ctx, token), kind)
    headers = {**views.SHARE_HEADERS, **JSON_HEADERS, "X-Content-Type-Options": "nosniff"}
    return Response(image, media_type=_IMAGE_TYPES[kind], headers=headers)


@router.get("/s/{token}/qr.svg")
def qr_svg(token: str, services: ServicesDep, session: SessionDep, now: ClockDep) -> Response:
    """The link as an SVG QR code (error correction M); no view counted."""
    return _qr(token, "svg", services, session, now)


@router.get("/s/{token}/qr.png")
def qr_png(token: str, services: ServicesDep, session: SessionDep, now: ClockDep) -> Response:
    """The link as a PNG QR code (error correction M); no view counted."""
    return _qr(token, "png", services, session, now)
