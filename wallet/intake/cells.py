"""Cell text to typed values, and typed values to a subject (CSV and flat JSON lines).

:func:`parse_cell` reads one cell by its column's type; :func:`build_subject` puts the values
together by their column paths; :func:`field_of` turns a schema problem's JSON pointer back
into the column key a clerk can find, counting list items from 1 as the numbered columns do.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from wallet.intake.columns import LIST_SEPARATOR, Column, Scalar

__all__ = ["IndexMap", "build_subject", "field_of", "parse_cell"]

#: Where each list of objects built by :func:`build_subject` took its items from: the
#: subject path of the list → the 0-based column group number of each item.
IndexMap = dict[tuple[str | int, ...], list[int]]

_TRUE = frozenset({"true", "jā", "ja", "yes", "1", "patiess"})
_FALSE = frozenset({"false", "nē", "ne", "no", "0", "aplams"})
_INTEGER = re.compile(r"[+-]?[0-9]+(?:[.,]0+)?")
_DECIMAL = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]+)?")
_WHOLE = re.compile(r"[+-]?[0-9]+")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_LATVIAN_DATE = re.compile(r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})\.?")


def _number(value: Scalar, text: str) -> tuple[Any, str | None]:
    if "integer" in value.types and _INTEGER.fullmatch(text):
        # A spreadsheet may write a whole number as "6,0"; the fraction is zero by the pattern.
        return int(re.split(r"[.,]", text)[0]), None
    if "number" in value.types and _DECIMAL.fullmatch(text):
        if _WHOLE.fullmatch(text):
            return int(text), None
        return float(text.replace(",", ".")), None
    if "string" in value.types:
        return text, None
    if "number" in value.types:
        return text, "must be a number, e.g. 6 or 1.5"
    return text, "must be a whole number, e.g. 6"


def _date(text: str) -> tuple[str, str | None]:
    latvian = _LATVIAN_DATE.fullmatch(text)
    if latvian:
        day, month, year = (int(part) for part in latvian.groups())
        iso = f"{year:04d}-{month:02d}-{day:02d}"
    elif _ISO_DATE.fullmatch(text):
        iso = text
    else:
        return text, "must be a date, YYYY-MM-DD or DD.MM.YYYY"
    try:
        date.fromisoformat(iso)
    except ValueError:
        return text, "is not a real calendar day"
    return iso, None


def _plain(value: Scalar, text: str) -> tuple[Any, str | None]:
    if value.date:
        return _date(text)
    if value.enum:
        folded = text.casefold()
        for allowed in value.enum:
            if isinstance(allowed, str) and allowed.casefold() == folded:
                return allowed, None
    if value.types == {"boolean"}:
        word = text.casefold()
        if word in _TRUE or word in _FALSE:
            return word in _TRUE, None
        return text, "must be true or false (jā or nē)"
    if value.types & {"integer", "number"}:
        return _number(value, text)
    return text, None


def parse_cell(column: Column, text: str) -> tuple[Any, str | None]:
    """The typed value of a non-empty cell, and why it cannot be read (or ``None``).

    Integers and numbers are read as written (a decimal comma is accepted: ``1,5``);
    booleans as true/false, jā/nē, yes/no, 1/0; dates as YYYY-MM-DD, or DD.MM.YYYY (the
    Latvian way, converted); an allowed value regardless of case. A value that cannot be
    read is returned unchanged with the reason, so the caller reports it once.
    """
    if not column.is_list:
        return _plain(column.value, text)
    items = [item.strip() for item in text.split(LIST_SEPARATOR)]
    values = []
    for number, item in enumerate((i for i in items if i), start=1):
        value, reason = _plain(column.value, item)
        if reason is not None:
            return text, f"item {number}: {reason}"
        values.append(value)
    return values, None


class _Items(dict[int, Any]):
    """A list under construction: column group number → item."""


def build_subject(
    values: Iterable[tuple[tuple[str | int, ...], Any]],
) -> tuple[dict[str, Any], IndexMap]:
    """The subject from (path, value) pairs, and where each list's items came from.

    :param values: typed cell values by their column's path.
    :return: the subject, and for each list of objects the column group of each item, for
        :func:`field_of`.
    """
    subject: dict[Any, Any] = {}
    for path, value in values:
        node = subject
        for step, following in zip(path, path[1:], strict=False):
            node = node.setdefault(step, _Items() if isinstance(following, int) else {})
        node[path[-1]] = value
    index_map: IndexMap = {}

    def finish(node: Any, at: tuple[str | int, ...]) -> Any:
        if isinstance(node, _Items):
            order = sorted(node)
            index_map[at] = order
            return [finish(node[i], (*at, n)) for n, i in enumerate(order)]
        if isinstance(node, dict):
            return {k: finish(v, (*at, k)) for k, v in node.items()}
        return node

    return finish(subject, ()), index_map


def field_of(
    pointer: str, index_map: Mapping[tuple[str | int, ...], list[int]], keys: Iterable[str]
) -> str:
    """The column key a schema problem at ``pointer`` (RFC 6901) belongs to.

    List items are counted from 1, as the numbered columns are; the longest known column
    key that starts the path wins (an item of a one-cell list names its cell).
    """
    at: tuple[str | int, ...] = ()
    steps: list[str] = []
    for raw in pointer.split("/")[1:]:
        step = raw.replace("~1", "/").replace("~0", "~")
        if step.isdigit():
            index = int(step)
            groups = index_map.get(at)
            steps.append(str((groups[index] if groups and index < len(groups) else index) + 1))
            at = (*at, index)
        else:
            steps.append(step)
            at = (*at, step)
    known = set(keys)
    for end in range(len(steps), 0, -1):
        if ".".join(steps[:end]) in known:
            return ".".join(steps[:end])
    return ".".join(steps) or "credentialSubject"
