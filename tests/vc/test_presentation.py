"""vp+jwt presentations, the pure part: building, securing, unwrapping and the checks
of VC 2.0 §4.13 and VC-JOSE-COSE §3.2 (no database, no clock, no verifier context)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from wallet.dids import did_jwk
from wallet.errors import DataModelError, ParseError, PresentationError
from wallet.jose import (
    SigningKey,
    generate_signing_key,
    parse_compact,
    sign_compact,
    verify_signature,
)
from wallet.vc import (
    CREDENTIALS_V2,
    ENVELOPED_VP,
    MAX_PRESENTED,
    PresentationPolicy,
    build_presentation,
    check_audience,
    check_freshness,
    check_kid,
    check_nonce,
    check_presentation,
    check_subject_is_holder,
    envelope_presentation,
    presentation_of,
    secure_vp_jwt,
    vp_jwt_of,
)

NOW = 1_790_000_000
#: A compact JWS standing in for a vc+jwt (the pure part never opens it).
VC_TOKEN = "eyJhbGciOiJFUzI1NiJ9.eyJ0eXBlIjoiVmVyaWZpYWJsZUNyZWRlbnRpYWwifQ.c2ln"


@pytest.fixture(scope="module")
def key() -> SigningKey:
    return generate_signing_key("ES256")


@pytest.fixture(scope="module")
def holder(key: SigningKey) -> str:
    return did_jwk(key.public.members)


def policy(**changes: Any) -> PresentationPolicy:
    base: dict[str, Any] = {"aud": "hr.example.lv", "nonce": "n-1", "max_age_seconds": 300}
    base.update(changes)
    return PresentationPolicy(**base)


def test_the_presentation_envelopes_each_credential(holder: str) -> None:
    vp = build_presentation(holder=holder, credentials=[VC_TOKEN, VC_TOKEN + "x"])
    assert vp["@context"] == [CREDENTIALS_V2]
    assert vp["type"] == ["VerifiablePresentation"]
    assert vp["holder"] == holder
    assert vp["verifiableCredential"][1] == {
        "@context": [CREDENTIALS_V2],
        "type": "EnvelopedVerifiableCredential",
        "id": f"data:application/vc+jwt,{VC_TOKEN}x",
    }
    assert check_presentation(vp).credentials == (VC_TOKEN, VC_TOKEN + "x")


def test_secured_as_vp_jwt_with_the_holders_key(key: SigningKey, holder: str) -> None:
    vp = build_presentation(holder=holder, credentials=[VC_TOKEN])
    token = secure_vp_jwt(
        vp, key=key, kid=f"{holder}#0", aud="hr.example.lv", nonce="n-1", iat=NOW, exp=NOW + 60
    )
    parsed = parse_compact(token)
    assert parsed.header == {"kid": f"{holder}#0", "typ": "vp+jwt", "cty": "vp", "alg": "ES256"}
    assert parsed.payload["aud"] == "hr.example.lv"
    assert parsed.payload["nonce"] == "n-1"
    assert (parsed.payload["iat"], parsed.payload["exp"]) == (NOW, NOW + 60)
    assert presentation_of(parsed.payload) == vp
    verify_signature(parsed, key.public)


def test_a_presentation_carrying_jwt_claims_is_not_secured(key: SigningKey, holder: str) -> None:
    vp = build_presentation(holder=holder, credentials=[VC_TOKEN])
    with pytest.raises(DataModelError, match="nonce"):
        secure_vp_jwt({**vp, "nonce": "x"}, key=key, kid="k", aud="a", nonce="n", iat=NOW)


def test_every_accepted_form_unwraps_to_the_compact_token(key: SigningKey, holder: str) -> None:
    token = secure_vp_jwt(
        build_presentation(holder=holder, credentials=[VC_TOKEN]),
        key=key, kid=f"{holder}#0", aud="a", nonce="n", iat=NOW,
    )  # fmt: skip
    enveloped = envelope_presentation(token)
    assert enveloped["type"] == ENVELOPED_VP
    assert vp_jwt_of(token) == token
    assert vp_jwt_of(f" {token}\n") == token
    assert vp_jwt_of(enveloped["id"]) == token
    assert vp_jwt_of(enveloped) == token
    assert vp_jwt_of({"id": enveloped["id"]}) == token


@pytest.mark.parametrize(
    "value",
    ["a.b.c~d~", "data:application/dc+sd-jwt,a.b.c~", {"id": "data:application/vc+jwt,a.b.c"},
     {"type": "VerifiablePresentation"}, "not a token", 42, None],
    ids=["sd-jwt", "sd-jwt-data-url", "enveloped-vc", "unsecured-vp", "text", "number", "none"],
)  # fmt: skip
def test_what_is_not_a_vp_jwt_is_left_to_the_other_paths(value: Any) -> None:
    assert vp_jwt_of(value) is None


@pytest.mark.parametrize(
    "value",
    ["data:application/vp+jwt,a.b", "data:application/vp+jwt,a.b.c~",
     {"id": "data:application/vp+jwt,a.b.c", "type": "EnvelopedVerifiableCredential"}],
    ids=["two-segments", "sd-jwt-inside", "wrong-type"],
)  # fmt: skip
def test_a_malformed_enveloped_vp_jwt_is_a_parse_error(value: Any) -> None:
    with pytest.raises(ParseError):
        vp_jwt_of(value)


def _vp(holder: str) -> dict[str, Any]:
    return build_presentation(holder=holder, credentials=[VC_TOKEN])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda vp: vp.update({"@context": ["https://example.org/ctx"]}), "@context"),
        (lambda vp: vp.update({"type": ["VerifiableCredential"]}), "VerifiablePresentation"),
        (lambda vp: vp.pop("holder"), "holder"),
        (lambda vp: vp.update({"holder": "not a url"}), "holder"),
        (lambda vp: vp.update({"id": "no url"}), "id must be a URL"),
        (lambda vp: vp.update({"proof": {"type": "DataIntegrityProof"}}), "proof"),
        (lambda vp: vp.update({"verifiableCredential": []}), "no credential"),
        (lambda vp: vp.pop("verifiableCredential"), "no credential"),
        (lambda vp: vp.update({"verifiableCredential": [VC_TOKEN]}), "Enveloped"),
        (lambda vp: vp["verifiableCredential"][0].update(
            {"id": "data:application/dc+sd-jwt,a.b.c~"}), "vc\\+jwt URL"),
        (lambda vp: vp["verifiableCredential"][0].update(
            {"id": "data:application/vc+jwt,abc"}), "compact JWS"),
        (lambda vp: vp["verifiableCredential"][0].update({"@context": []}), "@context"),
        (lambda vp: vp.update(
            {"verifiableCredential": vp["verifiableCredential"] * (MAX_PRESENTED + 1)}),
         "at most"),
    ],
    ids=["context", "type", "no-holder", "holder-not-url", "id", "embedded-proof", "empty",
         "missing", "not-enveloped", "sd-jwt-inside", "not-compact", "vc-context", "too-many"],
)  # fmt: skip
def test_a_presentation_that_breaks_the_data_model_is_refused(
    holder: str, change: Any, message: str
) -> None:
    vp = copy.deepcopy(_vp(holder))
    change(vp)
    with pytest.raises(DataModelError, match=message):
        check_presentation(vp)


def test_a_holder_object_with_an_id_is_accepted(holder: str) -> None:
    vp = {**_vp(holder), "holder": {"id": holder, "name": "Anna"}}
    assert check_presentation(vp).holder == holder


def test_build_refuses_an_empty_presentation(holder: str) -> None:
    with pytest.raises(DataModelError, match="no credential"):
        build_presentation(holder=holder, credentials=[])


def test_the_kid_must_be_the_holders_first_key(holder: str) -> None:
    check_kid(f"{holder}#0", holder)
    for kid in (holder, f"{holder}#1", "did:jwk:other#0", None):
        with pytest.raises(PresentationError) as caught:
            check_kid(kid, holder)
        assert caught.value.reason == "kid"


@pytest.mark.parametrize(
    "aud", ["other.example", ["hr.example.lv"], None], ids=["other", "array", "missing"]
)
def test_audience_must_be_the_policys_single_string(aud: Any) -> None:
    assert check_audience({"aud": "hr.example.lv"}, policy()) == "hr.example.lv"
    with pytest.raises(PresentationError) as caught:
        check_audience({"aud": aud}, policy())
    assert caught.value.reason == "aud"


@pytest.mark.parametrize("nonce", ["n-2", "", 1, None], ids=["other", "empty", "number", "none"])
def test_nonce_must_be_the_policys(nonce: Any) -> None:
    assert check_nonce({"nonce": "n-1"}, policy()) == "n-1"
    with pytest.raises(PresentationError) as caught:
        check_nonce({"nonce": nonce}, policy())
    assert caught.value.reason == "nonce"


@pytest.mark.parametrize(
    ("claims", "rules", "reason"),
    [
        ({}, {}, "iat"),
        ({"iat": "1790000000"}, {}, "iat"),
        ({"iat": True}, {}, "iat"),
        ({"iat": NOW + 61}, {}, "future"),
        ({"iat": NOW - 301}, {}, "stale"),
        ({"iat": NOW - 10}, {"earliest_iat": NOW - 5}, "window"),
        ({"iat": NOW - 10}, {"latest_iat": NOW - 20, "max_age_seconds": None}, "window"),
        ({"iat": NOW, "exp": NOW}, {}, "exp"),
        ({"iat": NOW, "nbf": NOW + 1}, {}, "nbf"),
        ({"iat": NOW, "exp": "later"}, {}, "iat"),
    ],
    ids=["missing", "string", "bool", "future", "stale", "before-window", "after-window",
         "expired", "not-yet", "exp-not-integer"],
)  # fmt: skip
def test_freshness_refusals_name_their_reason(
    claims: dict[str, Any], rules: dict[str, Any], reason: str
) -> None:
    with pytest.raises(PresentationError) as caught:
        check_freshness(claims, policy(**rules), now=NOW)
    assert caught.value.reason == reason


def test_freshness_accepts_skew_and_a_share_lifetime_without_max_age() -> None:
    assert check_freshness({"iat": NOW + 60}, policy(), now=NOW) == NOW + 60
    assert check_freshness({"iat": NOW - 300, "exp": NOW + 1}, policy(), now=NOW) == NOW - 300
    share = policy(max_age_seconds=None, earliest_iat=NOW - 86_400 * 30, latest_iat=NOW + 3600)
    assert check_freshness({"iat": NOW - 86_400 * 29}, share, now=NOW) == NOW - 86_400 * 29


def test_every_subject_must_be_the_holder(holder: str) -> None:
    check_subject_is_holder({"credentialSubject": {"id": holder}}, holder)
    check_subject_is_holder({"credentialSubject": [{"id": holder}, {"id": holder}]}, holder)
    for subject in ({"id": "did:jwk:someone-else"}, {}, [{"id": holder}, {"id": "did:x:y"}], [],
                    None):  # fmt: skip
        with pytest.raises(PresentationError) as caught:
            check_subject_is_holder({"credentialSubject": subject}, holder)
        assert caught.value.reason == "subject"


def test_the_header_alg_comes_from_the_key(holder: str) -> None:
    ed25519 = generate_signing_key("EdDSA")
    token = secure_vp_jwt(_vp(holder), key=ed25519, kid="k", aud="a", nonce="n", iat=NOW)
    assert parse_compact(token).header["alg"] == "EdDSA"
    # sign_compact is what secure_vp_jwt builds on: the same header, the same payload.
    again = sign_compact(
        {"kid": "k", "typ": "vp+jwt", "cty": "vp"},
        {**_vp(holder), "aud": "a", "nonce": "n", "iat": NOW},
        ed25519,
    )
    assert parse_compact(again).payload == parse_compact(token).payload
