"""Strict JSON request bodies for every API route.

Python's JSON parser accepts ``NaN``, ``Infinity`` and numbers that overflow to them, and
lets a duplicate member silently replace the first; a NUL character (``\\u0000``) in a
string is refused as well. None of that may reach a signature
(orjson would write a non-finite number as ``null``), so request bodies are parsed with the
same strict rules as JOSE payloads; a refusal is a 400 PARSING_ERROR like any other
unparseable body.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from wallet.errors import ParseError
from wallet.jose import loads_object


class StrictJSONRequest(Request):
    """A request whose ``json()`` refuses what strict JSON refuses."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            body = await self.body()
            try:
                parsed = loads_object(body, what="the request body")
                if b"\\u0000" in body and _has_nul(parsed):
                    raise ParseError("the request body contains a NUL character (\\u0000)")
            except ParseError as exc:
                # FastAPI reports a JSONDecodeError as a json_invalid validation error,
                # which web/problems.py answers with 400 PARSING_ERROR.
                raise json.JSONDecodeError(exc.description, "", 0) from exc
            self._json = parsed
        return self._json


def _has_nul(value: Any) -> bool:
    """Whether any string (or member name) of a parsed JSON value holds a NUL character;
    no field of ours may, and PostgreSQL text cannot store one."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any("\x00" in key or _has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


class StrictJSONRoute(APIRoute):
    """An API route that parses its JSON body strictly."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict_handler(request: Request) -> Response:
            return await handler(StrictJSONRequest(request.scope, request.receive))

        return strict_handler
