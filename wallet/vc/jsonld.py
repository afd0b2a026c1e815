"""JSON-LD with bundled contexts only (JSON-LD 1.1, W3C VC Data Model 2.0 §4.3 and §5.2).

Every context the service understands ships in ``wallet/vc/contexts/`` (provenance in its
README). :func:`document_loader` serves them and refuses every other URL, and it is installed
as pyld's default loader when this module is imported, so no pyld call in the process can reach
the network.

Two entry points:

- :func:`expand_strict` expands a *generic* credential (one whose type is not registered) and
  refuses undefined terms, redefined protected terms, unknown contexts and non-URL ``id``
  values. It costs milliseconds, so registered types never go through it.
- :func:`check_schema_terms` proves once, when the credential types load, that every property
  name a type's JSON Schema allows is a defined term; after that, a subject that passes the
  schema needs no JSON-LD processing at all.
"""

from __future__ import annotations

import copy
import json
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from importlib import resources
from types import MappingProxyType
from typing import Any

from pyld import jsonld
from pyld.context_resolver import ContextResolver

from wallet.errors import JSONLDError

__all__ = [
    "BUNDLED_CONTEXTS",
    "CREDENTIALS_V2",
    "EXAMPLES_V2",
    "EXAMPLES_VOCAB",
    "IMK_CONTEXT_V1",
    "check_schema_terms",
    "document_loader",
    "expand_strict",
]

CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
EXAMPLES_V2 = "https://www.w3.org/ns/credentials/examples/v2"
IMK_CONTEXT_V1 = "https://w3id.org/imk-wallet/v1"

#: The ``@vocab`` of the W3C examples context. It is the one catch-all vocabulary accepted in a
#: generic credential: the W3C conformance suites rely on it, and a reader can tell from the
#: context URL that the terms are illustrative.
EXAMPLES_VOCAB = "https://www.w3.org/ns/credentials/examples#"

_CONTEXT_FILES = {
    CREDENTIALS_V2: "credentials-v2.jsonld",
    EXAMPLES_V2: "credentials-examples-v2.jsonld",
    IMK_CONTEXT_V1: "imk-v1.jsonld",
}

#: RFC 3986 §3.1: an absolute URI starts with a scheme and a colon; no whitespace anywhere.
_ABSOLUTE_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s\x00-\x1f\x7f]+")

#: Inline contexts are cached by content, so the cache must be bounded.
_CACHE_SIZE = 128


def _load_bundled() -> Mapping[str, Mapping[str, Any]]:
    base = resources.files("wallet.vc").joinpath("contexts")
    loaded = {
        url: json.loads(base.joinpath(name).read_text(encoding="utf-8"))
        for url, name in _CONTEXT_FILES.items()
    }
    return MappingProxyType(loaded)


#: URL → parsed context document, read once from the package.
BUNDLED_CONTEXTS: Mapping[str, Mapping[str, Any]] = _load_bundled()


def document_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return a bundled context in pyld's remote-document shape; never fetch.

    :param url: the context URL as written in ``@context``.
    :param options: pyld's loader options (unused).
    :raises JSONLDError: the URL is not one of :data:`BUNDLED_CONTEXTS`.
    """
    document = BUNDLED_CONTEXTS.get(url)
    if document is None:
        raise JSONLDError(f"unknown JSON-LD context {url[:200]!r}: only bundled contexts are used")
    return {
        "contextUrl": None,
        "documentUrl": url,
        "contentType": "application/ld+json",
        # pyld's context resolver keeps "static" documents in its shared cache.
        "tag": "static",
        "document": copy.deepcopy(dict(document)),
    }


# Any pyld call in this process, even one that forgets the option, must stay offline.
jsonld.set_document_loader(document_loader)


class _BoundedCache(dict[str, Any]):
    """The resolver's shared cache, bounded because inline contexts are keyed by content."""

    def __init__(self, maxsize: int) -> None:
        super().__init__()
        self._maxsize = maxsize
        self._lock = threading.Lock()

    def __setitem__(self, key: str, value: object) -> None:
        with self._lock:
            if key not in self and len(self) >= self._maxsize:
                self.pop(next(iter(self)), None)
            super().__setitem__(key, value)


_RESOLVED_CONTEXTS = _BoundedCache(_CACHE_SIZE)

# Definitions of every term the VC 2.0 base context protects, at any scope.
_V2_TERMS: dict[str, list[Any]] = {}


def _collect_terms(context: object, into: dict[str, list[Any]]) -> None:
    if isinstance(context, list):
        for item in context:
            _collect_terms(item, into)
        return
    if not isinstance(context, dict):
        return
    for term, definition in context.items():
        if term.startswith("@"):
            continue
        into.setdefault(term, []).append(definition)
        if isinstance(definition, dict) and "@context" in definition:
            _collect_terms(definition["@context"], into)


_collect_terms(BUNDLED_CONTEXTS[CREDENTIALS_V2]["@context"], _V2_TERMS)


def _is_absolute_uri(value: str) -> bool:
    return _ABSOLUTE_URI.fullmatch(value) is not None


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _neutralise(context: object, trusted: frozenset[str]) -> object:
    """Drop every untrusted ``@vocab`` and every ``@base`` from an inline context, at any scope.

    A term that only expands through a catch-all ``@vocab`` is undefined by our rules: without
    the vocabulary, expansion drops it and the dropped-property handler names it. Without
    ``@base``, a relative identifier stays relative, so it is refused rather than resolved.
    """
    if isinstance(context, list):
        return [_neutralise(item, trusted) for item in context]
    if not isinstance(context, dict):
        return context
    kept: dict[str, Any] = {}
    for key, value in context.items():
        if key == "@base" or (key == "@vocab" and value is not None and value not in trusted):
            continue
        if isinstance(value, dict) and "@context" in value:
            value = {**value, "@context": _neutralise(value["@context"], trusted)}
        kept[key] = value
    return kept


def _prepare(node: object, trusted: frozenset[str], problems: list[str]) -> object:
    """Copy the document with its inline contexts neutralised and checked.

    Also collects inline redefinitions of terms the VC 2.0 context protects (§4.3: those terms
    must not be overridden; JSON-LD only refuses a redefinition that meets a protected
    definition, so an unprotected ``issuer`` in a second context would otherwise pass: the
    type-scoped definition wins, but the document still says something else).
    """
    if isinstance(node, list):
        return [_prepare(item, trusted, problems) for item in node]
    if not isinstance(node, dict):
        return node
    prepared: dict[str, Any] = {}
    for key, value in node.items():
        if key == "@context":
            _check_inline_context(value, problems)
            prepared[key] = _neutralise(value, trusted)
        elif key == "@value":
            prepared[key] = value
        else:
            prepared[key] = _prepare(value, trusted, problems)
    return prepared


def _check_inline_context(context: object, problems: list[str]) -> None:
    if isinstance(context, list):
        for item in context:
            _check_inline_context(item, problems)
        return
    if not isinstance(context, dict):
        return
    for term, definition in context.items():
        known = _V2_TERMS.get(term)
        if known is not None and definition not in known:
            problems.append(f"term {term!r} of the VC 2.0 context is redefined")
        if isinstance(definition, dict) and "@context" in definition:
            _check_inline_context(definition["@context"], problems)


def _check_expanded(node: object, problems: list[str]) -> None:
    """Refuse node identifiers and types that did not expand to absolute IRIs."""
    if isinstance(node, list):
        for item in node:
            _check_expanded(item, problems)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key == "@id":
            if isinstance(value, str) and not _is_absolute_uri(value):
                problems.append(f"id {_short(value)} is not an absolute URL")
        elif key == "@type":
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, str) and item != "@json" and not _is_absolute_uri(item):
                    problems.append(f"type {_short(item)} is not a defined term")
        elif key != "@value":
            _check_expanded(value, problems)


def _unknown_context(exc: BaseException) -> JSONLDError | None:
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, JSONLDError):
            return cause
        cause = cause.__cause__ or cause.__context__
    return None


def _expand(document: Mapping[str, Any], trusted: frozenset[str], problems: list[str]) -> list[Any]:
    prepared = _prepare(dict(document), trusted, problems)
    dropped: list[str | None] = []
    options = {
        "documentLoader": document_loader,
        "contextResolver": ContextResolver(_RESOLVED_CONTEXTS, document_loader),
        # No base IRI: a relative identifier must stay relative so that it is refused
        # instead of being silently resolved against pyld's placeholder base.
        "base": None,
        "processingMode": "json-ld-1.1",
    }
    on_dropped: Callable[[str | None], None] = dropped.append
    try:
        expanded: list[Any] = jsonld.expand(prepared, options, on_property_dropped=on_dropped)
    except jsonld.JsonLdError as exc:
        unknown = _unknown_context(exc)
        if unknown is not None:
            raise JSONLDError(unknown.description) from exc
        code = getattr(exc, "code", None) or "invalid JSON-LD"
        raise JSONLDError(f"JSON-LD expansion failed: {code}") from exc
    if dropped:
        names = sorted(
            {
                name if name is not None else "(a key mapped to null or shaped like a keyword)"
                for name in dropped
            }
        )
        problems.append("undefined terms: " + ", ".join(names))
    _check_expanded(expanded, problems)
    return expanded


def expand_strict(document: Mapping[str, Any]) -> list[Any]:
    """Expand a generic credential and refuse anything that is not well defined.

    VC Data Model 2.0 §4.3 (contexts), §4.4 (identifiers must be URLs) and §5.2 (every term
    defined by a context); JSON-LD 1.1 §4.1.11 (protected term definitions).

    :param document: the credential or presentation, as parsed JSON.
    :raises JSONLDError: a context URL that is not bundled; a redefined protected term; a
        property that expansion drops or that only expands through an ``@vocab`` other than
        the W3C examples vocabulary; a type that is not a defined term; an ``id`` (at any depth)
        that is not an absolute URL.
    """
    problems: list[str] = []
    expanded = _expand(document, frozenset({EXAMPLES_VOCAB}), problems)
    if problems:
        raise JSONLDError("; ".join(dict.fromkeys(problems)))
    return expanded


def _has_vocab(context: object) -> bool:
    if isinstance(context, list):
        return any(_has_vocab(item) for item in context)
    if not isinstance(context, dict):
        return False
    if context.get("@vocab") is not None:
        return True
    return any(
        isinstance(definition, dict) and _has_vocab(definition.get("@context"))
        for definition in context.values()
    )


def _is_language_map(schema: Mapping[str, Any]) -> bool:
    return "patternProperties" in schema and "properties" not in schema


def _resolve_ref(root: Mapping[str, Any], ref: str) -> Mapping[str, Any]:
    if not ref.startswith("#/"):
        raise JSONLDError(f"schema $ref {ref!r} is not local; only '#/...' refs are supported")
    node: Any = root
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, Mapping) or part not in node:
            raise JSONLDError(f"schema $ref {ref!r} does not resolve")
        node = node[part]
    if not isinstance(node, Mapping):
        raise JSONLDError(f"schema $ref {ref!r} is not a schema")
    return node


_BRANCHES = ("allOf", "anyOf", "oneOf", "then", "else")


def _skeleton(
    schema: object,
    root: Mapping[str, Any],
    pointer: str,
    open_objects: list[str],
    seen: frozenset[str] = frozenset(),
    constraint: bool = False,
) -> object:
    """Build a document in which every property the schema allows appears once.

    Branches (``allOf``/``anyOf``/``oneOf``/``then``/``else`` and ``$ref``) are merged, so the
    skeleton covers every alternative. Leaves get a placeholder: only the names matter.
    ``constraint`` marks a branch of an object schema: it only narrows properties its parent
    declares (the parent's ``additionalProperties: false`` still applies), so it need not be
    closed itself.
    """
    if not isinstance(schema, Mapping):
        return "x"
    if "$ref" in schema:
        ref = schema["$ref"]
        if ref in seen:
            return {}
        target = _resolve_ref(root, ref)
        return _skeleton(target, root, pointer, open_objects, seen | {ref}, constraint)
    if _is_language_map(schema):
        return {"lv": "x", "en": "x"}
    result: Any = "x"
    properties = schema.get("properties")
    is_object = isinstance(properties, Mapping) or schema.get("type") == "object"
    if is_object:
        if schema.get("additionalProperties") is not False and not constraint:
            open_objects.append(pointer or "/")
        result = {
            name: _skeleton(sub, root, f"{pointer}/properties/{name}", open_objects, seen)
            for name, sub in (properties or {}).items()
        }
    elif "items" in schema:
        result = [_skeleton(schema["items"], root, f"{pointer}/items", open_objects, seen)]
    for keyword in _BRANCHES:
        branches = schema.get(keyword)
        if isinstance(branches, Mapping):
            branches = [branches]
        for index, branch in enumerate(branches or []):
            where = f"{pointer}/{keyword}/{index}"
            part = _skeleton(branch, root, where, open_objects, seen, is_object)
            result = _merge(result, part)
    return result


def _merge(left: object, right: object) -> object:
    if isinstance(left, dict) and isinstance(right, dict):
        merged = dict(left)
        for key, value in right.items():
            merged[key] = _merge(merged[key], value) if key in merged else value
        return merged
    if isinstance(left, list) and isinstance(right, list):
        return [_merge(left[0], right[0])] if left and right else left or right
    if left == "x":
        return right
    return left


def check_schema_terms(
    contexts: Sequence[str], schema: Mapping[str, Any], *, root_type: str
) -> None:
    """Prove that every property name a subject schema allows is a defined JSON-LD term.

    Builds a credential of type ``["VerifiableCredential", root_type]`` whose
    ``credentialSubject`` holds every property the schema allows (through ``properties``,
    ``items``, ``$ref``/``$defs``, ``allOf``/``anyOf``/``oneOf``, ``then``/``else``; a language
    map, i.e. an object schema with ``patternProperties`` only, becomes ``{"lv", "en"}`` so the
    term must be a ``@language`` container) and expands it, so type-scoped contexts apply
    exactly as they will in a real credential. Run once per type at load.

    :param contexts: the ``@context`` URLs of the type; all must be bundled.
    :param schema: the JSON Schema of ``credentialSubject``.
    :param root_type: the credential type beside ``VerifiableCredential``.
    :raises JSONLDError: an undefined term (named), an undefined ``root_type``, an object
        schema that does not set ``additionalProperties: false`` (it would admit any name),
        a context that sets ``@vocab`` (it would make every name defined), or an unknown URL.
    """
    for url in contexts:
        if _has_vocab(document_loader(url)["document"].get("@context")):
            raise JSONLDError(f"context {url} sets @vocab; a type's terms must be defined")
    open_objects: list[str] = []
    subject = _skeleton(schema, schema, "", open_objects)
    if open_objects:
        raise JSONLDError(
            "schema objects without additionalProperties: false at " + ", ".join(open_objects)
        )
    if not isinstance(subject, dict):
        raise JSONLDError("the subject schema does not describe an object")
    document = {
        "@context": list(contexts),
        "type": ["VerifiableCredential", root_type],
        "issuer": "https://issuer.invalid/",
        "credentialSubject": subject,
    }
    problems: list[str] = []
    # Placeholders are not URLs, so identifier problems are not the point here: only terms.
    _expand(document, frozenset(), problems)
    relevant = [p for p in problems if not p.startswith("id ")]
    if relevant:
        raise JSONLDError(f"schema of {root_type}: " + "; ".join(dict.fromkeys(relevant)))
