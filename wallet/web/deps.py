"""FastAPI dependencies as ``Annotated`` aliases: services, settings, session, clock, issuer,
the signed-in person (bearer token or page cookie), the client address."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, Request
from sqlmodel import Session

from wallet import sessions
from wallet.access import TOKEN_PREFIX, IssuerPrincipal, authenticate
from wallet.accounts import require_second_factor, require_signed_in
from wallet.config import Settings
from wallet.errors import AuthenticationError, InputError, PermissionDeniedError
from wallet.service import Services
from wallet.sessions import Principal


def get_services(request: Request) -> Services:
    """The process's :class:`Services`, built by ``create_app``."""
    services = request.app.state.services
    assert isinstance(services, Services)
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def get_settings(services: ServicesDep) -> Settings:
    """The settings the app was built with."""
    return services.settings


def get_session(services: ServicesDep) -> Iterator[Session]:
    """A session per request; routes that change data commit it themselves."""
    with services.session() as session:
        yield session


def get_now(services: ServicesDep) -> int:
    """The current time, read once per request."""
    return services.now()


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]
ClockDep = Annotated[int, Depends(get_now)]


def _bearer(authorization: str | None) -> str:
    if not authorization or not authorization.startswith("Bearer "):
        raise AuthenticationError("a bearer token is required")
    return authorization[len("Bearer ") :].strip()


def get_issuer(
    services: ServicesDep,
    session: SessionDep,
    now: ClockDep,
    authorization: Annotated[str | None, Header()] = None,
) -> IssuerPrincipal:
    """The issuer calling: an institution's API token, or a signed-in staff member of it.

    Both are checked against the database on every request. Staff act only after signing in
    with their second factor.
    """
    token = _bearer(authorization) if authorization else ""
    if not token.startswith(TOKEN_PREFIX) and token.count(".") == 2:
        principal = sessions.from_bearer(session, ctx=services.sessions, token=token, now=now)
        if principal.role != "staff" or principal.issuer_slug is None:
            raise PermissionDeniedError("only an institution's staff or API token may do this")
        require_second_factor(principal)
        return IssuerPrincipal(issuer_slug=principal.issuer_slug, token_name=principal.actor)
    return authenticate(session, hash_key=services.token_key, authorization=authorization)


IssuerDep = Annotated[IssuerPrincipal, Depends(get_issuer)]


def get_principal(
    services: ServicesDep,
    session: SessionDep,
    now: ClockDep,
    authorization: Annotated[str | None, Header()] = None,
) -> Principal:
    """The person signed in through an API bearer token (checked against the database)."""
    token = _bearer(authorization)
    return sessions.from_bearer(session, ctx=services.sessions, token=token, now=now)


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def get_learner(principal: PrincipalDep) -> Principal:
    """The learner signed in through an API bearer token, second factor done.

    Only learners have wallets. A token that is no session at all (an institution's API
    token, a credential, garbage) is already 401 in :func:`get_principal`; the session of a
    staff member or an operator is 403 on every learner route, before the route looks at
    anything else.

    :raises AuthenticationError: for a login still waiting for its second factor.
    :raises PermissionDeniedError: for a session of any other role.
    """
    require_signed_in(principal)
    if principal.role != "learner":
        raise PermissionDeniedError("only a learner's session opens a wallet")
    return principal


LearnerDep = Annotated[Principal, Depends(get_learner)]


def get_cookie_principal(
    request: Request, services: ServicesDep, session: SessionDep, now: ClockDep
) -> Principal | None:
    """The person signed in through the page session cookie, or None (checked against the
    database; a session still waiting for its second factor counts, see
    :attr:`Principal.fully_signed_in`).

    The account's language is left on ``request.state.language`` for the pages' error
    answers.
    """
    value = request.cookies.get(sessions.COOKIE_NAME)
    if value is None:
        return None
    try:
        principal = sessions.from_cookie(session, ctx=services.sessions, value=value, now=now)
    except AuthenticationError:
        return None
    request.state.language = principal.language
    return principal


CookiePrincipalDep = Annotated[Principal | None, Depends(get_cookie_principal)]


def get_client(request: Request) -> str:
    """The client's address, the key of per-address rate limits.

    Behind a reverse proxy, run uvicorn with ``--proxy-headers`` and
    ``--forwarded-allow-ips`` so that this is the real client, not the proxy.
    """
    return request.client.host if request.client is not None else "unknown"


ClientDep = Annotated[str, Depends(get_client)]


#: Query parameters that would carry a credential in a URL (RFC 6750 §2.3 allows
#: ``access_token``; we do not: URLs end up in logs, histories and Referer headers).
TOKEN_QUERY_NAMES = frozenset({"access_token", "api_key", "apikey"})


def refuse_tokens_in_query(request: Request) -> None:
    """Refuse a request that carries an API token or bearer token in its query string, or a
    NUL character in its path or query (no identifier or search holds one, and PostgreSQL
    text cannot store it).

    :raises InputError: 400, before anything else reads the request.
    """
    items = request.query_params.multi_items()
    if "\x00" in request.url.path or any("\x00" in k or "\x00" in v for k, v in items):
        raise InputError("the address contains a NUL character")
    for name, value in items:
        if name.lower() in TOKEN_QUERY_NAMES or value.startswith(TOKEN_PREFIX):
            raise InputError("send tokens in the Authorization header, never in the URL")
