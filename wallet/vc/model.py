"""W3C VC Data Model 2.0 conformance checks (REC 15 May 2025, §4) and date handling.

These checks are structural and cheap: they run on every issuance and verification.
JSON-LD expansion (``jsonld.py``) runs only for generic credentials; registered types are
proven at load time to use only defined terms.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple

from wallet.errors import DataModelError, ExpiredCredentialError, NotYetValidError

CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
VERIFIABLE_CREDENTIAL = "VerifiableCredential"
#: Top-level terms the VC 2.0 base context defines for a credential. A credential of a
#: registered type may carry only these at its top level, so it never needs JSON-LD
#: expansion (its subject's terms are proven defined when the type loads).
VC_V2_TERMS = frozenset(
    {
        "@context", "id", "type", "name", "description", "issuer", "credentialSubject",
        "validFrom", "validUntil", "credentialStatus", "credentialSchema", "refreshService",
        "termsOfUse", "evidence", "relatedResource",
    }
)  # fmt: skip

# XML Schema dateTimeStamp: a dateTime with a mandatory time zone (VC 2.0 §4.9).
_DATETIME_STAMP = re.compile(
    r"-?\d{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d"
    r"(\.\d+)?(Z|[+-](0\d|1[0-4]):[0-5]\d)"
)
# An absolute URI (RFC 3986 §4.3): a scheme, a colon, and no whitespace.
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]+")


def is_url(value: object) -> bool:
    """True when ``value`` is a string holding an absolute URI (VC 2.0 §4.4 "URL")."""
    return isinstance(value, str) and _URL.fullmatch(value) is not None


def parse_datetime_stamp(value: object, *, field: str) -> int:
    """Parse an XML Schema ``dateTimeStamp`` into Unix seconds (VC 2.0 §4.9).

    :raises DataModelError: when the value is not a dateTimeStamp (a time zone is required).
    """
    if not isinstance(value, str) or _DATETIME_STAMP.fullmatch(value) is None:
        raise DataModelError(f"{field} must be an XML Schema dateTimeStamp with a time zone")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise DataModelError(f"{field} is not a valid date and time") from exc
    return int(parsed.timestamp())


@functools.lru_cache(maxsize=256)
def format_datetime_stamp(seconds: int) -> str:
    """Format Unix seconds as a UTC dateTimeStamp (``2026-06-01T00:00:00Z``)."""
    return datetime.fromtimestamp(seconds, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def types_of(document: Mapping[str, Any]) -> tuple[str, ...]:
    """The ``type`` values of a document as a tuple (a single string is one type)."""
    value = document.get("type")
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and value:
        # A loop, not all() over a generator: this runs several times per verification.
        for item in value:
            if type(item) is not str and not isinstance(item, str):
                break
        else:
            return tuple(value)
    raise DataModelError("type must be a string or a non-empty array of strings")


def issuer_id(credential: Mapping[str, Any]) -> str:
    """The issuer's identifier: ``issuer`` itself or ``issuer.id`` (VC 2.0 §4.7)."""
    issuer = credential.get("issuer")
    if isinstance(issuer, Mapping):
        issuer = issuer.get("id")
    if not is_url(issuer):
        raise DataModelError("issuer must be a URL or an object whose id is a URL")
    assert isinstance(issuer, str)
    return issuer


def _objects(value: Any, *, field: str) -> Sequence[Mapping[str, Any]]:
    items = value if isinstance(value, list) else [value]
    if not items:
        raise DataModelError(f"{field} must be an object or a non-empty array of objects")
    for item in items:
        # Parsed JSON objects are dicts: the exact type test spares the ABC check.
        if type(item) is not dict and not isinstance(item, Mapping):
            raise DataModelError(f"{field} must be an object or a non-empty array of objects")
    return items


def _check_language_value(value: Any, *, field: str) -> None:
    # VC 2.0 §11.1: a string, a language value object, or an array of them.
    items = value if isinstance(value, list) else [value]
    for item in items:
        if isinstance(item, str):
            continue
        if isinstance(item, Mapping) and isinstance(item.get("@value"), str):
            continue
        raise DataModelError(f"{field} must be a string or language value objects")


def _check_typed(value: Any, *, field: str, id_required: bool) -> None:
    for item in _objects(value, field=field):
        if "type" not in item:
            raise DataModelError(f"every {field} entry needs a type")
        types_of(item)
        if (id_required or "id" in item) and not is_url(item.get("id")):
            raise DataModelError(f"{field}.id must be a URL")


class ValidityWindow(NamedTuple):
    """``validFrom`` and ``validUntil`` in Unix seconds (None when absent)."""

    valid_from: int | None
    valid_until: int | None


def validity_window(credential: Mapping[str, Any]) -> ValidityWindow:
    """Parse ``validFrom`` and ``validUntil`` (VC 2.0 §4.9).

    :raises DataModelError: when one is not a dateTimeStamp or the end precedes the start.
    """
    valid_from = valid_until = None
    if "validFrom" in credential:
        valid_from = parse_datetime_stamp(credential["validFrom"], field="validFrom")
    if "validUntil" in credential:
        valid_until = parse_datetime_stamp(credential["validUntil"], field="validUntil")
    if valid_from is not None and valid_until is not None and valid_until < valid_from:
        raise DataModelError("validUntil is before validFrom")
    return ValidityWindow(valid_from, valid_until)


def check_contexts(document: Mapping[str, Any]) -> None:
    """``@context`` of a credential or presentation: the VC 2.0 context first, then URLs or
    objects (§4.3).

    :raises DataModelError: when it is not so.
    """
    context = document.get("@context")
    if not isinstance(context, list) or not context or context[0] != CREDENTIALS_V2:
        raise DataModelError(f"@context must be an array whose first item is {CREDENTIALS_V2}")
    for item in context[1:]:
        if not (is_url(item) or isinstance(item, Mapping)):
            raise DataModelError("every @context item must be a URL or an object")


def check_credential(credential: Mapping[str, Any]) -> ValidityWindow:
    """Check a credential against the VC Data Model 2.0 (§4.1–§4.12, §5.5).

    :returns: its validity window, parsed once for the validity check.
    :raises DataModelError: naming the first rule broken.
    """
    check_contexts(credential)
    if VERIFIABLE_CREDENTIAL not in types_of(credential):
        raise DataModelError("type must include VerifiableCredential")
    if "id" in credential and not is_url(credential["id"]):
        raise DataModelError("id must be a URL")
    issuer_id(credential)
    if "credentialSubject" not in credential or isinstance(credential["credentialSubject"], str):
        raise DataModelError("credentialSubject must be an object or an array of objects")
    for subject in _objects(credential["credentialSubject"], field="credentialSubject"):
        if "id" in subject and not is_url(subject["id"]):
            raise DataModelError("credentialSubject.id must be a URL")
    for name in ("name", "description"):
        if name in credential:
            _check_language_value(credential[name], field=name)
    window = validity_window(credential)
    for name in ("credentialStatus", "credentialSchema", "refreshService"):
        if name in credential:
            _check_typed(credential[name], field=name, id_required=name != "credentialStatus")
    for name in ("termsOfUse", "evidence"):
        if name in credential:
            _check_typed(credential[name], field=name, id_required=False)
    for legacy in ("issuanceDate", "expirationDate"):
        if legacy in credential:
            raise DataModelError(f"{legacy} is VC 1.1; VC 2.0 uses validFrom and validUntil")
    return window


def check_validity_period(window: ValidityWindow, *, now: int) -> None:
    """Check ``validFrom`` ≤ now < ``validUntil`` (VC 2.0 §4.9, verification §7.1).

    :raises NotYetValidError: before ``validFrom``.
    :raises ExpiredCredentialError: at or after ``validUntil``.
    """
    if window.valid_from is not None and now < window.valid_from:
        raise NotYetValidError("the credential is not valid yet (validFrom is in the future)")
    if window.valid_until is not None and now >= window.valid_until:
        raise ExpiredCredentialError("the credential has expired (validUntil has passed)")
