"""Cross-site request forgery protection of every HTML form POST.

Three checks run before a form is acted on; each failure answers 403 and changes nothing.

1. **Origin.** A POST whose ``Origin`` header is present and is not the service's own
   origin (derived from ``base_url``), or whose ``Sec-Fetch-Site`` is ``cross-site``, is
   refused (Fetch Metadata; the OWASP CSRF cheat sheet, "Verifying origin with standard
   headers"). ``Origin: null``, which browsers send from our ``no-referrer`` pages, counts
   as no origin, and then only ``Sec-Fetch-Site: same-origin`` (or none) passes. Browsers
   that send neither still meet the token checks.
2. **Anonymous forms** (register, login, forgot, reset, verify-email): the GET that renders
   the form sets a random ``imk_csrf`` cookie, and the hidden field ``csrf`` is the keyed
   hash of that value, keyed by a subkey of the service secret (label ``imk/csrf``). Another
   site can make the browser send the cookie but can neither read it nor compute its hash.
3. **Signed-in forms**: the field is the keyed hash of ``"session:" + session id``. The
   session id never leaves the server (the cookie carries another random value), so one
   session's token is worthless in any other and ends with its session.

Tokens are compared in constant time. Route handlers receive a form only through the
dependencies below, so no form POST reaches a use-case unchecked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import Depends, Request
from starlette.responses import Response

from wallet.config import Settings
from wallet.errors import AuthenticationError, PermissionDeniedError
from wallet.jose import b64url_encode, constant_time_equal, derive_secret, keyed_hash
from wallet.sessions import Principal
from wallet.web.cookies import CSRF_COOKIE, is_secure, set_csrf_cookie
from wallet.web.deps import CookiePrincipalDep, ServicesDep, SettingsDep
from wallet.web.forms import MAX_FIELDS, Form, read_form

#: Name of the hidden form field that carries the token.
FIELD = "csrf"
#: The HKDF label of the token key.
KEY_LABEL = "imk/csrf"
#: Random bytes in an ``imk_csrf`` cookie.
COOKIE_BYTES = 32
#: The shape of an ``imk_csrf`` value (32 bytes, base64url); anything else is ignored, so
#: a value planted through another route can never take the ``session:`` form.
_COOKIE_VALUE = re.compile(r"[A-Za-z0-9_-]{43}")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str) -> str | None:
    """The RFC 6454 serialisation of ``url``'s origin (``scheme://host[:port]``), or None.

    Scheme and host are lower-cased and a default port is left out, as browsers write the
    ``Origin`` header.
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if scheme not in _DEFAULT_PORTS or not host:
        return None
    if ":" in host:
        host = f"[{host}]"
    shown = "" if port is None or port == _DEFAULT_PORTS[scheme] else f":{port}"
    return f"{scheme}://{host}{shown}"


@dataclass(frozen=True)
class CSRFGuard:
    """The token key, the service's own origin, and whether cookies are ``Secure``."""

    key: bytes
    origin: str | None
    secure: bool

    @classmethod
    def from_settings(cls, settings: Settings) -> CSRFGuard:
        """Derive the token key from the service secret and the origin from ``base_url``."""
        return cls(
            key=derive_secret(settings.secret_key.get_secret_value(), KEY_LABEL),
            origin=origin_of(settings.base_url),
            secure=is_secure(settings.base_url),
        )

    def cookie_token(self, value: str) -> str:
        """The form token of an anonymous form bound to the ``imk_csrf`` value ``value``."""
        return keyed_hash(self.key, value)

    def session_token(self, principal: Principal) -> str:
        """The form token of a signed-in form of ``principal``'s session."""
        return keyed_hash(self.key, "session:" + principal.session_id)

    def check_request(self, request: Request) -> None:
        """Refuse a cross-site POST by its ``Origin`` and ``Sec-Fetch-Site`` headers.

        :raises PermissionDeniedError: 403.
        """
        origin = request.headers.get("origin")
        fetch_site = request.headers.get("sec-fetch-site", "").lower()
        if origin == "null":
            # Our pages send Referrer-Policy: no-referrer, under which browsers write
            # "Origin: null" on every form POST, our own included (Fetch Standard, "append a
            # request Origin header"). It names no origin, so Sec-Fetch-Site decides: only
            # same-origin (or none sent) goes on to the token check.
            origin = None
            if fetch_site not in ("", "same-origin"):
                raise PermissionDeniedError("forms sent from another site are refused")
        cross_origin = origin is not None and (
            self.origin is None or origin_of(origin) != self.origin
        )
        if cross_origin or fetch_site == "cross-site":
            raise PermissionDeniedError("forms sent from another site are refused")

    def check_token(self, form: Form, expected: str | None) -> None:
        """Refuse a form whose ``csrf`` field is missing or is not ``expected``.

        :raises PermissionDeniedError: 403.
        """
        sent = form.get(FIELD)
        if expected is None or sent is None or not constant_time_equal(sent, expected):
            raise PermissionDeniedError(
                "the form has expired or did not come from this site: reload the page and "
                "send it again"
            )


def get_guard(settings: SettingsDep) -> CSRFGuard:
    """The CSRF guard of the running service."""
    return CSRFGuard.from_settings(settings)


GuardDep = Annotated[CSRFGuard, Depends(get_guard)]


def csrf_cookie(request: Request) -> str | None:
    """The browser's well-formed ``imk_csrf`` value, or None."""
    value = request.cookies.get(CSRF_COOKIE)
    return value if value is not None and _COOKIE_VALUE.fullmatch(value) else None


@dataclass(frozen=True)
class AnonymousCSRF:
    """The token for the anonymous form a GET renders, and the cookie value to send with
    it when the browser has none yet."""

    token: str
    new_cookie: str | None
    secure: bool

    def attach(self, response: Response) -> Response:
        """Set the ``imk_csrf`` cookie on ``response`` when it is new; return ``response``."""
        if self.new_cookie is not None:
            set_csrf_cookie(response, self.new_cookie, secure=self.secure)
        return response


def get_anonymous_csrf(request: Request, guard: GuardDep, services: ServicesDep) -> AnonymousCSRF:
    """The browser's ``imk_csrf`` value (a new one when it has none) and its form token.

    An existing value is kept, so forms open in several tabs stay valid together.
    """
    value = csrf_cookie(request)
    new = None
    if value is None:
        value = new = b64url_encode(services.random(COOKIE_BYTES))
    return AnonymousCSRF(token=guard.cookie_token(value), new_cookie=new, secure=guard.secure)


AnonymousCSRFDep = Annotated[AnonymousCSRF, Depends(get_anonymous_csrf)]


async def get_checked_form(request: Request, guard: GuardDep) -> Form:
    """A form POST from this site, parsed; its token is not checked yet.

    :raises PermissionDeniedError: for a cross-site POST (403).
    :raises InputError: for a body that is not a well-formed form (400).
    """
    guard.check_request(request)
    return await read_form(request)


CheckedFormDep = Annotated[Form, Depends(get_checked_form)]


async def get_anonymous_form(request: Request, guard: GuardDep, form: CheckedFormDep) -> Form:
    """An anonymous form whose token matches the browser's ``imk_csrf`` cookie.

    :raises PermissionDeniedError: otherwise (403).
    """
    value = csrf_cookie(request)
    guard.check_token(form, guard.cookie_token(value) if value is not None else None)
    return form


AnonymousFormDep = Annotated[Form, Depends(get_anonymous_form)]


@dataclass(frozen=True)
class SignedInForm:
    """A signed-in form and the person whose session it is bound to."""

    principal: Principal
    form: Form


def _bind(guard: CSRFGuard, form: Form, principal: Principal | None) -> SignedInForm:
    if principal is None:
        raise AuthenticationError("sign in again: the session is missing, expired or ended")
    guard.check_token(form, guard.session_token(principal))
    return SignedInForm(principal=principal, form=form)


async def get_signed_in_form(
    guard: GuardDep, form: CheckedFormDep, principal: CookiePrincipalDep
) -> SignedInForm:
    """A form of the cookie session's owner whose token is bound to that session.

    :raises AuthenticationError: when there is no live session cookie (401).
    :raises PermissionDeniedError: for a missing or wrong token (403).
    """
    return _bind(guard, form, principal)


SignedInFormDep = Annotated[SignedInForm, Depends(get_signed_in_form)]


def signed_in_form_with(
    long_fields: Mapping[str, int], *, max_fields: int = MAX_FIELDS
) -> Callable[..., Coroutine[Any, Any, SignedInForm]]:
    """A dependency like :data:`SignedInFormDep` for a form whose ``long_fields`` may be
    longer than :data:`wallet.web.forms.MAX_FIELD_CHARS`, each up to its own cap, or that
    carries up to ``max_fields`` fields."""

    async def get_long_form(
        request: Request, guard: GuardDep, principal: CookiePrincipalDep
    ) -> SignedInForm:
        guard.check_request(request)
        form = await read_form(request, long_fields=long_fields, max_fields=max_fields)
        return _bind(guard, form, principal)

    return get_long_form


def token_of(form: Form) -> str:
    """The (checked) token a form carried, for the same form shown again with an error."""
    return form.get(FIELD) or ""
