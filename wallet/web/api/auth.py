"""Account and session API: register, prove the e-mail address, sign in and out, passwords,
the second factor, account deletion.

Answers that could tell whether an account exists are the same for every address
(register, resend, forgot: always 202). Bearer tokens are ``imk-session+jwt`` JWTs, checked
against the session table on every request.

Linking the personal code is a browser flow only (``/account/personal-code`` pages): the
identity provider's redirect must come back to the browser session that started it, or an
attacker could start a link for their own account and have a victim finish it.
"""

from __future__ import annotations

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from wallet import accounts
from wallet.db import account_crud
from wallet.errors import AuthenticationError
from wallet.web.deps import ClientDep, ClockDep, PrincipalDep, ServicesDep, SessionDep
from wallet.web.routing import StrictJSONRoute

router = APIRouter(tags=["accounts"], route_class=StrictJSONRoute)

_EMAIL = Field(max_length=320, examples=["liga.ozolina@example.lv"])
_PASSWORD = Field(max_length=1024, examples=["correct horse battery staple"])
_TOKEN = Field(max_length=128, description="the token from the link in the e-mail")
_CODE = Field(max_length=32, description="a 6-digit TOTP code or a recovery code")


#: A shortened bearer token for the examples (header.claims.signature of imk-session+jwt).
_EXAMPLE_TOKEN = ".".join(
    ("eyJhbGciOiJFZERTQSIsImtpZCI6Ii4uLiIsInR5cCI6Imltay1zZXNzaW9uK2p3dCJ9",
     "eyJzdWIiOiJhY2NvdW50OjQyIn0", "c2lnbmF0dXJl")
)  # fmt: skip


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AcceptedPublic(BaseModel):
    """The request was taken; the answer is the same for every e-mail address."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "accepted"}]})

    status: str


class StatusPublic(BaseModel):
    """The address is proven."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "verified"}]})

    status: str


class RegisterBody(_Body):
    """A new learner account; the e-mail address is proven by the link sent to it."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "email": "liga.ozolina@example.lv",
                    "password": "Daugava flows slowly 1972",
                    "language": "lv",
                }
            ]
        },
    )

    email: str = _EMAIL
    password: str = _PASSWORD
    language: str = Field(default="lv", pattern="^(lv|en|ru)$", examples=["lv"])


class EmailBody(_Body):
    """An e-mail address (resend a verification link, ask for a password reset)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"email": "liga.ozolina@example.lv"}]}
    )

    email: str = _EMAIL


class TokenBody(_Body):
    """The token of a link from an e-mail."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"token": "Jm4xQ2h0b0lOa3J3c1B0dWZ6dW5vS0VqX0pqN2ZhX2s"}]},
    )

    token: str = _TOKEN


class LoginBody(_Body):
    """Sign in; ``code`` is required when the account has a second factor."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "email": "liga.ozolina@example.lv",
                    "password": "Daugava flows slowly 1972",
                    "code": "492039",
                }
            ]
        },
    )

    email: str = _EMAIL
    password: str = _PASSWORD
    code: str | None = Field(
        default=None, max_length=32, description="a 6-digit TOTP code or a recovery code"
    )


class LoginPublic(BaseModel):
    """An API session: send ``Authorization: Bearer <access_token>``."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "access_token": _EXAMPLE_TOKEN,
                    "token_type": "Bearer",
                    "expires_in": 28800,
                }
            ]
        }
    )

    access_token: str
    token_type: str = "Bearer"  # noqa: S105 (the RFC 6750 token type, not a secret)
    expires_in: int


class ResetBody(_Body):
    """A new password, through the token of a reset link."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "token": "Jm4xQ2h0b0lOa3J3c1B0dWZ6dW5vS0VqX0pqN2ZhX2s",
                    "password": "Gauja bends near Sigulda",
                }
            ]
        },
    )

    token: str = _TOKEN
    password: str = _PASSWORD


class ChangePasswordBody(_Body):
    """A new password, proving the current one."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "currentPassword": "Daugava flows slowly 1972",
                    "newPassword": "Gauja bends near Sigulda",
                }
            ]
        },
    )

    currentPassword: str = _PASSWORD  # noqa: N815
    newPassword: str = _PASSWORD  # noqa: N815


class PasswordBody(_Body):
    """The account's password, to confirm a destructive action."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"password": "Daugava flows slowly 1972"}]}
    )

    password: str = _PASSWORD


class CodeBody(_Body):
    """A second-factor code."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"code": "492039"}]})

    code: str = _CODE


class AccountPublic(BaseModel):
    """The signed-in account as its owner sees it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "email": "liga.ozolina@example.lv",
                    "role": "learner",
                    "institution": None,
                    "language": "lv",
                    "emailVerified": True,
                    "secondFactor": True,
                    "personalCodeLinked": True,
                }
            ]
        }
    )

    email: str
    role: str
    institution: str | None
    language: str
    emailVerified: bool  # noqa: N815
    secondFactor: bool  # noqa: N815
    personalCodeLinked: bool  # noqa: N815


class EnrolmentPublic(BaseModel):
    """A second factor being set up: add it to an authenticator app, then confirm a code."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "secret": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
                    "otpauthUri": "otpauth://totp/IMK%20Wallet:liga.ozolina%40example.lv?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=IMK%20Wallet",
                }
            ]
        }
    )

    secret: str
    otpauthUri: str  # noqa: N815


class RecoveryCodesPublic(BaseModel):
    """Recovery codes, shown this once; each signs in once instead of a TOTP code."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"recoveryCodes": ["7k2m-q9x4-h0tr", "c3vz-8w1n-pq5e"]}]}
    )

    recoveryCodes: list[str]  # noqa: N815


@router.post("/auth/register", status_code=202, summary="Register a learner account")
def register(
    body: RegisterBody, services: ServicesDep, session: SessionDep, now: ClockDep, client: ClientDep
) -> AcceptedPublic:
    """Open a learner account and mail a verification link; 202 whether or not the address
    was taken (a taken address gets no mail)."""
    accounts.register(
        session,
        ctx=services.accounts,
        email=body.email,
        password=body.password,
        language=body.language,
        client=client,
        now=now,
    )
    session.commit()
    return AcceptedPublic(status="accepted")


@router.post("/auth/email/verify", summary="Prove the e-mail address")
def verify_email(
    body: TokenBody, services: ServicesDep, session: SessionDep, now: ClockDep
) -> StatusPublic:
    """Use the single-use link sent at registration."""
    accounts.verify_email(session, ctx=services.accounts, token=body.token, now=now)
    session.commit()
    return StatusPublic(status="verified")


@router.post("/auth/email/resend", status_code=202, summary="Send a new verification link")
def resend(
    body: EmailBody, services: ServicesDep, session: SessionDep, now: ClockDep, client: ClientDep
) -> AcceptedPublic:
    """Mail a new link to an unproven address; 202 for every address."""
    accounts.resend_verification(
        session, ctx=services.accounts, email=body.email, client=client, now=now
    )
    session.commit()
    return AcceptedPublic(status="accepted")


@router.post("/auth/login", status_code=201, summary="Sign in (API session)")
def login(
    body: LoginBody, services: ServicesDep, session: SessionDep, now: ClockDep, client: ClientDep
) -> LoginPublic:
    """Check the password (and second factor) and return a bearer token."""
    result = accounts.sign_in(
        session,
        ctx=services.accounts,
        email=body.email,
        password=body.password,
        client=client,
        kind="api",
        now=now,
        code=body.code,
    )
    session.commit()
    return LoginPublic(access_token=result.secret, expires_in=result.session.expires_at - now)


@router.post("/auth/logout", status_code=204, summary="Sign out everywhere")
def logout(principal: PrincipalDep, session: SessionDep, now: ClockDep) -> Response:
    """End every session of the account at once, in every process."""
    accounts.sign_out(session, principal=principal, now=now)
    session.commit()
    return Response(status_code=204)


@router.post("/auth/password/forgot", status_code=202, summary="Ask for a password reset")
def forgot(
    body: EmailBody, services: ServicesDep, session: SessionDep, now: ClockDep, client: ClientDep
) -> AcceptedPublic:
    """Mail a reset link when the address has an account; 202 for every address."""
    accounts.request_reset(session, ctx=services.accounts, email=body.email, client=client, now=now)
    session.commit()
    return AcceptedPublic(status="accepted")


@router.post("/auth/password/reset", status_code=204, summary="Reset the password")
def reset(body: ResetBody, services: ServicesDep, session: SessionDep, now: ClockDep) -> Response:
    """Set a new password through a reset link; every session ends."""
    accounts.reset_password(
        session, ctx=services.accounts, token=body.token, password=body.password, now=now
    )
    session.commit()
    return Response(status_code=204)


@router.post("/auth/password/change", status_code=204, summary="Change the password")
def change_password(
    body: ChangePasswordBody,
    principal: PrincipalDep,
    services: ServicesDep,
    session: SessionDep,
    now: ClockDep,
) -> Response:
    """Change the password, proving the current one; every session ends."""
    accounts.change_password(
        session,
        ctx=services.accounts,
        principal=principal,
        current=body.currentPassword,
        new=body.newPassword,
        now=now,
    )
    session.commit()
    return Response(status_code=204)


@router.get("/account", summary="The signed-in account")
def account(principal: PrincipalDep, session: SessionDep) -> AccountPublic:
    """Who is signed in, and what is set up."""
    row = account_crud.account_by_id(session, account_id=principal.account_id)
    if row is None:
        raise AuthenticationError("sign in again: the session is missing, expired or ended")
    return AccountPublic(
        email=row.email,
        role=row.role,
        institution=row.issuer_slug,
        language=row.language,
        emailVerified=row.email_verified_at is not None,
        secondFactor=row.totp_enabled_at is not None,
        personalCodeLinked=row.personal_code_hash is not None,
    )


@router.post("/account/delete", status_code=204, summary="Delete the account")
def delete(
    body: PasswordBody,
    principal: PrincipalDep,
    services: ServicesDep,
    session: SessionDep,
    now: ClockDep,
) -> Response:
    """Delete the account, proving the password; every session ends."""
    accounts.delete_account(
        session, ctx=services.accounts, principal=principal, password=body.password, now=now
    )
    session.commit()
    return Response(status_code=204)


@router.post("/account/second-factor", status_code=201, summary="Start setting up TOTP")
def begin_second_factor(
    principal: PrincipalDep, services: ServicesDep, session: SessionDep
) -> EnrolmentPublic:
    """A new TOTP secret for an authenticator app; active once a code confirms it."""
    enrolment = accounts.begin_second_factor(session, ctx=services.accounts, principal=principal)
    session.commit()
    return EnrolmentPublic(secret=enrolment.secret, otpauthUri=enrolment.uri)


@router.post("/account/second-factor/confirm", summary="Activate TOTP")
def confirm_second_factor(
    body: CodeBody,
    principal: PrincipalDep,
    services: ServicesDep,
    session: SessionDep,
    now: ClockDep,
) -> RecoveryCodesPublic:
    """Activate the second factor with a first code; returns recovery codes once."""
    codes = accounts.confirm_second_factor(
        session, ctx=services.accounts, principal=principal, code=body.code, now=now
    )
    session.commit()
    return RecoveryCodesPublic(recoveryCodes=codes)
