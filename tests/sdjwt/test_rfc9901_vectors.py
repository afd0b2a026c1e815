"""The examples of RFC 9901 (see ``rfc9901_examples.py`` for their provenance) as vectors."""

from __future__ import annotations

import pytest

from tests.sdjwt import rfc9901_examples as rfc
from tests.sdjwt.helpers import unb64
from wallet.errors import DisclosureError, HeaderError, KeyBindingError
from wallet.jose import JWK, public_jwk
from wallet.sdjwt import KeyBindingPolicy, VerifiedSDJWT, present, split_sd_jwt, verify_sd_jwt
from wallet.sdjwt.encoding import HASH_FUNCTIONS, decode_disclosure, digest

SHA256 = HASH_FUNCTIONS["sha-256"]
POLICY = KeyBindingPolicy(aud=rfc.KB_AUD, nonce=rfc.KB_NONCE, max_age_seconds=300)


@pytest.fixture(scope="module")
def issuer() -> JWK:
    return public_jwk(rfc.ISSUER_JWK)


def _verify(serialized: str, issuer: JWK, **options: object) -> VerifiedSDJWT:
    options.setdefault("typ", {rfc.EXAMPLE_TYP})
    options.setdefault("required_claims", ())
    options.setdefault("now", rfc.KB_IAT)
    return verify_sd_jwt(serialized, issuer_key=lambda _h, _p: issuer, **options)  # type: ignore[arg-type]


def test_object_disclosure_and_digest() -> None:
    # RFC 9901 §4.2.1 and §4.2.3.
    assert digest(SHA256, rfc.MOBIUS_DISCLOSURE) == rfc.MOBIUS_DIGEST
    assert decode_disclosure(rfc.MOBIUS_DISCLOSURE) == rfc.MOBIUS_CONTENTS


@pytest.mark.parametrize("variant", rfc.MOBIUS_VARIANTS, ids=["escaped", "compact", "newlines"])
def test_other_encodings_of_one_disclosure_decode_alike(variant: str) -> None:
    # RFC 9901 §4.2.1: no canonicalization; the digest is over the string as sent.
    assert decode_disclosure(variant) == rfc.MOBIUS_CONTENTS
    assert digest(SHA256, variant) != rfc.MOBIUS_DIGEST


def test_array_element_disclosure_and_digest() -> None:
    # RFC 9901 §4.2.2 and §4.2.4.2.
    assert digest(SHA256, rfc.FR_DISCLOSURE) == rfc.FR_DIGEST
    assert decode_disclosure(rfc.FR_DISCLOSURE) == rfc.FR_CONTENTS


@pytest.mark.parametrize(
    ("text", "expected", "contents"),
    rfc.SECTION_5_DISCLOSURES,
    ids=[
        str(c[-2]) if len(c) == 3 else f"element-{c[-1]}" for _, _, c in rfc.SECTION_5_DISCLOSURES
    ],
)
def test_section_5_disclosures(text: str, expected: str, contents: list[object]) -> None:
    # RFC 9901 §5.1: each Disclosure, its digest, its contents.
    assert digest(SHA256, text) == expected
    assert decode_disclosure(text) == contents


def test_recursive_disclosure_digest() -> None:
    # RFC 9901 §6.3: the address Disclosure carries the digests of its own members.
    assert digest(SHA256, rfc.RECURSIVE_ADDRESS_DISCLOSURE) == rfc.RECURSIVE_ADDRESS_DIGEST
    _salt, name, value = decode_disclosure(rfc.RECURSIVE_ADDRESS_DISCLOSURE)
    assert name == "address"
    assert value == {"_sd": rfc.RECURSIVE_ADDRESS_INNER}


def test_section_5_presentation_with_key_binding(issuer: JWK) -> None:
    # RFC 9901 §5.2: the SD-JWT+KB verifies and yields the Processed SD-JWT Payload.
    result = _verify(rfc.SECTION_5_PRESENTATION, issuer, key_binding=POLICY)
    assert result.claims == rfc.SECTION_5_PROCESSED
    assert sorted(result.disclosed) == sorted(
        [("family_name",), ("address",), ("given_name",), ("nationalities", 0)]
    )
    assert result.key_binding is not None
    assert result.key_binding.payload["sd_hash"] == rfc.SECTION_5_SD_HASH
    presented = rfc.SECTION_5_PRESENTATION[: -len(rfc.SECTION_5_KB_JWT)]
    assert digest(SHA256, presented) == rfc.SECTION_5_SD_HASH


def test_section_5_issuance_processes_every_claim(issuer: JWK) -> None:
    # RFC 9901 §5.1: the issued SD-JWT (all Disclosures) as a Holder checks it (§7.2).
    result = _verify(rfc.SECTION_5_ISSUED, issuer, key_binding=None)
    assert result.payload["_sd_alg"] == "sha-256"
    assert result.claims["nationalities"] == ["US", "DE"]
    assert result.claims["updated_at"] == 1570000000
    assert "_sd" not in result.claims and "_sd_alg" not in result.claims
    assert len(result.disclosed) == len(rfc.SECTION_5_DISCLOSURES)


def test_section_5_presentation_rebuilt_by_present(issuer: JWK) -> None:
    # Our Holder, choosing the claims of RFC 9901 §5.2, presents the same Disclosures.
    keep = {("family_name",), ("address",), ("given_name",), ("nationalities", 0)}
    ours = present(rfc.SECTION_5_ISSUED, keep=keep)
    assert set(split_sd_jwt(ours, max_chars=10**6, max_disclosures=64).disclosures) == set(
        rfc.SECTION_5_PRESENTED
    )
    assert _verify(ours, issuer, key_binding=None).claims == rfc.SECTION_5_PROCESSED


def test_appendix_a1_structured_with_decoys(issuer: JWK) -> None:
    # RFC 9901 Appendix A.1: decoy digests in both _sd arrays are ignored.
    result = _verify(rfc.A1_PRESENTATION, issuer, key_binding=None)
    assert result.claims == rfc.A1_PROCESSED
    assert sorted(result.disclosed) == [("address", "country"), ("address", "region")]
    all_digests = set(result.payload["_sd"]) | set(result.payload["address"]["_sd"])
    assert set(rfc.A1_DECOYS) <= all_digests


def test_appendix_a3_sd_jwt_vc_with_key_binding(issuer: JWK) -> None:
    # RFC 9901 Appendix A.3: an SD-JWT VC (dc+sd-jwt) with a recursive Disclosure and KB-JWT,
    # verified with the SD-JWT VC defaults (typ, vct required, never-disclosable claims).
    result = verify_sd_jwt(
        rfc.A3_PRESENTATION, issuer_key=lambda _h, _p: issuer, now=rfc.KB_IAT, key_binding=POLICY
    )
    assert result.header["typ"] == "dc+sd-jwt"
    assert result.claims == rfc.A3_PROCESSED
    assert sorted(result.disclosed) == [
        ("age_equal_or_over",),
        ("age_equal_or_over", "18"),
        ("nationalities",),
    ]
    assert result.key_binding is not None
    assert result.key_binding.payload["sd_hash"] == rfc.A3_SD_HASH


def test_rfc_presentation_refused_for_the_wrong_verifier(issuer: JWK) -> None:
    other = KeyBindingPolicy(aud="https://other.example", nonce=rfc.KB_NONCE)
    with pytest.raises(KeyBindingError) as caught:
        _verify(rfc.SECTION_5_PRESENTATION, issuer, key_binding=other)
    assert caught.value.reason == "aud"


def test_rfc_presentation_refused_as_dc_sd_jwt(issuer: JWK) -> None:
    # The §5 examples are typed example+sd-jwt; an SD-JWT VC verifier refuses them (§9.11).
    with pytest.raises(HeaderError):
        verify_sd_jwt(
            rfc.SECTION_5_PRESENTATION,
            issuer_key=lambda _h, _p: issuer,
            now=rfc.KB_IAT,
            key_binding=POLICY,
        )


def test_rfc_disclosure_moved_into_another_sd_jwt_is_unreferenced(issuer: JWK) -> None:
    # A genuine Disclosure of Appendix A.1 appended to the §5 SD-JWT references nothing there.
    foreign = split_sd_jwt(rfc.A1_PRESENTATION, max_chars=10**6, max_disclosures=64).disclosures[0]
    with pytest.raises(DisclosureError) as caught:
        _verify(rfc.SECTION_5_JWT + "~" + foreign + "~", issuer, key_binding=None)
    assert caught.value.reason == "unreferenced"


def test_example_kb_jwt_header() -> None:
    # RFC 9901 §4.3: the KB-JWT of §5.2 is typed kb+jwt and signed with ES256.
    header = unb64(rfc.SECTION_5_KB_JWT.split(".")[0])
    assert header == b'{"alg": "ES256", "typ": "kb+jwt"}'
