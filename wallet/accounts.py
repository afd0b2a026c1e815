"""Account use-cases: register, prove the e-mail address, sign in and out, reset and change
the password, the second factor, delete the account.

Rules that hold in every function here:

- **Nothing is revealed about which accounts exist.** Registering a taken address, asking
  for a reset of an unknown one, and signing in with an unknown address answer exactly as
  the ordinary case does, and spend the same Argon2id time.
- **Mail first, then commit.** A message is sent before the transaction commits, so a mail
  server that refuses (:class:`~wallet.errors.MailDeliveryError`, 503) leaves nothing
  changed, and a link is never stored without having been sent.
- **Every session ends at once** on logout, password change, reset and deletion: the rows
  are revoked and every request of every process reads them.
- Failures of sign-in, second factor and mail requests are counted per e-mail address as
  typed and per client address (:mod:`wallet.ratelimit`).

The caller owns the transaction and commits once the function returns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

from sqlmodel import Session

from wallet import holder, passwords, ratelimit, sessions, totp
from wallet.db import account_crud, crud
from wallet.db.models import Account, AuthSession, OneTimeLink
from wallet.errors import (
    AuthenticationError,
    ConflictError,
    GoneError,
    InputError,
    PermissionDeniedError,
    SecondFactorError,
)
from wallet.holder import HolderContext
from wallet.jose import b64url_encode, keyed_hash, seal, unseal
from wallet.mail import compose
from wallet.mail.addresses import parse_mailbox

ROLES = ("learner", "staff", "operator")
#: Roles that must sign in with a second factor before they can act.
SECOND_FACTOR_REQUIRED = frozenset({"staff", "operator"})
LANGUAGES = ("lv", "en", "ru")
VERIFY_EMAIL = "verify_email"
RESET_PASSWORD = "reset_password"  # noqa: S105 (a link purpose, not a secret)
MAX_EMAIL_CHARS = 254


class Mailer(Protocol):
    """Where messages go (SMTP in service; the tests' SMTP server in tests)."""

    def send(self, message: EmailMessage) -> None:
        """Deliver one message or raise :class:`~wallet.errors.MailDeliveryError`."""


@dataclass(frozen=True)
class AccountsContext:
    """What the account use-cases need, built once per process."""

    base_url: str
    mailer: Mailer
    sender: str
    password_params: passwords.PasswordParams
    link_key: bytes
    seal_key: bytes
    recovery_key: bytes
    verify_link_ttl: int
    reset_link_ttl: int
    limiter: ratelimit.RateLimiter
    sessions: sessions.SessionContext
    holder: HolderContext
    random: Callable[[int], bytes]


@dataclass(frozen=True)
class SignIn:
    """A started session: its row, its secret (cookie value or bearer token), and whether
    the second factor is still to come."""

    session: AuthSession
    secret: str
    second_factor_pending: bool


@dataclass(frozen=True)
class Enrolment:
    """A second factor being set up: the secret to show as text and as an otpauth URI."""

    secret: str
    uri: str


def normalise_email(email: str) -> str:
    """The stored form of an e-mail address: trimmed and lower case.

    :raises InputError: when it is not shaped like ``local@domain``.
    """
    value = email.strip().lower()
    local, at, domain = value.rpartition("@")
    failure = InputError("that is not an e-mail address")
    if not at or not local or "." not in domain or len(value) > MAX_EMAIL_CHARS:
        raise failure
    if not value.isascii():
        # Mail to a non-ASCII mailbox needs SMTPUTF8 end to end; addresses here are ASCII.
        raise failure
    try:
        parsed = parse_mailbox(value, what="to")
    except ValueError:
        raise failure from None
    if parsed.addr_spec != value or parsed.display_name:
        raise failure
    return value


def _send(
    ctx: AccountsContext, kind: str, account: Account, params: dict[str, str], *, now: int
) -> None:
    domain = ctx.base_url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    message = compose(
        kind,
        account.language,
        to=account.email,
        sender=ctx.sender,
        params=params,
        message_id_domain=domain,
        now=now,
    )
    ctx.mailer.send(message)


def _new_link(
    session: Session, ctx: AccountsContext, *, account: Account, purpose: str, now: int
) -> str:
    assert account.id is not None
    token = b64url_encode(ctx.random(32))
    ttl = ctx.verify_link_ttl if purpose == VERIFY_EMAIL else ctx.reset_link_ttl
    account_crud.add_link(
        session,
        row=OneTimeLink(
            token_hash=keyed_hash(ctx.link_key, token),
            purpose=purpose,
            account_id=account.id,
            created_at=now,
            expires_at=now + ttl,
        ),
    )
    path = "verify-email" if purpose == VERIFY_EMAIL else "reset-password"
    link = f"{ctx.base_url}/{path}?token={token}"
    _send(ctx, purpose, account, {"link": link, "expires_minutes": str(ttl // 60)}, now=now)
    return token


def _audit(session: Session, *, actor: str, action: str, account_id: int, now: int) -> None:
    crud.add_audit(
        session, at=now, actor=actor, action=action, target=f"account:{account_id}", detail={}
    )


def register(
    session: Session,
    *,
    ctx: AccountsContext,
    email: str,
    password: str,
    language: str,
    now: int,
    client: str | None = None,
    role: str = "learner",
    issuer_slug: str | None = None,
    actor: str = "self",
) -> Account | None:
    """Open an account and mail a link that proves the address.

    :param client: the client address, for the mail rate limits (None from the CLI).
    :return: the new account, or None when the address was taken (the caller answers the
        same either way; nothing is sent to a taken address).
    :raises RateLimitedError: after too many mail requests for this address or client.
    :raises InputError: for a malformed address or unknown language or role.
    :raises WeakPasswordError: for a password the policy refuses.
    """
    address = normalise_email(email)
    _check_profile(role=role, issuer_slug=issuer_slug, language=language)
    passwords.check_password_policy(password, email=address)
    if client is not None:
        _check_mail_limits(session, ctx, address=address, client=client, now=now)
    password_hash = passwords.hash_password(password, ctx.password_params, random_bytes=ctx.random)
    if account_crud.account_by_email(session, email=address) is not None:
        return None
    return _open(
        session, ctx, email=address, password_hash=password_hash, role=role,
        issuer_slug=issuer_slug, language=language, now=now, actor=actor,
        action="account.register", link=VERIFY_EMAIL,
    )  # fmt: skip


def invite(
    session: Session,
    *,
    ctx: AccountsContext,
    email: str,
    role: str,
    issuer_slug: str | None,
    language: str,
    now: int,
    actor: str,
) -> Account:
    """Open an account for someone else (staff, operators) and mail them a link to choose
    their password; using the link also proves the address.

    The account's first password is random and never shown, so the link is the only way in.

    :raises ConflictError: when the address has an account (the caller is a trusted
        operator, so this one may say so).
    :raises InputError: for a malformed address or unknown role or language.
    """
    address = normalise_email(email)
    _check_profile(role=role, issuer_slug=issuer_slug, language=language)
    if account_crud.account_by_email(session, email=address) is not None:
        raise ConflictError("an account with that e-mail address exists")
    unusable = b64url_encode(ctx.random(32))
    password_hash = passwords.hash_password(unusable, ctx.password_params, random_bytes=ctx.random)
    return _open(
        session, ctx, email=address, password_hash=password_hash, role=role,
        issuer_slug=issuer_slug, language=language, now=now, actor=actor,
        action="account.invite", link=RESET_PASSWORD,
    )  # fmt: skip


def _check_profile(*, role: str, issuer_slug: str | None, language: str) -> None:
    if language not in LANGUAGES:
        raise InputError(f"language must be one of {', '.join(LANGUAGES)}")
    if role not in ROLES or (role == "staff") != (issuer_slug is not None):
        raise InputError("staff accounts name exactly one institution; others none")


def _open(
    session: Session,
    ctx: AccountsContext,
    *,
    email: str,
    password_hash: str,
    role: str,
    issuer_slug: str | None,
    language: str,
    now: int,
    actor: str,
    action: str,
    link: str,
) -> Account:
    """Add the account, audit it, and mail its first link (verification or set-password)."""
    account = account_crud.add_account(
        session,
        row=Account(
            email=email, password_hash=password_hash, role=role, issuer_slug=issuer_slug,
            language=language, password_changed_at=now, created_at=now,
        ),
    )  # fmt: skip
    assert account.id is not None
    _audit(session, actor=actor, action=action, account_id=account.id, now=now)
    _new_link(session, ctx, account=account, purpose=link, now=now)
    return account


def resend_verification(
    session: Session, *, ctx: AccountsContext, email: str, client: str, now: int
) -> None:
    """Mail a new verification link to an unverified account (silently nothing otherwise)."""
    address = normalise_email(email)
    _check_mail_limits(session, ctx, address=address, client=client, now=now)
    account = account_crud.account_by_email(session, email=address)
    if account is not None and account.email_verified_at is None:
        _new_link(session, ctx, account=account, purpose=VERIFY_EMAIL, now=now)


def verify_email(session: Session, *, ctx: AccountsContext, token: str, now: int) -> None:
    """Use a verification link: the address is proven.

    :raises GoneError: for an unknown, used or expired link (one answer for all).
    """
    account = _use_link(session, ctx, token=token, purpose=VERIFY_EMAIL, now=now)
    if account.email_verified_at is None:
        account.email_verified_at = now
        session.add(account)
    holder.attach(session, ctx=ctx.holder, account=account, now=now)
    assert account.id is not None
    _audit(session, actor="self", action="account.verify-email", account_id=account.id, now=now)


def _use_link(
    session: Session, ctx: AccountsContext, *, token: str, purpose: str, now: int
) -> Account:
    failure = GoneError("the link is unknown, already used or expired")
    if not token or len(token) > 128:
        raise failure
    account_id = account_crud.use_link(
        session, token_hash=keyed_hash(ctx.link_key, token), purpose=purpose, now=now
    )
    account = (
        account_crud.account_by_id(session, account_id=account_id)
        if account_id is not None
        else None
    )
    if account is None:
        raise failure
    return account


def _check_mail_limits(
    session: Session, ctx: AccountsContext, *, address: str, client: str, now: int
) -> None:
    ctx.limiter.check(session, ratelimit.MAIL_PER_ACCOUNT, address, now=now)
    ctx.limiter.check(session, ratelimit.MAIL_PER_ADDRESS, client, now=now)
    # Every mail request counts: each one may send a message.
    ctx.limiter.fail(ratelimit.MAIL_PER_ACCOUNT, address, now=now)
    ctx.limiter.fail(ratelimit.MAIL_PER_ADDRESS, client, now=now)


def sign_in(
    session: Session,
    *,
    ctx: AccountsContext,
    email: str,
    password: str,
    client: str,
    kind: str,
    now: int,
    code: str | None = None,
) -> SignIn:
    """Check the password (and, when given, the second-factor code) and open a session.

    A page login of an account with a second factor opens a session that waits for the
    code (:func:`complete_second_factor`); an API login must carry ``code`` at once.

    :raises RateLimitedError: after too many failures for this address or client.
    :raises AuthenticationError: for an unknown address or a wrong password (one answer),
        and for an address not proven yet.
    :raises SecondFactorError: for a missing or wrong code where one is needed.
    """
    failure = AuthenticationError("the e-mail address or the password is wrong")
    try:
        address = normalise_email(email)
    except InputError:
        raise failure from None
    pair = f"{address} {client}"
    ctx.limiter.check(session, ratelimit.LOGIN_PER_ACCOUNT_AND_ADDRESS, pair, now=now)
    ctx.limiter.check(session, ratelimit.LOGIN_PER_ACCOUNT, address, now=now)
    ctx.limiter.check(session, ratelimit.LOGIN_PER_ADDRESS, client, now=now)
    account = account_crud.account_by_email(session, email=address)
    if account is None:
        passwords.dummy_verify(ctx.password_params)  # the same time as a real check
        check = passwords.PasswordCheck(verified=False, needs_rehash=False)
    else:
        check = passwords.verify_password(account.password_hash, password, ctx.password_params)
    if account is None or not check.verified:
        ctx.limiter.fail(ratelimit.LOGIN_PER_ACCOUNT_AND_ADDRESS, pair, now=now)
        ctx.limiter.fail(ratelimit.LOGIN_PER_ACCOUNT, address, now=now)
        ctx.limiter.fail(ratelimit.LOGIN_PER_ADDRESS, client, now=now)
        raise failure
    if account.email_verified_at is None:
        raise AuthenticationError("prove the e-mail address first: follow the link we sent")
    if check.needs_rehash:
        account.password_hash = passwords.hash_password(
            password, ctx.password_params, random_bytes=ctx.random
        )
        session.add(account)
    enrolled = account.totp_enabled_at is not None
    if enrolled and kind == "api":
        if not code:
            raise SecondFactorError("this account signs in with a second-factor code")
        _check_second_factor(session, ctx, account=account, code=code, now=now)
    row, secret = sessions.start(session, ctx=ctx.sessions, account=account, kind=kind, now=now)
    if enrolled and kind == "api":
        account_crud.complete_second_factor(session, session_id=row.id)
        row.second_factor = True
    assert account.id is not None
    _audit(session, actor="self", action=f"session.{kind}", account_id=account.id, now=now)
    return SignIn(session=row, secret=secret, second_factor_pending=enrolled and kind == "cookie")


def _check_second_factor(
    session: Session, ctx: AccountsContext, *, account: Account, code: str, now: int
) -> None:
    """Accept a TOTP code or an unused recovery code, or count a failure and refuse."""
    assert account.id is not None
    ctx.limiter.check(session, ratelimit.SECOND_FACTOR_PER_ACCOUNT, account.email, now=now)
    secret = _totp_secret(ctx, account)
    try:
        step = totp.check_code(secret, code, now=now, last_used_step=account.totp_last_step)
    except SecondFactorError:
        unused = account_crud.unused_recovery_codes(session, account_id=account.id)
        index = totp.match_recovery_code(code, [row.code_hash for row in unused], ctx.recovery_key)
        if index is not None:
            code_id = unused[index].id
            assert code_id is not None
            if account_crud.use_recovery_code(session, code_id=code_id, now=now):
                return
        ctx.limiter.fail(ratelimit.SECOND_FACTOR_PER_ACCOUNT, account.email, now=now)
        raise
    account.totp_last_step = step
    session.add(account)


def _totp_secret(ctx: AccountsContext, account: Account) -> str:
    if account.totp_secret is None:
        raise SecondFactorError("no second factor is set up for this account")
    return unseal(
        ctx.seal_key, account.totp_secret, associated=f"account:{account.id}:totp".encode()
    ).decode("ascii")


def complete_second_factor(
    session: Session, *, ctx: AccountsContext, principal: sessions.Principal, code: str, now: int
) -> None:
    """Finish a page login with a TOTP or recovery code.

    :raises SecondFactorError: for a wrong, reused or malformed code.
    """
    account = _account(session, principal)
    _check_second_factor(session, ctx, account=account, code=code, now=now)
    account_crud.complete_second_factor(session, session_id=principal.session_id)


def _account(session: Session, principal: sessions.Principal) -> Account:
    account = account_crud.account_by_id(session, account_id=principal.account_id)
    if account is None:
        raise AuthenticationError("sign in again: the session is missing, expired or ended")
    return account


def require_signed_in(principal: sessions.Principal) -> None:
    """Refuse a session whose login still waits for its second factor.

    :raises AuthenticationError: when it does.
    """
    if not principal.fully_signed_in:
        raise AuthenticationError("finish signing in with the second-factor code")


def require_second_factor(principal: sessions.Principal) -> None:
    """Refuse staff and operators who have not set up a second factor yet.

    :raises PermissionDeniedError: when the role requires one and it is missing.
    """
    require_signed_in(principal)
    if principal.role in SECOND_FACTOR_REQUIRED and not principal.totp_enabled:
        raise PermissionDeniedError("set up a second factor before acting for an institution")


def sign_out(session: Session, *, principal: sessions.Principal, now: int) -> None:
    """End every session of the account, in every process."""
    sessions.end_all(session, account_id=principal.account_id, now=now)
    _audit(
        session,
        actor=principal.actor,
        action="session.end-all",
        account_id=principal.account_id,
        now=now,
    )


def request_reset(
    session: Session, *, ctx: AccountsContext, email: str, client: str, now: int
) -> None:
    """Mail a password-reset link when the address has an account (silently nothing else)."""
    address = normalise_email(email)
    _check_mail_limits(session, ctx, address=address, client=client, now=now)
    account = account_crud.account_by_email(session, email=address)
    if account is not None:
        _new_link(session, ctx, account=account, purpose=RESET_PASSWORD, now=now)


def _set_password(
    session: Session, ctx: AccountsContext, *, account: Account, password: str, now: int
) -> None:
    assert account.id is not None
    passwords.check_password_policy(password, email=account.email)
    account.password_hash = passwords.hash_password(
        password, ctx.password_params, random_bytes=ctx.random
    )
    account.password_changed_at = now
    session.add(account)
    sessions.end_all(session, account_id=account.id, now=now)
    account_crud.expire_links(session, account_id=account.id, purpose=RESET_PASSWORD, now=now)
    _send(ctx, "password_changed", account, {}, now=now)


def reset_password(
    session: Session, *, ctx: AccountsContext, token: str, password: str, now: int
) -> None:
    """Set a new password through a reset link; every session ends.

    A reset link also proves the address, so an unverified account becomes verified.

    :raises GoneError: for an unknown, used or expired link.
    :raises WeakPasswordError: for a password the policy refuses (the link stays usable).
    """
    account = _use_link(session, ctx, token=token, purpose=RESET_PASSWORD, now=now)
    _set_password(session, ctx, account=account, password=password, now=now)
    if account.email_verified_at is None:
        account.email_verified_at = now
        holder.attach(session, ctx=ctx.holder, account=account, now=now)
    assert account.id is not None
    _audit(session, actor="self", action="account.reset-password", account_id=account.id, now=now)


def change_password(
    session: Session,
    *,
    ctx: AccountsContext,
    principal: sessions.Principal,
    current: str,
    new: str,
    now: int,
) -> None:
    """Change the password, proving the current one; every session ends.

    :raises AuthenticationError: when ``current`` is wrong.
    :raises WeakPasswordError: for a new password the policy refuses.
    """
    require_signed_in(principal)
    account = _account(session, principal)
    if not passwords.verify_password(account.password_hash, current, ctx.password_params).verified:
        raise AuthenticationError("the current password is wrong")
    _set_password(session, ctx, account=account, password=new, now=now)
    _audit(
        session,
        actor=principal.actor,
        action="account.change-password",
        account_id=principal.account_id,
        now=now,
    )


def reauthenticate(
    session: Session,
    *,
    ctx: AccountsContext,
    principal: sessions.Principal,
    password: str,
    now: int,
) -> Account:
    """Prove the password again before handing out or destroying the learner's data.

    A wrong password counts as a failed sign-in of the account (the limit of all client
    addresses together), so a stolen session cannot be used to guess the password.

    :raises RateLimitedError: after too many failures for this account.
    :raises AuthenticationError: when the password is wrong.
    """
    require_signed_in(principal)
    account = _account(session, principal)
    ctx.limiter.check(session, ratelimit.LOGIN_PER_ACCOUNT, account.email, now=now)
    if not passwords.verify_password(account.password_hash, password, ctx.password_params).verified:
        ctx.limiter.fail(ratelimit.LOGIN_PER_ACCOUNT, account.email, now=now)
        raise AuthenticationError("the password is wrong")
    return account


def delete_account(
    session: Session,
    *,
    ctx: AccountsContext,
    principal: sessions.Principal,
    password: str,
    now: int,
) -> None:
    """Delete the account, proving the password; every session ends with it.

    Credentials issued to the learner stay with their institutions; only the account, its
    sessions, links, codes and its personal-code link go.

    :raises AuthenticationError: when the password is wrong.
    """
    require_signed_in(principal)
    account = _account(session, principal)
    if not passwords.verify_password(account.password_hash, password, ctx.password_params).verified:
        raise AuthenticationError("the password is wrong")
    _send(ctx, "account_deleted", account, {}, now=now)
    account_crud.delete_account(session, account_id=principal.account_id)
    _audit(
        session,
        actor=principal.actor,
        action="account.delete",
        account_id=principal.account_id,
        now=now,
    )


def begin_second_factor(
    session: Session, *, ctx: AccountsContext, principal: sessions.Principal
) -> Enrolment:
    """Start setting up TOTP: a new secret, stored sealed, not active until confirmed.

    :raises ConflictError: when a second factor is already active.
    """
    require_signed_in(principal)
    account = _account(session, principal)
    if account.totp_enabled_at is not None:
        raise ConflictError("a second factor is already set up")
    secret = totp.new_secret(ctx.random)
    account.totp_secret = seal(
        ctx.seal_key,
        secret.encode("ascii"),
        nonce=ctx.random(12),
        associated=f"account:{account.id}:totp".encode(),
    )
    session.add(account)
    return Enrolment(secret=secret, uri=totp.provisioning_uri(secret, account_name=account.email))


def confirm_second_factor(
    session: Session,
    *,
    ctx: AccountsContext,
    principal: sessions.Principal,
    code: str,
    now: int,
) -> list[str]:
    """Activate TOTP with a first code; return recovery codes, shown this once.

    The session that confirmed counts as signed in with its second factor.

    :raises ConflictError: when it is already active; :raises SecondFactorError: for a wrong code.
    """
    require_signed_in(principal)
    account = _account(session, principal)
    if account.totp_enabled_at is not None:
        raise ConflictError("a second factor is already set up")
    step = totp.check_code(
        _totp_secret(ctx, account), code, now=now, last_used_step=account.totp_last_step
    )
    account.totp_last_step = step
    account.totp_enabled_at = now
    session.add(account)
    codes = totp.new_recovery_codes(ctx.random)
    account_crud.replace_recovery_codes(
        session,
        account_id=principal.account_id,
        code_hashes=[totp.hash_recovery_code(code, ctx.recovery_key) for code in codes],
    )
    account_crud.complete_second_factor(session, session_id=principal.session_id)
    _audit(
        session,
        actor=principal.actor,
        action="account.second-factor",
        account_id=principal.account_id,
        now=now,
    )
    return codes
