"""Latvian personal codes (personas kods): format and check digit, and the keyed hash.

Two formats (``reference/domain.md`` §3.1): the legacy ``DDMMYY-CNNNX`` (the first six
digits are the birth date, the seventh the century) and, since 1 July 2017, codes
starting with ``3`` and a second digit ``2``–``9`` with no birth date. Both carry a check
digit: weights (10, 5, 8, 4, 2, 1, 6, 3, 7, 9), ``(1 + Σ w·d) mod 11 mod 10``. The code is
never stored or logged: the service keeps only an HMAC under a key derived from its secret.
"""

from __future__ import annotations

import operator
import re
from datetime import date

from wallet.errors import FieldProblem, RecordError
from wallet.jose import derive_secret, keyed_hash

_WEIGHTS = (10, 5, 8, 4, 2, 1, 6, 3, 7, 9)
_SHAPE = re.compile(r"\d{6}-?\d{5}")
_CENTURIES = {"0": 1800, "1": 1900, "2": 2000}


def normalise(code: str, *, pointer: str = "/personalCode") -> str:
    """Return the 11 digits of a valid personal code (the hyphen removed).

    :raises RecordError: when the shape, the birth date (legacy codes) or the check digit
        is wrong; the message never repeats the code.
    """
    if not isinstance(code, str) or not _SHAPE.fullmatch(code.strip()):
        raise RecordError(
            "invalid personal code",
            [FieldProblem(pointer, "a personal code is 11 digits, written DDMMYY-NNNNN")],
        )
    digits = code.strip().replace("-", "")
    if digits[0] == "3":
        if digits[1] not in "23456789":
            raise RecordError(
                "invalid personal code",
                [FieldProblem(pointer, "a new-format personal code starts with 32 to 39")],
            )
    else:
        century = _CENTURIES.get(digits[6])
        try:
            if century is None:
                raise ValueError("century digit")
            date(century + int(digits[4:6]), int(digits[2:4]), int(digits[0:2]))
        except ValueError:
            raise RecordError(
                "invalid personal code",
                [FieldProblem(pointer, "the birth date part of the personal code is not a date")],
            ) from None
    check = (1 + sum(map(operator.mul, _WEIGHTS, map(int, digits[:10])))) % 11 % 10
    if check != int(digits[10]):
        raise RecordError(
            "invalid personal code",
            [FieldProblem(pointer, "the check digit of the personal code is wrong")],
        )
    return digits


def learner_hash_key(secret: bytes) -> bytes:
    """The key of the learner's keyed hash, derived from the service secret."""
    return derive_secret(secret, "imk/learner-identifier")


def hash_identifier(key: bytes, kind: str, value: str) -> str:
    """Keyed hash of a learner identifier (``kind`` is "pk" or "email"), for matching only."""
    return keyed_hash(key, f"{kind}:{value}")
