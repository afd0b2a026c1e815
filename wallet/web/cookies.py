"""The browser cookies of the HTML pages: names and attributes in one place.

- ``imk_session`` (:data:`wallet.sessions.COOKIE_NAME`): the page session; HttpOnly,
  SameSite=Lax, Path=/, Max-Age = the session lifetime.
- ``imk_csrf``: the random value anonymous forms are bound to (:mod:`wallet.web.csrf`);
  HttpOnly, SameSite=Lax, Path=/, ends with the browser session.
- ``lang``: the page language chosen with ``?lang=`` (not a secret, still HttpOnly).

Every cookie is ``Secure`` when the service's base URL is https. SameSite=Lax keeps the
session cookie off cross-site POSTs and sub-requests while still sending it on the
top-level GET with which an identity provider sends the learner back.
"""

from __future__ import annotations

from starlette.responses import Response

from wallet.sessions import COOKIE_NAME as SESSION_COOKIE

CSRF_COOKIE = "imk_csrf"
LANGUAGE_COOKIE = "lang"
#: How long a chosen page language is remembered, in seconds (one year).
LANGUAGE_MAX_AGE = 365 * 24 * 3600


def is_secure(base_url: str) -> bool:
    """Whether cookies must be ``Secure``: the service is served over https."""
    return base_url.lower().startswith("https://")


def set_session_cookie(response: Response, value: str, *, max_age: int, secure: bool) -> None:
    """Send the page session cookie."""
    response.set_cookie(
        SESSION_COOKIE,
        value,
        max_age=max_age,
        path="/",
        secure=secure,
        httponly=True,
        samesite="lax",
    )


def clear_session_cookie(response: Response, *, secure: bool, language: str | None = None) -> None:
    """Tell the browser to drop the page session cookie.

    :param language: the account's language, kept as the ``lang`` cookie so that the pages
        after signing out stay in it.
    """
    response.delete_cookie(SESSION_COOKIE, path="/", secure=secure, httponly=True, samesite="lax")
    if language is not None:
        set_language_cookie(response, language, secure=secure)


def set_csrf_cookie(response: Response, value: str, *, secure: bool) -> None:
    """Send the random value that anonymous forms are bound to."""
    response.set_cookie(CSRF_COOKIE, value, path="/", secure=secure, httponly=True, samesite="lax")


def set_language_cookie(response: Response, language: str, *, secure: bool) -> None:
    """Remember the page language chosen with ``?lang=``."""
    response.set_cookie(
        LANGUAGE_COOKIE,
        language,
        max_age=LANGUAGE_MAX_AGE,
        path="/",
        secure=secure,
        httponly=True,
        samesite="lax",
    )
