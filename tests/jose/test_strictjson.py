"""Strict JSON for JOSE headers and payloads (I-JSON, RFC 7493; RFC 8725 §3.7)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wallet.errors import ParseError
from wallet.jose import dumps_compact, loads_object


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(b"{}", {}, id="empty-object"),
        pytest.param(b' { "a" : 1 } ', {"a": 1}, id="insignificant-whitespace"),
        pytest.param('{"n":"Rīga"}'.encode(), {"n": "Rīga"}, id="utf8-text"),
        pytest.param(
            b'{"a":{"b":1},"c":{"b":2}}',
            {"a": {"b": 1}, "c": {"b": 2}},
            id="same-name-different-objects",
        ),
        pytest.param(b'{"x":1.5e3,"y":-0.25}', {"x": 1500.0, "y": -0.25}, id="finite-floats"),
        pytest.param(
            b'{"big":' + b"9" * 4000 + b"}", {"big": int("9" * 4000)}, id="4000-digit-int"
        ),
    ],
)
def test_accepted(data: bytes, expected: dict[str, object]) -> None:
    assert loads_object(data, what="payload") == expected


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b'\xef\xbb\xbf{"a":1}', id="utf8-bom"),
        pytest.param(b'{"a":"\xff"}', id="invalid-utf8-byte"),
        pytest.param(b'{"a":"\xc3"}', id="truncated-utf8-sequence"),
        pytest.param(b'{"a":"\xc0\xaf"}', id="overlong-utf8"),
        pytest.param(b'{"a":"\xed\xa0\x80"}', id="utf8-encoded-surrogate"),
        pytest.param(b"\xff\xfe{\x00}\x00", id="utf16-bom"),
        pytest.param(b'{"a":1,"a":2}', id="duplicate-top-level"),
        pytest.param(b'{"a":{"b":1,"b":1}}', id="duplicate-depth-2"),
        pytest.param(b'{"a":[{"c":{"d":1,"d":2}}]}', id="duplicate-depth-4-in-array"),
        pytest.param(b'{"alg":"none","typ":"JWT","alg":"EdDSA"}', id="duplicate-alg"),
        pytest.param(b'{"exp":NaN}', id="nan"),
        pytest.param(b'{"exp":Infinity}', id="infinity"),
        pytest.param(b'{"exp":-Infinity}', id="minus-infinity"),
        pytest.param(b'{"exp":1e400}', id="overflow-to-infinity"),
        pytest.param(b'{"exp":-1e400}', id="overflow-to-minus-infinity"),
        pytest.param(b'{"n":' + b"9" * 5000 + b"}", id="5000-digit-int"),
        pytest.param(b'{"a":' + b"[" * 50_000 + b"]" * 50_000 + b"}", id="50k-deep-arrays"),
        pytest.param(b"[]", id="top-level-array"),
        pytest.param(b'"{}"', id="top-level-string"),
        pytest.param(b"1", id="top-level-number"),
        pytest.param(b"null", id="top-level-null"),
        pytest.param(b"", id="empty"),
        pytest.param(b'{"a":1}{"b":2}', id="two-documents"),
        pytest.param(b"{'a':1}", id="single-quotes"),
        pytest.param(b'{"a":1,}', id="trailing-comma"),
    ],
)
def test_refused(data: bytes) -> None:
    with pytest.raises(ParseError):
        loads_object(data, what="payload")


def test_error_names_the_part_but_not_the_input() -> None:
    with pytest.raises(ParseError) as caught:
        loads_object(b'{"secret":"s3cr3t","secret":1}', what="JOSE header")
    assert "JOSE header" in caught.value.description
    assert "s3cr3t" not in caught.value.description


def test_dumps_compact_is_compact_utf8() -> None:
    assert dumps_compact({"a": [1, 2], "n": "Rīga"}) == '{"a":[1,2],"n":"Rīga"}'.encode()
    assert loads_object(dumps_compact({"k": {"v": None}}), what="x") == {"k": {"v": None}}


_JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=20,
)


@given(st.dictionaries(st.text(max_size=5), _JSON_VALUES, max_size=5))
def test_fast_and_strict_paths_agree(value):
    # The orjson fast path must accept exactly what the strict parser accepts, with the same
    # values; compact serialisations take the fast path, indented ones the strict path.
    import json as stdjson

    from wallet.jose.strictjson import _DECODER, dumps_compact

    for data in (dumps_compact(value), stdjson.dumps(value, indent=1).encode()):
        assert loads_object(data, what="payload") == _DECODER.decode(data.decode())


def test_duplicate_member_in_compact_text_refused():
    # Compact text that orjson would parse (last member wins) must still be refused.
    with pytest.raises(ParseError):
        loads_object(b'{"a":1,"a":2}', what="payload")
