"""Capped decompression of fetched status lists, shared by both list formats.

A status list arrives compressed and comes from outside (a fetch, or a holder's stapled
copy), so its decompressed size is chosen by whoever made it: about 100 KB of DEFLATE
expands to 100 MB of zeros. The cap is therefore enforced *during* decompression
(``zlib.decompressobj(...).decompress(data, max_length)``), so a bomb never costs more than
the cap plus zlib's own window, and the text is decoded by the strict base64url of
:mod:`wallet.jose` before that.
"""

from __future__ import annotations

import zlib

from wallet.errors import InputError, ParseError, StatusListVerificationError, StatusRetrievalError
from wallet.jose import b64url_decode

#: ``wbits`` for a GZIP stream (RFC 1952) and nothing else: the W3C ``encodedList``.
GZIP_WBITS = 16 + zlib.MAX_WBITS
#: ``wbits`` for a ZLIB stream (RFC 1950) and nothing else: the IETF ``lst``.
ZLIB_WBITS = zlib.MAX_WBITS


def decode_compressed(text: str, *, wbits: int, max_bytes: int, what: str) -> bytes:
    """Strict base64url, then exactly one complete compressed stream of at most ``max_bytes``.

    :param wbits: :data:`GZIP_WBITS` or :data:`ZLIB_WBITS`; the other container is refused
        (zlib checks the header), and so is raw DEFLATE.
    :param what: the list's name in error messages ("encodedList", "lst").
    :raises StatusListVerificationError: for bad base64url, a stream of the wrong container,
        corrupt or truncated data (a failed CRC-32 or Adler-32 included), or anything after
        the end of the stream (a second GZIP member too: one list, one stream).
    :raises StatusRetrievalError: when the output would exceed ``max_bytes``; at most
        ``max_bytes + 1`` bytes are ever produced.
    """
    if max_bytes < 0:
        raise InputError("max_bytes must not be negative")
    try:
        data = b64url_decode(text)
    except ParseError as exc:
        raise StatusListVerificationError(f"the {what} is not canonical base64url") from exc
    inflater = zlib.decompressobj(wbits)
    try:
        # max_length 0 would mean "no limit", hence the + 1, which also tells a list of
        # exactly max_bytes from a longer one.
        out = inflater.decompress(data, max_bytes + 1)
    except zlib.error as exc:
        raise StatusListVerificationError(f"the {what} is not a valid compressed stream") from exc
    if len(out) > max_bytes:
        raise StatusRetrievalError(f"the {what} decompresses to more than {max_bytes} bytes")
    if not inflater.eof:
        raise StatusListVerificationError(f"the {what} is a truncated compressed stream")
    if inflater.unused_data:
        raise StatusListVerificationError(f"the {what} has data after its compressed stream")
    return out
