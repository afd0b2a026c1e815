"""Strict base64url without padding (RFC 7515 §2, RFC 4648 §5).

Only the canonical encoding is accepted: no ``=`` padding, no characters outside the
URL-safe alphabet, no whitespace, and no non-zero trailing bits. A token with two encodings
of the same bytes would give two strings for one signature (RFC 8725 §2.6); refusing the
non-canonical one keeps raw-token comparisons honest.
"""

from __future__ import annotations

import binascii

import pybase64

from wallet.errors import ParseError

_URL_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_VALUES = {char: value for value, char in enumerate(_URL_ALPHABET)}
# The last character of a 2- or 3-character final group carries 4 or 2 unused bits.
_TRAILING_MASK = {2: 0b1111, 3: 0b11}


# Below this many bytes (digests, salts, signatures, SD-JWT Disclosures) the standard
# library's encoder plus one translate beats pybase64's call overhead by about half; above
# it pybase64's vectorised encoder wins. Both give the same text.
_SHORT = 256
_TO_URL = bytes.maketrans(b"+/", b"-_")


def b64url_encode(data: bytes) -> str:
    """Encode bytes as base64url without padding."""
    if len(data) <= _SHORT:
        encoded = binascii.b2a_base64(data, newline=False).translate(_TO_URL)
    else:
        encoded = pybase64.b64encode(data, altchars=b"-_")
    return encoded.rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode canonical unpadded base64url.

    :raises ParseError: on padding, a foreign character, an impossible length or
        non-zero trailing bits.
    """
    if "+" in text or "/" in text or "=" in text:
        raise ParseError("base64url text contains characters outside the alphabet or padding")
    remainder = len(text) % 4
    if remainder == 1:
        raise ParseError("base64url text has an impossible length")
    try:
        # validate=True refuses every character outside the alphabet (whitespace included)
        # instead of skipping it, as a lenient decoder would; "+" and "/" were refused above.
        data = pybase64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except (UnicodeEncodeError, binascii.Error, ValueError) as exc:
        raise ParseError("base64url text could not be decoded") from exc
    if remainder and _VALUES[text[-1]] & _TRAILING_MASK[remainder]:
        raise ParseError("base64url text is not canonical (non-zero trailing bits)")
    return data
