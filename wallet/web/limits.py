"""Request body cap, enforced before anything parses the body (``reference/security.md`` F8).

Starlette puts no limit on JSON bodies. This ASGI middleware refuses a declared
``Content-Length`` above the cap at once, and counts the bytes of a body sent without one
(chunked), answering 413 with problem details as soon as the count passes the cap.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

PROBLEM_JSON = "application/problem+json"


def problem_body(limit: int) -> bytes:
    """The problem-details body of a 413 answer."""
    return json.dumps(
        {
            "type": "urn:imk:problem:payload-too-large",
            "title": "Payload too large",
            "status": 413,
            "detail": f"the request body exceeds {limit} bytes",
            "code": "PAYLOAD_TOO_LARGE",
        }
    ).encode()


class BodyLimitMiddleware:
    """Answer 413 to any request whose body exceeds ``max_bytes``."""

    def __init__(
        self, app: ASGIApp, *, max_bytes: int, larger: Mapping[str, int] | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        #: Paths that take larger bodies (batch files), with their own cap.
        self.larger = dict(larger or {})

    async def _refuse(self, send: Send) -> None:
        body = problem_body(self.max_bytes)
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", PROBLEM_JSON.encode()),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.larger.get(scope.get("path", ""), self.max_bytes)
        if limit != self.max_bytes:
            # A bounded copy per request: the cap is read below as ``self.max_bytes``.
            await BodyLimitMiddleware(self.app, max_bytes=limit)(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = self.max_bytes + 1
                if declared > self.max_bytes:
                    await self._refuse(send)
                    return
        received = 0
        started = refused = False

        async def counting_receive() -> Message:
            # Past the cap, answer 413 at once and tell the app the client has gone: FastAPI
            # turns any error raised while reading the body into a 400 of its own.
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    refused = True
                    if not started:
                        await self._refuse(send)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        await self.app(scope, counting_receive, guarded_send)
