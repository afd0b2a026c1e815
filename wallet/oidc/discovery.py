"""OpenID Provider discovery (OpenID Connect Discovery 1.0) and the provider's key set.

Only the members this client uses are kept, each checked before it is trusted: the
``issuer`` must equal the configured Issuer Identifier exactly (§4.3: "MUST be identical"),
which stops a mix-up in which one provider's document names another, and every endpoint
must be HTTPS. Where the document says what the provider supports, it must support what
this client does (the ``code`` response type, PKCE with ``S256``, ``client_secret_basic``);
where it is silent, the defaults of §3 apply.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from wallet.errors import IdentityProviderUnavailableError, InputError, WalletError
from wallet.jose import JWKSet, parse_jwk_set
from wallet.oidc.transport import Transport, check_url, read_json

WELL_KNOWN = "/.well-known/openid-configuration"


@dataclass(frozen=True)
class ProviderMetadata:
    """The endpoints of an OpenID provider, taken from its checked discovery document."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str


def discovery_url(issuer: str) -> str:
    """Where the discovery document of ``issuer`` lives (OIDC Discovery §4: one trailing
    slash of the issuer is dropped before the well-known path is appended)."""
    return issuer.removesuffix("/") + WELL_KNOWN


def _refuse(description: str) -> IdentityProviderUnavailableError:
    return IdentityProviderUnavailableError(description, "discovery")


def _endpoint(document: Mapping[str, Any], name: str) -> str:
    value = document.get(name)
    if not isinstance(value, str):
        raise _refuse(f"the discovery document has no {name}")
    try:
        check_url(value, what=name)
    except InputError as exc:
        raise _refuse(f"the discovery document's {name} is not an https URL") from exc
    return value


def _supports(document: Mapping[str, Any], member: str, needed: str) -> None:
    """Refuse a provider that lists what it supports under ``member`` without ``needed``."""
    listed = document.get(member)
    if listed is None:
        return
    if not isinstance(listed, list) or needed not in listed:
        raise _refuse(f"the identity provider does not list {needed!r} in {member}")


def fetch_metadata(transport: Transport, issuer: str) -> ProviderMetadata:
    """Fetch and check the discovery document of ``issuer``.

    :param issuer: the configured Issuer Identifier.
    :return: the endpoints.
    :raises IdentityProviderUnavailableError: when the document cannot be fetched or parsed,
        its ``issuer`` differs from ``issuer`` in any character (reason "issuer_mismatch"),
        an endpoint is missing or not HTTPS, or the provider lacks something this client
        needs (reason "discovery").
    """
    document = read_json(transport.get(discovery_url(issuer)), what="discovery document")
    if document.get("issuer") != issuer:
        raise IdentityProviderUnavailableError(
            "the discovery document names another issuer than the one configured "
            "(OIDC Discovery §4.3)",
            "issuer_mismatch",
        )
    # §3: response_types_supported is REQUIRED; the other lists default to what we use
    # (token_endpoint_auth_methods_supported defaults to client_secret_basic).
    _supports(document, "response_types_supported", "code")
    _supports(document, "code_challenge_methods_supported", "S256")
    _supports(document, "token_endpoint_auth_methods_supported", "client_secret_basic")
    return ProviderMetadata(
        issuer=issuer,
        authorization_endpoint=_endpoint(document, "authorization_endpoint"),
        token_endpoint=_endpoint(document, "token_endpoint"),
        jwks_uri=_endpoint(document, "jwks_uri"),
    )


def fetch_key_set(transport: Transport, jwks_uri: str) -> JWKSet:
    """Fetch the provider's JWK Set from ``jwks_uri``.

    :raises IdentityProviderUnavailableError: when it cannot be fetched, is not a JWK Set,
        or holds too many keys (reason "jwks" for the last two).
    """
    document = read_json(transport.get(jwks_uri), what="JWK Set")
    try:
        return parse_jwk_set(document)
    except WalletError as exc:
        raise IdentityProviderUnavailableError(
            f"the identity provider's JWK Set is unusable: {exc.description}", "jwks"
        ) from exc
