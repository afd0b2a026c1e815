"""Status-list interoperability with independent TypeScript implementations, both ways.

``tests/interop_js/status.mjs`` wraps ``@digitalbazaar/vc-bitstring-status-list`` (W3C
Bitstring Status List) and ``@sd-jwt/jwt-status-list`` (IETF Token Status List, OpenWallet
Foundation), pinned in ``tests/interop_js/package.json`` and ``package-lock.json``; the
``node`` fixture (``tests/fixtures/node.py``) installs them with ``npm ci`` when missing.

- ours → theirs: lists we encode decode there to exactly the bits and values we set;
- theirs → ours: lists they encode decode here to exactly the bits and values they set;
- the oracle is not vacuous: it refuses a list without its "u" prefix, and it reads the
  opposite bit order of the other format, as the specifications say.

All operations go to node in one batch (one process start) by a module fixture.
"""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from tests.fixtures.node import run_script
from wallet.status import (
    MIN_ENTRIES,
    bit_at,
    decode_list,
    decode_lst,
    encode_list,
    encode_lst,
    entries,
    pack_bits,
    pack_values,
    value_at,
)

CAP = 1 << 20
LAST = MIN_ENTRIES - 1
FOUR = [0, 7, 8, LAST]

_RANDOM = random.Random(20260601)
#: A larger W3C list with scattered bits (twice the minimum size).
W3C_SCATTERED = sorted(_RANDOM.sample(range(2 * MIN_ENTRIES), 300))
#: IETF lists with every allowed width, scattered values (zero never listed).
IETF_SCATTERED = {
    bits: {
        index: _RANDOM.randrange(1, 1 << bits) for index in _RANDOM.sample(range(MIN_ENTRIES), 200)
    }
    for bits in (1, 2, 4, 8)
}
IETF_FOUR = {
    1: dict.fromkeys(FOUR, 1),
    2: {0: 1, 7: 2, 8: 3, LAST: 1},
}


def _operations() -> dict[str, dict[str, Any]]:
    ops: dict[str, dict[str, Any]] = {
        "ours-w3c-four": {
            "op": "w3c-decode",
            "encodedList": encode_list(pack_bits(FOUR, size=MIN_ENTRIES)),
        },
        "ours-w3c-scattered": {
            "op": "w3c-decode",
            "encodedList": encode_list(pack_bits(W3C_SCATTERED, size=2 * MIN_ENTRIES)),
        },
        "theirs-w3c-four": {"op": "w3c-encode", "length": MIN_ENTRIES, "set": FOUR},
        "theirs-w3c-scattered": {
            "op": "w3c-encode",
            "length": 2 * MIN_ENTRIES,
            "set": W3C_SCATTERED,
        },
        "refused-w3c-no-prefix": {
            "op": "w3c-decode",
            "encodedList": encode_list(pack_bits(FOUR, size=MIN_ENTRIES))[1:],
        },
        # One byte 0x80 with zlib: our W3C index 0, which LSB-first reads as entry 7.
        "ietf-reads-w3c-bytes": {
            "op": "ietf-decode",
            "lst": encode_lst(pack_bits([0], size=8)),
            "bits": 1,
        },
    }
    for bits, values in IETF_FOUR.items():
        ops[f"ours-ietf-four-{bits}"] = {
            "op": "ietf-decode",
            "lst": encode_lst(pack_values(values, size=MIN_ENTRIES, bits=bits)),
            "bits": bits,
        }
        ops[f"theirs-ietf-four-{bits}"] = {
            "op": "ietf-encode",
            "size": MIN_ENTRIES,
            "bits": bits,
            "values": {str(index): value for index, value in values.items()},
        }
    for bits, values in IETF_SCATTERED.items():
        ops[f"ours-ietf-scattered-{bits}"] = {
            "op": "ietf-decode",
            "lst": encode_lst(pack_values(values, size=MIN_ENTRIES, bits=bits)),
            "bits": bits,
        }
        ops[f"theirs-ietf-scattered-{bits}"] = {
            "op": "ietf-encode",
            "size": MIN_ENTRIES,
            "bits": bits,
            "values": {str(index): value for index, value in values.items()},
        }
    return ops


@pytest.fixture(scope="module")
def oracle(node: str) -> dict[str, Any]:
    """The library's answer to every operation of :func:`_operations`, by name."""
    ops = _operations()
    results = run_script(node, "status.mjs", stdin=json.dumps(list(ops.values())))
    assert len(results) == len(ops)
    return dict(zip(ops, results, strict=True))


def _values(answer: dict[str, Any]) -> dict[int, int]:
    return {int(index): value for index, value in answer["values"].items()}


# --- ours → theirs ----------------------------------------------------------------------------


def test_w3c_library_reads_our_bits_0_7_8_last(oracle: dict[str, Any]) -> None:
    assert oracle["ours-w3c-four"] == {"length": MIN_ENTRIES, "set": FOUR}


def test_w3c_library_reads_our_scattered_bits(oracle: dict[str, Any]) -> None:
    assert oracle["ours-w3c-scattered"] == {"length": 2 * MIN_ENTRIES, "set": W3C_SCATTERED}


@pytest.mark.parametrize("bits", sorted(IETF_FOUR))
def test_ietf_library_reads_our_entries_0_7_8_last(oracle: dict[str, Any], bits: int) -> None:
    answer = oracle[f"ours-ietf-four-{bits}"]
    assert answer["size"] == MIN_ENTRIES
    assert _values(answer) == IETF_FOUR[bits]


@pytest.mark.parametrize("bits", sorted(IETF_SCATTERED))
def test_ietf_library_reads_our_scattered_values(oracle: dict[str, Any], bits: int) -> None:
    answer = oracle[f"ours-ietf-scattered-{bits}"]
    assert answer["size"] == MIN_ENTRIES
    assert _values(answer) == IETF_SCATTERED[bits]


# --- theirs → ours ----------------------------------------------------------------------------


def test_we_read_w3c_library_bits_0_7_8_last(oracle: dict[str, Any]) -> None:
    bits = decode_list(oracle["theirs-w3c-four"]["encodedList"], max_bytes=CAP)
    assert bits == pack_bits(FOUR, size=MIN_ENTRIES)
    read = [bit_at(bits, index) for index in (0, 1, 6, 7, 8, 9, LAST - 1, LAST)]
    assert read == [1, 0, 0, 1, 1, 0, 0, 1]


def test_we_read_w3c_library_scattered_bits(oracle: dict[str, Any]) -> None:
    bits = decode_list(oracle["theirs-w3c-scattered"]["encodedList"], max_bytes=CAP)
    assert bits == pack_bits(W3C_SCATTERED, size=2 * MIN_ENTRIES)


@pytest.mark.parametrize("bits", sorted(IETF_FOUR))
def test_we_read_ietf_library_entries_0_7_8_last(oracle: dict[str, Any], bits: int) -> None:
    packed = decode_lst(oracle[f"theirs-ietf-four-{bits}"]["lst"], max_bytes=CAP)
    assert entries(packed, bits) == MIN_ENTRIES
    assert packed == pack_values(IETF_FOUR[bits], size=MIN_ENTRIES, bits=bits)
    for index, value in IETF_FOUR[bits].items():
        assert value_at(packed, index, bits) == value


@pytest.mark.parametrize("bits", sorted(IETF_SCATTERED))
def test_we_read_ietf_library_scattered_values(oracle: dict[str, Any], bits: int) -> None:
    packed = decode_lst(oracle[f"theirs-ietf-scattered-{bits}"]["lst"], max_bytes=CAP)
    assert packed == pack_values(IETF_SCATTERED[bits], size=MIN_ENTRIES, bits=bits)


# --- The oracle is not vacuous ----------------------------------------------------------------


def test_w3c_library_refuses_a_list_without_its_prefix(oracle: dict[str, Any]) -> None:
    assert "must start with the character" in oracle["refused-w3c-no-prefix"]["error"]


def test_ietf_library_reads_the_opposite_bit_order(oracle: dict[str, Any]) -> None:
    # Byte 0x80 is W3C index 0 (most significant bit first) and IETF entry 7 (least
    # significant bit first): the classic mix-up, visible in the independent code too.
    assert oracle["ietf-reads-w3c-bytes"] == {"size": 8, "values": {"7": 1}}
