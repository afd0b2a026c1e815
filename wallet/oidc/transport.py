"""The back channel to the OpenID provider: blocking HTTP with a deadline and a size cap.

The bounds live in :mod:`wallet.http_fetch`, shared with the status list fetcher: each
socket operation is limited by the timeout, the whole request by a deadline of the same
length, and the body by a byte cap checked against ``Content-Length`` and again while
reading, so a provider that is slow, silent or enormous costs one bounded wait and never
the process's memory. Redirects are not followed: discovery, key set and token endpoint are
fixed URLs, and a redirect could lead the client's credentials or the lookup to a host
nobody configured (a 3xx is returned as the answer it is, and :func:`read_json` refuses
it). Plain HTTP is allowed only to this machine, which is also never sent through a proxy.

Failures are translated here, at the one boundary, into
:class:`~wallet.errors.IdentityProviderUnavailableError`.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol
from urllib.parse import quote_plus, urlencode

from wallet.errors import IdentityProviderUnavailableError, WalletError
from wallet.http_fetch import BoundedHTTP, FetchError, HTTPResponse, check_url
from wallet.jose import loads_object

__all__ = [
    "HTTPResponse",
    "Transport",
    "URLLibTransport",
    "basic_authorization",
    "check_url",
    "read_json",
]

_USER_AGENT = "imk-wallet-oidc"


class Transport(Protocol):
    """What the OpenID Connect client needs from HTTP; :class:`URLLibTransport` by default."""

    def get(self, url: str) -> HTTPResponse:
        """GET ``url`` and return the response, whatever its status.

        :raises IdentityProviderUnavailableError: when no complete response arrives.
        """

    def post_form(
        self, url: str, form: Mapping[str, str], *, basic_auth: tuple[str, str]
    ) -> HTTPResponse:
        """POST ``form`` urlencoded to ``url`` with HTTP Basic client authentication.

        :raises IdentityProviderUnavailableError: when no complete response arrives.
        """


def basic_authorization(client_id: str, client_secret: str) -> str:
    """The ``Authorization`` value of ``client_secret_basic`` (RFC 6749 §2.3.1).

    The id and the secret are form-urlencoded before they are joined and base64-encoded, as
    §2.3.1 requires, so a colon or a non-ASCII character in either survives.
    """
    pair = f"{quote_plus(client_id)}:{quote_plus(client_secret)}"
    return "Basic " + base64.b64encode(pair.encode("ascii")).decode("ascii")


class URLLibTransport:
    """:class:`Transport` over :class:`~wallet.http_fetch.BoundedHTTP` (``urllib``).

    :param timeout_seconds: the limit of each socket operation and of the whole request.
    :param max_response_bytes: the largest body read.
    :param clock: a monotonic clock in seconds, for the per-request deadline.
    """

    def __init__(
        self,
        *,
        timeout_seconds: float,
        max_response_bytes: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._http = BoundedHTTP(
            timeout_seconds=timeout_seconds,
            max_response_bytes=max_response_bytes,
            what="identity provider",
            user_agent=_USER_AGENT,
            clock=clock,
        )

    def get(self, url: str) -> HTTPResponse:
        """GET ``url`` (see :meth:`Transport.get`)."""
        return self._send(url, headers={"Accept": "application/json"})

    def post_form(
        self, url: str, form: Mapping[str, str], *, basic_auth: tuple[str, str]
    ) -> HTTPResponse:
        """POST a form with client authentication (see :meth:`Transport.post_form`)."""
        headers = {
            "Accept": "application/json",
            "Content-Type": "application/x-www-form-urlencoded",
            "Authorization": basic_authorization(*basic_auth),
        }
        return self._send(url, headers=headers, data=urlencode(form).encode("ascii"))

    def _send(
        self, url: str, *, headers: dict[str, str], data: bytes | None = None
    ) -> HTTPResponse:
        try:
            # A 4xx or 5xx is still an answer: the token endpoint explains a refused code in
            # the body (RFC 6749 §5.2).
            return self._http.send(url, headers=headers, data=data)
        except FetchError as exc:
            raise IdentityProviderUnavailableError(exc.description, exc.reason) from exc


def read_json(response: HTTPResponse, *, what: str) -> dict[str, Any]:
    """The JSON object of a successful response, parsed strictly.

    :param what: names the document in the error message ("discovery document", ...).
    :raises IdentityProviderUnavailableError: for a status other than 200, or a body that
        is not one strict JSON object.
    """
    if response.status != 200:
        raise IdentityProviderUnavailableError(
            f"the identity provider answered the {what} request with HTTP {response.status}",
            "http_status",
        )
    try:
        return loads_object(response.body, what=what)
    except WalletError as exc:
        raise IdentityProviderUnavailableError(
            f"the identity provider's {what} is not a JSON object", "malformed"
        ) from exc
