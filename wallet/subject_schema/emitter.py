"""The base of the generator: names, constants, refusals, and the per-kind straight-line code.

Every method returns lines of Python at indent 0 checking one local variable; a failed check
is ``return False``. Schema values only ever reach the code as :func:`literal` reprs or as
names of constants (``_c3``, ``_p4``) in the namespace the code is executed in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from wallet.subject_schema.formats import FORMATS
from wallet.subject_schema.keywords import (
    MISSING,
    UnsupportedSchemaError,
    json_key,
    literal,
    matcher,
    name_matcher,
    unique,
)

__all__ = ["Emitter", "indent"]

#: Up to this many required names absent from "properties" are tested one by one.
_FEW_REQUIRED = 4
_SAFE_BUILTINS = {
    f.__name__: f for f in (len, isinstance, type, set, str, int, float, dict, list, RecursionError)
}


def indent(lines: list[str], levels: int = 1) -> list[str]:
    pad = "    " * levels
    return [pad + line for line in lines]


def fail_if(cond: str) -> list[str]:
    return [f"if {cond}:", "    return False"]


class Emitter:
    def __init__(self) -> None:
        self.count = 0
        self.ns: dict[str, Any] = {
            "__builtins__": dict(_SAFE_BUILTINS),
            "_M": MISSING,
            "_key": json_key,
            "_unique": unique,
        }
        self.searches: dict[str, str] = {}
        self.matchers: dict[tuple[str, ...], tuple[str, str]] = {}
        self.name_matchers: dict[str, tuple[str, str]] = {}

    # -- names and values -----------------------------------------------------------------

    def fresh(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count}"

    def const(self, value: object, prefix: str = "_c") -> str:
        name = self.fresh(prefix)
        self.ns[name] = value
        return name

    def lit(self, value: object) -> str:
        text = literal(value)
        return self.const(value) if text is None else text

    @staticmethod
    def fail(pointer: str, message: str) -> UnsupportedSchemaError:
        return UnsupportedSchemaError(f"schema at {pointer or '/'}: {message}")

    def count_of(self, schema: Mapping[str, Any], key: str, pointer: str) -> int | None:
        if key not in schema:
            return None
        value = schema[key]
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.fail(pointer, f"{key} must be a non-negative integer")
        return value

    def bound(self, schema: Mapping[str, Any], key: str, pointer: str) -> str | None:
        if key not in schema:
            return None
        value = schema[key]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(pointer, f"{key} must be a number")
        return self.lit(value)

    def search(self, pattern: object, pointer: str) -> str:
        """The name of ``re.compile(pattern).search`` in the namespace."""
        if not isinstance(pattern, str):
            raise self.fail(pointer, "a pattern must be a string")
        if pattern not in self.searches:
            try:
                compiled = re.compile(pattern)
            except re.error as exc:
                raise self.fail(pointer, f"pattern does not compile: {exc}") from None
            self.searches[pattern] = self.const(compiled.search, "_p")
        return self.searches[pattern]

    def member(self, var: str, values: frozenset[str]) -> str:
        if len(values) == 1:
            return f"{var} != {self.lit(next(iter(values)))}"
        return f"{var} not in {self.const(values)}"

    # -- kinds (the variable is known to be of the kind) ----------------------------------

    def node(
        self, schema: Any, var: str, depth: int, loops: int, pointer: str
    ) -> list[str]:  # pragma: no cover - implemented by the generator
        raise NotImplementedError

    def string_lines(
        self, schema: Mapping[str, Any], var: str, pointer: str, values: frozenset[str] | None
    ) -> list[str]:
        lines: list[str] = [] if values is None else fail_if(self.member(var, values))
        lo = self.count_of(schema, "minLength", pointer) or 0
        hi = self.count_of(schema, "maxLength", pointer)
        if hi is not None:
            lines += fail_if(f"not {lo} <= len({var}) <= {hi}" if lo else f"len({var}) > {hi}")
        elif lo:
            lines += fail_if(f"len({var}) < {lo}")
        # Every string is checked every time: no memory of earlier results, so a credential
        # costs the same whether or not the process has seen its values before.
        if "pattern" in schema:
            name = self.search(schema["pattern"], f"{pointer}/pattern")
            lines += fail_if(f"{name}({var}) is None")
        if "format" in schema:
            check = FORMATS.get(schema["format"])
            if check is None:
                raise self.fail(pointer, f"format {schema['format']!r} is not supported")
            lines += fail_if(f"not {self.const(check, '_f')}({var})")
        return lines

    def number_lines(self, schema: Mapping[str, Any], var: str, pointer: str) -> list[str]:
        lo, hi = self.bound(schema, "minimum", pointer), self.bound(schema, "maximum", pointer)
        xlo = self.bound(schema, "exclusiveMinimum", pointer)
        xhi = self.bound(schema, "exclusiveMaximum", pointer)
        parts = [
            f"{lo} <= {var} <= {hi}" if lo is not None and hi is not None else "",
            f"{lo} <= {var}" if lo is not None and hi is None else "",
            f"{var} <= {hi}" if hi is not None and lo is None else "",
            f"{xlo} < {var}" if xlo is not None else "",
            f"{var} < {xhi}" if xhi is not None else "",
        ]
        conds = [p for p in parts if p]  # "not (a and b)": NaN fails every bound.
        return fail_if(f"not ({' and '.join(conds)})") if conds else []

    def array_lines(
        self, schema: Mapping[str, Any], var: str, depth: int, loops: int, pointer: str
    ) -> list[str]:
        lo = self.count_of(schema, "minItems", pointer) or 0
        hi = self.count_of(schema, "maxItems", pointer)
        lines: list[str] = []
        if hi is not None:
            lines += fail_if(f"not {lo} <= len({var}) <= {hi}" if lo else f"len({var}) > {hi}")
        elif lo:
            lines += fail_if(f"len({var}) < {lo}")
        if "items" in schema and isinstance(schema["items"], list):
            raise self.fail(pointer, "items must be one schema (2020-12)")
        item = self.fresh("v")
        body = self.node(schema.get("items", True), item, depth + 1, loops + 1, f"{pointer}/items")
        if body:
            lines += [f"for {item} in {var}:", *indent(body)]
        unique_items = schema.get("uniqueItems", False)
        if not isinstance(unique_items, bool):
            raise self.fail(pointer, "uniqueItems must be a boolean")
        if unique_items:
            if self.guarantees_string(schema.get("items")):  # Items checked above: hashable.
                lines += fail_if(f"len(set({var})) != len({var})")
            else:
                lines += fail_if(f"len({var}) > 1 and not _unique({var})")
        return lines

    def guarantees_string(self, schema: Any, depth: int = 0) -> bool:  # pragma: no cover
        raise NotImplementedError

    def named_by_pattern(
        self, patterns: Mapping[str, Any], var: str, depth: int, loops: int, pointer: str
    ) -> list[str]:
        """An object whose every name must match the one pattern and whose every value its
        schema (a language map): the names in one subset test against those seen to match,
        then the values in a plain loop."""
        ((pattern, sub),) = patterns.items()
        search = self.search(pattern, f"{pointer}/patternProperties")
        if search not in self.name_matchers:  # One memory of names per pattern.
            known: set[Any] = set()
            find = name_matcher(self.ns[search], known)
            self.name_matchers[search] = (self.const(known, "_s"), self.const(find, "_n"))
        known_name, find_name = self.name_matchers[search]
        key, value = self.fresh("k"), self.fresh("v")
        lines = [f"if not {var}.keys() <= {known_name}:", f"    for {key} in {var}:"]
        lines += indent(fail_if(f"not {find_name}({key})"), 2)
        where = f"{pointer}/patternProperties/{pattern}"
        check = self.node(sub, value, depth + 2, loops + 1, where)
        if check:
            lines += [f"for {value} in {var}.values():", *indent(check)]
        return lines

    def object_lines(
        self, schema: Mapping[str, Any], var: str, depth: int, loops: int, pointer: str
    ) -> list[str]:
        required = schema.get("required", [])
        if not isinstance(required, list) or not all(isinstance(r, str) for r in required):
            raise self.fail(pointer, "required must be an array of strings")
        props = schema.get("properties", {})
        patterns = schema.get("patternProperties", {})
        if not isinstance(props, Mapping) or not isinstance(patterns, Mapping):
            raise self.fail(pointer, "properties and patternProperties must be objects")
        additional = schema.get("additionalProperties", True)
        lines: list[str] = []
        others = [name for name in dict.fromkeys(required) if name not in props]
        if len(others) <= _FEW_REQUIRED:
            for name in others:
                lines += fail_if(f"{self.lit(name)} not in {var}")
        else:
            lines += fail_if(f"not {var}.keys() >= {self.const(frozenset(others))}")
        for name, sub in props.items():
            value = self.fresh("v")
            body = self.node(sub, value, depth + 1, loops, f"{pointer}/properties/{name}")
            # "in" and a subscript rather than get() with a marker: no method call, and an
            # absent optional property costs one test.
            name_lit = self.lit(name)
            get = f"{value} = {var}[{name_lit}]"
            if name in required:
                lines += fail_if(f"{name_lit} not in {var}")
                lines += [get, *body] if body else []
            elif body:
                lines += [f"if {name_lit} in {var}:", f"    {get}", *indent(body)]
        names = self.const(frozenset(props)) if props else ""
        if not patterns and additional is False:
            return lines + fail_if(f"not {var}.keys() <= {names}" if props else var)
        if not props and additional is False and len(patterns) == 1:
            return lines + self.named_by_pattern(patterns, var, depth, loops, pointer)
        key, value, bits = self.fresh("k"), self.fresh("v"), self.fresh("r")
        body = []
        if patterns:
            names_of = tuple(self.search(p, f"{pointer}/patternProperties") for p in patterns)
            if names_of not in self.matchers:  # One cache per set of patterns.
                cache: dict[Any, int] = {}
                find = matcher([self.ns[n] for n in names_of], cache)
                self.matchers[names_of] = (self.const(cache, "_k"), self.const(find, "_m"))
            known, find_name = self.matchers[names_of]
            body += [f"{bits} = {known}.get({key})", f"if {bits} is None:"]
            body += [f"    {bits} = {find_name}({key})"]
            for i, (pattern, sub) in enumerate(patterns.items()):
                where = f"{pointer}/patternProperties/{pattern}"
                check = self.node(sub, value, depth + 2, loops + 1, where)
                if check:
                    body += [f"if {bits} & {1 << i}:", *indent(check)]
        where = f"{pointer}/additionalProperties"
        check = self.node(additional, value, depth + 2, loops + 1, where)
        if check:
            conds = ([f"not {bits}"] if patterns else []) + (
                [f"{key} not in {names}"] if props else []
            )
            body += [f"if {' and '.join(conds)}:", *indent(check)] if conds else check
        if body != [] and (check or len(body) > 3):
            lines += [f"for {key}, {value} in {var}.items():", *indent(body)]
        return lines
