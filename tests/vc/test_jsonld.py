"""JSON-LD with bundled contexts: strict expansion and the load-time term proof."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pyld import jsonld

from wallet.errors import JSONLDError
from wallet.vc.jsonld import (
    BUNDLED_CONTEXTS,
    CREDENTIALS_V2,
    EXAMPLES_V2,
    IMK_CONTEXT_V1,
    check_schema_terms,
    document_loader,
    expand_strict,
)

VC = "https://www.w3.org/2018/credentials#"


def example_credential() -> dict[str, Any]:
    """The shape of VC Data Model 2.0 §1 Example 1, as the W3C conformance suites use it."""
    return {
        "@context": [CREDENTIALS_V2, EXAMPLES_V2],
        "id": "http://university.example/credentials/3732",
        "type": ["VerifiableCredential", "ExampleDegreeCredential"],
        "issuer": "https://university.example/issuers/565049",
        "validFrom": "2010-01-01T00:00:00Z",
        "credentialSubject": {
            "id": "did:example:ebfeb1f712ebc6f1c276e12ec21",
            "degree": {"type": "ExampleBachelorDegree", "name": "Bachelor of Science and Arts"},
        },
    }


def base_only(subject: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    """A credential with only the VC 2.0 context, which has no @vocab."""
    return {
        "@context": [CREDENTIALS_V2],
        "type": ["VerifiableCredential"],
        "issuer": "did:web:wallet.test:issuers:demo",
        "credentialSubject": subject or {"id": "did:example:123"},
        **extra,
    }


def test_bundled_contexts() -> None:
    assert set(BUNDLED_CONTEXTS) == {CREDENTIALS_V2, EXAMPLES_V2, IMK_CONTEXT_V1}
    assert BUNDLED_CONTEXTS[EXAMPLES_V2] == {
        "@context": {"@vocab": "https://www.w3.org/ns/credentials/examples#"}
    }
    imk = BUNDLED_CONTEXTS[IMK_CONTEXT_V1]["@context"]
    assert imk["@protected"] is True
    assert "@vocab" not in imk


def test_pyld_default_loader_is_offline() -> None:
    # Importing wallet.vc.jsonld installs the loader for every pyld call in the process.
    assert jsonld.get_document_loader() is document_loader


def test_loader_returns_a_copy() -> None:
    document = document_loader(CREDENTIALS_V2)["document"]
    document["@context"]["id"] = "https://evil.example/id"
    assert BUNDLED_CONTEXTS[CREDENTIALS_V2]["@context"]["id"] == "@id"


@pytest.mark.parametrize(
    "url",
    [
        "https://www.w3.org/2018/credentials/v1",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        "http://www.w3.org/ns/credentials/v2",
        "file:///etc/passwd",
    ],
    ids=["vc-v1", "open-badges", "http-not-https", "file-url"],
)
def test_unknown_context_is_refused_without_fetching(url: str) -> None:
    with pytest.raises(JSONLDError, match="unknown JSON-LD context"):
        document_loader(url)
    credential = example_credential()
    credential["@context"] = [CREDENTIALS_V2, url]
    with pytest.raises(JSONLDError, match="unknown JSON-LD context") as exc:
        expand_strict(credential)
    assert url in exc.value.description


def test_generic_credential_with_examples_context_expands() -> None:
    expanded = expand_strict(example_credential())
    assert len(expanded) == 1
    node = expanded[0]
    assert node["@id"] == "http://university.example/credentials/3732"
    assert node["@type"] == [
        VC + "VerifiableCredential",
        "https://www.w3.org/ns/credentials/examples#ExampleDegreeCredential",
    ]
    subject = node[VC + "credentialSubject"][0]
    assert "https://www.w3.org/ns/credentials/examples#degree" in subject


@pytest.mark.parametrize(
    ("document", "term"),
    [
        (base_only({"id": "did:example:1", "favouriteColour": "zaļa"}), "favouriteColour"),
        (base_only(nickname="Līgucis"), "nickname"),
        (
            base_only({"id": "did:example:1", "name": "Līga", "degree": {"name": "BSc"}}),
            "degree",
        ),
        (
            {
                **base_only({"id": "did:example:1", "alumniOf": "LU"}),
                "@context": [CREDENTIALS_V2, {"@vocab": "https://vocab.example/#"}],
            },
            "alumniOf",
        ),
        (
            {
                **base_only(
                    {
                        "id": "did:example:1",
                        "@context": {"@vocab": "https://x.example/"},
                        "alumniOf": "LU",
                    }
                )
            },
            "alumniOf",
        ),
    ],
    ids=[
        "in-subject",
        "top-level",
        "nested-object",
        "only-via-inline-vocab",
        "only-via-scoped-vocab",
    ],
)
def test_undefined_term_is_refused(document: dict[str, Any], term: str) -> None:
    with pytest.raises(JSONLDError, match="undefined terms") as exc:
        expand_strict(document)
    assert term in exc.value.description


def test_undefined_type_is_refused() -> None:
    document = base_only(type=["VerifiableCredential", "AlumniCredential"])
    with pytest.raises(JSONLDError, match="type 'AlumniCredential' is not a defined term"):
        expand_strict(document)


@pytest.mark.parametrize(
    "contexts",
    [
        [CREDENTIALS_V2, {"type": "https://evil.example/type"}],
        [CREDENTIALS_V2, {"issuer": "https://evil.example/issuer"}],
        [CREDENTIALS_V2, {"@protected": True, "issuer": "https://evil.example/issuer"}],
        [CREDENTIALS_V2, {"credentialSubject": {"@id": "https://evil.example/s"}}],
        [CREDENTIALS_V2, IMK_CONTEXT_V1, {"givenName": "https://evil.example/given"}],
    ],
    ids=[
        "type",
        "issuer-unprotected",
        "issuer-protected",
        "credentialSubject",
        "imk-givenName",
    ],
)
def test_redefined_protected_term_is_refused(contexts: list[Any]) -> None:
    document = base_only()
    document["@context"] = contexts
    with pytest.raises(JSONLDError, match="protected term|redefined"):
        expand_strict(document)


def test_embedded_context_cannot_redefine_a_protected_term() -> None:
    document = base_only(
        {"@context": {"name": "https://evil.example/name"}, "id": "did:example:1", "name": "x"}
    )
    with pytest.raises(JSONLDError, match="protected term|redefined"):
        expand_strict(document)


@pytest.mark.parametrize(
    ("where", "value"),
    [
        ("credential", "not a url"),
        ("credential", "123"),
        ("credential", ""),
        ("subject", "not a url"),
        ("subject", "_:b0"),
        ("nested", "credentials/3732"),
        ("issuer", "Daugavas Universitāte"),
    ],
    ids=[
        "credential-words",
        "credential-number",
        "credential-empty",
        "subject-words",
        "subject-blank-node",
        "nested-relative",
        "issuer-name",
    ],
)
def test_non_url_id_is_refused(where: str, value: str) -> None:
    document = example_credential()
    if where == "credential":
        document["id"] = value
    elif where == "subject":
        document["credentialSubject"]["id"] = value
    elif where == "nested":
        document["credentialSubject"]["degree"]["id"] = value
    else:
        document["issuer"] = value
    with pytest.raises(JSONLDError, match="is not an absolute URL"):
        expand_strict(document)


@pytest.mark.parametrize(
    "value",
    [
        "urn:uuid:8b6a9c1e-2f4d-4a4b-9d5e-0c7b2a1f3e4d",
        "did:jwk:eyJrdHkiOiJFQyJ9",
        "https://wallet.test/credentials/1",
    ],
    ids=["urn-uuid", "did-jwk", "https"],
)
def test_absolute_ids_pass(value: str) -> None:
    document = example_credential()
    document["id"] = value
    expand_strict(document)


def test_expand_strict_does_not_modify_its_input() -> None:
    document = example_credential()
    document["@context"] = [CREDENTIALS_V2, EXAMPLES_V2, {"@vocab": "https://x.example/"}]
    before = copy.deepcopy(document)
    expand_strict(document)
    assert document == before


# check_schema_terms: the load-time proof.

CONTEXTS = [CREDENTIALS_V2, IMK_CONTEXT_V1]
LANG_MAP = {
    "type": "object",
    "patternProperties": {"^[a-z]{2}$": {"type": "string"}},
    "additionalProperties": False,
}


def subject_schema(**achievement: Any) -> dict[str, Any]:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {
            "givenName": {"type": "string"},
            "achievement": {
                "type": "object",
                "properties": {"title": {"$ref": "#/$defs/langMap"}, **achievement},
                "additionalProperties": False,
            },
        },
        "additionalProperties": False,
        "$defs": {"langMap": LANG_MAP},
    }


def test_schema_terms_pass() -> None:
    check_schema_terms(
        CONTEXTS, subject_schema(eqfLevel={"type": "integer"}), root_type="DiplomaCredential"
    )


@pytest.mark.parametrize(
    ("schema", "match"),
    [
        (subject_schema(shoeSize={"type": "integer"}), "undefined terms: shoeSize"),
        (
            subject_schema(
                grade={
                    "anyOf": [
                        {
                            "type": "object",
                            "properties": {"mark": {"type": "integer"}},
                            "additionalProperties": False,
                        },
                        {"type": "string"},
                    ]
                }
            ),
            "undefined terms: mark",
        ),
        (
            subject_schema(
                courses={
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {"credits": {"type": "number"}},
                        "additionalProperties": False,
                    },
                }
            ),
            "undefined terms: credits",
        ),
        (subject_schema(code={"$ref": "#/$defs/langMap"}), "undefined terms: en, lv"),
        (
            subject_schema(workload={"type": "object", "properties": {"ects": {}}}),
            "additionalProperties: false",
        ),
    ],
    ids=["property", "inside-anyOf", "inside-items", "language-map-on-plain-term", "open"],
)
def test_schema_terms_refused(schema: dict[str, Any], match: str) -> None:
    with pytest.raises(JSONLDError, match=match):
        check_schema_terms(CONTEXTS, schema, root_type="DiplomaCredential")


def test_schema_root_type_must_be_defined() -> None:
    with pytest.raises(JSONLDError, match="type 'PassportCredential' is not a defined term"):
        check_schema_terms(CONTEXTS, subject_schema(), root_type="PassportCredential")


def test_schema_terms_refuse_a_vocab_context() -> None:
    # A catch-all @vocab would make every name "defined", so the proof would prove nothing.
    with pytest.raises(JSONLDError, match="sets @vocab"):
        check_schema_terms([*CONTEXTS, EXAMPLES_V2], subject_schema(), root_type="MicroCredential")


def test_inline_base_does_not_rescue_a_relative_id() -> None:
    document = example_credential()
    document["@context"] = [CREDENTIALS_V2, EXAMPLES_V2, {"@base": "https://university.example/"}]
    document["id"] = "credentials/3732"
    with pytest.raises(JSONLDError, match="is not an absolute URL"):
        expand_strict(document)


def test_language_tag_id_is_not_an_identifier() -> None:
    # "id" (Indonesian) is a valid key of a language map; it is not a node identifier.
    document = {
        "@context": [CREDENTIALS_V2, IMK_CONTEXT_V1],
        "type": ["VerifiableCredential", "MicroCredential"],
        "issuer": "did:web:wallet.test:issuers:demo",
        "credentialSubject": {
            "givenName": "Ilze",
            "achievement": {"title": {"lv": "Mākslīgais intelekts", "id": "Kecerdasan buatan"}},
        },
    }
    expand_strict(document)
