"""The CSV columns of each credential type, cell typing and the templates (columns, cells)."""

from __future__ import annotations

import csv
import io
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from wallet.credential_types import TypeRegistry, load_types
from wallet.intake import cells
from wallet.intake import columns as cols

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"


@pytest.fixture(scope="module")
def registry() -> TypeRegistry:
    return load_types(SCHEMAS)


def _by_key(registry: TypeRegistry, name: str) -> dict[str, cols.Column]:
    return {c.key: c for c in cols.columns(registry.get(name))}


TYPE_NAMES = sorted(load_types(SCHEMAS).types)


@pytest.mark.parametrize("name", TYPE_NAMES)
def test_every_header_text_names_exactly_its_own_column(registry: TypeRegistry, name: str) -> None:
    found = cols.columns(registry.get(name))
    lookup = cols.header_lookup(found)
    assert len({c.key for c in found}) == len(found)
    for column in found:
        for text in (column.key, column.label_lv, column.label_en, column.header):
            assert lookup[cols.normalise_header(text)] == column.key, text


@pytest.mark.parametrize("name", TYPE_NAMES)
def test_row_columns_come_first_and_the_holder_did_is_no_column(
    registry: TypeRegistry, name: str
) -> None:
    found = cols.columns(registry.get(name))
    assert tuple(c.key for c in found[: len(cols.ROW_KEYS)]) == cols.ROW_KEYS
    assert [c.key for c in found if c.required and not c.path] == ["externalId"]
    assert "id" not in {c.key for c in found}


def test_leaves_get_dotted_keys_and_lists_numbered_groups(registry: TypeRegistry) -> None:
    micro = _by_key(registry, "micro-credential")
    assert "achievement.workload.ects" in micro
    assert "achievement.title.ru" in micro
    assert micro["achievement.title.ru"].in_template is False
    outcome = micro["achievement.learningOutcomes.1.title.lv"]
    assert outcome.path == ("achievement", "learningOutcomes", 0, "title", "lv")
    assert outcome.required  # learningOutcomes is required with minItems 1.
    assert not micro["achievement.learningOutcomes.2.title.lv"].required
    assert micro["achievement.learningOutcomes.3.title.lv"].in_template
    assert not micro["achievement.learningOutcomes.4.title.lv"].in_template
    assert f"achievement.learningOutcomes.{cols.MAX_LIST_ITEMS}.title.lv" in micro
    assert f"achievement.learningOutcomes.{cols.MAX_LIST_ITEMS + 1}.title.lv" not in micro
    # qualityAssurance has maxItems 10: no more groups than the schema allows.
    assert "achievement.qualityAssurance.10.qaType" in micro
    assert "achievement.qualityAssurance.11.qaType" not in micro
    # Lists of plain values are one cell.
    assert micro["achievement.assessment.assessmentTypes"].is_list
    assert micro["achievement.learningOutcomes.1.escoSkills"].is_list
    assert "achievement.languages.1" not in micro


def test_required_columns_follow_the_schema(registry: TypeRegistry) -> None:
    diploma = _by_key(registry, "diploma")
    required = {key for key, c in diploma.items() if c.required}
    assert {
        "externalId",
        "givenName",
        "familyName",
        "achievement.title.lv",
        "achievement.title.en",  # langMapLvEn requires both.
        "achievement.programme.code",  # Required by the allOf wrapper, not by $defs.
        "achievement.workload.ects",
        "achievement.awardingBody.countryCode",
        "achievement.documentSeries",
    } <= required
    assert "achievement.workload.hours" not in required
    assert "achievement.overallGrade.scheme" not in required  # overallGrade is optional.
    course = _by_key(registry, "course-certificate")
    assert course["achievement.workload.hours"].required
    assert not course["achievement.learningOutcomes.1.title.lv"].required


def test_labels_come_from_type_json_then_our_words(registry: TypeRegistry) -> None:
    diploma = _by_key(registry, "diploma")
    assert (diploma["givenName"].label_lv, diploma["givenName"].label_en) == (
        "Vārds",
        "Given name",
    )
    assert diploma["achievement.documentNumber"].label_lv == "Diploma numurs"
    assert diploma["achievement.title.lv"].header == ("Nosaukums (latviski) / Title (in Latvian)")
    assert diploma["achievement.awardingBody.legalName.en"].label_en == (
        "Awarding body: legal name (in English)"
    )
    # type.json labels one course ("Kursa rezultāts"); the number follows it.
    assert diploma["achievement.courses.2.grade.value"].label_lv == (
        "Kursa rezultāts 2: vērtējums: atzīme"
    )
    assert diploma["achievement.learningOutcomes.1.escoSkills"].label_en == (
        "Learning outcome 1: ESCO skills"
    )
    qualification = _by_key(registry, "qualification")
    assert qualification["achievement.documentNumber"].label_lv == "Apliecības numurs"


def test_normalise_header_ignores_case_spacing_and_composition() -> None:
    decomposed = unicodedata.normalize("NFD", "IZSNIEGŠANAS   datums /Date of ISSUE ")
    assert cols.normalise_header(decomposed) == cols.normalise_header(
        "Izsniegšanas datums / Date of issue"
    )


def _column(registry: TypeRegistry, name: str, key: str) -> cols.Column:
    return _by_key(registry, name)[key]


@pytest.mark.parametrize(
    ("key", "cell", "value"),
    [
        ("achievement.eqfLevel", "6", 6),
        ("achievement.eqfLevel", "+6", 6),
        ("achievement.eqfLevel", "6,0", 6),
        ("achievement.workload.ects", "180", 180),
        ("achievement.workload.ects", "1,5", 1.5),
        ("achievement.workload.ects", "2.25", 2.25),
        ("achievement.awardingDate", "2025-06-19", "2025-06-19"),
        ("achievement.awardingDate", "19.06.2025", "2025-06-19"),
        ("achievement.awardingDate", "3.2.2025.", "2025-02-03"),
        ("achievement.overallGrade.scheme", "lv-10", "LV-10"),
        ("achievement.overallGrade.value", "9", 9),
        ("achievement.overallGrade.value", "passed", "passed"),
        ("achievement.achievementType", "bachelordegree", "BachelorDegree"),
        ("achievement.languages", "lv; en", ["lv", "en"]),
        ("achievement.languages", "lv;;en;", ["lv", "en"]),
        ("achievement.documentNumber", "014527", "014527"),  # A string keeps its zeros.
    ],
)
def test_cells_become_typed_values(registry: TypeRegistry, key: str, cell: str, value: Any) -> None:
    parsed, reason = cells.parse_cell(_column(registry, "diploma", key), cell)
    assert reason is None
    assert parsed == value
    assert type(parsed) is type(value)


@pytest.mark.parametrize(
    ("name", "key", "cell", "reason"),
    [
        ("diploma", "achievement.eqfLevel", "seši", "must be a whole number"),
        ("diploma", "achievement.eqfLevel", "6,5", "must be a whole number"),
        ("diploma", "achievement.workload.ects", "daudz", "must be a number"),
        ("diploma", "achievement.awardingDate", "2025/06/19", "must be a date"),
        ("diploma", "achievement.awardingDate", "31.02.2025", "not a real calendar day"),
        ("qualification", "achievement.recognitionOfPriorLearning", "varbūt", "true or false"),
    ],
)
def test_unreadable_cells_say_why(
    registry: TypeRegistry, name: str, key: str, cell: str, reason: str
) -> None:
    parsed, why = cells.parse_cell(_column(registry, name, key), cell)
    assert why is not None and reason in why
    assert parsed == cell  # Returned unchanged, so the schema names it too if asked.


@pytest.mark.parametrize(
    ("cell", "value"),
    [("jā", True), ("NĒ", False), ("true", True), ("False", False), ("1", True), ("0", False)],
)
def test_booleans_in_latvian_and_english(registry: TypeRegistry, cell: str, value: bool) -> None:
    column = _column(registry, "qualification", "achievement.recognitionOfPriorLearning")
    assert cells.parse_cell(column, cell) == (value, None)


def test_build_subject_skips_empty_groups_and_field_of_names_the_written_group() -> None:
    outcomes = ("achievement", "learningOutcomes")
    subject, index_map = cells.build_subject(
        [
            (("givenName",), "Anna"),
            ((*outcomes, 0, "title", "lv"), "Pirmais"),
            ((*outcomes, 2, "title", "lv"), "Trešais"),
            ((*outcomes, 2, "escoSkills"), ["x"]),
        ]
    )
    assert subject == {
        "givenName": "Anna",
        "achievement": {
            "learningOutcomes": [
                {"title": {"lv": "Pirmais"}},
                {"title": {"lv": "Trešais"}, "escoSkills": ["x"]},
            ]
        },
    }
    keys = {"achievement.learningOutcomes.3.escoSkills", "achievement.learningOutcomes.3.title.lv"}
    # The second item came from group 3: a problem in it names group 3's cell.
    assert (
        cells.field_of("/achievement/learningOutcomes/1/escoSkills/0", index_map, keys)
        == "achievement.learningOutcomes.3.escoSkills"
    )
    assert cells.field_of("", index_map, keys) == "credentialSubject"


def _template_rows(text: str, delimiter: str = ";") -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=delimiter))


@pytest.mark.parametrize("name", TYPE_NAMES)
def test_template_has_one_bilingual_header_row_and_the_example(
    registry: TypeRegistry, name: str
) -> None:
    ctype = registry.get(name)
    rows = _template_rows(cols.template_csv(ctype))
    assert len(rows) == 2
    header, example = rows
    found = {c.header: c for c in cols.columns(ctype)}
    assert all(cell in found for cell in header)
    assert header[0] == "Ārējais ID / External ID"
    assert not any("(krieviski)" in cell for cell in header)  # No Russian columns shown.
    by_key = dict(zip([found[cell].key for cell in header], example, strict=True))
    assert by_key["externalId"] == "PARAUGS-1"
    assert by_key["type"] == name
    assert by_key["givenName"] == ctype.example["givenName"]
    assert by_key["achievement.title.lv"] == ctype.example["achievement"]["title"]["lv"]
    assert not by_key["personalCode"]  # No personal code in a template, even an invented one.


def test_template_shows_every_group_the_example_fills(registry: TypeRegistry) -> None:
    diploma = registry.get("diploma")
    rows = _template_rows(cols.template_csv(diploma, delimiter=","), delimiter=",")
    header = rows[0]
    courses = diploma.example["achievement"]["courses"]
    assert len(courses) > cols.TEMPLATE_ITEMS
    last = f"Kursa rezultāts {len(courses)}: kods / Course result {len(courses)}: code"
    assert last in header
    assert rows[1][header.index(last)] == courses[-1]["code"]
    assert rows[1][header.index("Mācību valodas / Languages of instruction")] == "lv"
