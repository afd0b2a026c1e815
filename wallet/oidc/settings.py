"""What a deployment configures about its OpenID Connect provider, checked once when built.

The service accepts a learner's personal code only from an identity provider that asserts it
in an ID token (eParaksts or Latvija.lv in production); a code typed into a form never
links. Providers name that claim differently, so :attr:`OIDCSettings.personal_code_claim` is
configurable: set it to the claim name in the provider's integration documentation, and set
:attr:`OIDCSettings.personal_code_prefix` when the provider writes the code as an ETSI EN
319 412-1 natural-person semantics identifier (``PNOLV-DDMMYY-NNNNN``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from wallet.errors import InputError
from wallet.jose import VERIFYING_ALGORITHMS
from wallet.oidc.transport import check_url

#: ID-token algorithms accepted unless a deployment sets its own. ES384, which wallet.jose
#: also verifies, is left out of the default: every algorithm accepted is one more way in,
#: and a deployment whose provider signs with it adds it.
DEFAULT_ID_TOKEN_ALGORITHMS = ("RS256", "PS256", "ES256", "EdDSA")


@dataclass(frozen=True)
class OIDCSettings:
    """A relying party's registration at one OpenID provider.

    :param issuer: the provider's Issuer Identifier, compared exactly with the discovery
        document's ``issuer`` and the ID token's ``iss`` (OpenID Connect Discovery 1.0 §3,
        §4.3); https, no query, no fragment.
    :param client_id: the client identifier the provider registered for this service.
    :param client_secret: the client secret, sent with HTTP Basic (``client_secret_basic``).
    :param redirect_uri: the registered redirection URI the provider sends the user back to.
    :param scopes: the scopes requested; must contain "openid".
    :param personal_code_claim: the ID-token claim that carries the personal code.
    :param personal_code_prefix: a prefix the provider writes before the code, removed
        before the code is checked ("" for none); a claim without it is refused.
    :param id_token_algorithms: the JWS algorithms accepted on ID tokens (RFC 8725 §3.1);
        a subset of what :mod:`wallet.jose` verifies, never ``none`` or ``HS*``.
    :param timeout_seconds: the limit of each network operation, and of a whole request.
    :param max_response_bytes: the largest response body read from the provider.
    :param cache_ttl_seconds: how long discovery and the key set are reused.
    :param leeway_seconds: the clock skew tolerated on ``exp``, ``iat`` and ``nbf``.
    :param request_ttl_seconds: how long a login started by ``begin`` may take to complete.
    """

    issuer: str
    client_id: str
    client_secret: str = field(repr=False)
    redirect_uri: str
    scopes: tuple[str, ...] = ("openid", "profile")
    personal_code_claim: str = "personal_code"
    personal_code_prefix: str = ""
    id_token_algorithms: tuple[str, ...] = DEFAULT_ID_TOKEN_ALGORITHMS
    timeout_seconds: float = 10.0
    max_response_bytes: int = 256 * 1024
    cache_ttl_seconds: int = 3600
    leeway_seconds: int = 60
    request_ttl_seconds: int = 600

    def __post_init__(self) -> None:
        """Refuse settings that could not work or would not be safe.

        :raises InputError: naming the first wrong setting.
        """
        check_url(self.issuer, what="issuer")
        parts = urlsplit(self.issuer)
        if parts.query or parts.fragment or "?" in self.issuer or "#" in self.issuer:
            raise InputError("the issuer URL has no query or fragment (OIDC Discovery §3)")
        check_url(self.redirect_uri, what="redirect")
        if not self.client_id or not self.client_secret:
            raise InputError("the OpenID Connect client id and secret are required")
        if "openid" not in self.scopes:
            raise InputError("the OpenID Connect scopes must include 'openid'")
        if any(not scope or " " in scope for scope in self.scopes):
            raise InputError("an OpenID Connect scope is one non-empty word")
        if not self.personal_code_claim:
            raise InputError("the personal code claim name is required")
        if (
            not self.id_token_algorithms
            or not set(self.id_token_algorithms) <= VERIFYING_ALGORITHMS
        ):
            raise InputError(
                "the ID-token algorithms must be a non-empty subset of "
                + ", ".join(sorted(VERIFYING_ALGORITHMS))
            )
        if self.timeout_seconds <= 0 or self.max_response_bytes <= 0:
            raise InputError("the OpenID Connect timeout and response cap must be positive")
        if min(self.cache_ttl_seconds, self.leeway_seconds, self.request_ttl_seconds) < 0:
            raise InputError(
                "the OpenID Connect cache ttl, leeway and request ttl must not be negative"
            )
