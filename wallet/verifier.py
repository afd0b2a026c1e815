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
    DataModelError,
    ParseError,
    RangeError,
    VerificationError,
    WalletError,
)
from wallet.jose import VERIFYING_ALGORITHMS, check_header, parse_compact, verify_signature
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

    @property
    def verified(self) -> bool:
        """True only when every check passed or does not apply."""
        return bool(self.checks) and all(
            check.result in (Result.PASSED, Result.NOT_APPLICABLE) for check in self.checks
        )


@dataclass(frozen=True)
class VerifierContext:
    """What verification needs, built once per process."""

    registry: Registry
    types: TypeRegistry
    key_history: KeyHistory


@dataclass
class _Run:
    checks: list[Check] = field(default_factory=list)
    problems: list[WalletError] = field(default_factory=list)

    def run(self, name: str, step: Callable[[], str]) -> bool:
        try:
            reason = step()
        except VerificationError as exc:
            self.checks.append(Check(name, Result.FAILED, exc.description))
            self.problems.append(exc)
            return False
        self.checks.append(Check(name, Result.PASSED, reason))
        return True

    def skip(self, name: str, reason: str, result: Result = Result.UNKNOWN) -> None:
        self.checks.append(Check(name, result, reason))


def _strip_jwt_claims(payload: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in payload.items() if key not in JWT_CLAIMS}


def verify_credential(value: Any, *, ctx: VerifierContext, now: int) -> VerificationReport:
    """Verify a credential in any accepted form (enveloped, compact JWS, JSON with an enveloped id).

    :raises ParseError: when the input cannot be parsed at all (the API answers 400).
    """
    secured = unwrap(value)
    if secured.media_type != "application/vc+jwt":
        raise ParseError("SD-JWT VCs are not accepted by this verifier yet")
    parsed = parse_compact(secured.token)
    header, payload = parsed.header, parsed.payload
    credential = _strip_jwt_claims(payload)
    run = _Run()
    run.skip("parse", "a strict compact JWS with JSON header and payload", Result.PASSED)

    def header_step() -> str:
        check_header(header, typ=VC_JWT_TYPES, algorithms=VERIFYING_ALGORITHMS)
        return f"alg {header['alg']}, typ {header['typ']}"

    header_ok = run.run("header", header_step)

    issuer: IssuerEntry | None = None
    key: KeyRecord | None = None
    signed_at: int | None = None

    def issuer_step() -> str:
        nonlocal issuer
        identifier = issuer_id(credential)
        if "iss" in payload and payload["iss"] != identifier:
            raise DataModelError("the iss claim does not equal the credential's issuer")
        issuer = ctx.registry.by_identifier(identifier)
        return f"{identifier} is registered ({issuer.names.get('en') or issuer.slug})"

    issuer_ok = run.run("issuer", issuer_step)

    def key_step() -> str:
        nonlocal key, signed_at
        assert issuer is not None
        iat = payload.get("iat")
        if not isinstance(iat, int) or isinstance(iat, bool):
            raise DataModelError("iat (the signing time) must be an integer")
        if iat > now + MAX_CLOCK_SKEW:
            raise RangeError("the signing time (iat) is in the future")
        key = ctx.key_history.lookup(issuer.slug, header["kid"])
        key.check_usable_at(iat)
        signed_at = iat
        return f"{key.kid} was valid at signing time"

    if issuer_ok and header_ok:
        key_ok = run.run("key", key_step)
    else:
        key_ok = False
        run.skip("key", "not checked: the issuer or header was refused")

    def signature_step() -> str:
        assert key is not None
        verify_signature(parsed, key.jwk)
        return f"{key.alg} signature verified"

    if key_ok:
        run.run("signature", signature_step)
    else:
        run.skip("signature", "not checked: no trusted key for this token")

    windows: list[ValidityWindow] = []

    def data_model_step() -> str:
        windows.append(check_credential(credential))
        return "conforms to the VC Data Model 2.0"

    run.run("dataModel", data_model_step)
    ctype: CredentialType | None = None
    try:
        ctype = ctx.types.for_w3c_types(types_of(credential))
    except DataModelError:
        ctype = None
    type_name = ctype.name if ctype is not None else GENERIC

    def accreditation_step() -> str:
        assert issuer is not None and signed_at is not None
        issuer.check_accredited(type_name, signed_at)
        return f"accredited for {type_name} at signing time"

    if issuer is not None and signed_at is not None:
        run.run("accreditation", accreditation_step)
    else:
        run.skip("accreditation", "not checked: issuer or signing time unknown")

    run.run(
        "validityPeriod",
        lambda: _validity(windows[0] if windows else validity_window(credential), payload, now),
    )
    run.run("contexts", lambda: _contexts(credential, ctype))
    if ctype is not None:
        run.run("schema", lambda: _schema(credential, ctype))
    else:
        run.skip("schema", "generic credential: data-model checks only", Result.NOT_APPLICABLE)
    if "credentialStatus" in credential:
        run.skip("status", "credential status cannot be checked by this service yet")
    else:
        run.skip("status", "the credential has no credentialStatus", Result.NOT_APPLICABLE)
    return VerificationReport(
        checks=tuple(run.checks),
        problems=tuple(run.problems),
        credential=credential,
        issuer=issuer,
        type_name=type_name,
        kid=header.get("kid") if isinstance(header.get("kid"), str) else None,
        alg=header.get("alg") if isinstance(header.get("alg"), str) else None,
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
