"""OpenID Connect relying party: a learner proves their personal code at an identity provider.

A personal code (personas kods) links to a learner's account only through a login at an
identity provider that asserts it in a signed ID token (eParaksts or Latvija.lv in
production), never from a form. :class:`OIDCClient` runs the authorization-code flow with
PKCE (S256), ``state`` and ``nonce``; every failure is an
:class:`~wallet.errors.IdentityProviderError` (401), or an
:class:`~wallet.errors.IdentityProviderUnavailableError` (502) when the provider cannot be
reached or answers with something unusable.

Modules: ``settings`` (what a deployment configures), ``transport`` (the bounded HTTP back
channel), ``discovery`` (provider metadata and key set), ``idtoken`` (ID token validation
and the proven identity), ``client`` (the flow and the caches).
"""

from wallet.oidc.client import AuthRequest, OIDCClient
from wallet.oidc.discovery import ProviderMetadata
from wallet.oidc.idtoken import ProvenIdentity
from wallet.oidc.settings import DEFAULT_ID_TOKEN_ALGORITHMS, OIDCSettings
from wallet.oidc.transport import HTTPResponse, Transport, URLLibTransport

__all__ = [
    "DEFAULT_ID_TOKEN_ALGORITHMS",
    "AuthRequest",
    "HTTPResponse",
    "OIDCClient",
    "OIDCSettings",
    "ProvenIdentity",
    "ProviderMetadata",
    "Transport",
    "URLLibTransport",
]
