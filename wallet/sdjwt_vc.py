"""A registered credential type as an SD-JWT VC (draft-ietf-oauth-sd-jwt-vc).

One issued record has one content: the W3C credential the institution sent. Its SD-JWT VC
envelope carries the same subject as flat claims, plus what the SD-JWT VC format asks:

- ``iss``: the institution's HTTPS identifier (DESIGN §3), whose keys
  ``/.well-known/jwt-vc-issuer/issuers/{slug}`` publishes;
- ``vct``: ``{base}/types/{name}/v{n}``, where the Type Metadata is served;
- ``iat`` (signing time), ``nbf`` from ``validFrom``, ``exp`` from ``validUntil``;
- ``cnf.jwk``: the wallet's P-256 holder key, when the credential has a learner;
- ``sub``: the subject's ``id`` when it has one (the holder's ``did:jwk``);
- ``personalCode``: the learner's personal code when it was given in ``options.learner``,
  always selectively disclosable (DESIGN §4), in the ``DDMMYY-NNNNN`` form.

Which claims are selectively disclosable comes from the type metadata (``sd``: ``always``
and ``allowed`` are hidden by default, ``never`` stays visible).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wallet.credential_types import CredentialType
from wallet.sdjwt import SDPaths, compile_sd_paths
from wallet.vc import parse_datetime_stamp

#: ``sd`` values of the type metadata that make a claim selectively disclosable here.
HIDDEN_BY_DEFAULT = frozenset({"always", "allowed"})

_PATHS: dict[str, SDPaths] = {}


def sd_paths(ctype: CredentialType) -> SDPaths:
    """The selectively disclosable claim paths of a type (compiled once per type version)."""
    key = f"{ctype.name}/{ctype.version}"
    compiled = _PATHS.get(key)
    if compiled is None:
        paths = [
            tuple(claim["path"])
            for claim in ctype.metadata.get("claims", [])
            if claim.get("sd") in HIDDEN_BY_DEFAULT
        ]
        compiled = compile_sd_paths(paths)
        _PATHS[key] = compiled
    return compiled


def vct_url(base_url: str, ctype: CredentialType) -> str:
    """The ``vct`` of a type: the URL its SD-JWT VC Type Metadata is served at."""
    return f"{base_url}/types/{ctype.vct}"


def claims_of(
    credential: Mapping[str, Any],
    *,
    ctype: CredentialType,
    iss: str,
    base_url: str,
    iat: int,
    holder_jwk: Mapping[str, Any] | None,
    personal_code: str | None,
) -> dict[str, Any]:
    """The SD-JWT VC claims (before disclosures are made) of a checked W3C credential."""
    subject = dict(credential["credentialSubject"])
    subject_id = subject.pop("id", None)
    claims: dict[str, Any] = {"iss": iss, "iat": iat, "vct": vct_url(base_url, ctype)}
    claims.update(subject)
    if isinstance(subject_id, str):
        claims["sub"] = subject_id
    valid_from = credential.get("validFrom")
    if isinstance(valid_from, str):
        claims["nbf"] = parse_datetime_stamp(valid_from, field="validFrom")
    valid_until = credential.get("validUntil")
    if isinstance(valid_until, str):
        claims["exp"] = parse_datetime_stamp(valid_until, field="validUntil")
    if holder_jwk is not None:
        claims["cnf"] = {"jwk": dict(holder_jwk)}
    if personal_code is not None:
        claims["personalCode"] = f"{personal_code[:6]}-{personal_code[6:]}"
    return claims


#: Claims of the SD-JWT VC format itself, not of the subject (draft-ietf-oauth-sd-jwt-vc §3.2).
FORMAT_CLAIMS = frozenset(
    {"iss", "iat", "nbf", "exp", "vct", "vct#integrity", "cnf", "status", "sub", "aka_vcts"}
)


def subject_of(credential: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The subject's claims of a credential in either format: a W3C credential's
    ``credentialSubject``, or an SD-JWT VC's processed claims without the format's own."""
    subject = credential.get("credentialSubject")
    if isinstance(subject, Mapping):
        return subject
    if "vct" in credential:
        return {name: value for name, value in credential.items() if name not in FORMAT_CLAIMS}
    return None
