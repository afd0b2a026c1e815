"""The signed-in account's pages: what is set up, the password, the second factor, the
personal code, deleting the account. The JSON twin is :mod:`wallet.web.api.auth`.

Every form is bound to its session by :mod:`wallet.web.csrf`. ``/account`` and three of its
POSTs share their paths with the JSON API (:class:`~wallet.web.pages.routing.SharedPageRoute`).

The personal code is linked only through the identity provider (:mod:`wallet.identity`):
no form here has a field for it, and the provider's redirect is accepted only in a browser
signed in to the account that started the login, or an attacker could start a link for
their own account and have a victim's browser finish it.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from lxml.html import builder as E
from sqlmodel import Session
from starlette.responses import Response

from wallet import accounts, identity
from wallet.db import account_crud
from wallet.errors import AuthenticationError, InputError, PermissionDeniedError, WalletError
from wallet.sessions import Principal
from wallet.web.cookies import clear_session_cookie
from wallet.web.csrf import CSRFGuard, GuardDep, SignedInForm, SignedInFormDep, token_of
from wallet.web.deps import (
    ClockDep,
    CookiePrincipalDep,
    ServicesDep,
    SessionDep,
    get_cookie_principal,
)
from wallet.web.pages.labels import ENDONYMS, label, notice_of
from wallet.web.pages.layout import (
    Element,
    error_box,
    field,
    form,
    link,
    message,
    qr_svg,
    redirect,
    render,
)
from wallet.web.pages.routing import PageRoute, shared_page

router = APIRouter(
    include_in_schema=False,
    route_class=PageRoute,
    dependencies=[Depends(get_cookie_principal)],
)


def _signed_in(signed: SignedInForm) -> Principal:
    """The form's person, refused while their login still waits for the second factor."""
    accounts.require_signed_in(signed.principal)
    return signed.principal


def _account_page(
    request: Request,
    session: Session,
    principal: Principal,
    guard: CSRFGuard,
    *,
    error: WalletError | None = None,
) -> Response:
    row = account_crud.account_by_id(session, account_id=principal.account_id)
    if row is None:
        raise AuthenticationError("sign in again: the session is missing, expired or ended")
    language, token = principal.language, guard.session_token(principal)

    def text(key: str) -> str:
        return label(language, key)

    content: list[Element] = []
    notice = notice_of(request)
    if error is not None:
        content.append(error_box(error))
    elif notice is not None:
        content.append(message("notice", text(notice)))
    try:
        accounts.require_second_factor(principal)
    except PermissionDeniedError:
        content.append(message("warning", text("text.must_setup")))
    details = [
        ("label.email", row.email),
        ("label.role", text(f"role.{row.role}")),
        ("label.institution", row.issuer_slug or text("value.none")),
        ("label.language", ENDONYMS.get(row.language, row.language)),
        ("label.email_proven", text("value.yes" if row.email_verified_at else "value.no")),
        ("label.second_factor", text("value.on" if row.totp_enabled_at else "value.off")),
        (
            "label.personal_code",
            text("value.linked" if row.personal_code_hash else "value.not_linked"),
        ),
    ]
    content.append(
        E.DL(*[item for key, value in details for item in (E.DT(text(key)), E.DD(value))])
    )
    if row.role == "learner":
        content.append(link(text("link.wallet"), "/wallet"))
    content.append(E.H2(text("button.change_password")))
    content.append(
        form(
            "/account/password",
            token,
            field(
                text("field.current_password"),
                "current",
                kind="password",
                autocomplete="current-password",
            ),
            field(text("field.new_password"), "new", kind="password", autocomplete="new-password"),
            submit=text("button.change_password"),
        )
    )
    if row.totp_enabled_at is None:
        content.append(E.H2(text("label.second_factor")))
        content.append(form("/account/second-factor", token, submit=text("button.setup")))
    if row.role == "learner" and row.personal_code_hash is None:
        content.append(E.H2(text("label.personal_code")))
        content.append(E.P(text("text.personal_code")))
        content.append(form("/account/personal-code", token, submit=text("button.link")))
    content.append(E.H2(text("button.delete")))
    content.append(E.P(text("text.delete")))
    content.append(
        form(
            "/account/delete",
            token,
            field(
                text("field.password"), "password", kind="password", autocomplete="current-password"
            ),
            submit=text("button.delete"),
        )
    )
    status = error.status if error is not None else 200
    return render(
        request,
        language=language,
        title="title.account",
        content=content,
        status=status,
        session_token=token,
        wallet_link=principal.role == "learner",
    )


@shared_page(router, "/account", methods=["GET"])
def account(
    request: Request, principal: CookiePrincipalDep, guard: GuardDep, session: SessionDep
) -> Response:
    """The signed-in account (without a session: to the sign-in page)."""
    if principal is None:
        return redirect("/login")
    if not principal.fully_signed_in:
        return redirect("/login/second-factor")
    return _account_page(request, session, principal, guard)


@router.post("/account/password")
def change_password(
    request: Request,
    signed: SignedInFormDep,
    guard: GuardDep,
    services: ServicesDep,
    session: SessionDep,
    now: ClockDep,
) -> Response:
    """Change the password, proving the current one; every session ends, this one too."""
    principal = _signed_in(signed)
    current, new = signed.form.values("current", "new")
    try:
        accounts.change_password(
            session, ctx=services.accounts, principal=principal, current=current, new=new, now=now
        )
    except WalletError as exc:
        return _account_page(request, session, principal, guard, error=exc)
    session.commit()
    response = redirect("/login?notice=password-changed")
    clear_session_cookie(response, secure=guard.secure, language=principal.language)
    return response


@shared_page(router, "/account/delete", methods=["POST"])
def delete(
    request: Request,
    signed: SignedInFormDep,
    guard: GuardDep,
    services: ServicesDep,
    session: SessionDep,
    now: ClockDep,
) -> Response:
    """Delete the account, proving the password."""
    principal = _signed_in(signed)
    (password,) = signed.form.values("password")
    try:
        accounts.delete_account(
            session, ctx=services.accounts, principal=principal, password=password, now=now
        )
    except WalletError as exc:
        return _account_page(request, session, principal, guard, error=exc)
    session.commit()
    response = redirect("/login?notice=account-deleted")
    clear_session_cookie(response, secure=guard.secure, language=principal.language)
    return response


# --- second factor --------------------------------------------------------------------------


def _confirm_form(language: str, token: str) -> Element:
    return form(
        "/account/second-factor/confirm",
        token,
        field(
            label(language, "field.app_code"),
            "code",
            autocomplete="one-time-code",
            inputmode="numeric",
        ),
        submit=label(language, "button.confirm"),
    )


@shared_page(router, "/account/second-factor", methods=["POST"])
def begin_second_factor(
    request: Request,
    signed: SignedInFormDep,
    guard: GuardDep,
    services: ServicesDep,
    session: SessionDep,
) -> Response:
    """A new TOTP secret, as text and as a QR code of its otpauth URI, and the form that
    turns it on with a first code."""
    principal = _signed_in(signed)
    signed.form.values()
    try:
        enrolment = accounts.begin_second_factor(
            session, ctx=services.accounts, principal=principal
        )
    except WalletError as exc:
        return _account_page(request, session, principal, guard, error=exc)
    session.commit()
    language, token = principal.language, token_of(signed.form)
    content = [
        E.P(label(language, "text.setup")),
        E.DIV(qr_svg(enrolment.uri), {"class": "qr"}),
        E.P(label(language, "label.secret"), ": ", E.CODE(enrolment.secret)),
        _confirm_form(language, token),
        link(label(language, "link.account"), "/account"),
    ]
    return render(
        request,
        language=language,
        title="title.setup",
        content=content,
        session_token=token,
        wallet_link=principal.role == "learner",
    )


@shared_page(router, "/account/second-factor/confirm", methods=["POST"])
def confirm_second_factor(
    request: Request,
    signed: SignedInFormDep,
    services: ServicesDep,
    session: SessionDep,
    now: ClockDep,
) -> Response:
    """Turn the second factor on with a first code; the recovery codes, shown this once."""
    principal = _signed_in(signed)
    (code,) = signed.form.values("code")
    language, token = principal.language, token_of(signed.form)
    try:
        codes = accounts.confirm_second_factor(
            session, ctx=services.accounts, principal=principal, code=code, now=now
        )
    except WalletError as exc:
        content = [
            error_box(exc),
            E.P(label(language, "text.setup_retry")),
            _confirm_form(language, token),
            link(label(language, "link.account"), "/account"),
        ]
        return render(
            request,
            language=language,
            title="title.setup",
            content=content,
            status=exc.status,
            session_token=token,
            wallet_link=principal.role == "learner",
        )
    session.commit()
    content = [
        E.P(label(language, "text.recovery")),
        E.UL(*[E.LI(E.CODE(code)) for code in codes], {"class": "recovery-codes"}),
        link(label(language, "link.account"), "/account"),
    ]
    return render(
        request,
        language=language,
        title="title.recovery",
        content=content,
        session_token=token,
        wallet_link=principal.role == "learner",
    )


# --- personal code --------------------------------------------------------------------------


@router.post("/account/personal-code")
def begin_personal_code(
    request: Request,
    signed: SignedInFormDep,
    guard: GuardDep,
    services: ServicesDep,
    session: SessionDep,
    now: ClockDep,
) -> Response:
    """Send the learner to the identity provider to prove their personal code."""
    principal = _signed_in(signed)
    signed.form.values()
    try:
        url = identity.begin_link(session, ctx=services.identity, principal=principal, now=now)
    except WalletError as exc:
        return _account_page(request, session, principal, guard, error=exc)
    session.commit()
    return redirect(url)


@router.get(identity.PERSONAL_CODE_CALLBACK)
def personal_code_callback(
    request: Request,
    principal: CookiePrincipalDep,
    services: ServicesDep,
    session: SessionDep,
    now: ClockDep,
) -> Response:
    """The identity provider's redirect: link the personal code it proved to the account
    of this browser's session, when that account started the login."""
    if principal is None:
        raise AuthenticationError("sign in again: the session is missing, expired or ended")
    items = request.query_params.multi_items()
    params = dict(items)
    if len(params) != len(items):
        raise InputError("the login response repeats a parameter")
    identity.complete_link(
        session, ctx=services.identity, principal=principal, params=params, now=now
    )
    session.commit()
    return redirect("/account?notice=personal-code-linked")
