"""Authenticated encryption of small secrets at rest (AES-256-GCM).

Used for values the service must read back (a TOTP secret; later, wallet contents), never
for passwords or tokens, which are hashed. A sealed value is ``v1.`` + base64url of
``nonce (12 bytes) || ciphertext || tag``; the associated data binds it to its place (for
example ``account:42:totp``), so a sealed value copied to another row does not open.
"""

from __future__ import annotations

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from wallet.errors import ParseError
from wallet.jose.b64 import b64url_decode, b64url_encode

_PREFIX = "v1."
NONCE_BYTES = 12


def seal(key: bytes, plaintext: bytes, *, nonce: bytes, associated: bytes) -> str:
    """Encrypt and authenticate ``plaintext`` under a 32-byte ``key``.

    :param nonce: 12 fresh random bytes (never reused with the same key).
    :param associated: what the value is bound to; the same bytes are needed to open it.
    """
    if len(key) != 32 or len(nonce) != NONCE_BYTES:
        raise ValueError("seal needs a 32-byte key and a 12-byte nonce")
    return _PREFIX + b64url_encode(nonce + AESGCM(key).encrypt(nonce, plaintext, associated))


def unseal(key: bytes, sealed: str, *, associated: bytes) -> bytes:
    """Open a value made by :func:`seal`.

    :raises ParseError: when it is malformed, was sealed under another key or for another
        place, or was altered.
    """
    if not sealed.startswith(_PREFIX):
        raise ParseError("the sealed value has an unknown version")
    raw = b64url_decode(sealed[len(_PREFIX) :])
    if len(raw) < NONCE_BYTES + 16:
        raise ParseError("the sealed value is too short")
    try:
        return AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], associated)
    except InvalidTag as exc:
        raise ParseError("the sealed value does not open with this key and place") from exc
