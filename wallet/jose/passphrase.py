"""Encryption under a passphrase a person chooses (export of a learner's holder keys).

A person's passphrase has little entropy, so the key is derived with scrypt (RFC 7914),
memory-hard, instead of PKCS#8's default PBKDF2 with 2,048 rounds (``reference/security.md``
F5). The default cost n = 2^17, r = 8, p = 1 takes 128 MiB and about half a second per
guess here. The result is a JSON object, readable by anyone with the passphrase and any
scrypt and AES-GCM implementation::

    {"kdf": "scrypt", "n": 131072, "r": 8, "p": 1, "salt": b64url, "enc": "A256GCM",
     "nonce": b64url, "ciphertext": b64url (ciphertext || 16-byte tag)}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from wallet.errors import InputError, ParseError
from wallet.jose.b64 import b64url_decode, b64url_encode

#: Shortest passphrase accepted for an export.
MIN_PASSPHRASE_CHARS = 12
MAX_PASSPHRASE_CHARS = 1024


@dataclass(frozen=True)
class ScryptCost:
    """scrypt's cost parameters (RFC 7914 §2)."""

    n: int = 2**17
    r: int = 8
    p: int = 1


def _key(passphrase: str, salt: bytes, cost: ScryptCost) -> bytes:
    if not MIN_PASSPHRASE_CHARS <= len(passphrase) <= MAX_PASSPHRASE_CHARS:
        raise InputError(
            f"the passphrase must have {MIN_PASSPHRASE_CHARS} to {MAX_PASSPHRASE_CHARS} characters"
        )
    kdf = Scrypt(salt=salt, length=32, n=cost.n, r=cost.r, p=cost.p)
    return kdf.derive(passphrase.encode("utf-8"))


def encrypt_with_passphrase(
    plaintext: bytes, passphrase: str, *, salt: bytes, nonce: bytes, cost: ScryptCost
) -> dict[str, Any]:
    """Encrypt ``plaintext`` under a key derived from ``passphrase``.

    :param salt: 16 fresh random bytes; :param nonce: 12 fresh random bytes.
    :raises InputError: for a passphrase shorter than :data:`MIN_PASSPHRASE_CHARS`.
    """
    key = _key(passphrase, salt, cost)
    return {
        "kdf": "scrypt",
        "n": cost.n,
        "r": cost.r,
        "p": cost.p,
        "salt": b64url_encode(salt),
        "enc": "A256GCM",
        "nonce": b64url_encode(nonce),
        "ciphertext": b64url_encode(AESGCM(key).encrypt(nonce, plaintext, None)),
    }


def decrypt_with_passphrase(document: dict[str, Any], passphrase: str) -> bytes:
    """Open what :func:`encrypt_with_passphrase` made.

    :raises ParseError: for a malformed document, a cost outside sane bounds, or a wrong
        passphrase (one answer).
    """
    try:
        cost = ScryptCost(n=int(document["n"]), r=int(document["r"]), p=int(document["p"]))
        salt = b64url_decode(document["salt"])
        nonce = b64url_decode(document["nonce"])
        ciphertext = b64url_decode(document["ciphertext"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ParseError("not an encrypted export") from exc
    if document.get("kdf") != "scrypt" or document.get("enc") != "A256GCM":
        raise ParseError("not an encrypted export")
    if not (2 <= cost.n <= 2**20 and cost.n & (cost.n - 1) == 0 and 1 <= cost.r <= 32):
        raise ParseError("the export's scrypt cost is out of bounds")
    try:
        return AESGCM(_key(passphrase, salt, cost)).decrypt(nonce, ciphertext, None)
    except InvalidTag as exc:
        raise ParseError("the passphrase is wrong or the export was altered") from exc
