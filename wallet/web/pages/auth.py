"""Sign-in pages: register, prove the e-mail address, sign in (with the second factor),
sign out, forgotten and reset passwords. The JSON twin is :mod:`wallet.web.api.auth`.

Every form is protected by :mod:`wallet.web.csrf`. Links in mail open a page with a button
and act only on its POST, because mail scanners fetch links. Answers that could tell
whether an account exists are the same for every address, as in the use-cases. A failed
form is shown again with the error's description and HTTP status; the password is never
put back into a page.

A login always starts a new session with a new cookie value; a session the browser had
before is revoked first (rotation), so a cookie known before the login is worthless after.
"""

from __future__ import annotations

import re

from fastapi import APIRouter, Depends, Request
from lxml.html import builder as E
from starlette.responses import Response

from wallet import accounts
from wallet.db import account_crud
from wallet.errors import GoneError, InputError, WalletError
from wallet.web.cookies import clear_session_cookie, set_session_cookie
from wallet.web.csrf import (
    AnonymousCSRFDep,
    AnonymousFormDep,
    CheckedFormDep,
    GuardDep,
    SignedInFormDep,
    token_of,
)
from wallet.web.deps import (
    ClientDep,
    ClockDep,
    CookiePrincipalDep,
    ServicesDep,
    SessionDep,
    get_cookie_principal,
)
from wallet.web.pages.labels import ENDONYMS, label, language_of, notice_of
from wallet.web.pages.layout import (
    Element,
    error_box,
    field,
    form,
    hidden,
    link,
    message,
    redirect,
    render,
)
from wallet.web.pages.routing import PageRoute

router = APIRouter(
    include_in_schema=False,
    route_class=PageRoute,
    # Resolved once per request: a signed-in browser sees pages in its account's language.
    dependencies=[Depends(get_cookie_principal)],
)


def _language_select(language: str, chosen: str) -> Element:
    options = []
    for code in accounts.LANGUAGES:
        attrs = {"value": code, **({"selected": "selected"} if code == chosen else {})}
        options.append(E.OPTION(ENDONYMS[code], **attrs))
    return E.P(
        E.LABEL(label(language, "field.language"), E.BR(), E.SELECT(*options, name="language"))
    )


def _with_error(error: WalletError | None, *content: Element) -> list[Element]:
    return ([error_box(error)] if error is not None else []) + list(content)


# --- register -----------------------------------------------------------------------------


def _register_page(
    request: Request,
    token: str,
    *,
    email: str = "",
    chosen: str | None = None,
    error: WalletError | None = None,
) -> Response:
    language = language_of(request)
    chosen = chosen if chosen in accounts.LANGUAGES else language
    assert chosen is not None
    content = _with_error(
        error,
        form(
            "/register",
            token,
            field(
                label(language, "field.email"),
                "email",
                kind="email",
                autocomplete="email",
                value=email,
            ),
            field(
                label(language, "field.password"),
                "password",
                kind="password",
                autocomplete="new-password",
            ),
            _language_select(language, chosen),
            submit=label(language, "button.register"),
        ),
        link(label(language, "link.login"), "/login"),
    )
    status = error.status if error is not None else 200
    return render(
        request, language=language, title="title.register", content=content, status=status
    )


@router.get("/register")
def register_form(request: Request, csrf: AnonymousCSRFDep) -> Response:
    """The registration form."""
    return csrf.attach(_register_page(request, csrf.token))


@router.post("/register")
def register(
    request: Request,
    form_: AnonymousFormDep,
    services: ServicesDep,
    session: SessionDep,
    now: ClockDep,
    client: ClientDep,
) -> Response:
    """Open a learner account; the same "check your e-mail" page whether or not the address
    was taken (a taken address gets no mail)."""
    email, password, chosen = form_.values("email", "password", "language")
    try:
        accounts.register(
            session,
            ctx=services.accounts,
            email=email,
            password=password,
            language=chosen,
            client=client,
            now=now,
        )
    except WalletError as exc:
        return _register_page(request, token_of(form_), email=email, chosen=chosen, error=exc)
    session.commit()
    language = language_of(request)
    content = [
        E.P(label(language, "text.check_mail")),
        link(label(language, "link.login"), "/login"),
    ]
    return render(request, language=language, title="title.check_mail", content=content)


# --- verify the e-mail address ------------------------------------------------------------

#: The shape of a mail link's token (base64url, as the use-cases make them, within their cap).
_LINK_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,128}")


def _check_link_token(token: str) -> None:
    """Refuse a link whose token is missing or cut, before it is put into a page.

    :raises InputError: 400.
    """
    if not _LINK_TOKEN.fullmatch(token):
        raise InputError("the link is not whole: open the whole link from the message")


@router.get("/verify-email")
def verify_email_form(request: Request, csrf: AnonymousCSRFDep, token: str = "") -> Response:
    """The page a verification link opens: a button, because mail scanners fetch links."""
    _check_link_token(token)
    language = language_of(request)
    content = [
        E.P(label(language, "text.verify")),
        form(
            "/verify-email",
            csrf.token,
            hidden("token", token),
            submit=label(language, "button.verify"),
        ),
    ]
    return csrf.attach(render(request, language=language, title="title.verify", content=content))


@router.post("/verify-email")
def verify_email(
    request: Request,
    form_: AnonymousFormDep,
    services: ServicesDep,
    session: SessionDep,
    now: ClockDep,
) -> Response:
    """Prove the address (410 for an unknown, used or expired link)."""
    (token,) = form_.values("token")
    accounts.verify_email(session, ctx=services.accounts, token=token, now=now)
    session.commit()
    language = language_of(request)
    content = [E.P(label(language, "text.verified")), link(label(language, "link.login"), "/login")]
    return render(request, language=language, title="title.verified", content=content)


# --- sign in and out ------------------------------------------------------------------------


def _login_page(
    request: Request, token: str, *, email: str = "", error: WalletError | None = None
) -> Response:
    language = language_of(request)
    notice = notice_of(request)
    content = [message("notice", label(language, notice))] if notice and error is None else []
    content += _with_error(
        error,
        form(
            "/login",
            token,
            field(
                label(language, "field.email"),
                "email",
                kind="email",
                autocomplete="username",
                value=email,
            ),
            field(
                label(language, "field.password"),
                "password",
                kind="password",
                autocomplete="current-password",
            ),
            submit=label(language, "button.login"),
        ),
        link(label(language, "link.forgot"), "/forgot-password"),
        link(label(language, "link.register"), "/register"),
    )
    status = error.status if error is not None else 200
    return render(request, language=language, title="title.login", content=content, status=status)


@router.get("/login")
def login_form(request: Request, csrf: AnonymousCSRFDep) -> Response:
    """The sign-in form."""
    return csrf.attach(_login_page(request, csrf.token))


@router.post("/login")
def login(
    request: Request,
    form_: AnonymousFormDep,
    previous: CookiePrincipalDep,
    guard: GuardDep,
    services: ServicesDep,
    session: SessionDep,
    now: ClockDep,
    client: ClientDep,
) -> Response:
    """Check the password and start a cookie session; on to the second factor when the
    account has one, else to the account page."""
    email, password = form_.values("email", "password")
    try:
        started = accounts.sign_in(
            session,
            ctx=services.accounts,
            email=email,
            password=password,
            client=client,
            kind="cookie",
            now=now,
        )
    except WalletError as exc:
        return _login_page(request, token_of(form_), email=email, error=exc)
    if previous is not None:
        # Rotation: the session this browser had ends; the new one has a new id and value.
        account_crud.revoke_sessions(
            session, account_id=previous.account_id, session_id=previous.session_id, now=now
        )
    session.commit()
    response = redirect("/login/second-factor" if started.second_factor_pending else "/account")
    set_session_cookie(
        response, started.secret, max_age=services.sessions.ttl_seconds, secure=guard.secure
    )
    return response


def _second_factor_page(
    request: Request, language: str, token: str, *, error: WalletError | None = None
) -> Response:
    content = _with_error(
        error,
        E.P(label(language, "text.second_factor")),
        form(
            "/login/second-factor",
            token,
            field(
                label(language, "field.code"),
                "code",
                autocomplete="one-time-code",
                autocapitalize="none",
                spellcheck="false",
            ),
            submit=label(language, "button.continue"),
        ),
    )
    status = error.status if error is not None else 200
    return render(
        request, language=language, title="title.second_factor", content=content, status=status
    )


@router.get("/login/second-factor")
def second_factor_form(
    request: Request, principal: CookiePrincipalDep, guard: GuardDep
) -> Response:
    """The second step of a login whose account has a second factor."""
    if principal is None:
        return redirect("/login")
    if principal.fully_signed_in:
        return redirect("/account")
    return _second_factor_page(request, principal.language, guard.session_token(principal))


@router.post("/login/second-factor")
def second_factor(
    request: Request,
    signed: SignedInFormDep,
    services: ServicesDep,
    session: SessionDep,
    now: ClockDep,
) -> Response:
    """Finish the login with a TOTP code or a recovery code."""
    principal = signed.principal
    (code,) = signed.form.values("code")
    if principal.fully_signed_in:
        return redirect("/account")
    try:
        accounts.complete_second_factor(
            session, ctx=services.accounts, principal=principal, code=code, now=now
        )
    except WalletError as exc:
        return _second_factor_page(request, principal.language, token_of(signed.form), error=exc)
    session.commit()
    return redirect("/account")


@router.post("/logout")
def logout(
    form_: CheckedFormDep,
    principal: CookiePrincipalDep,
    guard: GuardDep,
    session: SessionDep,
    now: ClockDep,
) -> Response:
    """Sign out: every session of the account ends (a login still waiting for its second
    factor ends only itself), and the cookie is dropped."""
    if principal is not None:
        guard.check_token(form_, guard.session_token(principal))
        if principal.fully_signed_in:
            accounts.sign_out(session, principal=principal, now=now)
        else:
            account_crud.revoke_sessions(
                session, account_id=principal.account_id, session_id=principal.session_id, now=now
            )
        session.commit()
    response = redirect("/login?notice=signed-out")
    language = principal.language if principal is not None else None
    clear_session_cookie(response, secure=guard.secure, language=language)
    return response


# --- forgotten and reset passwords ----------------------------------------------------------


def _forgot_page(
    request: Request, token: str, *, email: str = "", error: WalletError | None = None
) -> Response:
    language = language_of(request)
    content = _with_error(
        error,
        E.P(label(language, "text.forgot")),
        form(
            "/forgot-password",
            token,
            field(
                label(language, "field.email"),
                "email",
                kind="email",
                autocomplete="email",
                value=email,
            ),
            submit=label(language, "button.send_link"),
        ),
    )
    status = error.status if error is not None else 200
    return render(request, language=language, title="title.forgot", content=content, status=status)


@router.get("/forgot-password")
def forgot_form(request: Request, csrf: AnonymousCSRFDep) -> Response:
    """Ask for a password-reset link."""
    return csrf.attach(_forgot_page(request, csrf.token))


@router.post("/forgot-password")
def forgot(
    request: Request,
    form_: AnonymousFormDep,
    services: ServicesDep,
    session: SessionDep,
    now: ClockDep,
    client: ClientDep,
) -> Response:
    """Mail a reset link when the address has an account; the same page for every address."""
    (email,) = form_.values("email")
    try:
        accounts.request_reset(session, ctx=services.accounts, email=email, client=client, now=now)
    except WalletError as exc:
        return _forgot_page(request, token_of(form_), email=email, error=exc)
    session.commit()
    language = language_of(request)
    content = [
        E.P(label(language, "text.forgot_sent")),
        link(label(language, "link.login"), "/login"),
    ]
    return render(request, language=language, title="title.forgot", content=content)


def _reset_page(
    request: Request, csrf_token: str, link_token: str, *, error: WalletError | None = None
) -> Response:
    language = language_of(request)
    content = _with_error(
        error,
        form(
            "/reset-password",
            csrf_token,
            hidden("token", link_token),
            field(
                label(language, "field.new_password"),
                "password",
                kind="password",
                autocomplete="new-password",
            ),
            submit=label(language, "button.reset"),
        ),
    )
    status = error.status if error is not None else 200
    return render(request, language=language, title="title.reset", content=content, status=status)


@router.get("/reset-password")
def reset_form(request: Request, csrf: AnonymousCSRFDep, token: str = "") -> Response:
    """The page a reset link opens: a new password, the link's token hidden in the form."""
    _check_link_token(token)
    return csrf.attach(_reset_page(request, csrf.token, token))


@router.post("/reset-password")
def reset(
    request: Request,
    form_: AnonymousFormDep,
    guard: GuardDep,
    services: ServicesDep,
    session: SessionDep,
    now: ClockDep,
) -> Response:
    """Set the new password; every session ends, so the browser's cookie is dropped too."""
    token, password = form_.values("token", "password")
    try:
        accounts.reset_password(
            session, ctx=services.accounts, token=token, password=password, now=now
        )
    except GoneError:
        raise  # An error page: the link cannot be used again.
    except WalletError as exc:
        # A refused password leaves the link usable: the form again.
        return _reset_page(request, token_of(form_), token, error=exc)
    session.commit()
    response = redirect("/login?notice=password-reset")
    clear_session_cookie(response, secure=guard.secure)
    return response
