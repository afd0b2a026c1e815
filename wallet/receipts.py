"""Verification receipts: a signed record of what was verified, when, and with what result.

A receipt is a compact JWS with the protected header ``typ: imk-receipt+jwt``, ``alg`` and
``kid``, signed with the service's own current key (:meth:`wallet.keystore.Keystore.service_key`),
whose public part is published, with the retired ones, at ``/.well-known/jwks.json``
(DESIGN §3). Anyone can check a receipt against that key set; :func:`check_receipt` is the
service's own check. Its claims:

``iss``
    the service's base URL;
``iat``
    when the verification ran (Unix seconds);
``jti``
    128 random bits, base64url, from the injected random source;
``verified``
    the verdict (a bool, false for anything that did not verify);
``credential``
    ``{"alg": "sha256", "digest": <base64url SHA-256 of the presented token's UTF-8 text>}``,
    so the receipt names the credential without carrying it (it may hold personal data);
``format``
    ``vc+jwt`` or ``dc+sd-jwt``;
``issuer``
    the registered issuer's identifier (its DID for a vc+jwt, its HTTPS ``iss`` for an
    SD-JWT VC), or null when the issuer is not registered here;
``type``
    the credential type's name, or null when it is not known;
``checks``
    each check's name → its result (passed, failed, unknown, not applicable);
``share``
    only for a verification made through a share link: the share's id.

A receipt is evidence that this service ran these checks at that time; it says nothing the
report did not. It is not a credential, and :func:`check_receipt` refuses one as a receipt
only when its ``typ`` is not ``imk-receipt+jwt``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from typing import Any

from sqlmodel import Session

from wallet.errors import DataModelError, UnknownKeyError
from wallet.jose import (
    SIGNING_ALGORITHMS,
    b64url_encode,
    check_header,
    parse_compact,
    sign_compact,
    verify_signature,
)
from wallet.keystore import SERVICE_SLUG, Keystore
from wallet.trust import KeyHistory
from wallet.verifier import VerificationReport

#: The ``typ`` of a receipt's protected header.
RECEIPT_TYP = "imk-receipt+jwt"
#: Random bytes in a receipt's ``jti``.
JTI_BYTES = 16
#: The hash of the ``credential`` digest.
DIGEST_ALG = "sha256"


def credential_digest(token: str) -> str:
    """The base64url SHA-256 of a presented token's UTF-8 text (the receipt's ``digest``)."""
    return b64url_encode(hashlib.sha256(token.encode("utf-8")).digest())


def _issuer_of(report: VerificationReport) -> str | None:
    issuer = report.issuer
    if issuer is None:
        return None
    return issuer.https_id if report.format == "dc+sd-jwt" else issuer.did


def receipt_claims(
    *,
    base_url: str,
    report: VerificationReport,
    token: str,
    now: int,
    jti: str,
    share: str | None = None,
) -> dict[str, Any]:
    """The claims of the receipt of ``report`` (see the module docstring)."""
    claims: dict[str, Any] = {
        "iss": base_url,
        "iat": now,
        "jti": jti,
        "verified": report.verified,
        "credential": {"alg": DIGEST_ALG, "digest": credential_digest(token)},
        "format": report.format,
        "issuer": _issuer_of(report),
        "type": report.type_name,
        "checks": {check.name: check.result.value for check in report.checks},
    }
    if share is not None:
        claims["share"] = share
    return claims


def issue_receipt(
    session: Session,
    *,
    keystore: Keystore,
    base_url: str,
    report: VerificationReport,
    token: str,
    now: int,
    random: Callable[[int], bytes],
    share: str | None = None,
) -> str:
    """Sign the receipt of ``report`` for the presented ``token`` with the service's key.

    :param session: a database session; reading the service key is its only use. When the
        service has no key yet one is created, which COMMITS ``session`` (the app creates it
        at start, so this happens only outside the app).
    :param token: the secured credential as presented (the compact JWS or SD-JWT text),
        which the receipt names by its digest only.
    :param random: the random source of the ``jti``.
    :param share: the share link's id, when the verification was made through one.
    :returns: the receipt, a compact JWS of ``typ`` ``imk-receipt+jwt``.
    """
    kid, key = keystore.service_key(session, now=now)
    claims = receipt_claims(
        base_url=base_url,
        report=report,
        token=token,
        now=now,
        jti=b64url_encode(random(JTI_BYTES)),
        share=share,
    )
    return sign_compact({"typ": RECEIPT_TYP, "kid": kid}, claims, key)


def check_receipt(receipt: str, *, key_history: KeyHistory, base_url: str) -> Mapping[str, Any]:
    """Verify a receipt of this service and return its claims.

    The key is chosen by ``kid`` among the service's own keys only (a kid of an issuer is
    unknown here), and must have been usable when the receipt was signed (``iat``).

    :raises ParseError: when it is no strict compact JWS.
    :raises HeaderError: for another ``typ`` or a header naming its own key.
    :raises AlgorithmError: for an algorithm the service does not sign with.
    :raises UnknownKeyError: for a kid that is not one of the service's keys.
    :raises KeyValidityError: for a key that was not usable at ``iat``.
    :raises InvalidSignatureError: when the signature does not verify.
    :raises DataModelError: when ``iss`` is not ``base_url`` or ``iat`` is not an integer.
    """
    parsed = parse_compact(receipt)
    check_header(parsed.header, typ={RECEIPT_TYP}, algorithms=SIGNING_ALGORITHMS)
    iat = parsed.payload.get("iat")
    if not isinstance(iat, int) or isinstance(iat, bool):
        raise DataModelError("a receipt's iat must be an integer")
    try:
        key = key_history.lookup(SERVICE_SLUG, parsed.header["kid"])
    except UnknownKeyError:
        # A key made by another process a moment ago may not be cached yet.
        key_history.refresh()
        key = key_history.lookup(SERVICE_SLUG, parsed.header["kid"])
    key.check_usable_at(iat)
    verify_signature(parsed, key.jwk)
    if parsed.payload.get("iss") != base_url:
        raise DataModelError("the receipt was not issued by this service")
    return parsed.payload
