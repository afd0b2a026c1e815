"""Route classes of the HTML pages.

:class:`PageRoute` answers a :class:`~wallet.errors.WalletError` that a page did not handle
itself (one raised by a CSRF check or a form parser, say) with an HTML error page of the
error's status, where the JSON API answers problem details; and :class:`SignInRequired`,
raised by a page's dependency, with a redirect to the sign-in step the browser must take.

:class:`SharedPageRoute` serves a page at a path the JSON API also serves (``/account``,
``/account/delete``, ``/account/second-factor``, ``/account/second-factor/confirm``, and
the wallet's, listed in :mod:`wallet.web.pages.wallet`). It takes only what a browser
sends: a request without an ``Authorization`` header that is a GET accepting ``text/html``,
or a POST of one of the three content types an HTML form can send. Everything else falls
through to the API route. Every request a cross-site form can make therefore reaches the
page, where the CSRF checks run, and every bearer request reaches the API, which never
reads cookies.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from fastapi import APIRouter, Request, Response
from fastapi.routing import APIRoute
from starlette.datastructures import Headers
from starlette.routing import Match
from starlette.types import Scope

from wallet.errors import WalletError
from wallet.web.pages.layout import error_page, redirect

#: Content types an HTML form sends (and so the only ones a cross-site form can send).
BROWSER_FORM_TYPES = frozenset(
    {"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"}
)

Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])


class SignInRequired(Exception):
    """A page is for a signed-in browser: the answer is a 303 to ``location``, where the
    browser signs in (or finishes signing in), not an error page."""

    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


class PageRoute(APIRoute):
    """A page route: an unhandled :class:`WalletError` becomes an HTML error page, and
    :class:`SignInRequired` a redirect."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInRequired as exc:
                return redirect(exc.location)
            except WalletError as exc:
                return error_page(request, exc)

        return page_handler


def is_browser_request(scope: Scope) -> bool:
    """Whether a request is a browser's page request rather than an API call."""
    headers = Headers(scope=scope)
    if "authorization" in headers:
        return False
    if scope["method"] in ("GET", "HEAD"):
        return "text/html" in headers.get("accept", "").lower()
    media = headers.get("content-type", "").partition(";")[0].strip().lower()
    return media in BROWSER_FORM_TYPES


class SharedPageRoute(PageRoute):
    """A page at a path the JSON API serves too: it matches browser requests only."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child_scope = super().matches(scope)
        if match is Match.FULL and not is_browser_request(scope):
            return Match.NONE, {}
        return match, child_scope


def shared_page(
    router: APIRouter, path: str, *, methods: list[str]
) -> Callable[[Endpoint], Endpoint]:
    """Register the decorated function as a :class:`SharedPageRoute` of ``router``."""

    def register(endpoint: Endpoint) -> Endpoint:
        router.add_api_route(
            path,
            endpoint,
            methods=methods,
            include_in_schema=False,
            route_class_override=SharedPageRoute,
        )
        return endpoint

    return register
