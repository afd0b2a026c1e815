"""JWK Sets of others (RFC 7517 §5): strict reading, choosing the key, optional ``typ``.

The RSA keys come from joserfc, so the set is published by an implementation other than
ours; the EC and Ed25519 keys from wallet.jose.
"""

from __future__ import annotations

from typing import Any

import pytest
from joserfc import jws
from joserfc.jwk import RSAKey

from wallet.errors import (
    AlgorithmError,
    HeaderError,
    ParseError,
    PayloadTooLargeError,
    UnknownKeyError,
)
from wallet.jose import (
    JWKSet,
    check_header,
    generate_signing_key,
    parse_compact,
    parse_jwk_set,
    verify_signature,
)
from wallet.jose.jwkset import MAX_JWK_SET_KEYS


@pytest.fixture(scope="module")
def rsa() -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": "rsa-1"})


@pytest.fixture(scope="module")
def members(rsa: RSAKey) -> list[dict[str, Any]]:
    ec = generate_signing_key("ES256").public.to_dict(kid="ec-1")
    ed = generate_signing_key("EdDSA").public.to_dict(kid="ed-1")
    return [dict(rsa.as_dict(private=False)), ec, ed]


def test_chosen_key_verifies_a_token_signed_by_joserfc(
    rsa: RSAKey, members: list[dict[str, Any]]
) -> None:
    token = jws.serialize_compact({"alg": "RS256", "kid": "rsa-1"}, b'{"a":1}', rsa)
    parsed = parse_compact(token)
    verify_signature(parsed, parse_jwk_set({"keys": members}).key_for(kid="rsa-1", alg="RS256"))


def test_rsa_key_without_alg_binds_to_the_tokens_algorithm(members: list[dict[str, Any]]) -> None:
    keys = parse_jwk_set({"keys": members})
    assert keys.key_for(kid="rsa-1", alg="PS256").alg == "PS256"
    assert keys.key_for(kid="ec-1", alg="ES256").alg == "ES256"


def test_declared_alg_of_the_key_wins(members: list[dict[str, Any]]) -> None:
    keys = parse_jwk_set({"keys": [dict(members[0], alg="RS256")]})
    with pytest.raises(AlgorithmError):
        keys.key_for(kid="rsa-1", alg="PS256")


@pytest.mark.parametrize(
    ("kid", "alg"),
    [
        pytest.param("nope", "RS256", id="unknown-kid"),
        pytest.param("rsa-1", "ES256", id="kid-of-another-type"),
        pytest.param("ec-1", "EdDSA", id="alg-of-another-type"),
        pytest.param("rsa-1", "HS256", id="symmetric"),
    ],
)
def test_no_fitting_key_is_unknown(members: list[dict[str, Any]], kid: str, alg: str) -> None:
    with pytest.raises(UnknownKeyError):
        parse_jwk_set({"keys": members}).key_for(kid=kid, alg=alg)


def test_token_without_kid_needs_exactly_one_fitting_key(members: list[dict[str, Any]]) -> None:
    keys = parse_jwk_set({"keys": members})
    assert keys.key_for(kid=None, alg="EdDSA").alg == "EdDSA"
    two = JWKSet(keys=(members[1], dict(members[1], kid="ec-2")))
    with pytest.raises(UnknownKeyError):
        two.key_for(kid=None, alg="ES256")


def test_encryption_keys_and_unknown_types_are_skipped(members: list[dict[str, Any]]) -> None:
    encryption = dict(members[1], use="enc")
    unknown = {"kty": "oct", "k": "AAAA", "kid": "ec-1"}
    keys = parse_jwk_set({"keys": [encryption, unknown, members[1]]})
    assert keys.key_for(kid="ec-1", alg="ES256").members == {
        name: members[1][name] for name in ("kty", "crv", "x", "y")
    }
    with pytest.raises(UnknownKeyError):
        parse_jwk_set({"keys": [encryption]}).key_for(kid="ec-1", alg="ES256")


def test_private_key_in_the_set_is_refused(rsa: RSAKey) -> None:
    keys = parse_jwk_set({"keys": [dict(rsa.as_dict(private=True))]})
    with pytest.raises(ParseError):
        keys.key_for(kid="rsa-1", alg="RS256")


@pytest.mark.parametrize(
    "document",
    [
        pytest.param({}, id="no-keys"),
        pytest.param({"keys": {}}, id="keys-not-array"),
        pytest.param({"keys": ["x"]}, id="key-not-object"),
        pytest.param({"keys": [{"kty": "EC", "kid": 1}]}, id="kid-not-string"),
        pytest.param([], id="not-an-object"),
    ],
)
def test_malformed_sets_are_refused(document: Any) -> None:
    with pytest.raises(ParseError):
        parse_jwk_set(document)


def test_huge_set_is_refused() -> None:
    with pytest.raises(PayloadTooLargeError):
        parse_jwk_set({"keys": [{"kty": "EC"}] * (MAX_JWK_SET_KEYS + 1)})


# --- check_header(require_typ=False), for ID tokens whose typ is optional ---------------------

ALGS = frozenset({"RS256"})


def test_optional_typ_may_be_absent() -> None:
    check_header(
        {"alg": "RS256"}, typ={"JWT"}, algorithms=ALGS, require_kid=False, require_typ=False
    )
    with pytest.raises(HeaderError):
        check_header({"alg": "RS256"}, typ={"JWT"}, algorithms=ALGS, require_kid=False)


@pytest.mark.parametrize("typ", ["at+jwt", "", None, ["JWT"], {"JWT": 1}])
def test_optional_typ_when_present_must_be_allowed(typ: Any) -> None:
    header = {"alg": "RS256", "typ": typ}
    with pytest.raises(HeaderError):
        check_header(header, typ={"JWT"}, algorithms=ALGS, require_kid=False, require_typ=False)
