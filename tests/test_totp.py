"""wallet/totp.py: RFC 6238 codes, drift and replay, provisioning URIs, recovery codes."""

from __future__ import annotations

import base64
import re
import secrets
from collections.abc import Callable
from urllib.parse import parse_qs, unquote, urlsplit

import pyotp
import pytest

from wallet.errors import AuthenticationError, InputError, SecondFactorError
from wallet.jose import constant_time_equal
from wallet.totp import (
    RECOVERY_ALPHABET,
    check_code,
    code_at,
    hash_recovery_code,
    match_recovery_code,
    new_recovery_codes,
    new_secret,
    provisioning_uri,
    recovery_code_key,
    time_step,
)

#: A fixed "now": 2026-06-01T00:00:00Z, which is the start of a 30-second step.
NOW = 1780272000
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
KEY = recovery_code_key(b"\x11" * 32)

# RFC 6238 Appendix B (https://www.rfc-editor.org/rfc/rfc6238#appendix-B), SHA-1 column:
# the seed is the 20-byte ASCII string "12345678901234567890", codes have 8 digits, X = 30,
# T0 = 0. Columns: Unix time, T (hex, as printed in the RFC), TOTP.
RFC_6238_SECRET = base64.b32encode(b"12345678901234567890").decode("ascii")
RFC_6238_SHA1 = [
    (59, 0x0000000000000001, "94287082"),
    (1111111109, 0x00000000023523EC, "07081804"),
    (1111111111, 0x00000000023523ED, "14050471"),
    (1234567890, 0x000000000273EF07, "89005924"),
    (2000000000, 0x0000000003F940AA, "69279037"),
    (20000000000, 0x0000000027BC86AA, "65353130"),
]


def counting(source: Callable[[int], bytes]) -> tuple[Callable[[int], bytes], list[int]]:
    requested: list[int] = []

    def random_bytes(n: int) -> bytes:
        requested.append(n)
        return source(n)

    return random_bytes, requested


# --- RFC 6238 ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "step", "expected"), RFC_6238_SHA1, ids=[str(row[0]) for row in RFC_6238_SHA1]
)
def test_rfc_6238_appendix_b_sha1_vectors(now: int, step: int, expected: str) -> None:
    assert time_step(now) == step
    assert code_at(RFC_6238_SECRET, now=now, digits=8) == expected
    # The 6-digit code is the same HOTP value modulo 10**6 (RFC 4226 §5.3).
    assert code_at(RFC_6238_SECRET, now=now) == expected[-6:]


@pytest.mark.parametrize(
    ("now", "step", "expected"), RFC_6238_SHA1, ids=[str(row[0]) for row in RFC_6238_SHA1]
)
def test_check_code_accepts_the_rfc_6238_codes_at_their_time(
    now: int, step: int, expected: str
) -> None:
    assert check_code(RFC_6238_SECRET, expected[-6:], now=now, last_used_step=None) == step


def test_code_at_equals_pyotp_at() -> None:
    for now in (NOW - 1, NOW, NOW + 29, NOW + 30):
        assert code_at(SECRET, now=now) == pyotp.TOTP(SECRET).at(now)


# --- secrets and provisioning --------------------------------------------------------------


def test_new_secret_is_160_random_bits_in_base32() -> None:
    random_bytes, requested = counting(lambda n: bytes(range(n)))

    secret = new_secret(random_bytes)

    assert requested == [20]
    assert len(secret) == 32
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    assert base64.b32decode(secret) == bytes(range(20))
    assert new_secret(secrets.token_bytes) != new_secret(secrets.token_bytes)


def test_provisioning_uri_has_the_label_issuer_and_secret() -> None:
    uri = provisioning_uri(SECRET, account_name="anna@example.lv")

    parts = urlsplit(uri)
    assert (parts.scheme, parts.netloc) == ("otpauth", "totp")
    assert unquote(parts.path) == "/IMK Wallet:anna@example.lv"
    query = parse_qs(parts.query)
    assert query["secret"] == [SECRET]
    assert query["issuer"] == ["IMK Wallet"]
    # Defaults (SHA1, 6 digits, 30 s) may be left out; anything present must say the same.
    assert query.get("algorithm", ["SHA1"]) == ["SHA1"]
    assert query.get("digits", ["6"]) == ["6"]
    assert query.get("period", ["30"]) == ["30"]


def test_provisioning_uri_refuses_a_colon_in_a_name() -> None:
    with pytest.raises(InputError):
        provisioning_uri(SECRET, account_name="anna:admin@example.lv")
    with pytest.raises(InputError):
        provisioning_uri(SECRET, account_name="anna@example.lv", issuer_name="IMK: Wallet")


# --- checking codes ------------------------------------------------------------------------


def test_current_code_is_accepted_and_its_step_returned() -> None:
    code = code_at(SECRET, now=NOW)

    assert check_code(SECRET, code, now=NOW, last_used_step=None) == NOW // 30
    # Anywhere inside the same 30-second step.
    assert check_code(SECRET, code, now=NOW + 29, last_used_step=None) == NOW // 30


@pytest.mark.parametrize("drift", [-1, 1], ids=["one-step-behind", "one-step-ahead"])
def test_one_step_of_drift_is_accepted(drift: int) -> None:
    code = code_at(SECRET, now=NOW + 30 * drift)

    assert check_code(SECRET, code, now=NOW, last_used_step=None) == NOW // 30 + drift


@pytest.mark.parametrize("drift", [-2, 2], ids=["two-steps-behind", "two-steps-ahead"])
def test_two_steps_of_drift_are_refused(drift: int) -> None:
    code = code_at(SECRET, now=NOW + 30 * drift)
    assert code not in {code_at(SECRET, now=NOW + 30 * d) for d in (-1, 0, 1)}

    with pytest.raises(SecondFactorError):
        check_code(SECRET, code, now=NOW, last_used_step=None)


def test_a_used_code_is_refused_the_second_time() -> None:
    code = code_at(SECRET, now=NOW)
    step = check_code(SECRET, code, now=NOW, last_used_step=None)

    with pytest.raises(SecondFactorError):
        check_code(SECRET, code, now=NOW + 5, last_used_step=step)


def test_a_code_older_than_the_last_used_step_is_refused() -> None:
    # The user logged in with the next step's code (clock ahead); the current one is now stale.
    step = check_code(SECRET, code_at(SECRET, now=NOW + 30), now=NOW, last_used_step=None)

    with pytest.raises(SecondFactorError):
        check_code(SECRET, code_at(SECRET, now=NOW), now=NOW, last_used_step=step)


def test_the_next_step_is_accepted_after_a_used_one() -> None:
    step = check_code(SECRET, code_at(SECRET, now=NOW), now=NOW, last_used_step=None)

    later = check_code(SECRET, code_at(SECRET, now=NOW + 30), now=NOW + 30, last_used_step=step)

    assert later == step + 1


def test_a_wrong_code_is_refused_as_an_authentication_error() -> None:
    right = code_at(SECRET, now=NOW)
    wrong = f"{(int(right) + 1) % 10**6:06d}"

    with pytest.raises(SecondFactorError) as exc:
        check_code(SECRET, wrong, now=NOW, last_used_step=None)

    assert isinstance(exc.value, AuthenticationError)
    assert (exc.value.code, exc.value.status) == ("SECOND_FACTOR_FAILED", 401)
    assert right not in exc.value.description


@pytest.mark.parametrize(
    "typed",
    [" {c} ", "{a} {b}", "\t{a}  {b}\n"],
    ids=["padded", "grouped", "tabs-and-newline"],
)
def test_spaces_in_a_code_are_ignored(typed: str) -> None:
    code = code_at(SECRET, now=NOW)

    text = typed.format(c=code, a=code[:3], b=code[3:])

    assert check_code(SECRET, text, now=NOW, last_used_step=None) == NOW // 30


@pytest.mark.parametrize(
    "mangle",
    [
        lambda c: c[:5],
        lambda c: c + "0",
        lambda c: c[:3] + "-" + c[3:],
        lambda c: c.translate({ord(d): 0xFF10 + int(d) for d in "0123456789"}),  # full-width
        lambda c: c.translate({ord(d): 0x0660 + int(d) for d in "0123456789"}),  # Arabic-Indic
        lambda c: " " * 40 + c,
        lambda c: "",
    ],
    ids=["short", "long", "dash", "full-width", "arabic-indic", "over-cap", "empty"],
)
def test_malformed_codes_are_refused(mangle: Callable[[str], str]) -> None:
    typed = mangle(code_at(SECRET, now=NOW))

    with pytest.raises(SecondFactorError):
        check_code(SECRET, typed, now=NOW, last_used_step=None)


#: A secret whose codes for the step of NOW and the next step are equal (found by search:
#: the first 20 bytes of SHA-256(b"imk-collision-216228")); such a pair occurs by chance.
COLLIDING_SECRET = "C2EW7UVGVPPHTAZMB7VZLE5TMUWS7M6Q"


def test_a_code_valid_for_two_steps_uses_up_the_later_one() -> None:
    code = code_at(COLLIDING_SECRET, now=NOW)
    assert code == code_at(COLLIDING_SECRET, now=NOW + 30)

    step = check_code(COLLIDING_SECRET, code, now=NOW, last_used_step=None)

    # Marking only the earlier step used would let the same code pass again a step later.
    assert step == NOW // 30 + 1
    with pytest.raises(SecondFactorError):
        check_code(COLLIDING_SECRET, code, now=NOW + 30, last_used_step=step)


def test_every_window_step_is_compared_even_after_a_match(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[tuple[str, str]] = []
    original = constant_time_equal

    def spy(a: str, b: str) -> bool:
        calls.append((a, b))
        return original(a, b)

    monkeypatch.setattr("wallet.totp.constant_time_equal", spy)

    check_code(SECRET, code_at(SECRET, now=NOW - 30), now=NOW, last_used_step=None)

    assert len(calls) == 3


def test_the_epoch_has_no_step_before_zero() -> None:
    assert check_code(SECRET, code_at(SECRET, now=0), now=10, last_used_step=None) == 0
    assert check_code(SECRET, code_at(SECRET, now=30), now=10, last_used_step=0) == 1


# --- recovery codes ------------------------------------------------------------------------


def test_recovery_codes_are_ten_distinct_codes_of_sixty_bits() -> None:
    random_bytes, requested = counting(secrets.token_bytes)

    codes = new_recovery_codes(random_bytes)

    assert len(codes) == 10
    assert len(set(codes)) == 10
    assert requested == [12] * 10
    assert len(RECOVERY_ALPHABET) == 32  # 5 bits a symbol, 12 symbols: 60 bits
    pattern = f"[{RECOVERY_ALPHABET}]{{4}}-[{RECOVERY_ALPHABET}]{{4}}-[{RECOVERY_ALPHABET}]{{4}}"
    assert all(re.fullmatch(pattern, code) for code in codes)


def test_recovery_alphabet_has_no_look_alike_letters() -> None:
    assert set(RECOVERY_ALPHABET).isdisjoint("ilou")
    assert len(set(RECOVERY_ALPHABET)) == 32


def test_recovery_code_symbols_are_uniform_byte_mod_32() -> None:
    assert new_recovery_codes(lambda n: bytes(range(n)), count=1) == ["0123-4567-89ab"]
    assert new_recovery_codes(lambda n: bytes(range(224, 224 + n)), count=1) == ["0123-4567-89ab"]
    assert new_recovery_codes(lambda n: bytes(range(20, 20 + n)), count=2) == ["mnpq-rstv-wxyz"] * 2


def test_each_recovery_code_matches_only_its_own_hash() -> None:
    codes = new_recovery_codes(secrets.token_bytes)
    hashes = [hash_recovery_code(code, KEY) for code in codes]

    assert [match_recovery_code(code, hashes, KEY) for code in codes] == list(range(10))


@pytest.mark.parametrize(
    "typed",
    [
        "0123-4567-89ab",
        "0123-4567-89AB",
        "0123456789ab",
        " 0123 4567 89ab ",
        "O123-4567-89AB",
        "oI23-4567-89ab",
        "0L23-4567-89ab",
    ],
    ids=["as-shown", "upper-case", "no-dashes", "spaces", "o-for-zero", "o-i", "l-for-one"],
)
def test_recovery_code_match_ignores_case_dashes_and_look_alikes(typed: str) -> None:
    hashes = [hash_recovery_code("zzzz-zzzz-zzzz", KEY), hash_recovery_code("0123-4567-89ab", KEY)]

    assert match_recovery_code(typed, hashes, KEY) == 1


def test_recovery_code_hash_is_keyed() -> None:
    code = "0123-4567-89ab"
    hashed = hash_recovery_code(code, KEY)

    assert "0123" not in hashed
    other_key = recovery_code_key(b"\x22" * 32)
    assert hash_recovery_code(code, other_key) != hashed
    assert match_recovery_code(code, [hashed], other_key) is None


@pytest.mark.parametrize(
    "typed",
    ["0123-4567-89ac", "", "0123-4567", "0123-4567-89ab-cdef", "0123-4567-89a!", "u" * 12],
    ids=["wrong", "empty", "short", "long", "punctuation", "letter-u"],
)
def test_wrong_or_malformed_recovery_code_matches_nothing(typed: str) -> None:
    hashes = [hash_recovery_code("0123-4567-89ab", KEY)]

    assert match_recovery_code(typed, hashes, KEY) is None


def test_a_used_recovery_code_no_longer_matches() -> None:
    codes = new_recovery_codes(secrets.token_bytes, count=3)
    hashes = [hash_recovery_code(code, KEY) for code in codes]

    used = match_recovery_code(codes[1], hashes, KEY)
    assert used == 1
    hashes[used] = ""  # the caller retires it

    assert match_recovery_code(codes[1], hashes, KEY) is None
    assert match_recovery_code(codes[2], hashes, KEY) == 2


def test_recovery_match_compares_every_hash(monkeypatch: pytest.MonkeyPatch) -> None:
    codes = new_recovery_codes(secrets.token_bytes)
    hashes = [hash_recovery_code(code, KEY) for code in codes]
    calls: list[str] = []
    original = constant_time_equal

    def spy(a: str, b: str) -> bool:
        calls.append(a)
        return original(a, b)

    monkeypatch.setattr("wallet.totp.constant_time_equal", spy)

    assert match_recovery_code(codes[0], hashes, KEY) == 0
    assert calls == hashes


def test_hash_recovery_code_refuses_a_malformed_code() -> None:
    with pytest.raises(InputError):
        hash_recovery_code("not-a-code", KEY)
