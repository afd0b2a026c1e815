"""SD-JWT (RFC 9901) and SD-JWT VC (draft-ietf-oauth-sd-jwt-vc): issue, present, verify.

Pure functions: no database, web, settings or clock. Time (``now``, ``iat``) and randomness
(``salt``) are parameters; keys come in as :class:`wallet.jose.SigningKey` and
:class:`wallet.jose.JWK`. Every refusal raises a :class:`wallet.errors.WalletError`
subclass; Disclosure and Key Binding failures carry a ``reason``.

Issuer::

    signer = sd_jwt_signer(key, kid=kid)                     # typ dc+sd-jwt, once per key
    paths = compile_sd_paths([("birthDate",), ("achievement", "courses", None)])
    issued = issue_sd_jwt(claims, signer=signer, sd_paths=paths, salt=lambda: urandom(16))
    issued.serialized                                        # "<jwt>~<d1>~...~<dn>~"

Holder::

    verify_sd_jwt(issued.serialized, issuer_key=..., now=now, key_binding=None)  # on arrival
    presentation = present(issued.serialized, keep={("birthDate",)}, holder_key=holder,
                           aud="https://verifier.example", nonce=nonce, iat=now)

Verifier::

    result = verify_sd_jwt(presentation, issuer_key=resolve, now=now,
                           key_binding=KeyBindingPolicy(aud="https://verifier.example",
                                                        nonce=nonce))
    result.claims, result.disclosed, result.key_binding

``issuer_key(header, payload) -> JWK`` is the caller's trust decision (``iss`` and ``kid`` to
a key of that issuer); ``verify_sd_jwt`` never takes a key from the token itself.
"""

from wallet.sdjwt.encoding import HASH_FUNCTIONS, SplitSDJWT, split_sd_jwt
from wallet.sdjwt.issue import SDPaths, compile_sd_paths, issue_sd_jwt, sd_jwt_signer
from wallet.sdjwt.model import (
    DEFAULT_SD_ALG,
    KB_JWT_TYP,
    MAX_DEPTH,
    MAX_DISCLOSURES,
    NEVER_DISCLOSABLE,
    SD_JWT_VC_TYP,
    SD_JWT_VC_TYPES,
    ClaimPath,
    ConcretePath,
    IssuedSDJWT,
    KeyBinding,
    KeyBindingPolicy,
    VerifiedSDJWT,
)
from wallet.sdjwt.present import present
from wallet.sdjwt.verify import SD_ALGORITHMS, IssuerKeyResolver, verify_sd_jwt

__all__ = [
    "DEFAULT_SD_ALG",
    "HASH_FUNCTIONS",
    "KB_JWT_TYP",
    "MAX_DEPTH",
    "MAX_DISCLOSURES",
    "NEVER_DISCLOSABLE",
    "SD_ALGORITHMS",
    "SD_JWT_VC_TYP",
    "SD_JWT_VC_TYPES",
    "ClaimPath",
    "ConcretePath",
    "IssuedSDJWT",
    "IssuerKeyResolver",
    "KeyBinding",
    "KeyBindingPolicy",
    "SDPaths",
    "SplitSDJWT",
    "VerifiedSDJWT",
    "compile_sd_paths",
    "issue_sd_jwt",
    "present",
    "sd_jwt_signer",
    "split_sd_jwt",
    "verify_sd_jwt",
]
