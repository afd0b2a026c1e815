"""Strict JSON for JOSE headers and payloads (I-JSON, RFC 7493; RFC 8725 §3.7).

Refused: a byte-order mark, invalid UTF-8, duplicate member names at any depth,
``NaN``/``Infinity`` and numbers that overflow to them (``1e400``), integers longer than
Python's conversion limit, and any top level other than an object (an array for
:func:`loads_array`, which parses SD-JWT Disclosures). pyjwt accepts several of these
(duplicate members with the last one winning, a BOM); the same token must not mean two
things to two parsers.

orjson makes the common case cheap: a text that orjson parses and re-serialises to exactly
the same bytes is canonical compact JSON, which cannot hold a duplicate member, a BOM, a
``NaN`` or invalid UTF-8, so it is accepted as parsed. Every other text (another member
order, other escapes, whitespace) takes the strict standard-library path, which applies
each refusal itself. Both paths produce the same Python values.
"""

from __future__ import annotations

import json
import math
from typing import Any, NoReturn

import orjson

from wallet.errors import ParseError


class _DuplicateMemberError(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _DuplicateMemberError("duplicate member name")
    return result


def _no_constants(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    # RFC 8259 §6 lets parsers limit range; I-JSON (RFC 7493 §2.2) expects IEEE 754 doubles,
    # and a number that overflows to infinity (``1e400``) is the same refusal as ``Infinity``.
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("number out of range")
    return value


# Built once: json.loads with hooks would build a new decoder on every call.
_DECODER = json.JSONDecoder(
    object_pairs_hook=_no_duplicates, parse_constant=_no_constants, parse_float=_finite_float
)


def _loads(data: bytes, *, what: str, kind: type[Any]) -> Any:
    try:
        fast = orjson.loads(data)
        if isinstance(fast, kind) and orjson.dumps(fast) == data:
            return fast
    except (orjson.JSONDecodeError, orjson.JSONEncodeError):
        pass
    if data.startswith(b"\xef\xbb\xbf"):
        raise ParseError(f"{what} starts with a byte-order mark")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ParseError(f"{what} is not valid UTF-8") from exc
    try:
        value = _DECODER.decode(text)
    except _DuplicateMemberError as exc:
        raise ParseError(f"{what} has a duplicate member name") from exc
    except (ValueError, RecursionError) as exc:
        raise ParseError(f"{what} is not valid JSON") from exc
    if not isinstance(value, kind):
        raise ParseError(f"{what} is not a JSON {'object' if kind is dict else 'array'}")
    return value


def loads_object(data: bytes, *, what: str) -> dict[str, Any]:
    """Parse UTF-8 JSON bytes that must hold one object.

    :param what: names the part for the error message ("JOSE header", "payload").
    :raises ParseError: on any of the refusals in the module docstring.
    """
    result: dict[str, Any] = _loads(data, what=what, kind=dict)
    return result


def loads_array(data: bytes, *, what: str) -> list[Any]:
    """Parse UTF-8 JSON bytes that must hold one array (an SD-JWT Disclosure, RFC 9901 §4.2).

    The same refusals as :func:`loads_object` apply, at every depth.

    :raises ParseError: on any of the refusals in the module docstring, or another top level.
    """
    result: list[Any] = _loads(data, what=what, kind=list)
    return result


def dumps_compact(value: object) -> bytes:
    """Serialise JSON compactly as UTF-8 (non-ASCII kept as is, as RFC 8259 allows)."""
    try:
        return orjson.dumps(value)
    except orjson.JSONEncodeError:
        # Integers beyond 64 bits, which orjson refuses; the standard library writes them.
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def dumps_sorted(value: object) -> bytes:
    """Like :func:`dumps_compact`, with the members of every object sorted by name."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, sort_keys=True)
        return text.encode("utf-8")
