"""Reading CSV and JSON Lines batch files into rows to issue.

Both readers decode with :func:`wallet.intake.text.decode` (UTF-8 with or without a BOM, or a
named table such as windows-1257), bring every string to NFC, and report every problem they
find with the row it is in ("row 5", the header being row 1 as a spreadsheet shows it; "line
3" in JSON Lines) and the column key it concerns. A row with a problem is not among the rows
to issue. The whole file is refused (an exception) only when it cannot be read at all: bytes
not in the encoding, broken CSV quoting, more than ``max_rows`` rows.

Each row's subject is validated against its type's schema here, so a dry run names every bad
cell at once. A CSV cell that starts like a spreadsheet formula (``= + - @``, TAB, CR) is
refused: it is the residue of a formula the export did not evaluate, and it would run when the
data reaches a spreadsheet again. A plain signed number (``-5``, ``+3``) is no formula.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import orjson

from wallet.credential_types import TypeRegistry
from wallet.errors import InputError, PayloadTooLargeError
from wallet.intake import columns as cols
from wallet.intake.assembly import (
    MAX_CELL_CHARS,
    MAX_EXTERNAL_ID_CHARS,
    Batch,
    Draft,
    check_text,
    finish,
    from_cells,
    resolve_type,
    start_batch,
)
from wallet.intake.report import FORMULA_STARTS
from wallet.intake.rows import IntakeFile, RowProblem
from wallet.intake.text import decode, may_be_garbled, nfc

__all__ = [
    "MAX_CELL_CHARS",
    "MAX_COLUMNS",
    "MAX_DEPTH",
    "MAX_EXTERNAL_ID_CHARS",
    "MAX_LINE_CHARS",
    "MAX_ROWS",
    "read_csv",
    "read_jsonl",
]

#: Most rows (CSV records or JSON lines, blank ones not counted) in one file.
MAX_ROWS = 10_000
#: Most header cells of a CSV file.
MAX_COLUMNS = 2_000
#: Longest JSON line, in characters.
MAX_LINE_CHARS = 1_000_000
#: Deepest nesting of arrays and objects in a JSON line (subjects need fewer than ten).
MAX_DEPTH = 32
_SIGNED_NUMBER = re.compile(r"[+-][0-9]+(?:[.,][0-9]+)?")
_JSONL_KEYS = frozenset(
    {"externalId", "type", "learner", "credentialSubject", "validUntil", "replaces"}
)
_LEARNER_KEYS = frozenset({"personalCode", "email"})


def _too_many(max_rows: int) -> PayloadTooLargeError:
    return PayloadTooLargeError(
        f"the file has more than {max_rows:,} rows; split it into smaller batches"
    )


def _is_formula(value: str) -> bool:
    return value.startswith(FORMULA_STARTS) and not _SIGNED_NUMBER.fullmatch(value)


def _delimiter(text: str) -> str:
    """``;`` (Excel with Latvian settings), ``,`` or TAB: whichever the header uses most."""
    counts = {";": 0, ",": 0, "\t": 0}
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in "\r\n":
            break
        elif not quoted and char in counts:
            counts[char] += 1
    return max(counts, key=lambda d: (counts[d], d == ","))


def _records(text: str) -> Iterator[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    try:
        yield from reader
    except csv.Error as exc:
        raise InputError(f"the CSV file is malformed near line {reader.line_num}: {exc}") from exc


def _header(header: list[str], per_type: Mapping[str, list[str | None]]) -> list[RowProblem]:
    """Unknown and repeated columns; a repeated column's key is dropped from ``per_type``."""
    problems: list[RowProblem] = []
    for number, text in enumerate(header, start=1):
        if text and all(keys[number - 1] is None for keys in per_type.values()):
            reason = f"unknown column (column {number}); the type's template lists its columns"
            problems.append(RowProblem("file", text[:100], reason))
    repeated: set[int] = set()
    for keys in per_type.values():
        where: dict[str, int] = {}
        for number, key in enumerate(keys, start=1):
            if key is not None and key in where:
                if number not in repeated:
                    reason = f"column {number} repeats column {where[key]}"
                    problems.append(RowProblem("file", key, reason))
                repeated.add(number)
            elif key is not None:
                where[key] = number
    for keys in per_type.values():
        for number in repeated:
            keys[number - 1] = None
    return problems


def _missing(
    batch: Batch, per_type: Mapping[str, list[str | None]], used: Iterable[str]
) -> RowProblem | None:
    """One problem naming every required column the header lacks for the types used."""
    missing: dict[str, str] = {}
    for name in used:
        present = set(per_type[name])
        for column in batch.columns_of(batch.types.types[name]).values():
            if column.required and column.key not in present:
                missing.setdefault(column.key, column.header)
    if not missing:
        return None
    listed = "; ".join(f"{key} ({header})" for key, header in missing.items())
    return RowProblem("file", "header", f"missing required columns: {listed}")


def read_csv(
    data: bytes,
    *,
    types: TypeRegistry,
    type_name: str | None = None,
    encoding: str | None = None,
    max_rows: int = MAX_ROWS,
) -> IntakeFile:
    """Read a CSV batch: one header row, then one credential per row.

    The delimiter is ``;``, ``,`` or TAB, whichever the header row uses most. Header cells are
    column keys or labels (:mod:`wallet.intake.columns`); empty cells are absent values; blank
    rows are skipped. Problems name the row ("row 2" is the first under the header) and the
    column key; header problems (unknown, repeated or missing required columns) have the
    locator "file", and with them no row is read.

    :param types: the registered credential types.
    :param type_name: the type of every row; without it each row names its own in ``type``.
    :param encoding: the file's text encoding when it is not UTF-8, e.g. ``windows-1257``.
    :param max_rows: the most rows the file may hold.
    :raises InputError: bytes not in the encoding, malformed CSV quoting or a NUL character.
    :raises PayloadTooLargeError: more than ``max_rows`` rows, or more than
        :data:`MAX_COLUMNS` columns.
    """
    batch = start_batch(types, type_name)
    if isinstance(batch, IntakeFile):
        return batch
    text = decode(data, encoding)
    if "\x00" in text:
        raise InputError("the file contains NUL characters: it is not a CSV text file")
    records = _records(text)
    header = next(records, None)
    if header is None or not any(cell.strip() for cell in header):
        return IntakeFile(
            rows=(), problems=(RowProblem("file", "header", "the file has no header row"),)
        )
    if len(header) > MAX_COLUMNS:
        raise PayloadTooLargeError(f"the file has more than {MAX_COLUMNS:,} columns")
    names = [type_name] if type_name else sorted(types.types)
    header_text = [nfc(cell).strip() for cell in header]
    per_type: dict[str, list[str | None]] = {}
    for name in names:
        lookup = cols.header_lookup(batch.columns_of(types.types[name]).values())
        per_type[name] = [lookup.get(cols.normalise_header(t)) if t else None for t in header_text]
    problems = _header(header_text, per_type)
    rows: list[tuple[int, list[str]]] = []
    for number, record in enumerate(records, start=2):
        if any(cell.strip() for cell in record):
            if len(rows) == max_rows:
                raise _too_many(max_rows)
            rows.append((number, record))
    type_at = per_type[names[0]].index("type") if names and "type" in per_type[names[0]] else None
    written = {
        nfc(record[type_at]).strip() if type_at is not None and type_at < len(record) else ""
        for _, record in rows
    }
    if type_name is None and type_at is None:
        reason = "missing required column: type (or give the batch a type)"
        problems.append(RowProblem("file", "header", reason))
    used = [type_name] if type_name else sorted(written & set(types.types))
    missing = _missing(batch, per_type, used)
    if missing is not None:
        problems.append(missing)
    if problems:
        return IntakeFile(rows=(), problems=tuple(problems))
    for number, record in rows:
        row = Draft(f"row {number}")
        typed = (
            nfc(record[type_at]).strip() if type_at is not None and type_at < len(record) else ""
        )
        ctype = resolve_type(row, typed or None, batch)
        if ctype is None:
            batch.problems.extend(row.problems)
            continue
        keys = per_type[ctype.name]
        cells: dict[str, str] = {}
        for position, raw in enumerate(record):
            value = nfc(raw)
            if not value.strip():
                continue
            key = keys[position] if position < len(keys) else None
            if key is None:
                if position < len(header_text) and header_text[position]:
                    row.add(header_text[position][:100], f"not a field of type {ctype.name!r}")
                else:
                    row.add(f"column {position + 1}", "a value in a column without a header")
            elif _is_formula(value) or _is_formula(value.strip()):
                row.add(key, "a formula in a cell: write the value, not a formula")
            else:
                value = value.strip()
                check_text(row, key, value)
                if key not in row.bad:
                    cells[key] = value
        from_cells(row, batch, cells, ctype)
    return batch.result()


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise ValueError(f"duplicate member {key[:100]!r}")
            seen.add(key)
    return result


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _loads(line: str) -> Any:
    """Parse one JSON line; duplicate member names, ``NaN`` and ``Infinity`` are refused.

    Most lines are parsed by orjson, several times faster than the standard library with a
    pairs hook. orjson refuses ``NaN`` and ``Infinity`` itself, but keeps only the last of
    duplicate members and reads integers beyond 64 bits as floats, so its value is checked:

    - In a line without backslashes every string holds its characters literally, so each
      ``:`` of the line separates a member or is a character of a string; orjson writes
      ``:`` literally too. The compact serialisation of what orjson read therefore has one
      ``:`` fewer for each member it dropped, and equal counts prove that none was.
    - orjson serialises a float of 10¹⁶ or more (what a longer integer became) with
      ``e+``: a serialisation holding a ``+`` anywhere is not trusted.

    Every other line, and every line orjson refuses, takes the standard path, which names
    the problem.
    """
    if "\\" not in line:
        try:
            value = orjson.loads(line)
            compact = orjson.dumps(value)
            if b"+" not in compact and compact.count(b":") == line.count(":"):
                return value
        except (orjson.JSONDecodeError, orjson.JSONEncodeError):
            pass  # refused, or nested too deep to serialise: the standard path decides
    return json.loads(line, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)


class _TooDeep(ValueError):
    pass


def _plain_line(line: str) -> bool:
    """Whether every string of a JSON line passes the text checks, judged on the raw line."""
    return (
        "\\" not in line
        and len(line) <= MAX_CELL_CHARS
        and unicodedata.is_normalized("NFC", line)
        and not may_be_garbled(line)
    )


def _normalised(value: Any, depth: int = 1) -> Any:
    """Every string of a JSON value, member names too, in NFC (ASCII is NFC already).

    :raises _TooDeep: when arrays and objects nest deeper than :data:`MAX_DEPTH`.
    """
    if isinstance(value, str):
        return value if value.isascii() else nfc(value)
    if isinstance(value, list | dict):
        if depth > MAX_DEPTH:
            raise _TooDeep
        if isinstance(value, list):
            return [_normalised(item, depth + 1) for item in value]
        return {
            (k if k.isascii() else nfc(k)): _normalised(v, depth + 1) for k, v in value.items()
        }
    return value


def _check_strings(row: Draft, value: Any, path: tuple[str, ...]) -> None:
    """:func:`check_text` on every string of a subject, named by its column-like path
    (list items counted from 1); the path is joined only for a string that is checked."""
    if isinstance(value, str):
        if not value.isascii() or len(value) > 64 or not value.isprintable():
            check_text(row, ".".join(path), value)
    elif isinstance(value, list):
        for index, item in enumerate(value, start=1):
            _check_strings(row, item, (*path, str(index)))
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_strings(row, item, (*path, key))


def _envelope_text(row: Draft, name: str, value: Any) -> str | None:
    if value is None:
        return None
    if (
        isinstance(value, int)
        and not isinstance(value, bool)
        and name in ("externalId", "replaces")
    ):
        return str(value)
    if not isinstance(value, str):
        row.add(name, "must be a string")
        return None
    value = value.strip()
    check_text(row, name, value)
    return value or None


def _from_object(row: Draft, batch: Batch, line: dict[str, Any], *, checked: bool) -> None:
    """A JSON line in the nested form: ``{"externalId", "credentialSubject", ...}``.

    :param checked: the line's text is known clean (:func:`_plain_line`).
    """
    for name in sorted(set(line) - _JSONL_KEYS):
        row.add(name[:100], "unknown member; known: " + ", ".join(sorted(_JSONL_KEYS)))
    learner = line.get("learner") or {}
    if not isinstance(learner, dict):
        row.add("learner", "must be an object with personalCode and email")
        learner = {}
    for name in sorted(set(learner) - _LEARNER_KEYS):
        row.add(f"learner.{name[:100]}", "unknown member; known: email, personalCode")
    envelope = {
        "externalId": _envelope_text(row, "externalId", line.get("externalId")),
        "type": _envelope_text(row, "type", line.get("type")),
        "validUntil": _envelope_text(row, "validUntil", line.get("validUntil")),
        "replaces": _envelope_text(row, "replaces", line.get("replaces")),
        "personalCode": _envelope_text(row, "personalCode", learner.get("personalCode")),
        "email": _envelope_text(row, "email", learner.get("email")),
    }
    subject = line.get("credentialSubject")
    if not isinstance(subject, dict):
        row.add("credentialSubject", "must be an object")
        subject = {}
    if "id" in subject:
        row.add("id", "must not be given: the holder's DID is added at issuance")
    if not checked:
        _check_strings(row, subject, ())
    ctype = None if "type" in row.bad else resolve_type(row, envelope["type"], batch)
    if ctype is None:
        batch.problems.extend(row.problems)
        return
    finish(row, batch, ctype, subject, {}, envelope)


def _flat_cells(row: Draft, line: Mapping[str, Any]) -> dict[str, str]:
    """A JSON line in the flat form: column keys → values, read as the cells of a CSV row."""
    cells: dict[str, str] = {}
    for key, value in line.items():
        items = value if isinstance(value, list) else [value]
        if any(isinstance(item, dict | list) for item in items):
            row.add(key[:100], "must be a string, a number, true or false, or a list of them")
            continue
        words = [
            item if isinstance(item, str) else json.dumps(item)
            for item in items
            if item is not None
        ]
        text = f"{cols.LIST_SEPARATOR} ".join(word.strip() for word in words).strip()
        if text:
            check_text(row, key[:100], text)
            if key not in row.bad:
                cells[key] = text
    return cells


def read_jsonl(
    data: bytes,
    *,
    types: TypeRegistry,
    type_name: str | None = None,
    encoding: str | None = None,
    max_rows: int = MAX_ROWS,
) -> IntakeFile:
    """Read a JSON Lines batch: one JSON object per line, one credential per object.

    A line is ``{"externalId", "type"?, "learner": {"personalCode"?, "email"?},
    "credentialSubject": {...}, "validUntil"?, "replaces"?}``, or an object of CSV column
    keys to values (``{"externalId": "A-1", "givenName": "Anna", "achievement.title.lv":
    ...}``), read like a CSV row. Blank lines are skipped; duplicate member names, ``NaN``
    and ``Infinity`` are refused. Problems name the line ("line 3") and the column key of the
    field (list items counted from 1, as in CSV).

    :param types: the registered credential types.
    :param type_name: the type of every line; without it each line names its own in ``type``.
    :param encoding: the file's text encoding when it is not UTF-8.
    :param max_rows: the most lines the file may hold.
    :raises InputError: bytes not in the encoding.
    :raises PayloadTooLargeError: more than ``max_rows`` non-blank lines.
    """
    batch = start_batch(types, type_name)
    if isinstance(batch, IntakeFile):
        return batch
    text = decode(data, encoding)
    lines = [(n, line) for n, line in enumerate(text.split("\n"), start=1) if line.strip()]
    if len(lines) > max_rows:
        raise _too_many(max_rows)
    for number, line in lines:
        row = Draft(f"line {number}")
        if len(line) > MAX_LINE_CHARS:
            row.add("line", f"longer than {MAX_LINE_CHARS:,} characters")
            batch.problems.extend(row.problems)
            continue
        try:
            parsed = _loads(line)
            # A line without escapes (so without control characters), in NFC, shorter than a
            # cell's cap and with no trace of mojibake holds only strings that pass every
            # text check: the walks over its strings are skipped. Its nesting is then left
            # to the type's schema, which refuses members it does not know.
            plain = _plain_line(line) and isinstance(parsed, dict)
            if not plain:
                parsed = _normalised(parsed)
        except (RecursionError, _TooDeep):
            parsed, reason = None, f"not JSON: nested deeper than {MAX_DEPTH} levels"
        except ValueError as exc:
            parsed, reason = None, f"not JSON: {exc}"
        else:
            reason = "must be a JSON object"
        if not isinstance(parsed, dict):
            row.add("line", reason)
            batch.problems.extend(row.problems)
        elif "credentialSubject" in parsed:
            _from_object(row, batch, parsed, checked=plain)
        else:
            from_cells(row, batch, _flat_cells(row, parsed))
    return batch.result()
