"""Credential types: loading, subject validation, display metadata, broken folders."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from wallet.credential_types import GENERIC, CredentialType, TypeRegistry, load_types
from wallet.errors import DataModelError, JSONLDError, NotFoundError, SchemaError
from wallet.vc.jsonld import CREDENTIALS_V2, IMK_CONTEXT_V1, expand_strict

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"
TYPE_NAMES = ["course-certificate", "diploma", "micro-credential", "qualification"]


@pytest.fixture(scope="module")
def registry() -> TypeRegistry:
    return load_types(SCHEMAS)


def _pointers(exc: pytest.ExceptionInfo[SchemaError]) -> set[str]:
    return {p.pointer for p in exc.value.problems}


def test_every_type_loads(registry: TypeRegistry) -> None:
    assert sorted(registry.types) == TYPE_NAMES
    assert {t.w3c_type for t in registry.types.values()} == {
        "DiplomaCredential",
        "QualificationCredential",
        "CourseCertificateCredential",
        "MicroCredential",
    }
    for credential_type in registry.types.values():
        assert credential_type.contexts == (CREDENTIALS_V2, IMK_CONTEXT_V1)
        assert credential_type.vct == f"{credential_type.name}/v1"


@pytest.mark.parametrize("name", TYPE_NAMES)
def test_example_validates(registry: TypeRegistry, name: str) -> None:
    registry.get(name).check_subject(registry.get(name).example)


@pytest.mark.parametrize("name", TYPE_NAMES)
def test_example_expands_strictly_as_a_credential(registry: TypeRegistry, name: str) -> None:
    # The load-time term proof must agree with full expansion of a real credential.
    credential_type = registry.get(name)
    credential = {
        "@context": list(credential_type.contexts),
        "type": ["VerifiableCredential", credential_type.w3c_type],
        "issuer": "did:web:wallet.test:issuers:demo",
        "credentialSubject": credential_type.example,
    }
    assert expand_strict(credential)


@pytest.mark.parametrize("name", TYPE_NAMES)
def test_example_uses_latvian_letters(registry: TypeRegistry, name: str) -> None:
    text = json.dumps(registry.get(name).example, ensure_ascii=False)
    assert set(text) & set("āčēģīķļņšūž")


@pytest.mark.parametrize("name", TYPE_NAMES)
def test_personal_code_is_never_accepted(registry: TypeRegistry, name: str) -> None:
    subject = {**registry.get(name).example, "personalCode": "32073120115"}
    with pytest.raises(SchemaError) as exc:
        registry.get(name).check_subject(subject)
    assert _pointers(exc) == {"/personalCode"}
    assert "32073120115" not in str(exc.value.problems)


def test_every_bad_field_is_named(registry: TypeRegistry) -> None:
    diploma = registry.get("diploma")
    subject: dict[str, Any] = copy.deepcopy(dict(diploma.example))
    del subject["familyName"]
    subject["birthDate"] = "2001-02-30"
    subject["nickname"] = "Līgucis"
    achievement = subject["achievement"]
    achievement["eqfLevel"] = 9
    achievement["title"] = {"en": "Bachelor"}
    achievement["workload"] = {}
    achievement["overallGrade"] = {"scheme": "pass-fail", "value": "ok"}
    achievement["courses"][1]["grade"]["value"] = 11
    achievement["programme"]["iscedF"] = "computing"

    with pytest.raises(SchemaError) as exc:
        diploma.check_subject(subject)

    assert _pointers(exc) == {
        "/familyName",
        "/birthDate",
        "/nickname",
        "/achievement/eqfLevel",
        "/achievement/title/lv",
        "/achievement/workload/ects",
        "/achievement/overallGrade/value",
        "/achievement/courses/1/grade/value",
        "/achievement/programme/iscedF",
    }
    messages = {p.pointer: p.message for p in exc.value.problems}
    assert messages["/familyName"] == "required property is missing"
    assert "nickname" in messages["/nickname"]
    # Values may be personal data: messages state the rule, never the value.
    assert "2001-02-30" not in str(exc.value.problems)


@pytest.mark.parametrize(
    "subject",
    [None, "Līga", [], 42],
    ids=["null", "string", "array", "number"],
)
def test_non_object_subject_is_refused(registry: TypeRegistry, subject: object) -> None:
    with pytest.raises(SchemaError) as exc:
        registry.get("diploma").check_subject(subject)
    assert _pointers(exc) == {""}


# Council Recommendation 2022/C 243/02, Annex I: the mandatory elements.
ANNEX_I = {
    "learner-given-name": ("givenName",),
    "learner-family-name": ("familyName",),
    "title": ("achievement", "title"),
    "country-of-issuer": ("achievement", "awardingBody", "countryCode"),
    "awarding-body": ("achievement", "awardingBody"),
    "date-of-issuing": ("achievement", "awardingDate"),
    "learning-outcomes": ("achievement", "learningOutcomes"),
    "notional-workload": ("achievement", "workload"),
    "level": ("achievement", "eqfLevel"),
    "type-of-assessment": ("achievement", "assessment"),
    "form-of-participation": ("achievement", "participationMode"),
    "quality-assurance": ("achievement", "qualityAssurance"),
}


@pytest.mark.parametrize("path", list(ANNEX_I.values()), ids=list(ANNEX_I))
def test_micro_credential_requires_annex_i_element(
    registry: TypeRegistry, path: tuple[str, ...]
) -> None:
    micro = registry.get("micro-credential")
    subject: dict[str, Any] = copy.deepcopy(dict(micro.example))
    parent = subject
    for step in path[:-1]:
        parent = parent[step]
    del parent[path[-1]]
    with pytest.raises(SchemaError) as exc:
        micro.check_subject(subject)
    assert "/" + "/".join(path) in _pointers(exc)


def test_micro_credential_workload_needs_ects_or_hours(registry: TypeRegistry) -> None:
    micro = registry.get("micro-credential")
    subject: dict[str, Any] = copy.deepcopy(dict(micro.example))
    subject["achievement"]["workload"] = {"creditScheme": "LV-KP-2022"}
    with pytest.raises(SchemaError) as exc:
        micro.check_subject(subject)
    assert _pointers(exc) == {"/achievement/workload"}


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d", True),
        ("https://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d", False),
        ("http://data.europa.eu/esco/occupation/ccd0a1d9-afda-43d9-b901-96344886e14d", False),
        ("use spreadsheets", False),
    ],
    ids=["esco-skill", "https-scheme", "occupation", "free-text"],
)
def test_esco_skill_uri(registry: TypeRegistry, value: str, valid: bool) -> None:
    course = registry.get("course-certificate")
    subject: dict[str, Any] = copy.deepcopy(dict(course.example))
    subject["achievement"]["learningOutcomes"][0]["escoSkills"] = [value]
    if valid:
        course.check_subject(subject)
    else:
        with pytest.raises(SchemaError):
            course.check_subject(subject)


def test_course_certificate_needs_at_least_one_hour(registry: TypeRegistry) -> None:
    course = registry.get("course-certificate")
    subject: dict[str, Any] = copy.deepcopy(dict(course.example))
    subject["achievement"]["workload"] = {"hours": 0}
    with pytest.raises(SchemaError) as exc:
        course.check_subject(subject)
    assert _pointers(exc) == {"/achievement/workload/hours"}


def test_unknown_type_is_not_found(registry: TypeRegistry) -> None:
    with pytest.raises(NotFoundError):
        registry.get("driving-licence")
    # "generic" means "no registered type", so it is never a registered one.
    with pytest.raises(NotFoundError):
        registry.get(GENERIC)


@pytest.mark.parametrize(
    ("types", "expected"),
    [
        (["VerifiableCredential", "DiplomaCredential"], "diploma"),
        (["VerifiableCredential", "MicroCredential"], "micro-credential"),
        (["VerifiableCredential", "OpenBadgeCredential"], None),
        (["VerifiableCredential"], None),
    ],
    ids=["diploma", "micro-credential", "open-badge", "bare"],
)
def test_for_w3c_types(registry: TypeRegistry, types: list[str], expected: str | None) -> None:
    found = registry.for_w3c_types(types)
    assert (found.name if found else None) == expected


@pytest.mark.parametrize(
    ("lang", "title", "name"),
    [
        ("lv", "Dabaszinātņu bakalaura grāds datorzinātnēs", "Augstākās izglītības diploms"),
        ("en", "Bachelor of Natural Sciences in Computer Science", "Higher education diploma"),
        # No Russian title in the record: the title falls back to Latvian.
        ("ru", "Dabaszinātņu bakalaura grāds datorzinātnēs", "Диплом о высшем образовании"),
        ("de", "Dabaszinātņu bakalaura grāds datorzinātnēs", "Augstākās izglītības diploms"),
    ],
    ids=["lv", "en", "ru", "unknown-locale"],
)
def test_title_and_display_name(registry: TypeRegistry, lang: str, title: str, name: str) -> None:
    diploma = registry.get("diploma")
    assert diploma.title(diploma.example, lang) == title
    assert diploma.display_name(lang) == name


def test_title_missing_is_none(registry: TypeRegistry) -> None:
    assert registry.get("diploma").title({"givenName": "Līga"}) is None


@pytest.mark.parametrize("name", TYPE_NAMES)
def test_selective_disclosure_rules(registry: TypeRegistry, name: str) -> None:
    claims = {tuple(c["path"]): c for c in registry.get(name).metadata["claims"]}
    assert claims[("birthDate",)]["sd"] == "always"
    assert claims[("personalCode",)]["sd"] == "always"
    assert claims[("achievement", "title")]["sd"] == "never"
    assert claims[("achievement", "awardingBody")]["sd"] == "never"
    grades = [c for path, c in claims.items() if "grade" in str(path[-1]).lower()]
    assert grades and all(c["sd"] == "always" for c in grades)
    for claim in claims.values():
        assert {d["locale"] for d in claim["display"]} >= {"lv", "en", "ru"}


# Broken folders, built under tmp_path from a copy of the diploma type.


def _copy_type(tmp_path: Path, name: str = "diploma") -> Path:
    root = tmp_path / "schemas"
    shutil.copytree(SCHEMAS / name, root / name)
    return root


def _edit(path: Path, change: Any) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def test_copied_folder_loads(tmp_path: Path) -> None:
    registry = load_types(_copy_type(tmp_path))
    assert isinstance(registry.get("diploma"), CredentialType)


def test_schema_term_missing_from_context_fails_to_load(tmp_path: Path) -> None:
    root = _copy_type(tmp_path)

    def add_term(schema: dict[str, Any]) -> None:
        schema["properties"]["achievement"]["properties"]["favouriteColour"] = {"type": "string"}

    _edit(root / "diploma" / "schema.json", add_term)
    with pytest.raises(JSONLDError, match=r"schemas/diploma: .*favouriteColour"):
        load_types(root)


def test_language_map_on_a_plain_term_fails_to_load(tmp_path: Path) -> None:
    root = _copy_type(tmp_path)

    def lang_map_code(schema: dict[str, Any]) -> None:
        schema["$defs"]["programme"]["properties"]["code"] = {"$ref": "#/$defs/langMap"}
        schema["examples"][0]["achievement"]["programme"]["code"] = {"lv": "43481"}

    _edit(root / "diploma" / "schema.json", lang_map_code)
    with pytest.raises(JSONLDError, match="undefined terms: en, lv"):
        load_types(root)


def _drop_ru_display(meta: dict[str, Any]) -> None:
    meta["display"] = [d for d in meta["display"] if d["locale"] != "ru"]


def _drop_ru_label(meta: dict[str, Any]) -> None:
    meta["claims"][0]["display"] = meta["claims"][0]["display"][:2]


def _bad_sd(meta: dict[str, Any]) -> None:
    meta["claims"][0]["sd"] = "sometimes"


def _claim_not_in_schema(meta: dict[str, Any]) -> None:
    meta["claims"][0]["path"] = ["achievement", "shoeSize"]


def _wrong_vct(meta: dict[str, Any]) -> None:
    meta["vct"] = "diploma/v2"


def _open_object(schema: dict[str, Any]) -> None:
    del schema["$defs"]["awardingBody"]["additionalProperties"]


def _unsupported_keyword(schema: dict[str, Any]) -> None:
    schema["$defs"]["languages"]["prefixItems"] = [{"const": "lv"}]


def _invalid_example(schema: dict[str, Any]) -> None:
    schema["examples"][0]["achievement"]["eqfLevel"] = 12


def _invalid_schema(schema: dict[str, Any]) -> None:
    schema["properties"]["givenName"]["type"] = "text"


@pytest.mark.parametrize(
    ("file", "change", "error", "match"),
    [
        ("type.json", _drop_ru_display, DataModelError, "display needs the locales"),
        ("type.json", _drop_ru_label, DataModelError, "labels needed"),
        ("type.json", _bad_sd, DataModelError, "sd must be one of"),
        ("type.json", _claim_not_in_schema, DataModelError, "shoeSize"),
        ("type.json", _wrong_vct, DataModelError, "vct must be diploma/v1"),
        ("schema.json", _open_object, JSONLDError, "additionalProperties: false"),
        ("schema.json", _unsupported_keyword, DataModelError, "prefixItems"),
        ("schema.json", _invalid_example, DataModelError, "/achievement/eqfLevel"),
        ("schema.json", _invalid_schema, DataModelError, "schemas/diploma"),
    ],
    ids=[
        "display-without-ru",
        "claim-label-without-ru",
        "bad-sd-value",
        "claim-not-in-schema",
        "wrong-vct",
        "open-object",
        "unsupported-keyword",
        "invalid-example",
        "invalid-schema",
    ],
)
def test_broken_folder_is_named(
    tmp_path: Path, file: str, change: Any, error: type[Exception], match: str
) -> None:
    root = _copy_type(tmp_path)
    _edit(root / "diploma" / file, change)
    with pytest.raises(error, match=match) as exc:
        load_types(root)
    assert "schemas/diploma" in str(exc.value)


def test_duplicate_keys_are_refused(tmp_path: Path) -> None:
    root = _copy_type(tmp_path)
    path = root / "diploma" / "type.json"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('"version": "1",', '"version": "1", "version": "2",'), "utf-8")
    with pytest.raises(DataModelError, match="duplicate key"):
        load_types(root)


def test_duplicate_w3c_type_is_refused(tmp_path: Path) -> None:
    root = _copy_type(tmp_path)
    shutil.copytree(root / "diploma", root / "diploma-copy")

    def rename(meta: dict[str, Any]) -> None:
        meta["name"] = "diploma-copy"
        meta["vct"] = "diploma-copy/v1"

    _edit(root / "diploma-copy" / "type.json", rename)
    with pytest.raises(DataModelError, match="w3cType DiplomaCredential already used"):
        load_types(root)


def test_generic_is_not_a_folder_name(tmp_path: Path) -> None:
    root = _copy_type(tmp_path)
    shutil.copytree(root / "diploma", root / GENERIC)
    with pytest.raises(DataModelError, match="schemas/generic"):
        load_types(root)
