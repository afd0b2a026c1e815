"""ELMO attachments (diploma supplements, transcripts as PDF) kept as batch evidence.

An ELMO ``attachment`` (of the file, of a report, or of a diploma-supplement section)
holds ``content`` elements whose text is a ``data:`` URI with base64 data. Only PDF, PNG
and JPEG are kept, and only when the bytes begin as that format does: an attachment is shown
to people later, so HTML, SVG or a mislabelled file is refused (ELMO's own annotation warns
against trusting attachment content). Links are never fetched. Anything not kept is reported.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from wallet.intake.elmo_text import Names, Texts, language_of
from wallet.intake.rows import Attachment, RowProblem
from wallet.intake.xml_safety import Element

__all__ = ["MEDIA_TYPES", "ElmoAttachments", "read_attachments"]

#: Media types kept, with the extension of the name and the bytes the content starts with.
MEDIA_TYPES: dict[str, tuple[str, bytes]] = {
    "application/pdf": ("pdf", b"%PDF-"),
    "image/png": ("png", b"\x89PNG\r\n\x1a\n"),
    "image/jpeg": ("jpg", b"\xff\xd8\xff"),
}
_DATA_URI = re.compile(r"data:([A-Za-z0-9.+/-]*)((?:;[A-Za-z0-9.=+-]*)*?);base64,(.*)", re.DOTALL)
_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class ElmoAttachments:
    """What the attachments of one ``elmo`` element gave."""

    attachments: tuple[Attachment, ...]
    problems: tuple[RowProblem, ...]
    #: ELMO attachment type ("Diploma Supplement", "Micro Credential", ...) by identifier.
    types: dict[str, str]


def read_attachments(elmo: Element, q: Names, *, source: str, stem: str) -> ElmoAttachments:
    """Every attachment under ``elmo``, decoded.

    :param stem: starts every attachment's name ("alice" gives "alice-1-diploma.pdf").
    """
    attachments: list[Attachment] = []
    problems: list[RowProblem] = []
    types: dict[str, str] = {}
    texts = Texts()
    for number, element in enumerate(elmo.iter(q("attachment")), start=1):
        locator = f"{source}, attachment {number}"
        kind = texts.token(element.find(q("type")), "type")
        if kind is None and element.getparent().tag == q("section"):
            kind = "Diploma Supplement"
        for identifier in element.iterfind(q("identifier")):
            value = texts.token(identifier, "identifier")
            if value is not None and kind is not None:
                types[value] = kind
        label = _SLUG.sub("-", (kind or "attachment").lower()).strip("-")
        for content in element.iterfind(q("content")):
            language = language_of(content)
            suffix = f"-{language}" if language else ""
            decoded = _decode(content.text or "")
            if isinstance(decoded, str):
                problems.append(RowProblem(locator, "content", decoded))
                continue
            media_type, data = decoded
            extension = MEDIA_TYPES[media_type][0]
            name = f"{stem}-{number}-{label}{suffix}.{extension}"
            attachments.append(Attachment(name=name, media_type=media_type, content=data))
    return ElmoAttachments(tuple(attachments), tuple(problems), types)


def _decode(text: str) -> tuple[str, bytes] | str:
    """(media type, bytes) of a base64 ``data:`` URI, or why it is not kept."""
    match = _DATA_URI.fullmatch(text.strip())
    if match is None:
        return "not an embedded base64 data: URI (links are never fetched); not kept"
    media_type = match.group(1).lower()
    if media_type not in MEDIA_TYPES:
        return f"attachments of type {media_type or 'unknown'!r} are not kept (PDF, PNG, JPEG)"
    try:
        data = base64.b64decode("".join(match.group(3).split()), validate=True)
    except binascii.Error:
        return "the base64 content is damaged"
    if not data.startswith(MEDIA_TYPES[media_type][1]):
        return f"the content is not a {media_type} file"
    return media_type, data
