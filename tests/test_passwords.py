"""wallet/passwords.py: Argon2id hashing, constant-cost verification and the password policy."""

from __future__ import annotations

import base64
import secrets
import unicodedata

import pytest
from argon2 import PasswordHasher, Type, extract_parameters, profiles

from wallet.errors import FieldProblem, InputError, WeakPasswordError
from wallet.passwords import (
    COMMON,
    CONTAINS_EMAIL,
    MAX_PASSWORD_CHARS,
    MIN_PASSWORD_CHARS,
    ONE_CHARACTER,
    PASSWORD_POINTER,
    PRODUCTION,
    TOO_LONG,
    TOO_SHORT,
    PasswordParams,
    check_password_policy,
    common_passwords,
    dummy_hash,
    dummy_verify,
    hash_password,
    password_problems,
    verify_password,
)

#: Cheap parameters for tests (argon2's minimum memory for one lane); PRODUCTION is proved once.
CHEAP = PasswordParams(time_cost=1, memory_cost=8, parallelism=1)
GOOD = "correct horse battery staple"


def hash_cheap(password: str) -> str:
    return hash_password(password, CHEAP, random_bytes=secrets.token_bytes)


class VerifySpy:
    """Wraps PasswordHasher.verify to record the hashes argon2 was really asked to check."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.hashes: list[str] = []
        original = PasswordHasher.verify

        def spy(hasher: PasswordHasher, hash: str | bytes, password: str | bytes) -> bool:
            self.hashes.append(hash if isinstance(hash, str) else hash.decode())
            return original(hasher, hash, password)

        monkeypatch.setattr(PasswordHasher, "verify", spy)


# --- hashing -------------------------------------------------------------------------------


def test_production_default_is_argon2id_with_the_stated_rfc_9106_parameters() -> None:
    stored = hash_password(GOOD, PRODUCTION, random_bytes=secrets.token_bytes)

    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    params = extract_parameters(stored)
    assert params.type is Type.ID
    assert (params.time_cost, params.memory_cost, params.parallelism) == (3, 65536, 4)
    assert (params.salt_len, params.hash_len) == (16, 32)
    # RFC 9106 §4, second recommended option, as argon2-cffi names it.
    assert params == profiles.RFC_9106_LOW_MEMORY
    assert verify_password(stored, GOOD, PRODUCTION).verified


def test_salt_is_drawn_from_the_random_source() -> None:
    requested: list[int] = []

    def fixed(n: int) -> bytes:
        requested.append(n)
        return b"\x01" * n

    first = hash_password(GOOD, CHEAP, random_bytes=fixed)
    second = hash_password(GOOD, CHEAP, random_bytes=fixed)
    other_salt = hash_password(GOOD, CHEAP, random_bytes=lambda n: b"\x02" * n)

    assert requested == [16, 16]
    salt_b64 = base64.b64encode(b"\x01" * 16).decode().rstrip("=")
    assert first.split("$")[4] == salt_b64
    assert first == second  # same salt, same hash: nothing else random inside
    assert other_salt != first


def test_right_password_verifies_and_a_wrong_one_does_not_raise() -> None:
    stored = hash_cheap(GOOD)

    assert verify_password(stored, GOOD, CHEAP).verified
    wrong = verify_password(stored, GOOD + "!", CHEAP)
    assert not wrong.verified
    assert not wrong.needs_rehash
    assert not verify_password(stored, "", CHEAP).verified


def test_the_hash_does_not_contain_the_password() -> None:
    assert "horse" not in hash_cheap(GOOD)


def test_nfc_and_nfd_spellings_verify_against_the_same_hash() -> None:
    nfc = unicodedata.normalize("NFC", "Ķēķis ņaudēja pļavā")
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfc != nfd

    stored = hash_cheap(nfd)

    assert verify_password(stored, nfc, CHEAP).verified
    assert verify_password(stored, nfd, CHEAP).verified


def test_compatibility_forms_are_folded_by_nfkc() -> None:
    # U+FB01 LATIN SMALL LIGATURE FI and full-width digits are NFKC-equal to "fi" and "12".
    stored = hash_cheap("ﬁsh and chips １２")

    assert verify_password(stored, "fish and chips 12", CHEAP).verified


def test_needs_rehash_when_the_parameters_change() -> None:
    stronger = PasswordParams(time_cost=2, memory_cost=16, parallelism=1)
    stored = hash_cheap(GOOD)

    assert not verify_password(stored, GOOD, CHEAP).needs_rehash
    upgraded = verify_password(stored, GOOD, stronger)
    assert upgraded.verified
    assert upgraded.needs_rehash
    # A wrong password never asks for a rehash (there is nothing to rehash with).
    assert not verify_password(stored, "not it at all", stronger).needs_rehash


def test_other_argon2_variants_verify_and_need_rehash() -> None:
    argon2i = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, type=Type.I).hash(GOOD)

    check = verify_password(argon2i, GOOD, CHEAP)

    assert check.verified
    assert check.needs_rehash


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "not a hash",
        "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",  # bcrypt
        "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ",  # truncated
    ],
    ids=["empty", "text", "bcrypt", "truncated"],
)
def test_unreadable_stored_hash_is_refused_at_the_cost_of_a_real_check(
    stored: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = VerifySpy(monkeypatch)

    assert verify_password(stored, GOOD, CHEAP).verified is False

    assert spy.hashes[-1] == dummy_hash(CHEAP)


def test_password_over_the_maximum_is_refused_without_hashing_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stored = hash_cheap(GOOD)
    spy = VerifySpy(monkeypatch)

    assert not verify_password(stored, "x" * (MAX_PASSWORD_CHARS + 1), CHEAP).verified
    assert spy.hashes == [dummy_hash(CHEAP)]


def test_hash_password_refuses_what_could_never_verify() -> None:
    with pytest.raises(WeakPasswordError) as exc:
        hash_password("y" * (MAX_PASSWORD_CHARS + 1), CHEAP, random_bytes=secrets.token_bytes)
    assert exc.value.problems == (FieldProblem(PASSWORD_POINTER, TOO_LONG),)


# --- dummy verification (unknown accounts) -------------------------------------------------


def test_dummy_verify_runs_argon2_with_the_current_parameters(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    spy = VerifySpy(monkeypatch)

    dummy_verify(PRODUCTION)

    assert len(spy.hashes) == 1
    # The same parameters as a real hash made now, so the same cost as a real verification.
    assert extract_parameters(spy.hashes[0]) == profiles.RFC_9106_LOW_MEMORY


def test_dummy_hash_is_well_formed_and_matches_no_password() -> None:
    fake = dummy_hash(CHEAP)

    assert extract_parameters(fake) == extract_parameters(hash_cheap(GOOD))
    assert not verify_password(fake, "", CHEAP).verified
    assert not verify_password(fake, GOOD, CHEAP).verified


# --- policy --------------------------------------------------------------------------------


def test_policy_accepts_a_long_uncommon_password() -> None:
    assert password_problems(GOOD, email="alice@example.org") == []
    check_password_policy(GOOD, email="alice@example.org")  # does not raise
    check_password_policy(GOOD, email=None)


def test_policy_minimum_length_is_twelve_characters() -> None:
    assert MIN_PASSWORD_CHARS == 12
    assert password_problems("vX9#kq2Lm!p", email=None) == [TOO_SHORT]
    assert password_problems("vX9#kq2Lm!pz", email=None) == []


def test_policy_counts_code_points_after_nfkc() -> None:
    # Eleven letters typed decomposed are 16 code points before NFKC and 11 after.
    decomposed = unicodedata.normalize("NFD", "āčēģīķļņšūž")
    assert len(decomposed) > MIN_PASSWORD_CHARS

    assert password_problems(decomposed, email=None) == [TOO_SHORT]


def test_policy_maximum_length_is_256_characters() -> None:
    at_limit = ("tall ships sail " * 20)[:MAX_PASSWORD_CHARS]
    assert len(at_limit) == 256

    assert password_problems(at_limit, email=None) == []
    assert password_problems(at_limit + "s", email=None) == [TOO_LONG]


def test_policy_refuses_a_common_password_in_any_case() -> None:
    assert "password123456" in common_passwords()

    assert password_problems("password123456", email=None) == [COMMON]
    assert password_problems("PassWord123456", email=None) == [COMMON]
    assert password_problems("QWERTY123456", email=None) == [COMMON]


def test_common_password_list_is_bundled_lower_case_and_large() -> None:
    entries = common_passwords()

    assert len(entries) >= 10_000
    assert all(entry == entry.lower() for entry in entries)
    assert common_passwords() is entries  # loaded once


def test_policy_refuses_the_email_local_part_in_any_case() -> None:
    email = "Janis.Berzins@example.lv"

    assert password_problems("my-janis.berzins-2026", email=email) == [CONTAINS_EMAIL]
    assert password_problems("MY-JANIS.BERZINS-2026", email=email) == [CONTAINS_EMAIL]
    # The domain is not a context word.
    assert password_problems("example.lv rocks hard", email=email) == []


def test_policy_ignores_email_local_parts_shorter_than_four() -> None:
    assert password_problems("annabelle river 77", email="ann@example.org") == []
    assert password_problems("annabelle river 77", email="anna@example.org") == [CONTAINS_EMAIL]


def test_policy_refuses_one_repeated_character() -> None:
    assert password_problems("zzzzzzzzzzzzzz", email=None) == [ONE_CHARACTER]
    assert password_problems("zzzzzzzzzzzzzy", email=None) == []


def test_policy_error_names_every_broken_rule_without_the_password() -> None:
    with pytest.raises(WeakPasswordError) as exc:
        check_password_policy("qqqq", email="qqqq@example.org")

    error = exc.value
    assert isinstance(error, InputError)
    assert (error.code, error.status) == ("WEAK_PASSWORD", 400)
    assert error.problems == (
        FieldProblem(PASSWORD_POINTER, TOO_SHORT),
        FieldProblem(PASSWORD_POINTER, COMMON),
        FieldProblem(PASSWORD_POINTER, CONTAINS_EMAIL),
        FieldProblem(PASSWORD_POINTER, ONE_CHARACTER),
    )
    assert "qqqq" not in error.description
    assert "qqqq" not in str(error.problems)
