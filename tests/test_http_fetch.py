"""wallet.http_fetch: URL policy, deadline against drip-feeding servers, size cap, no redirects."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.fixtures.http_server import Route, RouteServer, closed_port, running
from wallet.errors import InputError
from wallet.http_fetch import BoundedHTTP, FetchError, check_url


@pytest.fixture
def server() -> Iterator[RouteServer]:
    with running() as server:
        yield server


def make_http(*, timeout: float = 2.0, cap: int = 64 * 1024) -> BoundedHTTP:
    return BoundedHTTP(
        timeout_seconds=timeout, max_response_bytes=cap, what="test server", user_agent="test"
    )


@pytest.mark.parametrize(
    "url",
    ["https://example.org/x", "http://127.0.0.1:8000/x", "http://localhost/x", "http://[::1]/x"],
)
def test_check_url_allows_https_and_loopback_http(url: str) -> None:
    check_url(url, what="test")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://example.org/x", "must use https"),
        ("ftp://example.org/x", "must use https"),
        ("file:///etc/passwd", "must use https"),
        ("https:///no-host", "must use https"),
        ("https://user:pw@example.org/x", "user information"),
        ("https://[::1/x", "cannot be parsed"),
    ],
)
def test_check_url_refuses(url: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        check_url(url, what="test")


def test_insecure_url_is_refused_before_any_request() -> None:
    with pytest.raises(FetchError) as caught:
        make_http().send("http://example.org/list", headers={})
    assert caught.value.reason == "insecure_url"


def test_answer_is_read_with_its_media_type(server: RouteServer) -> None:
    server.routes["/a"] = Route(body=b"hello", content_type="Application/VC+JWT; charset=utf-8")
    response = make_http().send(server.url("/a"), headers={"Accept": "application/vc+jwt"})
    assert (response.status, response.body, response.content_type) == (
        200,
        b"hello",
        "application/vc+jwt",
    )
    assert server.requests[0].headers["Accept"] == "application/vc+jwt"


def test_error_status_is_an_answer(server: RouteServer) -> None:
    server.routes["/a"] = Route(body=b"oops", status=503, content_type="text/plain")
    response = make_http().send(server.url("/a"), headers={})
    assert (response.status, response.body) == (503, b"oops")


def test_redirect_is_returned_not_followed(server: RouteServer) -> None:
    server.routes["/a"] = Route(status=302, headers={"Location": "/b"})
    response = make_http().send(server.url("/a"), headers={})
    assert (response.status, response.location) == (302, "/b")
    assert server.count("/b") == 0


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "streamed"])
def test_body_over_the_cap_is_refused(server: RouteServer, declared: bool) -> None:
    server.routes["/big"] = Route(body=b"x" * 200_000, declare_length=declared)
    with pytest.raises(FetchError) as caught:
        make_http(cap=64 * 1024).send(server.url("/big"), headers={})
    assert caught.value.reason == "too_large"
    assert "exceeds 65536 bytes" in caught.value.description


def test_body_of_exactly_the_cap_is_read(server: RouteServer) -> None:
    server.routes["/exact"] = Route(body=b"x" * 1000, declare_length=False)
    assert make_http(cap=1000).send(server.url("/exact"), headers={}).body == b"x" * 1000


def test_unreachable() -> None:
    with pytest.raises(FetchError) as caught:
        make_http().send(f"http://127.0.0.1:{closed_port()}/list", headers={})
    assert caught.value.reason == "unreachable"


def test_silent_server_times_out(server: RouteServer) -> None:
    server.routes["/slow"] = Route(body=b"late", delay=3.0)
    started = time.monotonic()
    with pytest.raises(FetchError) as caught:
        make_http(timeout=0.5).send(server.url("/slow"), headers={})
    assert caught.value.reason == "timeout"
    assert time.monotonic() - started < 2.5


@pytest.mark.parametrize("where", ["body", "headers"])
def test_drip_feeding_server_is_cut_at_the_deadline(server: RouteServer, where: str) -> None:
    """Every byte comes well within the socket timeout; only the deadline can stop this."""
    if where == "body":
        route = Route(body=b"x" * 400, drip=0.02)
    else:
        route = Route(body=b"x", headers={"X-Padding": "p" * 400}, drip_head=0.02)
    server.routes["/drip"] = route
    started = time.monotonic()
    with pytest.raises(FetchError) as caught:
        make_http(timeout=0.5).send(server.url("/drip"), headers={})
    assert caught.value.reason == "timeout"
    # 400 bytes at 20 ms would take 8 s; the deadline (0.5 s) ends it after about 0.5 s.
    assert time.monotonic() - started < 3.0


def test_deadline_already_passed_sends_nothing(server: RouteServer) -> None:
    http = make_http()
    with pytest.raises(FetchError) as caught:
        http.send(server.url("/a"), headers={}, deadline=http.now() - 1)
    assert caught.value.reason == "timeout"
    assert server.count() == 0
