"""Test helpers for SD-JWT: an independent encoder (standard library only) and forgers.

The encoder here shares no code with ``wallet.sdjwt``: Disclosures and digests are built
with ``json``, ``base64`` and ``hashlib`` straight from RFC 9901 §4.2, so tests can build
hostile SD-JWTs that our issuer would refuse to make, and cross-check what it does make.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from typing import Any

from wallet.jose import JWK, SigningKey, generate_signing_key
from wallet.sdjwt import KeyBindingPolicy, verify_sd_jwt

#: 2026-06-01T00:00:00Z, as in tests/conftest.py.
NOW = 1780272000
AUD = "https://verifier.test"
NONCE = "nonce-5c1e2f"
VCT = "https://wallet.test/types/diploma/v1"
ISS = "https://wallet.test/issuers/daugava"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def disclosure(*items: Any) -> str:
    """A Disclosure of ``[salt, name, value]`` or ``[salt, value]`` (RFC 9901 §4.2.1–§4.2.2)."""
    return b64(json.dumps(list(items), ensure_ascii=False).encode("utf-8"))


def digest(text: str) -> str:
    """base64url(SHA-256(ASCII(text))) (RFC 9901 §4.2.3, §4.3.1)."""
    return b64(hashlib.sha256(text.encode("ascii")).digest())


def salt() -> bytes:
    return os.urandom(16)


def new_salt() -> str:
    return b64(os.urandom(16))


def jws(header: dict[str, Any], payload: dict[str, Any], key: SigningKey | None) -> str:
    """A compact JWS over exactly this header (``alg`` as given, not set from the key)."""
    signing_input = b64(json.dumps(header).encode()) + "." + b64(json.dumps(payload).encode())
    signature = key.sign(signing_input.encode("ascii")) if key is not None else b""
    return signing_input + "." + b64(signature)


def issuer_jwt(
    key: SigningKey, payload: dict[str, Any], *, typ: str = "dc+sd-jwt", alg: str | None = None
) -> str:
    return jws({"alg": alg or key.alg, "typ": typ, "kid": "k1"}, payload, key)


def kb_jwt(
    holder: SigningKey,
    sd_jwt: str,
    *,
    aud: str = AUD,
    nonce: str = NONCE,
    iat: int = NOW,
    typ: str = "kb+jwt",
    alg: str | None = None,
    sd_hash: str | None = None,
    extra: dict[str, Any] | None = None,
) -> str:
    payload = {"iat": iat, "aud": aud, "nonce": nonce, "sd_hash": sd_hash or digest(sd_jwt)}
    payload.update(extra or {})
    return jws({"alg": alg or holder.alg, "typ": typ}, payload, holder)


def serialize(jwt: str, disclosures: list[str], kb: str = "") -> str:
    return jwt + "~" + "".join(d + "~" for d in disclosures) + kb


def policy(**changes: Any) -> KeyBindingPolicy:
    return KeyBindingPolicy(
        aud=changes.pop("aud", AUD), nonce=changes.pop("nonce", NONCE), **changes
    )


def verify(serialized: str, issuer: JWK, **options: Any) -> Any:
    options.setdefault("now", NOW)
    options.setdefault("key_binding", policy())
    return verify_sd_jwt(serialized, issuer_key=lambda _header, _payload: issuer, **options)


def keys(alg: str) -> SigningKey:
    return generate_signing_key(alg)


def diploma_claims(holder: SigningKey) -> dict[str, Any]:
    """The claims of a diploma SD-JWT VC bound to ``holder`` (the interoperability tests')."""
    return {
        "iss": ISS,
        "iat": NOW - 86400,
        "exp": NOW + 86400 * 365,
        "vct": VCT,
        "cnf": {"jwk": holder.public.to_dict()},
        "givenName": "Līga",
        "familyName": "Ozoliņa",
        "birthDate": "2001-03-14",
        "achievement": {
            "title": {"lv": "Bakalaura grāds", "en": "Bachelor's degree"},
            "programme": {"title": {"lv": "Datorzinātnes"}, "code": "43481"},
            "overallGrade": {"scheme": "LV-10", "value": 8},
            "courses": [
                {"code": "DatZ1234", "ects": 6, "grade": 9},
                {"code": "DatZ2017", "ects": 4, "grade": 7},
                {"code": "Filz1021", "ects": 2, "grade": "passed"},
            ],
        },
    }
