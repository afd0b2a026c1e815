"""wallet.intake.elmo: ELMO files of every namespace variant → rows whose subjects validate."""

from __future__ import annotations

import io
import json
import re
import unicodedata
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from tests.conftest import VECTORS
from tests.intake.elmo_fixtures import (
    PDF,
    PERSONAL_CODE,
    PURL,
    V1,
    V130,
    Course,
    degree,
    elmo,
    ewp,
    issuer_entry,
    maker,
    to_bytes,
)
from wallet.errors import InputError, IntakeError, WalletError
from wallet.intake.elmo import find_elmo, read_elmo, read_elmo_zip
from wallet.intake.rows import IntakeFile

#: The canonical ELMO example: emrex-eu/elmo-schemas, tag v1.7.0, example.xml (EUPL-1.2;
#: ``../shared/data/elmo/references/SOURCES.md``). Its signature is a placeholder and it
#: contains mojibake ("KÃ¸benhavns Universitet"); it is read here, never copied.
EXAMPLE = VECTORS / "elmo" / "example.xml"
UNSIGNED_OK = issuer_entry(allow_unsigned=True)

EXPECTED_SUBJECT = {
    "givenName": "Ērika",
    "familyName": "Žagare",
    "birthDate": "1990-05-17",
    "achievement": {
        "title": {"lv": "Digitālās prasmes biroja darbā", "en": "Digital skills for office work"},
        "awardingBody": {
            "legalName": {
                "lv": "Pieaugušo izglītības centrs „Zīle”",
                "en": "Adult Education Centre Zīle",
            },
            "countryCode": "LV",
            "registrationNumber": "3313900123",
        },
        "workload": {"ects": 6, "hours": 160},
        "startDate": "2025-02-03",
        "endDate": "2025-04-25",
        "awardingDate": "2025-04-25",
        "eqfLevel": 4,
        "eqfLevelUri": "http://data.europa.eu/snb/eqf/4",
        "languages": ["lv"],
        "grade": {"scheme": "LV-10", "value": 9},
    },
}


def read(element, **options) -> IntakeFile:
    options.setdefault("trust", UNSIGNED_OK)
    return read_elmo(to_bytes(element), source="alice.xml", **options)


# --- namespaces and shapes ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("element", "variant", "embedded"),
    [
        pytest.param(elmo(V1), "v1", False, id="tree-v1"),
        pytest.param(elmo(V1, shape="v2"), "v2", False, id="tree-v1-in-v2-shape"),
        pytest.param(elmo(V130), "v1.3.0", False, id="tree-v1.3.0"),
        pytest.param(elmo(PURL), "purl", False, id="purl"),
        pytest.param(elmo(""), "none", False, id="no-namespace"),
        pytest.param(ewp(elmo(V1)), "v1", True, id="inside-ewp-tors-response"),
    ],
)
def test_every_variant_gives_the_same_valid_subject(element, variant, embedded, types) -> None:
    documents = find_elmo(etree.fromstring(to_bytes(element)))
    assert [(d.variant, d.embedded) for d in documents] == [(variant, embedded)]
    result = read(element, types=types)
    assert result.problems == ()
    [row] = result.rows
    assert row.subject == EXPECTED_SUBJECT
    assert row.type_name == "course-certificate"
    assert row.locator == "alice.xml, report 1, learning opportunity 1 (DPBD-2025)"
    types.get(row.type_name).check_subject(row.subject)


def test_old_files_with_the_learner_in_the_report_are_read(types) -> None:
    [row] = read(elmo(PURL, learner_in_report=True), types=types).rows
    assert row.subject == EXPECTED_SUBJECT


def test_elmo_of_another_namespace_is_not_elmo() -> None:
    E = maker("https://example.com/not-elmo")
    with pytest.raises(IntakeError) as caught:
        read(E.elmo(E.learner()))
    assert caught.value.reason == "not_elmo"


def test_several_transcripts_in_one_ewp_response_are_all_read() -> None:
    response = ewp(elmo())
    response.append(maker(response.nsmap[None]).tor(elmo(given="Jānis", national_id=None)))
    result = read(response)
    assert [row.subject["givenName"] for row in result.rows] == ["Ērika", "Jānis"]
    assert result.rows[1].locator.startswith("alice.xml, transcript 2, report 1")


# --- the learner ------------------------------------------------------------------------


def test_personal_code_is_delivery_data_never_subject() -> None:
    [row] = read(elmo(national_id="320731-20115")).rows
    assert row.personal_code == PERSONAL_CODE
    assert "32073120115" not in json.dumps(row.subject)
    assert "20115" not in row.external_id


def test_foreign_national_identifier_is_ignored() -> None:
    # A Polish citizen's PESEL is no Latvian personal code, even if its digits happen to fit.
    [row] = read(elmo(citizenship="PL", national_id="83041200000")).rows
    assert row.personal_code is None
    assert "83041200000" not in json.dumps(row.subject)


def test_without_citizenship_a_valid_code_in_a_latvian_file_is_used() -> None:
    [row] = read(elmo(citizenship=None)).rows
    assert row.personal_code == PERSONAL_CODE
    [row] = read(elmo(citizenship=None, national_id="83041200000")).rows
    assert row.personal_code is None


def test_invalid_personal_code_of_a_latvian_citizen_is_reported() -> None:
    result = read(elmo(national_id="32073120116"))
    assert result.rows == ()
    [problem] = result.problems
    assert (problem.locator, problem.field) == ("alice.xml, learner", "identifier")
    assert "check digit" in problem.reason
    assert "32073120116" not in problem.reason


def test_garbled_name_is_reported_not_issued() -> None:
    garbled = "Žagare".encode().decode("cp1252")  # "Å½agare": UTF-8 read as windows-1252.
    result = read(elmo(family=garbled))
    assert result.rows == ()
    [problem] = result.problems
    assert (problem.locator, problem.field) == ("alice.xml, learner", "familyName")
    assert "Žagare" in problem.reason


def test_text_is_normalised_to_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Ērika")
    assert decomposed != "Ērika"
    course = Course(titles={"lv": unicodedata.normalize("NFD", "Digitālās prasmes")})
    [row] = read(elmo(given=decomposed, courses=[course])).rows
    assert row.subject["givenName"] == "Ērika"
    assert row.subject["achievement"]["title"] == {"lv": "Digitālās prasmes"}


# --- learning opportunities ---------------------------------------------------------------


def test_degree_programme_with_supplement_becomes_a_diploma(types) -> None:
    result = read(elmo(courses=[degree()]))
    [row] = result.rows
    assert row.type_name == "diploma"
    achievement = row.subject["achievement"]
    assert achievement["achievementType"] == "BachelorDegree"
    assert achievement["programme"] == {
        "title": {"lv": "Datorzinātņu bakalaurs", "en": "Bachelor of Computer Science"},
        "code": "42481",
        "iscedF": "0611",
    }
    assert achievement["workload"] == {"ects": 180}
    assert (achievement["eqfLevel"], achievement["lkiLevel"]) == (6, 6)
    # The failed course (a Latvian 3) is not among the diploma's courses.
    assert [course["code"] for course in achievement["courses"]] == ["DP101"]
    [attachment] = result.attachments
    assert attachment.media_type == "application/pdf"
    assert attachment.content == PDF
    assert attachment.name == "alice-1-1-diploma-supplement.pdf"
    # What the diploma needs beyond ELMO (board decision, document series and number) is
    # named when the subject is validated; everything the file gave is valid.
    result = read(elmo(courses=[degree()]), types=types)
    assert {(p.field, p.reason) for p in result.problems} == {
        (f"/achievement/{name}", "required property is missing")
        for name in ("decisionDate", "decisionNumber", "documentSeries", "documentNumber")
    }


def test_attachment_of_type_micro_credential_makes_a_micro_credential(types) -> None:
    element = elmo(
        courses=[Course(attachment_refs=("mc-1",))],
        attachments=[("mc-1", "Micro Credential", PDF)],
    )
    result = read(element)
    [row] = result.rows
    assert row.type_name == "micro-credential"
    assert [a.name for a in result.attachments] == ["alice-1-1-micro-credential.pdf"]
    problems = read(element, types=types).problems
    assert {p.reason for p in problems} == {"required property is missing"}


def test_explicit_type_overrides_the_rule(types) -> None:
    element = elmo(courses=[degree(hours="4800")])
    result = read(element, type_name="course-certificate", types=types)
    [row] = result.rows
    assert row.type_name == "course-certificate"
    assert result.problems == ()
    assert "courses" not in row.subject["achievement"]
    with pytest.raises(InputError):
        read(elmo(), type_name="generic")


def test_degree_in_progress_gives_its_completed_courses() -> None:
    programme = degree(
        status="in-progress",
        date=None,
        diploma_supplement=False,
        parts=[
            Course(local_id="A1"),
            Course(local_id="A2", status="failed"),
            Course(local_id="A3", result="2"),
            Course(local_id="A4", status="in-progress", result=None),
        ],
    )
    result = read(elmo(courses=[programme]))
    [row] = result.rows
    assert row.locator == "alice.xml, report 1, learning opportunity 1.1 (A1)"
    assert row.subject["achievement"]["programme"] == {
        "title": {"lv": "Datorzinātņu bakalaurs", "en": "Bachelor of Computer Science"},
        "code": "42481",
        "iscedF": "0611",
    }


def test_nothing_completed_is_reported() -> None:
    result = read(elmo(courses=[Course(status="failed")]))
    assert result.rows == ()
    assert [(p.locator, p.field) for p in result.problems] == [("file", "alice.xml")]


def test_hours_of_classes_add_up_to_the_course() -> None:
    course = Course(
        hours=None,
        parts=[
            Course(local_id="L1", kind="Class", hours="30", ects=None),
            Course(local_id="L2", kind="Class", hours="24.5", ects=None),
        ],
    )
    [row] = read(elmo(courses=[course])).rows
    assert row.subject["achievement"]["workload"] == {"ects": 6, "hours": 54.5}


@pytest.mark.parametrize(
    ("label", "country", "grade"),
    [
        pytest.param("9", "LV", {"scheme": "LV-10", "value": 9}, id="latvian-9"),
        pytest.param("4", "LV", {"scheme": "LV-10", "value": 4}, id="latvian-lowest-pass"),
        pytest.param("ieskaitīts", "LV", {"scheme": "pass-fail", "value": "passed"}, id="pass"),
        pytest.param("9", "DK", {"scheme": "pass-fail", "value": "passed"}, id="foreign-9"),
        pytest.param("A", "LV", {"scheme": "pass-fail", "value": "passed"}, id="letter"),
        pytest.param(None, "LV", {"scheme": "pass-fail", "value": "passed"}, id="no-label"),
        pytest.param("11", "LV", {"scheme": "pass-fail", "value": "passed"}, id="over-10"),
        pytest.param("²", "LV", {"scheme": "pass-fail", "value": "passed"}, id="superscript"),
        pytest.param("٩", "LV", {"scheme": "pass-fail", "value": "passed"}, id="arabic-digit"),
    ],
)
def test_grades(label, country, grade) -> None:
    [row] = read(elmo(issuer_country=country, courses=[Course(result=label)])).rows
    assert row.subject["achievement"]["grade"] == grade


def test_untagged_title_is_latvian_only_in_a_latvian_file() -> None:
    course = Course(titles={"none": "Grāmatvedība"})
    [row] = read(elmo(courses=[course])).rows
    assert row.subject["achievement"]["title"] == {"lv": "Grāmatvedība"}
    [row] = read(elmo(issuer_country="DK", courses=[course])).rows
    assert "title" not in row.subject["achievement"]


def test_other_languages_are_dropped_but_checked() -> None:
    course = Course(titles={"lv": "Kurss", "en": "Course", "pl": "Kurs", "ru": "Курс"})
    [row] = read(elmo(courses=[course])).rows
    assert row.subject["achievement"]["title"] == {"lv": "Kurss", "en": "Course", "ru": "Курс"}
    garbled = Course(titles={"lv": "Kurss", "da": "KÃ¸benhavn"})
    result = read(elmo(courses=[garbled]))
    assert result.rows == ()
    assert [p.field for p in result.problems] == ['title[@xml:lang="da"]']


# --- external ids ---------------------------------------------------------------------------


def test_external_id_is_stable_per_learner_and_opportunity() -> None:
    [row] = read(elmo()).rows
    pretty = etree.tostring(etree.fromstring(to_bytes(elmo())), pretty_print=True)
    [again] = read_elmo(pretty, source="other-name.xml", trust=UNSIGNED_OK).rows
    assert again.external_id == row.external_id
    assert re.fullmatch(r"elmo-[0-9a-f]{32}", row.external_id)
    retake = Course(start="2025-09-01", date="2025-12-20")
    others = [
        read(elmo(courses=[retake])).rows[0],
        read(elmo(esi="urn:schac:personalUniqueCode:int:esi:lv:OTHER")).rows[0],
        read(elmo(courses=[Course(local_id="OTHER")])).rows[0],
    ]
    ids = {row.external_id, *(other.external_id for other in others)}
    assert len(ids) == 4


# --- attachments ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        pytest.param("https://example.com/d.pdf", "never fetched", id="link"),
        pytest.param("data:text/html;base64,PGI+", "not kept", id="html"),
        pytest.param("data:image/svg+xml;base64,PHN2Zy8+", "not kept", id="svg"),
        pytest.param("data:application/pdf;base64,PGh0bWw+", "not a application/pdf", id="fake"),
        pytest.param("data:application/pdf;base64,iiNhz6Qf...", "damaged", id="damaged"),
    ],
)
def test_attachments_that_cannot_be_kept_are_reported(content, reason) -> None:
    element = elmo()
    E = maker(V1)
    element.append(E.attachment(E.type("Diploma"), E.content(content)))
    result = read(element)
    assert result.attachments == ()
    [problem] = result.problems
    assert (problem.locator, problem.field) == ("alice.xml, attachment 1", "content")
    assert reason in problem.reason


# --- the canonical example ------------------------------------------------------------------


def example_unsigned() -> bytes:
    """example.xml without its placeholder signature, the way an unsigned export looks."""
    data = EXAMPLE.read_bytes()
    return re.sub(rb"<Signature .*</Signature>", b"", data, flags=re.DOTALL)


def test_canonical_example_reports_its_mojibake() -> None:
    result = read_elmo(example_unsigned(), source="example.xml", trust=UNSIGNED_OK)
    garbled = [p for p in result.problems if "garbled" in p.reason]
    assert [(p.locator, p.field) for p in garbled] == [
        (
            "example.xml, report 1, learning opportunity 1 (MNM2-BIO)",
            'hasPart/title[@xml:lang="no"]',
        )
    ]
    assert "Københavns Universitet" in garbled[0].reason
    # The degree holding the garbled course is not issued; the two other courses are read.
    assert [row.locator for row in result.rows] == [
        "example.xml, report 1, learning opportunity 2 (1000-217bMRJ)",
        "example.xml, report 1, learning opportunity 3",
    ]
    # Its attachments are placeholders ("iiNhz6QfDnnDybjHLBF2..."), reported as damaged.
    assert {p.reason for p in result.problems if p.field == "content"} == {
        "the base64 content is damaged"
    }


def test_canonical_example_subjects_are_valid_as_far_as_the_file_goes(types) -> None:
    """The example is Norwegian, Polish and English: every value read from it is valid; what
    our types need beyond it (Latvian titles, a diploma's document number, ...) is named."""
    repaired = (
        example_unsigned()
        .replace("KÃ¸benhavns".encode(), "Københavns".encode())
        .replace("HÃ¸st".encode(), "Høst".encode())
    )
    result = read_elmo(repaired, source="example.xml", trust=UNSIGNED_OK, types=types)
    schema_problems = [p for p in result.problems if p.field.startswith("/")]
    assert {p.reason for p in schema_problems} == {"required property is missing"}
    missing = {(p.locator.split(", ")[2], p.field) for p in schema_problems}
    assert missing == {
        # The degree: a diploma needs Latvian titles and what only the diploma itself shows.
        *(("learning opportunity 1 (MNM2-BIO)", f"/achievement/{name}") for name in (
            "title/lv", "programme/title/lv", "courses/0/title/lv", "programme/code",
            "eqfLevel", "decisionDate", "decisionNumber", "documentSeries", "documentNumber",
        )),
        # "Compiler construction": titles in pl and en only.
        ("learning opportunity 2 (1000-217bMRJ)", "/achievement/title/lv"),
        # The course titled without a language: no completion date, title language or hours.
        ("learning opportunity 3", "/achievement/awardingDate"),
        ("learning opportunity 3", "/achievement/title"),
        ("learning opportunity 3", "/achievement/workload"),
    }  # fmt: skip


def test_canonical_example_course_validates_with_its_latvian_title(types) -> None:
    data = example_unsigned().replace(
        b'<title xml:lang="en">Compiler construction</title>',
        b'<title xml:lang="en">Compiler construction</title>'
        b'<title xml:lang="lv">Kompilatoru uzb\xc5\xabve</title>',
    )
    result = read_elmo(data, source="example.xml", trust=UNSIGNED_OK, types=types)
    [row] = result.rows
    assert row.subject["achievement"] == {
        "title": {"lv": "Kompilatoru uzbūve", "en": "Compiler construction"},
        "awardingBody": EXPECTED_SUBJECT["achievement"]["awardingBody"],
        "workload": {"ects": 6, "hours": 60},
        "startDate": "2014-10-01",
        "endDate": "2015-03-17",
        "awardingDate": "2015-03-17",
        "eqfLevel": 5,
        "eqfLevelUri": "http://data.europa.eu/snb/eqf/5",
        "languages": ["pl"],
        "grade": {"scheme": "pass-fail", "value": "passed"},
    }
    # A Polish learner: the PESEL in nationalIdentifier is not a Latvian personal code.
    assert row.personal_code is None
    types.get("course-certificate").check_subject(row.subject)


def test_canonical_example_placeholder_signature_is_refused() -> None:
    with pytest.raises(IntakeError) as caught:
        read_elmo(EXAMPLE.read_bytes(), source="example.xml", trust=issuer_entry())
    assert caught.value.reason == "untrusted_certificate"


# --- zip ------------------------------------------------------------------------------------


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_zip_of_several_elmo_files(types) -> None:
    data = zipped(
        {
            "batch/erika.xml": to_bytes(elmo()),
            "batch/janis.xml": to_bytes(elmo(given="Jānis", family="Bērziņš", national_id=None)),
            "batch/degree.xml": to_bytes(elmo(courses=[degree()])),
            "__MACOSX/._erika.xml": b"\x00\x05\x16\x07",
            "batch/notes.txt": b"hello",
        }
    )
    result = read_elmo_zip(data, source="june.zip", trust=UNSIGNED_OK, types=types)
    assert [(row.locator, row.type_name) for row in result.rows] == [
        ("june.zip/batch/erika.xml, report 1, learning opportunity 1 (DPBD-2025)",
         "course-certificate"),
        ("june.zip/batch/janis.xml, report 1, learning opportunity 1 (DPBD-2025)",
         "course-certificate"),
    ]  # fmt: skip
    for row in result.rows:
        types.get(row.type_name).check_subject(row.subject)
    assert ("file", "june.zip/batch/notes.txt") in {(p.locator, p.field) for p in result.problems}
    diploma_fields = {p.field for p in result.problems if "degree.xml" in p.locator}
    assert "/achievement/documentNumber" in diploma_fields
    assert [a.name for a in result.attachments] == [
        "june.zip-batch-degree-1-1-diploma-supplement.pdf"
    ]
    assert {s.source for s in result.signatures} == {
        "june.zip/batch/erika.xml", "june.zip/batch/janis.xml", "june.zip/batch/degree.xml"
    }  # fmt: skip


def test_zip_without_xml_is_refused() -> None:
    with pytest.raises(IntakeError) as caught:
        read_elmo_zip(zipped({"a.txt": b"x"}), source="a.zip", trust=UNSIGNED_OK)
    assert caught.value.reason == "not_elmo"


# --- robustness -----------------------------------------------------------------------------

SIGNED_SHAPE = to_bytes(elmo(courses=[degree()]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(position=st.integers(0, len(SIGNED_SHAPE) - 1), value=st.integers(0, 255))
def test_any_mutation_gives_rows_problems_or_our_error(position: int, value: int) -> None:
    data = bytearray(SIGNED_SHAPE)
    data[position] = value
    try:
        result = read_elmo(bytes(data), source="m.xml", trust=UNSIGNED_OK)
    except WalletError:
        return
    assert isinstance(result, IntakeFile)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_give_our_error_or_a_result(data: bytes) -> None:
    try:
        read_elmo(data, source="b.xml", trust=UNSIGNED_OK)
    except WalletError:
        pass
