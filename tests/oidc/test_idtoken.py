"""wallet.oidc.idtoken: what an ID token must be, and every way a provider can get it wrong.

Each attack makes the provider (signing with joserfc) misbehave in exactly one way; the
login must fail with the reason of that check, the wallet.jose error chained as the cause.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.fixtures.oidc import (
    CLIENT_ID,
    DIGITS,
    PERSONAL_CODE,
    OIDCProvider,
    login,
    refused,
)
from wallet.errors import (
    AlgorithmError,
    AuthenticationError,
    HeaderError,
    InvalidSignatureError,
    RecordError,
)
from wallet.oidc import OIDCClient


def test_id_token_without_typ_is_accepted(
    oidc_provider: OIDCProvider, client: OIDCClient, now: int
) -> None:
    oidc_provider.header_overrides = {"typ": None}
    assert login(client, now).personal_code == DIGITS


def test_several_audiences_with_azp_of_this_client_are_accepted(
    oidc_provider: OIDCProvider, client: OIDCClient, now: int
) -> None:
    oidc_provider.claim_overrides = {"aud": [CLIENT_ID, "other"], "azp": CLIENT_ID}
    assert login(client, now).subject == "lv-eid-0001"


def test_expiry_within_the_leeway_is_accepted(
    oidc_provider: OIDCProvider, client: OIDCClient, now: int
) -> None:
    oidc_provider.claim_overrides = {"exp": now - 30, "iat": now - 330}
    assert login(client, now).personal_code == DIGITS


def test_provider_claim_name_and_semantics_prefix(oidc_provider: OIDCProvider, now: int) -> None:
    settings = oidc_provider.settings(
        personal_code_claim="serialNumber", personal_code_prefix="PNOLV-"
    )
    oidc_provider.next_user = {"sub": "x-1", "serialNumber": f"PNOLV-{PERSONAL_CODE}"}
    identity = login(OIDCClient(settings), now)
    assert identity.personal_code == DIGITS
    assert identity.given_name is None and identity.family_name is None
    oidc_provider.next_user = {"sub": "x-1", "serialNumber": PERSONAL_CODE}
    refused(OIDCClient(settings), now, "personal_code")


# --- attacks on the ID token ---------------------------------------------------------------


def test_forged_signature_with_another_key_is_refused(
    oidc_provider: OIDCProvider, client: OIDCClient, now: int
) -> None:
    oidc_provider.signing = "foreign"  # an unpublished key under the published kid
    error = refused(client, now, "signature")
    assert isinstance(error.__cause__, InvalidSignatureError)


def test_alg_none_is_refused(oidc_provider: OIDCProvider, client: OIDCClient, now: int) -> None:
    oidc_provider.signing = "none"
    error = refused(client, now, "algorithm")
    assert isinstance(error.__cause__, AlgorithmError)


def test_hs256_keyed_with_the_client_secret_is_refused(
    oidc_provider: OIDCProvider, client: OIDCClient, now: int
) -> None:
    # OIDC Core §10.1 allows HS256 with the client secret; this client never accepts it,
    # since anyone who learns the secret could then mint identities.
    oidc_provider.signing = "hs256-client-secret"
    error = refused(client, now, "algorithm")
    assert isinstance(error.__cause__, AlgorithmError)


def test_algorithm_outside_the_configured_list_is_refused(
    oidc_provider: OIDCProvider, now: int
) -> None:
    client = OIDCClient(oidc_provider.settings(id_token_algorithms=("ES256",)))
    refused(client, now, "algorithm")  # the provider signs RS256


def test_key_named_in_the_header_is_refused(
    oidc_provider: OIDCProvider, client: OIDCClient, now: int
) -> None:
    oidc_provider.header_overrides = {"jwk": {"kty": "oct", "k": "AAAA"}}
    error = refused(client, now, "header")
    assert isinstance(error.__cause__, HeaderError)


def test_other_typ_is_refused(oidc_provider: OIDCProvider, client: OIDCClient, now: int) -> None:
    oidc_provider.header_overrides = {"typ": "at+jwt"}
    refused(client, now, "header")


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        pytest.param({"iss": "https://evil.example"}, "issuer", id="wrong-issuer"),
        pytest.param({"iss": None}, "issuer", id="issuer-null"),
        pytest.param({"aud": "other-client"}, "audience", id="wrong-audience"),
        pytest.param({"aud": ["other-client"]}, "audience", id="audience-list-without-us"),
        pytest.param({"aud": [CLIENT_ID, "other"]}, "azp", id="several-audiences-without-azp"),
        pytest.param({"azp": "other-client"}, "azp", id="azp-of-another-client"),
        pytest.param({"nonce": "not-the-nonce"}, "nonce", id="wrong-nonce"),
        pytest.param({"sub": ""}, "subject", id="empty-subject"),
        pytest.param({"sub": "s" * 256}, "subject", id="long-subject"),
        pytest.param({"given_name": 7}, "claims", id="name-not-a-string"),
        pytest.param({"exp": "2100000000"}, "claims", id="exp-a-string"),
        pytest.param({"exp": True}, "claims", id="exp-a-boolean"),
    ],
)
def test_wrong_claims_are_refused(
    oidc_provider: OIDCProvider,
    client: OIDCClient,
    now: int,
    overrides: dict[str, Any],
    reason: str,
) -> None:
    oidc_provider.claim_overrides = overrides
    refused(client, now, reason)


@pytest.mark.parametrize(
    ("claim", "reason"),
    [
        ("iss", "issuer"),
        ("aud", "audience"),
        ("exp", "claims"),
        ("iat", "claims"),
        ("nonce", "nonce"),
        ("sub", "subject"),
    ],
)
def test_missing_required_claim_is_refused(
    oidc_provider: OIDCProvider, client: OIDCClient, now: int, claim: str, reason: str
) -> None:
    oidc_provider.omit_claims = {claim}
    error = refused(client, now, reason)
    assert isinstance(error, AuthenticationError) and error.status == 401


def test_expired_token_is_refused(
    oidc_provider: OIDCProvider, client: OIDCClient, now: int
) -> None:
    oidc_provider.claim_overrides = {"iat": now - 600, "exp": now - 61}  # past the 60 s leeway
    refused(client, now, "expired")


def test_token_issued_in_the_future_is_refused(
    oidc_provider: OIDCProvider, client: OIDCClient, now: int
) -> None:
    oidc_provider.claim_overrides = {"iat": now + 3600, "exp": now + 7200}
    refused(client, now, "iat")


def test_token_not_yet_valid_is_refused(
    oidc_provider: OIDCProvider, client: OIDCClient, now: int
) -> None:
    oidc_provider.claim_overrides = {"nbf": now + 3600}
    refused(client, now, "not_yet_valid")


# --- the personal code ---------------------------------------------------------------------


def test_missing_personal_code_claim_is_refused(
    oidc_provider: OIDCProvider, client: OIDCClient, now: int
) -> None:
    oidc_provider.omit_claims = {"personal_code"}
    error = refused(client, now, "personal_code")
    assert "personal_code" in error.description


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("010190-10002", id="check-digit"),
        pytest.param("320190-1000", id="too-short"),
        pytest.param("310190-10001", id="new-format-second-digit"),
        pytest.param("320190x10001", id="separator"),
        pytest.param(1019010001, id="number"),
        pytest.param(["010190-10001"], id="array"),
    ],
)
def test_malformed_personal_code_is_refused(
    oidc_provider: OIDCProvider, client: OIDCClient, now: int, value: Any
) -> None:
    oidc_provider.claim_overrides = {"personal_code": value}
    error = refused(client, now, "personal_code")
    if isinstance(value, str):
        assert isinstance(error.__cause__, RecordError)
        assert value not in error.description  # never echo a personal code
