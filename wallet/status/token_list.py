"""IETF Token Status List (draft-ietf-oauth-status-list): the ``lst`` codec.

Each entry is ``bits`` wide (1, 2, 4 or 8), entries are packed into bytes starting at the
*least* significant bit, so entry 0 sits in the low bits of byte 0 (§4.1 "Compressed Byte
Array", step 3), and the byte array is compressed with DEFLATE in the ZLIB format (RFC 1950,
§4.1 step 4) and written as base64url without padding (§4.2 ``lst``).

Bit order is the opposite of the W3C Bitstring Status List's (:mod:`wallet.status.bitstring`,
most significant bit first), and so is the container (ZLIB here, GZIP there): each decoder
refuses the other's container.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping

from wallet.errors import InputError, StatusListLengthError, StatusListVerificationError
from wallet.jose import b64url_encode
from wallet.status.inflate import ZLIB_WBITS, decode_compressed

#: Status Types (§7.1): the status of the Referenced Token is valid, correct or legal.
VALID = 0
#: Revoked, annulled, taken back, recalled or cancelled (final).
INVALID = 1
#: Temporarily invalid; reversible. Needs ``bits`` of at least 2.
SUSPENDED = 2

# The allowed widths of an entry (§4.1 step 1): an entry never straddles two bytes.
_BITS = frozenset({1, 2, 4, 8})


def pack_values(values: Mapping[int, int], *, size: int, bits: int) -> bytes:
    """The byte array of a list of ``size`` entries; entries absent from ``values`` are 0.

    :param values: entry index → status value, each value in ``range(2**bits)``.
    :param size: the number of entries; the array is ``ceil(size * bits / 8)`` bytes, and
        the unused high bits of a last partial byte stay 0.
    :raises InputError: for ``bits`` not in {1, 2, 4, 8}, ``size`` below 1, an index
        outside ``range(size)`` or a value that does not fit in ``bits``.
    """
    if bits not in _BITS:
        raise InputError("bits is 1, 2, 4 or 8 (draft-ietf-oauth-status-list §4.1)")
    if size <= 0:
        raise InputError("a status list holds at least one entry")
    limit = 1 << bits
    buffer = bytearray((size * bits + 7) >> 3)
    for index, value in values.items():
        if not 0 <= index < size:
            raise InputError(f"index {index} is outside a list of {size} entries")
        if not 0 <= value < limit:
            raise InputError(f"status value {value} does not fit in {bits} bits")
        position = index * bits
        buffer[position >> 3] |= value << (position & 7)
    return bytes(buffer)


def encode_lst(packed: bytes) -> str:
    """The ``lst`` of a byte array: base64url(ZLIB(packed)) at level 9, deterministic.

    The draft recommends the highest compression level (§4.1 step 4).
    """
    return b64url_encode(zlib.compress(packed, 9))


def decode_lst(lst: str, *, max_bytes: int) -> bytes:
    """The byte array of an ``lst`` (§4.2), decompressed under a cap.

    :raises StatusListVerificationError: not a string, bad base64url, not ZLIB (GZIP and raw
        DEFLATE included), corrupt or truncated, or data after the ZLIB stream.
    :raises StatusRetrievalError: the list would decompress to more than ``max_bytes``.
    """
    if not isinstance(lst, str):
        raise StatusListVerificationError("a status list's lst is a string (§4.2)")
    return decode_compressed(lst, wbits=ZLIB_WBITS, max_bytes=max_bytes, what="lst")


def value_at(packed: bytes, index: int, bits: int) -> int:
    """The status value of entry ``index`` (§4.1 step 3; §8.3 "Validation Rules").

    :raises StatusListVerificationError: ``bits`` is not 1, 2, 4 or 8 (a malformed list).
    :raises StatusListLengthError: ``index`` is outside the list.
    """
    if bits not in _BITS:
        raise StatusListVerificationError("a status list's bits is 1, 2, 4 or 8 (§4.1)")
    position = index * bits
    if not 0 <= position < len(packed) << 3:
        raise StatusListLengthError(f"index {index} is outside the status list")
    return packed[position >> 3] >> (position & 7) & ((1 << bits) - 1)


def entries(packed: bytes, bits: int) -> int:
    """How many entries a byte array of ``bits``-wide entries holds.

    :raises StatusListVerificationError: ``bits`` is not 1, 2, 4 or 8.
    """
    if bits not in _BITS:
        raise StatusListVerificationError("a status list's bits is 1, 2, 4 or 8 (§4.1)")
    return len(packed) * 8 // bits
