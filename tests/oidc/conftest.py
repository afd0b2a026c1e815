"""The client every test of wallet.oidc logs in with: registered at the test provider."""

from __future__ import annotations

import pytest

from tests.fixtures.oidc import OIDCProvider
from wallet.oidc import OIDCClient


@pytest.fixture
def client(oidc_provider: OIDCProvider) -> OIDCClient:
    return OIDCClient(oidc_provider.settings())
