"""The test ELMO files are real ELMO: they validate against the published XSDs, offline.

The ELMO schemas import four schemas by remote URL; a resolver maps each to the local copy
in ``../shared/data/elmo/references`` (``SOURCES.md`` there gives their provenance), and
``xml.xsd`` (the W3C schema of ``xml:lang``) is the short declaration below, written here.
A URL the resolver does not know fails the test instead of being fetched (``no_network``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from tests.conftest import VECTORS
from tests.intake.elmo_fixtures import Course, degree, elmo, ewp, to_bytes

ELMO = VECTORS / "elmo"
REFERENCES = ELMO / "references"
XML_XSD = b"""<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"
           targetNamespace="http://www.w3.org/XML/1998/namespace" xml:lang="en">
  <xs:attribute name="lang">
    <xs:simpleType><xs:union memberTypes="xs:language">
      <xs:simpleType><xs:restriction base="xs:string"><xs:enumeration value=""/>
      </xs:restriction></xs:simpleType>
    </xs:union></xs:simpleType>
  </xs:attribute>
  <xs:attribute name="space"><xs:simpleType><xs:restriction base="xs:NCName">
    <xs:enumeration value="default"/><xs:enumeration value="preserve"/>
  </xs:restriction></xs:simpleType></xs:attribute>
  <xs:attribute name="base" type="xs:anyURI"/>
  <xs:attribute name="id" type="xs:ID"/>
</xs:schema>
"""
LOCAL = {
    "xml.xsd": None,
    "xmldsig-core-schema.xsd": REFERENCES / "xmldsig-core-schema.xsd",
    "EUROPASS_ISOCountries_V1.1.xsd": REFERENCES / "EUROPASS_ISOCountries_V1.1.xsd",
    "ewp-specs-types-address/stable-v1/schema.xsd": REFERENCES / "ewp-address-schema.xsd",
    "common-types.xsd": REFERENCES / "ewp-common-types.xsd",
}


class LocalSchemas(etree.Resolver):
    def resolve(self, url, pubid, context):
        if url.startswith(str(ELMO)):
            return None  # The schema file itself, read from disk as usual.
        for suffix, path in LOCAL.items():
            if url.endswith(suffix):
                if path is None:
                    return self.resolve_string(XML_XSD, context)
                return self.resolve_filename(str(path), context)
        raise AssertionError(f"the schema imports {url}, which has no local copy")


def schema(version: str) -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)
    parser.resolvers.add(LocalSchemas())
    document = etree.parse(str(ELMO / version / "schema.xsd"), parser)
    return etree.XMLSchema(document)


def fixtures() -> list:
    return [
        pytest.param("v1", elmo(), id="v1-course"),
        pytest.param("v1", elmo(courses=[degree()]), id="v1-degree-with-supplement"),
        pytest.param(
            "v1",
            elmo(
                courses=[Course(attachment_refs=("mc-1",))],
                attachments=[("mc-1", "Micro Credential", b"%PDF-1.4\n%%EOF\n")],
            ),
            id="v1-micro-credential",
        ),
        pytest.param("v2", elmo(shape="v2"), id="v2-course"),
    ]


@pytest.mark.parametrize(("version", "element"), fixtures())
def test_fixture_validates_against_the_elmo_schema(version: str, element) -> None:
    checker = schema(version)
    document = etree.fromstring(to_bytes(element))
    assert checker.validate(document), checker.error_log


def test_v2_file_is_not_valid_v1() -> None:
    checker = schema("v1")
    assert not checker.validate(etree.fromstring(to_bytes(elmo(shape="v2"))))


def test_elmo_inside_ewp_validates_as_elmo() -> None:
    wrapped = etree.fromstring(to_bytes(ewp(elmo())))
    inner = next(wrapped.iter("{https://github.com/emrex-eu/elmo-schemas/tree/v1}elmo"))
    assert schema("v1").validate(etree.ElementTree(inner))


def test_references_are_local(tmp_path: Path) -> None:
    # Guard against a vacuous pass: every local copy the resolver names exists.
    assert all(path is None or path.is_file() for path in LOCAL.values())
