"""The hazmat layer: the only package that imports cryptography or pyjwt.

Everything above it calls these small typed functions. Verification raises a
:class:`wallet.errors.WalletError` subclass; it never returns a bool.
"""

from wallet.jose.b64 import b64url_decode, b64url_encode
from wallet.jose.jwk import (
    JWK,
    SIGNING_ALGORITHMS,
    VERIFYING_ALGORITHMS,
    cached_public_jwk,
    check_ed25519_public_bytes,
    public_jwk,
    thumbprint,
)
from wallet.jose.jwkset import JWKSet, parse_jwk_set
from wallet.jose.jws import (
    MAX_TOKEN_CHARS,
    CompactSigner,
    ParsedJWS,
    RawJWS,
    check_header,
    parse_compact,
    parse_compact_raw,
    peek_header,
    sign_compact,
    signer,
    verify_signature,
)
from wallet.jose.mac import constant_time_equal, derive_secret, keyed_hash
from wallet.jose.passphrase import ScryptCost, decrypt_with_passphrase, encrypt_with_passphrase
from wallet.jose.seal import seal, unseal
from wallet.jose.signing import (
    SigningKey,
    encrypt_pem,
    generate_signing_key,
    load_der,
    load_pem,
    private_der,
)
from wallet.jose.strictjson import dumps_compact, dumps_sorted, loads_array, loads_object

__all__ = [
    "JWK",
    "MAX_TOKEN_CHARS",
    "SIGNING_ALGORITHMS",
    "VERIFYING_ALGORITHMS",
    "CompactSigner",
    "JWKSet",
    "ParsedJWS",
    "RawJWS",
    "ScryptCost",
    "SigningKey",
    "b64url_decode",
    "b64url_encode",
    "cached_public_jwk",
    "check_ed25519_public_bytes",
    "check_header",
    "constant_time_equal",
    "decrypt_with_passphrase",
    "derive_secret",
    "dumps_compact",
    "dumps_sorted",
    "encrypt_pem",
    "encrypt_with_passphrase",
    "generate_signing_key",
    "keyed_hash",
    "load_der",
    "load_pem",
    "loads_array",
    "loads_object",
    "parse_compact",
    "parse_compact_raw",
    "parse_jwk_set",
    "peek_header",
    "private_der",
    "public_jwk",
    "seal",
    "sign_compact",
    "signer",
    "thumbprint",
    "unseal",
    "verify_signature",
]
