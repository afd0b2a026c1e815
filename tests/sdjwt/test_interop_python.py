"""SD-JWT VC interoperability with the reference implementation, PyPI ``sd-jwt`` 0.10.4.

sd-jwt-python (openwallet-foundation-labs) is a test-only oracle (STYLE §5), pinned in the
``test`` extra. Both ways:

- ours → theirs: an SD-JWT VC issued by :func:`issue_sd_jwt` (``typ`` ``dc+sd-jwt``, nested,
  array and recursive Disclosures, decoys) and presented by :func:`present` with a KB-JWT
  from a P-256 holder verifies under ``SDJWTVerifier``, with the same processed claims;
- theirs → ours: an SD-JWT issued by ``SDJWTIssuer`` and presented by ``SDJWTHolder`` with
  key binding verifies with :func:`verify_sd_jwt` under our :class:`KeyBindingPolicy`, and
  its processed claims are exactly what the holder disclosed.

Quirks of the pinned release, which predates RFC 9901:

- ``SDJWTIssuer`` signs with ``typ`` ``example+sd-jwt`` (``SDJWTCommon.SD_JWT_HEADER``, read
  from the ``SD_JWT_HEADER`` environment variable at import) unless
  ``extra_header_parameters`` overrides it; our SD-JWT VC verifier refuses that ``typ``.
- ``SDJWTVerifier`` checks no ``typ`` at all: the issuer-key callback receives the unverified
  header, so our callback checks ``typ``, ``alg`` and ``kid`` before it returns the key.
- It verifies every KB-JWT as ES256 (``DEFAULT_SIGNING_ALG``; the verifier offers no way to
  pass another), so only P-256 holders can be checked there, and it ignores the KB-JWT's
  ``iat`` and the credential's ``exp``/``nbf`` (its "TODO: Check exp/nbf/iat").
- ``SDJWTHolder`` stamps the KB-JWT with ``time.time()`` and takes no clock parameter, so the
  test that verifies its output reads the clock once instead of using the fixed ``NOW``.
- It verifies in its constructor and raises ``ValueError`` for every refusal.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

import pytest
from jwcrypto.jwk import JWK as JoseJWK
from sd_jwt.common import SDJWTCommon, SDObj
from sd_jwt.holder import SDJWTHolder
from sd_jwt.issuer import SDJWTIssuer
from sd_jwt.verifier import SDJWTVerifier

from tests.sdjwt.helpers import AUD, ISS, NONCE, NOW, VCT, diploma_claims, policy, salt, verify
from wallet.errors import HeaderError, KeyBindingError
from wallet.jose import SigningKey, generate_signing_key, public_jwk
from wallet.sdjwt import ClaimPath, IssuedSDJWT, issue_sd_jwt, present, sd_jwt_signer

KID = "k1"

SD_PATHS: list[ClaimPath] = [
    ("givenName",),
    ("familyName",),
    ("birthDate",),
    ("achievement", "programme"),
    ("achievement", "programme", "code"),
    ("achievement", "overallGrade"),
    ("achievement", "courses"),
    ("achievement", "courses", None),
]


def issuer_key_callback(issuer: SigningKey, *, typ: str = "dc+sd-jwt") -> Any:
    """``cb_get_issuer_key`` for SDJWTVerifier: our trust decision, and the ``typ`` check."""
    key = JoseJWK(**issuer.public.to_dict(kid=KID))

    def resolve(iss: str, header: Mapping[str, Any]) -> JoseJWK:
        assert iss == ISS
        assert header["typ"] == typ
        assert header["alg"] == issuer.alg
        assert header["kid"] == KID
        return key

    return resolve


@pytest.fixture(scope="module", params=["ES256", "EdDSA"], ids=lambda alg: f"issuer-{alg}")
def issuer(request: pytest.FixtureRequest) -> SigningKey:
    return generate_signing_key(request.param)


@pytest.fixture(scope="module")
def holder() -> SigningKey:
    # P-256: sd-jwt-python verifies key binding with ES256 only.
    return generate_signing_key("ES256")


def issue(issuer: SigningKey, holder: SigningKey) -> IssuedSDJWT:
    return issue_sd_jwt(
        diploma_claims(holder),
        signer=sd_jwt_signer(issuer, kid=KID),
        sd_paths=SD_PATHS,
        salt=salt,
        decoys=2,
    )


def without(claims: dict[str, Any], *names: str) -> dict[str, Any]:
    return {name: value for name, value in claims.items() if name not in names}


def expected_subset(full: dict[str, Any], subset: str) -> dict[str, Any]:
    """The processed claims of each presentation in SUBSETS, written out by hand."""
    achievement = full["achievement"]
    if subset == "everything":
        return full
    if subset == "nothing":
        return without(full, "givenName", "familyName", "birthDate") | {
            "achievement": {"title": achievement["title"]}
        }
    # "nested-and-one-course": the programme code (its parent comes along) and course 2.
    return without(full, "givenName", "birthDate") | {
        "achievement": {
            "title": achievement["title"],
            "programme": achievement["programme"],
            "courses": [achievement["courses"][2]],
        }
    }


SUBSETS: dict[str, set[ClaimPath] | None] = {
    "everything": None,
    "nothing": set(),
    "nested-and-one-course": {
        ("familyName",),
        ("achievement", "programme", "code"),
        ("achievement", "courses", 2),
    },
}


@pytest.mark.parametrize("subset", SUBSETS, ids=list(SUBSETS))
def test_our_presentation_verifies_under_sd_jwt_python(
    issuer: SigningKey, holder: SigningKey, subset: str
) -> None:
    issued = issue(issuer, holder)
    keep = SUBSETS[subset]
    presentation = present(
        issued.serialized,
        keep=(lambda _path, _value: True) if keep is None else keep,
        holder_key=holder,
        aud=AUD,
        nonce=NONCE,
        iat=NOW,
    )

    theirs = SDJWTVerifier(
        presentation,
        issuer_key_callback(issuer),
        expected_aud=AUD,
        expected_nonce=NONCE,
        serialization_format="compact",
    ).get_verified_payload()

    expected = expected_subset(diploma_claims(holder), subset)
    assert theirs == expected
    assert verify(presentation, issuer.public).claims == expected


def test_our_issuance_verifies_under_sd_jwt_python(issuer: SigningKey, holder: SigningKey) -> None:
    issued = issue(issuer, holder)
    # No expected aud and nonce: an SD-JWT without a KB-JWT, as the Holder receives it.
    theirs = SDJWTVerifier(issued.serialized, issuer_key_callback(issuer)).get_verified_payload()
    assert theirs == diploma_claims(holder)


@pytest.mark.parametrize(
    ("aud", "nonce", "message"),
    [
        pytest.param("https://other.test", NONCE, "Invalid audience", id="aud"),
        pytest.param(AUD, "another-nonce", "Invalid nonce", id="nonce"),
    ],
)
def test_sd_jwt_python_refuses_our_presentation_for_another_transaction(
    issuer: SigningKey, holder: SigningKey, aud: str, nonce: str, message: str
) -> None:
    """The oracle is not vacuous: it does check our KB-JWT's aud and nonce."""
    presentation = present(
        issue(issuer, holder).serialized,
        keep={("givenName",)},
        holder_key=holder,
        aud=AUD,
        nonce=NONCE,
        iat=NOW,
    )
    with pytest.raises(ValueError, match=message):
        SDJWTVerifier(
            presentation, issuer_key_callback(issuer), expected_aud=aud, expected_nonce=nonce
        )


# Theirs → ours.


def their_keys() -> tuple[JoseJWK, JoseJWK]:
    return JoseJWK.generate(kty="EC", crv="P-256"), JoseJWK.generate(kty="EC", crv="P-256")


def their_claims(now: int) -> dict[Any, Any]:
    """Claims for SDJWTIssuer; SDObj marks what is selectively disclosable."""
    return {
        "iss": ISS,
        "iat": now,
        "exp": now + 86400,
        "vct": VCT,
        SDObj("givenName"): "Līga",
        SDObj("familyName"): "Ozoliņa",
        SDObj("birthDate"): "2001-03-14",
        "achievement": {
            "title": {"lv": "Bakalaura grāds"},
            SDObj("programme"): {"title": {"lv": "Datorzinātnes"}, SDObj("code"): "43481"},
            SDObj("overallGrade"): 8,
            # A recursive Disclosure: the array is hidden and so is each of its elements.
            SDObj("courses"): [
                SDObj({"code": "DatZ1234", "grade": 9}),
                SDObj({"code": "DatZ2017", "grade": 7}),
                {"code": "Filz1021", "grade": "passed"},
            ],
        },
    }


def their_presentation(
    issuer_key: JoseJWK, holder_key: JoseJWK, claims: dict[Any, Any], **issuer_options: Any
) -> str:
    issued = SDJWTIssuer(
        claims,
        issuer_key,
        holder_key,
        sign_alg="ES256",
        add_decoy_claims=True,
        **issuer_options,
    )
    holder = SDJWTHolder(issued.sd_jwt_issuance)
    holder.create_presentation(
        {
            "familyName": True,
            "achievement": {"programme": {"code": True}, "courses": [False, True, True]},
        },
        nonce=NONCE,
        aud=AUD,
        holder_key=holder_key,
        sign_alg="ES256",
    )
    return holder.sd_jwt_presentation


def test_sd_jwt_python_presentation_verifies_with_us() -> None:
    issuer_key, holder_key = their_keys()
    now = int(time.time())  # Their holder stamps iat with time.time() (module docstring).
    presentation = their_presentation(
        issuer_key,
        holder_key,
        their_claims(now),
        extra_header_parameters={"typ": "dc+sd-jwt", "kid": KID},
    )

    issuer_public = public_jwk(json.loads(issuer_key.export_public()))
    result = verify(presentation, issuer_public, now=now)

    expected = {
        "iss": ISS,
        "iat": now,
        "exp": now + 86400,
        "vct": VCT,
        "cnf": {"jwk": holder_key.export_public(as_dict=True)},
        "familyName": "Ozoliņa",
        "achievement": {
            "title": {"lv": "Bakalaura grāds"},
            "programme": {"title": {"lv": "Datorzinātnes"}, "code": "43481"},
            # The first course's Disclosure is withheld, so its element is removed (§7.1).
            "courses": [{"code": "DatZ2017", "grade": 7}, {"code": "Filz1021", "grade": "passed"}],
        },
    }
    assert result.claims == expected
    assert result.header == {"alg": "ES256", "typ": "dc+sd-jwt", "kid": KID}
    assert result.key_binding is not None
    assert result.key_binding.header == {"alg": "ES256", "typ": "kb+jwt"}
    # jwcrypto's RFC 7638 thumbprint of the holder key is ours too.
    assert result.key_binding.holder_key.thumbprint == holder_key.thumbprint()
    # Their own verifier agrees on the processed claims.
    theirs = SDJWTVerifier(
        presentation, lambda _iss, _header: issuer_key, expected_aud=AUD, expected_nonce=NONCE
    ).get_verified_payload()
    assert theirs == expected

    # Our policy is enforced on their KB-JWT as on ours.
    with pytest.raises(KeyBindingError) as refused:
        verify(presentation, issuer_public, now=now, key_binding=policy(aud="https://other.test"))
    assert refused.value.reason == "aud"


def test_sd_jwt_python_default_typ_is_not_an_sd_jwt_vc_typ() -> None:
    """Without extra_header_parameters their issuer signs with an example typ, which our
    SD-JWT VC verifier refuses; a caller that expects plain SD-JWTs names the typ."""
    issuer_key, holder_key = their_keys()
    now = int(time.time())
    presentation = their_presentation(issuer_key, holder_key, their_claims(now))
    issuer_public = public_jwk(json.loads(issuer_key.export_public()))

    with pytest.raises(HeaderError):
        verify(presentation, issuer_public, now=now)
    accepted = verify(presentation, issuer_public, now=now, typ={SDJWTCommon.SD_JWT_HEADER})
    assert accepted.header["typ"] == SDJWTCommon.SD_JWT_HEADER
    assert accepted.claims["familyName"] == "Ozoliņa"
