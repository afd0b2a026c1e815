"""The code generator: one Python function per schema node that needs its own, the checks of
each object, array and string inlined as straight-line code, compiled once with ``compile``.

A ``$defs`` entry becomes a function (recursion goes through it) and is inlined where it is
used when it is small and not on a cycle; ``anyOf``/``oneOf``/``not``/``if`` call a function
per branch. The code is executed in a private namespace holding only the constants it names
(regex ``search`` methods, frozensets, format checks) and a handful of builtins.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, cast
from urllib.parse import unquote

from wallet.subject_schema.emitter import Emitter, fail_if, indent
from wallet.subject_schema.keywords import (
    ANNOTATIONS,
    BOOL_COND,
    DICT_COND,
    FLOAT_COND,
    INTEGER_COND,
    KNOWN,
    LIST_COND,
    NUM_COND,
    REF,
    STR_COND,
    TYPES,
    UnsupportedSchemaError,
    json_key,
)

__all__ = ["generate"]

#: A definition of at most this many lines is inlined where it is used (if not recursive).
_INLINE_LINES = 40
#: Deeper than this (indent levels, nested loops), a node becomes a function of its own.
_MAX_DEPTH = 40
_MAX_LOOPS = 12


class Generator(Emitter):
    def __init__(self, root: Mapping[str, Any]) -> None:
        super().__init__()
        defs = root.get("$defs", {})
        if not isinstance(defs, Mapping):
            raise UnsupportedSchemaError("$defs must be an object")
        self.defs: Mapping[str, Any] = defs
        self.def_names: dict[str, str] = {}
        self.def_sizes: dict[str, int] = {}
        self.pending: set[str] = set()
        self.sources: list[str] = []

    # -- functions ------------------------------------------------------------------------

    def define(self, name: str, body: list[str]) -> None:
        self.sources.append("\n".join([f"def {name}(x):", *indent(body), "    return True"]))

    def function(self, schema: Any, pointer: str) -> str:
        name = self.fresh("_g")
        self.define(name, self.node(schema, "x", 1, 0, pointer))
        return name

    def definition(self, name: str) -> str:
        fname = self.def_names.get(name)
        if fname is None:
            fname = self.def_names[name] = self.fresh("_d")
            self.pending.add(name)
            body = self.node(self.defs[name], "x", 1, 0, f"/$defs/{name}")
            self.pending.discard(name)
            self.def_sizes[name] = len(body)
            self.define(fname, body)
        return fname

    def target(self, ref: object, pointer: str) -> str:
        match = REF.fullmatch(ref) if isinstance(ref, str) else None
        if match is None:
            raise self.fail(pointer, f"$ref {ref!r} is not a local #/$defs/<name> reference")
        name = unquote(match.group(1)).replace("~1", "/").replace("~0", "~")
        if name not in self.defs:
            raise self.fail(pointer, f"$ref {ref!r} names no definition")
        return name

    def ref(self, ref: object, var: str, depth: int, loops: int, pointer: str) -> list[str]:
        name = self.target(ref, pointer)
        fname = self.definition(name)
        if name in self.pending or self.def_sizes.get(name, _INLINE_LINES + 1) > _INLINE_LINES:
            return fail_if(f"not {fname}({var})")
        self.pending.add(name)  # Inlining: a reference back to it calls the function.
        try:
            return self.node(self.defs[name], var, depth, loops, f"/$defs/{name}")
        finally:
            self.pending.discard(name)

    def guarantees_string(self, schema: Any, depth: int = 0) -> bool:
        """Whether every instance valid under ``schema`` is a string (statically known)."""
        if not isinstance(schema, Mapping) or depth > 20:
            return False
        if schema.get("type") in ("string", ["string"]):
            return True
        ref = schema.get("$ref")
        if isinstance(ref, str):
            return self.guarantees_string(self.defs.get(self.target(ref, "")), depth + 1)
        return False

    # -- one schema -----------------------------------------------------------------------

    def subs(self, schema: Mapping[str, Any], key: str, pointer: str) -> list[Any]:
        value = schema[key]
        if not isinstance(value, list) or not value:
            raise self.fail(pointer, f"{key} must be a non-empty array")
        return value

    def types(self, schema: Mapping[str, Any], pointer: str) -> frozenset[str] | None:
        if "type" not in schema:
            return None
        value = schema["type"]
        names = [value] if isinstance(value, str) else value
        if not isinstance(names, list) or not names or not set(names) <= TYPES:
            raise self.fail(pointer, f"type {value!r} is not supported")
        found = frozenset(names)
        return found - {"integer"} if "number" in found else found

    def node(self, schema: Any, var: str, depth: int, loops: int, pointer: str) -> list[str]:
        if schema is True:
            return []
        if schema is False:
            return ["return False"]
        if not isinstance(schema, Mapping):
            raise self.fail(pointer, "a subschema must be an object or a boolean")
        for key in schema:
            if key not in KNOWN:
                raise self.fail(pointer, f"keyword {key!r} is not supported")
        if "$id" in schema and pointer != "":
            raise self.fail(pointer, "$id is only allowed at the root")
        if depth > _MAX_DEPTH or loops > _MAX_LOOPS:
            return fail_if(f"not {self.function(schema, pointer)}({var})")
        if pointer != "" and "$defs" in schema:
            nested = schema["$defs"]
            if not isinstance(nested, Mapping):
                raise self.fail(pointer, "$defs must be an object")
            for name, sub in nested.items():
                self.node(sub, "x", 1, 0, f"{pointer}/$defs/{name}")  # Checked, not used.
        lines = self.kinds(schema, var, depth, loops, pointer)
        if "$ref" in schema:
            lines += self.ref(schema["$ref"], var, depth, loops, f"{pointer}/$ref")
        for i, sub in enumerate(self.subs(schema, "allOf", pointer) if "allOf" in schema else []):
            lines += self.node(sub, var, depth, loops, f"{pointer}/allOf/{i}")
        if "anyOf" in schema:
            subs = self.subs(schema, "anyOf", pointer)
            calls = [self.function(s, f"{pointer}/anyOf/{i}") for i, s in enumerate(subs)]
            if True not in subs:
                lines += fail_if(" and ".join(f"not {call}({var})" for call in calls))
        if "oneOf" in schema:
            subs = self.subs(schema, "oneOf", pointer)
            calls = [self.function(s, f"{pointer}/oneOf/{i}") for i, s in enumerate(subs)]
            lines += fail_if(" + ".join(f"{call}({var})" for call in calls) + " != 1")
        if "not" in schema:
            lines += fail_if(f"{self.function(schema['not'], f'{pointer}/not')}({var})")
        then = self.node(schema.get("then", True), var, depth + 1, loops, f"{pointer}/then")
        other = self.node(schema.get("else", True), var, depth + 1, loops, f"{pointer}/else")
        if "if" in schema:
            cond = self.node(schema["if"], "x", 1, 0, f"{pointer}/if")  # Checked.
            if then or other:
                test = self.condition(schema["if"], var)
                if test is None:
                    name = self.fresh("_g")
                    self.define(name, cond)
                    test = f"{name}({var})"
                lines += [f"if {test}:", *indent(then or ["pass"])]
                lines += ["else:", *indent(other or ["pass"])]
        return lines

    def kinds(
        self, schema: Mapping[str, Any], var: str, depth: int, loops: int, pointer: str
    ) -> list[str]:
        """The type test and the keywords of each kind, as one branch per kind."""
        types = self.types(schema, pointer)
        strings, values = self.enum(schema, pointer)
        if strings is not None:  # Only strings can be valid: keep the type test cheap.
            types = frozenset({"string"}) if types is None else types & {"string"}
        integer_only = types is not None and "integer" in types
        num = self.number_lines(schema, var, pointer)
        if integer_only and types is not None and len(types) > 1:
            num = fail_if(f"({FLOAT_COND.format(v=var)}) and not {var}.is_integer()") + num
        branches = [
            ("string", STR_COND, self.string_lines(schema, var, pointer, strings)),
            ("object", DICT_COND, self.object_lines(schema, var, depth + 1, loops, pointer)),
            ("array", LIST_COND, self.array_lines(schema, var, depth + 1, loops, pointer)),
            ("integer" if integer_only else "number", NUM_COND, num),
            ("boolean", BOOL_COND, []),
            ("null", "{v} is None", []),
        ]
        tail = fail_if(f"_key({var}) not in {self.const(values)}") if values is not None else []
        if types is None:
            chosen = [(cond, body) for _, cond, body in branches if body]
        else:
            chosen = [(cond, body or ["pass"]) for kind, cond, body in branches if kind in types]
            if not chosen:
                return ["return False"]
            if len(chosen) == 1:
                cond, body = chosen[0]
                cond = INTEGER_COND if types == {"integer"} else cond
                guard = fail_if(f"not ({cond.format(v=var)})")
                return guard + [line for line in body if line != "pass"] + tail
        lines: list[str] = []
        for i, (cond, body) in enumerate(chosen):
            lines += [f"{'elif' if i else 'if'} {cond.format(v=var)}:", *indent(body)]
        if types is not None:
            lines += ["else:", "    return False"]
        return lines + tail

    def enum(
        self, schema: Mapping[str, Any], pointer: str
    ) -> tuple[frozenset[str] | None, frozenset[Any] | None]:
        """``enum``/``const`` as a set of strings (all strings) or of JSON keys (the rest)."""
        options: list[list[Any]] = []
        if "enum" in schema:
            if not isinstance(schema["enum"], list):
                raise self.fail(pointer, "enum must be an array")
            options.append(schema["enum"])
        if "const" in schema:
            options.append([schema["const"]])
        if not options:
            return None, None
        if all(isinstance(v, str) for values in options for v in values):
            found = frozenset(options[0])
            for values in options[1:]:
                found &= frozenset(values)
            return found, None
        if len(options) == 2:  # Both: rare; a value must be a member of each.
            keys = [frozenset(map(json_key, values)) for values in options]
            return None, keys[0] & keys[1]
        return None, frozenset(map(json_key, options[0]))

    def condition(self, schema: Any, var: str) -> str | None:
        """An expression for an ``if`` that only tests properties against string constants."""
        if not isinstance(schema, Mapping) or set(schema) - ANNOTATIONS != {"properties"}:
            return None
        if "$defs" in schema or not isinstance(schema["properties"], Mapping):
            return None
        parts = []
        for name, sub in schema["properties"].items():
            if not isinstance(sub, Mapping) or set(sub) - ANNOTATIONS - {"const", "enum"}:
                return None
            if "$defs" in sub or not ({"const", "enum"} & set(sub)):
                return None
            strings, _ = self.enum(sub, "")
            if strings is None:
                return None
            w = self.fresh("w")
            is_member = f"({STR_COND.format(v=w)}) and not ({self.member(w, strings)})"
            parts.append(f"(({w} := {var}.get({self.lit(name)}, _M)) is _M or ({is_member}))")
        checks = " and ".join(parts) or "True"
        return f"(not ({DICT_COND.format(v=var)}) or ({checks}))"


def generate(schema: Mapping[str, Any]) -> tuple[str, Callable[[Any], bool]]:
    """The generated source and its compiled top-level function."""
    gen = Generator(schema)
    body = gen.node(schema, "x", 2, 0, "")
    for name in gen.defs:
        gen.definition(name)  # Every definition is checked, used or not.
    root = ["def _validate(x):", "    try:", *indent(body, 2)]
    root += ["    except RecursionError:", "        return False", "    return True"]
    if not body:
        root = ["def _validate(x):", "    return True"]
    source = "\n\n".join([*gen.sources, "\n".join(root)]) + "\n"
    code = compile(source, "<subject_schema>", "exec")
    exec(code, gen.ns)  # noqa: S102 - our own generated code; schema values are constants.
    return source, cast(Callable[[Any], bool], gen.ns["_validate"])
