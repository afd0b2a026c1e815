"""Keys for the SD-JWT tests: one per algorithm per module run, test-only and ephemeral."""

from __future__ import annotations

import pytest

from wallet.jose import SigningKey, generate_signing_key


@pytest.fixture(scope="session")
def issuer_ed25519() -> SigningKey:
    return generate_signing_key("EdDSA")


@pytest.fixture(scope="session")
def issuer_p256() -> SigningKey:
    return generate_signing_key("ES256")


@pytest.fixture(scope="session")
def holder_p256() -> SigningKey:
    return generate_signing_key("ES256")


@pytest.fixture(scope="session")
def holder_ed25519() -> SigningKey:
    return generate_signing_key("EdDSA")
