"""ELMO learning opportunities (LOS and their instance, LOI) → credential subjects.

Which learning opportunity becomes which credential (``docs/intake.md``, "EMREX ELMO XML"):

- Only completed ones are issued: LOI ``status`` ``passed`` or absent (ELMO: absent means
  passed), not a failing Latvian grade (1-3, "neieskaitīts"). A learning opportunity that
  is not completed is not issued, and its parts are looked at instead (the courses of a
  degree in progress).
- The top-most completed one is the credential; its parts are folded into it (a degree's
  courses become the diploma's ``courses``, a course's classes add their hours).
- ``Degree Programme`` → ``diploma``; referring to an attachment of type "Micro Credential"
  → ``micro-credential``; ``Course``, ``Module``, another or no type → ``course-certificate``;
  ``Class`` is never a credential of its own. An explicit type overrides this for every row.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from wallet.intake.elmo_text import Names, Texts, number

__all__ = ["ELMO_TYPES", "Report", "achievement", "completed", "credential_type", "walk"]

#: The credential types an ELMO learning opportunity can become.
ELMO_TYPES = ("course-certificate", "diploma", "micro-credential", "qualification")
_DEGREE_TYPES = {"bachelor": "BachelorDegree", "master": "MasterDegree", "phd": "DoctoralDegree"}
_PASSED_MARKS = {"ieskaitīts": "passed", "ieskaitits": "passed", "neieskaitīts": "failed"}
_ISCED = re.compile(r"[0-9]{2,4}")
_PROGRAMME_CODE = re.compile(r"[0-9]{5}(?:[0-9]{3})?")
_LANGUAGE = re.compile(r"[a-z]{2}")
_EQF_LEVEL = re.compile(r"[1-8]")
# A grade on the Latvian 10-point scale as printed ("9", "09", "10"): ASCII digits only.
_LV_GRADE = re.compile(r"0?[1-9]|10")
_COURSE_CODE_MAX = 30
# What each type's achievement may hold of what an ELMO file can give.
_FIELDS: dict[str, frozenset[str]] = {
    "course-certificate": frozenset({
        "title", "programme", "workload", "eqfLevel", "eqfLevelUri", "startDate", "endDate",
        "grade", "languages", "awardingBody", "awardingDate",
    }),
    "diploma": frozenset({
        "title", "achievementType", "eqfLevel", "eqfLevelUri", "lkiLevel", "programme",
        "workload", "awardingBody", "awardingDate", "overallGrade", "courses", "languages",
    }),
    "micro-credential": frozenset({
        "title", "awardingBody", "awardingDate", "workload", "eqfLevel", "eqfLevelUri",
        "startDate", "endDate", "languages",
    }),
    "qualification": frozenset({
        "title", "lkiLevel", "eqfLevel", "eqfLevelUri", "qualificationExam", "workload",
        "awardingBody", "awardingDate",
    }),
}  # fmt: skip


@dataclass(frozen=True)
class Report:
    """What every learning opportunity of one ELMO ``report`` shares."""

    q: Names
    awarding_body: Mapping[str, Any]
    #: Latvian grades are read as the 10-point scale only when the issuer is Latvian.
    latvian: bool
    #: The language of titles without ``xml:lang`` ("lv" for a Latvian issuer), or None.
    default_lang: str | None
    #: ELMO attachment type by attachment identifier.
    attachment_types: Mapping[str, str]


def walk(
    report: Report, parent: Any, path: str = "", programme: Any = None
) -> Iterator[tuple[str, Any, Any]]:
    """(path "2.1", LOS, enclosing Degree Programme or None) of each LOS to issue.

    :param parent: the element whose ``learningOpportunitySpecification`` children (a
        ``report``) or ``hasPart`` children (a LOS) are walked.
    """
    q = report.q
    children = list(parent.iterfind(q("learningOpportunitySpecification")))
    children += list(parent.iterfind(q("hasPart", "learningOpportunitySpecification")))
    if _kind(parent, q) == "degree programme":
        programme = parent
    for index, los in enumerate(children, start=1):
        where = f"{path}{index}"
        if _kind(los, q) == "class":
            continue
        if completed(los, report):
            yield where, los, programme
        else:
            yield from walk(report, los, f"{where}.", programme)


def completed(los: Any, report: Report) -> bool:
    """Whether the LOS was completed: passed (or no status) and no failing Latvian grade."""
    loi = los.find(report.q("specifies", "learningOpportunityInstance"))
    if loi is None:
        return False
    status = (loi.findtext(report.q("status")) or "passed").strip().lower()
    grade = _grade(loi, report, Texts())
    return status == "passed" and (grade is None or grade["value"] != "failed")


def credential_type(los: Any, report: Report) -> str:
    """The credential type a completed LOS becomes when no type is given."""
    q = report.q
    refs = los.iterfind(q("specifies", "learningOpportunityInstance", "attachments", "ref"))
    kinds = {report.attachment_types.get((ref.text or "").strip()) for ref in refs}
    if "Micro Credential" in kinds:
        return "micro-credential"
    return "diploma" if _kind(los, q) == "degree programme" else "course-certificate"


def achievement(
    los: Any, programme: Any, report: Report, type_name: str, texts: Texts
) -> dict[str, Any]:
    """The ``achievement`` of ``type_name`` for a completed LOS (only what the file gives)."""
    q = report.q
    loi = los.find(q("specifies", "learningOpportunityInstance"))
    title = texts.lang_map(list(los.iterfind(q("title"))), "title", report.default_lang)
    found: dict[str, Any] = {"title": title, "awardingBody": dict(report.awarding_body)}
    workload = {}
    if (ects := _sum(los, report, "ects", texts)) is not None:
        workload["ects"] = number(ects)
    if (hours := _sum(los, report, "hours", texts)) is not None:
        workload["hours"] = number(hours)
    found["workload"] = workload
    start = texts.day(loi.find(q("start")), "start")
    end = texts.day(loi.find(q("date")), "date")
    awarded = end or texts.day(loi.find(q("academicTerm", "end")), "academicTerm/end")
    found.update(startDate=start, endDate=end, awardingDate=awarded)
    for level in loi.iterfind(q("level")):
        if (level.findtext(q("type")) or "").strip().upper() == "EQF":
            value = texts.token(level.find(q("value")), "level/value")
            if value is not None and _EQF_LEVEL.fullmatch(value):
                found.update(eqfLevel=int(value), lkiLevel=int(value))
                found["eqfLevelUri"] = f"http://data.europa.eu/snb/eqf/{value}"
    language = texts.token(loi.find(q("languageOfInstruction")), "languageOfInstruction") or ""
    if _LANGUAGE.fullmatch(language.lower()):
        found["languages"] = [language.lower()]
    grade = _grade(loi, report, texts)
    found.update(grade=grade, overallGrade=grade)
    if type_name == "diploma":
        found["achievementType"] = _degree_type(loi, q)
        found["programme"] = _programme(los, title, q, texts)
        found["courses"] = [_course(part, report, texts) for part in _parts(los, report)] or None
    elif programme is not None:
        found["programme"] = _programme(programme, None, q, texts, report.default_lang)
    if type_name == "qualification" and awarded is not None and grade is not None:
        found["qualificationExam"] = {"assessmentDate": awarded, "grade": grade}
    allowed = _FIELDS[type_name]
    return {key: value for key, value in found.items() if key in allowed and value}


def _kind(los: Any, q: Names) -> str:
    return " ".join((los.findtext(q("type")) or "").split()).lower()


def _grade(loi: Any, report: Report, texts: Texts) -> dict[str, Any] | None:
    """A Latvian 10-point grade, or pass/fail from the mark or the status."""
    q = report.q
    label = texts.token(loi.find(q("resultLabel")), "resultLabel")
    status = (loi.findtext(q("status")) or "passed").strip().lower()
    if label is not None and report.latvian and _LV_GRADE.fullmatch(label):
        if int(label) < 4:
            return {"scheme": "pass-fail", "value": "failed"}
        return {"scheme": "LV-10", "value": int(label)}
    if label is not None and label.lower() in _PASSED_MARKS:
        return {"scheme": "pass-fail", "value": _PASSED_MARKS[label.lower()]}
    if status in ("passed", "failed"):
        return {"scheme": "pass-fail", "value": status}
    return None


def _credits(los: Any, q: Names, texts: Texts) -> Decimal | None:
    loi = los.find(q("specifies", "learningOpportunityInstance"))
    for credit in () if loi is None else loi.iterfind(q("credit")):
        if (credit.findtext(q("scheme")) or "").strip().lower() == "ects":
            return texts.decimal(credit.find(q("value")), "credit/value")
    return None


def _hours(los: Any, q: Names, texts: Texts) -> Decimal | None:
    loi = los.find(q("specifies", "learningOpportunityInstance"))
    found = None if loi is None else loi.find(q("engagementHours"))
    return texts.decimal(found, "engagementHours")


def _sum(los: Any, report: Report, what: str, texts: Texts) -> Decimal | None:
    """The LOS's own ECTS credits or hours, else the sum over its completed parts.

    ELMO: when a node carries ECTS its ancestors and descendants do not, so nothing is
    counted twice.
    """
    own = (_credits if what == "ects" else _hours)(los, report.q, texts)
    if own is not None:
        return own
    parts = [
        _sum(part, report, what, texts)
        for part in los.iterfind(report.q("hasPart", "learningOpportunitySpecification"))
        if completed(part, report)
    ]
    present = [value for value in parts if value is not None]
    return sum(present, Decimal(0)) if present else None


def _parts(los: Any, report: Report) -> Iterator[Any]:
    """Every completed part of a LOS at any depth, classes excepted (a diploma's courses)."""
    for part in los.iterfind(report.q("hasPart", "learningOpportunitySpecification")):
        if completed(part, report) and _kind(part, report.q) != "class":
            yield part
        yield from _parts(part, report)


def _course(part: Any, report: Report, texts: Texts) -> dict[str, Any]:
    q = report.q
    course: dict[str, Any] = {
        "title": texts.lang_map(list(part.iterfind(q("title"))), "hasPart/title",
                                report.default_lang),
    }  # fmt: skip
    code = _identifier(part, q, texts, ("local",))
    if code is not None and len(code) <= _COURSE_CODE_MAX:
        course["code"] = code
    if (ects := _credits(part, q, texts)) is not None:
        course["ects"] = number(ects)
    loi = part.find(q("specifies", "learningOpportunityInstance"))
    course["grade"] = _grade(loi, report, texts)
    return {key: value for key, value in course.items() if value is not None}


def _programme(
    los: Any, title: dict[str, str] | None, q: Names, texts: Texts, default_lang: str | None = None
) -> dict[str, Any]:
    if title is None:
        title = texts.lang_map(list(los.iterfind(q("title"))), "programme title", default_lang)
    programme: dict[str, Any] = {"title": title}
    code = _identifier(los, q, texts, ("lv-ikl",))
    if code is not None and _PROGRAMME_CODE.fullmatch(code):
        programme["code"] = code
    isced = texts.token(los.find(q("iscedCode")), "iscedCode")
    if isced is not None and _ISCED.fullmatch(isced):
        programme["iscedF"] = isced
    return programme


def _identifier(los: Any, q: Names, texts: Texts, types: tuple[str, ...]) -> str | None:
    for identifier in los.iterfind(q("identifier")):
        if (identifier.get("type") or "").strip().lower() in types:
            return texts.token(identifier, "identifier")
    return None


def _degree_type(loi: Any, q: Names) -> str:
    """From the ECTS credit's ``level`` (Bachelor, Master, PhD); else the generic "Diploma"."""
    for credit in loi.iterfind(q("credit")):
        level = (credit.findtext(q("level")) or "").strip().lower()
        if level in _DEGREE_TYPES:
            return _DEGREE_TYPES[level]
    return "Diploma"
