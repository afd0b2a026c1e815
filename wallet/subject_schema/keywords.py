"""Keyword tables, the compile-time error, and the few run-time helpers generated code calls.

Nothing here turns schema text into code: :func:`literal` only returns the ``repr`` of an
exact ``str``/``int``/finite ``float`` after proving it reads back as the same value, and
every other schema-supplied value lives in the generated module's namespace as a constant.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Callable, Sequence
from typing import Any

from wallet.errors import DataModelError

__all__ = [
    "ANNOTATIONS",
    "INTEGER_COND",
    "KNOWN",
    "MISSING",
    "TYPES",
    "UnsupportedSchemaError",
    "json_key",
    "literal",
    "matcher",
    "name_matcher",
    "unique",
]


class UnsupportedSchemaError(DataModelError):
    """A schema that uses a keyword, value, ``$ref`` or ``format`` outside the subset."""


ANNOTATIONS = frozenset(
    {"$schema", "$id", "$defs", "$comment", "title", "description", "examples", "default"}
)
ASSERTIONS = frozenset(
    {
        "type", "enum", "const", "required", "minimum", "maximum", "exclusiveMinimum",
        "exclusiveMaximum", "minLength", "maxLength", "pattern", "format", "minItems",
        "maxItems", "uniqueItems",
    }
)  # fmt: skip
APPLICATORS = frozenset(
    {
        "$ref", "allOf", "anyOf", "oneOf", "not", "if", "then", "else", "properties",
        "patternProperties", "additionalProperties", "items",
    }
)  # fmt: skip
KNOWN = ANNOTATIONS | ASSERTIONS | APPLICATORS
TYPES = frozenset({"null", "boolean", "object", "array", "string", "integer", "number"})
REF = re.compile(r"#/\$defs/([^/]+)")

#: Type tests of a variable named ``{v}``; bool is neither an integer nor a number.
STR_COND = "type({v}) is str or isinstance({v}, str)"
DICT_COND = "type({v}) is dict or isinstance({v}, dict)"
LIST_COND = "type({v}) is list or isinstance({v}, list)"
INT_COND = "type({v}) is int or (isinstance({v}, int) and {v} is not True and {v} is not False)"
FLOAT_COND = "type({v}) is float or isinstance({v}, float)"
NUM_COND = f"{INT_COND} or {FLOAT_COND}"
INTEGER_COND = f"{INT_COND} or (({FLOAT_COND}) and {{v}}.is_integer())"
BOOL_COND = "{v} is True or {v} is False"

#: Property names whose pattern matches are remembered (per patternProperties), at most.
KEY_CACHE_SIZE = 512
KEY_CACHE_MAX_LEN = 64

#: The marker of an absent property in generated code.
MISSING = object()


def literal(value: object) -> str | None:
    """A Python literal reading back as ``value`` (exact str, int, finite float), or None."""
    if type(value) is str or type(value) is int or (type(value) is float and math.isfinite(value)):
        text = repr(value)
        try:
            back = ast.literal_eval(text)
        except (ValueError, SyntaxError):  # pragma: no cover - repr of these always reads back
            return None
        if type(back) is type(value) and back == value:
            return text
    return None


# JSON equality: a hashable key per value, equal exactly when the values are equal as JSON.
_TRUE, _FALSE, _LIST, _DICT = object(), object(), object(), object()


def json_key(value: Any) -> Any:
    if isinstance(value, str) or value is None:
        return value
    if value is True:
        return _TRUE
    if value is False:
        return _FALSE
    if isinstance(value, list):
        return (_LIST, tuple(map(json_key, value)))
    if isinstance(value, dict):
        return (_DICT, frozenset((k, json_key(v)) for k, v in value.items()))
    try:
        hash(value)
    except TypeError:
        return object()  # Not JSON: equal to nothing.
    return value  # int and float: 1 and 1.0 are equal and hash alike.


def unique(items: list[Any]) -> bool:
    return len(set(map(json_key, items))) == len(items)


def matcher(
    searches: Sequence[Callable[[str], object]], cache: dict[Any, int]
) -> Callable[[Any], int]:
    """Which patterns a property name matches, as a bit mask (bit i: pattern i), remembered."""
    bits = [(search, 1 << i) for i, search in enumerate(searches)]

    def match(key: Any) -> int:
        if not isinstance(key, str):
            return 0
        found = 0
        for search, bit in bits:
            if search(key) is not None:
                found |= bit
        if len(cache) < KEY_CACHE_SIZE and len(key) <= KEY_CACHE_MAX_LEN:
            cache[key] = found
        return found

    return match


def name_matcher(search: Callable[[str], object], known: set[Any]) -> Callable[[Any], bool]:
    """Whether a property name matches one pattern; matching names are remembered in ``known``.

    For objects whose names must all match one pattern (``patternProperties`` alone with
    ``additionalProperties: false``): generated code tests ``x.keys() <= known`` and calls
    this only for a name it has not seen match.
    """

    def match(key: Any) -> bool:
        if not isinstance(key, str) or search(key) is None:
            return False
        if len(known) < KEY_CACHE_SIZE and len(key) <= KEY_CACHE_MAX_LEN:
            known.add(key)
        return True

    return match
