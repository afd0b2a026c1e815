"""Bounded blocking HTTP for the service's few outgoing requests (OpenID provider, status lists).

Every request is bounded three ways. Each socket operation is limited by the timeout. The
whole request is limited by a deadline (by default the same length after the request
starts): a watchdog thread shuts the socket down when the deadline passes, so a server that
drips its headers or body one byte at a time costs one bounded wait, never a worker. The
body is capped in bytes, against ``Content-Length`` before reading and again while reading,
so an enormous answer never reaches memory. Connecting (name resolution, TCP, the TLS
handshake) happens before the watchdog has a socket to shut and is bounded by the timeout
of each operation only.

Redirects are never followed here: a 3xx comes back as the response it is, with its
``Location``, and the caller decides (the OpenID client refuses them all; the status list
fetcher follows a few that stay on the same origin). Plain HTTP is allowed only to this
machine, which is also never reached through a proxy.

The standard library's ``urllib`` is enough and keeps the service free of one more runtime
dependency. Its errors are translated here into :class:`FetchError`, which never leaves the
client modules: each one translates it, at its own boundary, into its
:class:`~wallet.errors.WalletError` (httpx's ``map_httpcore_exceptions`` pattern).
"""

from __future__ import annotations

import http.client
import socket
import ssl
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import Message
from typing import IO, Any
from urllib.parse import urlsplit

from wallet.errors import InputError

#: Hosts that may be reached over plain HTTP: only this machine (tests, local development).
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
#: Statuses whose ``Location`` names where the resource is (RFC 9110 §15.4).
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024


def check_url(url: str, *, what: str) -> None:
    """Refuse a URL that is not HTTPS, unless it reaches this machine over plain HTTP.

    :param what: names the URL in the error message ("issuer", "token endpoint", ...).
    :raises InputError: for another scheme, no host, user information in the URL, or plain
        HTTP to another host.
    """
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
        username, password = parts.username, parts.password
    except ValueError as exc:
        raise InputError(f"the {what} URL cannot be parsed") from exc
    secure = parts.scheme == "https" and bool(hostname)
    if not secure and not (parts.scheme == "http" and hostname in LOOPBACK_HOSTS):
        raise InputError(f"the {what} URL must use https (plain http only to this machine)")
    if username is not None or password is not None:
        raise InputError(f"the {what} URL must not carry user information")


@dataclass(frozen=True)
class HTTPResponse:
    """A response, read in full under the cap.

    :ivar content_type: the media type of ``Content-Type`` in lower case, without
        parameters (``""`` when absent).
    :ivar location: the ``Location`` header, if any (kept for redirects).
    """

    status: int
    body: bytes
    content_type: str = ""
    location: str | None = None


class FetchError(Exception):
    """A request that produced no complete response.

    Internal to the client modules, which translate it into their own error.

    :ivar reason: ``insecure_url``, ``unreachable``, ``timeout`` or ``too_large``.
    :ivar description: a sentence for people, naming the remote party.
    """

    def __init__(self, reason: str, description: str) -> None:
        super().__init__(description)
        self.reason = reason
        self.description = description


class _Watchdog:
    """Shuts a request's socket down when its deadline passes (see the module docstring)."""

    def __init__(self, seconds: float) -> None:
        self._seconds = seconds
        self._timer: threading.Timer | None = None
        self._cancelled = False
        self._lock = threading.Lock()
        self.fired = False

    def watch(self, sock: socket.socket) -> None:
        """Start counting for ``sock`` (called once the connection is up)."""
        with self._lock:
            if self._cancelled:
                return
            self._timer = threading.Timer(self._seconds, self._fire, (sock,))
            self._timer.daemon = True
            self._timer.start()

    def cancel(self) -> None:
        """Stop the watchdog (the request is over, whatever its outcome)."""
        with self._lock:
            self._cancelled = True
            if self._timer is not None:
                self._timer.cancel()

    def _fire(self, sock: socket.socket) -> None:
        with self._lock:
            if self._cancelled:
                return
            self.fired = True
        try:
            # The plain socket's shutdown, also for a TLS socket: it wakes a blocked read
            # without touching the TLS object another thread is using.
            socket.socket.shutdown(sock, socket.SHUT_RDWR)
        except OSError:
            # Closed already: the request ended between the deadline and this call.
            pass


class _Request(urllib.request.Request):
    """A request that carries its watchdog to the connection that serves it."""

    def __init__(
        self, url: str, *, data: bytes | None, headers: dict[str, str], watchdog: _Watchdog
    ) -> None:
        super().__init__(url, data=data, headers=headers)
        self.watchdog = watchdog


def _watchdog_of(request: urllib.request.Request) -> _Watchdog:
    if not isinstance(request, _Request):
        raise TypeError("requests are sent through BoundedHTTP.send")
    return request.watchdog


class _WatchedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, *, watchdog: _Watchdog, **kwargs: Any) -> None:
        super().__init__(host, **kwargs)
        self._watchdog = watchdog

    def connect(self) -> None:
        super().connect()
        assert self.sock is not None
        self._watchdog.watch(self.sock)


class _WatchedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, *, watchdog: _Watchdog, **kwargs: Any) -> None:
        super().__init__(host, **kwargs)
        self._watchdog = watchdog

    def connect(self) -> None:
        super().connect()
        assert self.sock is not None
        self._watchdog.watch(self.sock)


class _HTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        watchdog = _watchdog_of(req)

        def connection(host: str, **kwargs: Any) -> http.client.HTTPConnection:
            return _WatchedHTTPConnection(host, watchdog=watchdog, **kwargs)

        return self.do_open(connection, req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, context: ssl.SSLContext) -> None:
        super().__init__(context=context)
        self._tls = context

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        watchdog = _watchdog_of(req)

        def connection(host: str, **kwargs: Any) -> http.client.HTTPConnection:
            return _WatchedHTTPSConnection(host, watchdog=watchdog, context=self._tls, **kwargs)

        return self.do_open(connection, req)


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
        _HTTPHandler(),
        _HTTPSHandler(ssl.create_default_context()),
    ]
    if not proxies:
        handlers.append(urllib.request.ProxyHandler({}))
    return urllib.request.build_opener(*handlers)


def _media_type(headers: Message) -> str:
    value = headers.get("Content-Type") or ""
    return value.split(";", 1)[0].strip().lower()


class BoundedHTTP:
    """Blocking HTTP requests with the bounds of the module docstring.

    :param timeout_seconds: the limit of each socket operation and, by default, of the
        whole request.
    :param max_response_bytes: the largest body read.
    :param what: names the remote party in error messages ("identity provider", ...).
    :param user_agent: the ``User-Agent`` sent.
    :param clock: a monotonic clock in seconds, for the per-request deadline.
    """

    def __init__(
        self,
        *,
        timeout_seconds: float,
        max_response_bytes: int,
        what: str,
        user_agent: str,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.timeout_seconds = timeout_seconds
        self.max_response_bytes = max_response_bytes
        self._what = what
        self._user_agent = user_agent
        self._clock = clock
        self._proxied = _opener(proxies=True)
        self._direct = _opener(proxies=False)

    def now(self) -> float:
        """The clock deadlines are measured on."""
        return self._clock()

    def send(
        self,
        url: str,
        *,
        headers: Mapping[str, str],
        data: bytes | None = None,
        deadline: float | None = None,
    ) -> HTTPResponse:
        """Send one request (GET, or POST when ``data`` is given) and read the response.

        Any status is returned, 3xx and errors included; only a missing or incomplete
        response raises.

        :param deadline: when the whole request must be over, on :meth:`now`'s clock; by
            default ``timeout_seconds`` from now. A caller following redirects passes one
            deadline for all hops.
        :raises FetchError: for a URL :func:`check_url` refuses (before any network
            access), no answer, an answer not complete by the deadline, or a body over the cap.
        """
        try:
            check_url(url, what=self._what)
        except InputError as exc:
            raise FetchError("insecure_url", exc.description) from exc
        started = self._clock()
        if deadline is None:
            deadline = started + self.timeout_seconds
        remaining = deadline - started
        if remaining <= 0:
            raise FetchError("timeout", f"the {self._what} did not answer (timeout)")
        watchdog = _Watchdog(remaining)
        request = _Request(
            url, data=data, headers={**headers, "User-Agent": self._user_agent}, watchdog=watchdog
        )
        opener = self._direct if urlsplit(url).hostname in LOOPBACK_HOSTS else self._proxied
        try:
            try:
                response = opener.open(request, timeout=min(self.timeout_seconds, remaining))
            except urllib.error.HTTPError as exc:
                # A 4xx, a 5xx or a redirect that was not followed is still an answer.
                response = exc
            with response:
                body = self._read(response, response.headers, deadline, watchdog)
                return HTTPResponse(
                    status=response.status or 0,
                    body=body,
                    content_type=_media_type(response.headers),
                    location=response.headers.get("Location"),
                )
        except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
            timed_out = (
                watchdog.fired
                or isinstance(exc, TimeoutError)
                or isinstance(getattr(exc, "reason", None), TimeoutError)
            )
            reason = "timeout" if timed_out else "unreachable"
            raise FetchError(reason, f"the {self._what} did not answer ({reason})") from exc
        finally:
            watchdog.cancel()

    def _read(
        self, response: IO[bytes], headers: Message, deadline: float, watchdog: _Watchdog
    ) -> bytes:
        cap = self.max_response_bytes
        too_large = FetchError("too_large", f"the {self._what}'s response exceeds {cap} bytes")
        declared = headers.get("Content-Length")
        if declared is not None and declared.strip().isdigit() and int(declared) > cap:
            raise too_large
        chunks: list[bytes] = []
        size = 0
        while True:
            chunk = response.read(min(_CHUNK, cap + 1 - size))
            if watchdog.fired or self._clock() > deadline:
                # A body cut short by the watchdog must never pass for a complete one.
                raise FetchError("timeout", f"the {self._what} did not answer (timeout)")
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
            size += len(chunk)
            if size > cap:
                raise too_large
