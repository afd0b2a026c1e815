"""HTML form bodies (``application/x-www-form-urlencoded``), parsed strictly.

Starlette's form parser needs python-multipart and silently keeps one of two repeated
fields. Here the body is parsed with :func:`urllib.parse.parse_qs` under a field cap, and
everything ambiguous is refused with a 400: another content type or charset, a body that is
not UTF-8 once percent-decoded, a field given twice, too many fields, an over-long value, a
control character, a missing field, a field the form does not have. The body size is
capped before this by :class:`wallet.web.limits.BodyLimitMiddleware`. A form that takes a
long text (a pasted credential) names that field and its own cap.

The query string of a page's GET form is read by :func:`query_value` under the same rules.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qs

from fastapi import Request

from wallet.errors import InputError

#: The one content type an HTML form here is sent as.
FORM_TYPE = "application/x-www-form-urlencoded"
#: Most fields one form body may carry (only the present form, with a checkbox per
#: claim, has more than five; it names its own cap).
MAX_FIELDS = 32
#: Longest field value read (the API caps passwords at 1024 characters too).
MAX_FIELD_CHARS = 1024
#: A character XML 1.0 cannot hold (§2.2): a value with one could not be shown again in a
#: page, and no field here needs one.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class Form:
    """The fields of one form body, each given exactly once."""

    fields: Mapping[str, str]

    def get(self, name: str) -> str | None:
        """The value of ``name``, or None when the form does not carry it."""
        return self.fields.get(name)

    def values(self, *names: str, ignore: frozenset[str] = frozenset({"csrf"})) -> list[str]:
        """The values of ``names``, in order.

        :param ignore: fields the form may carry besides ``names`` (checked elsewhere).
        :raises InputError: when one of ``names`` is missing or the form has any other field.
        """
        if set(self.fields) - set(names) - ignore:
            raise InputError("the form carries a field it does not have")
        missing = [name for name in names if name not in self.fields]
        if missing:
            raise InputError("the form lacks one of its fields")
        return [self.fields[name] for name in names]


def _check_content_type(value: str | None) -> None:
    media, _, params = (value or "").partition(";")
    if media.strip().lower() != FORM_TYPE:
        raise InputError(f"send the form as {FORM_TYPE}")
    for param in params.split(";"):
        name, _, charset = param.partition("=")
        if name.strip().lower() == "charset" and charset.strip().strip('"').lower() != "utf-8":
            raise InputError("send the form in UTF-8")


def parse_form(
    content_type: str | None,
    body: bytes,
    *,
    long_fields: Mapping[str, int] | None = None,
    max_fields: int = MAX_FIELDS,
) -> Form:
    """Parse a URL-encoded form body.

    :param long_fields: fields that may be longer than :data:`MAX_FIELD_CHARS`, each with
        its own cap.
    :param max_fields: most fields the body may carry (a form with a checkbox per claim
        has more than :data:`MAX_FIELDS`).
    :raises InputError: for anything but a well-formed body of distinct, short fields.
    """
    caps = long_fields or {}
    _check_content_type(content_type)
    try:
        text = body.decode("ascii")
        parsed = parse_qs(
            text,
            keep_blank_values=True,
            strict_parsing=False,
            max_num_fields=max_fields,
            errors="strict",
        )
    except UnicodeDecodeError:
        raise InputError("the form is not URL-encoded UTF-8") from None
    except ValueError:
        # parse_qs raises a plain ValueError past max_num_fields.
        raise InputError("the form has too many fields") from None
    fields: dict[str, str] = {}
    for name, values in parsed.items():
        if len(values) != 1:
            raise InputError("a form field is given more than once")
        if len(values[0]) > caps.get(name, MAX_FIELD_CHARS) or len(name) > MAX_FIELD_CHARS:
            raise InputError("a form field is too long")
        if NOT_XML.search(name) or NOT_XML.search(values[0]):
            raise InputError("a form field holds a control character")
        fields[name] = values[0]
    return Form(fields=fields)


async def read_form(
    request: Request,
    *,
    long_fields: Mapping[str, int] | None = None,
    max_fields: int = MAX_FIELDS,
) -> Form:
    """Read and parse the request's form body (see :func:`parse_form`)."""
    return parse_form(
        request.headers.get("content-type"),
        await request.body(),
        long_fields=long_fields,
        max_fields=max_fields,
    )


def query_value(request: Request, name: str, *, max_chars: int = MAX_FIELD_CHARS) -> str | None:
    """The query parameter ``name`` of a page's GET form, stripped; None when it is absent
    or empty.

    :raises InputError: when it is given twice, is longer than ``max_chars`` or holds a
        character a page cannot show.
    """
    values = request.query_params.getlist(name)
    if len(values) > 1:
        raise InputError("a query parameter is given more than once")
    if not values:
        return None
    value = values[0].strip()
    if len(value) > max_chars:
        raise InputError(f"the query parameter {name} is too long")
    if NOT_XML.search(value):
        raise InputError("a query parameter holds a control character")
    return value or None
