"""W3C Bitstring Status List v1.0: packing, ``encodedList``, decoding under a cap, attacks.

The expected bits are computed here independently of :mod:`wallet.status.bitstring`: a list
of ``size`` bits is the big-endian integer whose most significant bit is index 0, so bit
``i`` is ``int.from_bytes(bits, "big") >> (size - 1 - i) & 1`` (§2.2 ``encodedList``:
index 0 is the left-most bit). GZIP is checked with the standard library's ``gzip`` module.
The independent JavaScript implementation is exercised in ``test_interop_js.py``.
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

from tests.status.spec_examples import W3C_EXAMPLE_3_BYTES, W3C_EXAMPLE_3_ENCODED_LIST
from wallet.errors import (
    InputError,
    StatusListLengthError,
    StatusListVerificationError,
    StatusRetrievalError,
)
from wallet.status import MIN_ENTRIES, bit_at, decode_list, encode_list, pack_bits

CAP = 1 << 20
LAST = MIN_ENTRIES - 1


def set_bits(bits: bytes) -> set[int]:
    """The indices set to 1, read through the big-endian-integer model (not our bit_at)."""
    text = format(int.from_bytes(bits, "big"), f"0{len(bits) * 8}b")
    return {match.start() for match in re.finditer("1", text)}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def gzip_text(data: bytes) -> str:
    return "u" + b64(gzip.compress(data, mtime=0))


# --- Hand-built vectors -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("index", "offset", "byte"),
    [
        pytest.param(0, 0, 0x80, id="index-0-left-most-bit"),
        pytest.param(7, 0, 0x01, id="index-7-right-most-bit-of-byte-0"),
        pytest.param(8, 1, 0x80, id="index-8-left-most-bit-of-byte-1"),
        pytest.param(LAST, MIN_ENTRIES // 8 - 1, 0x01, id="last-index-right-most-bit"),
    ],
)
def test_pack_bits_hand_vectors(index: int, offset: int, byte: int) -> None:
    bits = pack_bits([index], size=MIN_ENTRIES)
    expected = bytearray(MIN_ENTRIES // 8)
    expected[offset] = byte
    assert bits == bytes(expected)
    assert bit_at(bits, index) == 1
    assert set_bits(bits) == {index}


def test_pack_bits_four_indices_exact_bytes() -> None:
    bits = pack_bits([0, 7, 8, LAST], size=MIN_ENTRIES)
    assert len(bits) == 16_384
    assert bits[:2] == b"\x81\x80"
    assert bits[-1:] == b"\x01"
    assert bits[2:-1] == bytes(16_381)
    assert [bit_at(bits, i) for i in (0, 1, 6, 7, 8, 9, LAST - 1, LAST)] == [1, 0, 0, 1, 1, 0, 0, 1]


def test_pack_bits_ignores_repeats_and_order() -> None:
    assert pack_bits([8, 0, 8], size=16) == pack_bits(iter([0, 8]), size=16) == b"\x80\x80"


@pytest.mark.parametrize("size", [0, -8, 12, 131_071])
def test_pack_bits_refuses_a_size_that_is_not_whole_bytes(size: int) -> None:
    with pytest.raises(InputError):
        pack_bits([], size=size)


@pytest.mark.parametrize("index", [-1, 16])
def test_pack_bits_refuses_an_index_outside_the_list(index: int) -> None:
    with pytest.raises(InputError):
        pack_bits([index], size=16)


def test_encoded_list_is_multibase_gzip_and_deterministic() -> None:
    bits = pack_bits([0, 7, 8, LAST], size=MIN_ENTRIES)
    encoded = encode_list(bits)
    assert encoded == encode_list(bits)
    assert encoded.startswith("u")
    assert "=" not in encoded
    raw = base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4))
    # RFC 1952 header: magic, deflate, no flags, MTIME 0 (no time leaks into the list).
    assert raw[:8] == b"\x1f\x8b\x08\x00\x00\x00\x00\x00"
    assert gzip.decompress(raw) == bits


def test_our_decoder_reads_the_four_bits() -> None:
    bits = decode_list(encode_list(pack_bits([0, 7, 8, LAST], size=MIN_ENTRIES)), max_bytes=CAP)
    assert set_bits(bits) == {0, 7, 8, LAST}


# --- The Recommendation's example -------------------------------------------------------------


def test_w3c_example_3_decodes_to_131072_zero_bits() -> None:
    # W3C Bitstring Status List v1.0 (REC 2025-05-15) §2.2 Example 3, encodedList.
    bits = decode_list(W3C_EXAMPLE_3_ENCODED_LIST, max_bytes=CAP)
    assert len(bits) == W3C_EXAMPLE_3_BYTES == MIN_ENTRIES // 8
    assert bits == bytes(W3C_EXAMPLE_3_BYTES)
    assert bit_at(bits, 94567) == 0  # the index of §2.1 Example 1's revocation entry


def test_empty_minimum_list_encodes_to_the_w3c_example() -> None:
    # Our fixed GZIP header is the example's (MTIME 0, XFL 0, OS 3), so the texts match.
    assert encode_list(bytes(MIN_ENTRIES // 8)) == W3C_EXAMPLE_3_ENCODED_LIST


# --- bit_at -----------------------------------------------------------------------------------


@pytest.mark.parametrize("index", [-1, 16, 1 << 40])
def test_bit_at_refuses_an_index_outside_the_list(index: int) -> None:
    with pytest.raises(StatusListLengthError):
        bit_at(b"\xff\xff", index)


def test_bit_at_reads_every_position_of_a_pattern() -> None:
    bits = bytes([0b10110010, 0b01000001])
    assert [bit_at(bits, i) for i in range(16)] == [int(c) for c in f"{bits[0]:08b}{bits[1]:08b}"]


# --- Attacks and bad input (each refused with its own error) ----------------------------------


def _bomb(total: int) -> str:
    """GZIP of ``total`` zero bytes, compressed in 1 MiB steps (never held in memory)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = bytes(1 << 20)
    parts = [compressor.compress(chunk) for _ in range(total // len(chunk))]
    parts.append(compressor.flush())
    return "u" + b64(b"".join(parts))


def test_decompression_bomb_is_refused_without_allocating_it() -> None:
    total = 100 << 20
    bomb = _bomb(total)
    assert len(bomb) < 200_000, "the bomb is about 1000:1"
    tracemalloc.start()
    try:
        with pytest.raises(StatusRetrievalError):
            decode_list(bomb, max_bytes=CAP)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * CAP, f"decoding allocated {peak} bytes for a cap of {CAP}"
    # The bomb is real: streamed through zlib in bounded steps, it expands to 100 MiB.
    data = base64.urlsafe_b64decode(bomb[1:] + "=" * (-len(bomb[1:]) % 4))
    inflater, produced = zlib.decompressobj(16 + zlib.MAX_WBITS), 0
    while data:
        produced += len(inflater.decompress(data, 1 << 22))
        data = inflater.unconsumed_tail
    assert produced == total


def test_cap_is_exact() -> None:
    encoded = encode_list(bytes(MIN_ENTRIES // 8))
    assert len(decode_list(encoded, max_bytes=MIN_ENTRIES // 8)) == MIN_ENTRIES // 8
    with pytest.raises(StatusRetrievalError):
        decode_list(encoded, max_bytes=MIN_ENTRIES // 8 - 1)


def test_negative_cap_is_refused() -> None:
    # max_length 0 means "unlimited" to zlib: a negative cap must not turn into that.
    with pytest.raises(InputError):
        decode_list(W3C_EXAMPLE_3_ENCODED_LIST, max_bytes=-1)


def test_truncated_stream_is_refused() -> None:
    raw = gzip.compress(pack_bits([1, 2, 3], size=MIN_ENTRIES), mtime=0)
    for cut in (len(raw) - 1, len(raw) - 8, len(raw) // 2, 10, 1):
        with pytest.raises(StatusListVerificationError):
            decode_list("u" + b64(raw[:cut]), max_bytes=CAP)


def test_corrupt_crc_is_refused() -> None:
    raw = bytearray(gzip.compress(bytes(MIN_ENTRIES // 8), mtime=0))
    raw[-8] ^= 0x01  # the CRC-32 of the trailer (RFC 1952 §2.3.1)
    with pytest.raises(StatusListVerificationError):
        decode_list("u" + b64(bytes(raw)), max_bytes=CAP)


def test_trailing_data_is_refused() -> None:
    raw = gzip.compress(bytes(MIN_ENTRIES // 8), mtime=0)
    with pytest.raises(StatusListVerificationError):
        decode_list("u" + b64(raw + b"\x00"), max_bytes=CAP)


def test_second_gzip_member_is_refused() -> None:
    # RFC 1952 allows several members; a status list is one stream, and gzip.decompress
    # would silently concatenate them.
    half = gzip.compress(bytes(MIN_ENTRIES // 16), mtime=0)
    with pytest.raises(StatusListVerificationError):
        decode_list("u" + b64(half + half), max_bytes=CAP)


def test_missing_multibase_prefix_is_refused() -> None:
    with pytest.raises(StatusListVerificationError):
        decode_list(W3C_EXAMPLE_3_ENCODED_LIST[1:], max_bytes=CAP)


@pytest.mark.parametrize("prefix", ["z", "U", "m", " u"])
def test_other_multibase_prefixes_are_refused(prefix: str) -> None:
    with pytest.raises(StatusListVerificationError):
        decode_list(prefix + W3C_EXAMPLE_3_ENCODED_LIST[1:], max_bytes=CAP)


def test_non_string_is_refused() -> None:
    with pytest.raises(StatusListVerificationError):
        decode_list(W3C_EXAMPLE_3_ENCODED_LIST.encode(), max_bytes=CAP)  # type: ignore[arg-type]


def test_padding_is_refused() -> None:
    padded = gzip_text(bytes(MIN_ENTRIES // 8))
    padded += "=" * (-(len(padded) - 1) % 4 or 4)
    with pytest.raises(StatusListVerificationError):
        decode_list(padded, max_bytes=CAP)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda text: text.replace("-", "+"), id="plus"),
        pytest.param(lambda text: text[:20] + "/" + text[21:], id="slash"),
        pytest.param(lambda text: text[:20] + " " + text[20:], id="space"),
        pytest.param(lambda text: text[:20] + "\n" + text[20:], id="newline"),
        pytest.param(lambda text: text[:20] + "é" + text[21:], id="non-ascii"),
        pytest.param(lambda text: text + "A" * ((2 - len(text)) % 4 or 4), id="impossible-length"),
    ],
)
def test_illegal_base64url_is_refused(change: object) -> None:
    assert callable(change)
    with pytest.raises(StatusListVerificationError):
        decode_list(change(W3C_EXAMPLE_3_ENCODED_LIST), max_bytes=CAP)


def test_zlib_given_where_gzip_expected_is_refused() -> None:
    zlib_text = "u" + b64(zlib.compress(bytes(MIN_ENTRIES // 8), 9))
    with pytest.raises(StatusListVerificationError):
        decode_list(zlib_text, max_bytes=CAP)


def test_raw_deflate_is_refused() -> None:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    raw = compressor.compress(bytes(MIN_ENTRIES // 8)) + compressor.flush()
    with pytest.raises(StatusListVerificationError):
        decode_list("u" + b64(raw), max_bytes=CAP)


def test_list_shorter_than_131072_entries_is_refused() -> None:
    short = encode_list(bytes(MIN_ENTRIES // 8 - 1))
    with pytest.raises(StatusListLengthError):
        decode_list(short, max_bytes=CAP)
    assert len(decode_list(short, max_bytes=CAP, min_entries=MIN_ENTRIES - 8)) == 16_383


def test_empty_list_is_refused() -> None:
    with pytest.raises(StatusListLengthError):
        decode_list(encode_list(b""), max_bytes=CAP)


# --- Properties -------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    extra_bytes=st.integers(min_value=0, max_value=64),
    data=st.data(),
)
def test_decode_encode_round_trip(extra_bytes: int, data: st.DataObject) -> None:
    size = MIN_ENTRIES + 8 * extra_bytes
    indices = data.draw(st.sets(st.integers(min_value=0, max_value=size - 1), max_size=200))
    bits = pack_bits(indices, size=size)
    assert set_bits(bits) == indices
    decoded = decode_list(encode_list(bits), max_bytes=CAP)
    assert decoded == bits
    for index in list(indices)[:20]:
        assert bit_at(decoded, index) == 1


@settings(max_examples=60, deadline=None)
@given(st.binary(min_size=1, max_size=256))
def test_round_trip_of_any_bytes_below_the_minimum(raw: bytes) -> None:
    assert decode_list(encode_list(raw), max_bytes=CAP, min_entries=0) == raw
