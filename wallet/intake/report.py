"""The batch report: what happened to each row, as CSV for a clerk and as JSON for the API.

Both have the columns of :data:`COLUMNS`: ``locator`` ("row 5", "line 3", "file"),
``outcome`` (``issued``, ``skipped``, ``refused``, ``valid``), ``externalId``,
``credentialId``, ``field`` (the column key) and ``reason``.

The CSV is made for Excel: the text starts with a UTF-8 byte-order mark (without one Excel
reads a .csv in the machine's ANSI table and "Bērziņš" turns into "BÄ“rziÅ†Å¡"), cells are
separated by ``;`` as Excel expects with Latvian regional settings, and every cell that a
spreadsheet would run as a formula (starting with ``= + - @``, TAB or CR) gets a leading
apostrophe, as the OWASP "CSV Injection" page advises: a report echoes the institution's own
data (external ids, header texts), which must never run as a formula on a clerk's machine.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from wallet.errors import InputError
from wallet.intake.rows import ReportEntry

__all__ = [
    "COLUMNS",
    "FORMULA_STARTS",
    "neutralise",
    "parse_report_json",
    "report_csv",
    "report_json",
]

#: The report's columns, in order.
COLUMNS: tuple[str, ...] = ("locator", "outcome", "externalId", "credentialId", "field", "reason")
#: What a cell a spreadsheet would run as a formula starts with (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """``value`` with a leading apostrophe when a spreadsheet would run it as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _values(entry: ReportEntry) -> tuple[str, ...]:
    return (
        entry.locator,
        entry.outcome,
        entry.external_id or "",
        entry.credential_id or "",
        entry.field,
        entry.reason,
    )


def report_csv(entries: Sequence[ReportEntry], *, delimiter: str = ";") -> str:
    """The report as CSV text for Excel: a BOM, a header row of :data:`COLUMNS`, one row each.

    Encode the result as UTF-8 (the BOM is its first character) and serve it as
    ``text/csv; charset=utf-8``.

    :param entries: the report entries, in row order.
    :param delimiter: the cell separator, ``;`` (Excel with Latvian settings) or ``,``.
    """
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for entry in entries:
        writer.writerow([neutralise(value) for value in _values(entry)])
    return buffer.getvalue()


def report_json(entries: Sequence[ReportEntry]) -> str:
    """The report as a JSON array of objects with the members of :data:`COLUMNS`.

    Absent ids are ``null``; values are never altered (JSON is no spreadsheet).

    :param entries: the report entries, in row order.
    """
    return json.dumps(
        [
            {
                "locator": entry.locator,
                "outcome": entry.outcome,
                "externalId": entry.external_id,
                "credentialId": entry.credential_id,
                "field": entry.field,
                "reason": entry.reason,
            }
            for entry in entries
        ],
        ensure_ascii=False,
    )


def parse_report_json(text: str) -> tuple[ReportEntry, ...]:
    """The entries of a report written by :func:`report_json` (e.g. stored with a batch).

    :raises InputError: when ``text`` is not such a report.
    """
    try:
        items: Any = json.loads(text)
    except ValueError as exc:
        raise InputError("the stored report is not JSON") from exc
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise InputError("the stored report is not a list of entries")
    try:
        return tuple(
            ReportEntry(
                locator=str(item["locator"]),
                outcome=str(item["outcome"]),
                external_id=item.get("externalId"),
                credential_id=item.get("credentialId"),
                field=str(item.get("field", "")),
                reason=str(item.get("reason", "")),
            )
            for item in items
        )
    except KeyError as exc:
        raise InputError(f"a stored report entry lacks {exc.args[0]!r}") from exc
