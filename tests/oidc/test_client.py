"""wallet.oidc.client: the whole login over HTTP, state, code, PKCE, caches and key rotation."""

from __future__ import annotations

import hashlib
import secrets
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.fixtures.oidc import (
    CLIENT_ID,
    DIGITS,
    REDIRECT_URI,
    OIDCProvider,
    follow_authorization,
    login,
    refused,
)
from wallet.errors import (
    IdentityProviderError,
    UnknownKeyError,
    WalletError,
)
from wallet.jose import b64url_encode
from wallet.oidc import OIDCClient, ProvenIdentity

# --- the flow ------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["rsa", "ec"])
def test_login_over_http_proves_the_personal_code(
    oidc_provider: OIDCProvider, client: OIDCClient, now: int, key: str
) -> None:
    oidc_provider.use_key(key)
    identity = login(client, now)
    assert identity == ProvenIdentity(
        issuer=oidc_provider.issuer,
        subject="lv-eid-0001",
        personal_code=DIGITS,
        given_name="Anna",
        family_name="Bērziņa",
    )
    # The token request authenticated the client and proved possession of the verifier.
    (token_request,) = oidc_provider.token_requests
    assert token_request.authorization is not None
    assert token_request.authorization.startswith("Basic ")
    assert set(token_request.form) == {"grant_type", "code", "redirect_uri", "code_verifier"}


def test_identity_repr_never_shows_the_personal_code(client: OIDCClient, now: int) -> None:
    identity = login(client, now)
    assert DIGITS not in repr(identity)
    assert "Bērziņa" not in repr(identity)


def test_authorization_url_carries_pkce_state_and_nonce(
    oidc_provider: OIDCProvider, client: OIDCClient, now: int
) -> None:
    request = client.begin(now=now, random=secrets.token_bytes)
    url = urlsplit(request.url)
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{oidc_provider.issuer}/authorize"
    params = {name: values[0] for name, values in parse_qs(url.query).items()}
    challenge = b64url_encode(hashlib.sha256(request.code_verifier.encode()).digest())
    assert params == {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "scope": "openid profile",
        "state": request.state,
        "nonce": request.nonce,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    # RFC 7636 §4.1: 43 to 128 characters; the verifier itself never leaves.
    assert len(request.code_verifier) == 43
    assert request.code_verifier not in request.url
    assert len({request.state, request.nonce, request.code_verifier}) == 3
    assert request.code_verifier not in repr(request)


def test_begin_uses_the_random_source_it_is_given(client: OIDCClient, now: int) -> None:
    draws = iter([b"\x01" * 32, b"\x02" * 32, b"\x03" * 32])
    request = client.begin(now=now, random=lambda n: next(draws))
    assert (request.state, request.nonce, request.code_verifier) == (
        b64url_encode(b"\x01" * 32),
        b64url_encode(b"\x02" * 32),
        b64url_encode(b"\x03" * 32),
    )
    with pytest.raises(WalletError):
        client.begin(now=now, random=lambda n: b"\x00" * (n - 1))


# --- the code, the state and the request ---------------------------------------------------


def test_replayed_code_is_refused(
    oidc_provider: OIDCProvider, client: OIDCClient, now: int
) -> None:
    request = client.begin(now=now, random=secrets.token_bytes)
    code, state = client.read_callback(follow_authorization(request.url))
    assert (
        client.complete(code=code, state=state, expected=request, now=now).personal_code == DIGITS
    )
    with pytest.raises(IdentityProviderError) as caught:
        client.complete(code=code, state=state, expected=request, now=now)
    assert caught.value.reason == "token_request"
    assert "invalid_grant" in caught.value.description
    assert len(oidc_provider.token_requests) == 2  # the provider was asked, and refused


def test_code_of_another_login_is_refused_by_pkce(
    oidc_provider: OIDCProvider, client: OIDCClient, now: int
) -> None:
    # An attacker injects a code issued for their own login into the victim's callback;
    # the victim's verifier does not match the challenge the code is bound to (RFC 7636).
    attacker = client.begin(now=now, random=secrets.token_bytes)
    stolen_code, _ = client.read_callback(follow_authorization(attacker.url))
    victim = client.begin(now=now, random=secrets.token_bytes)
    with pytest.raises(IdentityProviderError) as caught:
        client.complete(code=stolen_code, state=victim.state, expected=victim, now=now)
    assert caught.value.reason == "token_request"


def test_state_of_another_login_is_refused(
    oidc_provider: OIDCProvider, client: OIDCClient, now: int
) -> None:
    first = client.begin(now=now, random=secrets.token_bytes)
    second = client.begin(now=now, random=secrets.token_bytes)
    code, state = client.read_callback(follow_authorization(first.url))
    with pytest.raises(IdentityProviderError) as caught:
        client.complete(code=code, state=state, expected=second, now=now)
    assert caught.value.reason == "state"
    assert oidc_provider.token_requests == []  # refused before the code was spent


def test_login_that_took_too_long_is_refused(
    oidc_provider: OIDCProvider, client: OIDCClient, now: int
) -> None:
    request = client.begin(now=now, random=secrets.token_bytes)
    code, state = client.read_callback(follow_authorization(request.url))
    later = now + client.settings.request_ttl_seconds + 1
    with pytest.raises(IdentityProviderError) as caught:
        client.complete(code=code, state=state, expected=request, now=later)
    assert caught.value.reason == "expired_request"


def test_denied_login_is_reported(
    oidc_provider: OIDCProvider, client: OIDCClient, now: int
) -> None:
    oidc_provider.next_user = None
    request = client.begin(now=now, random=secrets.token_bytes)
    with pytest.raises(IdentityProviderError) as caught:
        client.read_callback(follow_authorization(request.url))
    assert caught.value.reason == "denied"
    assert "access_denied" in caught.value.description


def test_callback_from_another_issuer_is_refused(client: OIDCClient) -> None:
    # RFC 9207: the iss parameter of the response defends against mix-up attacks.
    with pytest.raises(IdentityProviderError) as caught:
        client.read_callback({"code": "c", "state": "s", "iss": "https://evil.example"})
    assert caught.value.reason == "issuer"
    with pytest.raises(IdentityProviderError) as caught:
        client.read_callback({"state": "s"})
    assert caught.value.reason == "callback"


def test_discovery_and_keys_are_cached_for_the_ttl(
    oidc_provider: OIDCProvider, client: OIDCClient, now: int
) -> None:
    login(client, now)
    login(client, now + 10)
    fetches = oidc_provider.fetches
    assert fetches["/.well-known/openid-configuration"] == 1
    assert fetches["/jwks"] == 1
    oidc_provider.now = now + client.settings.cache_ttl_seconds
    login(client, oidc_provider.now)
    assert fetches["/.well-known/openid-configuration"] == 2
    assert fetches["/jwks"] == 2


def test_rotated_keys_are_fetched_once(
    oidc_provider: OIDCProvider, client: OIDCClient, now: int
) -> None:
    login(client, now)
    oidc_provider.rotate_keys()
    assert login(client, now).personal_code == DIGITS
    assert oidc_provider.fetches["/jwks"] == 2


def test_unknown_kid_refetches_once_then_fails(
    oidc_provider: OIDCProvider, client: OIDCClient, now: int
) -> None:
    login(client, now)
    oidc_provider.header_overrides = {"kid": "no-such-key"}
    error = refused(client, now, "unknown_key")
    assert isinstance(error.__cause__, UnknownKeyError)
    assert oidc_provider.fetches["/jwks"] == 2
    # A client whose set is fetched for this very token does not fetch it a second time.
    refused(OIDCClient(oidc_provider.settings()), now, "unknown_key")
    assert oidc_provider.fetches["/jwks"] == 3
