"""Strict base64url (RFC 7515 §2, RFC 4648 §5): only the canonical unpadded form decodes."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wallet.errors import ParseError
from wallet.jose import b64url_decode, b64url_encode


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("", b"", id="empty"),
        pytest.param("Zg", b"f", id="one-byte"),
        pytest.param("Zm8", b"fo", id="two-bytes"),
        pytest.param("Zm9v", b"foo", id="three-bytes"),
        pytest.param("_-8", b"\xff\xef", id="url-safe-alphabet"),
        # RFC 7515 Appendix C: the bytes 3, 236, 255, 224, 193 encode as "A-z_4ME".
        pytest.param("A-z_4ME", bytes([3, 236, 255, 224, 193]), id="rfc7515-appendix-c"),
    ],
)
def test_canonical_decodes(text: str, expected: bytes) -> None:
    assert b64url_decode(text) == expected
    assert b64url_encode(expected) == text


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Zg==", id="padding-two"),
        pytest.param("Zm8=", id="padding-one"),
        pytest.param("Zg=", id="padding-short"),
        pytest.param("Zm9v=", id="padding-on-full-block"),
        pytest.param("Zm9v====", id="padding-block"),
        pytest.param("+/8", id="standard-alphabet"),
        pytest.param("Zm 9v", id="space"),
        pytest.param("Zm9v\n", id="trailing-newline"),
        pytest.param("Zm\n9v", id="inner-newline"),
        pytest.param("\tZm9v", id="leading-tab"),
        pytest.param("Zm9v.", id="dot"),
        pytest.param("Zm9v\x00", id="nul"),
        pytest.param("Zm9\u0661", id="arabic-indic-digit"),
        pytest.param("Zm9\uff56", id="fullwidth-letter"),
        pytest.param("Z", id="length-1-mod-4"),
        pytest.param("Zm9vY", id="length-5"),
        # Trailing bits: "Zh" and "Zm9" + last char with low bits set decode to the same
        # bytes as the canonical "Zg"/"Zm8" in lax decoders (CVE-2026-102269 class).
        pytest.param("Zh", id="trailing-bits-one-byte"),
        pytest.param("Zm9", id="trailing-bits-two-bytes"),
        pytest.param("Zm_", id="trailing-bits-all-set"),
    ],
)
def test_non_canonical_refused(text: str) -> None:
    with pytest.raises(ParseError):
        b64url_decode(text)


@pytest.mark.parametrize(
    ("prefix", "unused_bits"),
    [
        pytest.param("Z", 4, id="one-byte-4-unused-bits"),
        pytest.param("Zm", 2, id="two-bytes-2-unused-bits"),
    ],
)
def test_exactly_the_zero_trailing_bit_spellings_decode(prefix: str, unused_bits: int) -> None:
    """RFC 4648 §3.5: the last character decodes only if its unused low bits are zero."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    accepted = set()
    for value, last in enumerate(alphabet):
        try:
            b64url_decode(prefix + last)
        except ParseError:
            continue
        accepted.add(value)
    assert accepted == {value for value in range(64) if value % (1 << unused_bits) == 0}


@given(st.binary(max_size=512))
def test_round_trip(data: bytes) -> None:
    text = b64url_encode(data)
    assert "=" not in text
    assert b64url_decode(text) == data
    # The reference encoder of the stdlib agrees once its padding is removed.
    assert text == base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


@given(st.binary(min_size=1, max_size=64), st.integers(min_value=1, max_value=3))
def test_padded_form_never_decodes(data: bytes, pads: int) -> None:
    with pytest.raises(ParseError):
        b64url_decode(b64url_encode(data) + "=" * pads)
