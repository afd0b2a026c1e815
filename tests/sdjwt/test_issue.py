"""Issuer-side rules: what ``issue_sd_jwt`` refuses to make, and how it lays out digests."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest

from tests.sdjwt.helpers import NOW, VCT, digest, salt, unb64, verify
from wallet.errors import InputError
from wallet.jose import SigningKey, generate_signing_key
from wallet.sdjwt import NEVER_DISCLOSABLE, compile_sd_paths, issue_sd_jwt, sd_jwt_signer


@pytest.fixture(scope="module")
def key() -> SigningKey:
    return generate_signing_key("EdDSA")


def claims(**extra: Any) -> dict[str, Any]:
    return {"iss": "https://wallet.test/issuers/x", "vct": VCT, "iat": NOW, **extra}


def issue(key: SigningKey, value: dict[str, Any], paths: list[Any], **options: Any) -> Any:
    options.setdefault("salt", salt)
    return issue_sd_jwt(value, signer=sd_jwt_signer(key), sd_paths=paths, **options)


def payload_of(jwt: str) -> dict[str, Any]:
    return json.loads(unb64(jwt.split(".")[1]))


@pytest.mark.parametrize("name", sorted(NEVER_DISCLOSABLE))
def test_never_disclosable_claims_refused(key: SigningKey, name: str) -> None:
    # SD-JWT VC §3.2.2.2: iss, nbf, exp, cnf, vct, vct#integrity, status (and aka_vcts).
    with pytest.raises(InputError):
        issue(key, claims(**{name: {"a": 1}}), [(name,)])


def test_path_into_a_never_disclosable_claim_refused(key: SigningKey) -> None:
    # Hiding the members of cnf or status would hide them just as well.
    with pytest.raises(InputError):
        issue(key, claims(cnf={"jwk": {"kty": "OKP"}}), [("cnf", "jwk")])


@pytest.mark.parametrize("name", ["_sd", "...", "_sd_alg"])
def test_reserved_names_refused_in_paths(key: SigningKey, name: str) -> None:
    with pytest.raises(InputError):
        issue(key, claims(a={name: 1}), [("a", name)])


@pytest.mark.parametrize(
    "value",
    [
        {"_sd": ["x"]},
        {"nested": {"...": "x"}},
        {"list": [{"_sd_alg": "sha-256"}]},
    ],
    ids=["top-_sd", "nested-ellipsis", "in-array-_sd_alg"],
)
def test_reserved_names_refused_in_claims(key: SigningKey, value: dict[str, Any]) -> None:
    # RFC 9901 §4.1 rule 7, §4.1.1: the input claims must not use the SD-JWT names.
    with pytest.raises(InputError):
        issue(key, claims(**value), [])


def test_reserved_text_in_values_is_fine(key: SigningKey) -> None:
    # Only member names are reserved; strings such as "..." or "_sd" are ordinary values.
    issued = issue(key, claims(note="...", tag="_sd", quote='x"_sd'), [("note",)])
    assert verify(issued.serialized, key.public, key_binding=None).claims["tag"] == "_sd"


@pytest.mark.parametrize(
    "path",
    [(), ("a", "b", "c"), (0,), ("a", -1), ("a", True), ("a", 1.5), ("a", ["b"])],
    ids=["empty", "into-scalar", "index-first", "negative", "bool", "float", "unhashable"],
)
def test_bad_paths_refused(key: SigningKey, path: tuple[Any, ...]) -> None:
    with pytest.raises(InputError):
        issue(key, claims(a={"b": 1}), [path])


def test_path_as_a_bare_string_refused(key: SigningKey) -> None:
    with pytest.raises(InputError):
        issue(key, claims(a=1), ["a"])


def test_path_shape_mismatch_refused(key: SigningKey) -> None:
    # The claim to hide exists but has another shape: refusing keeps it from staying visible.
    with pytest.raises(InputError):
        issue(key, claims(courses={"a": 1}), [("courses", None)])
    with pytest.raises(InputError):
        issue(key, claims(courses=[1, 2]), [("courses", "a")])


def test_absent_claims_select_nothing(key: SigningKey) -> None:
    issued = issue(key, claims(a=1), [("birthDate",), ("achievement", "grade")])
    assert issued.disclosures == ()


def test_short_salt_refused(key: SigningKey) -> None:
    with pytest.raises(InputError):
        issue(key, claims(a=1), [("a",)], salt=lambda: b"\x00" * 15)


def test_repeating_salt_source_refused(key: SigningKey) -> None:
    # Equal (salt, name, value) make equal digests, which verifiers refuse (§7.1 step 4).
    with pytest.raises(InputError):
        issue(key, claims(a=[1, 1]), [("a", None)], salt=lambda: b"\x07" * 16)


def test_negative_decoys_refused(key: SigningKey) -> None:
    with pytest.raises(InputError):
        issue(key, claims(a=1), [("a",)], decoys=-1)


def test_unsupported_sd_alg_refused(key: SigningKey) -> None:
    with pytest.raises(InputError):
        issue(key, claims(a=1), [("a",)], sd_alg="md5")


def test_sha_512_issuance_verifies_when_allowed(key: SigningKey) -> None:
    issued = issue(key, claims(a=1), [("a",)], sd_alg="sha-512")
    assert payload_of(issued.jwt)["_sd_alg"] == "sha-512"
    result = verify(
        issued.serialized, key.public, key_binding=None, sd_algorithms=frozenset({"sha-512"})
    )
    assert result.claims["a"] == 1


def test_digest_order_is_sorted_not_claim_order(key: SigningKey) -> None:
    # RFC 9901 §4.2.4.1: the order of _sd must not reveal the order of the claims.
    value = claims(**{name: index for index, name in enumerate("zyxwvutsrq")})
    issued = issue(key, value, [(name,) for name in "zyxwvutsrq"])
    sd = payload_of(issued.jwt)["_sd"]
    assert sd == sorted(sd)
    assert sorted(sd) == sorted(digest(d) for d in issued.disclosures)


def test_array_elements_keep_their_positions(key: SigningKey) -> None:
    # RFC 9901 §4.2.4.2: a digest placeholder sits where the element was.
    issued = issue(key, claims(n=["DE", "FR", "US"]), [("n", 1)])
    placeholder = payload_of(issued.jwt)["n"]
    assert placeholder[0] == "DE" and placeholder[2] == "US"
    assert placeholder[1] == {"...": digest(issued.disclosures[0])}


def test_wildcard_and_index_paths_merge(key: SigningKey) -> None:
    value = claims(c=[{"g": 1, "t": "a"}, {"g": 2, "t": "b"}])
    issued = issue(key, value, [("c", None, "g"), ("c", 0)])
    result = verify(issued.serialized, key.public, key_binding=None)
    assert result.claims == value
    assert sorted(result.disclosed) == [("c", 0), ("c", 0, "g"), ("c", 1, "g")]


def test_recursive_disclosures_inner_first(key: SigningKey) -> None:
    # RFC 9901 §4.2.6: the parent's Disclosure carries the inner digests.
    value = claims(address={"street": "Brīvības 1", "city": "Rīga"})
    issued = issue(key, value, [("address",), ("address", "street"), ("address", "city")])
    inner = [json.loads(unb64(d)) for d in issued.disclosures[:2]]
    outer = json.loads(unb64(issued.disclosures[2]))
    assert {name for _, name, _ in inner} == {"street", "city"}
    assert outer[1] == "address"
    assert sorted(outer[2]["_sd"]) == sorted(digest(d) for d in issued.disclosures[:2])


def test_compiled_paths_are_cached(key: SigningKey) -> None:
    paths = [("a",), ("b", None)]
    assert compile_sd_paths(paths) is compile_sd_paths([list(p) for p in paths])


def test_salts_are_fresh_per_disclosure(key: SigningKey) -> None:
    counter = itertools.count()

    def counting_salt() -> bytes:
        return next(counter).to_bytes(16, "big")

    issued = issue(
        key, claims(a=1, b=2, c=[1, 2]), [("a",), ("b",), ("c", None)], salt=counting_salt
    )
    salts = {json.loads(unb64(d))[0] for d in issued.disclosures}
    assert len(salts) == 4
