"""wallet.oidc.settings and the identity-provider errors."""

from __future__ import annotations

from typing import Any

import pytest

from wallet.errors import (
    AuthenticationError,
    IdentityProviderError,
    IdentityProviderUnavailableError,
    InputError,
)
from wallet.oidc import OIDCSettings


def _settings(**changes: Any) -> OIDCSettings:
    values: dict[str, Any] = {
        "issuer": "https://id.example.lv",
        "client_id": "imk",
        "client_secret": "s3cret",
        "redirect_uri": "https://wallet.example.lv/callback",
    }
    values.update(changes)
    return OIDCSettings(**values)


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"issuer": "http://id.example.lv"}, id="plain-http-issuer"),
        pytest.param({"issuer": "https://id.example.lv?x=1"}, id="issuer-query"),
        pytest.param({"issuer": "https://user:pw@id.example.lv"}, id="issuer-userinfo"),
        pytest.param({"redirect_uri": "javascript:alert(1)"}, id="redirect-scheme"),
        pytest.param({"scopes": ("profile",)}, id="no-openid-scope"),
        pytest.param({"client_secret": ""}, id="no-secret"),
        pytest.param({"id_token_algorithms": ("RS256", "HS256")}, id="hs256"),
        pytest.param({"id_token_algorithms": ("none",)}, id="alg-none"),
        pytest.param({"id_token_algorithms": ()}, id="no-algorithms"),
        pytest.param({"personal_code_claim": ""}, id="no-claim"),
        pytest.param({"max_response_bytes": 0}, id="no-response-cap"),
    ],
)
def test_unsafe_settings_are_refused(changes: dict[str, Any]) -> None:
    with pytest.raises(InputError):
        _settings(**changes)


def test_settings_hide_the_client_secret() -> None:
    assert "s3cret" not in repr(_settings())


def test_identity_provider_errors_are_authentication_errors() -> None:
    error = IdentityProviderError("x", "nonce")
    assert isinstance(error, AuthenticationError) and error.status == 401
    assert error.code == "IDENTITY_NOT_PROVEN"
    unavailable = IdentityProviderUnavailableError("x", "timeout")
    assert isinstance(unavailable, IdentityProviderError) and unavailable.status == 502
