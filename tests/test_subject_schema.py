"""The compiled "valid?" check of credential subjects, against jsonschema as the oracle."""

from __future__ import annotations

import copy
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from wallet.credential_types import _FORMAT_CHECKER, load_types
from wallet.errors import DataModelError, SchemaError
from wallet.subject_schema import UnsupportedSchemaError, compile_schema

SCHEMAS_DIR = Path(__file__).resolve().parent.parent / "schemas"
NAMES = ["course-certificate", "diploma", "micro-credential", "qualification"]
SCHEMAS: dict[str, dict[str, Any]] = {
    name: json.loads((SCHEMAS_DIR / name / "schema.json").read_text(encoding="utf-8"))
    for name in NAMES
}
COMPILED = {name: compile_schema(schema) for name, schema in SCHEMAS.items()}
ORACLES = {
    name: Draft202012Validator(schema, format_checker=_FORMAT_CHECKER)
    for name, schema in SCHEMAS.items()
}


def _collect_enums(node: Any) -> Iterator[Any]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "enum":
                yield from value
            elif key == "const":
                yield value
            elif key != "examples":
                yield from _collect_enums(value)
    elif isinstance(node, list):
        for item in node:
            yield from _collect_enums(item)


ENUM_VALUES = sorted({v for s in SCHEMAS.values() for v in _collect_enums(s)}, key=repr)


# --- agreement with jsonschema ---------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_example_is_valid_under_both(name: str) -> None:
    example = SCHEMAS[name]["examples"][0]
    assert COMPILED[name](example) is True
    assert ORACLES[name].is_valid(example)


JsonPath = tuple[str | int, ...]


def _nodes(value: Any, path: JsonPath = ()) -> Iterator[tuple[JsonPath, Any]]:
    yield path, value
    if isinstance(value, dict):
        for key, sub in value.items():
            yield from _nodes(sub, (*path, key))
    elif isinstance(value, list):
        for index, sub in enumerate(value):
            yield from _nodes(sub, (*path, index))


def _replace(root: Any, path: JsonPath, new: Any) -> Any:
    if not path:
        return new
    parent = root
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = new
    return root


def _delete(root: Any, path: JsonPath) -> None:
    parent = root
    for step in path[:-1]:
        parent = parent[step]
    del parent[path[-1]]


json_scalars = st.one_of(
    st.text(max_size=5),
    st.integers(-3, 12),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
    st.none(),
)
json_values = st.one_of(
    json_scalars,
    st.lists(json_scalars, max_size=3),
    st.dictionaries(
        st.sampled_from(["lv", "en", "x", "scheme", "value"]), json_scalars, max_size=3
    ),
)
KEYS = ["nickname", "lv", "en", "en-GB", "EN", "ru", "title", "1a", "value", "hours", "ects"]
NUMBERS = [-1, 0, 0.5, 1, 1.0, 3.0, 4, 5, 8, 8.5, 9, 10, 10.0, 11, 120, 400.5, 600, 601, 20001]
LENGTHS = [0, 1, 2, 29, 30, 31, 50, 51, 200, 201, 2000, 2001, 4001]
BREAKERS = [" ", "\n", "x", "-", "/", "Ā", "0"]
DATES = ["2025-02-30", "2025-13-01", "25-01-01", "2025-1-01", "2024-02-29", "2025-06-19"]


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, Any]:
    name = draw(st.sampled_from(NAMES))
    instance: Any = copy.deepcopy(SCHEMAS[name]["examples"][0])
    for _ in range(draw(st.integers(1, 3))):
        path, node = draw(st.sampled_from(list(_nodes(instance))))
        op = draw(
            st.sampled_from(
                ["delete", "add", "retype", "number", "long", "break", "empty", "dup", "enum"]
            )
        )
        if op == "delete" and path:
            _delete(instance, path)
        elif op == "add" and isinstance(node, dict):
            node[draw(st.sampled_from(KEYS))] = draw(json_values)
        elif op == "retype":
            instance = _replace(instance, path, draw(json_values))
        elif op == "number" and isinstance(node, int | float):
            instance = _replace(instance, path, draw(st.sampled_from(NUMBERS)))
        elif op == "long" and isinstance(node, str):
            instance = _replace(instance, path, "ā" * draw(st.sampled_from(LENGTHS)))
        elif op == "break" and isinstance(node, str):
            breaker = draw(st.sampled_from(BREAKERS))
            where = draw(st.sampled_from(["start", "end", "upper", "date"]))
            new = {
                "start": breaker + node,
                "end": node + breaker,
                "upper": node.upper(),
                "date": draw(st.sampled_from(DATES)),
            }[where]
            instance = _replace(instance, path, new)
        elif op == "empty" and isinstance(node, list):
            node.clear()
        elif op == "dup" and isinstance(node, list) and node:
            node.append(copy.deepcopy(node[0]))
        elif op == "enum":
            instance = _replace(instance, path, draw(st.sampled_from(ENUM_VALUES)))
    return name, instance


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_agrees_with_jsonschema_on_mutated_examples(case: tuple[str, Any]) -> None:
    name, instance = case
    assert COMPILED[name](instance) == ORACLES[name].is_valid(instance)


# --- keywords, one by one --------------------------------------------------------------


def _agree(schema: dict[str, Any], instance: Any) -> bool:
    result = compile_schema(schema)(instance)
    assert result == Draft202012Validator(schema, format_checker=_FORMAT_CHECKER).is_valid(instance)
    return result


@pytest.mark.parametrize(
    ("value", "valid"),
    [(1, True), (3.0, True), (3.5, False), (True, False), (False, False), ("1", False)],
)
def test_integer(value: Any, valid: bool) -> None:
    assert _agree({"type": "integer"}, value) is valid
    assert _agree({"type": ["integer", "string"]}, value) is (valid or value == "1")


@pytest.mark.parametrize(("value", "valid"), [(1, True), (2.5, True), (True, False)])
def test_bool_is_not_a_number(value: Any, valid: bool) -> None:
    assert _agree({"type": "number", "minimum": 0}, value) is valid


@pytest.mark.parametrize(
    ("schema", "value", "valid"),
    [
        ({"enum": [1]}, 1, True),
        ({"enum": [1]}, 1.0, True),
        ({"enum": [1]}, True, False),
        ({"enum": [True]}, 1, False),
        ({"enum": [True]}, True, True),
        ({"const": 0}, False, False),
        ({"const": [1, {"a": 2}]}, [1.0, {"a": 2.0}], True),
        ({"const": [1]}, [True], False),
        ({"enum": ["a", "b"]}, "a", True),
        ({"enum": ["a", "b"]}, ["a"], False),
    ],
)
def test_enum_and_const_use_json_equality(schema: dict[str, Any], value: Any, valid: bool) -> None:
    assert _agree(schema, value) is valid


@pytest.mark.parametrize(
    ("value", "valid"), [("xLVx", True), ("LV", True), ("lv", False), (3, True)]
)
def test_pattern_searches(value: Any, valid: bool) -> None:
    assert _agree({"pattern": "LV"}, value) is valid


def test_anchored_pattern() -> None:
    assert _agree({"type": "string", "pattern": "^[A-Z]{2}$"}, "LV") is True
    assert _agree({"type": "string", "pattern": "^[A-Z]{2}$"}, "LVA") is False


def test_length_counts_code_points() -> None:
    schema = {"type": "string", "minLength": 2, "maxLength": 3}
    assert _agree(schema, "ķēž") is True
    assert _agree(schema, "āžņš") is False
    assert _agree(schema, "ā") is False
    assert len("ā".encode()) == 2  # bytes would count 6 for "ķēž"


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ([1, 1.0], False),
        ([1, True], True),
        ([0, False], True),
        (["a", "a"], False),
        ([{"a": 1}, {"a": 1.0}], False),
        ([[1], [True]], True),
        ([], True),
    ],
)
def test_unique_items(value: list[Any], valid: bool) -> None:
    assert _agree({"uniqueItems": True}, value) is valid


def test_unique_strings_fast_path() -> None:
    schema = {"type": "array", "items": {"type": "string"}, "uniqueItems": True}
    assert _agree(schema, ["a", "b"]) is True
    assert _agree(schema, ["a", "a"]) is False


def test_ref_to_defs() -> None:
    schema = {
        "$defs": {"level": {"type": "integer", "minimum": 1, "maximum": 8}},
        "type": "object",
        "properties": {"a": {"$ref": "#/$defs/level"}},
    }
    assert _agree(schema, {"a": 8}) is True
    assert _agree(schema, {"a": 9}) is False


def test_recursive_ref() -> None:
    schema = {
        "$defs": {
            "tree": {"type": "object", "properties": {"kids": {"items": {"$ref": "#/$defs/tree"}}}}
        },
        "$ref": "#/$defs/tree",
    }
    assert _agree(schema, {"kids": [{"kids": []}]}) is True
    assert _agree(schema, {"kids": [{"kids": [1]}]}) is False
    deep: dict[str, Any] = {"kids": []}
    for _ in range(5000):
        deep = {"kids": [deep]}
    assert compile_schema(schema)(deep) is False  # Too deep to check: refused, never raised.


@pytest.mark.parametrize(
    "ref",
    [
        "https://example.org/schema.json",
        "other.json#/$defs/date",
        "#/properties/a",
        "#/$defs/missing",
        "#anchor",
    ],
)
def test_non_local_ref_is_refused(ref: str) -> None:
    with pytest.raises(UnsupportedSchemaError, match="ref"):
        compile_schema({"$defs": {"date": {}}, "properties": {"a": {"$ref": ref}}})


@pytest.mark.parametrize(
    "schema",
    [
        {"multipleOf": 2},
        {"properties": {"a": {"minProperties": 1}}},
        {"$defs": {"x": {"prefixItems": [{}]}}},
        {"format": "email"},
        {"items": [{}]},
        {"properties": {"a": {"$id": "https://example.org/a"}}},
        {"pattern": "("},
        {"type": "int"},
    ],
)
def test_unsupported_schema_is_refused_at_compile_time(schema: dict[str, Any]) -> None:
    with pytest.raises(UnsupportedSchemaError) as exc:
        compile_schema(schema)
    assert isinstance(exc.value, DataModelError)


@pytest.mark.parametrize(
    ("schema", "value", "valid"),
    [
        ({"allOf": [{"minimum": 1}, {"maximum": 2}]}, 3, False),
        ({"anyOf": [{"required": ["a"]}, {"required": ["b"]}]}, {"b": 1}, True),
        ({"anyOf": [{"required": ["a"]}, {"required": ["b"]}]}, {"c": 1}, False),
        ({"oneOf": [{"minimum": 1}, {"maximum": 2}]}, 1.5, False),
        ({"oneOf": [{"minimum": 1}, {"maximum": 2}]}, 3, True),
        ({"not": {"type": "string"}}, "a", False),
        ({"exclusiveMinimum": 1, "exclusiveMaximum": 2}, 1, False),
        ({"exclusiveMinimum": 1, "exclusiveMaximum": 2}, 1.5, True),
        ({"if": {"minimum": 5}, "then": {"maximum": 6}, "else": {"minimum": 0}}, 7, False),
        ({"if": {"minimum": 5}, "then": {"maximum": 6}, "else": {"minimum": 0}}, -1, False),
        ({"if": {"minimum": 5}, "then": {"maximum": 6}, "else": {"minimum": 0}}, 3, True),
        (
            {"patternProperties": {"^x": {"type": "integer"}}, "additionalProperties": False},
            {"xa": 1, "y": 1},
            False,
        ),
        (
            {"properties": {"a": {}}, "patternProperties": {"^a": {"type": "string"}}},
            {"a": 1},
            False,
        ),
        (
            {"additionalProperties": {"type": "string"}, "properties": {"a": {}}},
            {"a": 1, "b": "x"},
            True,
        ),
        ({"additionalProperties": {"type": "string"}}, {"b": 1}, False),
        ({"minItems": 1, "maxItems": 1, "items": {"type": "null"}}, [None], True),
        ({"type": "boolean"}, 0, False),
        ({"type": ["null", "array"]}, None, True),
        ({"properties": {"a": False}}, {"a": 1}, False),
        ({"format": "date"}, "2025-02-29", False),
        ({"format": "date"}, 20250228, True),
    ],
)
def test_keywords(schema: dict[str, Any], value: Any, valid: bool) -> None:
    assert _agree(schema, value) is valid


_NAMED_BY_PATTERN = {
    "patternProperties": {"^x": {"type": "integer"}},
    "additionalProperties": False,
}


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ({}, True),
        ({"xa": 1, "xb": 2}, True),
        ({"xa": 1, "xb": "2"}, False),
        ({"xa": 1, "y": 1}, False),
        ({"y": 1}, False),
    ],
)
def test_names_by_one_pattern(value: dict[str, Any], valid: bool) -> None:
    assert _agree(_NAMED_BY_PATTERN, value) is valid


def test_names_seen_to_match_do_not_let_others_pass() -> None:
    # The names that matched are remembered; a new name is still searched, and a value is
    # checked every time.
    check = compile_schema(_NAMED_BY_PATTERN)
    assert check({"xa": 1, "xb": 2})
    assert not check({"xa": 1, "y": 1})
    assert not check({"xa": "1"})
    assert not check({1: 1, "xa": 1})
    assert check({"xa": 1})


def test_annotations_are_ignored_and_schema_not_modified() -> None:
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://example.org/s",
        "$comment": "c",
        "title": "t",
        "description": "d",
        "default": 1,
        "examples": [1],
        "$defs": {"a": {"type": "integer"}},
        "$ref": "#/$defs/a",
    }
    before = copy.deepcopy(schema)
    assert _agree(schema, 1) is True
    assert schema == before


# --- credential_types keeps naming every field --------------------------------------


def test_check_subject_names_every_bad_field() -> None:
    registry = load_types(SCHEMAS_DIR)
    course = registry.get("course-certificate")
    subject: dict[str, Any] = copy.deepcopy(dict(course.example))
    achievement = subject["achievement"]
    achievement["eqfLevel"] = True  # bool is not an integer
    achievement["grade"]["value"] = 9.0  # an integer: valid
    achievement["languages"] = ["lv", "lv"]
    achievement["awardingBody"]["countryCode"] = "LVA"
    achievement["title"]["EN"] = "Office"
    subject["givenName"] = "Ē" * 201

    with pytest.raises(SchemaError) as exc:
        course.check_subject(subject)
    assert {p.pointer for p in exc.value.problems} == {
        "/achievement/eqfLevel",
        "/achievement/languages",
        "/achievement/awardingBody/countryCode",
        "/achievement/title/EN",
        "/givenName",
    }


def test_unsupported_schema_fails_to_load_naming_the_folder(tmp_path: Path) -> None:
    root = tmp_path / "schemas"
    shutil.copytree(SCHEMAS_DIR / "diploma", root / "diploma")
    path = root / "diploma" / "schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["properties"]["givenName"]["multipleOf"] = 2  # allowed by the loader, not compiled
    path.write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(DataModelError, match=r"schemas/diploma: .*multipleOf"):
        load_types(root)


# --- schema text is data, never code ------------------------------------------------------

HOSTILE = [
    "__import__('os').system('x')",
    "'); __import__('os').system('x'); ('",
    '"""\nraise SystemExit\n"""',
    "a\\'b\\\\",
    "line\nbreak\r\n\x00end",
    "{x}",
    "\\",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_schema_strings_are_data(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    calls: list[Any] = []
    monkeypatch.setattr(os, "system", lambda *a: calls.append(a) or 0)
    schema = {
        "$defs": {text: {"enum": [text, "plain"]}},
        "type": "object",
        "properties": {
            text: {"$ref": "#/$defs/" + text.replace("~", "~0").replace("/", "~1")},
            "c": {"const": text},
            "p": {"type": "string", "pattern": re.escape(text)},
        },
        "patternProperties": {re.escape(text) + "#": {"type": "integer"}},
        "required": [text],
        "additionalProperties": False,
        "if": {"properties": {text: {"const": text}}},
        "then": {"required": ["c"]},
    }
    check = compile_schema(schema)
    assert _agree(schema, {text: text, "c": text, "p": "<" + text + ">"}) is True
    assert _agree(schema, {text: "plain"}) is True
    assert _agree(schema, {text: text}) is False  # "then" needs "c"
    assert _agree(schema, {text: "other"}) is False
    assert _agree(schema, {text: "plain", "c": text + "x"}) is False
    assert _agree(schema, {text: "plain", "p": "no match"}) is False
    assert _agree(schema, {text: "plain", "x": 1}) is False
    assert _agree(schema, {text: "plain", text + "#": 1}) is True
    assert _agree(schema, {text: "plain", text + "#": "1"}) is False
    assert check({"plain": 1}) is False
    assert calls == []


def test_generated_source_holds_no_schema_text() -> None:
    from wallet.subject_schema.generate import generate

    marker = "__import__('os')"
    source, _ = generate(
        {"properties": {"a": {"pattern": marker, "enum": [marker, 1]}}, "required": ["b"]}
    )
    assert marker not in source  # The pattern and the enum are namespace constants.
    assert "'b'" in source  # Only a checked repr literal of a property name.
