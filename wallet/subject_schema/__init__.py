"""A JSON Schema (draft 2020-12) subset compiled into generated Python that answers "valid?".

This is the hot path of subject validation: issuance and verification call it for every
credential, so it must cost a few microseconds, far below the signature. It answers only
yes or no; :mod:`wallet.credential_types` runs jsonschema on failure to name every bad field.

The subset is what ``schemas/*/schema.json`` use, and a schema using anything else is
refused at compile time (:class:`UnsupportedSchemaError`) so a check is never silently lost:

* applicators: ``$ref`` (local ``#/$defs/<name>`` only), ``allOf``, ``anyOf``, ``oneOf``,
  ``not``, ``if``/``then``/``else``, ``properties``, ``patternProperties``,
  ``additionalProperties``, ``items`` (one schema);
* assertions: ``type``, ``enum``, ``const``, ``required``, ``minimum``, ``maximum``,
  ``exclusiveMinimum``, ``exclusiveMaximum``, ``minLength``, ``maxLength``, ``pattern``,
  ``minItems``, ``maxItems``, ``uniqueItems``, ``format`` (only the names in :data:`FORMATS`);
* ignored annotations: ``$schema``, ``$id`` (root only), ``$defs``, ``$comment``, ``title``,
  ``description``, ``examples``, ``default``.

Semantics follow 2020-12 as jsonschema implements it: ``true``/``false`` are not numbers,
``3.0`` is an integer, ``enum``/``const``/``uniqueItems`` use JSON equality (``1 == 1.0``,
``True != 1``), ``pattern`` uses :func:`re.search` (not a full match), lengths count code
points. Two deliberate differences, both stricter (fail closed): NaN fails every numeric
bound, and a value that is not parsed JSON (a tuple, a set, a Decimal) fails every ``type``.

How: :mod:`.generate` writes Python source (one function per ``$defs`` entry and per
``anyOf``/``oneOf``/``not``/``if`` branch, everything else inlined) and compiles it once.
No schema text becomes code: names, enum values and patterns reach it only as checked
``repr`` literals or as constants of the private namespace it runs in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from wallet.subject_schema.formats import FORMATS, is_date
from wallet.subject_schema.generate import generate
from wallet.subject_schema.keywords import UnsupportedSchemaError

__all__ = ["FORMATS", "UnsupportedSchemaError", "compile_schema", "is_date"]


def compile_schema(schema: Mapping[str, Any]) -> Callable[[Any], bool]:
    """Compile a JSON Schema (2020-12, the subset above) into a "valid?" function.

    :param schema: the schema; only read, never modified.
    :return: a function of a parsed JSON value answering ``True`` when it is valid; it
        raises nothing for any JSON value.
    :raises UnsupportedSchemaError: a keyword, value, ``$ref`` or ``format`` outside the
        subset, naming where it is.
    """
    if not isinstance(schema, Mapping):
        raise UnsupportedSchemaError("a schema must be a JSON object")
    return generate(schema)[1]
