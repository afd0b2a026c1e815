"""Reading CSV and JSON Lines batches: encodings, headers, cells, limits and the schema."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from wallet.credential_types import TypeRegistry, load_types
from wallet.errors import InputError, PayloadTooLargeError
from wallet.intake import columns as cols
from wallet.intake.rows import IntakeFile, RowProblem
from wallet.intake.tabular import MAX_CELL_CHARS, MAX_DEPTH, read_csv, read_jsonl

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"
TYPE_NAMES = sorted(load_types(SCHEMAS).types)

#: Every Latvian letter with a diacritic, lower and upper case.
LETTERS = "āčēģīķļņšūž ĀČĒĢĪĶĻŅŠŪŽ"
#: A course certificate row with every required column, by column key.
COURSE: dict[str, str] = {
    "externalId": "PI-2025/017",
    "givenName": "Ģirts",
    "familyName": "Ūdris-Ķēniņš",
    "achievement.title.lv": f"Ābeļu audzēšana ({LETTERS})",
    "achievement.workload.hours": "40",
    "achievement.awardingBody.legalName.lv": "Žagaru pieaugušo izglītības centrs „Čiekurs”",
    "achievement.awardingBody.countryCode": "LV",
    "achievement.awardingDate": "2025-06-30",
}


@pytest.fixture(scope="module")
def registry() -> TypeRegistry:
    return load_types(SCHEMAS)


def csv_text(rows: list[list[str]], delimiter: str = ";") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def course_csv(*records: dict[str, str], delimiter: str = ";") -> str:
    """A CSV with the union of the records' keys as its header, in first-seen order."""
    header: list[str] = []
    for record in records:
        header += [key for key in record if key not in header]
    return csv_text([header, *([r.get(k, "") for k in header] for r in records)], delimiter)


def read_course(text: str, registry: TypeRegistry, **options: Any) -> IntakeFile:
    return read_csv(
        text.encode(options.pop("codec", "utf-8")),
        types=registry,
        type_name=options.pop("type_name", "course-certificate"),
        **options,
    )


def problems_by_field(found: IntakeFile) -> dict[str, RowProblem]:
    return {p.field: p for p in found.problems}


# Encodings --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("codec", "encoding"),
    [
        ("utf-8", None),
        ("utf-8-sig", None),  # Excel's "CSV UTF-8" starts with a byte-order mark.
        ("utf-8-sig", "utf-8"),
        ("windows-1257", "windows-1257"),
        ("iso-8859-13", "iso-8859-13"),
    ],
)
def test_latvian_text_survives_every_encoding(
    registry: TypeRegistry, codec: str, encoding: str | None
) -> None:
    found = read_course(course_csv(COURSE), registry, codec=codec, encoding=encoding)
    assert found.problems == ()
    (row,) = found.rows
    assert row.subject["givenName"] == "Ģirts"
    assert row.subject["familyName"] == "Ūdris-Ķēniņš"
    assert row.subject["achievement"]["title"]["lv"] == f"Ābeļu audzēšana ({LETTERS})"
    assert row.subject["achievement"]["awardingBody"]["legalName"]["lv"] == (
        "Žagaru pieaugušo izglītības centrs „Čiekurs”"
    )
    assert row.external_id == "PI-2025/017"
    assert row.type_name == "course-certificate"
    assert row.locator == "row 2"


def test_windows_1257_bytes_read_as_utf8_are_refused_with_a_hint(registry: TypeRegistry) -> None:
    with pytest.raises(InputError) as caught:
        read_course(course_csv(COURSE), registry, codec="windows-1257")
    assert "not valid utf-8" in caught.value.description
    assert "windows-1257" in caught.value.description


def test_utf8_read_as_windows_1257_is_reported_cell_by_cell(registry: TypeRegistry) -> None:
    # Letters whose UTF-8 bytes all exist in windows-1257, so the file decodes, garbled.
    record = {
        **COURSE,
        "givenName": "Ģirts",
        "familyName": "Bērziņa",
        "achievement.title.lv": "Ģimenes ēdieni",
        "achievement.awardingBody.legalName.lv": "Žīguru mūzikas skola",
    }
    found = read_course(course_csv(record), registry, encoding="windows-1257")
    assert found.rows == ()
    garbled = problems_by_field(found)
    assert set(garbled) == {
        "givenName",
        "familyName",
        "achievement.title.lv",
        "achievement.awardingBody.legalName.lv",
    }
    assert garbled["givenName"].locator == "row 2"
    assert garbled["givenName"].reason.startswith("garbled text: looks like UTF-8 read as")


def test_utf8_with_letters_outside_windows_1257_read_as_it_is_refused(
    registry: TypeRegistry,
) -> None:
    # The UTF-8 bytes of "š" (C5 A1) include 0xA1, which windows-1257 does not define.
    with pytest.raises(InputError, match="not valid cp1257"):
        read_course(course_csv(COURSE), registry, encoding="windows-1257")


def test_unknown_encoding_is_refused(registry: TypeRegistry) -> None:
    with pytest.raises(InputError, match="unknown text encoding"):
        read_course(course_csv(COURSE), registry, encoding="latvian-1")


def test_decomposed_letters_become_nfc(registry: TypeRegistry) -> None:
    decomposed = {k: unicodedata.normalize("NFD", v) for k, v in COURSE.items()}
    header = [unicodedata.normalize("NFD", "Vārds / Given name"), *list(decomposed)[2:]]
    values = list(decomposed.values())[1:]
    text = csv_text([["externalId", *header], [decomposed["externalId"], *values]])
    (row,) = read_course(text, registry).rows
    assert row.subject["givenName"] == "Ģirts"
    assert unicodedata.is_normalized("NFC", row.subject["achievement"]["title"]["lv"])
    assert row.subject["achievement"]["title"]["lv"] == COURSE["achievement.title.lv"]


# Headers ----------------------------------------------------------------------------------


def _headers(registry: TypeRegistry, style: str) -> list[str]:
    found = {c.key: c for c in cols.columns(registry.get("course-certificate"))}
    pick = {
        "key": lambda c: c.key,
        "lv": lambda c: c.label_lv,
        "en": lambda c: c.label_en,
        "both": lambda c: c.header,
        "shouted": lambda c: f"  {c.label_lv.upper()}  ",
    }[style]
    return [pick(found[key]) for key in COURSE]


@pytest.mark.parametrize("style", ["key", "lv", "en", "both", "shouted"])
def test_keys_latvian_english_and_combined_headers_read_alike(
    registry: TypeRegistry, style: str
) -> None:
    text = csv_text([_headers(registry, style), list(COURSE.values())])
    found = read_course(text, registry)
    assert found.problems == ()
    reference = read_course(course_csv(COURSE), registry).rows[0].subject
    assert found.rows[0].subject == reference


@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_the_delimiter_is_taken_from_the_header(registry: TypeRegistry, delimiter: str) -> None:
    found = read_course(course_csv(COURSE, delimiter=delimiter), registry)
    assert found.problems == ()
    assert found.rows[0].subject["achievement"]["awardingDate"] == "2025-06-30"


def test_missing_required_columns_are_one_problem_naming_them_all(
    registry: TypeRegistry,
) -> None:
    record = {k: v for k, v in COURSE.items() if k not in ("givenName", "achievement.awardingDate")}
    found = read_course(course_csv(record, record), registry)
    assert found.rows == ()
    (problem,) = found.problems
    assert problem.locator == "file"
    assert "givenName (Vārds / Given name)" in problem.reason
    assert "achievement.awardingDate" in problem.reason
    assert "familyName" not in problem.reason


def test_an_unknown_column_is_a_file_problem(registry: TypeRegistry) -> None:
    text = csv_text([[*COURSE, "Vards"], [*COURSE.values(), "Anna"]])
    found = read_course(text, registry)
    assert found.rows == ()
    assert found.problems == (
        RowProblem(
            "file",
            "Vards",
            f"unknown column (column {len(COURSE) + 1}); the type's template lists its columns",
        ),
    )


def test_a_column_of_another_type_is_unknown_in_a_single_type_batch(
    registry: TypeRegistry,
) -> None:
    record = {**COURSE, "achievement.decisionNumber": "VPK-1"}  # A diploma column.
    (problem,) = read_course(course_csv(record), registry).problems
    assert (problem.locator, problem.field) == ("file", "achievement.decisionNumber")


def test_a_repeated_column_is_a_file_problem(registry: TypeRegistry) -> None:
    text = csv_text([[*COURSE, "Vārds"], [*COURSE.values(), "Anna"]])
    (problem,) = read_course(text, registry).problems
    assert problem == RowProblem("file", "givenName", f"column {len(COURSE) + 1} repeats column 2")


def test_an_empty_file_has_no_header(registry: TypeRegistry) -> None:
    (problem,) = read_course("", registry).problems
    assert problem == RowProblem("file", "header", "the file has no header row")


# Types ------------------------------------------------------------------------------------


def test_an_unknown_batch_type_names_the_known_ones(registry: TypeRegistry) -> None:
    found = read_course(course_csv(COURSE), registry, type_name="apliecība")
    assert found.rows == ()
    (problem,) = found.problems
    assert (problem.locator, problem.field) == ("file", "type")
    assert "'apliecība'" in problem.reason
    assert all(name in problem.reason for name in TYPE_NAMES)


def test_rows_of_several_types_in_one_file(registry: TypeRegistry) -> None:
    other = {
        "externalId": "PK-7",
        "type": "qualification",
        "givenName": "Kristaps",
        "familyName": "Ūdris",
        "achievement.title.lv": "Automehāniķis",
        "achievement.professionCode": "7231 01",
        "achievement.pklLevel": "3",
        "achievement.lkiLevel": "4",
        "achievement.eqfLevel": "4",
        "achievement.qualificationExam.assessmentDate": "28.05.2025",
        "achievement.qualificationExam.grade.scheme": "LV-10",
        "achievement.qualificationExam.grade.value": "7",
        "achievement.awardingBody.legalName.lv": "Gaujas tehnikums",
        "achievement.awardingBody.countryCode": "LV",
        "achievement.awardingDate": "2025-06-20",
        "achievement.documentNumber": "004211",
    }
    found = read_course(
        course_csv({**COURSE, "type": "Course-Certificate"}, other), registry, type_name=None
    )
    assert found.problems == ()
    course, qualified = found.rows
    assert (course.type_name, qualified.type_name) == ("course-certificate", "qualification")
    assert qualified.subject["achievement"]["qualificationExam"]["assessmentDate"] == "2025-05-28"
    assert qualified.subject["achievement"]["pklLevel"] == 3
    assert qualified.subject["achievement"]["documentNumber"] == "004211"  # Zeros kept.


def test_a_cell_in_a_column_of_another_type_is_a_row_problem(registry: TypeRegistry) -> None:
    first = {**COURSE, "type": "course-certificate", "achievement.professionCode": "7231 01"}
    found = read_course(course_csv(first), registry, type_name=None)
    assert found.rows == ()
    assert found.problems == (
        RowProblem(
            "row 2", "achievement.professionCode", "not a field of type 'course-certificate'"
        ),
    )


def test_an_unknown_row_type_names_the_known_ones(registry: TypeRegistry) -> None:
    good = {**COURSE, "type": "course-certificate"}
    bad = {**COURSE, "externalId": "X-2", "type": "sertifikāts"}
    found = read_course(course_csv(good, bad), registry, type_name=None)
    assert [r.locator for r in found.rows] == ["row 2"]
    (problem,) = found.problems
    assert (problem.locator, problem.field) == ("row 3", "type")
    assert all(name in problem.reason for name in TYPE_NAMES)


def test_without_a_batch_type_the_type_column_is_required(registry: TypeRegistry) -> None:
    (problem,) = read_course(course_csv(COURSE), registry, type_name=None).problems
    assert (problem.locator, problem.field) == ("file", "header")
    assert "type" in problem.reason


def test_a_row_type_differing_from_the_batch_type_is_refused(registry: TypeRegistry) -> None:
    found = read_course(course_csv({**COURSE, "type": "diploma"}), registry)
    assert found.rows == ()
    assert [p.field for p in found.problems] == ["type"]


# Cells ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell",
    [
        '=HYPERLINK("http://x.example","Anna")',
        "+1+2",
        "-2+3",
        "@SUM(A1:A9)",
        "\tAnna",
        "\rAnna",
        " =1+1",
    ],
)
def test_a_formula_in_a_cell_is_refused(registry: TypeRegistry, cell: str) -> None:
    found = read_course(course_csv({**COURSE, "givenName": cell}), registry)
    assert found.rows == ()
    assert found.problems == (
        RowProblem("row 2", "givenName", "a formula in a cell: write the value, not a formula"),
    )


def test_a_plain_negative_number_is_no_formula(registry: TypeRegistry) -> None:
    found = read_course(course_csv({**COURSE, "achievement.eqfLevel": "-5"}), registry)
    # The schema, not the formula rule, refuses it.
    assert found.problems == (RowProblem("row 2", "achievement.eqfLevel", "must be ≥ 1"),)


def test_every_schema_problem_of_every_row_is_named(registry: TypeRegistry) -> None:
    bad = {
        **COURSE,
        "externalId": "X-2",
        "achievement.eqfLevel": "9",
        "achievement.awardingBody.countryCode": "Latvija",
        "achievement.learningSetting": "klātiene",
    }
    worse = {**COURSE, "externalId": "X-3", "achievement.workload.hours": "daudz"}
    found = read_course(course_csv(COURSE, bad, worse), registry)
    assert [r.locator for r in found.rows] == ["row 2"]
    assert {(p.locator, p.field) for p in found.problems} == {
        ("row 3", "achievement.eqfLevel"),
        ("row 3", "achievement.awardingBody.countryCode"),
        ("row 3", "achievement.learningSetting"),
        ("row 4", "achievement.workload.hours"),
    }
    hours = problems_by_field(found)["achievement.workload.hours"]
    assert hours.reason == "must be a number, e.g. 6 or 1.5"  # Reported once, not twice.


def test_a_schema_problem_names_the_numbered_column_it_came_from(registry: TypeRegistry) -> None:
    record = {
        **COURSE,
        "achievement.learningOutcomes.1.title.lv": "Izmanto izklājlapas.",
        "achievement.learningOutcomes.3.title.lv": "Sagatavo pārskatus.",
        "achievement.learningOutcomes.3.escoSkills": "http://data.europa.eu/esco/skill/nav",
    }
    found = read_course(course_csv(record), registry)
    assert found.problems == (
        RowProblem(
            "row 2",
            "achievement.learningOutcomes.3.escoSkills",
            found.problems[0].reason,
        ),
    )
    assert found.problems[0].reason.startswith("must match")


def test_lists_groups_dates_and_numbers_become_typed_values(registry: TypeRegistry) -> None:
    record = {
        **COURSE,
        "achievement.awardingDate": "30.06.2025",
        "achievement.workload.ects": "1,5",
        "achievement.languages": "lv; en",
        "achievement.grade.scheme": "pass-fail",
        "achievement.grade.value": "passed",
        "achievement.learningOutcomes.2.title.lv": "Kopj ābeles.",
        "achievement.learningOutcomes.2.escoSkills": (
            "http://data.europa.eu/esco/skill/2b92a5f5-7f49-4e4a-a5b4-ba4e4a2c8b0e"
        ),
    }
    (row,) = read_course(course_csv(record), registry).rows
    achievement = row.subject["achievement"]
    assert achievement["awardingDate"] == "2025-06-30"
    assert achievement["workload"] == {"hours": 40, "ects": 1.5}
    assert achievement["languages"] == ["lv", "en"]
    assert achievement["grade"] == {"scheme": "pass-fail", "value": "passed"}
    assert achievement["learningOutcomes"] == [
        {
            "title": {"lv": "Kopj ābeles."},
            "escoSkills": ["http://data.europa.eu/esco/skill/2b92a5f5-7f49-4e4a-a5b4-ba4e4a2c8b0e"],
        }
    ]


def test_a_quoted_newline_stays_in_its_cell_and_rows_count_as_a_spreadsheet_does(
    registry: TypeRegistry,
) -> None:
    first = {**COURSE, "achievement.title.lv": "Ābeļu audzēšana:\npamati"}
    second = {**COURSE, "externalId": "X-3", "achievement.eqfLevel": "0"}
    found = read_course(course_csv(first, second), registry)
    assert found.rows[0].subject["achievement"]["title"]["lv"] == "Ābeļu audzēšana:\npamati"
    # The second record starts on line 4 of the file but is row 3 of the spreadsheet.
    assert [(p.locator, p.field) for p in found.problems] == [("row 3", "achievement.eqfLevel")]


def test_blank_rows_are_skipped_but_keep_their_row_numbers(registry: TypeRegistry) -> None:
    header, values = list(COURSE), list(COURSE.values())
    text = csv_text([header, [""] * len(header), values])
    (row,) = read_course(text, registry).rows
    assert row.locator == "row 3"


def test_an_overlong_cell_is_refused(registry: TypeRegistry) -> None:
    found = read_course(
        course_csv({**COURSE, "achievement.title.en": "A" * (MAX_CELL_CHARS + 1)}), registry
    )
    assert found.problems == (
        RowProblem("row 2", "achievement.title.en", f"longer than {MAX_CELL_CHARS:,} characters"),
    )


def test_a_control_character_is_refused(registry: TypeRegistry) -> None:
    found = read_course(course_csv({**COURSE, "familyName": "Ozols\x1b[31m"}), registry)
    assert found.problems == (RowProblem("row 2", "familyName", "contains a control character"),)


def test_a_repeated_external_id_is_refused_where_it_repeats(registry: TypeRegistry) -> None:
    found = read_course(course_csv(COURSE, {**COURSE, "givenName": "Anna"}), registry)
    assert [r.locator for r in found.rows] == ["row 2"]
    assert found.problems == (RowProblem("row 3", "externalId", "the same externalId as row 2"),)


def test_a_row_without_external_id_is_refused(registry: TypeRegistry) -> None:
    found = read_course(course_csv({**COURSE, "externalId": ""}), registry)
    assert [(p.locator, p.field) for p in found.problems] == [("row 2", "externalId")]


def test_the_learner_columns_are_checked_and_kept_apart_from_the_subject(
    registry: TypeRegistry,
) -> None:
    record = {
        **COURSE,
        "personalCode": "180565-05610",
        "email": "girts.udris@example.lv",
        "validUntil": "31.12.2030",
        "replaces": "PI-2024/003",
    }
    (row,) = read_course(course_csv(record), registry).rows
    assert row.personal_code == "18056505610"
    assert row.email == "girts.udris@example.lv"
    assert row.valid_until == "2030-12-31T23:59:59Z"
    assert row.replaces == "PI-2024/003"
    assert set(row.subject) == {"givenName", "familyName", "achievement"}


@pytest.mark.parametrize(
    ("key", "cell"),
    [
        ("personalCode", "180565-05611"),  # Wrong check digit.
        ("email", "girts.udris(at)example.lv"),
        ("validUntil", "drīz"),
        ("replaces", "PI-2025/017"),  # Its own externalId.
    ],
)
def test_bad_learner_and_row_columns_are_refused(
    registry: TypeRegistry, key: str, cell: str
) -> None:
    found = read_course(course_csv({**COURSE, key: cell}), registry)
    assert found.rows == ()
    assert [(p.locator, p.field) for p in found.problems] == [("row 2", key)]
    assert "180565" not in found.problems[0].reason  # Never echo a personal code.


# Limits and broken files ------------------------------------------------------------------


def test_more_rows_than_the_limit_are_refused(registry: TypeRegistry) -> None:
    records = [{**COURSE, "externalId": f"X-{n}"} for n in range(3)]
    assert len(read_course(course_csv(*records[:2]), registry, max_rows=2).rows) == 2
    with pytest.raises(PayloadTooLargeError, match="more than 2 rows"):
        read_course(course_csv(*records), registry, max_rows=2)


def test_broken_quoting_is_refused(registry: TypeRegistry) -> None:
    text = course_csv(COURSE) + '"PI-9;Anna\r\n'
    with pytest.raises(InputError, match="malformed"):
        read_course(text, registry)


def test_a_nul_character_is_refused(registry: TypeRegistry) -> None:
    with pytest.raises(InputError, match="NUL"):
        read_course(course_csv({**COURSE, "givenName": "An\x00na"}), registry)


# The templates ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", TYPE_NAMES)
@pytest.mark.parametrize("batch_type", [True, False])
def test_every_template_reads_back_as_its_schema_example(
    registry: TypeRegistry, name: str, batch_type: bool
) -> None:
    ctype = registry.get(name)
    found = read_csv(
        cols.template_csv(ctype).encode("utf-8"),
        types=registry,
        type_name=name if batch_type else None,
    )
    assert found.problems == ()
    (row,) = found.rows
    expected = {k: v for k, v in ctype.example.items() if k != "id"}
    assert row.subject == expected
    ctype.check_subject(row.subject)
    assert (row.external_id, row.type_name) == ("PARAUGS-1", name)


# JSON Lines -------------------------------------------------------------------------------


def course_line(**changes: Any) -> dict[str, Any]:
    subject: dict[str, Any] = {
        "givenName": "Ģirts",
        "familyName": "Ūdris-Ķēniņš",
        "achievement": {
            "title": {"lv": f"Ābeļu audzēšana ({LETTERS})"},
            "workload": {"hours": 40},
            "awardingBody": {
                "legalName": {"lv": "Žagaru pieaugušo izglītības centrs „Čiekurs”"},
                "countryCode": "LV",
            },
            "awardingDate": "2025-06-30",
        },
    }
    line: dict[str, Any] = {
        "externalId": "PI-2025/017",
        "type": "course-certificate",
        "learner": {"personalCode": "32073120115", "email": "girts@example.lv"},
        "credentialSubject": subject,
    }
    line.update(changes)
    return line


def jsonl(*lines: Any) -> str:
    return (
        "\n".join(
            line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)
            for line in lines
        )
        + "\n"
    )


def read_lines(text: str, registry: TypeRegistry, **options: Any) -> IntakeFile:
    return read_jsonl(
        text.encode(options.pop("codec", "utf-8")),
        types=registry,
        type_name=options.pop("type_name", None),
        **options,
    )


@pytest.mark.parametrize(
    ("codec", "encoding"),
    [("utf-8", None), ("utf-8-sig", None), ("windows-1257", "windows-1257")],
)
def test_json_lines_with_latvian_text(
    registry: TypeRegistry, codec: str, encoding: str | None
) -> None:
    found = read_lines(
        jsonl(course_line(), "", course_line(externalId=42)),
        registry,
        codec=codec,
        encoding=encoding,
    )
    assert found.problems == ()
    first, second = found.rows
    assert first.subject == course_line()["credentialSubject"]
    assert (first.locator, second.locator) == ("line 1", "line 3")
    assert (first.personal_code, first.email) == ("32073120115", "girts@example.lv")
    assert second.external_id == "42"


def test_json_lines_in_windows_1257_without_the_encoding_are_refused(
    registry: TypeRegistry,
) -> None:
    with pytest.raises(InputError, match="not valid utf-8"):
        read_lines(jsonl(course_line()), registry, codec="windows-1257")


def test_json_lines_become_nfc(registry: TypeRegistry) -> None:
    line = course_line()
    line["credentialSubject"]["givenName"] = unicodedata.normalize("NFD", "Ģirts")
    line["credentialSubject"]["achievement"]["title"] = {
        unicodedata.normalize("NFD", "lv"): unicodedata.normalize("NFD", LETTERS)
    }
    (row,) = read_lines(jsonl(line), registry).rows
    assert row.subject["givenName"] == "Ģirts"
    assert row.subject["achievement"]["title"] == {"lv": LETTERS}


def test_json_lines_mojibake_is_reported_by_field(registry: TypeRegistry) -> None:
    line = course_line()
    line["credentialSubject"]["achievement"]["title"]["en"] = "Apple growing in RÄ«ga"
    found = read_lines(jsonl(line), registry)
    assert found.rows == ()
    (problem,) = found.problems
    assert (problem.locator, problem.field) == ("line 1", "achievement.title.en")
    assert "Rīga" in problem.reason


def test_json_lines_schema_problems_name_the_column_key(registry: TypeRegistry) -> None:
    line = course_line()
    line["credentialSubject"]["achievement"]["learningOutcomes"] = [{"title": {"en": "x"}}]
    line["credentialSubject"]["achievement"]["extra"] = 1
    found = read_lines(jsonl(line), registry)
    assert {(p.field, p.reason) for p in found.problems} == {
        ("achievement.learningOutcomes.1.title.lv", "required property is missing"),
        ("achievement.extra", "property 'extra' is not allowed"),
    }


@pytest.mark.parametrize(
    ("line", "field", "reason"),
    [
        ('{"externalId": "A", "externalId": "B"}', "line", "duplicate member"),
        ("[1, 2]", "line", "must be a JSON object"),
        ('{"externalId": NaN}', "line", "not a JSON number"),
        ('{"externalId": ', "line", "not JSON"),
        ("[" * (MAX_DEPTH + 2) + "]" * (MAX_DEPTH + 2), "line", "nested deeper"),
        ("[" * 100_000, "line", "not JSON"),
    ],
)
def test_broken_json_lines_are_problems_of_their_line(
    registry: TypeRegistry, line: str, field: str, reason: str
) -> None:
    found = read_lines(jsonl(course_line(), line), registry)
    assert len(found.rows) == 1
    (problem,) = found.problems
    assert (problem.locator, problem.field) == ("line 2", field)
    assert reason in problem.reason


def test_json_line_members_are_checked(registry: TypeRegistry) -> None:
    line = course_line(extra=True, learner={"phone": "+371 20000000"})
    line["credentialSubject"]["id"] = "did:example:123"
    found = read_lines(jsonl(line), registry)
    assert found.rows == ()
    assert {p.field for p in found.problems} == {"extra", "learner.phone", "id"}


def test_json_lines_unknown_type_names_the_known_ones(registry: TypeRegistry) -> None:
    found = read_lines(jsonl(course_line(type="diplomas")), registry)
    (problem,) = found.problems
    assert (problem.locator, problem.field) == ("line 1", "type")
    assert all(name in problem.reason for name in TYPE_NAMES)


def test_json_lines_in_the_flat_column_form(registry: TypeRegistry) -> None:
    flat: dict[str, Any] = {**COURSE, "type": "course-certificate"}
    flat["achievement.workload.hours"] = 40
    flat["achievement.languages"] = ["lv", "en"]
    flat["achievement.eqfLevel"] = None
    found = read_lines(jsonl(flat), registry)
    assert found.problems == ()
    (row,) = found.rows
    reference = read_course(course_csv(COURSE), registry).rows[0].subject
    assert row.subject == {
        **reference,
        "achievement": {**reference["achievement"], "languages": ["lv", "en"]},
    }
    unknown = read_lines(jsonl({**flat, "nickname": "Ģiga"}), registry)
    assert [(p.field, p.reason) for p in unknown.problems] == [
        ("nickname", "not a field of type 'course-certificate'")
    ]


def test_more_json_lines_than_the_limit_are_refused(registry: TypeRegistry) -> None:
    lines = [course_line(externalId=f"X-{n}") for n in range(3)]
    with pytest.raises(PayloadTooLargeError):
        read_lines(jsonl(*lines), registry, max_rows=2)
    assert len(read_lines(jsonl(*lines[:2], "", "  "), registry, max_rows=2).rows) == 2
