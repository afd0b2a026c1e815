"""Presentations: the learner presents chosen claims of an SD-JWT VC, or whole vc+jwt
credentials, to a verifier's challenge; the verifier checks the presentation and uses the
challenge up.

Present (holder side): for an SD-JWT VC the wallet builds an SD-JWT+KB of the claims the
learner picks, with a Key Binding JWT whose ``aud`` is the verifier's domain and ``nonce``
the challenge, signed with the wallet's P-256 holder key (the credential's ``cnf``). For
vc+jwt credentials it builds a ``vp+jwt`` (VC-JOSE-COSE §3.2) around the enveloped
credentials, with the same ``aud`` and ``nonce``, signed with the same key, whose
``did:jwk`` is the holder and the credentials' subject (:func:`present_vc_jwt`).

Verify (verifier side): freshness is the request's policy. An interactive presentation must
carry a challenge from ``POST /challenges`` for this domain that was not used yet (this
verification uses it up) and an ``iat`` (of the KB-JWT or the vp+jwt) at most
:data:`MAX_AGE_SECONDS` old. A vp+jwt is checked by :func:`wallet.vp_verifier.verify_vp_jwt`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from sqlmodel import Session

from wallet import challenges, holder
from wallet.db import wallet_crud
from wallet.errors import ChallengeError, InputError, NotFoundError
from wallet.holder import HolderContext
from wallet.jose import parse_compact
from wallet.sdjwt import ClaimPath, KeyBindingPolicy, present
from wallet.vc import (
    MAX_PRESENTED,
    PresentationPolicy,
    build_presentation,
    secure_vp_jwt,
    unwrap,
    vp_jwt_of,
)
from wallet.verifier import Check, Result, VerificationReport, VerifierContext, verify_sd_jwt_vc
from wallet.vp_verifier import verify_vp_jwt

#: How old a presentation (its KB-JWT or its vp+jwt) may be when it is verified, in seconds.
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

    A vc+jwt credential is presented whole, as a ``vp+jwt`` (:func:`present_vc_jwt`):
    ``disclose`` must then be empty.

    :raises NotFoundError: when the credential is not in the learner's wallets.
    :raises InputError: when it is a vc+jwt and ``disclose`` is not empty, or the request is
        malformed.
    """
    if len(disclose) > MAX_PATHS:
        raise InputError(f"at most {MAX_PATHS} claims per presentation")
    challenges.check_domain(domain)
    _check_challenge(challenge)
    item = wallet_crud.item_of(session, account_id=account_id, item_id=item_id)
    if item is None:
        raise NotFoundError("no such credential")
    if item.format == "vc+jwt":
        if disclose:
            raise InputError("a vc+jwt credential is presented whole; leave disclose empty")
        return present_vc_jwt(
            session, ctx=ctx, account_id=account_id, item_ids=[item_id],
            aud=domain, nonce=challenge, now=now,
        )  # fmt: skip
    if item.format != "dc+sd-jwt":
        raise InputError(f"a {item.format} credential cannot be presented")
    wallet = wallet_crud.wallet_by_id(session, wallet_id=item.wallet_id)
    assert wallet is not None
    token = holder.raw_token(session, ctx=ctx, account_id=account_id, item_id=item_id)
    p256, _ = holder.holder_keys(ctx, wallet)
    return present(
        token, keep=[tuple(path) for path in disclose], holder_key=p256,
        aud=domain, nonce=challenge, iat=now,
    )  # fmt: skip


def _check_challenge(challenge: str) -> None:
    if not challenge or len(challenge) > 128:
        raise InputError("the challenge is 1 to 128 characters")


def present_vc_jwt(
    session: Session,
    *,
    ctx: HolderContext,
    account_id: int,
    item_ids: Sequence[str],
    aud: str,
    nonce: str,
    now: int,
) -> str:
    """A compact ``vp+jwt`` of the learner's vc+jwt credentials ``item_ids`` (one wallet's).

    The presentation's ``holder`` is the wallet's ``did:jwk``, each credential goes in
    enveloped (``data:application/vc+jwt,``), and the JWS is signed with the wallet's P-256
    holder key (``kid`` ``<did:jwk>#0``) over ``aud``, ``nonce`` and ``iat`` = ``now``.
    For a challenge, ``aud`` is the verifier's domain and ``nonce`` the challenge; for a
    share link, the share URL and the share's id. Nothing is stored.

    :raises NotFoundError: when a credential is not in the learner's wallets.
    :raises InputError: for no or too many or repeated credentials, one that is not a
        vc+jwt, credentials of different wallets (different holders), one whose subject is
        not the wallet's holder (an imported credential of someone else), or an ``aud`` or
        ``nonce`` that cannot be used.
    """
    if not item_ids or len(item_ids) > MAX_PRESENTED:
        raise InputError(f"a presentation carries 1 to {MAX_PRESENTED} credentials")
    if len(set(item_ids)) != len(item_ids):
        raise InputError("a credential is named twice")
    challenges.check_domain(aud)
    _check_challenge(nonce)
    wallet_ids: set[int] = set()
    for item_id in item_ids:
        item = wallet_crud.item_of(session, account_id=account_id, item_id=item_id)
        if item is None:
            raise NotFoundError("no such credential")
        if item.format != "vc+jwt":
            raise InputError(
                f"only vc+jwt credentials go into a vp+jwt; this one is a {item.format}"
            )
        wallet_ids.add(item.wallet_id)
    if len(wallet_ids) != 1:
        raise InputError("credentials of different wallets have different holders")
    wallet = wallet_crud.wallet_by_id(session, wallet_id=wallet_ids.pop())
    assert wallet is not None
    tokens = [
        holder.raw_token(session, ctx=ctx, account_id=account_id, item_id=item_id)
        for item_id in item_ids
    ]
    for token in tokens:
        subject = parse_compact(token).payload.get("credentialSubject")
        if not isinstance(subject, dict) or subject.get("id") != wallet.holder_did:
            raise InputError("a credential is not about this wallet's holder, so it cannot "
                             "be presented with this wallet's key")  # fmt: skip
    p256, _ = holder.holder_keys(ctx, wallet)
    presentation = build_presentation(holder=wallet.holder_did, credentials=tokens)
    return secure_vp_jwt(
        presentation, key=p256, kid=f"{wallet.holder_did}#0", aud=aud, nonce=nonce, iat=now
    )


def verify_presentation(
    session: Session,
    *,
    ctx: VerifierContext,
    value: object,
    challenge: str,
    domain: str,
    now: int,
) -> VerificationReport:
    """Verify an SD-JWT+KB or a ``vp+jwt`` made for ``challenge`` and ``domain``; use the
    challenge up.

    A ``vp+jwt`` (compact, its data URL, or enveloped) is checked by
    :func:`wallet.vp_verifier.verify_vp_jwt` with ``aud`` = domain, ``nonce`` = challenge
    and ``iat`` at most :data:`MAX_AGE_SECONDS` old; anything else as an SD-JWT+KB.
    The challenge is taken only when everything else verified, in the caller's transaction
    (commit it). A challenge that is unknown, used, expired or another domain's fails the
    ``challenge`` check.

    :raises ParseError: when the presentation cannot be parsed at all.
    """
    vp_jwt = vp_jwt_of(value)
    if vp_jwt is not None:
        vp_policy = PresentationPolicy(aud=domain, nonce=challenge, max_age_seconds=MAX_AGE_SECONDS)
        report = verify_vp_jwt(vp_jwt, ctx=ctx, now=now, policy=vp_policy)
    else:
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
