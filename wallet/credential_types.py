"""Credential types: owns ``schemas/``, one folder per type (``schema.json``, ``type.json``).

``schema.json`` is the JSON Schema (draft 2020-12) of ``credentialSubject``; ``type.json`` is
the type metadata in the shape of SD-JWT VC Type Metadata (draft-ietf-oauth-sd-jwt-vc §6:
``display``, ``claims[]`` with ``path``, ``display``, ``sd``, ``mandatory``) plus our own
``name``, ``version``, ``w3cType``, ``vct`` and ``titlePath``.

Everything expensive happens once in :func:`load_types`: the schema is checked against the
2020-12 meta-schema, compiled by :func:`wallet.subject_schema.compile_schema` into generated code
that only answer "valid?" (the hot path: a valid subject costs a few microseconds), its example
is validated, and :func:`wallet.vc.jsonld.check_schema_terms` proves that every property name
the schema allows is a defined JSON-LD term, so subjects of registered types never need
JSON-LD expansion. Only a subject that fails the fast check is run
through jsonschema, to name every bad field at once.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema import exceptions as jsonschema_exceptions

from wallet.errors import DataModelError, FieldProblem, JSONLDError, NotFoundError, SchemaError
from wallet.subject_schema import FORMATS, UnsupportedSchemaError, compile_schema
from wallet.vc.jsonld import CREDENTIALS_V2, IMK_CONTEXT_V1, check_schema_terms
from wallet.vc.model import VC_V2_TERMS

__all__ = [
    "CONTEXTS",
    "ENVELOPE_ONLY_CLAIMS",
    "GENERIC",
    "LOCALES",
    "CredentialType",
    "TypeRegistry",
    "load_types",
]

#: The name meaning "a generic W3C VC 2.0 credential: only data-model checks"; never a folder.
GENERIC = "generic"
#: The ``@context`` of every registered type.
CONTEXTS: tuple[str, ...] = (CREDENTIALS_V2, IMK_CONTEXT_V1)
#: Locales every display string must exist in.
LOCALES: tuple[str, ...] = ("lv", "en", "ru")
#: Claims listed in ``type.json`` that never appear in the subject schema: the personal code
#: reaches the service only in ``options.learner`` and is added to SD-JWT VCs as an
#: always-disclosable claim (DESIGN.md §4), never to a W3C credential.
ENVELOPE_ONLY_CLAIMS = frozenset({"personalCode"})

_SD_VALUES = frozenset({"always", "allowed", "never"})
_NAME = re.compile(r"[a-z][a-z0-9-]{0,62}")
_W3C_TYPE = re.compile(r"[A-Z][A-Za-z0-9]{0,99}")

# The keywords a schema may use at all; compile_schema refuses, with the folder named, the few
# of these it does not implement (multipleOf, minProperties, maxProperties). 2020-12 keywords
# outside this list (prefixItems, $dynamicRef, unevaluated*) are refused here.
_KEYWORDS = frozenset(
    {
        "$schema", "$id", "$ref", "$defs", "$comment", "title", "description", "examples",
        "type", "enum", "const", "properties", "patternProperties", "additionalProperties",
        "required", "items", "minItems", "maxItems", "uniqueItems", "minLength", "maxLength",
        "pattern", "format", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
        "multipleOf", "minProperties", "maxProperties", "allOf", "anyOf", "oneOf", "not",
        "if", "then", "else",
    }
)  # fmt: skip
# Keywords whose value is a map of names to schemas, not a schema.
_SCHEMA_MAPS = frozenset({"properties", "patternProperties", "$defs"})


# One implementation of each format for both engines, so the fast and the complete path agree.
_FORMAT_CHECKER = FormatChecker(formats=())
for _name, _check in FORMATS.items():
    _FORMAT_CHECKER.checks(_name)(_check)


def _pointer(parts: Iterator[str | int] | Sequence[str | int]) -> str:
    """RFC 6901 JSON pointer of a path."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _message(error: jsonschema_exceptions.ValidationError) -> str:
    """A message that names the rule but never echoes the value (it may be personal data)."""
    kind, expected = error.validator, error.validator_value
    messages: dict[str, str] = {
        "type": f"must be of type {expected}",
        "enum": f"must be one of {expected}",
        "const": f"must be {expected!r}",
        "pattern": f"must match {expected}",
        "format": f"must be a valid {expected}",
        "minimum": f"must be ≥ {expected}",
        "maximum": f"must be ≤ {expected}",
        "exclusiveMinimum": f"must be > {expected}",
        "exclusiveMaximum": f"must be < {expected}",
        "minLength": f"must have at least {expected} characters",
        "maxLength": f"must have at most {expected} characters",
        "minItems": f"must have at least {expected} items",
        "maxItems": f"must have at most {expected} items",
        "uniqueItems": "items must be unique",
        "minProperties": f"must have at least {expected} entries",
        "maxProperties": f"must have at most {expected} entries",
        "multipleOf": f"must be a multiple of {expected}",
        "anyOf": "does not match any allowed form",
        "oneOf": "must match exactly one allowed form",
        "not": "is not allowed",
    }
    return messages.get(str(kind), f"fails {kind}")


def _problems(validator: Draft202012Validator, subject: object) -> list[FieldProblem]:
    problems: dict[tuple[str, str], FieldProblem] = {}

    def add(pointer: str, message: str) -> None:
        problems.setdefault((pointer, message), FieldProblem(pointer, message))

    for error in validator.iter_errors(subject):
        base = list(error.absolute_path)
        instance = error.instance
        if error.validator == "required" and isinstance(instance, Mapping):
            for name in error.validator_value:
                if name not in instance:
                    add(_pointer([*base, name]), "required property is missing")
        elif error.validator == "additionalProperties" and isinstance(instance, Mapping):
            declared = error.schema.get("properties", {})
            patterns = list(error.schema.get("patternProperties", {}))
            for name in instance:
                if name not in declared and not any(re.search(p, name) for p in patterns):
                    add(_pointer([*base, name]), f"property {name!r} is not allowed")
        else:
            add(_pointer(base), _message(error))
    return sorted(problems.values(), key=lambda p: (p.pointer, p.message))


@dataclass(frozen=True)
class CredentialType:
    """One registered credential type; the validators are compiled when it is built.

    :param name: the folder name, e.g. ``"diploma"``.
    :param version: the type version, e.g. ``"1"``.
    :param w3c_type: the VC ``type`` value beside ``VerifiableCredential``.
    :param contexts: the ``@context`` URLs of credentials of this type.
    :param schema: the JSON Schema of ``credentialSubject``.
    :param metadata: the parsed ``type.json``.
    :param example: the valid example subject from the schema's ``examples``.
    """

    name: str
    version: str
    w3c_type: str
    contexts: tuple[str, ...]
    schema: Mapping[str, Any]
    metadata: Mapping[str, Any]
    example: Mapping[str, Any]
    _fast: Callable[[Any], bool] = field(init=False, repr=False, compare=False)
    _complete: Draft202012Validator = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        fast = compile_schema(self.schema)  # UnsupportedSchemaError: outside the subset.
        complete = Draft202012Validator(self.schema, format_checker=_FORMAT_CHECKER)
        object.__setattr__(self, "_fast", fast)
        object.__setattr__(self, "_complete", complete)

    @property
    def vct(self) -> str:
        """The ``vct`` path suffix, e.g. ``"diploma/v1"``."""
        return str(self.metadata["vct"])

    def check_subject(self, subject: object) -> None:
        """Validate a ``credentialSubject`` against the type's schema.

        :param subject: the subject as parsed JSON.
        :raises SchemaError: naming every bad field with its JSON pointer (RFC 6901), including
            missing required properties and properties the schema does not define.
        """
        if not self._fast(subject):
            problems = _problems(self._complete, subject)
            if not problems:
                # The engines disagree on an edge case; still refuse, fail closed.
                problems = [FieldProblem("", "does not match the schema")]
            raise SchemaError(
                f"credentialSubject does not match type {self.name!r} v{self.version}: "
                f"{len(problems)} problem(s)",
                problems,
            ) from None

    def term_problems(self, credential: Mapping[str, Any]) -> list[FieldProblem]:
        """What keeps a credential of this type from needing JSON-LD expansion.

        It must use exactly the type's ``@context`` list and, at its top level, only terms
        of the VC 2.0 base context; the subject's terms were proven defined at load.
        Pointers are relative to the credential; an empty list means none.
        """
        problems = []
        context = credential.get("@context")
        if not isinstance(context, list) or tuple(context) != self.contexts:
            problems.append(
                FieldProblem("/@context", f"must be exactly {list(self.contexts)} for this type")
            )
        if not VC_V2_TERMS.issuperset(credential):
            problems.extend(
                FieldProblem("/" + name, "is not a term of the VC 2.0 context")
                for name in sorted(set(credential) - VC_V2_TERMS)
            )
        return problems

    def title(self, subject: Mapping[str, Any], lang: str = "lv") -> str | None:
        """The human title of a subject (the language map at ``titlePath``).

        :param subject: a subject of this type.
        :param lang: the preferred language; falls back to Latvian, then English.
        """
        node: Any = subject
        for step in self.metadata["titlePath"]:
            if not isinstance(node, Mapping) or step not in node:
                return None
            node = node[step]
        if isinstance(node, str):
            return node
        if not isinstance(node, Mapping):
            return None
        for candidate in (lang, "lv", "en"):
            value = node.get(candidate)
            if isinstance(value, str):
                return value
        return None

    def display_name(self, lang: str) -> str:
        """The type's display name in ``lang`` (falls back to Latvian).

        :param lang: a locale, e.g. ``"en"``.
        """
        names = {d["locale"]: d["name"] for d in self.metadata["display"]}
        return str(names.get(lang, names["lv"]))


@dataclass(frozen=True)
class TypeRegistry:
    """The loaded credential types, by name."""

    types: Mapping[str, CredentialType]

    def get(self, name: str) -> CredentialType:
        """The type called ``name``.

        :param name: a registered type name (:data:`GENERIC` is not one: it means "no type").
        :raises NotFoundError: no such type.
        """
        try:
            return self.types[name]
        except KeyError:
            raise NotFoundError(f"unknown credential type {name[:100]!r}") from None

    def for_w3c_types(self, types: Sequence[str]) -> CredentialType | None:
        """The registered type whose ``w3c_type`` appears in a credential's ``type`` list.

        :param types: the credential's ``type`` values.
        :return: the type, or ``None`` for a generic credential.
        """
        for credential_type in self.types.values():
            if credential_type.w3c_type in types:
                return credential_type
        return None


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def _read_json(path: Path) -> object:
    return json.loads(path.read_text(encoding="utf-8"), object_pairs_hook=_reject_duplicates)


def _check_keywords(schema: object, pointer: str = "") -> None:
    if isinstance(schema, list):
        for index, item in enumerate(schema):
            _check_keywords(item, f"{pointer}/{index}")
        return
    if not isinstance(schema, Mapping):
        return
    for key, value in schema.items():
        if key not in _KEYWORDS:
            raise ValueError(f"keyword {key!r} at {pointer or '/'} is not supported")
        if key in ("examples", "enum", "const", "required"):
            continue
        if key in _SCHEMA_MAPS and isinstance(value, Mapping):
            for name, sub in value.items():
                _check_keywords(sub, f"{pointer}/{key}/{name}")
        else:
            _check_keywords(value, f"{pointer}/{key}")


def _schema_has_path(schema: Mapping[str, Any], path: Sequence[Any]) -> bool:
    """Whether a claim path (SD-JWT VC §9.1: names, ``None`` for every array element) exists."""

    def resolve(node: object) -> Iterator[Mapping[str, Any]]:
        if not isinstance(node, Mapping):
            return
        if "$ref" in node:
            target: Any = schema
            for part in str(node["$ref"])[2:].split("/"):
                target = target.get(part, {}) if isinstance(target, Mapping) else {}
            yield from resolve(target)
        yield node
        for keyword in ("allOf", "anyOf", "oneOf", "then", "else"):
            branches = node.get(keyword)
            for branch in [branches] if isinstance(branches, Mapping) else branches or []:
                yield from resolve(branch)

    nodes: list[Mapping[str, Any]] = list(resolve(schema))
    for step in path:
        following: list[Mapping[str, Any]] = []
        for node in nodes:
            if step is None and "items" in node:
                following.extend(resolve(node["items"]))
            elif isinstance(step, str) and step in node.get("properties", {}):
                following.extend(resolve(node["properties"][step]))
        if not following:
            return False
        nodes = following
    return True


def _check_metadata(name: str, meta: object, schema: Mapping[str, Any]) -> None:
    if not isinstance(meta, Mapping):
        raise ValueError("type.json is not an object")
    if meta.get("name") != name:
        raise ValueError(f"name {meta.get('name')!r} differs from the folder name")
    version = meta.get("version")
    if not isinstance(version, str) or not version.isdigit():
        raise ValueError("version must be a string of digits")
    if not isinstance(meta.get("w3cType"), str) or not _W3C_TYPE.fullmatch(meta["w3cType"]):
        raise ValueError("w3cType must be a PascalCase type name")
    if meta.get("vct") != f"{name}/v{version}":
        raise ValueError(f"vct must be {name}/v{version}")
    display = meta.get("display")
    locales = {d.get("locale") for d in display or [] if isinstance(d, Mapping)}
    if not isinstance(display, list) or not set(LOCALES) <= locales:
        raise ValueError(f"display needs the locales {', '.join(LOCALES)}")
    if any(not d.get("name") or not d.get("description") for d in display):
        raise ValueError("every display entry needs a name and a description")
    title_path = meta.get("titlePath")
    if not isinstance(title_path, list) or not _schema_has_path(schema, title_path):
        raise ValueError("titlePath does not name a property of the schema")
    claims = meta.get("claims")
    if not isinstance(claims, list):
        raise ValueError("claims must be a list")
    for claim in claims:
        if not isinstance(claim, Mapping):
            raise ValueError("every claim must be an object")
        path = claim.get("path")
        if not isinstance(path, list) or not path:
            raise ValueError("every claim needs a non-empty path")
        if claim.get("sd") not in _SD_VALUES:
            raise ValueError(f"claim {path}: sd must be one of {sorted(_SD_VALUES)}")
        if not isinstance(claim.get("mandatory"), bool):
            raise ValueError(f"claim {path}: mandatory must be true or false")
        labels = {d.get("locale") for d in claim.get("display", []) if d.get("label")}
        if not set(LOCALES) <= labels:
            raise ValueError(f"claim {path}: labels needed in {', '.join(LOCALES)}")
        if path != [path[0]] or path[0] not in ENVELOPE_ONLY_CLAIMS:
            if not _schema_has_path(schema, path):
                raise ValueError(f"claim {path} is not in the schema")


def _load_one(folder: Path) -> CredentialType:
    name = folder.name
    schema = _read_json(folder / "schema.json")
    meta = _read_json(folder / "type.json")
    if not isinstance(schema, dict) or not isinstance(meta, dict):
        raise ValueError("schema.json and type.json must hold JSON objects")
    Draft202012Validator.check_schema(schema)
    if schema.get("$schema") != "https://json-schema.org/draft/2020-12/schema":
        raise ValueError("$schema must be https://json-schema.org/draft/2020-12/schema")
    _check_keywords(schema)
    _check_metadata(name, meta, schema)
    examples = schema.get("examples")
    if not isinstance(examples, list) or not examples or not isinstance(examples[0], dict):
        raise ValueError("the schema needs one example subject in its top-level examples")
    credential_type = CredentialType(
        name=name,
        version=meta["version"],
        w3c_type=meta["w3cType"],
        contexts=CONTEXTS,
        schema=schema,
        metadata=meta,
        example=examples[0],
    )
    for example in examples:
        credential_type.check_subject(example)
    if credential_type.title(examples[0]) is None:
        raise ValueError("the example has no title at titlePath")
    check_schema_terms(CONTEXTS, schema, root_type=credential_type.w3c_type)
    return credential_type


def load_types(schemas_dir: Path) -> TypeRegistry:
    """Load, check and compile every credential type under ``schemas_dir``.

    Each sub-folder is one type. Checks: valid JSON without duplicate keys; a valid 2020-12
    schema using only keywords both validators read alike; a ``type.json`` with display names
    and claim labels in lv/en/ru, ``sd`` values of SD-JWT VC Type Metadata and claim paths
    that exist in the schema; an example that validates; every allowed property a defined
    JSON-LD term (:func:`wallet.vc.jsonld.check_schema_terms`); unique ``w3cType`` values.

    :param schemas_dir: the folder holding one sub-folder per type.
    :raises DataModelError: a broken folder (named), or a duplicate ``w3cType``.
    :raises JSONLDError: a schema that allows a term the contexts do not define (named).
    """
    types: dict[str, CredentialType] = {}
    by_w3c: dict[str, str] = {}
    folders = sorted(p for p in schemas_dir.iterdir() if p.is_dir() and p.name[0] not in "._")
    for folder in folders:
        if folder.name == GENERIC or not _NAME.fullmatch(folder.name):
            raise DataModelError(f"schemas/{folder.name}: not a valid credential type name")
        try:
            credential_type = _load_one(folder)
        except JSONLDError as exc:
            raise JSONLDError(f"schemas/{folder.name}: {exc.description}") from exc
        except SchemaError as exc:
            detail = "; ".join(f"{p.pointer} {p.message}" for p in exc.problems)
            raise DataModelError(f"schemas/{folder.name}: example invalid: {detail}") from exc
        except (OSError, ValueError, jsonschema_exceptions.SchemaError) as exc:
            reason = exc.message if isinstance(exc, jsonschema_exceptions.SchemaError) else exc
            raise DataModelError(f"schemas/{folder.name}: {reason}") from exc
        except UnsupportedSchemaError as exc:
            raise DataModelError(f"schemas/{folder.name}: {exc.description}") from exc
        if credential_type.w3c_type in by_w3c:
            raise DataModelError(
                f"schemas/{folder.name}: w3cType {credential_type.w3c_type} "
                f"already used by {by_w3c[credential_type.w3c_type]}"
            )
        by_w3c[credential_type.w3c_type] = folder.name
        types[folder.name] = credential_type
    return TypeRegistry(types=types)
