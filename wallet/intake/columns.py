"""The CSV columns of a credential type, derived from the JSON Schema of its subject.

A column key is the dotted path of one leaf of ``credentialSubject`` (``givenName``,
``achievement.title.lv``, ``achievement.workload.ects``), so a new type in ``schemas/`` gets
its columns without code. The conventions (``docs/intake.md``, "CSV and JSON Lines"):

- A language map gets one column per language of :data:`LANGUAGES` (``….title.lv``,
  ``….title.en``, ``….title.ru``); the templates show Latvian and English.
- A list of objects (learning outcomes, courses, quality assurance) gets numbered groups of
  columns counted from 1 (``achievement.learningOutcomes.2.title.lv``), at most
  :data:`MAX_LIST_ITEMS` per list; groups left empty are skipped and the others keep their
  order. A row needing more items is written as JSON Lines.
- A list of plain values (languages, ESCO skills, assessment types) is one cell, the items
  separated by :data:`LIST_SEPARATOR` (``lv; en``).
- The row columns :data:`ROW_KEYS` come first; ``id`` (the holder's DID) is no column: it is
  added at issuance.

Every column has a Latvian and an English label; a header cell may hold the key, either
label, or both as "Latvian / English" (what :func:`template_csv` writes), compared without
regard to case, spacing or Unicode composition.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from wallet.credential_types import CredentialType
from wallet.intake import labels
from wallet.intake.text import nfc

__all__ = [
    "LANGUAGES",
    "LIST_SEPARATOR",
    "MAX_LIST_ITEMS",
    "ROW_KEYS",
    "TEMPLATE_ITEMS",
    "TEMPLATE_LANGUAGES",
    "Column",
    "Scalar",
    "columns",
    "header_lookup",
    "normalise_header",
    "template_csv",
]

#: Languages of the language-map columns a CSV may carry.
LANGUAGES: tuple[str, ...] = ("lv", "en", "ru")
#: Languages of the language-map columns in a template.
TEMPLATE_LANGUAGES: tuple[str, ...] = ("lv", "en")
#: Most items of one list in a CSV row (the schema's ``maxItems`` when that is smaller).
MAX_LIST_ITEMS = 50
#: Groups of columns a template shows per list (more when the example has more).
TEMPLATE_ITEMS = 3
#: Separator of the items of a list of plain values in one cell.
LIST_SEPARATOR = ";"
#: The columns of every row, before the subject's.
ROW_KEYS: tuple[str, ...] = (
    "externalId",
    "type",
    "personalCode",
    "email",
    "validUntil",
    "replaces",
)

_ROW_LABELS: dict[str, tuple[str, str]] = {
    "externalId": ("Ārējais ID", "External ID"),
    "type": ("Apliecinājuma veids", "Credential type"),
    "personalCode": ("Personas kods", "Personal code"),
    "email": ("E-pasts", "E-mail"),
    "validUntil": ("Derīgs līdz", "Valid until"),
    "replaces": ("Aizstāj (ārējais ID)", "Replaces (external ID)"),
}
_SPACES = re.compile(r"\s+")
_SLASH = re.compile(r"\s*/\s*")


@dataclass(frozen=True)
class Scalar:
    """What a plain value may be: its JSON types, whether it is a date, its allowed values."""

    types: frozenset[str]
    date: bool = False
    enum: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Column:
    """One column: its key, where its value goes in the subject, its labels and its type.

    :param path: the path in ``credentialSubject`` (0-based ``int`` for a list item);
        empty for the row columns of :data:`ROW_KEYS`.
    :param is_list: a list of plain values, one cell separated by :data:`LIST_SEPARATOR`.
    :param required: the schema requires it whenever the row has this type.
    :param in_template: shown in a template (Latvian and English, the first groups only).
    """

    key: str
    path: tuple[str | int, ...]
    label_lv: str
    label_en: str
    value: Scalar
    is_list: bool = False
    required: bool = False
    in_template: bool = True

    @property
    def header(self) -> str:
        """The header a template writes: "Latvian label / English label"."""
        return f"{self.label_lv} / {self.label_en}"


_ROW_COLUMNS: tuple[Column, ...] = tuple(
    Column(
        key=key,
        path=(),
        label_lv=_ROW_LABELS[key][0],
        label_en=_ROW_LABELS[key][1],
        value=Scalar(frozenset({"string"}), date=key == "validUntil"),
        required=key == "externalId",
    )
    for key in ROW_KEYS
)


@dataclass
class _Node:
    """A schema node with its ``$ref`` and ``allOf`` branches merged."""

    types: set[str]
    properties: dict[str, list[Mapping[str, Any]]]
    patterns: dict[str, list[Mapping[str, Any]]]
    required: set[str]
    items: list[Mapping[str, Any]]
    enum: tuple[Any, ...] = ()
    is_date: bool = False
    min_items: int = 0
    max_items: int = MAX_LIST_ITEMS


def _merge(root: Mapping[str, Any], nodes: Sequence[Mapping[str, Any]]) -> _Node:
    merged = _Node(types=set(), properties={}, patterns={}, required=set(), items=[])

    def visit(node: object, depth: int) -> None:
        if not isinstance(node, Mapping) or depth > 32:
            return
        declared = node.get("type")
        merged.types.update([declared] if isinstance(declared, str) else declared or [])
        for name, sub in (node.get("properties") or {}).items():
            merged.properties.setdefault(name, []).append(sub)
        for pattern, sub in (node.get("patternProperties") or {}).items():
            merged.patterns.setdefault(pattern, []).append(sub)
        merged.required.update(node.get("required") or [])
        if "items" in node:
            merged.items.append(node["items"])
        if "enum" in node and not merged.enum:
            merged.enum = tuple(node["enum"])
        merged.is_date = merged.is_date or node.get("format") == "date"
        merged.min_items = max(merged.min_items, int(node.get("minItems", 0)))
        merged.max_items = min(merged.max_items, int(node.get("maxItems", MAX_LIST_ITEMS)))
        reference = node.get("$ref")
        if isinstance(reference, str) and reference.startswith("#/"):
            target: Any = root
            for part in reference[2:].split("/"):
                part = part.replace("~1", "/").replace("~0", "~")
                target = target.get(part, {}) if isinstance(target, Mapping) else {}
            visit(target, depth + 1)
        for branch in node.get("allOf") or []:
            visit(branch, depth + 1)

    for node in nodes:
        visit(node, 0)
    return merged


def _scalar(node: _Node) -> Scalar:
    types = set(node.types)
    if not types and node.enum:
        for value in node.enum:
            if isinstance(value, bool):
                types.add("boolean")
            elif isinstance(value, int | float):
                types.add("integer" if isinstance(value, int) else "number")
            else:
                types.add("string")
    return Scalar(frozenset(types or {"string"}), date=node.is_date, enum=node.enum)


def _is_object(node: _Node) -> bool:
    return "object" in node.types or bool(node.properties or node.patterns)


@dataclass(frozen=True)
class _Leaf:
    path: tuple[str | int, ...]
    value: Scalar
    is_list: bool
    required: bool
    in_template: bool
    language: str | None = None


def _walk(
    root: Mapping[str, Any],
    nodes: Sequence[Mapping[str, Any]],
    path: tuple[str | int, ...],
    required: bool,
    in_template: bool,
    out: list[_Leaf],
    language: str | None = None,
) -> None:
    node = _merge(root, nodes)
    if node.properties:
        for name, subs in node.properties.items():
            if path or name != "id":  # The holder's DID is added at issuance.
                needed = required and name in node.required
                _walk(root, subs, (*path, name), needed, in_template, out)
    elif node.patterns:
        for language in LANGUAGES:
            subs = [
                s for p, group in node.patterns.items() if re.search(p, language) for s in group
            ]
            if subs:
                needed = required and language in node.required
                shown = in_template and language in TEMPLATE_LANGUAGES
                _walk(root, subs, (*path, language), needed, shown, out, language)
    elif "array" in node.types or node.items:
        item = _merge(root, node.items)
        if _is_object(item):
            for index in range(node.max_items):
                needed = required and index < node.min_items
                shown = in_template and index < TEMPLATE_ITEMS
                _walk(root, node.items, (*path, index), needed, shown, out)
        else:
            out.append(_Leaf(path, _scalar(item), True, required, in_template))
    else:
        out.append(_Leaf(path, _scalar(node), False, required, in_template, language))


def _key(path: Sequence[str | int]) -> str:
    return ".".join(str(step + 1) if isinstance(step, int) else step for step in path)


def _claim_labels(metadata: Mapping[str, Any]) -> dict[tuple[str | None, ...], tuple[str, str]]:
    found: dict[tuple[str | None, ...], tuple[str, str]] = {}
    for claim in metadata.get("claims", []):
        names = {d.get("locale"): d.get("label") for d in claim.get("display", [])}
        if isinstance(names.get("lv"), str) and isinstance(names.get("en"), str):
            found[tuple(claim["path"])] = (names["lv"], names["en"])
    return found


def _labels(
    path: tuple[str | int, ...],
    claims: Mapping[tuple[str | None, ...], tuple[str, str]],
    language: str | None,
) -> tuple[str, str]:
    """The (Latvian, English) label: the nearest ``type.json`` label, then our words."""
    parts: list[tuple[str, str]] = []
    for depth, step in enumerate(path, start=1):
        claimed = claims.get(tuple(None if isinstance(s, int) else s for s in path[:depth]))
        if isinstance(step, int):
            # An item: "Kursa rezultāts 3" (type.json), "studiju rezultāts 3" (our word for
            # one item, instead of the list's label), or the list's label and the number.
            name = path[depth - 2]
            if claimed is not None:
                parts, base = [], claimed
            elif isinstance(name, str) and name in labels.ITEMS:
                parts, base = parts[:-1], labels.ITEMS[name]
            else:
                base = parts.pop() if parts else ("", "")
            parts.append((f"{base[0]} {step + 1}".strip(), f"{base[1]} {step + 1}".strip()))
        elif claimed is not None:
            parts = [claimed]
        elif step not in labels.SILENT:
            parts.append(labels.segment(step))
    lv = ": ".join(p[0] for p in parts)
    en = ": ".join(p[1] for p in parts)
    if language is not None:
        names = labels.LANGUAGE_NAMES[language]
        lv, en = f"{lv} ({names[0]})", f"{en} ({names[1]})"
    return lv[:1].upper() + lv[1:], en[:1].upper() + en[1:]


def columns(ctype: CredentialType) -> tuple[Column, ...]:
    """Every column a CSV of ``ctype`` may have: the row columns, then the subject's.

    :param ctype: a registered credential type.
    """
    leaves: list[_Leaf] = []
    _walk(ctype.schema, [ctype.schema], (), True, True, leaves)
    claims = _claim_labels(ctype.metadata)
    found = list(_ROW_COLUMNS)
    for leaf in leaves:
        named = leaf.path[:-1] if leaf.language else leaf.path
        lv, en = _labels(named, claims, leaf.language)
        found.append(
            Column(
                key=_key(leaf.path),
                path=leaf.path,
                label_lv=lv,
                label_en=en,
                value=leaf.value,
                is_list=leaf.is_list,
                required=leaf.required,
                in_template=leaf.in_template,
            )
        )
    return _distinct_labels(found)


def _distinct_labels(found: list[Column]) -> tuple[Column, ...]:
    """Append the key to a label another column already has, so every header is unique."""
    seen: set[str] = set()
    result = []
    for column in found:
        lv, en = column.label_lv, column.label_en
        if normalise_header(lv) in seen or normalise_header(en) in seen:
            lv, en = f"{lv} [{column.key}]", f"{en} [{column.key}]"
            column = replace(column, label_lv=lv, label_en=en)
        seen.update({normalise_header(lv), normalise_header(en), normalise_header(column.key)})
        result.append(column)
    return tuple(result)


def normalise_header(text: str) -> str:
    """A header cell as compared: NFC, case-folded, spacing collapsed, " / " spaced alike."""
    folded = _SPACES.sub(" ", nfc(text)).strip().casefold()
    return _SLASH.sub(" / ", folded)


def header_lookup(found: Iterable[Column]) -> dict[str, str]:
    """Normalised header text (key, either label, or "lv / en") → column key.

    :param found: the columns of one type (:func:`columns`; their labels are distinct).
    """
    lookup: dict[str, str] = {}
    for column in found:
        for text in (column.key, column.label_lv, column.label_en, column.header):
            lookup.setdefault(normalise_header(text), column.key)
    return lookup


def _cell_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return f"{LIST_SEPARATOR} ".join(_cell_text(item) for item in value)
    return str(value)


def _at(subject: Any, path: Sequence[str | int]) -> Any:
    for step in path:
        if isinstance(step, int):
            if not isinstance(subject, list) or step >= len(subject):
                return None
        elif not isinstance(subject, Mapping) or step not in subject:
            return None
        subject = subject[step]
    return subject


def template_csv(ctype: CredentialType, *, delimiter: str = ";") -> str:
    """The CSV template of a type: one header row, then one example row.

    The header cells are "Latvian label / English label". The example row is the schema's
    example (without ``id``), with ``externalId`` ``PARAUGS-1``: delete it before issuing.
    The text starts with a byte-order mark, so Excel reads it as UTF-8 once encoded so; the
    default delimiter ``;`` is what Excel expects with Latvian regional settings.

    :param ctype: a registered credential type.
    :param delimiter: the cell separator, ``;`` or ``,``.
    """
    example = dict(ctype.example)
    example.pop("id", None)
    shown = [
        c for c in columns(ctype) if c.in_template or (c.path and _at(example, c.path) is not None)
    ]
    row = {"externalId": "PARAUGS-1", "type": ctype.name}
    for column in shown:
        value = _at(example, column.path) if column.path else None
        if value is not None:
            row[column.key] = _cell_text(value)
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([column.header for column in shown])
    writer.writerow([row.get(column.key, "") for column in shown])
    return buffer.getvalue()
