"""ELMO test files, written here from the ELMO schemas (v1.7.0 and v2.0.0), and their signer.

Provenance: every file is built by the functions below from the element names and order of
``../shared/data/elmo/v1/schema.xsd`` and ``v2/schema.xsd`` (EUPL-1.2); none is copied from
a real export. The learner, institution and courses are invented; the personal code
32073120115 is a check-digit test vector of ``reference/domain.md`` §3.1. ``test_elmo_xsd.py``
checks that the files validate against those schemas offline.

Signing uses python-xmlsec with an RSA key and a self-signed certificate made by
``cryptography`` for the test session (never written to disk).
"""

from __future__ import annotations

import base64
import datetime
import hashlib
from dataclasses import dataclass, field
from typing import Any

import xmlsec
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree
from lxml.builder import ElementMaker

from wallet.trust import IssuerEntry

V1 = "https://github.com/emrex-eu/elmo-schemas/tree/v1"
V130 = "https://github.com/emrex-eu/elmo-schemas/tree/v1.3.0"
PURL = "http://purl.org/net/elmo"
EWP_TORS = (
    "https://github.com/erasmus-without-paper/ewp-specs-api-imobility-tors/blob/stable-v2"
    "/endpoints/get-response.xsd"
)
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
#: A minimal valid PDF: the attachments' bytes.
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PERSONAL_CODE = "32073120115"


def maker(namespace: str) -> ElementMaker:
    if namespace:
        return ElementMaker(namespace=namespace, nsmap={None: namespace})
    return ElementMaker()


def title(E: ElementMaker, **texts: str) -> list[Any]:
    """``<title xml:lang="..">`` elements; the key ``none`` gives one without xml:lang."""
    result = []
    for lang, text in texts.items():
        element = E.title(text)
        if lang != "none":
            element.set(XML_LANG, lang)
        result.append(element)
    return result


@dataclass
class Course:
    """One learning opportunity (LOS with its instance) of a fixture."""

    local_id: str = "DPBD-2025"
    titles: dict[str, str] = field(
        default_factory=lambda: {
            "lv": "Digitālās prasmes biroja darbā",
            "en": "Digital skills for office work",
        }
    )
    kind: str | None = "Course"
    isced: str | None = "0611"
    start: str | None = "2025-02-03"
    date: str | None = "2025-04-25+03:00"
    status: str | None = "passed"
    result: str | None = "9"
    ects: str | None = "6.000"
    credit_level: str | None = None
    eqf: str | None = "4"
    language: str | None = "lv"
    hours: str | None = "160"
    loi_id: str | None = None
    attachment_refs: tuple[str, ...] = ()
    diploma_supplement: bool = False
    parts: list[Course] = field(default_factory=list)
    extra_ids: dict[str, str] = field(default_factory=dict)

    def build(self, E: ElementMaker) -> Any:
        los = E.learningOpportunitySpecification()
        if self.local_id:
            los.append(E.identifier(self.local_id, type="local"))
        for kind, value in self.extra_ids.items():
            los.append(E.identifier(value, type=kind))
        los.extend(title(E, **self.titles))
        if self.kind:
            los.append(E.type(self.kind))
        if self.isced:
            los.append(E.iscedCode(self.isced))
        loi = E.learningOpportunityInstance()
        if self.loi_id:
            loi.append(E.identifier(self.loi_id, type="local"))
        for name, value in (("start", self.start), ("date", self.date), ("status", self.status)):
            if value:
                loi.append(E(name, value))
        if self.result:
            loi.append(E.resultLabel(self.result))
        if self.ects:
            credit = E.credit(E.scheme("ECTS"))
            if self.credit_level:
                credit.append(E.level(self.credit_level))
            credit.append(E.value(self.ects))
            loi.append(credit)
        if self.eqf:
            loi.append(E.level(E.type("EQF"), E.value(self.eqf)))
        if self.language:
            loi.append(E.languageOfInstruction(self.language))
        if self.hours:
            loi.append(E.engagementHours(self.hours))
        if self.attachment_refs:
            loi.append(E.attachments(*[E.ref(ref) for ref in self.attachment_refs]))
        if self.diploma_supplement:
            loi.append(diploma_supplement(E))
        los.append(E.specifies(loi))
        for part in self.parts:
            los.append(E.hasPart(part.build(E)))
        return los


def degree(**changes: Any) -> Course:
    """A degree programme with its diploma supplement and two courses, ``changes`` applied."""
    values = dict(
        local_id="42P0010",
        titles={"lv": "Datorzinātņu bakalaurs", "en": "Bachelor of Computer Science"},
        kind="Degree Programme",
        credit_level="Bachelor",
        ects="180",
        eqf="6",
        hours=None,
        diploma_supplement=True,
        extra_ids={"LV-IKL": "42481"},
        parts=[
            Course(local_id="DP101", ects="6", hours=None),
            Course(local_id="DP102", titles={"lv": "Matemātika"}, result="3", hours=None),
        ],
    )
    values.update(changes)
    return Course(**values)


def diploma_supplement(E: ElementMaker) -> Any:
    section = E.section(
        E.title("Information on the contents and results gained"),
        E.content("See the attached programme details."),
        E.attachment(E.content(f"data:application/pdf;base64,{base64.b64encode(PDF).decode()}")),
        number="4",
    )
    supplement = E.diplomaSupplement(
        E.version("2018"), E.issueDate("2025-06-20"), E.introduction(), section
    )
    supplement.set(XML_LANG, "en")
    return supplement


def elmo(
    namespace: str = V1,
    *,
    shape: str = "v1",
    courses: list[Course] | None = None,
    given: str = "Ērika",
    family: str = "Žagare",
    birth: str | None = "1990-05-17",
    citizenship: str | None = "LV",
    national_id: str | None = PERSONAL_CODE,
    esi: str | None = "urn:schac:personalUniqueCode:int:esi:lv:ZILE-0042",
    issuer_country: str | None = "LV",
    attachments: list[tuple[str, str, bytes]] | None = None,
    learner_in_report: bool = False,
) -> Any:
    """An ``elmo`` element: one learner, one report, the given courses.

    :param shape: "v1" (``bday``) or "v2" (``dateOfBirth``, ``alternativeName``).
    :param attachments: (identifier, ELMO type, bytes) of global PDF attachments.
    """
    E = maker(namespace)
    learner = E.learner()
    if citizenship:
        learner.append(E.citizenship(citizenship))
    if national_id:
        learner.append(E.identifier(national_id, type="nationalIdentifier"))
    if esi:
        learner.append(E.identifier(esi, type="esi"))
    learner.extend([E.givenNames(given), E.familyName(family)])
    if shape == "v2":
        alternative = E.alternativeName(f"{given} {family}")
        alternative.set(XML_LANG, "lv")
        learner.append(alternative)
    if birth:
        learner.append(E.dateOfBirth(birth) if shape == "v2" else E.bday(birth))
    issuer = E.issuer()
    if issuer_country:
        issuer.append(E.country(issuer_country))
    issuer.append(E.identifier("zile.example.lv", type="schac"))
    issuer.extend(
        title(E, lv="Pieaugušo izglītības centrs „Zīle”", en="Adult Education Centre Zīle")
    )
    issuer.append(E.url("https://zile.example.lv/"))
    report = E.report(issuer)
    for course in courses if courses is not None else [Course()]:
        report.append(course.build(E))
    report.append(E.issueDate("2025-06-01T10:00:00+03:00"))
    root = E.elmo(E.generatedDate("2025-06-01T12:00:00+03:00"))
    if learner_in_report:
        report.insert(0, learner)
    else:
        root.append(learner)
    root.append(report)
    for identifier, kind, data in attachments or []:
        root.append(
            E.attachment(
                E.identifier(identifier, type="internal"),
                *title(E, en=kind),
                E.type(kind),
                E.content(f"data:application/pdf;base64,{base64.b64encode(data).decode()}"),
            )
        )
    return root


def ewp(elmo_element: Any) -> Any:
    """An Erasmus Without Paper ToR response wrapping ``elmo_element``."""
    E = maker(EWP_TORS)
    return E("tors-get-response", E.tor(E("omobility-id", "mobility-1"), elmo_element))


def to_bytes(element: Any) -> bytes:
    return etree.tostring(element, xml_declaration=True, encoding="UTF-8")


# --- signing ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Signer:
    """A test-only RSA key with its self-signed certificate."""

    key_pem: bytes
    cert_pem: bytes
    cert_der: bytes

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(self.cert_der).hexdigest()


def make_signer(common_name: str = "Test ELMO signer") -> Signer:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    start = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + datetime.timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    return Signer(
        key_pem=key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        cert_pem=certificate.public_bytes(serialization.Encoding.PEM),
        cert_der=certificate.public_bytes(serialization.Encoding.DER),
    )


def sign(
    data: bytes, signer: Signer, *, algorithm: str = "rsa-sha256", parent: str = "elmo"
) -> bytes:
    """``data`` with an enveloped signature (``Reference URI=""``) appended to ``parent``."""
    method, digest = {
        "rsa-sha256": (xmlsec.constants.TransformRsaSha256, xmlsec.constants.TransformSha256),
        "rsa-sha1": (xmlsec.constants.TransformRsaSha1, xmlsec.constants.TransformSha1),
    }[algorithm]
    root = etree.fromstring(data)
    target = next(el for el in root.iter(etree.Element) if etree.QName(el).localname == parent)
    signature = xmlsec.template.create(target, xmlsec.constants.TransformInclC14N, method)
    target.append(signature)
    reference = xmlsec.template.add_reference(signature, digest, uri="")
    xmlsec.template.add_transform(reference, xmlsec.constants.TransformEnveloped)
    xmlsec.template.add_x509_data(xmlsec.template.ensure_key_info(signature))
    context = xmlsec.SignatureContext()
    key = xmlsec.Key.from_memory(signer.key_pem, xmlsec.constants.KeyDataFormatPem)
    key.load_cert_from_memory(signer.cert_pem, xmlsec.constants.KeyDataFormatCertPem)
    context.key = key
    context.sign(signature)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def issuer_entry(
    *, certificates: tuple[bytes, ...] = (), allow_unsigned: bool = False, country: str = "LV"
) -> IssuerEntry:
    """The registry entry of the fixtures' institution."""
    return IssuerEntry(
        slug="zile",
        names={"lv": "Pieaugušo izglītības centrs „Zīle”", "en": "Adult Education Centre Zīle"},
        registration_number="3313900123",
        country=country,
        accreditations=(),
        types=frozenset({"course-certificate", "diploma", "micro-credential", "qualification"}),
        did="",
        https_id="",
        demo=False,
        external=False,
        elmo_certificates=certificates,
        elmo_allow_unsigned=allow_unsigned,
    )
