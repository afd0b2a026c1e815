"""A JSON Schema (draft 2020-12) subset compiled into nested closures that answer "valid?".

This is the hot path of subject validation: issuance and verification call it for every
credential, so it must cost a few microseconds, far below the signature. It answers only
yes or no; :mod:`wallet.credential_types` runs jsonschema on failure to name every bad field.

The subset is what ``schemas/*/schema.json`` use, and a schema using anything else is
refused at compile time (:class:`UnsupportedSchemaError`) so a check is never silently lost:

* applicators: ``$ref`` (local ``#/$defs/<name>`` only), ``allOf``, ``anyOf``, ``oneOf``,
  ``not``, ``if``/``then``/``else``, ``properties``, ``patternProperties``,
  ``additionalProperties``, ``items`` (one schema);
* assertions: ``type``, ``enum``, ``const``, ``required``, ``minimum``, ``maximum``,
  ``exclusiveMinimum``, ``exclusiveMaximum``, ``minLength``, ``maxLength``, ``pattern``,
  ``minItems``, ``maxItems``, ``uniqueItems``, ``format`` (only the names in :data:`FORMATS`);
* ignored annotations: ``$schema``, ``$id`` (root only), ``$defs``, ``$comment``, ``title``,
  ``description``, ``examples``, ``default``.

Semantics follow 2020-12 as jsonschema implements it: ``true``/``false`` are not numbers,
``3.0`` is an integer, ``enum``/``const``/``uniqueItems`` use JSON equality (``1 == 1.0``,
``True != 1``), ``pattern`` uses :func:`re.search` (not a full match), lengths count code
points. Two deliberate differences, both stricter (fail closed): NaN fails every numeric
bound, and a value that is not parsed JSON (a tuple, a set, a Decimal) fails every ``type``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from types import MappingProxyType
from typing import Any, NamedTuple
from urllib.parse import unquote

from wallet.errors import DataModelError

__all__ = ["FORMATS", "UnsupportedSchemaError", "compile_schema", "is_date"]

Validator = Callable[[Any], bool]


class UnsupportedSchemaError(DataModelError):
    """A schema that uses a keyword, value, ``$ref`` or ``format`` outside the subset."""


_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def is_date(value: object) -> bool:
    """RFC 3339 full-date: exactly YYYY-MM-DD and a real calendar day."""
    if not isinstance(value, str):
        return True  # A format only constrains strings; "type" rejects the rest.
    if _DATE.fullmatch(value) is None:
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


#: The formats the compiler asserts; credential_types registers the same functions with
#: jsonschema's format checker, so both engines agree.
FORMATS: Mapping[str, Callable[[object], bool]] = MappingProxyType({"date": is_date})

_ANNOTATIONS = frozenset(
    {"$schema", "$id", "$defs", "$comment", "title", "description", "examples", "default"}
)
_ASSERTIONS = frozenset(
    {
        "type", "enum", "const", "required", "minimum", "maximum", "exclusiveMinimum",
        "exclusiveMaximum", "minLength", "maxLength", "pattern", "format", "minItems",
        "maxItems", "uniqueItems",
    }
)  # fmt: skip
_APPLICATORS = frozenset(
    {
        "$ref", "allOf", "anyOf", "oneOf", "not", "if", "then", "else", "properties",
        "patternProperties", "additionalProperties", "items",
    }
)  # fmt: skip
_KNOWN = _ANNOTATIONS | _ASSERTIONS | _APPLICATORS
_INF = float("inf")
_TYPES = frozenset({"null", "boolean", "object", "array", "string", "integer", "number"})
_OBJECT = frozenset({"object"})
_INTEGER_OR_STRING = frozenset({"integer", "string"})
_REF = re.compile(r"#/\$defs/([^/]+)")
#: Property names whose pattern matches are remembered (per patternProperties), at most.
_KEY_CACHE_SIZE = 512
#: Up to this many required names are looked up one by one (cheaper than a set comparison).
_FEW_REQUIRED = 4
_KEY_CACHE_MAX_LEN = 64


def _always(_: Any) -> bool:
    return True


def _never(_: Any) -> bool:
    return False


# ---------------------------------------------------------------------------------------
# JSON equality: a hashable key per value, equal exactly when the values are equal as JSON.

_TRUE, _FALSE, _LIST, _DICT = object(), object(), object(), object()


def _key(value: Any) -> Any:
    if isinstance(value, str) or value is None:
        return value
    if value is True:
        return _TRUE
    if value is False:
        return _FALSE
    if isinstance(value, list):
        return (_LIST, tuple(map(_key, value)))
    if isinstance(value, dict):
        return (_DICT, frozenset((k, _key(v)) for k, v in value.items()))
    try:
        hash(value)
    except TypeError:
        return object()  # Not JSON: equal to nothing.
    return value  # int and float: 1 and 1.0 are equal and hash alike.


def _unique(items: list[Any]) -> bool:
    return len(set(map(_key, items))) == len(items)


def _unique_strings(items: list[Any]) -> bool:
    return len(set(items)) == len(items)


# ---------------------------------------------------------------------------------------
# Combinators.


def _all_of(fns: list[Validator]) -> Validator:
    fns = [f for f in fns if f is not _always]
    if any(f is _never for f in fns):
        return _never
    if not fns:
        return _always
    if len(fns) == 1:
        return fns[0]
    if len(fns) == 2:
        a, b = fns

        def all2(x: Any) -> bool:
            return a(x) and b(x)

        return all2
    if len(fns) == 3:
        a, b, c = fns

        def all3(x: Any) -> bool:
            return a(x) and b(x) and c(x)

        return all3
    many = tuple(fns)

    def all_n(x: Any) -> bool:
        for f in many:
            if not f(x):
                return False
        return True

    return all_n


def _any_of(fns: list[Validator]) -> Validator:
    if len(fns) == 1:
        return fns[0]
    if len(fns) == 2:
        a, b = fns

        def any2(x: Any) -> bool:
            return a(x) or b(x)

        return any2
    many = tuple(fns)

    def any_n(x: Any) -> bool:
        for f in many:
            if f(x):
                return True
        return False

    return any_n


def _one_of(fns: list[Validator]) -> Validator:
    many = tuple(fns)

    def one_of(x: Any) -> bool:
        found = False
        for f in many:
            if f(x):
                if found:
                    return False
                found = True
        return found

    return one_of


def _not(fn: Validator) -> Validator:
    def negated(x: Any) -> bool:
        return not fn(x)

    return negated


def _if_then_else(cond: Validator, then: Validator, other: Validator) -> Validator:
    def if_then_else(x: Any) -> bool:
        return then(x) if cond(x) else other(x)

    return if_then_else


def _if_property(
    cond: tuple[str, Validator], then: tuple[str, Validator], other: tuple[str, Validator]
) -> Validator:
    """``if``/``then``/``else`` where each only constrains one property: a discriminator."""
    (c_name, c_check), (t_name, t_check), (e_name, e_check) = cond, then, other
    missing = object()

    def if_property(x: Any) -> bool:
        if not isinstance(x, dict):
            return True
        v = x.get(c_name, missing)
        if v is missing or c_check(v):
            v = x.get(t_name, missing)
            return v is missing or t_check(v)
        v = x.get(e_name, missing)
        return v is missing or e_check(v)

    return if_property


def _enum(values: list[Any]) -> Validator:
    if all(isinstance(v, str) for v in values):
        strings = frozenset(values)
        if len(strings) == 1:
            (only,) = strings

            def const_str(x: Any) -> bool:
                return isinstance(x, str) and x == only

            return const_str

        def enum_str(x: Any) -> bool:
            return isinstance(x, str) and x in strings

        return enum_str
    keys = frozenset(map(_key, values))

    def enum_any(x: Any) -> bool:
        return _key(x) in keys

    return enum_any


# ---------------------------------------------------------------------------------------
# Per-kind checks. Each builder returns a "core" that assumes the kind, or None when the
# schema says nothing about that kind.


def _is_str(x: Any) -> bool:
    return isinstance(x, str)


def _is_integer_or_string(x: Any) -> bool:
    if isinstance(x, str):
        return True
    if isinstance(x, bool):
        return False
    return isinstance(x, int) or (isinstance(x, float) and x.is_integer())


def _is_integer(x: Any) -> bool:
    if isinstance(x, bool):
        return False
    return isinstance(x, int) or (isinstance(x, float) and x.is_integer())


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def _string_typed(
    lo: int, hi: float, searches: list[Callable[[str], Any]], fmt: Validator | None
) -> Validator:
    """A check of "is a string" plus the string keywords, specialised for common shapes."""
    if fmt is None and len(searches) == 1:
        search = searches[0]
        if lo == 0 and hi == _INF:

            def str_pattern(x: Any) -> bool:
                return isinstance(x, str) and search(x) is not None

            return str_pattern

        def str_len_pattern(x: Any) -> bool:
            return isinstance(x, str) and lo <= len(x) <= hi and search(x) is not None

        return str_len_pattern
    if fmt is None and not searches:
        if lo == 0 and hi == _INF:
            return _is_str

        def str_len(x: Any) -> bool:
            return isinstance(x, str) and lo <= len(x) <= hi

        return str_len
    if fmt is not None and len(searches) == 1 and lo == 0 and hi == _INF:
        search, check = searches[0], fmt

        def str_pattern_format(x: Any) -> bool:
            return isinstance(x, str) and search(x) is not None and check(x)

        return str_pattern_format
    checks = tuple(searches)

    def str_general(x: Any) -> bool:
        if not isinstance(x, str) or not lo <= len(x) <= hi:
            return False
        for search in checks:
            if search(x) is None:
                return False
        return fmt is None or fmt(x)

    return str_general


def _number_core(lo: float, hi: float, xlo: float | None, xhi: float | None) -> Validator | None:
    inf = _INF
    if xlo is None and xhi is None:
        if lo == -inf and hi == inf:
            return None

        def bounds(x: float) -> bool:
            return lo <= x <= hi

        return bounds
    low_ex = -inf if xlo is None else xlo
    high_ex = inf if xhi is None else xhi

    def bounds_ex(x: Any) -> bool:
        return lo <= x <= hi and (xlo is None or low_ex < x) and (xhi is None or x < high_ex)

    return bounds_ex


def _integer_typed(core: Validator | None, plain: tuple[float, float] | None = None) -> Validator:
    if core is None:
        return _is_integer
    if plain is not None:
        lo, hi = plain

        def integer_in(x: Any) -> bool:
            if type(x) is int:
                return lo <= x <= hi
            if isinstance(x, float):
                return x.is_integer() and lo <= x <= hi
            return isinstance(x, int) and not isinstance(x, bool) and lo <= x <= hi

        return integer_in
    bounds = core

    def integer(x: Any) -> bool:
        if type(x) is int:
            return bounds(x)
        if isinstance(x, float):
            return x.is_integer() and bounds(x)
        return isinstance(x, int) and not isinstance(x, bool) and bounds(x)

    return integer


def _number_typed(core: Validator | None, plain: tuple[float, float] | None = None) -> Validator:
    if core is None:
        return _is_number
    if plain is not None:
        lo, hi = plain

        def number_in(x: Any) -> bool:
            return isinstance(x, int | float) and not isinstance(x, bool) and lo <= x <= hi

        return number_in
    bounds = core

    def number(x: Any) -> bool:
        return isinstance(x, int | float) and not isinstance(x, bool) and bounds(x)

    return number


class _Compiler:
    def __init__(self, root: Mapping[str, Any]) -> None:
        self.root = root
        defs = root.get("$defs", {})
        if not isinstance(defs, Mapping):
            raise UnsupportedSchemaError("$defs must be an object")
        self.defs: Mapping[str, Any] = defs
        self.done: dict[str, Validator] = {}
        self.pending: set[str] = set()
        self.cells: dict[str, list[Validator]] = {}

    # -- helpers ------------------------------------------------------------------------

    @staticmethod
    def _fail(pointer: str, message: str) -> UnsupportedSchemaError:
        return UnsupportedSchemaError(f"schema at {pointer or '/'}: {message}")

    def _count(self, schema: Mapping[str, Any], key: str, pointer: str) -> int | None:
        if key not in schema:
            return None
        value = schema[key]
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self._fail(pointer, f"{key} must be a non-negative integer")
        return value

    def _bound(self, schema: Mapping[str, Any], key: str, pointer: str) -> float | None:
        if key not in schema:
            return None
        value = schema[key]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self._fail(pointer, f"{key} must be a number")
        return value

    def _regex(self, pattern: object, pointer: str) -> re.Pattern[str]:
        if not isinstance(pattern, str):
            raise self._fail(pointer, "a pattern must be a string")
        try:
            return re.compile(pattern)
        except re.error as exc:
            raise self._fail(pointer, f"pattern does not compile: {exc}") from None

    def _sub(self, schema: Any, pointer: str) -> Validator:
        if schema is True:
            return _always
        if schema is False:
            return _never
        if not isinstance(schema, Mapping):
            raise self._fail(pointer, "a subschema must be an object or a boolean")
        return self.node(schema, pointer)

    def _subs(self, schema: Mapping[str, Any], key: str, pointer: str) -> list[Validator]:
        value = schema[key]
        if not isinstance(value, list) or not value:
            raise self._fail(pointer, f"{key} must be a non-empty array")
        return [self._sub(s, f"{pointer}/{key}/{i}") for i, s in enumerate(value)]

    def _target(self, ref: object, pointer: str) -> str:
        match = _REF.fullmatch(ref) if isinstance(ref, str) else None
        if match is None:
            raise self._fail(pointer, f"$ref {ref!r} is not a local #/$defs/<name> reference")
        name = unquote(match.group(1)).replace("~1", "/").replace("~0", "~")
        if name not in self.defs:
            raise self._fail(pointer, f"$ref {ref!r} names no definition")
        return name

    def _guarantees_string(self, schema: Any, depth: int = 0) -> bool:
        """Whether every instance valid under ``schema`` is a string (statically known)."""
        if not isinstance(schema, Mapping) or depth > 20:
            return False
        if schema.get("type") in ("string", ["string"]):
            return True
        ref = schema.get("$ref")
        if isinstance(ref, str):
            return self._guarantees_string(self.defs.get(self._target(ref, "")), depth + 1)
        return False

    def _one_property(self, schema: Any) -> tuple[str, Validator] | None:
        """``(name, check)`` of a schema that only constrains one property (or nothing)."""
        if schema is True:
            return ("", _always)
        if not isinstance(schema, Mapping) or set(schema) - _ANNOTATIONS != {"properties"}:
            return None
        props = schema["properties"]
        if not isinstance(props, Mapping) or len(props) != 1:
            return None
        ((name, sub),) = props.items()
        return (name, self._sub(sub, "/properties"))

    # -- references ---------------------------------------------------------------------

    def ref(self, ref: object, pointer: str) -> Validator:
        return self.definition(self._target(ref, pointer))

    def definition(self, name: str) -> Validator:
        if name in self.done:
            return self.done[name]
        if name in self.pending:  # A cycle: call through a cell filled in below.
            cell = self.cells.setdefault(name, [])

            def deferred(x: Any) -> bool:
                return cell[0](x)

            return deferred
        self.pending.add(name)
        fn = self._sub(self.defs[name], f"/$defs/{name}")
        self.pending.discard(name)
        self.done[name] = fn
        if name in self.cells:
            self.cells[name].append(fn)
        return fn

    def compile_unused(self, schema: Mapping[str, Any], pointer: str) -> None:
        """Compile every ``$defs`` entry (root and nested), so all of it is checked."""
        defs = schema.get("$defs", {})
        if not isinstance(defs, Mapping):
            raise self._fail(pointer, "$defs must be an object")
        for name, sub in defs.items():
            if pointer == "":
                self.definition(name)
            else:
                self._sub(sub, f"{pointer}/$defs/{name}")

    # -- one schema object --------------------------------------------------------------

    def node(self, schema: Mapping[str, Any], pointer: str) -> Validator:
        for key in schema:
            if key not in _KNOWN:
                raise self._fail(pointer, f"keyword {key!r} is not supported")
        if "$id" in schema and pointer != "":
            raise self._fail(pointer, "$id is only allowed at the root")
        if pointer != "" and "$defs" in schema:
            self.compile_unused(schema, pointer)

        types = self._types(schema, pointer)
        string = self._string(schema, pointer)
        number = self._number(schema, pointer)
        array = self._array(schema, pointer)
        obj = self._object(schema, pointer)
        checks: list[Validator] = []
        if "enum" in schema:
            values = schema["enum"]
            if not isinstance(values, list):
                raise self._fail(pointer, "enum must be an array")
            checks.append(_enum(values) if values else _never)
        if "const" in schema:
            checks.append(_enum([schema["const"]]))
        if "$ref" in schema:
            checks.append(self.ref(schema["$ref"], f"{pointer}/$ref"))
        if "allOf" in schema:
            checks.extend(self._subs(schema, "allOf", pointer))
        if "anyOf" in schema:
            checks.append(_any_of(self._subs(schema, "anyOf", pointer)))
        if "oneOf" in schema:
            checks.append(_one_of(self._subs(schema, "oneOf", pointer)))
        if "not" in schema:
            checks.append(_not(self._sub(schema["not"], f"{pointer}/not")))
        then = self._sub(schema.get("then", True), f"{pointer}/then")
        other = self._sub(schema.get("else", True), f"{pointer}/else")
        if "if" in schema:
            cond = self._sub(schema["if"], f"{pointer}/if")
            if then is not _always or other is not _always:
                simple = [self._one_property(schema.get(k, True)) for k in ("if", "then", "else")]
                if all(part is not None for part in simple):
                    checks.append(_if_property(*simple))  # type: ignore[arg-type]
                else:
                    checks.append(_if_then_else(cond, then, other))
        extra = _all_of(checks)
        if extra is _never:
            return _never

        # Objects: one closure checks the kind, the object keywords and then the rest.
        if types == _OBJECT or (
            types is None and obj is not None and string is None and number is None
            and array is None
        ):  # fmt: skip
            return _object(obj or _ObjectSpec(frozenset(), {}, [], _always), types, extra)
        plain = None
        if "exclusiveMinimum" not in schema and "exclusiveMaximum" not in schema:
            plain = (schema.get("minimum", -_INF), schema.get("maximum", _INF))
        typed = self._typed(types, string, number, array, obj, plain)
        if typed is None:
            return extra
        if typed is _is_str and "enum" in schema and all(isinstance(v, str) for v in values):
            return extra  # A string enum already implies "type": "string".
        return _all_of([typed, extra])

    def _types(self, schema: Mapping[str, Any], pointer: str) -> frozenset[str] | None:
        if "type" not in schema:
            return None
        value = schema["type"]
        names = [value] if isinstance(value, str) else value
        if not isinstance(names, list) or not names or not set(names) <= _TYPES:
            raise self._fail(pointer, f"type {value!r} is not supported")
        found = frozenset(names)
        if "number" in found:
            found -= {"integer"}
        return found

    def _string(
        self, schema: Mapping[str, Any], pointer: str
    ) -> tuple[int, float, list[Callable[[str], Any]], Validator | None] | None:
        lo = self._count(schema, "minLength", pointer)
        hi = self._count(schema, "maxLength", pointer)
        searches: list[Callable[[str], Any]] = []
        if "pattern" in schema:
            searches.append(self._regex(schema["pattern"], f"{pointer}/pattern").search)
        fmt = None
        if "format" in schema:
            fmt = FORMATS.get(schema["format"])
            if fmt is None:
                raise self._fail(pointer, f"format {schema['format']!r} is not supported")
        if lo is None and hi is None and not searches and fmt is None:
            return None
        return (lo or 0, _INF if hi is None else hi, searches, fmt)

    def _number(self, schema: Mapping[str, Any], pointer: str) -> Validator | None:
        inf = _INF
        lo = self._bound(schema, "minimum", pointer)
        hi = self._bound(schema, "maximum", pointer)
        return _number_core(
            -inf if lo is None else lo,
            inf if hi is None else hi,
            self._bound(schema, "exclusiveMinimum", pointer),
            self._bound(schema, "exclusiveMaximum", pointer),
        )

    def _array(self, schema: Mapping[str, Any], pointer: str) -> _ArraySpec | None:
        lo = self._count(schema, "minItems", pointer) or 0
        hi_count = self._count(schema, "maxItems", pointer)
        hi = _INF if hi_count is None else hi_count
        unique = schema.get("uniqueItems", False)
        if not isinstance(unique, bool):
            raise self._fail(pointer, "uniqueItems must be a boolean")
        if "items" in schema and isinstance(schema["items"], list):
            raise self._fail(pointer, "items must be one schema (2020-12)")
        item = self._sub(schema.get("items", True), f"{pointer}/items")
        if not unique and item is _always and lo == 0 and hi == _INF:
            return None
        uniq = _unique_strings if self._guarantees_string(schema.get("items")) else _unique
        return _ArraySpec(lo, hi, item, uniq if unique else None)

    def _object(self, schema: Mapping[str, Any], pointer: str) -> _ObjectSpec | None:
        required = schema.get("required", [])
        if not isinstance(required, list) or not all(isinstance(r, str) for r in required):
            raise self._fail(pointer, "required must be an array of strings")
        props_schema = schema.get("properties", {})
        pattern_schema = schema.get("patternProperties", {})
        if not isinstance(props_schema, Mapping) or not isinstance(pattern_schema, Mapping):
            raise self._fail(pointer, "properties and patternProperties must be objects")
        props = {
            name: self._sub(sub, f"{pointer}/properties/{name}")
            for name, sub in props_schema.items()
        }
        patterns = [
            (
                self._regex(p, f"{pointer}/patternProperties"),
                self._sub(sub, f"{pointer}/patternProperties/{p}"),
            )
            for p, sub in pattern_schema.items()
        ]
        additional = (
            self._sub(schema["additionalProperties"], f"{pointer}/additionalProperties")
            if "additionalProperties" in schema
            else _always
        )
        if additional is _always:
            props = {name: f for name, f in props.items() if f is not _always}
            patterns = [(p, f) for p, f in patterns if f is not _always]
        if not required and not props and not patterns and additional is _always:
            return None
        return _ObjectSpec(frozenset(required), props, patterns, additional)

    @staticmethod
    def _typed(
        types: frozenset[str] | None,
        string: tuple[int, float, list[Callable[[str], Any]], Validator | None] | None,
        number: Validator | None,
        arrays: _ArraySpec | None,
        spec: _ObjectSpec | None,
        plain: tuple[float, float] | None,
    ) -> Validator | None:
        if types is None and string is None and number is None and arrays is None:
            if spec is None:
                return None
        array = None if arrays is None else _array(arrays, True)
        obj = None if spec is None else _object(spec, _OBJECT, _always)
        str_typed = _string_typed(*string) if string is not None else None
        if types is not None and len(types) == 1:
            (only,) = types
            if only == "string":
                return str_typed or _string_typed(0, _INF, [], None)
            if only == "integer":
                return _integer_typed(number, plain)
            if only == "number":
                return _number_typed(number, plain)
            if only == "array":
                return _array(arrays, True) if arrays is not None else _guard(None, list)
            if only == "boolean":
                return _guard(None, bool)
            return _is_null
        allowed = _TYPES if types is None else types
        number_ok = "number" in allowed
        integer_ok = number_ok or "integer" in allowed

        def slot(ok: bool, core: Validator | None) -> Validator:
            return (core or _always) if ok else _never

        on_str = (str_typed or _always) if "string" in allowed else _never
        on_int = slot(integer_ok, number)
        if number_ok:
            on_float = number or _always
        elif integer_ok:
            on_float = _integer_typed(number)
        else:
            on_float = _never
        on_bool = slot("boolean" in allowed, None)
        on_obj = slot("object" in allowed, obj)
        on_arr = slot("array" in allowed, array)
        on_null = "null" in allowed
        other = types is None

        def dispatch(x: Any) -> bool:
            if isinstance(x, str):
                return on_str(x)
            if isinstance(x, bool):
                return on_bool(x)
            if isinstance(x, int):
                return on_int(x)
            if isinstance(x, float):
                return on_float(x)
            if isinstance(x, dict):
                return on_obj(x)
            if isinstance(x, list):
                return on_arr(x)
            if x is None:
                return on_null
            return other

        # With no "type" and only array keywords: skip the dispatch chain.
        if types is None and string is None and number is None and spec is None:
            if arrays is not None:
                return _array(arrays, False)
        if types == _INTEGER_OR_STRING and string is None and number is None:
            return _is_integer_or_string
        return dispatch


def _is_null(x: Any) -> bool:
    return x is None


def _guard(core: Validator | None, kind: type) -> Validator:
    if core is None:

        def is_kind(x: Any) -> bool:
            return isinstance(x, kind)

        return is_kind
    check = core

    def kind_and(x: Any) -> bool:
        return isinstance(x, kind) and check(x)

    return kind_and


class _ArraySpec(NamedTuple):
    lo: int
    hi: float
    item: Validator
    unique: Callable[[list[Any]], bool] | None


def _array(spec: _ArraySpec, typed: bool) -> Validator:
    """``typed``: a non-array is invalid; otherwise it passes."""
    lo, hi, item, unique = spec
    non_list = not typed

    def array(x: Any) -> bool:
        if not isinstance(x, list):
            return non_list
        n = len(x)
        if not lo <= n <= hi:
            return False
        for value in x:
            if not item(value):
                return False
        return unique is None or n < 2 or unique(x)

    return array


class _ObjectSpec(NamedTuple):
    required: frozenset[str]
    props: dict[str, Validator]
    patterns: list[tuple[re.Pattern[str], Validator]]
    additional: Validator


def _required(
    names: frozenset[str],
) -> tuple[str | None, tuple[str, ...] | None, frozenset[str] | None]:
    """How to check ``required``: one name, a few names one by one, or a set comparison."""
    if len(names) == 1:
        return next(iter(names)), None, None
    if 1 < len(names) <= _FEW_REQUIRED:
        return None, tuple(sorted(names)), None
    return None, None, (names or None)


def _object(spec: _ObjectSpec, types: frozenset[str] | None, extra: Validator) -> Validator:
    """One closure per object schema: kind, required, properties, then ``extra`` (the rest).

    ``types`` is ``{"object"}`` (anything else is invalid) or ``None`` (anything else passes
    the object keywords and meets only ``extra``).
    """
    required, props, patterns, additional = spec
    non_dict = _never if types else extra
    tail = None if extra is _always else extra
    req_one, req_few, req_all = _required(required)
    get = props.get
    if patterns:
        return _object_patterns(spec, non_dict, tail)

    if additional is _never:

        def closed(x: Any) -> bool:
            if not isinstance(x, dict):
                return non_dict(x)
            if req_one is not None:
                if req_one not in x:
                    return False
            elif req_few is not None:
                for name in req_few:
                    if name not in x:
                        return False
            elif req_all is not None and not x.keys() >= req_all:
                return False
            for k, v in x.items():
                f = get(k)
                if f is None or not f(v):
                    return False
            return tail is None or tail(x)

        return closed

    if additional is _always:
        items = tuple(props.items())
        count = len(items)
        missing = object()

        def open_(x: Any) -> bool:
            if not isinstance(x, dict):
                return non_dict(x)
            if req_one is not None:
                if req_one not in x:
                    return False
            elif req_few is not None:
                for name in req_few:
                    if name not in x:
                        return False
            elif req_all is not None and not x.keys() >= req_all:
                return False
            if count:
                if len(x) > count:  # Loop over the shorter side.
                    for k, check in items:
                        v = x.get(k, missing)
                        if v is not missing and not check(v):
                            return False
                else:
                    for k, v in x.items():
                        f = get(k)
                        if f is not None and not f(v):
                            return False
            return tail is None or tail(x)

        return open_

    def constrained(x: Any) -> bool:
        if not isinstance(x, dict):
            return non_dict(x)
        if req_one is not None:
            if req_one not in x:
                return False
        elif req_few is not None:
            for name in req_few:
                if name not in x:
                    return False
        elif req_all is not None and not x.keys() >= req_all:
            return False
        for k, v in x.items():
            f = get(k)
            if f is None:
                if not additional(v):
                    return False
            elif not f(v):
                return False
        return tail is None or tail(x)

    return constrained


def _object_patterns(spec: _ObjectSpec, non_dict: Validator, tail: Validator | None) -> Validator:
    """Objects with patternProperties; which patterns a name matches is remembered."""
    required, props, patterns, additional = spec
    req_one, req_few, req_all = _required(required)
    get = props.get
    cache: dict[str, tuple[Validator, ...]] = {}
    cached = cache.get
    searches = tuple((p.search, f) for p, f in patterns)

    def matching(k: Any) -> tuple[Validator, ...]:
        if not isinstance(k, str):
            return ()
        found = tuple(f for search, f in searches if search(k) is not None)
        if len(cache) < _KEY_CACHE_SIZE and len(k) <= _KEY_CACHE_MAX_LEN:
            cache[k] = found
        return found

    if not props and len(patterns) == 1:
        only = patterns[0][1]

        def one_pattern(x: Any) -> bool:
            if not isinstance(x, dict):
                return non_dict(x)
            if req_one is not None:
                if req_one not in x:
                    return False
            elif req_few is not None:
                for name in req_few:
                    if name not in x:
                        return False
            elif req_all is not None and not x.keys() >= req_all:
                return False
            for k, v in x.items():
                fs = cached(k)
                if fs is None:
                    fs = matching(k)
                if fs:
                    if not only(v):
                        return False
                elif not additional(v):
                    return False
            return tail is None or tail(x)

        return one_pattern

    def general(x: Any) -> bool:
        if not isinstance(x, dict):
            return non_dict(x)
        if req_one is not None:
            if req_one not in x:
                return False
        elif req_few is not None:
            for name in req_few:
                if name not in x:
                    return False
        elif req_all is not None and not x.keys() >= req_all:
            return False
        for k, v in x.items():
            f = get(k)
            if f is not None and not f(v):
                return False
            fs = cached(k)
            if fs is None:
                fs = matching(k)
            for g in fs:
                if not g(v):
                    return False
            if f is None and not fs and not additional(v):
                return False
        return tail is None or tail(x)

    return general


def compile_schema(schema: Mapping[str, Any]) -> Callable[[Any], bool]:
    """Compile a JSON Schema (2020-12, the subset above) into a "valid?" function.

    :param schema: the schema; only read, never modified.
    :return: a function of a parsed JSON value answering ``True`` when it is valid; it
        raises nothing for any JSON value.
    :raises UnsupportedSchemaError: a keyword, value, ``$ref`` or ``format`` outside the
        subset, naming where it is.
    """
    if not isinstance(schema, Mapping):
        raise UnsupportedSchemaError("a schema must be a JSON object")
    compiler = _Compiler(schema)
    root = compiler.node(schema, "")
    compiler.compile_unused(schema, "")

    def validate(instance: Any) -> bool:
        try:
            return root(instance)
        except RecursionError:  # Only a recursive $ref over a very deep instance.
            return False

    return validate
