"""wallet.oidc.discovery: the provider's metadata is checked before it is used."""

from __future__ import annotations

import secrets
from typing import Any

import pytest

from tests.fixtures.oidc import (
    OIDCProvider,
)
from wallet.errors import (
    IdentityProviderUnavailableError,
)
from wallet.oidc import OIDCClient


def test_discovery_naming_another_issuer_is_refused(
    oidc_provider: OIDCProvider, client: OIDCClient, now: int
) -> None:
    oidc_provider.discovery_overrides = {"issuer": oidc_provider.issuer + "/"}  # one character
    with pytest.raises(IdentityProviderUnavailableError) as caught:
        client.begin(now=now, random=secrets.token_bytes)
    assert caught.value.reason == "issuer_mismatch"
    assert caught.value.status == 502


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"token_endpoint": "http://evil.example/token"}, id="plain-http-endpoint"),
        pytest.param({"jwks_uri": None}, id="no-jwks-uri"),
        pytest.param({"code_challenge_methods_supported": ["plain"]}, id="no-s256"),
        pytest.param({"token_endpoint_auth_methods_supported": ["private_key_jwt"]}, id="no-basic"),
    ],
)
def test_unusable_discovery_is_refused(
    oidc_provider: OIDCProvider, client: OIDCClient, now: int, overrides: dict[str, Any]
) -> None:
    oidc_provider.discovery_overrides = overrides
    with pytest.raises(IdentityProviderUnavailableError) as caught:
        client.begin(now=now, random=secrets.token_bytes)
    assert caught.value.reason == "discovery"
