"""W3C Bitstring Status List v1.0 (REC 15 May 2025): the ``encodedList`` codec.

The list is a bitstring, index 0 at its left-most bit (the most significant bit of byte
0), compressed with GZIP (RFC 1952) and written as Multibase base64url without padding:
``"u"`` followed by the base64url text (§2.2 ``encodedList``, §3.3 "Bitstring Generation
Algorithm", §3.4 "Bitstring Expansion Algorithm"). The uncompressed bitstring must be at
least 16 KB, 131,072 entries (§2.2; §3.2 step 2 ``minimumNumberOfEntries``), so that
one credential hides among many (herd privacy, §6 "Privacy Considerations").

Bit order is the opposite of the IETF Token Status List's (:mod:`wallet.status.token_list`,
least significant bit first): mixing the two up is the classic status-list bug, and the
tests pin both against hand-built bytes and an independent implementation.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable

from wallet.errors import InputError, StatusListLengthError, StatusListVerificationError
from wallet.jose import b64url_encode
from wallet.status.inflate import GZIP_WBITS, decode_compressed

#: 16 KiB uncompressed: the Recommendation's minimum list length in entries (§2.2,
#: §3.2 step 2). Shorter lists are refused with STATUS_LIST_LENGTH_ERROR, since a short
#: list shrinks the herd a credential hides in.
MIN_ENTRIES = 131_072

#: The multibase prefix of base64url without padding (``encodedList`` is Multibase).
_MULTIBASE_BASE64URL = "u"
# A fixed GZIP header (RFC 1952 §2.3.1): deflate, no flags, MTIME 0 (no time leaks into the
# list, and the same bits give the same text), XFL 0, OS 3 (Unix). These are the header bytes
# of the Recommendation's own example (§2.2, Example 3), so an empty minimum-size list encodes
# to exactly that text; fixing them here, rather than taking zlib's GZIP header, keeps the
# output independent of the platform zlib was built for.
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03"


def pack_bits(indices: Iterable[int], *, size: int) -> bytes:
    """A bitstring of ``size`` bits with the given indices set to 1 (index 0 = left-most bit).

    :param size: the list length in bits, a positive multiple of 8.
    :raises InputError: for a bad ``size`` or an index outside ``range(size)``.
    """
    if size <= 0 or size % 8:
        raise InputError("a bitstring's size is a positive multiple of 8 bits")
    buffer = bytearray(size >> 3)
    for index in indices:
        if not 0 <= index < size:
            raise InputError(f"index {index} is outside a list of {size} entries")
        buffer[index >> 3] |= 0x80 >> (index & 7)
    return bytes(buffer)


def encode_list(bits: bytes) -> str:
    """The ``encodedList`` of a bitstring: ``"u"`` + base64url(GZIP(bits)), deterministic.

    Level 9 DEFLATE inside the fixed header above, then CRC-32 and ISIZE (RFC 1952 §2.3.1);
    the same bits always give the same text.
    """
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    body = compressor.compress(bits) + compressor.flush()
    trailer = struct.pack("<II", zlib.crc32(bits), len(bits) & 0xFFFFFFFF)
    return _MULTIBASE_BASE64URL + b64url_encode(_GZIP_HEADER + body + trailer)


def decode_list(encoded: str, *, max_bytes: int, min_entries: int = MIN_ENTRIES) -> bytes:
    """The bitstring of an ``encodedList`` (Bitstring Expansion Algorithm, §3.4).

    :param max_bytes: the largest uncompressed list accepted; enforced while decompressing.
    :param min_entries: §3.2 step 2 ``minimumNumberOfEntries`` (entries of one bit).
    :raises StatusListVerificationError: no ``"u"`` prefix, bad base64url, not GZIP,
        corrupt or truncated GZIP, or data after the GZIP stream.
    :raises StatusRetrievalError: the list would decompress to more than ``max_bytes``.
    :raises StatusListLengthError: fewer than ``min_entries`` bits (§3.2 step 9).
    """
    if not isinstance(encoded, str) or not encoded.startswith(_MULTIBASE_BASE64URL):
        raise StatusListVerificationError(
            "an encodedList is Multibase base64url and starts with 'u' (§2.2)"
        )
    bits = decode_compressed(encoded[1:], wbits=GZIP_WBITS, max_bytes=max_bytes, what="encodedList")
    if len(bits) * 8 < min_entries:
        raise StatusListLengthError(
            f"the status list has {len(bits) * 8} entries, fewer than {min_entries} (§3.2)"
        )
    return bits


def bit_at(bits: bytes, index: int) -> int:
    """The bit (0 or 1) at ``index``, counted from the left-most bit (§2.2 ``encodedList``).

    On the verification hot path: one bounds check and one expression, about 0.2 µs.

    :raises StatusListLengthError: ``index`` is outside the list. §3.2 step 10 names this
        RANGE_ERROR; here it is a :class:`StatusUnknownError` like every other list that
        cannot answer, so the credential's status is reported "unknown".
    """
    if not 0 <= index < len(bits) << 3:
        raise StatusListLengthError(f"index {index} is outside a list of {len(bits) * 8} entries")
    return bits[index >> 3] >> (~index & 7) & 1
