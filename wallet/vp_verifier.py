"""Verifier use-case for ``vp+jwt`` presentations: a presentation → a :class:`VerificationReport`.

The policy (:class:`wallet.vc.PresentationPolicy`) is the caller's: ``POST
/presentations/verify`` passes the challenge and domain (and uses the challenge up
afterwards, :mod:`wallet.presentations`); a share link passes its URL, its id and its
lifetime, and opens the same presentation many times.

The report's checks, in order (each named, with a result and a reason; a check that
depends on an earlier failure is "unknown"):

``parse``
    a strict compact JWS with JSON header and payload (otherwise :class:`ParseError`, 400);
``header``
    ``typ`` ``vp+jwt``, ``cty`` ``vp`` when present, ``alg`` in the policy's list (never
    ``none`` or ``HS*``), a ``kid``, no header that names its own key;
``dataModel``
    the presentation (VC 2.0 §4.13): base context, ``VerifiablePresentation``, a
    ``holder``, 1 to :data:`~wallet.vc.MAX_PRESENTED` enveloped ``vc+jwt`` credentials;
``holderKey``
    the holder is a ``did:jwk`` (no other DID method is accepted here) naming a usable
    key, and ``kid`` is that DID's ``#0``;
``presentationSignature``
    the JWS verifies with the holder's key;
``audience``, ``nonce``, ``freshness``
    ``aud`` and ``nonce`` equal the policy's; ``iat`` inside the policy's age and window,
    not ahead beyond clock skew; ``exp``/``nbf`` when present;
``credential[i]``
    each enveloped credential passes :func:`wallet.verifier.verify_credential` (every
    check, status included); its own report is in ``report.credentials[i]``;
``holderBinding``
    every credential's ``credentialSubject.id`` is the holder, so the holder's signature
    proves control of the subject's DID.

Credentials are verified only once the presentation's own signature, audience, nonce and
freshness hold, so a forged or replayed presentation costs one signature check.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from wallet.dids import resolve_did_jwk
from wallet.errors import (
    DataModelError,
    HeaderError,
    InputError,
    ParseError,
    PresentationError,
    VerificationError,
    WalletError,
)
from wallet.jose import JWK, ParsedJWS, check_header, parse_compact, verify_signature
from wallet.vc import (
    VP_JWT_TYPES,
    PresentationPolicy,
    PresentedCredentials,
    check_audience,
    check_freshness,
    check_kid,
    check_nonce,
    check_presentation,
    check_subject_is_holder,
    presentation_of,
    vp_jwt_of,
)
from wallet.verifier import Check, Result, VerificationReport, VerifierContext, verify_credential

VP_JWT_FORMAT = "vp+jwt"
_NOT_CHECKED = "not checked: an earlier check failed"


@dataclass
class _Checks:
    checks: list[Check] = field(default_factory=list)
    problems: list[WalletError] = field(default_factory=list)

    def run(self, name: str, step: Callable[[], str]) -> bool:
        try:
            reason = step()
        except VerificationError as exc:
            self.fail(name, exc)
            return False
        self.checks.append(Check(name, Result.PASSED, reason))
        return True

    def fail(self, name: str, error: WalletError) -> None:
        self.checks.append(Check(name, Result.FAILED, error.description))
        self.problems.append(error)

    def skip(self, name: str, reason: str = _NOT_CHECKED) -> None:
        self.checks.append(Check(name, Result.UNKNOWN, reason))


def holder_key(holder: str) -> JWK:
    """The public key of a ``did:jwk`` holder.

    :raises PresentationError: (reason "holder_method") for any other DID method or URL,
        (reason "holder_key") for a did:jwk that names no usable key.
    """
    if not holder.startswith("did:jwk:"):
        method = ":".join(holder.split(":")[:2]) if holder.startswith("did:") else "a URL"
        raise PresentationError(
            f"only did:jwk holders are accepted here, not {method[:40]}", reason="holder_method"
        )
    try:
        return resolve_did_jwk(holder)
    except (InputError, VerificationError) as exc:
        raise PresentationError(
            f"the holder's did:jwk names no usable key: {exc.description}", reason="holder_key"
        ) from exc


def _check_header(header: Mapping[str, Any], policy: PresentationPolicy) -> str:
    check_header(header, typ=VP_JWT_TYPES, algorithms=policy.algorithms)
    if "cty" in header and header["cty"] not in ("vp", "application/vp"):
        raise HeaderError("the cty of a vp+jwt must be vp")
    return f"alg {header['alg']}, typ {header['typ']}"


def _credential_check(index: int, token: str, *, ctx: VerifierContext, now: int) -> tuple[
    Check, VerificationReport | None, tuple[WalletError, ...]
]:  # fmt: skip
    name = f"credential[{index}]"
    try:
        report = verify_credential(token, ctx=ctx, now=now)
    except InputError as exc:
        error = DataModelError(f"the credential cannot be read: {exc.description}")
        return Check(name, Result.FAILED, error.description), None, (error,)
    if report.verified:
        label = report.type_name or "credential"
        issuer = report.issuer.slug if report.issuer is not None else "?"
        return Check(name, Result.PASSED, f"{label} of {issuer}: every check passed"), report, ()
    # The first check that keeps the credential from verifying gives the reason.
    bad = next(
        (
            c
            for c in report.checks
            if c.result is Result.FAILED
            or (c.result is Result.UNKNOWN and c.name not in report.tolerated)
        ),
        Check("checks", Result.UNKNOWN, "no check ran"),
    )
    result = Result.FAILED if bad.result is Result.FAILED else Result.UNKNOWN
    return Check(name, result, f"{bad.name}: {bad.reason}"), report, report.problems


def verify_vp_jwt(
    serialized: str, *, ctx: VerifierContext, now: int, policy: PresentationPolicy
) -> VerificationReport:
    """Verify a ``vp+jwt`` (compact, or its ``data:application/vp+jwt,`` URL) for ``policy``.

    The report's ``format`` is ``vp+jwt``; ``holder``, ``audience``, ``nonce``, ``kid``,
    ``alg`` and ``signed_at`` (``iat``) describe the presentation, ``credential`` is the
    presentation without its JWT claims, ``credentials`` one report per enveloped
    credential (those verified), ``warnings`` theirs, prefixed with ``credential[i]``.

    :raises ParseError: when it is not a compact JWS with JSON header and payload (400).
    :raises PayloadTooLargeError: above the size caps.
    """
    token = vp_jwt_of(serialized)
    if token is None:
        raise ParseError("not a compact vp+jwt")
    parsed = parse_compact(token)
    header, payload = parsed.header, parsed.payload
    run = _Checks()
    run.checks.append(Check("parse", Result.PASSED, "a strict compact JWS"))
    header_ok = run.run("header", lambda: _check_header(header, policy))
    presentation = presentation_of(payload)
    found: list[PresentedCredentials] = []

    def data_model_step() -> str:
        found.append(check_presentation(presentation))
        return f"a presentation of {len(found[0].credentials)} enveloped vc+jwt credential(s)"

    run.run("dataModel", data_model_step)
    presented = found[0] if found else None
    signed = False
    if presented is not None and header_ok:
        signed = _signature(run, parsed, presented.holder)
    else:
        run.skip("holderKey")
        run.skip("presentationSignature")
    made: list[int] = []

    def freshness_step() -> str:
        made.append(check_freshness(payload, policy, now=now))
        return f"made at {made[0]}, inside what this verifier accepts"

    bound = False
    if signed:
        steps = (
            ("audience", lambda: f"for {check_audience(payload, policy)}"),
            ("nonce", lambda: f"carries the expected nonce {check_nonce(payload, policy)}"),
            ("freshness", freshness_step),
        )
        bound = all([run.run(name, step) for name, step in steps])
    else:
        for name in ("audience", "nonce", "freshness"):
            run.skip(name, "not checked: the presentation's signature was not verified")
    iat = made[0] if made else None
    reports: list[VerificationReport] = []
    warnings: list[str] = []
    if bound and presented is not None:
        for index, credential_token in enumerate(presented.credentials):
            check, report, problems = _credential_check(index, credential_token, ctx=ctx, now=now)
            run.checks.append(check)
            run.problems.extend(problems)
            if report is not None:
                reports.append(report)
                warnings.extend(f"credential[{index}]: {w}" for w in report.warnings)
        _holder_binding(run, reports, presented)
    else:
        count = len(presented.credentials) if presented is not None else 0
        for index in range(count):
            run.skip(f"credential[{index}]", "not checked: the presentation was refused")
        run.skip("holderBinding")
    alg, kid = header.get("alg"), header.get("kid")
    return VerificationReport(
        checks=tuple(run.checks),
        problems=tuple(run.problems),
        credential=presentation,
        format=VP_JWT_FORMAT,
        kid=kid if isinstance(kid, str) else None,
        alg=alg if isinstance(alg, str) else None,
        signed_at=iat,
        audience=policy.aud if bound else None,
        holder=presented.holder if presented is not None else None,
        nonce=policy.nonce if bound else None,
        credentials=tuple(reports),
        warnings=tuple(warnings),
    )


def _signature(run: _Checks, parsed: ParsedJWS, holder: str) -> bool:
    """The ``holderKey`` and ``presentationSignature`` checks; True when both passed."""
    keys: list[JWK] = []

    def key_step() -> str:
        key = holder_key(holder)
        check_kid(parsed.header.get("kid"), holder)
        keys.append(key)
        return f"did:jwk holder, {key.alg} key, kid is the holder's #0"

    if not run.run("holderKey", key_step):
        run.skip("presentationSignature", "not checked: the holder's key was refused")
        return False

    def signature_step() -> str:
        verify_signature(parsed, keys[0])
        return f"{keys[0].alg} signature of the holder verified"

    return run.run("presentationSignature", signature_step)


def _holder_binding(
    run: _Checks, reports: list[VerificationReport], presented: PresentedCredentials
) -> None:
    if len(reports) != len(presented.credentials):
        run.skip("holderBinding", "not checked: a credential could not be read")
        return

    def step() -> str:
        for index, report in enumerate(reports):
            try:
                check_subject_is_holder(report.credential or {}, presented.holder)
            except PresentationError as exc:
                raise PresentationError(
                    f"credential[{index}]: {exc.description}", reason=exc.reason
                ) from exc
        return "every credential's subject is the holder who signed"

    run.run("holderBinding", step)
