"""Password hashing (Argon2id) and the password policy.

Hashing follows RFC 9106 §4 through argon2-cffi. :data:`PRODUCTION` is the RFC's second
recommended option ("if much less memory is available"): Argon2id, t=3 passes, m=64 MiB,
p=4 lanes, a 128-bit salt and a 256-bit tag. It is argon2-cffi's ``RFC_9106_LOW_MEMORY``
profile and stronger than both OWASP minimum settings for Argon2id (m=19 MiB with t=2, or
m=46 MiB with t=1, p=1). On the project's 2-core machine one hash or verification takes about
0.12 s wall and 0.17 s CPU, well under the one second that makes a login feel slow, while an
offline guess costs an attacker 64 MiB of memory for as long. Tests pass cheaper
:class:`PasswordParams`; a hash made with other parameters still verifies and reports
``needs_rehash``, so the parameters can be raised later and hashes upgrade on the next login.

The policy follows NIST SP 800-63B (§3.1.1.2 of revision 4): a minimum length, a generous
maximum, no composition rules, and a blocklist of common passwords plus context words (the
local part of the e-mail address). Passwords are normalised to Unicode NFKC before they are
checked and hashed (UAX #15), so one password typed as composed or decomposed characters, or
with compatibility forms, is the same password; each code point counts as one character.

Randomness is a parameter: :func:`hash_password` takes ``random_bytes`` for the salt.
"""

from __future__ import annotations

import base64
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from wallet.errors import FieldProblem, WeakPasswordError

#: Minimum length in code points after NFKC. SP 800-63B-4 requires at least 8 for a password
#: used with a second factor and 15 for a password used alone; 12 is this service's choice
#: between the two: well above the floor, still easy to meet with a short passphrase.
MIN_PASSWORD_CHARS = 12
#: Maximum length in code points after NFKC. SP 800-63B asks to permit at least 64. Argon2
#: reduces the password with BLAKE2b first, so length adds little hashing cost; the cap bounds
#: the normalisation and hashing work any one request can ask for.
MAX_PASSWORD_CHARS = 256
#: The e-mail's local part counts as a context word only from this length on ("al" would
#: refuse too many good passwords).
MIN_CONTEXT_WORD_CHARS = 4

#: Where a policy problem points (JSON pointer of the request field).
PASSWORD_POINTER = "/password"  # noqa: S105 (a JSON pointer, not a secret)
TOO_SHORT = f"is shorter than {MIN_PASSWORD_CHARS} characters"
TOO_LONG = f"is longer than {MAX_PASSWORD_CHARS} characters"
COMMON = "is on the list of commonly used passwords"
CONTAINS_EMAIL = "contains the name part of the e-mail address"
ONE_CHARACTER = "repeats a single character"


@dataclass(frozen=True)
class PasswordParams:
    """Argon2id cost parameters.

    :param time_cost: passes over memory (RFC 9106 ``t``).
    :param memory_cost: memory in KiB (RFC 9106 ``m``).
    :param parallelism: lanes (RFC 9106 ``p``).
    :param hash_len: tag length in bytes.
    :param salt_len: salt length in bytes.
    """

    time_cost: int
    memory_cost: int
    parallelism: int
    hash_len: int = 32
    salt_len: int = 16


#: RFC 9106 §4, second recommended option; see the module docstring.
PRODUCTION = PasswordParams(time_cost=3, memory_cost=64 * 1024, parallelism=4)


@dataclass(frozen=True)
class PasswordCheck:
    """The outcome of :func:`verify_password`.

    :param verified: the password matches the stored hash.
    :param needs_rehash: it matches, but the hash was made with other parameters: hash the
        password again with the current ones and store the new hash.
    """

    verified: bool
    needs_rehash: bool


@cache
def _hasher(params: PasswordParams) -> PasswordHasher:
    return PasswordHasher(
        time_cost=params.time_cost,
        memory_cost=params.memory_cost,
        parallelism=params.parallelism,
        hash_len=params.hash_len,
        salt_len=params.salt_len,
        type=Type.ID,
    )


def normalise_password(password: str) -> str:
    """The form of a password that is checked and hashed: Unicode NFKC.

    :param password: the password as typed.
    :return: its NFKC normalisation.
    """
    return unicodedata.normalize("NFKC", password)


def hash_password(
    password: str, params: PasswordParams, *, random_bytes: Callable[[int], bytes]
) -> str:
    """Hash a password for storage (PHC string format, ``$argon2id$v=19$m=...``).

    Check the policy first with :func:`check_password_policy`; this function only refuses
    what could never be verified.

    :param password: the password as typed; it is NFKC-normalised here.
    :param params: the Argon2id parameters, normally :data:`PRODUCTION`.
    :param random_bytes: a CSPRNG such as ``secrets.token_bytes``, for the salt.
    :return: the encoded hash, salt and parameters included.
    :raises WeakPasswordError: when the password is longer than :data:`MAX_PASSWORD_CHARS`.
    """
    normalised = normalise_password(password)
    if len(normalised) > MAX_PASSWORD_CHARS:
        raise WeakPasswordError(
            "the password does not meet the password policy",
            [FieldProblem(PASSWORD_POINTER, TOO_LONG)],
        )
    return _hasher(params).hash(normalised, salt=random_bytes(params.salt_len))


def verify_password(stored_hash: str, password: str, params: PasswordParams) -> PasswordCheck:
    """Check a password against its stored hash, in constant time.

    A wrong password gives ``verified=False``; so does a password too long to have been set
    and a stored hash that cannot be read. In those last two cases :func:`dummy_verify` runs
    instead, so every outcome costs one Argon2 computation and nothing is raised.

    :param stored_hash: the string :func:`hash_password` returned, possibly with older
        parameters (it carries its own).
    :param password: the password as typed.
    :param params: the current parameters, to tell whether the hash needs upgrading.
    :return: whether it matched and whether the hash should be replaced.
    """
    normalised = normalise_password(password)
    if len(normalised) > MAX_PASSWORD_CHARS:
        dummy_verify(params)
        return PasswordCheck(verified=False, needs_rehash=False)
    hasher = _hasher(params)
    try:
        hasher.verify(stored_hash, normalised)
    except VerifyMismatchError:
        return PasswordCheck(verified=False, needs_rehash=False)
    except (InvalidHashError, VerificationError):
        # Argon2 could not even start (unknown scheme, truncated or corrupt hash).
        dummy_verify(params)
        return PasswordCheck(verified=False, needs_rehash=False)
    return PasswordCheck(verified=True, needs_rehash=hasher.check_needs_rehash(stored_hash))


def dummy_hash(params: PasswordParams) -> str:
    """A well-formed Argon2id hash with these parameters that no password matches.

    Built from the parameters alone (fixed salt, all-zero tag), so it costs no hashing.

    :param params: the parameters to encode.
    :return: a PHC string for :func:`dummy_verify`.
    """

    def b64(data: bytes) -> str:
        return base64.b64encode(data).decode("ascii").rstrip("=")

    salt = bytes(range(params.salt_len))
    tag = bytes(params.hash_len)
    return (
        f"$argon2id$v=19$m={params.memory_cost},t={params.time_cost},p={params.parallelism}"
        f"${b64(salt)}${b64(tag)}"
    )


def dummy_verify(params: PasswordParams) -> None:
    """Spend the time of one password verification, for a login to an unknown account.

    Call it where :func:`verify_password` would run if the account existed, so that the
    answer time does not tell which accounts exist.

    :param params: the current parameters (those that new hashes are made with).
    """
    try:
        _hasher(params).verify(dummy_hash(params), "")
    except VerificationError:
        pass


@cache
def common_passwords() -> frozenset[str]:
    """The bundled blocklist (``wallet/data/common-passwords.txt``), read once.

    :return: the entries, NFKC-normalised and lower case.
    """
    text = resources.files("wallet").joinpath("data", "common-passwords.txt").read_text("utf-8")
    entries = (normalise_password(line.strip()).lower() for line in text.splitlines())
    return frozenset(entry for entry in entries if entry)


def password_problems(password: str, *, email: str | None) -> list[str]:
    """Every rule of the policy that a new password breaks.

    :param password: the password as typed; it is NFKC-normalised first.
    :param email: the account's e-mail address, if known; its local part must not appear in
        the password (case-insensitive) when it has :data:`MIN_CONTEXT_WORD_CHARS` or more.
    :return: the messages of the broken rules (:data:`TOO_SHORT`, :data:`TOO_LONG`,
        :data:`COMMON`, :data:`CONTAINS_EMAIL`, :data:`ONE_CHARACTER`), empty when it passes.
        A password over the maximum is reported as too long and not examined further.
    """
    normalised = normalise_password(password)
    problems: list[str] = []
    if len(normalised) < MIN_PASSWORD_CHARS:
        problems.append(TOO_SHORT)
    if len(normalised) > MAX_PASSWORD_CHARS:
        problems.append(TOO_LONG)
        return problems
    folded = normalised.lower()
    if folded in common_passwords():
        problems.append(COMMON)
    if email is not None:
        address = normalise_password(email).strip().lower()
        local_part = address.rpartition("@")[0] if "@" in address else address
        if len(local_part) >= MIN_CONTEXT_WORD_CHARS and local_part in folded:
            problems.append(CONTAINS_EMAIL)
    if len(set(normalised)) == 1:
        problems.append(ONE_CHARACTER)
    return problems


def check_password_policy(password: str, *, email: str | None) -> None:
    """Refuse a new password that breaks the policy, naming every broken rule.

    :param password: the password as typed.
    :param email: the account's e-mail address, if known.
    :raises WeakPasswordError: with one :class:`FieldProblem` at :data:`PASSWORD_POINTER` per
        broken rule; neither the description nor the problems contain the password.
    """
    problems = password_problems(password, email=email)
    if problems:
        raise WeakPasswordError(
            "the password does not meet the password policy",
            [FieldProblem(PASSWORD_POINTER, message) for message in problems],
        )
