"""The second factor: time-based one-time passwords and recovery codes.

TOTP is RFC 6238 with what authenticator apps expect: HMAC-SHA-1, 6 digits, a 30-second step,
T0 = 0, and a 160-bit secret (the HMAC-SHA-1 key length that RFC 4226 §4 recommends) shown to
the user as base32 in an ``otpauth://`` URI (the Google Authenticator key URI format). pyotp
computes the HOTP value of one step (RFC 4226 §5.3); the choice of steps, the comparison and
replay detection are ours. pyotp's own ``verify`` returns a bool and stops at the first match,
and ``verify_and_get_timecode`` returns the earliest matching step: neither can refuse a code
of a step already used, and both NFKC-normalise the input, so full-width digits would pass.
:func:`check_code` computes the code of each acceptable step, compares every one in constant
time, accepts ASCII digits only and returns the step it matched, which the caller stores as
``last_used_step``: a code of that step or an earlier one is then refused (RFC 6238 §5.2: the
verifier must not accept the second attempt of the same OTP).

Recovery codes are 12 symbols of Crockford's base32 (no I, L, O or U), 60 random bits each,
shown as ``xxxx-xxxx-xxxx``. Being random and high-entropy, they are stored as keyed hashes
(HMAC-SHA256 under a key derived from the service secret), not with a slow password hash.

Time (``now``) and randomness (``random_bytes``) are parameters.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence

import pyotp

from wallet.errors import InputError, SecondFactorError
from wallet.jose import constant_time_equal, derive_secret, keyed_hash

DIGITS = 6
STEP_SECONDS = 30
#: Steps accepted on either side of the current one, for clock drift (RFC 6238 §5.2 and §6
#: recommend at most one step of network delay and a tolerance for drift).
DRIFT_STEPS = 1
SECRET_BYTES = 20
ISSUER_NAME = "IMK Wallet"
#: Longer input is refused before it is normalised (a code is 6 digits, maybe with spaces).
MAX_CODE_CHARS = 32

#: Crockford's base32 alphabet, lower case: no i, l, o or u, so nothing reads as another symbol.
RECOVERY_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
RECOVERY_GROUPS = 3
RECOVERY_GROUP_CHARS = 4
RECOVERY_CODE_COUNT = 10
#: Crockford's decoding rule: o reads as zero, i and l as one.
_CONFUSABLES = str.maketrans({"o": "0", "i": "1", "l": "1"})

_FAILURE = "the second-factor code is not valid"


def new_secret(random_bytes: Callable[[int], bytes]) -> str:
    """A new TOTP secret: 160 random bits, base32 without padding (32 characters).

    :param random_bytes: a CSPRNG such as ``secrets.token_bytes``.
    :return: the secret, to store and to show in :func:`provisioning_uri`.
    """
    return base64.b32encode(random_bytes(SECRET_BYTES)).decode("ascii")


def _totp(secret: str, digits: int) -> pyotp.TOTP:
    return pyotp.TOTP(secret, digits=digits, interval=STEP_SECONDS)


def time_step(now: int) -> int:
    """The RFC 6238 time step ``T = floor((now - T0) / X)`` with T0 = 0 and X = 30.

    :param now: Unix time in seconds.
    :return: the step number.
    """
    return now // STEP_SECONDS


def code_at(secret: str, *, now: int, digits: int = DIGITS) -> str:
    """The code an authenticator app shows at ``now``.

    :param secret: the base32 secret.
    :param now: Unix time in seconds (not before 1970).
    :param digits: code length; 6 for the service, 8 for the RFC 6238 test vectors.
    :return: the code, zero-padded.
    :raises ValueError: when ``secret`` is not a usable base32 secret.
    """
    return _totp(secret, digits).generate_otp(time_step(now))


def provisioning_uri(secret: str, *, account_name: str, issuer_name: str = ISSUER_NAME) -> str:
    """The ``otpauth://totp/...`` URI that an authenticator app reads from a QR code.

    :param secret: the base32 secret.
    :param account_name: how the app labels the account, usually the e-mail address.
    :param issuer_name: the service name shown by the app.
    :return: the URI, with label ``issuer:account`` and the ``issuer`` parameter.
    :raises InputError: when either name contains a colon, which the key URI format forbids.
    """
    if ":" in account_name or ":" in issuer_name:
        raise InputError("the account and issuer names of a TOTP key must not contain ':'")
    return _totp(secret, DIGITS).provisioning_uri(name=account_name, issuer_name=issuer_name)


def _normalise_code(code: str) -> str | None:
    if len(code) > MAX_CODE_CHARS:
        return None
    digits = "".join(code.split())
    if len(digits) != DIGITS or not (digits.isascii() and digits.isdigit()):
        return None
    return digits


def check_code(secret: str, code: str, *, now: int, last_used_step: int | None) -> int:
    """Accept a TOTP code of the current step or one step either side, once.

    Every acceptable step is computed and compared in constant time, without stopping at the
    first match. If the code matches several steps (one chance in a million), the latest
    unused one is returned.

    :param secret: the account's base32 secret.
    :param code: the code as typed; spaces are ignored, only ASCII digits are accepted.
    :param now: Unix time in seconds.
    :param last_used_step: the step returned by the last successful check, or ``None``.
    :return: the matched step; store it as the next ``last_used_step``.
    :raises SecondFactorError: for a malformed code, a wrong one, and one whose step is not
        after ``last_used_step`` (a replay); one description for all three.
    :raises ValueError: when ``secret`` is not a usable base32 secret (a stored-data fault).
    """
    digits = _normalise_code(code)
    if digits is None:
        raise SecondFactorError(_FAILURE)
    totp = _totp(secret, DIGITS)
    current = time_step(now)
    steps = range(max(current - DRIFT_STEPS, 0), current + DRIFT_STEPS + 1)
    matched = [step for step in steps if constant_time_equal(totp.generate_otp(step), digits)]
    fresh = [step for step in matched if last_used_step is None or step > last_used_step]
    if not fresh:
        raise SecondFactorError(_FAILURE)
    return max(fresh)


def recovery_code_key(master: bytes) -> bytes:
    """The HMAC key for recovery-code hashes, derived from the service secret.

    :param master: the service's master secret.
    :return: a 32-byte key used for nothing else.
    """
    return derive_secret(master, "imk/recovery-code")


def new_recovery_codes(
    random_bytes: Callable[[int], bytes], count: int = RECOVERY_CODE_COUNT
) -> list[str]:
    """New one-time recovery codes, shown to the user once.

    :param random_bytes: a CSPRNG such as ``secrets.token_bytes``.
    :param count: how many codes.
    :return: codes like ``7k2m-q9x4-h0tr``: 12 symbols of 5 bits, 60 bits each.
    """
    length = RECOVERY_GROUPS * RECOVERY_GROUP_CHARS
    codes = []
    for _ in range(count):
        # 256 is a multiple of 32, so each byte modulo 32 is a uniform symbol.
        symbols = "".join(RECOVERY_ALPHABET[byte % 32] for byte in random_bytes(length))
        groups = [
            symbols[i : i + RECOVERY_GROUP_CHARS] for i in range(0, length, RECOVERY_GROUP_CHARS)
        ]
        codes.append("-".join(groups))
    return codes


def _canonical_recovery_code(code: str) -> str | None:
    """Lower case, without dashes or spaces, Crockford's look-alikes mapped; None if malformed."""
    if len(code) > 4 * RECOVERY_GROUPS * RECOVERY_GROUP_CHARS:
        return None
    compact = "".join(code.replace("-", " ").split()).lower().translate(_CONFUSABLES)
    if len(compact) != RECOVERY_GROUPS * RECOVERY_GROUP_CHARS:
        return None
    if any(symbol not in RECOVERY_ALPHABET for symbol in compact):
        return None
    return compact


def hash_recovery_code(code: str, key: bytes) -> str:
    """The keyed hash to store for a recovery code.

    :param code: a code from :func:`new_recovery_codes`, in any case, with or without dashes.
    :param key: the key from :func:`recovery_code_key`.
    :return: HMAC-SHA256 of the canonical code, base64url.
    :raises InputError: when ``code`` is not shaped like a recovery code.
    """
    canonical = _canonical_recovery_code(code)
    if canonical is None:
        raise InputError("not a recovery code")
    return keyed_hash(key, canonical)


def match_recovery_code(code: str, hashes: Sequence[str], key: bytes) -> int | None:
    """Find which stored recovery code was typed.

    Every stored hash is compared in constant time, without stopping at a match. Pass only
    the hashes of unused codes (or mark a used slot with ``""``, which matches nothing), and
    retire the returned one at once.

    :param code: the code as typed; case, dashes, spaces and Crockford's look-alikes (o, i, l)
        do not matter.
    :param hashes: the stored hashes from :func:`hash_recovery_code`.
    :param key: the key from :func:`recovery_code_key`.
    :return: the index of the matching hash, or ``None`` for a wrong or malformed code.
    """
    canonical = _canonical_recovery_code(code)
    if canonical is None:
        return None
    typed = keyed_hash(key, canonical)
    found: int | None = None
    for index, stored in enumerate(hashes):
        if constant_time_equal(stored, typed) and found is None:
            found = index
    return found
