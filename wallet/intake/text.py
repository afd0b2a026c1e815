"""Text as batch files carry it: decoding, NFC, and telling mojibake from Latvian.

Latvian student systems still export windows-1257 or ISO-8859-13; a file decoded with the
wrong table, or UTF-8 read once as windows-1252 and saved again, shows up as "KÃ¸benhavn"
or "RÄ«ga". Such text is reported, never issued: a diploma must not carry a garbled name.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from wallet.errors import InputError

#: Byte-order marks by the codec they announce.
_BOMS = ((codecs.BOM_UTF8, "utf-8"),)
#: The tables a UTF-8 text is most often misread with before it reaches us.
_MISREAD_AS = ("cp1252", "cp1257", "latin-1")


def decode(data: bytes, encoding: str | None = None) -> str:
    """The text of ``data``: UTF-8 (a BOM is dropped) unless ``encoding`` names another.

    :raises InputError: when the codec is unknown or the bytes are not in it.
    """
    name = encoding or "utf-8"
    try:
        codec = codecs.lookup(name).name
    except LookupError as exc:
        raise InputError(f"unknown text encoding {name!r}") from exc
    if codec == "utf-8":
        for bom, _ in _BOMS:
            if data.startswith(bom):
                data = data[len(bom) :]
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        hint = "" if encoding else " (name the file's encoding, e.g. --encoding windows-1257)"
        raise InputError(
            f"the file is not valid {codec} text at byte {exc.start}{hint}"
        ) from exc


def nfc(value: str) -> str:
    """``value`` in Unicode normalisation form C (composed: "ā" as one code point)."""
    return unicodedata.normalize("NFC", value)


def _misread_pattern() -> re.Pattern[str]:
    """What UTF-8 read with one of :data:`_MISREAD_AS` must contain: a lead byte (0xC2 to
    0xF4) followed by a continuation byte (0x80 to 0xBF), each shown as that table's
    character. Text without such a pair cannot be garbled that way (the quick check)."""
    alternatives = []
    for table in _MISREAD_AS:
        lead = bytes(range(0xC2, 0xF5)).decode(table, errors="ignore")
        follow = bytes(range(0x80, 0xC0)).decode(table, errors="ignore")
        alternatives.append(f"[{re.escape(lead)}][{re.escape(follow)}]")
    return re.compile("|".join(alternatives))


_MISREAD = _misread_pattern()
#: Any continuation character of any table: text without one cannot match :data:`_MISREAD`,
#: and one character class is searched many times faster than the alternation. (Latvian
#: letters are lead characters in windows-1257; continuation characters are rarely letters.)
_FOLLOW = re.compile(
    "[" + re.escape("".join(
        sorted({c for t in _MISREAD_AS for c in bytes(range(0x80, 0xC0)).decode(t, "ignore")})
    )) + "]"
)  # fmt: skip


def may_be_garbled(text: str) -> bool:
    """False when no part of ``text`` can be mojibake (checked on a whole line at once, so
    that a clean line's strings need no check of their own)."""
    if "\ufffd" in text:
        return True
    if text.isascii():
        return False
    # Few characters of real text are continuation characters: look only around those.
    for match in _FOLLOW.finditer(text, 1):
        start = match.start()
        if _MISREAD.match(text, start - 1):
            return True
    return False


def mojibake(value: str) -> str | None:
    """Why ``value`` looks garbled, or None when it reads as written.

    A replacement character is always garbled. Otherwise the text is garbled when it has
    non-ASCII characters, encodes back into a single-byte table, and those bytes are valid
    UTF-8 of *other* text: the signature of UTF-8 read with the wrong table. Proper Latvian
    ("Rīga") and German ("Ärger") text fails that round trip, so it passes.
    """
    if "\ufffd" in value:
        return "contains U+FFFD (text lost in an earlier conversion)"
    if value.isascii() or not _MISREAD.search(value):
        return None
    for table in _MISREAD_AS:
        try:
            repaired = value.encode(table).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if repaired != value:
            return f"looks like UTF-8 read as {table} (perhaps {repaired!r})"
    return None


__all__ = ["decode", "may_be_garbled", "mojibake", "nfc"]
