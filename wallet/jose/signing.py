"""Private signing keys: generate, sign, and store as encrypted PKCS#8 PEM.

Our own issuers sign only with EdDSA (Ed25519) and ES256 (DESIGN §4). Key files are
encrypted with a passphrase that the keystore derives from the service's high-entropy
secret; cryptography's PKCS#8 encryption uses PBKDF2 with few rounds
(``reference/security.md`` F5), which is sound only because that passphrase is a 256-bit
random value and never a human password.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from wallet.errors import AlgorithmError, InputError
from wallet.jose.jwk import JWK, SIGNING_ALGORITHMS, public_key_jwk, raw_signature_from_der

PrivateKey = Ed25519PrivateKey | ec.EllipticCurvePrivateKey
_ECDSA_SHA256 = ec.ECDSA(hashes.SHA256())


@dataclass(frozen=True)
class SigningKey:
    """A private key bound to one algorithm; ``public`` is its verifying half."""

    alg: str
    private: PrivateKey = field(repr=False)
    public: JWK = field(repr=False)

    def sign(self, data: bytes) -> bytes:
        """Sign ``data``; the result is in JWS form (raw r‖s for ES256)."""
        if isinstance(self.private, Ed25519PrivateKey):
            return self.private.sign(data)
        return raw_signature_from_der(self.private.sign(data, _ECDSA_SHA256), 32)


def _wrap(private: PrivateKey) -> SigningKey:
    if isinstance(private, Ed25519PrivateKey):
        alg = "EdDSA"
    elif isinstance(private, ec.EllipticCurvePrivateKey) and isinstance(
        private.curve, ec.SECP256R1
    ):
        alg = "ES256"
    else:
        raise AlgorithmError("signing keys must be Ed25519 or P-256")
    public = public_key_jwk(private.public_key(), alg=alg)
    return SigningKey(alg=alg, private=private, public=public)


def generate_signing_key(alg: str) -> SigningKey:
    """Generate a fresh key for ``alg`` ("EdDSA" or "ES256") from the OS CSPRNG.

    :raises AlgorithmError: for any other algorithm.
    """
    if alg not in SIGNING_ALGORITHMS:
        raise AlgorithmError(f"our issuers sign only with {sorted(SIGNING_ALGORITHMS)}")
    if alg == "EdDSA":
        return _wrap(Ed25519PrivateKey.generate())
    return _wrap(ec.generate_private_key(ec.SECP256R1()))


def encrypt_pem(key: SigningKey, passphrase: bytes) -> bytes:
    """Serialise the private key as PKCS#8 PEM encrypted with ``passphrase``."""
    return key.private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase),
    )


def load_pem(data: bytes, passphrase: bytes | None) -> SigningKey:
    """Load a PKCS#8 (or traditional) PEM private key, encrypted or not.

    :raises InputError: when the file is not a readable private key or the passphrase is wrong.
    :raises AlgorithmError: when the key is not Ed25519 or P-256.
    """
    try:
        private = serialization.load_pem_private_key(data, password=passphrase)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise InputError("not a readable PEM private key (or the passphrase is wrong)") from exc
    if not isinstance(private, Ed25519PrivateKey | ec.EllipticCurvePrivateKey):
        raise AlgorithmError("signing keys must be Ed25519 or P-256")
    return _wrap(private)


def private_der(key: SigningKey) -> bytes:
    """The private key as unencrypted PKCS#8 DER, for a caller that seals it itself."""
    return key.private.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def load_der(data: bytes) -> SigningKey:
    """Load a key written by :func:`private_der`.

    :raises InputError: when the bytes are not a private key; :raises AlgorithmError: when
        it is not Ed25519 or P-256.
    """
    try:
        private = serialization.load_der_private_key(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise InputError("not a readable private key") from exc
    if not isinstance(private, Ed25519PrivateKey | ec.EllipticCurvePrivateKey):
        raise AlgorithmError("signing keys must be Ed25519 or P-256")
    return _wrap(private)
