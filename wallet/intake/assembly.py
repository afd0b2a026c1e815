"""From one row's values to an :class:`IntakeRow`, or to the problems that keep it out.

Shared by the CSV and JSON Lines readers of :mod:`wallet.intake.tabular`: the row fields
(``externalId`` unique within the file, ``type``, the learner's personal code and e-mail
address, ``validUntil``, ``replaces``) are checked here, and the subject against its type's
schema, every problem named by the row's locator and the column key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from wallet.credential_types import CredentialType, TypeRegistry
from wallet.errors import RecordError, SchemaError
from wallet.intake.cells import IndexMap, build_subject, field_of, parse_cell
from wallet.intake.columns import ROW_KEYS, Column, Scalar, columns
from wallet.intake.rows import IntakeFile, IntakeRow, RowProblem
from wallet.intake.text import mojibake
from wallet.personal_code import normalise as normalise_personal_code

__all__ = [
    "MAX_CELL_CHARS",
    "MAX_EXTERNAL_ID_CHARS",
    "Batch",
    "Draft",
    "check_text",
    "finish",
    "from_cells",
    "resolve_type",
    "start_batch",
]

#: Longest cell, or string in a JSON line, in characters.
MAX_CELL_CHARS = 10_000
#: Longest ``externalId`` or ``replaces`` (the database column's size).
MAX_EXTERNAL_ID_CHARS = 200

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_DATETIME_STAMP = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:Z|[+-][0-9]{2}:[0-9]{2})"
)
_VALID_UNTIL = Column("validUntil", (), "", "", Scalar(frozenset({"string"}), date=True))


@dataclass
class Batch:
    """What the rows of one file share: the types, the batch type, the ids seen so far."""

    types: TypeRegistry
    type_name: str | None
    columns: dict[str, dict[str, Column]] = field(default_factory=dict)
    seen: dict[str, str] = field(default_factory=dict)
    rows: list[IntakeRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)

    def columns_of(self, ctype: CredentialType) -> dict[str, Column]:
        """The columns of ``ctype`` by key (derived once per file)."""
        if ctype.name not in self.columns:
            self.columns[ctype.name] = {c.key: c for c in columns(ctype)}
        return self.columns[ctype.name]

    def known(self) -> str:
        """The registered type names, for a problem that names an unknown one."""
        return ", ".join(sorted(self.types.types)) or "none"

    def result(self) -> IntakeFile:
        """What the file held: the rows without problems, and every problem."""
        return IntakeFile(rows=tuple(self.rows), problems=tuple(self.problems))


@dataclass
class Draft:
    """One row while it is read: its problems, and the fields that already have one."""

    locator: str
    problems: list[RowProblem] = field(default_factory=list)
    bad: set[str] = field(default_factory=set)

    def add(self, name: str, reason: str) -> None:
        """Record a problem of field ``name`` (a column key, or "type", "line", ...)."""
        self.bad.add(name)
        self.problems.append(RowProblem(self.locator, name, reason))


def _unknown_type(name: str, batch: Batch) -> str:
    return f"unknown credential type {name[:100]!r}; known types: {batch.known()}"


def check_text(row: Draft, name: str, value: str) -> None:
    """Report control characters, an overlong value and mojibake in one string."""
    if len(value) > MAX_CELL_CHARS:
        row.add(name, f"longer than {MAX_CELL_CHARS:,} characters")
    elif _CONTROL.search(value):
        row.add(name, "contains a control character")
    else:
        garbled = mojibake(value)
        if garbled is not None:
            row.add(name, f"garbled text: {garbled}")


def resolve_type(row: Draft, written: str | None, batch: Batch) -> CredentialType | None:
    """The row's type: the batch's, or the one it names; ``None`` after adding a problem."""
    # Type names are lower case (credential_types._NAME); "Diploma" in a cell means "diploma".
    written = written.lower() if written else None
    if batch.type_name is not None:
        if written and written != batch.type_name:
            row.add(
                "type", f"type {written[:100]!r} differs from the batch's type {batch.type_name!r}"
            )
            return None
        return batch.types.types[batch.type_name]
    if not written:
        row.add("type", f"a type is needed when the batch has none; known types: {batch.known()}")
        return None
    if written not in batch.types.types:
        row.add("type", _unknown_type(written, batch))
        return None
    return batch.types.types[written]


def _external_id(row: Draft, name: str, value: str | None, *, required: bool) -> str | None:
    if name in row.bad:
        return None
    if value is None or value == "":
        if required:
            row.add(name, "is required: the institution's own id of the row, unique within it")
        return None
    if len(value) > MAX_EXTERNAL_ID_CHARS:
        row.add(name, f"longer than {MAX_EXTERNAL_ID_CHARS} characters")
        return None
    return value


def _valid_until(row: Draft, value: str | None) -> str | None:
    """``validUntil`` as a dateTimeStamp; a date D means "through D": ``DT23:59:59Z``."""
    if not value or "validUntil" in row.bad:
        return None
    if _DATETIME_STAMP.fullmatch(value):
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            row.add("validUntil", "is not a real date and time")
            return None
        return value
    day, reason = parse_cell(_VALID_UNTIL, value)
    if reason is not None:
        row.add("validUntil", f"{reason}, or a date and time with a time zone")
        return None
    return f"{day}T23:59:59Z"


def _learner(
    row: Draft, personal_code: str | None, email: str | None
) -> tuple[str | None, str | None]:
    code = None
    if personal_code and "personalCode" not in row.bad:
        try:
            code = normalise_personal_code(personal_code, pointer="personalCode")
        except RecordError as exc:
            row.add("personalCode", exc.problems[0].message if exc.problems else exc.description)
    if email and (len(email) > 254 or not email.isascii() or not _EMAIL.fullmatch(email)):
        row.add("email", "is not an e-mail address (name@example.lv)")
        email = None
    return code, email or None


def finish(
    row: Draft,
    batch: Batch,
    ctype: CredentialType,
    subject: dict[str, Any],
    index_map: IndexMap,
    envelope: Mapping[str, str | None],
) -> None:
    """Check the row fields and the subject, then keep the row or its problems."""
    external_id = _external_id(row, "externalId", envelope.get("externalId"), required=True)
    replaces = _external_id(row, "replaces", envelope.get("replaces"), required=False)
    if external_id is not None:
        if external_id in batch.seen:
            row.add("externalId", f"the same externalId as {batch.seen[external_id]}")
        else:
            batch.seen[external_id] = row.locator
        if replaces == external_id:
            row.add("replaces", "a row cannot replace itself")
    valid_until = _valid_until(row, envelope.get("validUntil"))
    personal_code, email = _learner(row, envelope.get("personalCode"), envelope.get("email"))
    try:
        ctype.check_subject(subject)
    except SchemaError as exc:
        keys = batch.columns_of(ctype)
        for problem in exc.problems:
            name = field_of(problem.pointer, index_map, keys)
            # A cell already refused (and so left out) is not reported again as missing.
            if not any(bad == name or bad.startswith(name + ".") for bad in row.bad):
                row.problems.append(RowProblem(row.locator, name, problem.message))
    if row.problems:
        batch.problems.extend(row.problems)
        return
    batch.rows.append(
        IntakeRow(
            locator=row.locator,
            subject=subject,
            external_id=external_id,
            type_name=ctype.name,
            personal_code=personal_code,
            email=email,
            valid_until=valid_until,
            replaces=replaces,
            subject_checked=True,
        )
    )


def from_cells(
    row: Draft, batch: Batch, cells: Mapping[str, str], ctype: CredentialType | None = None
) -> None:
    """Build a row from its non-empty cells by column key (CSV, and flat JSON lines).

    :param ctype: the row's type when the caller has resolved it; else from ``type``.
    """
    if ctype is None and "type" not in row.bad:
        ctype = resolve_type(row, cells.get("type"), batch)
    if ctype is None:
        batch.problems.extend(row.problems)
        return
    known = batch.columns_of(ctype)
    values: list[tuple[tuple[str | int, ...], Any]] = []
    for key, text in cells.items():
        column = known.get(key)
        if column is None:
            row.add(key, f"not a field of type {ctype.name!r}")
        elif column.path and key not in row.bad:
            value, reason = parse_cell(column, text)
            if reason is not None:
                row.add(key, reason)
            values.append((column.path, value))
    subject, index_map = build_subject(values)
    envelope = {key: cells.get(key) for key in ROW_KEYS}
    finish(row, batch, ctype, subject, index_map, envelope)


def start_batch(types: TypeRegistry, type_name: str | None) -> Batch | IntakeFile:
    """A batch to read rows into, or the finished file when ``type_name`` is unknown."""
    batch = Batch(types=types, type_name=type_name)
    if type_name is not None and type_name not in types.types:
        return IntakeFile(
            rows=(), problems=(RowProblem("file", "type", _unknown_type(type_name, batch)),)
        )
    return batch
