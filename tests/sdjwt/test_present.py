"""Holder-side rules of ``present`` (RFC 9901 §7.2, §4.3)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.sdjwt.helpers import AUD, NONCE, NOW, VCT, digest, salt, unb64, verify
from wallet.errors import InputError
from wallet.jose import SigningKey, generate_signing_key
from wallet.sdjwt import IssuedSDJWT, issue_sd_jwt, present, sd_jwt_signer


@pytest.fixture(scope="module")
def issuer() -> SigningKey:
    return generate_signing_key("ES256")


@pytest.fixture(scope="module")
def holder() -> SigningKey:
    return generate_signing_key("EdDSA")


def issued(issuer: SigningKey, holder: SigningKey | None) -> IssuedSDJWT:
    claims: dict[str, Any] = {
        "iss": "https://wallet.test/issuers/x",
        "vct": VCT,
        "address": {"street": "Brīvības 1", "city": "Rīga"},
        "courses": [{"code": "A"}, {"code": "B"}],
    }
    if holder is not None:
        claims["cnf"] = {"jwk": holder.public.to_dict()}
    paths = [("address",), ("address", "street"), ("address", "city"), ("courses", None)]
    return issue_sd_jwt(claims, signer=sd_jwt_signer(issuer), sd_paths=paths, salt=salt)


def test_nested_claim_brings_its_parent(issuer: SigningKey, holder: SigningKey) -> None:
    # RFC 9901 §4.2.6: city alone cannot connect to the payload without address.
    sd = issued(issuer, holder)
    result = verify(
        present(sd.serialized, keep={("address", "city")}), issuer.public, key_binding=None
    )
    assert result.claims["address"] == {"city": "Rīga"}
    assert sorted(result.disclosed) == [("address",), ("address", "city")]


def test_wildcard_selects_every_element(issuer: SigningKey, holder: SigningKey) -> None:
    sd = issued(issuer, holder)
    result = verify(
        present(sd.serialized, keep={("courses", None)}), issuer.public, key_binding=None
    )
    assert result.claims["courses"] == [{"code": "A"}, {"code": "B"}]


def test_key_binding_jwt_shape(issuer: SigningKey, holder: SigningKey) -> None:
    # RFC 9901 §4.3: header typ kb+jwt and alg of the key; payload iat, aud, nonce, sd_hash.
    sd = issued(issuer, holder)
    presentation = present(
        sd.serialized, keep=set(), holder_key=holder, aud=AUD, nonce=NONCE, iat=NOW
    )
    sd_jwt, kb = presentation.rsplit("~", 1)
    header, payload = (json.loads(unb64(part)) for part in kb.split(".")[:2])
    assert header == {"typ": "kb+jwt", "alg": "EdDSA"}
    assert payload == {"iat": NOW, "aud": AUD, "nonce": NONCE, "sd_hash": digest(sd_jwt + "~")}


@pytest.mark.parametrize(
    "missing", [{"aud": None}, {"nonce": None}, {"iat": None}, {"aud": ["a", "b"]}]
)
def test_key_binding_needs_aud_nonce_iat(
    issuer: SigningKey, holder: SigningKey, missing: dict[str, Any]
) -> None:
    sd = issued(issuer, holder)
    options: dict[str, Any] = {"aud": AUD, "nonce": NONCE, "iat": NOW, **missing}
    with pytest.raises(InputError):
        present(sd.serialized, keep=set(), holder_key=holder, **options)


def test_holder_key_must_be_the_cnf_key(issuer: SigningKey, holder: SigningKey) -> None:
    sd = issued(issuer, holder)
    with pytest.raises(InputError):
        present(
            sd.serialized,
            keep=set(),
            holder_key=generate_signing_key("EdDSA"),
            aud=AUD,
            nonce=NONCE,
            iat=NOW,
        )


def test_unbound_credential_cannot_get_key_binding(issuer: SigningKey, holder: SigningKey) -> None:
    sd = issued(issuer, None)
    with pytest.raises(InputError):
        present(sd.serialized, keep=set(), holder_key=holder, aud=AUD, nonce=NONCE, iat=NOW)


def test_presented_disclosures_keep_issuance_order(issuer: SigningKey, holder: SigningKey) -> None:
    sd = issued(issuer, holder)
    chosen = present(sd.serialized, keep=lambda path, _value: True).split("~")[1:-1]
    assert chosen == list(sd.disclosures)


def test_keep_as_a_bare_string_refused(issuer: SigningKey, holder: SigningKey) -> None:
    with pytest.raises(InputError):
        present(issued(issuer, holder).serialized, keep="address")  # type: ignore[arg-type]
