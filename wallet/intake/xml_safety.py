"""Parsing XML an institution sends: a byte cap first, no DTD at all, nothing fetched.

The rules of ``reference/security.md`` §1.7 and §2 K: the size is checked before the parser
sees a byte; any ``<!DOCTYPE`` refuses the file (that one rule covers XXE, billion laughs,
quadratic blow-up and external DTDs, whatever libxml2 would make of them); only UTF-8 is
read; the parser resolves no entity, loads no DTD, touches no network and keeps libxml2's
limits on depth and text-node size (``huge_tree=False``). Nothing here calls ``xinclude()``
or XSLT, and neither may a caller: both fetch files even with this parser.
"""

from __future__ import annotations

import re
from typing import Any, BinaryIO

from lxml import etree

from wallet.errors import IntakeError, PayloadTooLargeError

__all__ = ["MAX_XML_BYTES", "MAX_XML_TAGS", "Element", "parse_xml", "read_limited"]

#: Default cap of one XML file: real ELMO files run from 3 KB to about 1 MB.
MAX_XML_BYTES = 20 * 1024 * 1024
#: Cap on ``<`` characters, an upper bound on tags, counted before parsing: it bounds the
#: parser's memory for a file of many tiny elements, which the byte cap alone does not.
MAX_XML_TAGS = 1_000_000
#: lxml ships no type stubs; its elements are typed as ``Any``.
Element = Any

_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_DECLARED_ENCODING = re.compile(
    rb"""\A(?:\xef\xbb\xbf)?<\?xml\s[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']"""
)
_UTF8_NAMES = frozenset({"utf-8", "utf8"})
# Byte-order marks and first bytes of UTF-16 and UTF-32 documents (with or without a BOM).
_WIDE_STARTS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00", b"\x00<", b"<\x00")


def read_limited(stream: BinaryIO, *, max_bytes: int, what: str) -> bytes:
    """At most ``max_bytes`` of ``stream``; one byte more refuses it unread beyond that.

    :param what: names the input in the message ("alice.xml").
    :raises PayloadTooLargeError: when the stream holds more than ``max_bytes``.
    """
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise PayloadTooLargeError(_too_large(what, max_bytes))
    return data


def parse_xml(data: bytes, *, source: str, max_bytes: int = MAX_XML_BYTES) -> Element:
    """The root element of ``data``, parsed with the restrictive parser.

    :param source: names the file in messages ("alice.xml").
    :param max_bytes: the cap, checked before parsing.
    :raises PayloadTooLargeError: over ``max_bytes``.
    :raises IntakeError: a DOCTYPE (``doctype``), not UTF-8 (``encoding``), too many tags
        or not well-formed XML (``not_xml``).
    """
    if len(data) > max_bytes:
        raise PayloadTooLargeError(_too_large(source, max_bytes))
    _check_encoding(data, source)
    if _DOCTYPE.search(data):
        raise IntakeError(
            f"{source} contains a DOCTYPE declaration. Files with a DTD are never read "
            "(they can make the reader open other files or expand without end); "
            "export the file again without it",
            reason="doctype",
        )
    if data.count(b"<") > MAX_XML_TAGS:
        raise IntakeError(
            f"{source} has more than {MAX_XML_TAGS:,} tags; split it into smaller files",
            reason="not_xml",
        )
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line = f" (line {exc.lineno})" if exc.lineno else ""
        raise IntakeError(
            f"{source} is not well-formed XML{line}: {str(exc.msg)[:200]}", reason="not_xml"
        ) from exc
    docinfo = root.getroottree().docinfo
    # The byte scan above refuses these already; this second check does not rely on it.
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise IntakeError(f"{source} contains a DOCTYPE declaration", reason="doctype")
    return root


def _check_encoding(data: bytes, source: str) -> None:
    if data.startswith(_WIDE_STARTS):
        raise IntakeError(
            f"{source} is UTF-16 or UTF-32 text; export it again as UTF-8", reason="encoding"
        )
    match = _DECLARED_ENCODING.match(data)
    if match is not None and match.group(1).decode("ascii").lower() not in _UTF8_NAMES:
        declared = match.group(1).decode("ascii")
        raise IntakeError(
            f"{source} declares the encoding {declared}; only UTF-8 is read, "
            "export the file again as UTF-8",
            reason="encoding",
        )


def _too_large(what: str, max_bytes: int) -> str:
    return f"{what} is larger than the limit of {max_bytes:,} bytes"
