"""Presenting an SD-JWT: choosing Disclosures and adding a Key Binding JWT (RFC 9901 §7.2, §4.3).

The Holder verified the SD-JWT when it arrived (:func:`wallet.sdjwt.verify_sd_jwt` with
``key_binding=None``); presenting processes it again (§7.1 step 3) to learn where each
Disclosure belongs, without checking the Issuer's signature a second time.

Which claims to reveal is chosen by paths into the Holder's fully disclosed view of the
claims (array indices count that view's elements), either as a set of claim paths, where
None matches every index, or as a function of the path and the processed value. A chosen
nested claim brings the Disclosures of the claims that contain it, since a Disclosure must
connect to the Issuer-signed JWT through its parents (§4.2.6, §7.2 step 2).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from wallet.errors import InputError, ParseError
from wallet.jose import MAX_TOKEN_CHARS, SigningKey, parse_compact, sign_compact, thumbprint
from wallet.sdjwt.encoding import digest, hash_function, split_sd_jwt
from wallet.sdjwt.model import (
    DEFAULT_SD_ALG,
    KB_JWT_TYP,
    MAX_DEPTH,
    MAX_DISCLOSURES,
    SD_ALG,
    SD_HASH,
    ClaimPath,
    ConcretePath,
)
from wallet.sdjwt.process import Found, process_disclosures

Selector = Callable[[ConcretePath, Any], bool]


def _matches(path: ConcretePath, pattern: ClaimPath) -> bool:
    if len(path) != len(pattern):
        return False
    return all(
        want == part or (want is None and isinstance(part, int))
        for part, want in zip(path, pattern, strict=True)
    )


def _selector(keep: Selector | Collection[ClaimPath]) -> Selector:
    if callable(keep):
        return keep
    if isinstance(keep, str):
        raise InputError("keep is a collection of claim paths, e.g. {('birthDate',)}")
    exact = {tuple(pattern) for pattern in keep if None not in pattern}
    wildcards = [tuple(pattern) for pattern in keep if None in pattern]

    def chosen(path: ConcretePath, _value: Any) -> bool:
        return path in exact or any(_matches(path, pattern) for pattern in wildcards)

    return chosen


def _selected(found: list[Found], keep: Selector) -> list[int]:
    """Indices of the Disclosures to present: the chosen ones and all their ancestors."""
    parent_of = {entry.position: entry.parent for entry in found}
    chosen: set[int] = set()
    for entry in found:
        if keep(entry.path, entry.value):
            index = entry.position
            while index >= 0 and index not in chosen:
                chosen.add(index)
                index = parent_of[index]
    return sorted(chosen)


def present(
    serialized: str,
    *,
    keep: Selector | Collection[ClaimPath],
    holder_key: SigningKey | None = None,
    aud: str | None = None,
    nonce: str | None = None,
    iat: int | None = None,
    max_disclosures: int = MAX_DISCLOSURES,
    max_chars: int = MAX_TOKEN_CHARS,
) -> str:
    """Build a presentation of the SD-JWT ``serialized`` revealing the claims ``keep`` chooses.

    Without ``holder_key`` the result is an SD-JWT, ``<jwt>~<d...>~``; with it, an SD-JWT+KB
    whose KB-JWT (header ``typ`` ``kb+jwt``, ``alg`` of the key) carries ``iat``, ``aud``,
    ``nonce`` and ``sd_hash`` over the presented SD-JWT (§4.3, §4.3.1).

    :param keep: claim paths to reveal (None matches any array index), or a function of
        (path, processed value) returning True for the claims to reveal.
    :param holder_key: the private key whose public half is the credential's ``cnf.jwk``.
    :param aud: the Verifier (a single string, §4.3); required with ``holder_key``.
    :param nonce: the Verifier's nonce; required with ``holder_key``.
    :param iat: the time of the presentation; required with ``holder_key``.
    :raises InputError: for an SD-JWT+KB as input (§7.2), a missing ``aud``/``nonce``/``iat``
        with ``holder_key``, or a ``holder_key`` that is not the credential's ``cnf`` key.
    :raises ParseError, DisclosureError, AlgorithmError: when the SD-JWT itself is broken.
    """
    jwt, disclosures, kb_jwt = split_sd_jwt(
        serialized, max_chars=max_chars, max_disclosures=max_disclosures
    )
    if kb_jwt is not None:
        raise InputError("a Holder presents an SD-JWT, not an SD-JWT+KB (RFC 9901 §7.2)")
    payload = parse_compact(jwt).payload
    hash_fn = hash_function(payload.get(SD_ALG, DEFAULT_SD_ALG))
    # The Verifier enforces which claims may not be Disclosures; the Holder only chooses.
    claims, found = process_disclosures(
        payload, disclosures, hash_fn=hash_fn, never_disclosed=frozenset(), max_depth=MAX_DEPTH
    )
    chosen = _selected(found, _selector(keep))
    sd_jwt = "".join((jwt, "~", *(disclosures[index] + "~" for index in chosen)))
    if holder_key is None:
        return sd_jwt
    if not isinstance(aud, str) or not isinstance(nonce, str):
        raise InputError("a Key Binding JWT needs the Verifier's aud and nonce as strings")
    if not isinstance(iat, int) or isinstance(iat, bool):
        raise InputError("a Key Binding JWT needs iat, the time of the presentation")
    cnf = claims.get("cnf")
    bound = cnf.get("jwk") if isinstance(cnf, dict) else None
    if not isinstance(bound, dict) or holder_key.public.thumbprint != _thumbprint(bound):
        raise InputError("the holder key is not the key this credential is bound to (cnf.jwk)")
    kb_payload = {"iat": iat, "aud": aud, "nonce": nonce, SD_HASH: digest(hash_fn, sd_jwt)}
    return sd_jwt + sign_compact({"typ": KB_JWT_TYP}, kb_payload, holder_key)


def _thumbprint(jwk: dict[str, Any]) -> str | None:
    try:
        return thumbprint(jwk)
    except ParseError:
        return None
