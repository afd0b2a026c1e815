"""Strict base64url without padding (RFC 7515 §2, RFC 4648 §5).

Only the canonical encoding is accepted: no ``=`` padding, no characters outside the
URL-safe alphabet, no whitespace, and no non-zero trailing bits. A token with two encodings
of the same bytes would give two strings for one signature (RFC 8725 §2.6); refusing the
non-canonical one keeps raw-token comparisons honest.
"""

from __future__ import annotations

import base64
import binascii
import re

from wallet.errors import ParseError

_ALPHABET = re.compile(r"[A-Za-z0-9_-]*")


def b64url_encode(data: bytes) -> str:
    """Encode bytes as base64url without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode canonical unpadded base64url.

    :raises ParseError: on padding, a foreign character, an impossible length or
        non-zero trailing bits.
    """
    if not _ALPHABET.fullmatch(text):
        raise ParseError("base64url text contains characters outside the alphabet or padding")
    remainder = len(text) % 4
    if remainder == 1:
        raise ParseError("base64url text has an impossible length")
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ParseError("base64url text could not be decoded") from exc
    if remainder and b64url_encode(data) != text:
        raise ParseError("base64url text is not canonical (non-zero trailing bits)")
    return data
