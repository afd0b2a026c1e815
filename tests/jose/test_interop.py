"""Interoperability with an independent implementation, joserfc (STYLE rule 6).

joserfc >= 1.6 warns that "EdDSA" is deprecated by RFC 9864 (fully-specified algorithms,
"Ed25519"); we still issue "EdDSA" (DESIGN §4), so the EdDSA tests ignore exactly that warning.
"""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives import serialization
from joserfc import jws
from joserfc.jwk import ECKey, OKPKey, RSAKey

from wallet.jose import (
    SigningKey,
    check_header,
    generate_signing_key,
    parse_compact,
    public_jwk,
    sign_compact,
    verify_signature,
)

EDDSA_DEPRECATION = "ignore:EdDSA is deprecated via RFC 9864:joserfc.errors.SecurityWarning"
PAYLOAD = {"iss": "https://issuer.test", "sub": "did:example:learner", "name": "Jānis Bērziņš"}
HEADER = {"typ": "vc+jwt", "kid": "k1"}

ALGS = [
    pytest.param("EdDSA", marks=pytest.mark.filterwarnings(EDDSA_DEPRECATION), id="EdDSA"),
    pytest.param("ES256", id="ES256"),
]


def _joserfc_public(key: SigningKey) -> OKPKey | ECKey:
    """Our public key handed to joserfc as the JWK we publish."""
    published = key.public.to_dict(kid="k1")
    return OKPKey.import_key(published) if key.alg == "EdDSA" else ECKey.import_key(published)


def _joserfc_private(key: SigningKey) -> OKPKey | ECKey:
    """Our private key handed to joserfc through PKCS#8 PEM, as an operator would export it."""
    pem = key.private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return OKPKey.import_key(pem) if key.alg == "EdDSA" else ECKey.import_key(pem)


def _our_verify(token: str, key_jwk: dict[str, object], alg: str) -> dict[str, object]:
    parsed = parse_compact(token)
    check_header(parsed.header, typ={"vc+jwt"}, algorithms={alg})
    verify_signature(parsed, public_jwk(key_jwk, alg=alg))
    return dict(parsed.payload)


@pytest.mark.parametrize("alg", ALGS)
def test_our_token_verifies_under_joserfc(alg: str) -> None:
    key = generate_signing_key(alg)
    token = sign_compact(HEADER, PAYLOAD, key)
    result = jws.deserialize_compact(token, _joserfc_public(key), algorithms=[alg])
    assert json.loads(result.payload) == PAYLOAD
    assert result.protected == {**HEADER, "alg": alg}


@pytest.mark.parametrize("alg", ALGS)
def test_joserfc_token_verifies_under_our_strict_path(alg: str) -> None:
    key = generate_signing_key(alg)
    payload = json.dumps(PAYLOAD, ensure_ascii=False).encode()
    token = jws.serialize_compact(
        {**HEADER, "alg": alg}, payload, _joserfc_private(key), algorithms=[alg]
    )
    assert _our_verify(token, key.public.to_dict(), alg) == PAYLOAD


@pytest.mark.parametrize("alg", ALGS)
def test_joserfc_token_with_other_key_refused(alg: str) -> None:
    """The interop check can fail: a joserfc token under another key is refused by us."""
    from wallet.errors import InvalidSignatureError

    signer, other = generate_signing_key(alg), generate_signing_key(alg)
    token = jws.serialize_compact(
        {**HEADER, "alg": alg}, b"{}", _joserfc_private(signer), algorithms=[alg]
    )
    with pytest.raises(InvalidSignatureError):
        _our_verify(token, other.public.to_dict(), alg)


@pytest.mark.parametrize("alg", ["RS256", "PS256"])
def test_joserfc_rsa_2048_token_verifies(alg: str) -> None:
    rsa_key = RSAKey.generate_key(2048)
    token = jws.serialize_compact(
        {**HEADER, "alg": alg}, json.dumps(PAYLOAD).encode(), rsa_key, algorithms=[alg]
    )
    public = rsa_key.as_dict(private=False)
    assert "d" not in public
    assert _our_verify(token, public, alg) == PAYLOAD
