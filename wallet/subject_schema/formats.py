"""The ``format`` values the compiler asserts, shared with jsonschema by credential_types."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from types import MappingProxyType

__all__ = ["FORMATS", "is_date"]

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def is_date(value: object) -> bool:
    """RFC 3339 full-date: exactly YYYY-MM-DD and a real calendar day."""
    if not isinstance(value, str):
        return True  # A format only constrains strings; "type" rejects the rest.
    if _DATE.fullmatch(value) is None:
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


#: The formats the compiler asserts; credential_types registers the same functions with
#: jsonschema's format checker, so both engines agree.
FORMATS: Mapping[str, Callable[[object], bool]] = MappingProxyType({"date": is_date})
