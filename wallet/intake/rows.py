"""What every batch reader produces: rows to issue, the problems found, and the evidence."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class IntakeRow:
    """One credential to issue, as read from a batch file.

    ``locator`` says where the row came from in words a clerk can find again ("row 3",
    "alice.xml, report 1, course 2"). ``subject`` is the ``credentialSubject`` of the type
    without ``id`` (the holder's DID is added at issuance). The learner's personal code and
    e-mail address are for delivery only; they are never signed into a vc+jwt.
    """

    locator: str
    subject: dict[str, Any]
    external_id: str | None = None
    type_name: str | None = None
    personal_code: str | None = field(default=None, repr=False)
    email: str | None = field(default=None, repr=False)
    valid_until: str | None = None
    #: The external id of an issued credential this row corrects (the correction flow).
    replaces: str | None = None
    #: The reader validated ``subject`` against the type's JSON Schema (issuance need not
    #: repeat it: in a 10,000-row batch that is a third of the time).
    subject_checked: bool = False


@dataclass(frozen=True)
class RowProblem:
    """Why a row (or the file, with ``locator`` "file") cannot be issued."""

    locator: str
    field: str
    reason: str


@dataclass(frozen=True)
class Attachment:
    """A document that came with the batch (a diploma supplement PDF in an ELMO file)."""

    name: str
    media_type: str
    content: bytes = field(repr=False)


@dataclass(frozen=True)
class SignatureInfo:
    """How one XML file of the batch was signed (recorded with the batch)."""

    source: str
    signed: bool
    algorithm: str | None = None
    certificate_sha256: str | None = None


@dataclass(frozen=True)
class IntakeFile:
    """Everything a reader found in one batch file."""

    rows: tuple[IntakeRow, ...]
    problems: tuple[RowProblem, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    signatures: tuple[SignatureInfo, ...] = ()


@dataclass(frozen=True)
class ReportEntry:
    """One line of a batch report: what happened to one row.

    ``outcome`` is ``issued``, ``skipped`` (issued before with the same content), ``refused``
    or, in a dry run, ``valid``.
    """

    locator: str
    outcome: str
    external_id: str | None = None
    credential_id: str | None = None
    field: str = ""
    reason: str = ""
