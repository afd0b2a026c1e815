"""IETF Token Status List: packing, ``lst``, the draft's examples, decoding under a cap, attacks.

The expected values are computed here independently of :mod:`wallet.status.token_list`: a
byte array of ``bits``-wide entries packed least significant bit first is the little-endian
integer ``sum(value << (index * bits))`` (draft-ietf-oauth-status-list §4.1 step 3), so entry
``i`` is ``int.from_bytes(packed, "little") >> (i * bits) & (2**bits - 1)``. The independent
JavaScript implementation is exercised in ``test_interop_js.py``.
"""

from __future__ import annotations

import base64
import gzip
import re
import tracemalloc
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.status.spec_examples import TOKEN_STATUS_LIST_EXAMPLES, TokenStatusListExample
from wallet.errors import (
    InputError,
    StatusListLengthError,
    StatusListVerificationError,
    StatusRetrievalError,
)
from wallet.status import (
    INVALID,
    MIN_ENTRIES,
    SUSPENDED,
    VALID,
    decode_lst,
    encode_lst,
    entries,
    pack_values,
    value_at,
)

CAP = 1 << 20
LAST = MIN_ENTRIES - 1


def model(values: dict[int, int], bits: int) -> int:
    """The packed list as a little-endian integer."""
    return sum(value << (index * bits) for index, value in values.items())


def nonzero(packed: bytes, bits: int) -> dict[int, int]:
    """Every non-zero entry, read through the little-endian-integer model."""
    # Written least significant bit first, position p of the text is bit p of the integer:
    # bit p % bits of entry p // bits.
    text = format(int.from_bytes(packed, "little"), "b")[::-1]
    found: dict[int, int] = {}
    for match in re.finditer("1", text):
        index, bit = divmod(match.start(), bits)
        found[index] = found.get(index, 0) | 1 << bit
    return found


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def test_status_type_values() -> None:
    # draft-ietf-oauth-status-list §7.1 "Status Types Values".
    assert (VALID, INVALID, SUSPENDED) == (0x00, 0x01, 0x02)


# --- Hand-built vectors -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bits", "index", "value", "offset", "byte"),
    [
        pytest.param(1, 0, 1, 0, 0x01, id="1-bit-index-0-low-bit"),
        pytest.param(1, 7, 1, 0, 0x80, id="1-bit-index-7-high-bit"),
        pytest.param(1, 8, 1, 1, 0x01, id="1-bit-index-8-next-byte"),
        pytest.param(1, LAST, 1, MIN_ENTRIES // 8 - 1, 0x80, id="1-bit-last-index"),
        pytest.param(2, 0, INVALID, 0, 0x01, id="2-bit-index-0-invalid"),
        pytest.param(2, 1, INVALID, 0, 0x04, id="2-bit-index-1-invalid"),
        pytest.param(2, 3, SUSPENDED, 0, 0x80, id="2-bit-index-3-suspended"),
        pytest.param(2, 7, SUSPENDED, 1, 0x80, id="2-bit-index-7-suspended"),
        pytest.param(2, 8, INVALID, 2, 0x01, id="2-bit-index-8-next-byte"),
        pytest.param(2, LAST, 3, MIN_ENTRIES // 4 - 1, 0xC0, id="2-bit-last-index"),
        pytest.param(4, 1, 0xA, 0, 0xA0, id="4-bit-index-1-high-nibble"),
        pytest.param(8, 2, 0xC3, 2, 0xC3, id="8-bit-index-2-whole-byte"),
    ],
)
def test_pack_values_hand_vectors(
    bits: int, index: int, value: int, offset: int, byte: int
) -> None:
    packed = pack_values({index: value}, size=MIN_ENTRIES, bits=bits)
    expected = bytearray(MIN_ENTRIES * bits // 8)
    expected[offset] = byte
    assert packed == bytes(expected)
    assert value_at(packed, index, bits) == value
    assert nonzero(packed, bits) == {index: value}
    assert entries(packed, bits) == MIN_ENTRIES


def test_pack_values_four_indices_exact_bytes() -> None:
    one = pack_values({0: 1, 7: 1, 8: 1, LAST: 1}, size=MIN_ENTRIES, bits=1)
    assert one[:2] == b"\x81\x01"
    assert one[-1:] == b"\x80"
    assert one[2:-1] == bytes(len(one) - 3)
    two = pack_values({0: 1, 7: 2, 8: 3, LAST: 1}, size=MIN_ENTRIES, bits=2)
    assert two[:3] == b"\x01\x80\x03"
    assert two[-1:] == b"\x40"
    assert two[3:-1] == bytes(len(two) - 4)


def test_a_last_partial_byte_is_padded_with_zero_bits() -> None:
    assert pack_values({0: 1, 2: 1}, size=3, bits=1) == b"\x05"
    assert pack_values({2: 3}, size=3, bits=2) == b"\x30"
    assert pack_values({}, size=1, bits=4) == b"\x00"


@pytest.mark.parametrize(
    ("values", "size", "bits"),
    [
        pytest.param({0: 2}, 8, 1, id="2-in-1-bit"),
        pytest.param({0: 4}, 8, 2, id="4-in-2-bits"),
        pytest.param({0: 16}, 8, 4, id="16-in-4-bits"),
        pytest.param({0: 256}, 8, 8, id="256-in-8-bits"),
        pytest.param({0: -1}, 8, 2, id="negative-value"),
        pytest.param({8: 1}, 8, 1, id="index-equal-to-size"),
        pytest.param({-1: 1}, 8, 1, id="negative-index"),
        pytest.param({}, 8, 3, id="bits-3"),
        pytest.param({}, 8, 16, id="bits-16"),
        pytest.param({}, 0, 1, id="size-0"),
    ],
)
def test_pack_values_refuses_bad_input(values: dict[int, int], size: int, bits: int) -> None:
    with pytest.raises(InputError):
        pack_values(values, size=size, bits=bits)


def test_lst_is_base64url_zlib_and_deterministic() -> None:
    packed = pack_values({0: 1, 7: 2, 8: 3, LAST: 1}, size=MIN_ENTRIES, bits=2)
    lst = encode_lst(packed)
    assert lst == encode_lst(packed)
    assert "=" not in lst
    raw = base64.urlsafe_b64decode(lst + "=" * (-len(lst) % 4))
    assert raw[:2] == b"\x78\xda"  # ZLIB header, DEFLATE with the highest level (§4.1 step 4)
    assert zlib.decompress(raw) == packed
    assert nonzero(decode_lst(lst, max_bytes=CAP), 2) == {0: 1, 7: 2, 8: 3, LAST: 1}


# --- The draft's examples ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "example", TOKEN_STATUS_LIST_EXAMPLES, ids=[e.name for e in TOKEN_STATUS_LIST_EXAMPLES]
)
def test_draft_example_decodes_to_its_listed_values(example: TokenStatusListExample) -> None:
    packed = decode_lst(example.lst, max_bytes=CAP)
    assert entries(packed, example.bits) == example.size
    assert int.from_bytes(packed, "little") == model(example.values, example.bits)
    for index, value in example.values.items():
        assert value_at(packed, index, example.bits) == value
    if example.packed is not None:
        assert packed == example.packed


@pytest.mark.parametrize(
    "example", TOKEN_STATUS_LIST_EXAMPLES, ids=[e.name for e in TOKEN_STATUS_LIST_EXAMPLES]
)
def test_draft_example_is_what_we_encode(example: TokenStatusListExample) -> None:
    # Byte-for-byte equality holds with zlib's level-9 DEFLATE, the draft's recommendation;
    # another DEFLATE implementation (zlib-ng) may compress differently and fail only here.
    packed = pack_values(example.values, size=example.size, bits=example.bits)
    assert encode_lst(packed) == example.lst


# --- value_at and entries ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bits", "index"), [(1, -1), (1, 16), (2, 8), (4, 4), (8, 2), (1, 1 << 40)]
)
def test_value_at_refuses_an_index_outside_the_list(bits: int, index: int) -> None:
    with pytest.raises(StatusListLengthError):
        value_at(b"\xff\xff", index, bits)


@pytest.mark.parametrize("bits", [0, 3, 5, 16, -1])
def test_bits_other_than_1_2_4_8_are_refused_when_reading(bits: int) -> None:
    with pytest.raises(StatusListVerificationError):
        value_at(b"\xff", 0, bits)
    with pytest.raises(StatusListVerificationError):
        entries(b"\xff", bits)


def test_value_at_reads_every_entry_of_a_pattern() -> None:
    packed = bytes([0b11100100, 0b00011011])
    assert [value_at(packed, i, 2) for i in range(8)] == [0, 1, 2, 3, 3, 2, 1, 0]
    assert [value_at(packed, i, 4) for i in range(4)] == [0x4, 0xE, 0xB, 0x1]
    assert [value_at(packed, i, 1) for i in range(8)] == [0, 0, 1, 0, 0, 1, 1, 1]


# --- Attacks and bad input --------------------------------------------------------------------


def test_decompression_bomb_is_refused_without_allocating_it() -> None:
    compressor = zlib.compressobj(9)
    chunk = bytes(1 << 20)
    bomb = b64(b"".join([compressor.compress(chunk) for _ in range(100)] + [compressor.flush()]))
    assert len(bomb) < 200_000
    tracemalloc.start()
    try:
        with pytest.raises(StatusRetrievalError):
            decode_lst(bomb, max_bytes=CAP)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * CAP, f"decoding allocated {peak} bytes for a cap of {CAP}"


def test_cap_is_exact() -> None:
    lst = encode_lst(bytes(4096))
    assert len(decode_lst(lst, max_bytes=4096)) == 4096
    with pytest.raises(StatusRetrievalError):
        decode_lst(lst, max_bytes=4095)


def test_truncated_stream_is_refused() -> None:
    raw = zlib.compress(pack_values({1: 1, 9: 1}, size=MIN_ENTRIES, bits=1), 9)
    for cut in (len(raw) - 1, len(raw) - 4, len(raw) // 2, 2, 1):
        with pytest.raises(StatusListVerificationError):
            decode_lst(b64(raw[:cut]), max_bytes=CAP)


def test_corrupt_adler32_is_refused() -> None:
    raw = bytearray(zlib.compress(bytes(64), 9))
    raw[-1] ^= 0x01
    with pytest.raises(StatusListVerificationError):
        decode_lst(b64(bytes(raw)), max_bytes=CAP)


def test_trailing_data_is_refused() -> None:
    raw = zlib.compress(bytes(64), 9)
    with pytest.raises(StatusListVerificationError):
        decode_lst(b64(raw + b"\x00"), max_bytes=CAP)


def test_gzip_given_where_zlib_expected_is_refused() -> None:
    with pytest.raises(StatusListVerificationError):
        decode_lst(b64(gzip.compress(bytes(64), mtime=0)), max_bytes=CAP)


def test_raw_deflate_is_refused() -> None:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    with pytest.raises(StatusListVerificationError):
        decode_lst(b64(compressor.compress(bytes(64)) + compressor.flush()), max_bytes=CAP)


def test_preset_dictionary_is_refused() -> None:
    compressor = zlib.compressobj(9, zdict=b"\x00" * 32)
    with pytest.raises(StatusListVerificationError):
        decode_lst(b64(compressor.compress(bytes(64)) + compressor.flush()), max_bytes=CAP)


def test_multibase_prefix_is_refused() -> None:
    # The W3C "u" prefix does not belong to an lst: "u" + base64url is not base64url of ZLIB.
    with pytest.raises(StatusListVerificationError):
        decode_lst("u" + "eNrbuRgAAhcBXQ", max_bytes=CAP)


def test_padding_is_refused() -> None:
    with pytest.raises(StatusListVerificationError):
        decode_lst("eNrbuRgAAhcBXQ==", max_bytes=CAP)


@pytest.mark.parametrize(
    "lst",
    [
        pytest.param("eNrbuRgAAhcB+Q", id="plus"),
        pytest.param("eNrbuRgAAhcB/Q", id="slash"),
        pytest.param("eNrbuRgA AhcBXQ", id="space"),
        pytest.param("eNrbuRgAAhcBXR", id="non-zero-trailing-bits"),
        pytest.param("eNrbuRgAAhcBXQAAA", id="impossible-length"),
        pytest.param("", id="empty"),
    ],
)
def test_illegal_base64url_is_refused(lst: str) -> None:
    with pytest.raises(StatusListVerificationError):
        decode_lst(lst, max_bytes=CAP)


def test_non_string_is_refused() -> None:
    with pytest.raises(StatusListVerificationError):
        decode_lst(b"eNrbuRgAAhcBXQ", max_bytes=CAP)  # type: ignore[arg-type]


# --- Properties -------------------------------------------------------------------------------


@settings(max_examples=80, deadline=None)
@given(
    bits=st.sampled_from([1, 2, 4, 8]),
    size=st.integers(min_value=1, max_value=20_000),
    data=st.data(),
)
def test_decode_encode_round_trip(bits: int, size: int, data: st.DataObject) -> None:
    values = data.draw(
        st.dictionaries(
            st.integers(min_value=0, max_value=size - 1),
            st.integers(min_value=0, max_value=(1 << bits) - 1),
            max_size=100,
        )
    )
    packed = pack_values(values, size=size, bits=bits)
    assert len(packed) == (size * bits + 7) // 8
    assert int.from_bytes(packed, "little") == model(values, bits)
    decoded = decode_lst(encode_lst(packed), max_bytes=CAP)
    assert decoded == packed
    for index, value in values.items():
        assert value_at(decoded, index, bits) == value
