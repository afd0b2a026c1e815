"""Verifier use-case: anything presented → a :class:`VerificationReport` (never a bare bool).

Every check has a name, a result (passed, failed, unknown, not applicable) and a reason.
The report has no default "valid": it is verified only when every check passed or does not
apply. Checks that depend on an earlier failure are "unknown". Status that cannot be
checked is "unknown", which makes the credential not verified (DESIGN §4, fail closed).

The hot path reads nothing from the database: keys come from the per-process
:class:`wallet.trust.KeyHistory`, issuers from the registry, types from memory.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NamedTuple

from wallet.credential_types import GENERIC, CredentialType, TypeRegistry
from wallet.errors import (
    AlgorithmError,
    CryptographicError,
    DataModelError,
    DisclosureError,
    HeaderError,
    KeyBindingError,
    KeyValidityError,
    RangeError,
    StatusError,
    StatusUnknownError,
    UnknownIssuerError,
    UnknownKeyError,
    VerificationError,
    WalletError,
)
from wallet.jose import JWK, VERIFYING_ALGORITHMS, check_header, parse_compact, verify_signature
from wallet.sdjwt import KeyBindingPolicy, VerifiedSDJWT, verify_sd_jwt
from wallet.status_check import StatusChecker
from wallet.trust import IssuerEntry, KeyHistory, KeyRecord, Registry
from wallet.vc import (
    JWT_CLAIMS,
    ValidityWindow,
    check_credential,
    check_validity_period,
    format_datetime_stamp,
    issuer_id,
    types_of,
    unwrap,
    validity_window,
)
from wallet.vc.jsonld import expand_strict

#: ``typ`` values accepted for a JOSE-secured credential (VC-JOSE-COSE §3.1.1).
VC_JWT_TYPES = frozenset({"vc+jwt", "application/vc+jwt"})
#: How far in the future a signing time may lie (clock skew between hosts), in seconds.
MAX_CLOCK_SKEW = 300


class Result(StrEnum):
    """The outcome of one check."""

    PASSED = "passed"
    FAILED = "failed"
    UNKNOWN = "unknown"
    NOT_APPLICABLE = "not applicable"


class Check(NamedTuple):
    """One named check with its result and the reason for it."""

    name: str
    result: Result
    reason: str


_PASSED, _FAILED = Result.PASSED, Result.FAILED
_UNKNOWN, _NOT_APPLICABLE = Result.UNKNOWN, Result.NOT_APPLICABLE
_GOOD = (Result.PASSED, Result.NOT_APPLICABLE)


@dataclass(frozen=True)
class VerificationReport:
    """What verification found, check by check."""

    checks: tuple[Check, ...]
    problems: tuple[WalletError, ...]
    credential: Mapping[str, Any] | None = None
    format: str = "vc+jwt"
    issuer: IssuerEntry | None = None
    type_name: str | None = None
    kid: str | None = None
    alg: str | None = None
    signed_at: int | None = None
    #: For an SD-JWT VC: the claim paths the presentation disclosed ("/"-joined).
    disclosed: tuple[str, ...] = ()
    #: For an SD-JWT VC presentation: the KB-JWT's audience and nonce.
    audience: str | None = None
    #: For a vp+jwt (``wallet.vp_verifier``): its holder, nonce and one report per credential.
    holder: str | None = None
    nonce: str | None = None
    credentials: tuple[VerificationReport, ...] = ()
    #: Checks whose "unknown" a policy accepts (only ``status``, by the documented switch).
    tolerated: frozenset[str] = frozenset()
    #: What the caller should know although the credential verified.
    warnings: tuple[str, ...] = ()

    @property
    def verified(self) -> bool:
        """True only when every check passed or does not apply (or is a tolerated unknown)."""
        # Every verification reads this, so it is a plain loop; identity tests decide the
        # common case, and equality (a plain string result) the rest, as before.
        for name, result, _ in self.checks:
            if result is _PASSED or result is _NOT_APPLICABLE:
                continue
            if result in _GOOD or (result is _UNKNOWN and name in self.tolerated):
                continue
            return False
        return bool(self.checks)


@dataclass(frozen=True)
class VerifierContext:
    """What verification needs, built once per process."""

    registry: Registry
    types: TypeRegistry
    key_history: KeyHistory
    #: Status lists; None only where status cannot be checked (then it is "unknown").
    status: StatusChecker | None = None
    #: The documented policy switch: accept an "unknown" status with a warning.
    accept_unknown_status: bool = False


@dataclass
class _Run:
    checks: list[Check] = field(default_factory=list)
    problems: list[WalletError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    tolerated: frozenset[str] = frozenset()

    def fail(self, name: str, exc: WalletError) -> bool:
        """Record ``name`` as failed for ``exc``; returns False (the check's outcome)."""
        self.checks.append(Check(name, _FAILED, exc.description))
        self.problems.append(exc)
        return False

    def skip(self, name: str, reason: str, result: Result = Result.UNKNOWN) -> None:
        self.checks.append(Check(name, result, reason))

    def status(self, ctx: VerifierContext, step: Callable[[StatusChecker], str]) -> None:
        """The ``status`` check: "unknown" (not "failed") when it cannot be established."""
        if ctx.status is None:
            self.skip("status", "this verifier has no access to status lists")
            return
        try:
            reason = step(ctx.status)
        except StatusUnknownError as exc:
            if ctx.accept_unknown_status:
                self.tolerated = frozenset({"status"})
                self.warnings.append(f"status unknown, accepted by policy: {exc.description}")
                self.skip("status", f"{exc.description} (accepted by policy)")
            else:
                self.skip("status", exc.description)
                self.problems.append(exc)
            return
        except StatusError as exc:
            self.checks.append(Check("status", Result.FAILED, exc.description))
            self.problems.append(exc)
            return
        self.checks.append(Check("status", Result.PASSED, reason))


def _strip_jwt_claims(payload: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in payload.items() if key not in JWT_CLAIMS}


#: Checks whose outcome and reason are fixed, built once rather than per verification.
_PARSE_PASSED = Check("parse", _PASSED, "a strict compact JWS with JSON header and payload")
_KEY_NOT_CHECKED = Check("key", _UNKNOWN, "not checked: the issuer or header was refused")
_SIGNATURE_NOT_CHECKED = Check("signature", _UNKNOWN, "not checked: no trusted key for this token")
_DATA_MODEL_PASSED = Check("dataModel", _PASSED, "conforms to the VC Data Model 2.0")
_ACCREDITATION_NOT_CHECKED = Check(
    "accreditation", _UNKNOWN, "not checked: issuer or signing time unknown"
)
_SCHEMA_GENERIC = Check("schema", _NOT_APPLICABLE, "generic credential: data-model checks only")
_STATUS_ABSENT = Check("status", _NOT_APPLICABLE, "the credential has no credentialStatus")
_STATUS_NOT_CHECKED = Check(
    "status", _UNKNOWN, "not checked: no verified signature of a registered issuer"
)


def verify_credential(value: Any, *, ctx: VerifierContext, now: int) -> VerificationReport:
    """Verify a credential in any accepted form (enveloped, compact JWS, JSON with an enveloped id).

    Every check runs in order and is recorded; a failure (a :class:`VerificationError`) is
    the check's reason, and the checks that depend on it are "unknown". The checks are
    written out in line rather than as closures: this is the hot path of ``make bench``.

    :raises ParseError: when the input cannot be parsed at all (the API answers 400).
    """
    secured = unwrap(value)
    if secured.media_type != "application/vc+jwt":
        return verify_sd_jwt_vc(secured.token, ctx=ctx, now=now, key_binding=None)
    parsed = parse_compact(secured.token)
    header, payload = parsed.header, parsed.payload
    credential = _strip_jwt_claims(payload)
    run = _Run()
    checks = run.checks
    checks.append(_PARSE_PASSED)

    header_ok = True
    try:
        check_header(header, typ=VC_JWT_TYPES, algorithms=VERIFYING_ALGORITHMS)
    except VerificationError as exc:
        header_ok = run.fail("header", exc)
    else:
        checks.append(Check("header", _PASSED, f"alg {header['alg']}, typ {header['typ']}"))

    issuer: IssuerEntry | None = None
    try:
        identifier = issuer_id(credential)
        if "iss" in payload and payload["iss"] != identifier:
            raise DataModelError("the iss claim does not equal the credential's issuer")
        issuer = ctx.registry.by_identifier(identifier)
    except VerificationError as exc:
        run.fail("issuer", exc)
    else:
        name = issuer.names.get("en") or issuer.slug
        checks.append(Check("issuer", _PASSED, f"{identifier} is registered ({name})"))

    key: KeyRecord | None = None
    signed_at: int | None = None
    if issuer is not None and header_ok:
        try:
            iat = payload.get("iat")
            if not isinstance(iat, int) or isinstance(iat, bool):
                raise DataModelError("iat (the signing time) must be an integer")
            if iat > now + MAX_CLOCK_SKEW:
                raise RangeError("the signing time (iat) is in the future")
            found = ctx.key_history.lookup(issuer.slug, header["kid"])
            found.check_usable_at(iat)
        except VerificationError as exc:
            run.fail("key", exc)
        else:
            key, signed_at = found, iat
            checks.append(Check("key", _PASSED, f"{found.kid} was valid at signing time"))
    else:
        checks.append(_KEY_NOT_CHECKED)

    signature_ok = False
    if key is not None:
        try:
            verify_signature(parsed, key.jwk)
        except VerificationError as exc:
            run.fail("signature", exc)
        else:
            signature_ok = True
            checks.append(Check("signature", _PASSED, f"{key.alg} signature verified"))
    else:
        checks.append(_SIGNATURE_NOT_CHECKED)

    window: ValidityWindow | None = None
    try:
        window = check_credential(credential)
    except VerificationError as exc:
        run.fail("dataModel", exc)
    else:
        checks.append(_DATA_MODEL_PASSED)
    ctype: CredentialType | None = None
    try:
        ctype = ctx.types.for_w3c_types(types_of(credential))
    except DataModelError:
        ctype = None
    type_name = ctype.name if ctype is not None else GENERIC

    if issuer is not None and signed_at is not None:
        try:
            issuer.check_accredited(type_name, signed_at)
        except VerificationError as exc:
            run.fail("accreditation", exc)
        else:
            reason = f"accredited for {type_name} at signing time"
            checks.append(Check("accreditation", _PASSED, reason))
    else:
        checks.append(_ACCREDITATION_NOT_CHECKED)

    try:
        reason = _validity(window or validity_window(credential), payload, now)
    except VerificationError as exc:
        run.fail("validityPeriod", exc)
    else:
        checks.append(Check("validityPeriod", _PASSED, reason))
    try:
        reason = _contexts(credential, ctype)
    except VerificationError as exc:
        run.fail("contexts", exc)
    else:
        checks.append(Check("contexts", _PASSED, reason))
    if ctype is not None:
        try:
            reason = _schema(credential, ctype)
        except VerificationError as exc:
            run.fail("schema", exc)
        else:
            checks.append(Check("schema", _PASSED, reason))
    else:
        checks.append(_SCHEMA_GENERIC)
    if "credentialStatus" not in credential:
        checks.append(_STATUS_ABSENT)
    elif issuer is None or not signature_ok:
        checks.append(_STATUS_NOT_CHECKED)
    else:
        entries, known = credential["credentialStatus"], issuer
        run.status(ctx, lambda c: c.check_credential_status(entries, issuer=known, now=now))
    kid, alg = header.get("kid"), header.get("alg")
    return VerificationReport(
        checks=tuple(checks),
        problems=tuple(run.problems),
        tolerated=run.tolerated,
        warnings=tuple(run.warnings),
        credential=credential,
        issuer=issuer,
        type_name=type_name,
        kid=kid if isinstance(kid, str) else None,
        alg=alg if isinstance(alg, str) else None,
        signed_at=signed_at,
    )


def _validity(window: ValidityWindow, payload: Mapping[str, Any], now: int) -> str:
    check_validity_period(window, now=now)
    for claim in ("exp", "nbf"):
        value = payload.get(claim)
        if value is None:
            continue
        if not isinstance(value, int) or isinstance(value, bool):
            raise DataModelError(f"{claim} must be an integer")
    if isinstance(payload.get("exp"), int) and now >= payload["exp"]:
        raise RangeError("the signature has expired (exp has passed)")
    if isinstance(payload.get("nbf"), int) and now < payload["nbf"]:
        raise RangeError("the signature is not valid yet (nbf is in the future)")
    if window.valid_until is not None:
        return f"valid until {format_datetime_stamp(window.valid_until)}"
    return "valid now (no end date)"


def _contexts(credential: Mapping[str, Any], ctype: CredentialType | None) -> str:
    if ctype is None:
        expand_strict(credential)
        return "JSON-LD expansion with bundled contexts defined every term"
    problems = ctype.term_problems(credential)
    if problems:
        raise DataModelError("; ".join(f"{p.pointer} {p.message}" for p in problems))
    return "the type's contexts, proven at load to define every term its schema allows"


def _schema(credential: Mapping[str, Any], ctype: CredentialType) -> str:
    subject = credential.get("credentialSubject")
    if not isinstance(subject, Mapping):
        raise DataModelError(f"a {ctype.name} credential has exactly one subject")
    ctype.check_subject(subject)
    return f"credentialSubject matches the {ctype.name} schema v{ctype.version}"


#: Which check an SD-JWT failure belongs to, by error class (most specific first).
_SD_JWT_CHECKS: tuple[tuple[type[WalletError], str], ...] = (
    (UnknownIssuerError, "issuer"),
    (UnknownKeyError, "key"),
    (KeyValidityError, "key"),
    (KeyBindingError, "keyBinding"),
    (DisclosureError, "disclosures"),
    (HeaderError, "header"),
    (AlgorithmError, "header"),
    (CryptographicError, "signature"),
    (RangeError, "validityPeriod"),
)
_NOT_CHECKED = "not checked: an earlier check failed"
_SD_JWT_ORDER = (
    "header", "issuer", "key", "signature", "disclosures", "keyBinding", "type",
    "accreditation", "validityPeriod", "status",
)  # fmt: skip


def verify_sd_jwt_vc(
    serialized: str,
    *,
    ctx: VerifierContext,
    now: int,
    key_binding: KeyBindingPolicy | None,
) -> VerificationReport:
    """Verify an SD-JWT VC (without key binding) or a presentation of one (with it).

    The issuer is found by ``iss`` (its HTTPS identifier) in the registry and the key by
    ``kid`` in its key history, valid at the signing time ``iat``; the type by ``vct``.
    Everything RFC 9901 §7 asks is done by :func:`wallet.sdjwt.verify_sd_jwt`; a failure is
    reported under the check it belongs to, and the checks after it are "unknown".

    :raises ParseError: when the serialization cannot be parsed at all (the API answers 400).
    :raises PayloadTooLargeError: above the size caps.
    """
    found: dict[str, Any] = {}

    def issuer_key(header: Mapping[str, Any], payload: Mapping[str, Any]) -> JWK:
        iss, iat, kid = payload.get("iss"), payload.get("iat"), header.get("kid")
        if not isinstance(iss, str):
            raise DataModelError("an SD-JWT VC names its issuer in iss")
        issuer = ctx.registry.by_identifier(iss)
        found["issuer"] = issuer
        if not isinstance(iat, int) or isinstance(iat, bool):
            raise DataModelError("iat (the signing time) must be an integer")
        if iat > now + MAX_CLOCK_SKEW:
            raise RangeError("the signing time (iat) is in the future")
        if not isinstance(kid, str):
            raise UnknownKeyError("the token names no key (kid)")
        key = ctx.key_history.lookup(issuer.slug, kid)
        key.check_usable_at(iat)
        found["key"], found["iat"] = key, iat
        return key.jwk

    checks: dict[str, Check] = {}
    problems: list[WalletError] = []
    tolerated: frozenset[str] = frozenset()
    warnings: tuple[str, ...] = ()
    result: VerifiedSDJWT | None = None
    try:
        result = verify_sd_jwt(serialized, issuer_key=issuer_key, now=now, key_binding=key_binding)
    except (VerificationError, DataModelError) as exc:
        name = next((n for cls, n in _SD_JWT_CHECKS if isinstance(exc, cls)), "signature")
        checks[name] = Check(name, Result.FAILED, exc.description)
        problems.append(exc)
    issuer: IssuerEntry | None = found.get("issuer")
    ctype: CredentialType | None = None
    if result is not None:
        passed = {
            "header": f"alg {result.header.get('alg')}, typ {result.header.get('typ')}",
            "issuer": f"{result.payload['iss']} is registered",
            "key": f"{found['key'].kid} was valid at signing time",
            "signature": f"{found['key'].alg} signature verified",
            "disclosures": f"{len(result.disclosed)} disclosure(s), each referenced once",
            "validityPeriod": "iat, nbf and exp hold now",
        }
        for name, reason in passed.items():
            checks[name] = Check(name, Result.PASSED, reason)
        if key_binding is None:
            checks["keyBinding"] = Check(
                "keyBinding", Result.NOT_APPLICABLE, "an SD-JWT VC without a presentation"
            )
        else:
            checks["keyBinding"] = Check(
                "keyBinding", Result.PASSED, "KB-JWT signed by the cnf key, audience and nonce hold"
            )
        vct = result.payload.get("vct")
        ctype = _type_of_vct(ctx.types, vct)
        if ctype is None:
            error = DataModelError(f"vct {vct!r} is not a credential type registered here")
            checks["type"] = Check("type", Result.FAILED, error.description)
            problems.append(error)
        else:
            checks["type"] = Check("type", Result.PASSED, f"vct is {ctype.name} v{ctype.version}")
            assert issuer is not None
            try:
                issuer.check_accredited(ctype.name, found["iat"])
                checks["accreditation"] = Check(
                    "accreditation", Result.PASSED, f"accredited for {ctype.name} at signing time"
                )
            except VerificationError as exc:
                checks["accreditation"] = Check("accreditation", Result.FAILED, exc.description)
                problems.append(exc)
        status_run = _Run()
        if "status" not in result.payload:
            status_run.skip("status", "the credential has no status", Result.NOT_APPLICABLE)
        else:
            claim, known = result.payload["status"], issuer
            assert known is not None
            status_run.status(ctx, lambda c: c.check_token_status(claim, issuer=known, now=now))
        checks["status"] = status_run.checks[0]
        problems.extend(status_run.problems)
        tolerated, warnings = status_run.tolerated, tuple(status_run.warnings)
    ordered = tuple(
        checks[name] if name in checks else Check(name, Result.UNKNOWN, _NOT_CHECKED)
        for name in _SD_JWT_ORDER
    )
    return VerificationReport(
        checks=ordered,
        problems=tuple(problems),
        credential=result.claims if result is not None else None,
        format="dc+sd-jwt",
        issuer=issuer,
        type_name=ctype.name if ctype is not None else None,
        kid=found["key"].kid if "key" in found else None,
        alg=found["key"].alg if "key" in found else None,
        signed_at=found.get("iat"),
        disclosed=tuple("/".join(str(p) for p in path) for path in result.disclosed)
        if result is not None
        else (),
        audience=key_binding.aud if key_binding is not None and result is not None else None,
        tolerated=tolerated,
        warnings=warnings,
    )


def _type_of_vct(types: TypeRegistry, vct: object) -> CredentialType | None:
    if not isinstance(vct, str) or "/types/" not in vct:
        return None
    suffix = vct.rsplit("/types/", 1)[1]
    for ctype in types.types.values():
        if ctype.vct == suffix:
            return ctype
    return None
