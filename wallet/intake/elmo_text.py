"""Reading ELMO elements as text: namespaces, NFC, dates, numbers, language maps.

Every value that may reach a credential passes through :class:`Texts`, which normalises
it to NFC and notes every garbled value (``wallet.intake.text.mojibake``) or malformed one
as an issue: the row is then reported, never issued.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from wallet.intake.text import mojibake, nfc
from wallet.intake.xml_safety import Element

__all__ = ["LANGUAGES", "XML_LANG", "Names", "Texts", "language_of", "number"]

#: The languages of our language maps (the service's locales).
LANGUAGES: tuple[str, ...] = ("lv", "en", "ru")
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# xs:date may carry a time zone ("2009-09-25+02:00", "2006-09-01Z"); the day is what counts.
_DATE = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})(?:Z|[+-][0-9]{2}:[0-9]{2})?")


@dataclass(frozen=True)
class Names:
    """Qualified names in one ELMO namespace ("" for the files that have none)."""

    namespace: str

    def __call__(self, *steps: str) -> str:
        """The path ``a/b/c`` with each step in this namespace, for ``find``/``iterfind``."""
        prefix = f"{{{self.namespace}}}" if self.namespace else ""
        return "/".join(prefix + step for step in steps)


@dataclass
class Texts:
    """Reads values and collects what is wrong with them as (field, reason) issues."""

    issues: list[tuple[str, str]] = field(default_factory=list)

    def raw(self, element: Element | None, what: str) -> str | None:
        """The element's text in NFC (whitespace kept), None when absent or blank."""
        if element is None or element.text is None or not element.text.strip():
            return None
        value = nfc(element.text)
        garbled = mojibake(value)
        if garbled is not None:
            self.issues.append((what, f"garbled text: {garbled}"))
        return value

    def token(self, element: Element | None, what: str) -> str | None:
        """The text with runs of whitespace collapsed (xs:token), None when blank."""
        value = self.raw(element, what)
        return None if value is None else " ".join(value.split())

    def day(self, element: Element | None, what: str) -> str | None:
        """An ``xs:date`` as YYYY-MM-DD (its time zone dropped)."""
        value = self.token(element, what)
        if value is None:
            return None
        match = _DATE.fullmatch(value)
        try:
            if match is None:
                raise ValueError(value)
            return date.fromisoformat(match.group(1)).isoformat()
        except ValueError:
            self.issues.append((what, "not a date (YYYY-MM-DD)"))
            return None

    def decimal(self, element: Element | None, what: str) -> Decimal | None:
        """An ``xs:decimal`` ("10.000", "5.0000"), None when absent or malformed."""
        value = self.token(element, what)
        if value is None:
            return None
        try:
            parsed = Decimal(value)
        except InvalidOperation:
            parsed = Decimal("NaN")
        if not parsed.is_finite() or parsed < 0:
            self.issues.append((what, "not a non-negative number"))
            return None
        return parsed

    def lang_map(
        self, elements: list[Element], what: str, default_lang: str | None
    ) -> dict[str, str]:
        """A language map from elements with ``xml:lang``; only :data:`LANGUAGES` kept.

        Every language is read (so garbled text in any of them is reported); an element
        without ``xml:lang`` counts as ``default_lang``; the first text per language wins.
        """
        result: dict[str, str] = {}
        for element in elements:
            tag = element.get(XML_LANG)
            value = self.token(element, f'{what}[@xml:lang="{tag}"]' if tag else what)
            language = language_of(element) or default_lang
            if value is not None and language in LANGUAGES and language not in result:
                result[language] = value
        return result


def language_of(element: Element) -> str | None:
    """The primary subtag of the element's ``xml:lang``, lower case ("lv-LV" → "lv")."""
    tag = element.get(XML_LANG)
    if not tag:
        return None
    return str(re.split(r"[-_]", tag.strip(), maxsplit=1)[0].lower()) or None


def number(value: Decimal) -> int | float:
    """A JSON number for ``value``: an int when it is whole ("10.000" → 10)."""
    return int(value) if value == value.to_integral_value() else float(value)
