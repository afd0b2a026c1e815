"""wallet.oidc.transport: an unreachable, silent, huge or failing provider is a clear 502."""

from __future__ import annotations

import secrets
import socket

import pytest

from tests.fixtures.oidc import (
    CLIENT_ID,
    REDIRECT_URI,
    OIDCProvider,
    login,
)
from wallet.errors import (
    IdentityProviderUnavailableError,
)
from wallet.oidc import OIDCClient, OIDCSettings


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unreachable_provider_is_a_clear_502(now: int) -> None:
    settings = OIDCSettings(
        issuer=f"http://127.0.0.1:{_closed_port()}",
        client_id=CLIENT_ID,
        client_secret="secret",
        redirect_uri=REDIRECT_URI,
        timeout_seconds=2.0,
    )
    with pytest.raises(IdentityProviderUnavailableError) as caught:
        OIDCClient(settings).begin(now=now, random=secrets.token_bytes)
    assert caught.value.reason == "unreachable"
    assert caught.value.status == 502
    assert caught.value.problem_type == "urn:imk:problem:identity-provider-unavailable"


def test_silent_provider_times_out(oidc_provider: OIDCProvider, now: int) -> None:
    oidc_provider.slow = {"/.well-known/openid-configuration"}
    client = OIDCClient(oidc_provider.settings(timeout_seconds=0.3))
    with pytest.raises(IdentityProviderUnavailableError) as caught:
        client.begin(now=now, random=secrets.token_bytes)
    assert caught.value.reason == "timeout"


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "streamed"])
@pytest.mark.parametrize("path", ["/.well-known/openid-configuration", "/jwks", "/token"])
def test_oversize_response_is_refused(
    oidc_provider: OIDCProvider, now: int, path: str, declared: bool
) -> None:
    client = OIDCClient(oidc_provider.settings(max_response_bytes=64 * 1024))
    oidc_provider.oversize = {path}
    oidc_provider.oversize_declared = declared
    with pytest.raises(IdentityProviderUnavailableError) as caught:
        login(client, now)
    assert caught.value.reason == "too_large"


def test_token_endpoint_failure_is_a_502(
    oidc_provider: OIDCProvider, client: OIDCClient, now: int
) -> None:
    oidc_provider.statuses = {"/token": 500}
    with pytest.raises(IdentityProviderUnavailableError) as caught:
        login(client, now)
    assert caught.value.reason == "http_status"


def test_wrong_client_secret_is_a_deployment_fault(oidc_provider: OIDCProvider, now: int) -> None:
    client = OIDCClient(oidc_provider.settings(client_secret="not-the-secret"))
    with pytest.raises(IdentityProviderUnavailableError) as caught:
        login(client, now)
    assert caught.value.reason == "client_auth"
