"""Verifying an SD-JWT or SD-JWT+KB (RFC 9901 §7.1, §7.3; SD-JWT VC §3.4).

The order of the checks:

1. Size caps and the split into Issuer-signed JWT, Disclosures and KB-JWT (§7.1 step 1).
2. The Verifier's Key Binding policy against what was sent (§7.3 steps 1–2, §4): a KB-JWT
   where none is expected, or none where one is required, is refused before any work.
   The policy is the caller's, never inferred from the presentation (§9.5).
3. The Issuer-signed JWT: strict parse, ``typ`` and ``alg`` allow-lists (never ``none``),
   the signature with the key the caller's ``issuer_key`` resolves (§7.1 step 2, §9.11).
4. ``_sd_alg`` understood and allowed (§7.1 step 2.4).
5. The Disclosures (§7.1 steps 3–5; see ``process.py``).
6. ``exp`` and ``nbf`` of the processed payload against ``now``, and the claims the caller
   requires (§7.1 step 6; SD-JWT VC requires ``vct``).
7. The KB-JWT (§7.3 step 5): the Holder's key from ``cnf.jwk`` (small-order Ed25519 points
   refused), ``typ`` ``kb+jwt``, the algorithm, the signature, ``iat`` within the policy's
   window, ``aud`` and ``nonce`` equal to this transaction's, and ``sd_hash`` over exactly
   the presented ``<jwt>~<d1>~...~<dn>~``.

Every refusal raises a :class:`~wallet.errors.WalletError` subclass; KB-JWT failures are
:class:`~wallet.errors.KeyBindingError` with a ``reason``, the jose error chained.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

from wallet.errors import (
    AlgorithmError,
    ExpiredCredentialError,
    HeaderError,
    InvalidSignatureError,
    KeyBindingError,
    MalformedValueError,
    NotYetValidError,
    ParseError,
    PayloadTooLargeError,
    WalletError,
)
from wallet.jose import (
    JWK,
    MAX_TOKEN_CHARS,
    VERIFYING_ALGORITHMS,
    cached_public_jwk,
    check_header,
    parse_compact,
    verify_signature,
)
from wallet.sdjwt.encoding import HashFunction, digest, hash_function, split_sd_jwt
from wallet.sdjwt.model import (
    DEFAULT_SD_ALG,
    KB_JWT_TYP,
    MAX_DEPTH,
    MAX_DISCLOSURES,
    NEVER_DISCLOSABLE,
    SD_ALG,
    SD_HASH,
    SD_JWT_VC_TYPES,
    KeyBinding,
    KeyBindingPolicy,
    VerifiedSDJWT,
)
from wallet.sdjwt.process import process_disclosures

#: ``_sd_alg`` values accepted unless the caller says otherwise (RFC 9901 §4.1.1).
SD_ALGORITHMS = frozenset({DEFAULT_SD_ALG})
_KB_TYPES = frozenset({KB_JWT_TYP})

IssuerKeyResolver = Callable[[Mapping[str, Any], Mapping[str, Any]], JWK]


def verify_sd_jwt(
    serialized: str,
    *,
    issuer_key: IssuerKeyResolver,
    now: int,
    key_binding: KeyBindingPolicy | None,
    typ: Collection[str] = SD_JWT_VC_TYPES,
    algorithms: Collection[str] = VERIFYING_ALGORITHMS,
    sd_algorithms: frozenset[str] = SD_ALGORITHMS,
    never_disclosed: frozenset[str] = NEVER_DISCLOSABLE,
    required_claims: Collection[str] = ("vct",),
    leeway_seconds: int = 0,
    max_disclosures: int = MAX_DISCLOSURES,
    max_chars: int = MAX_TOKEN_CHARS,
    max_depth: int = MAX_DEPTH,
) -> VerifiedSDJWT:
    """Verify ``serialized`` and return its processed claims (RFC 9901 §7.1 and §7.3).

    A Holder checking an SD-JWT on arrival passes ``key_binding=None``, which also refuses
    an SD-JWT+KB (§7.2).

    :param issuer_key: the caller's resolution of the (untrusted) header and payload, e.g.
        ``iss`` and ``kid``, to a key it trusts for that issuer; it raises to refuse (§7.1
        step 2.3, SD-JWT VC §3.5).
    :param now: the current time (seconds since the epoch) for ``exp``, ``nbf`` and ``iat``.
    :param key_binding: the Verifier's policy; None when it expects an SD-JWT without KB-JWT.
    :param typ: accepted ``typ`` values of the Issuer-signed JWT (§9.11).
    :param algorithms: accepted signature algorithms of the Issuer-signed JWT.
    :param sd_algorithms: accepted ``_sd_alg`` values.
    :param never_disclosed: top-level claims refused as Disclosures (SD-JWT VC §3.2.2.2).
    :param required_claims: top-level claims the processed payload must have (§7.1 step 6).
    :param leeway_seconds: clock skew allowed on ``exp`` and ``nbf``.
    :raises PayloadTooLargeError: above ``max_chars``, ``max_disclosures`` or ``max_depth``.
    :raises ParseError: when the text is not an SD-JWT or its JWT not a strict compact JWS.
    :raises AlgorithmError: for a refused signature algorithm or ``_sd_alg``.
    :raises HeaderError: for a wrong ``typ`` or other refused header members.
    :raises InvalidSignatureError: when the Issuer's signature does not verify.
    :raises DisclosureError: for every Disclosure refusal (``reason`` says which).
    :raises ExpiredCredentialError, NotYetValidError: outside ``nbf``/``exp``.
    :raises MalformedValueError: for a missing required claim or a non-numeric time.
    :raises KeyBindingError: for every KB-JWT refusal (``reason`` says which).
    """
    jwt, disclosures, kb_jwt = split_sd_jwt(
        serialized, max_chars=max_chars, max_disclosures=max_disclosures
    )
    if key_binding is None and kb_jwt is not None:
        raise KeyBindingError(
            "a Key Binding JWT was presented where an SD-JWT without one is expected",
            reason="unexpected",
        )
    if key_binding is not None and key_binding.required and kb_jwt is None:
        raise KeyBindingError("the presentation has no Key Binding JWT", reason="missing")
    parsed = parse_compact(jwt)
    header, payload = parsed.header, parsed.payload
    check_header(header, typ=typ, algorithms=algorithms, require_kid=False)
    verify_signature(parsed, issuer_key(header, payload))
    hash_fn = hash_function(payload.get(SD_ALG, DEFAULT_SD_ALG), sd_algorithms)
    claims, found = process_disclosures(
        payload,
        disclosures,
        hash_fn=hash_fn,
        never_disclosed=never_disclosed,
        max_depth=max_depth,
    )
    _check_validity(claims, now=now, leeway=leeway_seconds)
    missing = [name for name in required_claims if name not in claims]
    if missing:
        raise MalformedValueError(f"the SD-JWT lacks the required claims {sorted(missing)}")
    binding = None
    if kb_jwt is not None and key_binding is not None:
        presented = serialized[: len(serialized) - len(kb_jwt)]
        binding = _verify_key_binding(
            kb_jwt, presented=presented, claims=claims, policy=key_binding, hash_fn=hash_fn, now=now
        )
    return VerifiedSDJWT(
        header=header,
        payload=payload,
        claims=claims,
        disclosed=tuple(entry.path for entry in found),
        key_binding=binding,
    )


def _numeric_date(claims: Mapping[str, Any], name: str) -> float | None:
    value = claims.get(name)
    if value is None and name not in claims:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MalformedValueError(f"the claim {name!r} is not a NumericDate (RFC 7519 §2)")
    return value


def _check_validity(claims: Mapping[str, Any], *, now: int, leeway: int) -> None:
    """``exp`` and ``nbf`` (RFC 7519 §4.1.4–§4.1.5) of the processed payload (§7.1 step 6)."""
    exp = _numeric_date(claims, "exp")
    if exp is not None and now >= exp + leeway:
        raise ExpiredCredentialError("the SD-JWT has expired (exp)")
    nbf = _numeric_date(claims, "nbf")
    if nbf is not None and now + leeway < nbf:
        raise NotYetValidError("the SD-JWT is not yet valid (nbf)")
    _numeric_date(claims, "iat")


def _holder_key(claims: Mapping[str, Any]) -> JWK:
    """The Holder's key: ``cnf.jwk`` (RFC 7800 §3.2; RFC 9901 §4.1.2; SD-JWT VC §3.2.2.2)."""
    cnf = claims.get("cnf")
    jwk = cnf.get("jwk") if isinstance(cnf, dict) else None
    if not isinstance(jwk, dict):
        raise KeyBindingError("the SD-JWT names no Holder key (cnf.jwk)", reason="holder_key")
    try:
        return cached_public_jwk(jwk)
    except WalletError as exc:
        raise KeyBindingError(
            f"the Holder key in cnf.jwk is refused: {exc.description}", reason="holder_key"
        ) from exc


def _verify_key_binding(
    kb_jwt: str,
    *,
    presented: str,
    claims: Mapping[str, Any],
    policy: KeyBindingPolicy,
    hash_fn: HashFunction,
    now: int,
) -> KeyBinding:
    """RFC 9901 §7.3 step 5 and §4.3; raises :class:`KeyBindingError` with a ``reason``."""
    holder = _holder_key(claims)
    try:
        parsed = parse_compact(kb_jwt)
    except (ParseError, PayloadTooLargeError) as exc:
        raise KeyBindingError("the Key Binding JWT is not a compact JWT", "malformed") from exc
    header, payload = parsed.header, parsed.payload
    if header.get("typ") != KB_JWT_TYP:
        raise KeyBindingError("the Key Binding JWT's typ is not kb+jwt", reason="typ")
    try:
        check_header(header, typ=_KB_TYPES, algorithms=policy.algorithms, require_kid=False)
        verify_signature(parsed, holder)
    except AlgorithmError as exc:
        raise KeyBindingError(
            f"the Key Binding JWT's algorithm is refused: {exc.description}", reason="alg"
        ) from exc
    except HeaderError as exc:
        raise KeyBindingError(
            f"the Key Binding JWT's header is refused: {exc.description}", reason="header"
        ) from exc
    except InvalidSignatureError as exc:
        raise KeyBindingError(
            "the Key Binding JWT is not signed by the Holder key in cnf", reason="signature"
        ) from exc
    iat = payload.get("iat")
    if isinstance(iat, bool) or not isinstance(iat, int | float):
        raise KeyBindingError("the Key Binding JWT has no numeric iat", reason="iat")
    if iat > now + policy.future_skew_seconds:
        raise KeyBindingError("the Key Binding JWT was issued in the future", reason="future")
    if policy.max_age_seconds is not None and now - iat > policy.max_age_seconds:
        raise KeyBindingError("the Key Binding JWT is too old", reason="stale")
    if "exp" in payload or "nbf" in payload:
        # RFC 9901 §7.3 step 5.8: the KB-JWT is valid "in all other respects" (RFC 7519).
        try:
            _check_validity(payload, now=now, leeway=0)
        except ExpiredCredentialError as exc:
            raise KeyBindingError("the Key Binding JWT has expired", reason="exp") from exc
        except NotYetValidError as exc:
            raise KeyBindingError("the Key Binding JWT is not yet valid", reason="nbf") from exc
        except MalformedValueError as exc:
            raise KeyBindingError(exc.description, reason="malformed") from exc
    aud = payload.get("aud")
    if not isinstance(aud, str) or aud != policy.aud:
        raise KeyBindingError("the Key Binding JWT is for another audience", reason="aud")
    nonce = payload.get("nonce")
    if not isinstance(nonce, str) or nonce != policy.nonce:
        raise KeyBindingError("the Key Binding JWT carries another nonce", reason="nonce")
    if payload.get(SD_HASH) != digest(hash_fn, presented):
        raise KeyBindingError(
            "the Key Binding JWT's sd_hash does not match the presented SD-JWT", reason="sd_hash"
        )
    return KeyBinding(header=header, payload=payload, holder_key=holder)
