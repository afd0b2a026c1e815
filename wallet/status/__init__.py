"""Status lists: the W3C Bitstring Status List and IETF Token Status List codecs, and the
choice of index.

Pure functions: no database, web, settings or clock; a list's permutation key comes in as
a parameter (the caller draws it from a CSPRNG when the list opens). Decoders take a size
cap and raise a :class:`wallet.errors.StatusUnknownError` subclass for every list that cannot
answer, so a status that cannot be established is "unknown", never "valid" (DESIGN §4).

W3C (revocation and suspension lists, one bit per entry, most significant bit first)::

    bits = pack_bits(revoked_indices, size=MIN_ENTRIES)
    encoded = encode_list(bits)                          # credentialSubject.encodedList
    bit_at(decode_list(encoded, max_bytes=cap), index)   # 1 = revoked / suspended

IETF (one list, 2 bits per entry: VALID, INVALID, SUSPENDED; least significant bit first)::

    lst = encode_lst(pack_values({index: INVALID}, size=MIN_ENTRIES, bits=2))
    value_at(decode_lst(lst, max_bytes=cap), index, 2)   # VALID, INVALID or SUSPENDED

Index choice (one atomic counter per list in the database)::

    permutation = IndexPermutation(list_key, size)
    index = permutation(counter)
"""

from wallet.status.bitstring import MIN_ENTRIES, bit_at, decode_list, encode_list, pack_bits
from wallet.status.permutation import IndexPermutation
from wallet.status.token_list import (
    INVALID,
    SUSPENDED,
    VALID,
    decode_lst,
    encode_lst,
    entries,
    pack_values,
    value_at,
)

__all__ = [
    "INVALID",
    "MIN_ENTRIES",
    "SUSPENDED",
    "VALID",
    "IndexPermutation",
    "bit_at",
    "decode_list",
    "decode_lst",
    "encode_list",
    "encode_lst",
    "entries",
    "pack_bits",
    "pack_values",
    "value_at",
]
