"""Issue → present subsets → verify, with EdDSA and ES256 issuers and P-256 and Ed25519 holders."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.sdjwt.helpers import (
    AUD,
    ISS,
    NONCE,
    NOW,
    VCT,
    digest,
    policy,
    salt,
    unb64,
    verify,
)
from wallet.jose import SigningKey, generate_signing_key
from wallet.sdjwt import (
    SD_JWT_VC_TYP,
    ClaimPath,
    IssuedSDJWT,
    compile_sd_paths,
    issue_sd_jwt,
    present,
    sd_jwt_signer,
)

ALGS = ["EdDSA", "ES256"]

#: The SD paths of the diploma type (schemas/diploma/type.json, sd "always" or "allowed").
DIPLOMA_PATHS: list[ClaimPath] = [
    ("givenName",),
    ("familyName",),
    ("birthDate",),
    ("personalCode",),
    ("achievement", "awardingDate"),
    ("achievement", "programme"),
    ("achievement", "workload"),
    ("achievement", "decisionDate"),
    ("achievement", "decisionNumber"),
    ("achievement", "overallGrade"),
    ("achievement", "courses"),
    ("achievement", "courses", None),
    ("achievement", "learningOutcomes"),
]


def diploma_claims(holder: SigningKey) -> dict[str, Any]:
    course = {"title": {"lv": "Operētājsistēmas", "en": "Operating Systems"}, "ects": 6}
    return {
        "iss": ISS,
        "iat": NOW - 86400,
        "vct": VCT,
        "cnf": {"jwk": holder.public.to_dict()},
        "status": {"status_list": {"idx": 7, "uri": "https://wallet.test/status/1"}},
        "givenName": "Līga",
        "familyName": "Ozoliņa",
        "birthDate": "2001-03-14",
        "personalCode": "140301-12345",
        "achievement": {
            "title": {"lv": "Bakalaura grāds", "en": "Bachelor's degree"},
            "eqfLevel": 6,
            "awardingDate": "2025-06-19",
            "programme": {"title": {"lv": "Datorzinātnes"}, "code": "43481"},
            "workload": {"ects": 180},
            "decisionDate": "2025-06-12",
            "decisionNumber": "VPK-2025/14",
            "overallGrade": {"scheme": "LV-10", "value": 8},
            "courses": [
                {**course, "code": "DatZ1234", "grade": {"value": 9}},
                {**course, "code": "DatZ2017", "grade": {"value": 7}},
                {**course, "code": "Filz1021", "grade": {"value": "passed"}},
            ],
            "learningOutcomes": [{"title": {"lv": "Izstrādā algoritmus."}}],
        },
    }


def issue(issuer: SigningKey, holder: SigningKey, **options: Any) -> IssuedSDJWT:
    options.setdefault("sd_paths", DIPLOMA_PATHS)
    return issue_sd_jwt(
        diploma_claims(holder), signer=sd_jwt_signer(issuer, kid="k1"), salt=salt, **options
    )


@pytest.fixture(scope="module", params=ALGS, ids=lambda a: f"issuer-{a}")
def issuer(request: pytest.FixtureRequest) -> SigningKey:
    return generate_signing_key(request.param)


@pytest.fixture(scope="module", params=["ES256", "EdDSA"], ids=["holder-P256", "holder-Ed25519"])
def holder(request: pytest.FixtureRequest) -> SigningKey:
    return generate_signing_key(request.param)


SUBSETS = {
    "nothing": set(),
    "names": {("givenName",), ("familyName",)},
    "one-course": {("achievement", "courses", 1)},
    "all-courses": {("achievement", "courses", None)},
    "grades-and-birth": {("birthDate",), ("achievement", "overallGrade")},
    "six": {
        ("givenName",),
        ("familyName",),
        ("achievement", "awardingDate"),
        ("achievement", "programme"),
        ("achievement", "workload"),
        ("achievement", "decisionDate"),
    },
}


@pytest.mark.parametrize("subset", SUBSETS, ids=list(SUBSETS))
def test_present_subset_and_verify(issuer: SigningKey, holder: SigningKey, subset: str) -> None:
    issued = issue(issuer, holder)
    keep = SUBSETS[subset]
    presentation = present(
        issued.serialized, keep=keep, holder_key=holder, aud=AUD, nonce=NONCE, iat=NOW
    )
    result = verify(presentation, issuer.public)
    claims = result.claims
    full = diploma_claims(holder)
    # Always-visible claims are there, hidden ones only when chosen.
    for name in ("iss", "iat", "vct", "cnf", "status"):
        assert claims[name] == full[name]
    assert claims["achievement"]["title"] == full["achievement"]["title"]
    assert ("givenName" in claims) == (("givenName",) in keep)
    assert ("birthDate" in claims) == (("birthDate",) in keep)
    assert "personalCode" not in claims
    courses = claims["achievement"].get("courses")
    if subset == "one-course":
        assert courses == [full["achievement"]["courses"][1]]
        assert set(result.disclosed) == {("achievement", "courses"), ("achievement", "courses", 0)}
    elif subset == "all-courses":
        assert courses == full["achievement"]["courses"]
    else:
        assert courses is None
    if subset == "six":
        assert len(result.disclosed) == 6
        for path in keep:
            assert path in result.disclosed
    assert result.key_binding is not None
    assert result.key_binding.holder_key.thumbprint == holder.public.thumbprint
    assert result.key_binding.header["alg"] == holder.alg


def test_full_issuance_recovers_every_claim(issuer: SigningKey, holder: SigningKey) -> None:
    issued = issue(issuer, holder)
    result = verify(issued.serialized, issuer.public, key_binding=None)
    assert result.claims == diploma_claims(holder)
    # 4 top-level claims, 8 in achievement, and each of the 3 courses inside courses.
    assert len(issued.disclosures) == 15
    assert len(result.disclosed) == 15


def test_presentation_without_key_binding(issuer: SigningKey, holder: SigningKey) -> None:
    issued = issue(issuer, holder)
    presentation = present(issued.serialized, keep={("familyName",)})
    assert presentation.endswith("~")
    result = verify(presentation, issuer.public, key_binding=None)
    assert result.claims["familyName"] == "Ozoliņa"
    assert result.key_binding is None


def test_optional_key_binding_policy_accepts_both(issuer: SigningKey, holder: SigningKey) -> None:
    issued = issue(issuer, holder)
    bare = present(issued.serialized, keep=set())
    bound = present(issued.serialized, keep=set(), holder_key=holder, aud=AUD, nonce=NONCE, iat=NOW)
    optional = policy(required=False)
    assert verify(bare, issuer.public, key_binding=optional).key_binding is None
    assert verify(bound, issuer.public, key_binding=optional).key_binding is not None


def test_issued_sd_jwt_is_well_formed(issuer: SigningKey, holder: SigningKey) -> None:
    """Cross-check the issuer's output with the standard library, per RFC 9901 §4."""
    issued = issue(issuer, holder, decoys=2)
    header_b64, payload_b64, _ = issued.jwt.split(".")
    header = json.loads(unb64(header_b64))
    payload = json.loads(unb64(payload_b64))
    assert header == {"typ": SD_JWT_VC_TYP, "kid": "k1", "alg": issuer.alg}
    assert payload["_sd_alg"] == "sha-256"
    assert issued.serialized == issued.jwt + "~" + "".join(d + "~" for d in issued.disclosures)
    everything = json.dumps(payload) + "".join(unb64(d).decode() for d in issued.disclosures)
    for text in issued.disclosures:
        items = json.loads(unb64(text))
        assert len(items) in (2, 3)
        assert len(unb64(items[0])) == 16  # 128-bit salts (RFC 9901 §9.3)
        assert everything.count(digest(text)) == 1  # referenced exactly once
    # Digests in _sd are sorted and decoys are added to each _sd (RFC 9901 §4.2.4.1, §4.2.5).
    assert payload["_sd"] == sorted(payload["_sd"])
    assert len(payload["_sd"]) == 4 + 2
    assert len(payload["achievement"]["_sd"]) == 8 + 2
    for name in ("iss", "vct", "cnf", "status", "iat"):
        assert name in payload


def test_precompiled_paths_give_the_same_structure(issuer: SigningKey, holder: SigningKey) -> None:
    compiled = compile_sd_paths(DIPLOMA_PATHS)
    issued = issue(issuer, holder, sd_paths=compiled)
    assert verify(issued.serialized, issuer.public, key_binding=None).claims == diploma_claims(
        holder
    )


def test_no_selectively_disclosable_claims(issuer: SigningKey, holder: SigningKey) -> None:
    # SD-JWT VC §3.2.2.3: then neither _sd nor Disclosures (and we add no _sd_alg either).
    issued = issue(issuer, holder, sd_paths=[])
    assert issued.disclosures == ()
    result = verify(issued.serialized, issuer.public, key_binding=None)
    assert "_sd" not in result.payload and "_sd_alg" not in result.payload
    assert result.claims == diploma_claims(holder)


def test_decoys_in_arrays_are_dropped(issuer: SigningKey, holder: SigningKey) -> None:
    issued = issue(issuer, holder, decoys=lambda real: real + 1)
    payload = json.loads(unb64(issued.jwt.split(".")[1]))
    assert "courses" not in payload["achievement"]  # hidden as a whole
    result = verify(issued.serialized, issuer.public, key_binding=None)
    assert result.claims == diploma_claims(holder)


def test_disclosure_order_does_not_matter(issuer: SigningKey, holder: SigningKey) -> None:
    issued = issue(issuer, holder)
    reordered = issued.jwt + "~" + "".join(d + "~" for d in reversed(issued.disclosures))
    assert verify(reordered, issuer.public, key_binding=None).claims == diploma_claims(holder)


def test_present_with_a_selector_function(issuer: SigningKey, holder: SigningKey) -> None:
    issued = issue(issuer, holder)

    def passed_courses(path: tuple[str | int, ...], value: Any) -> bool:
        return (
            path[:2] == ("achievement", "courses")
            and len(path) == 3
            and (value["grade"]["value"] == "passed")
        )

    result = verify(
        present(issued.serialized, keep=passed_courses), issuer.public, key_binding=None
    )
    assert [c["code"] for c in result.claims["achievement"]["courses"]] == ["Filz1021"]
