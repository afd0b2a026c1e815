"""Enveloping credentials (VC 2.0 §4.13 "Securing Mechanism Specifications", VC-JOSE-COSE §3).

A JOSE-secured credential travels as ``{"@context": [...], "type":
"EnvelopedVerifiableCredential", "id": "data:application/vc+jwt,<JWS>"}``; an SD-JWT VC likewise
with ``data:application/dc+sd-jwt,``. ``unwrap`` accepts that form, a bare compact JWS, an
SD-JWT string, and a JSON credential whose ``id`` is such a data URL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from wallet.errors import ParseError
from wallet.jose import CompactSigner, SigningKey, dumps_compact, signer
from wallet.vc.model import CREDENTIALS_V2

VC_JWT = "vc+jwt"
DC_SD_JWT = "dc+sd-jwt"
#: Media types of secured credentials we read, by data-URL prefix.
MEDIA_TYPES = ("application/vc+jwt", "application/dc+sd-jwt", "application/vc+sd-jwt")
ENVELOPED_VC = "EnvelopedVerifiableCredential"
#: JWT claims that describe the signature, not the credential (VC-JOSE-COSE §3.1.1); the
#: service sets ``iat`` itself, and an unsecured credential must carry none of them.
JWT_CLAIMS = frozenset({"iat", "exp", "nbf", "iss", "jti", "sub", "cnf"})


@dataclass(frozen=True)
class Secured:
    """A secured credential as received: its media type and its compact serialization."""

    media_type: str
    token: str


def envelope(media_type: str, token: str) -> dict[str, Any]:
    """Wrap a secured credential as an ``EnvelopedVerifiableCredential`` (VC 2.0 §4.13)."""
    return {"@context": [CREDENTIALS_V2], "type": ENVELOPED_VC, "id": f"data:{media_type},{token}"}


def _from_data_url(url: str) -> Secured:
    for media_type in MEDIA_TYPES:
        prefix = f"data:{media_type},"
        if url.startswith(prefix):
            return Secured(media_type=media_type, token=url[len(prefix) :])
    raise ParseError("the enveloped id is not a data: URL of a supported media type")


def _has_two_dots(text: str) -> bool:
    """``text.count(".") == 2``, by three ``find`` calls: ``count`` walks the whole token
    character by character, ``find`` skips to each dot with a fast scan."""
    first = text.find(".")
    if first < 0:
        return False
    second = text.find(".", first + 1)
    return second >= 0 and text.find(".", second + 1) < 0


def unwrap(value: Any) -> Secured:
    """Find the secured credential in what a client sent.

    :raises ParseError: when none of the accepted forms matches.
    """
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("data:"):
            return _from_data_url(text)
        if "~" in text:
            return Secured(media_type="application/dc+sd-jwt", token=text)
        if _has_two_dots(text):
            return Secured(media_type="application/vc+jwt", token=text)
        raise ParseError("not a compact JWS, an SD-JWT or an enveloped credential")
    if isinstance(value, Mapping):
        identifier = value.get("id")
        if isinstance(identifier, str) and identifier.startswith("data:"):
            return _from_data_url(identifier)
        raise ParseError("a JSON credential must be enveloped (its id a data: URL)")
    raise ParseError("verifiableCredential must be a string or an object")


def vc_jwt_signer(*, kid: str, key: SigningKey) -> CompactSigner:
    """A signer with the ``vc+jwt`` header of VC-JOSE-COSE §3.1.1 (typ, cty, kid, alg)."""
    return signer({"kid": kid, "typ": VC_JWT, "cty": "vc"}, key)


def secure_vc_jwt_json(
    credential_json: bytes, extra: Mapping[str, Any], *, signer: CompactSigner, iat: int
) -> str:
    """Secure a credential given as compact JSON text plus ``extra`` members.

    Issuing in batches serialises each credential once: the same text is hashed (to tell
    records apart) and signed. ``extra`` (defaults the service filled in) and ``iat`` are
    appended to the object; the caller guarantees the credential has none of those names.
    """
    members = dict(extra)
    members["iat"] = iat
    tail = dumps_compact(members)
    if credential_json == b"{}":
        return signer.sign_serialized(tail)
    return signer.sign_serialized(credential_json[:-1] + b"," + tail[1:])


def secure_vc_jwt(credential: Mapping[str, Any], *, signer: CompactSigner, iat: int) -> str:
    """Secure a credential as ``vc+jwt`` (VC-JOSE-COSE §3.1.1).

    The payload is the credential itself plus ``iat``, the signing time, which
    verifiers use to pick the key valid then (DESIGN §4).
    """
    payload = dict(credential)
    payload["iat"] = iat
    return signer.sign(payload)
