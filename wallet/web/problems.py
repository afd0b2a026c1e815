"""The one place where errors become HTTP answers: problem details (RFC 9457).

A :class:`WalletError` answers with its own status, ``type``, ``title`` and description,
plus the stable ``code`` and, for records, every bad field (``errors``: pointer and
message). Request bodies that are not JSON answer 400 (PARSING_ERROR); bodies of the wrong
shape answer 422 naming every field. Nothing a client sends may produce a 5xx.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from wallet.errors import ParseError, RecordError, WalletError
from wallet.web.limits import PROBLEM_JSON


def problem_response(status: int, body: dict[str, Any]) -> JSONResponse:
    """A JSON response with the problem-details media type."""
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def problem_of(error: WalletError) -> dict[str, Any]:
    """The problem-details object of an error (also used inside verification reports)."""
    body: dict[str, Any] = {
        "type": error.problem_type,
        "title": error.title,
        "detail": error.description,
        "code": error.code,
    }
    problems = getattr(error, "problems", ())
    if problems:
        body["errors"] = [{"pointer": p.pointer, "detail": p.message} for p in problems]
    return body


def _pointer(loc: tuple[Any, ...]) -> str:
    parts = [str(part) for part in loc[1:]] if loc and loc[0] == "body" else [str(p) for p in loc]
    return "/" + "/".join(parts) if parts else ""


def install(app: FastAPI) -> None:
    """Register the exception handlers on ``app``."""

    async def on_wallet_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, WalletError)
        body = problem_of(exc)
        body["status"] = exc.status
        return problem_response(exc.status, body)

    async def on_validation(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = exc.errors()
        invalid = [error for error in errors if error.get("type") == "json_invalid"]
        if invalid:
            reason = (invalid[0].get("ctx") or {}).get("error")
            parse = ParseError(str(reason) if reason else "the request body is not valid JSON")
            body = problem_of(parse)
            body["status"] = 400
            return problem_response(400, body)
        record = RecordError("the request body does not have the expected shape")
        body = problem_of(record)
        body["status"] = 422
        body["errors"] = [
            {"pointer": _pointer(tuple(error.get("loc", ()))), "detail": str(error.get("msg"))}
            for error in errors
        ]
        return problem_response(422, body)

    async def on_http(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        body = {
            "type": "about:blank",
            "title": str(exc.detail),
            "status": exc.status_code,
            "detail": str(exc.detail),
        }
        return problem_response(exc.status_code, body)

    app.add_exception_handler(WalletError, on_wallet_error)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
