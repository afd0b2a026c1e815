"""Linking a learner's personal code to their account, only through an identity provider.

The learner starts a login at the configured OpenID Connect provider (eParaksts or
Latvija.lv in production); the provider sends them back with a code; the service redeems it,
verifies the signed ID token, and stores the keyed hash of the personal code it asserts —
the same hash issuance keeps for ``options.learner.personalCode`` — so credentials issued
to that code reach this account. Nothing a person types is ever matched against a personal
code: there is no form field for it.

The pending login (``state``, ``nonce``, PKCE verifier) is kept in the database, so the
provider's redirect may land on any process, and it is single use.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sqlmodel import Session

from wallet import holder
from wallet.accounts import require_signed_in
from wallet.db import account_crud, crud
from wallet.db.models import SignInState
from wallet.errors import ConflictError, IdentityProviderError, NotFoundError, PermissionDeniedError
from wallet.holder import HolderContext
from wallet.jose import keyed_hash
from wallet.oidc import AuthRequest, OIDCClient
from wallet.personal_code import hash_identifier
from wallet.sessions import Principal

#: Where the identity provider sends the learner back (register it at the provider as
#: ``{IMK_BASE_URL}/account/personal-code/callback``).
PERSONAL_CODE_CALLBACK = "/account/personal-code/callback"


@dataclass(frozen=True)
class IdentityContext:
    """What linking needs: the provider client (None when none is configured) and keys."""

    client: OIDCClient | None
    learner_key: bytes
    state_key: bytes
    holder: HolderContext
    random: Callable[[int], bytes]


def _client(ctx: IdentityContext) -> OIDCClient:
    if ctx.client is None:
        raise NotFoundError("no identity provider is configured on this service")
    return ctx.client


def begin_link(session: Session, *, ctx: IdentityContext, principal: Principal, now: int) -> str:
    """Start a login at the identity provider; return the URL to send the learner to.

    :raises PermissionDeniedError: for an account that is not a learner's.
    :raises NotFoundError: when no provider is configured.
    :raises IdentityProviderUnavailableError: when the provider cannot be reached.
    """
    require_signed_in(principal)
    if principal.role != "learner":
        raise PermissionDeniedError("only a learner's account links a personal code")
    client = _client(ctx)
    request = client.begin(now=now, random=ctx.random)
    account_crud.add_sign_in_state(
        session,
        row=SignInState(
            state_hash=keyed_hash(ctx.state_key, request.state),
            account_id=principal.account_id,
            nonce=request.nonce,
            code_verifier=request.code_verifier,
            expires_at=now + client.settings.request_ttl_seconds,
        ),
    )
    return request.url


def complete_link(
    session: Session,
    *,
    ctx: IdentityContext,
    principal: Principal,
    params: Mapping[str, str],
    now: int,
) -> None:
    """Finish the provider login and link the personal code it proved.

    :param params: the query parameters of the provider's redirect.
    :raises IdentityProviderError: for a login that proves nothing (unknown or used state,
        another account's state, a refused code, a bad ID token, a missing claim).
    :raises ConflictError: when the code is linked to another account already.
    """
    require_signed_in(principal)
    client = _client(ctx)
    code, state = client.read_callback(params)
    pending = account_crud.take_sign_in_state(
        session, state_hash=keyed_hash(ctx.state_key, state), now=now
    )
    if pending is None or pending.account_id != principal.account_id:
        raise IdentityProviderError("the login response does not belong to this login", "state")
    expected = AuthRequest(
        url="",
        state=state,
        nonce=pending.nonce,
        code_verifier=pending.code_verifier,
        created_at=pending.expires_at - client.settings.request_ttl_seconds,
    )
    identity = client.complete(code=code, state=state, expected=expected, now=now)
    code_hash = hash_identifier(ctx.learner_key, "pk", identity.personal_code)
    owner = account_crud.account_by_personal_code(session, code_hash=code_hash)
    if owner is not None and owner.id != principal.account_id:
        raise ConflictError("this personal code is linked to another account")
    account = account_crud.account_by_id(session, account_id=principal.account_id)
    if account is None:
        raise NotFoundError("the account no longer exists")
    account.personal_code_hash = code_hash
    account.personal_code_linked_at = now
    session.add(account)
    holder.attach(session, ctx=ctx.holder, account=account, now=now)
    crud.add_audit(
        session,
        at=now,
        actor=principal.actor,
        action="account.link-personal-code",
        target=principal.actor,
        detail={},
    )
