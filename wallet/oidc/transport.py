"""The back channel to the OpenID provider: blocking HTTP with a deadline and a size cap.

Every request is bounded three ways: each socket operation by the timeout, the whole
request (connect, headers, body) by a deadline of the same length, and the body by a byte
cap checked against ``Content-Length`` and again while reading, so a provider that is slow,
silent or enormous costs one bounded wait and never the process's memory. Redirects are not
followed: discovery, key set and token endpoint are fixed URLs, and a redirect could lead the
client's credentials or the lookup to a host nobody configured. Plain HTTP is allowed only to
this machine, which is also never sent through a proxy.

The standard library's ``urllib`` is enough for three kinds of request and keeps the
service free of one more runtime dependency. Its errors are translated here, at the one
boundary, into :class:`~wallet.errors.IdentityProviderUnavailableError`.
"""

from __future__ import annotations

import base64
import http.client
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import Message
from typing import IO, Any, Protocol
from urllib.parse import quote_plus, urlencode, urlsplit

from wallet.errors import IdentityProviderUnavailableError, InputError, WalletError
from wallet.jose import loads_object

#: Hosts that may be reached over plain HTTP: only this machine (tests, local development).
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
_CHUNK = 64 * 1024
_USER_AGENT = "imk-wallet-oidc"


def check_url(url: str, *, what: str) -> None:
    """Refuse a URL that is not HTTPS, unless it reaches this machine over plain HTTP.

    :param what: names the URL in the error message ("issuer", "token endpoint", ...).
    :raises InputError: for another scheme, no host, user information in the URL, or plain
        HTTP to another host.
    """
    parts = urlsplit(url)
    secure = parts.scheme == "https" and bool(parts.hostname)
    if not secure and not (parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS):
        raise InputError(f"the {what} URL must use https (plain http only to this machine)")
    if parts.username is not None or parts.password is not None:
        raise InputError(f"the {what} URL must not carry user information")


@dataclass(frozen=True)
class HTTPResponse:
    """A response of the provider: its status and its body, read in full under the cap."""

    status: int
    body: bytes


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


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    """Return a redirect as the response it is instead of following it."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: Message,
        newurl: str,
    ) -> urllib.request.Request | None:
        return None


def _opener(*, proxies: bool) -> urllib.request.OpenerDirector:
    handlers: list[urllib.request.BaseHandler] = [
        _RefuseRedirects(),
        urllib.request.HTTPSHandler(context=ssl.create_default_context()),
    ]
    if not proxies:
        handlers.append(urllib.request.ProxyHandler({}))
    return urllib.request.build_opener(*handlers)


def basic_authorization(client_id: str, client_secret: str) -> str:
    """The ``Authorization`` value of ``client_secret_basic`` (RFC 6749 §2.3.1).

    The id and the secret are form-urlencoded before they are joined and base64-encoded, as
    §2.3.1 requires, so a colon or a non-ASCII character in either survives.
    """
    pair = f"{quote_plus(client_id)}:{quote_plus(client_secret)}"
    return "Basic " + base64.b64encode(pair.encode("ascii")).decode("ascii")


class URLLibTransport:
    """:class:`Transport` over ``urllib``, with the bounds of the module docstring.

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
        self._timeout = timeout_seconds
        self._max_bytes = max_response_bytes
        self._clock = clock
        self._proxied = _opener(proxies=True)
        self._direct = _opener(proxies=False)

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
            check_url(url, what="identity provider")
        except InputError as exc:
            raise IdentityProviderUnavailableError(exc.description, "insecure_url") from exc
        headers["User-Agent"] = _USER_AGENT
        # The scheme is http or https, checked just above (S310 warns of file: and others).
        request = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310
        host = urlsplit(request.full_url).hostname
        opener = self._direct if host in LOOPBACK_HOSTS else self._proxied
        deadline = self._clock() + self._timeout
        try:
            try:
                response = opener.open(request, timeout=self._timeout)
            except urllib.error.HTTPError as exc:
                # A 4xx or 5xx (or a refused redirect) is still an answer: the token endpoint
                # explains a refused code in the body (RFC 6749 §5.2).
                response = exc
            with response:
                body = self._read(response, response.headers, deadline)
                return HTTPResponse(status=response.status or 0, body=body)
        except WalletError:
            raise
        except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
            timed_out = isinstance(exc, TimeoutError) or isinstance(
                getattr(exc, "reason", None), TimeoutError
            )
            reason = "timeout" if timed_out else "unreachable"
            raise IdentityProviderUnavailableError(
                f"the identity provider did not answer ({reason})", reason
            ) from exc

    def _read(self, response: IO[bytes], headers: Message, deadline: float) -> bytes:
        declared = headers.get("Content-Length")
        if declared is not None and declared.strip().isdigit() and int(declared) > self._max_bytes:
            raise IdentityProviderUnavailableError(
                f"the identity provider's response exceeds {self._max_bytes} bytes", "too_large"
            )
        chunks: list[bytes] = []
        size = 0
        while True:
            chunk = response.read(min(_CHUNK, self._max_bytes + 1 - size))
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
            size += len(chunk)
            if size > self._max_bytes:
                raise IdentityProviderUnavailableError(
                    f"the identity provider's response exceeds {self._max_bytes} bytes",
                    "too_large",
                )
            if self._clock() > deadline:
                raise IdentityProviderUnavailableError(
                    "the identity provider did not answer (timeout)", "timeout"
                )


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
