"""The relying party: authorization-code flow with PKCE, state and nonce, at one provider.

``begin`` builds the authentication request (OIDC Core §3.1.2.1) and returns what the
caller must keep server-side until the user comes back: ``state`` (against cross-site
request forgery, RFC 6749 §10.12), ``nonce`` (binds the ID token to this login, Core
§3.1.2.1) and the PKCE ``code_verifier`` (binds the code to this client instance, RFC 7636;
only its S256 challenge leaves). ``complete`` checks the returned ``state``, exchanges the
code at the token endpoint with ``client_secret_basic`` (Core §3.1.3.1), validates the ID
token and returns the proven identity.

Discovery and the key set are cached in the client for ``cache_ttl_seconds``; a token whose
``kid`` is not in the cached set makes the client fetch the set once more, so a provider's
key rotation is picked up at the first login that needs it. The ID token only ever arrives
from the token endpoint over TLS, never from the user, so those refetches are bounded by
logins. Time and randomness are parameters; the client holds no clock. One client serves
many requests at once: each cache entry is replaced whole, so concurrent logins at worst
fetch the same document twice.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from wallet.errors import (
    IdentityProviderError,
    IdentityProviderUnavailableError,
    UnknownKeyError,
    WalletError,
)
from wallet.jose import JWK, JWKSet, b64url_encode, constant_time_equal, loads_object
from wallet.oidc.discovery import ProviderMetadata, fetch_key_set, fetch_metadata
from wallet.oidc.idtoken import ProvenIdentity, identity_from_claims, verify_id_token
from wallet.oidc.settings import OIDCSettings
from wallet.oidc.transport import HTTPResponse, Transport, URLLibTransport

#: Random bytes behind state, nonce and code_verifier: 256 bits each. The verifier is then
#: 43 base64url characters, the shortest RFC 7636 §4.1 allows.
RANDOM_BYTES = 32
#: An OAuth error code is a short ASCII token (RFC 6749 §5.2); anything else is not echoed.
_ERROR_CODE = re.compile(r"[a-z_]{1,64}")


@dataclass(frozen=True)
class AuthRequest:
    """A login in progress: send the user to ``url``, keep the rest server-side.

    Keep it where the user cannot change it (the database, or a signed, encrypted,
    short-lived cookie). ``state`` and ``nonce`` travel in ``url``; ``code_verifier`` is a
    secret until the login ends, so it is left out of ``repr``.
    """

    url: str
    state: str
    nonce: str
    code_verifier: str = field(repr=False)
    created_at: int


def _fresh(fetched_at: int, now: int, ttl: int) -> bool:
    """Whether something fetched at ``fetched_at`` may still be used at ``now``."""
    return 0 <= now - fetched_at < ttl


class OIDCClient:
    """An OpenID Connect relying party at the provider described by ``settings``.

    Constructing it does no work; the provider is first contacted by :meth:`begin`.

    :param settings: the registration at the provider.
    :param transport: the HTTP back channel; :class:`URLLibTransport` with the settings'
        timeout and response cap when omitted.
    """

    def __init__(self, settings: OIDCSettings, *, transport: Transport | None = None) -> None:
        self.settings = settings
        self._transport = transport or URLLibTransport(
            timeout_seconds=settings.timeout_seconds,
            max_response_bytes=settings.max_response_bytes,
        )
        self._metadata: tuple[int, ProviderMetadata] | None = None
        self._keys: tuple[int, JWKSet] | None = None

    def metadata(self, *, now: int) -> ProviderMetadata:
        """The provider's checked discovery document, fetched at most once per ttl.

        :raises IdentityProviderUnavailableError: see :func:`~wallet.oidc.discovery.fetch_metadata`.
        """
        cached = self._metadata
        if cached is not None and _fresh(cached[0], now, self.settings.cache_ttl_seconds):
            return cached[1]
        metadata = fetch_metadata(self._transport, self.settings.issuer)
        self._metadata = (now, metadata)
        return metadata

    def key_set(self, *, now: int, refresh: bool = False) -> JWKSet:
        """The provider's JWK Set, fetched at most once per ttl unless ``refresh`` is set.

        :raises IdentityProviderUnavailableError: see :func:`~wallet.oidc.discovery.fetch_key_set`.
        """
        cached = self._keys
        if not refresh and cached is not None:
            if _fresh(cached[0], now, self.settings.cache_ttl_seconds):
                return cached[1]
        keys = fetch_key_set(self._transport, self.metadata(now=now).jwks_uri)
        self._keys = (now, keys)
        return keys

    def begin(self, *, now: int, random: Callable[[int], bytes]) -> AuthRequest:
        """Start a login: the authorization URL and the values to keep until it completes.

        :param now: the current time, seconds since the epoch.
        :param random: a cryptographically secure source, ``random(n)`` → ``n`` bytes
            (``secrets.token_bytes`` in the service).
        :return: the request; redirect the user to its ``url``.
        :raises IdentityProviderUnavailableError: when discovery fails.
        """

        def draw() -> str:
            raw = random(RANDOM_BYTES)
            if len(raw) != RANDOM_BYTES:
                raise WalletError("the random source returned the wrong number of bytes")
            return b64url_encode(raw)

        endpoint = self.metadata(now=now).authorization_endpoint
        state, nonce, verifier = draw(), draw(), draw()
        # RFC 7636 §4.2: code_challenge = BASE64URL(SHA256(ASCII(code_verifier))).
        challenge = b64url_encode(hashlib.sha256(verifier.encode("ascii")).digest())
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self.settings.client_id,
                "redirect_uri": self.settings.redirect_uri,
                "scope": " ".join(self.settings.scopes),
                "state": state,
                "nonce": nonce,
                "code_challenge": challenge,
                "code_challenge_method": "S256",
            }
        )
        separator = "&" if "?" in endpoint else "?"
        return AuthRequest(
            url=f"{endpoint}{separator}{query}",
            state=state,
            nonce=nonce,
            code_verifier=verifier,
            created_at=now,
        )

    def read_callback(self, params: Mapping[str, str]) -> tuple[str, str]:
        """The ``code`` and ``state`` of the redirect back from the provider.

        :param params: the query parameters of the request to the redirect URI.
        :return: ``(code, state)``, to pass to :meth:`complete`.
        :raises IdentityProviderError: with reason "denied" when the provider reports an
            error (RFC 6749 §4.1.2.1), "issuer" when an ``iss`` parameter names another
            issuer (RFC 9207 §2.4, against mix-up), "callback" when code or state is missing.
        """
        error = params.get("error")
        if error is not None:
            shown = error if _ERROR_CODE.fullmatch(error) else "an error"
            raise IdentityProviderError(
                f"the identity provider refused the login ({shown})", "denied"
            )
        issuer = params.get("iss")
        if issuer is not None and issuer != self.settings.issuer:
            raise IdentityProviderError("the login response names another issuer", "issuer")
        code, state = params.get("code"), params.get("state")
        if not code or not state:
            raise IdentityProviderError("the login response lacks its code or state", "callback")
        return code, state

    def complete(self, *, code: str, state: str, expected: AuthRequest, now: int) -> ProvenIdentity:
        """Finish a login: check ``state``, redeem ``code``, verify the ID token.

        :param code: the authorization code from the redirect.
        :param state: the state from the redirect; must equal ``expected.state``.
        :param expected: the request :meth:`begin` returned for this login.
        :param now: the current time, seconds since the epoch.
        :return: the identity the provider proved, with a valid personal code.
        :raises IdentityProviderError: with reason "state", "expired_request" (older than
            ``request_ttl_seconds``), "token_request" (the provider refused the code: used,
            expired, wrong verifier or redirect), "token_response", or any reason of
            :func:`~wallet.oidc.idtoken.verify_id_token` and
            :func:`~wallet.oidc.idtoken.identity_from_claims`.
        :raises IdentityProviderUnavailableError: when the provider cannot be reached or
            answers with something unusable.
        """
        if not constant_time_equal(state, expected.state):
            raise IdentityProviderError("the login response does not belong to this login", "state")
        # The leeway admits a request begun on another host whose clock runs a little ahead.
        age = now - expected.created_at
        if not -self.settings.leeway_seconds <= age <= self.settings.request_ttl_seconds:
            raise IdentityProviderError("the login took too long; start again", "expired_request")
        response = self._transport.post_form(
            self.metadata(now=now).token_endpoint,
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": self.settings.redirect_uri,
                "code_verifier": expected.code_verifier,
            },
            basic_auth=(self.settings.client_id, self.settings.client_secret),
        )
        tokens = self._token_response(response)
        claims = verify_id_token(
            tokens.get("id_token"),
            settings=self.settings,
            key_for=self._key_lookup(now),
            nonce=expected.nonce,
            now=now,
        )
        return identity_from_claims(claims, settings=self.settings)

    def _token_response(self, response: HTTPResponse) -> dict[str, object]:
        if response.status in (400, 401):
            # RFC 6749 §5.2: the provider explains in {"error": ...}; a used or expired code,
            # a wrong verifier or redirect URI all come back as invalid_grant.
            try:
                error = loads_object(response.body, what="token error").get("error")
            except WalletError:
                error = None
            shown = error if isinstance(error, str) and _ERROR_CODE.fullmatch(error) else "refused"
            if shown == "invalid_client":
                # Our own client id or secret is wrong: a deployment fault, not the user's.
                raise IdentityProviderUnavailableError(
                    "the identity provider refused this service's client credentials",
                    "client_auth",
                )
            raise IdentityProviderError(
                f"the identity provider refused the authorization code ({shown})", "token_request"
            )
        if response.status != 200:
            raise IdentityProviderUnavailableError(
                f"the token endpoint answered with HTTP {response.status}", "http_status"
            )
        try:
            tokens = loads_object(response.body, what="token response")
        except WalletError as exc:
            raise IdentityProviderUnavailableError(
                "the token response is not a JSON object", "token_response"
            ) from exc
        token_type = tokens.get("token_type")
        # Core §3.1.3.3: token_type is Bearer (compared case-insensitively, RFC 6749 §5.1).
        if not isinstance(token_type, str) or token_type.lower() != "bearer":
            raise IdentityProviderUnavailableError(
                "the token response is not a Bearer response", "token_response"
            )
        return tokens

    def _key_lookup(self, now: int) -> Callable[[str | None, str], JWK]:
        def key_for(kid: str | None, alg: str) -> JWK:
            cached = self._keys
            keys = self.key_set(now=now)
            try:
                return keys.key_for(kid=kid, alg=alg)
            except UnknownKeyError:
                if self._keys is not cached:
                    raise  # The set was fetched just now; fetching it again tells nothing new.
                # The provider may have rotated its keys since the set was cached: fetch once.
                return self.key_set(now=now, refresh=True).key_for(kid=kid, alg=alg)

        return key_for
