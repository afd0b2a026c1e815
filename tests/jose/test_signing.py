"""Signing keys: generation, encrypted PKCS#8 PEM round trip, and what we refuse to sign with."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from wallet.errors import AlgorithmError, InputError
from wallet.jose import encrypt_pem, generate_signing_key, load_pem

PASSPHRASE = bytes(range(32))


@pytest.mark.parametrize("alg", ["EdDSA", "ES256"])
def test_encrypted_pem_round_trip(alg: str) -> None:
    key = generate_signing_key(alg)
    pem = encrypt_pem(key, PASSPHRASE)
    assert pem.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    loaded = load_pem(pem, PASSPHRASE)
    assert loaded.alg == alg
    assert loaded.public.thumbprint == key.public.thumbprint
    # The loaded key signs what the original key's public half verifies.
    key.public.verify(loaded.sign(b"data"), b"data")


@pytest.mark.parametrize(
    "passphrase",
    [
        pytest.param(b"wrong" * 8, id="wrong"),
        pytest.param(PASSPHRASE[:-1], id="truncated"),
        pytest.param(None, id="missing"),
    ],
)
def test_wrong_passphrase_is_input_error(passphrase: bytes | None) -> None:
    pem = encrypt_pem(generate_signing_key("EdDSA"), PASSPHRASE)
    with pytest.raises(InputError):
        load_pem(pem, passphrase)


def test_passphrase_on_plain_pem_is_input_error() -> None:
    private = generate_signing_key("ES256").private
    plain = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    assert load_pem(plain, None).alg == "ES256"
    with pytest.raises(InputError):
        load_pem(plain, PASSPHRASE)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"not a pem", id="text"),
        pytest.param(
            b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", id="bad-body"
        ),
    ],
)
def test_unreadable_pem_is_input_error(data: bytes) -> None:
    with pytest.raises(InputError):
        load_pem(data, None)


@pytest.mark.parametrize(
    "private",
    [
        pytest.param(
            lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048), id="rsa-2048"
        ),
        pytest.param(lambda: ec.generate_private_key(ec.SECP384R1()), id="p384"),
        pytest.param(lambda: ec.generate_private_key(ec.SECP256K1()), id="secp256k1"),
    ],
)
def test_other_key_types_refused_for_signing(private: object) -> None:
    key = private()  # type: ignore[operator]
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(PASSPHRASE),
    )
    with pytest.raises(AlgorithmError):
        load_pem(pem, PASSPHRASE)


@pytest.mark.parametrize("alg", ["RS256", "PS256", "ES384", "HS256", "none", "Ed25519"])
def test_generate_refuses_other_algorithms(alg: str) -> None:
    with pytest.raises(AlgorithmError):
        generate_signing_key(alg)


def test_repr_hides_private_key() -> None:
    key = generate_signing_key("EdDSA")
    assert "Ed25519PrivateKey" not in repr(key)
