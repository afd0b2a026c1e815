"""The EMREX ELMO XML reader of bulk issuance: one file, or a .zip of files, → rows to issue.

A file is parsed with the restrictive parser (:mod:`wallet.intake.xml_safety`), every
``elmo`` element in it is found (at the root or inside an Erasmus Without Paper
``tors-get-response``), its signature is checked against the certificates the registry
lists for the institution (:mod:`wallet.intake.xmldsig`), and each completed learning
opportunity becomes one row (:mod:`wallet.intake.elmo_los`). Four namespaces are read, and
in the current one both the v1 and the v2 element names (``bday`` / ``dateOfBirth``):
``docs/intake.md``, "EMREX ELMO XML", has the mapping table and the rules.

The awarding body of every row is the registered institution that sends the batch (it signs
the credentials); the learner's Latvian personal code goes to
:attr:`~wallet.intake.rows.IntakeRow.personal_code`, never into the subject.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from lxml import etree

from wallet import personal_code
from wallet.errors import InputError, IntakeError, NotFoundError, RecordError, SchemaError
from wallet.intake.archive import ArchiveLimits, read_zip
from wallet.intake.elmo_attachments import read_attachments
from wallet.intake.elmo_los import ELMO_TYPES, Report, achievement, credential_type, walk
from wallet.intake.elmo_text import LANGUAGES, Names, Texts
from wallet.intake.rows import Attachment, IntakeFile, IntakeRow, RowProblem
from wallet.intake.text import nfc
from wallet.intake.xml_safety import MAX_XML_BYTES, Element, parse_xml
from wallet.intake.xmldsig import verify_signatures

if TYPE_CHECKING:
    from wallet.credential_types import TypeRegistry
    from wallet.trust import IssuerEntry

__all__ = [
    "ELMO_TYPES",
    "NAMESPACES",
    "ElmoDocument",
    "external_id",
    "find_elmo",
    "read_elmo",
    "read_elmo_zip",
]

#: The ELMO namespaces read, with the variant each names ("" = no namespace).
NAMESPACES: dict[str, str] = {
    "https://github.com/emrex-eu/elmo-schemas/tree/v1": "v1",
    "https://github.com/emrex-eu/elmo-schemas/tree/v1.3.0": "v1.3.0",
    "http://purl.org/net/elmo": "purl",
    "": "none",
}
_REGISTRATION_NUMBER = re.compile(r"[0-9]{10,11}")
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
#: Longest identifier shown in a locator.
_LABEL_CHARS = 60


@dataclass(frozen=True)
class ElmoDocument:
    """One ``elmo`` element of a file.

    ``variant`` is "v1" or "v2" (same namespace; told apart by element names: v2 has
    ``dateOfBirth``, ``alternativeName``, ``resultOfRecognition`` or
    ``gradingSchemeExternalId``), "v1.3.0", "purl" or "none". ``embedded`` is True when the
    element is not the document's root (an EWP response).
    """

    element: Element
    namespace: str
    variant: str
    embedded: bool


def find_elmo(root: Element) -> list[ElmoDocument]:
    """Every ``elmo`` element in a known namespace, in document order (none nested)."""
    found: list[ElmoDocument] = []
    for element in root.iter(etree.Element):
        name = etree.QName(element)
        namespace = name.namespace or ""
        if name.localname != "elmo" or namespace not in NAMESPACES:
            continue
        if any(ancestor is doc.element for doc in found for ancestor in element.iterancestors()):
            continue
        found.append(
            ElmoDocument(element, namespace, _variant(element, namespace), element is not root)
        )
    return found


def _variant(element: Element, namespace: str) -> str:
    variant = NAMESPACES[namespace]
    if variant != "v1":
        return variant
    q = Names(namespace)
    markers = (
        q("learner", "dateOfBirth"),
        q("learner", "alternativeName"),
        q("report", "resultOfRecognition"),
        ".//" + q("gradingSchemeExternalId"),
    )
    return "v2" if any(element.find(marker) is not None for marker in markers) else "v1"


def read_elmo(
    data: bytes,
    *,
    source: str,
    trust: IssuerEntry,
    max_bytes: int = MAX_XML_BYTES,
    type_name: str | None = None,
    types: TypeRegistry | None = None,
) -> IntakeFile:
    """Read one ELMO XML file sent by the institution ``trust``.

    :param source: the file's name, used in locators and messages ("alice.xml").
    :param trust: the sender's registry entry: its ELMO certificates, whether it may send
        unsigned files, and its names (the awarding body).
    :param max_bytes: the file's size cap, checked before parsing.
    :param type_name: the credential type of every row, instead of the rule per learning
        opportunity (one of :data:`ELMO_TYPES`).
    :param types: when given, each subject is validated against its type here (as the CSV
        reader does), and a row that fails is reported with every bad field, not issued.
    :raises PayloadTooLargeError: over ``max_bytes``.
    :raises IntakeError: unsafe or not ELMO XML, or signed other than the registry requires.
    :raises InputError: an unknown ``type_name``.
    """
    if type_name is not None and type_name not in ELMO_TYPES:
        raise InputError(f"an ELMO file cannot give credentials of type {type_name!r}")
    root = parse_xml(data, source=source, max_bytes=max_bytes)
    documents = find_elmo(root)
    if not documents:
        raise IntakeError(
            f"{source} holds no EMREX ELMO transcript (no elmo element in a known namespace)",
            reason="not_elmo",
        )
    signatures = verify_signatures(
        root,
        [document.element for document in documents],
        source=source,
        certificates=trust.elmo_certificates,
        allow_unsigned=trust.elmo_allow_unsigned,
        institution=trust.names.get("en") or trust.slug,
    )
    stem = _UNSAFE_NAME.sub("-", source.removesuffix(".xml").removesuffix(".XML")) or "elmo"
    batch = _Batch(trust=trust, type_name=type_name, types=types)
    attachments: list[Attachment] = []
    for number, document in enumerate(documents, start=1):
        prefix = source if len(documents) == 1 else f"{source}, transcript {number}"
        found = read_attachments(
            document.element, Names(document.namespace), source=prefix, stem=f"{stem}-{number}"
        )
        attachments += found.attachments
        batch.problems += found.problems
        batch.read_document(document, prefix, found.types)
    if not batch.rows and not batch.problems:
        batch.problems.append(
            RowProblem("file", source, "no completed learning opportunity to issue")
        )
    return IntakeFile(tuple(batch.rows), tuple(batch.problems), tuple(attachments), signatures)


def read_elmo_zip(
    data: bytes,
    *,
    source: str,
    trust: IssuerEntry,
    max_bytes: int = MAX_XML_BYTES,
    type_name: str | None = None,
    types: TypeRegistry | None = None,
    limits: ArchiveLimits | None = None,
) -> IntakeFile:
    """Read a .zip of ELMO XML files, each as :func:`read_elmo` does.

    Members are named ``{source}/{member}`` in locators. ``__MACOSX/`` and hidden files are
    skipped; any other member that is not ``.xml`` is reported. One refused member refuses
    the archive.

    :param max_bytes: the cap of each XML member.
    :param limits: the archive's caps (members, sizes, compression ratio).
    :raises PayloadTooLargeError, IntakeError: as :func:`read_elmo` and
        :func:`~wallet.intake.archive.read_zip`; ``not_elmo`` when no member is XML.
    """
    limits = limits or ArchiveLimits(max_member_bytes=max_bytes)
    files: list[IntakeFile] = []
    problems: list[RowProblem] = []
    for member in read_zip(data, source=source, limits=limits):
        name = PurePosixPath(member.name)
        if member.name.startswith("__MACOSX/") or name.name.startswith("."):
            continue
        where = f"{source}/{member.name}"
        if name.suffix.lower() != ".xml":
            problems.append(RowProblem("file", where, "not an .xml file: not read"))
            continue
        files.append(
            read_elmo(member.data, source=where, trust=trust, max_bytes=max_bytes,
                      type_name=type_name, types=types)
        )  # fmt: skip
    if not files:
        raise IntakeError(f"{source} holds no .xml file", reason="not_elmo")
    return IntakeFile(
        rows=tuple(row for file in files for row in file.rows),
        problems=(*problems, *(problem for file in files for problem in file.problems)),
        attachments=tuple(item for file in files for item in file.attachments),
        signatures=tuple(item for file in files for item in file.signatures),
    )


def external_id(*parts: str) -> str:
    """A stable id from the identifying parts (SHA-256, so no personal data shows)."""
    return "elmo-" + hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class _Learner:
    subject: dict[str, Any]
    personal_code: str | None
    key: str


@dataclass
class _Batch:
    """The rows and problems of one file, as its ``elmo`` elements are read."""

    trust: IssuerEntry
    type_name: str | None
    types: TypeRegistry | None
    rows: list[IntakeRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)

    def read_document(
        self, document: ElmoDocument, prefix: str, attachment_types: dict[str, str]
    ) -> None:
        """Add the rows of one ``elmo`` element (none at all when its learner has problems)."""
        q = Names(document.namespace)
        reports = list(document.element.iterfind(q("report")))
        countries = [(r.findtext(q("issuer", "country")) or "").strip().upper() for r in reports]
        latvian = [(country or self.trust.country) == "LV" for country in countries]
        texts = Texts()
        learner = _learner(document.element, q, texts, latvian_issuer=any(latvian))
        locator = f"{prefix}, learner"
        if learner is None:
            self.problems.append(RowProblem(locator, "learner", "the file names no learner"))
            return
        self.problems += [RowProblem(locator, name, reason) for name, reason in texts.issues]
        body = _awarding_body(self.trust)
        for number, (element, is_latvian) in enumerate(zip(reports, latvian, strict=True), 1):
            report = Report(
                q=q,
                awarding_body=body,
                latvian=is_latvian,
                default_lang="lv" if is_latvian else None,
                attachment_types=attachment_types,
            )
            issuer = _issuer_key(element, q)
            for path, los, programme in walk(report, element):
                locator = f"{prefix}, report {number}, learning opportunity {path}"
                key = external_id(learner.key, issuer, _los_key(los, q), _loi_key(los, q))
                row = self._row(f"{locator}{_los_label(los, q)}", key, learner, los, programme,
                                report)  # fmt: skip
                if row is not None and not texts.issues:
                    self.rows.append(row)

    def _row(
        self,
        locator: str,
        key: str,
        learner: _Learner,
        los: Element,
        programme: Element | None,
        report: Report,
    ) -> IntakeRow | None:
        """The row of one completed LOS, or None when its problems were reported."""
        texts = Texts()
        chosen = self.type_name or credential_type(los, report)
        subject = {**learner.subject, "achievement": achievement(
            los, programme, report, chosen, texts
        )}  # fmt: skip
        problems = [RowProblem(locator, name, reason) for name, reason in texts.issues]
        if not problems and self.types is not None:
            problems = _schema_problems(self.types, chosen, subject, locator)
        self.problems += problems
        if problems:
            return None
        return IntakeRow(
            locator=locator,
            subject=subject,
            external_id=key,
            type_name=chosen,
            personal_code=learner.personal_code,
            subject_checked=self.types is not None,
        )


def _schema_problems(
    types: TypeRegistry, type_name: str, subject: dict[str, Any], locator: str
) -> list[RowProblem]:
    try:
        types.get(type_name).check_subject(subject)
    except NotFoundError as exc:
        return [RowProblem(locator, "type", exc.description)]
    except SchemaError as exc:
        return [RowProblem(locator, problem.pointer, problem.message) for problem in exc.problems]
    return []


def _learner(elmo: Element, q: Names, texts: Texts, *, latvian_issuer: bool) -> _Learner | None:
    element = elmo.find(q("learner"))
    if element is None:
        element = elmo.find(q("report", "learner"))  # Old (purl) files keep it in the report.
    if element is None:
        return None
    subject: dict[str, Any] = {
        "givenName": texts.token(element.find(q("givenNames")), "givenNames"),
        "familyName": texts.token(element.find(q("familyName")), "familyName"),
    }
    birth = element.find(q("dateOfBirth"))
    if birth is None:
        birth = element.find(q("bday"))
    subject["birthDate"] = texts.day(
        birth, "bday" if birth is None else etree.QName(birth).localname
    )
    citizenship = (element.findtext(q("citizenship")) or "").strip().upper()
    identifiers = sorted(
        ((identifier.get("type") or "").strip(), " ".join((identifier.text or "").split()))
        for identifier in element.iterfind(q("identifier"))
    )
    code = None
    national = [value for kind, value in identifiers if kind.lower() == "nationalidentifier"]
    # A Latvian citizen's national identifier is the personal code; without a citizenship,
    # one that is valid as a personal code in a Latvian institution's file. Any other national
    # identifier is foreign: neither delivery data nor part of the subject.
    if national and national[0] and (citizenship == "LV" or (not citizenship and latvian_issuer)):
        try:
            code = personal_code.normalise(national[0])
        except RecordError as exc:
            if citizenship == "LV":
                reason = exc.problems[0].message if exc.problems else "invalid"
                texts.issues.append(("identifier", f"not a valid Latvian personal code: {reason}"))
    # The learner's stable key: the ESI, else another identifier, else name and birth date.
    ranked = sorted(identifiers, key=lambda item: (item[0].lower() != "esi", item))
    key = next((f"{kind}={value}" for kind, value in ranked if value), None)
    if key is None:
        key = "|".join(
            str(subject[name] or "") for name in ("givenName", "familyName", "birthDate")
        )
    subject = {name: value for name, value in subject.items() if value}
    return _Learner(subject=subject, personal_code=code, key=key)


def _awarding_body(trust: IssuerEntry) -> dict[str, Any]:
    body: dict[str, Any] = {
        "legalName": {lang: nfc(trust.names[lang]) for lang in LANGUAGES if lang in trust.names},
        "countryCode": trust.country,
    }
    for number in (trust.registration_number, trust.legal_registration_number):
        if number is not None and _REGISTRATION_NUMBER.fullmatch(number):
            body["registrationNumber"] = number
            break
    return body


def _issuer_key(report: Element, q: Names) -> str:
    issuer = report.find(q("issuer"))
    if issuer is None:
        return ""
    parts = sorted(
        f"{(item.get('type') or '').strip()}={' '.join((item.text or '').split())}"
        for item in issuer.iterfind(q("identifier"))
    )
    if not parts:
        parts = sorted(
            " ".join((title.text or "").split()) for title in issuer.iterfind(q("title"))
        )
    return ";".join(parts)


def _los_key(los: Element, q: Names) -> str:
    """The LOS's identifiers ("local=MNM2-BIO"), else its titles (stable across exports)."""
    parts = sorted(
        f"{(item.get('type') or '').strip()}={' '.join((item.text or '').split())}"
        for item in los.iterfind(q("identifier"))
    )
    local = [part for part in parts if part.lower().startswith("local=")]
    if parts:
        return ";".join(local + [part for part in parts if part not in local])
    return "title:" + ";".join(
        sorted(nfc(" ".join((t.text or "").split())) for t in los.iterfind(q("title")))
    )


def _los_label(los: Element, q: Names) -> str:
    """ " (MNM2-BIO)": the local identifier (else the first) for the clerk to find the LOS."""
    identifiers = [
        (item.get("type") or "", " ".join((item.text or "").split()))
        for item in los.iterfind(q("identifier"))
    ]
    identifiers.sort(key=lambda item: item[0].strip().lower() != "local")
    value = next((value for _, value in identifiers if value), None)
    if value is None:
        return ""
    return f" ({value[:_LABEL_CHARS]}…)" if len(value) > _LABEL_CHARS else f" ({value})"


def _loi_key(los: Element, q: Names) -> str:
    """The LOI's identifiers, else its start and completion dates (a retake differs)."""
    loi = los.find(q("specifies", "learningOpportunityInstance"))
    parts = sorted(
        f"{(item.get('type') or '').strip()}={(item.text or '').strip()}"
        for item in loi.iterfind(q("identifier"))
    )
    return ";".join(parts) or f"{loi.findtext(q('start')) or ''}/{loi.findtext(q('date')) or ''}"
