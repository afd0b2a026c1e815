"""Strict JSON request bodies for every API route.

Python's JSON parser accepts ``NaN``, ``Infinity`` and numbers that overflow to them, and
lets a duplicate member silently replace the first. None of that may reach a signature
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
                self._json = loads_object(body, what="the request body")
            except ParseError as exc:
                # FastAPI reports a JSONDecodeError as a json_invalid validation error,
                # which web/problems.py answers with 400 PARSING_ERROR.
                raise json.JSONDecodeError(exc.description, "", 0) from exc
        return self._json


class StrictJSONRoute(APIRoute):
    """An API route that parses its JSON body strictly."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict_handler(request: Request) -> Response:
            return await handler(StrictJSONRequest(request.scope, request.receive))

        return strict_handler
