"""Fetching the status lists of external issuers over HTTP, from allow-listed hosts only.

A status list URL comes from a credential, so from whoever made it: fetched blindly it
would make the verifier an SSRF tool (``reference/security.md`` §2 D6, E1–E3). So:

- the URL's host must be on an allow-list of exact host names configured by the operator;
  any other host is refused before any network access, whatever it resolves to;
- HTTPS only; plain HTTP only to this machine (tests, local development), as for every
  outgoing request (:func:`wallet.http_fetch.check_url`);
- one deadline for the whole fetch, redirects included, a socket timeout per operation
  and a byte cap on the body, checked against ``Content-Length`` before reading and again
  while reading (:class:`wallet.http_fetch.BoundedHTTP`);
- at most :data:`MAX_REDIRECTS` redirects, each only to the same scheme, host and port
  (an allow-listed host cannot bounce the fetch elsewhere); any other redirect is refused;
- the answer must be 200 with exactly the media type asked for.

Every failure is a :class:`~wallet.errors.StatusRetrievalError` naming its cause, which
the verifier reports as status "unknown" (DESIGN §4): never a raw exception, never a 5xx.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from urllib.parse import urljoin, urlsplit

from wallet.errors import StatusRetrievalError
from wallet.http_fetch import REDIRECT_STATUSES, BoundedHTTP, FetchError, HTTPResponse
from wallet.jose import MAX_TOKEN_CHARS

#: How long one fetch may take in all, redirects included (security.md D7: at most 3 s).
DEFAULT_TIMEOUT_SECONDS = 3.0
#: The largest body read: a list token longer than the JWS parser accepts is useless.
DEFAULT_MAX_RESPONSE_BYTES = MAX_TOKEN_CHARS
#: Redirects followed at most, each on the same origin (security.md E2).
MAX_REDIRECTS = 3
_DEFAULT_PORTS = {"https": 443, "http": 80}
_USER_AGENT = "imk-wallet-status"

Origin = tuple[str, str, int]


def _origin(url: str) -> Origin:
    """Scheme, host (lower case) and port (the scheme's default when absent) of ``url``.

    :raises StatusRetrievalError: when the URL has no scheme or host, or a bad port.
    """
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError as exc:
        raise StatusRetrievalError("the status list URL cannot be parsed") from exc
    scheme = parts.scheme.lower()
    if not host or scheme not in _DEFAULT_PORTS:
        raise StatusRetrievalError("the status list URL is not an http(s) URL with a host")
    return scheme, host, port if port is not None else _DEFAULT_PORTS[scheme]


class StatusListFetcher:
    """GET status lists from allow-listed hosts, with the bounds of the module docstring.

    :param allowed_hosts: exact host names (case-insensitive) lists may be fetched from.
    :param timeout_seconds: the deadline of one fetch, redirects included, and the limit of
        each socket operation.
    :param max_response_bytes: the largest body read.
    :param clock: a monotonic clock in seconds, for the deadline.
    """

    def __init__(
        self,
        allowed_hosts: Iterable[str],
        *,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.allowed_hosts = frozenset(host.lower() for host in allowed_hosts)
        self._http = BoundedHTTP(
            timeout_seconds=timeout_seconds,
            max_response_bytes=max_response_bytes,
            what="status list server",
            user_agent=_USER_AGENT,
            clock=clock,
        )

    def get(self, url: str, *, accept: str) -> bytes:
        """The body of a 200 answer of media type ``accept`` to ``GET url``.

        :param accept: the one media type asked for (``Accept``) and accepted
            (``Content-Type``, parameters ignored), e.g. ``application/statuslist+jwt``.
        :raises StatusRetrievalError: for a host not on the allow-list or an insecure URL
            (both before any network access), no answer within the deadline, a body over
            the cap, a redirect to another origin or more than :data:`MAX_REDIRECTS` of
            them, a status other than 200, or another media type.
        """
        origin = _origin(url)
        if origin[1] not in self.allowed_hosts:
            raise StatusRetrievalError(
                f"the status list host {origin[1]!r} is not on the allow-list"
            )
        deadline = self._http.now() + self._http.timeout_seconds
        current = url
        response = self._send(current, accept=accept, deadline=deadline)
        for _ in range(MAX_REDIRECTS):
            if response.status not in REDIRECT_STATUSES:
                break
            current = self._redirect_target(current, response, origin)
            response = self._send(current, accept=accept, deadline=deadline)
        if response.status in REDIRECT_STATUSES:
            raise StatusRetrievalError(
                f"the status list server redirected more than {MAX_REDIRECTS} times"
            )
        if response.status != 200:
            raise StatusRetrievalError(f"the status list server answered HTTP {response.status}")
        if response.content_type != accept:
            shown = response.content_type or "none"
            raise StatusRetrievalError(
                f"the status list server answered with media type {shown}, not {accept}"
            )
        return response.body

    def _send(self, url: str, *, accept: str, deadline: float) -> HTTPResponse:
        try:
            return self._http.send(url, headers={"Accept": accept}, deadline=deadline)
        except FetchError as exc:
            raise StatusRetrievalError(exc.description) from exc

    @staticmethod
    def _redirect_target(current: str, response: HTTPResponse, origin: Origin) -> str:
        if not response.location:
            raise StatusRetrievalError("the status list server redirected without a Location")
        target = urljoin(current, response.location)
        if _origin(target) != origin:
            raise StatusRetrievalError(
                "the status list server redirected to another scheme, host or port (refused)"
            )
        return target
