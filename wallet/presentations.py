"""Presentations: the learner presents chosen claims of an SD-JWT VC to a verifier's
challenge; the verifier checks the presentation and uses the challenge up.

Present (holder side): the wallet builds an SD-JWT+KB of the claims the learner picks, with
a Key Binding JWT whose ``aud`` is the verifier's domain and ``nonce`` the challenge, signed
with the wallet's P-256 holder key (the credential's ``cnf``).

Verify (verifier side): freshness is the request's policy. An interactive presentation must
carry a challenge from ``POST /challenges`` for this domain that was not used yet (this
verification uses it up) and a KB-JWT ``iat`` at most :data:`MAX_AGE_SECONDS` old.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from sqlmodel import Session

from wallet import challenges, holder
from wallet.db import wallet_crud
from wallet.errors import ChallengeError, InputError, NotFoundError
from wallet.holder import HolderContext
from wallet.sdjwt import ClaimPath, KeyBindingPolicy, present
from wallet.vc import unwrap
from wallet.verifier import Check, Result, VerificationReport, VerifierContext, verify_sd_jwt_vc

#: How old a presentation's KB-JWT may be when it is verified, in seconds.
MAX_AGE_SECONDS = 300
#: Most claim paths a learner may pick for one presentation.
MAX_PATHS = 256


def present_credential(
    session: Session,
    *,
    ctx: HolderContext,
    account_id: int,
    item_id: str,
    disclose: Sequence[ClaimPath],
    domain: str,
    challenge: str,
    now: int,
) -> str:
    """An SD-JWT+KB of one of the learner's SD-JWT VCs, disclosing only ``disclose``.

    :raises NotFoundError: when the credential is not in the learner's wallets.
    :raises InputError: when it is not an SD-JWT VC, or the request is malformed.
    """
    if len(disclose) > MAX_PATHS:
        raise InputError(f"at most {MAX_PATHS} claims per presentation")
    challenges.check_domain(domain)
    if not challenge or len(challenge) > 128:
        raise InputError("the challenge is 1 to 128 characters")
    item = wallet_crud.item_of(session, account_id=account_id, item_id=item_id)
    if item is None:
        raise NotFoundError("no such credential")
    if item.format != "dc+sd-jwt":
        raise InputError("only SD-JWT VCs can disclose chosen claims; this one is a vc+jwt")
    wallet = wallet_crud.wallet_by_id(session, wallet_id=item.wallet_id)
    assert wallet is not None
    token = holder.raw_token(session, ctx=ctx, account_id=account_id, item_id=item_id)
    p256, _ = holder.holder_keys(ctx, wallet)
    return present(
        token, keep=[tuple(path) for path in disclose], holder_key=p256,
        aud=domain, nonce=challenge, iat=now,
    )  # fmt: skip


def verify_presentation(
    session: Session,
    *,
    ctx: VerifierContext,
    value: object,
    challenge: str,
    domain: str,
    now: int,
) -> VerificationReport:
    """Verify an SD-JWT+KB made for ``challenge`` and ``domain``; use the challenge up.

    The challenge is taken only when everything else verified, in the caller's transaction
    (commit it). A challenge that is unknown, used, expired or another domain's fails the
    ``challenge`` check.

    :raises ParseError: when the presentation cannot be parsed at all.
    """
    secured = unwrap(value)
    policy = KeyBindingPolicy(aud=domain, nonce=challenge, max_age_seconds=MAX_AGE_SECONDS)
    report = verify_sd_jwt_vc(secured.token, ctx=ctx, now=now, key_binding=policy)
    if not report.verified:
        check = Check("challenge", Result.UNKNOWN, "not checked: the presentation failed")
        return _with(report, check)
    try:
        challenges.use(session, challenge=challenge, domain=domain, now=now)
    except ChallengeError as exc:
        failed = _with(report, Check("challenge", Result.FAILED, exc.description))
        return replace(failed, problems=(*failed.problems, exc))
    return _with(report, Check("challenge", Result.PASSED, "issued for this domain, now used"))


def _with(report: VerificationReport, check: Check) -> VerificationReport:
    return replace(report, checks=(*report.checks, check))
