"""One named test per attack on SD-JWT verification (``reference/security.md`` §2 B and C).

Each test starts from a genuine baseline that verifies (``test_baseline_verifies``), makes
exactly one hostile change, and asserts the exact error class and, for Disclosure and Key
Binding failures, the exact ``reason``. Hostile SD-JWTs are built with the independent
encoder in ``helpers.py`` and signed with the test issuer's key where the attack needs a
"malicious issuer" payload (RFC 9901 §7.1 rules that a genuine signature does not excuse).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.sdjwt.helpers import (
    AUD,
    ISS,
    NONCE,
    NOW,
    VCT,
    b64,
    digest,
    disclosure,
    issuer_jwt,
    jws,
    kb_jwt,
    new_salt,
    serialize,
    unb64,
    verify,
)
from wallet.errors import (
    AlgorithmError,
    DisclosureError,
    ExpiredCredentialError,
    HeaderError,
    InputError,
    InvalidSignatureError,
    KeyBindingError,
    MalformedValueError,
    NotYetValidError,
    ParseError,
    PayloadTooLargeError,
    WalletError,
    WeakKeyError,
)
from wallet.jose import SigningKey, generate_signing_key
from wallet.sdjwt import MAX_DISCLOSURES, present


@pytest.fixture(scope="module")
def issuer() -> SigningKey:
    return generate_signing_key("EdDSA")


@pytest.fixture(scope="module")
def holder() -> SigningKey:
    return generate_signing_key("ES256")


def base_payload(holder: SigningKey, **extra: Any) -> dict[str, Any]:
    payload = {
        "iss": ISS,
        "iat": NOW - 60,
        "exp": NOW + 86400,
        "vct": VCT,
        "cnf": {"jwk": holder.public.to_dict()},
        "familyName": "Ozoliņa",
    }
    payload.update(extra)
    return payload


class Baseline:
    """A genuine SD-JWT: birthDate hidden in ``_sd``, two courses hidden as array elements."""

    def __init__(self, issuer: SigningKey, holder: SigningKey) -> None:
        self.issuer, self.holder = issuer, holder
        self.birth = disclosure(new_salt(), "birthDate", "2001-03-14")
        self.course_a = disclosure(new_salt(), {"code": "DatZ1234"})
        self.course_b = disclosure(new_salt(), {"code": "DatZ2017"})
        self.payload = base_payload(
            holder,
            _sd=[digest(self.birth)],
            courses=[{"...": digest(self.course_a)}, {"...": digest(self.course_b)}],
            _sd_alg="sha-256",
        )
        self.jwt = issuer_jwt(issuer, self.payload)
        self.disclosures = [self.birth, self.course_a]

    def sd_jwt(self, disclosures: list[str] | None = None, jwt: str | None = None) -> str:
        return serialize(jwt or self.jwt, self.disclosures if disclosures is None else disclosures)

    def presentation(self, **kb: Any) -> str:
        sd_jwt = self.sd_jwt()
        return sd_jwt + kb_jwt(kb.pop("signer", self.holder), sd_jwt, **kb)

    def signed(self, payload: dict[str, Any], disclosures: list[str], **header: Any) -> str:
        """A presentation over a payload of our choosing, signed by the genuine issuer."""
        sd_jwt = serialize(issuer_jwt(self.issuer, payload, **header), disclosures)
        return sd_jwt + kb_jwt(self.holder, sd_jwt)


@pytest.fixture
def base(issuer: SigningKey, holder: SigningKey) -> Baseline:
    return Baseline(issuer, holder)


def refused(
    error: type[WalletError], reason: str | None, attempt: Callable[[], Any]
) -> WalletError:
    with pytest.raises(WalletError) as caught:
        attempt()
    assert type(caught.value) is error, f"{type(caught.value).__name__}: {caught.value}"
    if reason is not None:
        assert getattr(caught.value, "reason", None) == reason
    return caught.value


def test_baseline_verifies(base: Baseline) -> None:
    result = verify(base.presentation(), base.issuer.public)
    assert result.claims["birthDate"] == "2001-03-14"
    assert result.claims["courses"] == [{"code": "DatZ1234"}]


# --- B: Disclosures (RFC 9901 §7.1) ---------------------------------------------------------


def test_unreferenced_disclosure(base: Baseline) -> None:
    # B2, §7.1 step 5: a forged Disclosure whose digest is in no _sd.
    forged = disclosure(new_salt(), "grade", 10)
    attempt = base.sd_jwt([*base.disclosures, forged])
    refused(
        DisclosureError,
        "unreferenced",
        lambda: verify(attempt, base.issuer.public, key_binding=None),
    )


def test_altered_disclosure(base: Baseline) -> None:
    # B3, §9.2: the value edited, the salt kept; its digest no longer matches.
    genuine_salt = json.loads(unb64(base.birth))[0]
    altered = disclosure(genuine_salt, "birthDate", "1990-01-01")
    attempt = base.sd_jwt([altered, base.course_a])
    refused(
        DisclosureError,
        "unreferenced",
        lambda: verify(attempt, base.issuer.public, key_binding=None),
    )


def test_disclosure_for_always_visible_claim(base: Baseline) -> None:
    # A Disclosure appended for a plain claim ("familyName" is in the clear): its digest is
    # in no _sd, so it is unreferenced and can neither override nor duplicate the claim.
    appended = disclosure(new_salt(), "familyName", "Bērziņa")
    attempt = base.sd_jwt([*base.disclosures, appended])
    refused(
        DisclosureError,
        "unreferenced",
        lambda: verify(attempt, base.issuer.public, key_binding=None),
    )


def test_same_disclosure_sent_twice(base: Baseline) -> None:
    # B4, §4: "MUST NOT send a Disclosure more than once".
    attempt = base.sd_jwt([base.birth, base.birth])
    refused(
        DisclosureError,
        "duplicate_disclosure",
        lambda: verify(attempt, base.issuer.public, key_binding=None),
    )


def test_duplicate_digest_in_issuer_payload(base: Baseline) -> None:
    # B4, §7.1 step 4: the issuer payload lists one digest twice.
    payload = base_payload(base.holder, _sd=[digest(base.birth), digest(base.birth)])
    refused(
        DisclosureError,
        "duplicate_digest",
        lambda: verify(base.signed(payload, [base.birth]), base.issuer.public),
    )


def test_duplicate_digest_across_object_and_array(base: Baseline) -> None:
    # §7.1 step 4: the same digest in an _sd and as an array element.
    payload = base_payload(
        base.holder, _sd=[digest(base.course_a)], courses=[{"...": digest(base.course_a)}]
    )
    refused(
        DisclosureError,
        "duplicate_digest",
        lambda: verify(base.signed(payload, []), base.issuer.public),
    )


def test_claim_name_clash_with_plain_claim(base: Baseline) -> None:
    # B5, §7.1 step 3.3.2.3: a Disclosure naming a claim that is already in the clear.
    clash = disclosure(new_salt(), "familyName", "Bērziņa")
    payload = base_payload(base.holder, _sd=[digest(clash)])
    refused(
        DisclosureError,
        "name_clash",
        lambda: verify(base.signed(payload, [clash]), base.issuer.public),
    )


def test_claim_name_clash_between_disclosures(base: Baseline) -> None:
    first = disclosure(new_salt(), "grade", 9)
    second = disclosure(new_salt(), "grade", 4)
    payload = base_payload(base.holder, _sd=sorted([digest(first), digest(second)]))
    refused(
        DisclosureError,
        "name_clash",
        lambda: verify(base.signed(payload, [first, second]), base.issuer.public),
    )


@pytest.mark.parametrize("name", ["_sd", "...", "_sd_alg"])
def test_reserved_name_as_disclosed_claim(base: Baseline, name: str) -> None:
    # B5, §7.1 step 3.3.2.2: the claim name _sd or ... (and _sd_alg, §4.1.1).
    hostile = disclosure(new_salt(), name, ["x"])
    payload = base_payload(base.holder, _sd=[digest(hostile)])
    refused(
        DisclosureError,
        "reserved_name",
        lambda: verify(base.signed(payload, [hostile]), base.issuer.public),
    )


@pytest.mark.parametrize("name", ["exp", "iss", "cnf", "vct", "status"])
def test_never_disclosable_claim_as_disclosure(base: Baseline, name: str) -> None:
    # B5/B6, SD-JWT VC §3.2.2.2 and RFC 9901 §9.7: validity claims must be plain.
    hostile = disclosure(new_salt(), name, NOW + 10**6)
    payload = {k: v for k, v in base_payload(base.holder).items() if k != name}
    payload["_sd"] = [digest(hostile)]
    refused(
        DisclosureError,
        "never_disclosable",
        lambda: verify(base.signed(payload, [hostile]), base.issuer.public),
    )


def test_array_element_disclosure_in_sd(base: Baseline) -> None:
    # B7, §7.1 step 3.3.2.1: a 2-element Disclosure referenced from _sd.
    element = disclosure(new_salt(), "value")
    payload = base_payload(base.holder, _sd=[digest(element)])
    refused(
        DisclosureError,
        "wrong_kind",
        lambda: verify(base.signed(payload, [element]), base.issuer.public),
    )


def test_object_disclosure_in_array(base: Baseline) -> None:
    # §7.1 step 3.3.3.1: a 3-element Disclosure referenced from {"...": d}.
    prop = disclosure(new_salt(), "code", "X")
    payload = base_payload(base.holder, courses=[{"...": digest(prop)}])
    refused(
        DisclosureError,
        "wrong_kind",
        lambda: verify(base.signed(payload, [prop]), base.issuer.public),
    )


MALFORMED = {
    "four-elements": disclosure("c2FsdA", "a", 1, 2),
    "numeric-salt": disclosure(12345, "a", 1),
    "numeric-name": disclosure(new_salt(), 7, 1),
    "not-json": b64(b"[salt, a, 1]"),
    "json-object": b64(b'{"salt": "a"}'),
    "duplicate-member": b64(b'["c2FsdA", "a", {"x": 1, "x": 2}]'),
    "bom": b64(b'\xef\xbb\xbf["c2FsdA", "a", 1]'),
    "padded": b64(b'["c2FsdA","a",1]') + "==",
    "not-base64url": "WyJzYWx0Ii+wgImEiLCAxXQ",
}


@pytest.mark.parametrize("text", list(MALFORMED.values()), ids=list(MALFORMED))
def test_malformed_disclosure(base: Baseline, text: str) -> None:
    # B7: a Disclosure is canonical base64url of a strict JSON array of the right shape.
    payload = base_payload(base.holder, _sd=[digest(text)])
    refused(
        DisclosureError,
        "malformed",
        lambda: verify(base.signed(payload, [text]), base.issuer.public),
    )


def test_array_digest_with_extra_member(base: Baseline) -> None:
    # B9, §4.2.4.2: "There MUST NOT be any other keys in the object."
    payload = base_payload(base.holder, courses=[{"...": digest(base.course_a), "extra": 1}])
    refused(
        DisclosureError,
        "malformed_ellipsis",
        lambda: verify(base.signed(payload, [base.course_a]), base.issuer.public),
    )


def test_sd_not_an_array(base: Baseline) -> None:
    # B9, §4.2.4.1: _sd refers to an array of strings.
    payload = base_payload(base.holder, _sd=digest(base.birth))
    refused(
        DisclosureError,
        "malformed_sd",
        lambda: verify(base.signed(payload, [base.birth]), base.issuer.public),
    )


def test_ellipsis_key_outside_an_array(base: Baseline) -> None:
    # §4.1 rule 7: "..." only in array-element digests.
    payload = base_payload(base.holder, address={"...": digest(base.birth)})
    refused(
        DisclosureError,
        "misplaced_ellipsis",
        lambda: verify(base.signed(payload, []), base.issuer.public),
    )


def test_nested_sd_alg(base: Baseline) -> None:
    # §4.1.1: _sd_alg "MUST NOT be used in any object nested within the payload".
    payload = base_payload(base.holder, address={"_sd_alg": "sha-256", "city": "Rīga"})
    refused(
        DisclosureError,
        "nested_sd_alg",
        lambda: verify(base.signed(payload, []), base.issuer.public),
    )


@pytest.mark.parametrize("sd_alg", ["sha-256-32", "md5", "SHA-256", "sha-512", 256])
def test_unsupported_sd_alg(base: Baseline, sd_alg: Any) -> None:
    # B8, §7.1 step 2.4 and §9.4: only the caller's allow-list (sha-256 by default).
    payload = base_payload(base.holder, _sd=[digest(base.birth)], _sd_alg=sd_alg)
    refused(
        AlgorithmError, None, lambda: verify(base.signed(payload, [base.birth]), base.issuer.public)
    )


def test_recursion_deeper_than_the_cap(base: Baseline) -> None:
    # B14: nesting (here through recursive Disclosures) beyond max_depth.
    inner = disclosure(new_salt(), "leaf", 1)
    chain = [inner]
    for level in range(40):
        chain.append(disclosure(new_salt(), f"n{level}", {"_sd": [digest(chain[-1])]}))
    payload = base_payload(base.holder, _sd=[digest(chain[-1])])
    refused(
        PayloadTooLargeError, None, lambda: verify(base.signed(payload, chain), base.issuer.public)
    )


def test_oversize_disclosure_list(base: Baseline) -> None:
    # B12: more Disclosures than the cap is refused before any is decoded or hashed.
    many = [base.birth] * (MAX_DISCLOSURES + 1)
    refused(
        PayloadTooLargeError,
        None,
        lambda: verify(base.sd_jwt(many), base.issuer.public, key_binding=None),
    )


def test_oversize_text(base: Baseline) -> None:
    refused(
        PayloadTooLargeError,
        None,
        lambda: verify(base.sd_jwt(), base.issuer.public, key_binding=None, max_chars=100),
    )


def test_bare_jwt_without_tilde(base: Baseline) -> None:
    # B10: an SD-JWT ends its JWT with "~".
    refused(ParseError, None, lambda: verify(base.jwt, base.issuer.public, key_binding=None))


def test_empty_disclosure(base: Baseline) -> None:
    refused(ParseError, None, lambda: verify(base.jwt + "~~", base.issuer.public, key_binding=None))


def test_non_ascii_text(base: Baseline) -> None:
    refused(
        ParseError, None, lambda: verify(base.sd_jwt() + "ā", base.issuer.public, key_binding=None)
    )


# --- B: the Issuer-signed JWT (RFC 9901 §7.1 step 2, §9.11) ----------------------------------


def test_issuer_jwt_alg_none(base: Baseline) -> None:
    # B1, §4.1: "It MUST NOT use the none algorithm."
    unsigned = jws({"alg": "none", "typ": "dc+sd-jwt"}, base.payload, None)
    refused(
        AlgorithmError,
        None,
        lambda: verify(base.sd_jwt(jwt=unsigned), base.issuer.public, key_binding=None),
    )


@pytest.mark.parametrize("typ", ["JWT", "kb+jwt", "vc+jwt", "example+sd-jwt"])
def test_issuer_jwt_wrong_typ(base: Baseline, typ: str) -> None:
    # B11, §9.11: explicit typing; a KB-JWT or another token kind is no credential.
    jwt = issuer_jwt(base.issuer, base.payload, typ=typ)
    refused(
        HeaderError,
        None,
        lambda: verify(base.sd_jwt(jwt=jwt), base.issuer.public, key_binding=None),
    )


def test_issuer_signature_by_another_key(base: Baseline) -> None:
    jwt = issuer_jwt(generate_signing_key("EdDSA"), base.payload)
    refused(
        InvalidSignatureError,
        None,
        lambda: verify(base.sd_jwt(jwt=jwt), base.issuer.public, key_binding=None),
    )


def test_issuer_payload_edited(base: Baseline) -> None:
    header, _, signature = base.jwt.split(".")
    edited = base_payload(base.holder, familyName="Bērziņa")
    jwt = f"{header}.{b64(json.dumps(edited).encode())}.{signature}"
    refused(
        InvalidSignatureError,
        None,
        lambda: verify(base.sd_jwt(jwt=jwt), base.issuer.public, key_binding=None),
    )


def test_expired_credential(base: Baseline) -> None:
    payload = base_payload(base.holder, exp=NOW - 1)
    refused(
        ExpiredCredentialError, None, lambda: verify(base.signed(payload, []), base.issuer.public)
    )


def test_not_yet_valid_credential(base: Baseline) -> None:
    payload = base_payload(base.holder, nbf=NOW + 3600)
    refused(NotYetValidError, None, lambda: verify(base.signed(payload, []), base.issuer.public))


def test_exp_as_string(base: Baseline) -> None:
    payload = base_payload(base.holder, exp=str(NOW + 3600))
    refused(MalformedValueError, None, lambda: verify(base.signed(payload, []), base.issuer.public))


def test_vct_missing(base: Baseline) -> None:
    # B11, SD-JWT VC §3.2.2.2: vct is REQUIRED.
    payload = {k: v for k, v in base_payload(base.holder).items() if k != "vct"}
    refused(MalformedValueError, None, lambda: verify(base.signed(payload, []), base.issuer.public))


# --- C: Key Binding (RFC 9901 §7.3, §4.3) -----------------------------------------------------


def test_kb_missing_where_required(base: Baseline) -> None:
    # C7, §7.3 steps 1–2 and §9.5: policy decides, so a stripped KB-JWT is refused.
    refused(KeyBindingError, "missing", lambda: verify(base.sd_jwt(), base.issuer.public))


def test_kb_where_none_is_expected(base: Baseline) -> None:
    # §4: "A Verifier that expects an SD-JWT MUST verify that the final ... component is
    # empty"; a Holder refuses an SD-JWT+KB at import (B13, §7.2).
    refused(
        KeyBindingError,
        "unexpected",
        lambda: verify(base.presentation(), base.issuer.public, key_binding=None),
    )


def test_kb_wrong_aud(base: Baseline) -> None:
    refused(
        KeyBindingError,
        "aud",
        lambda: verify(base.presentation(aud="https://evil.test"), base.issuer.public),
    )


def test_kb_aud_as_array(base: Baseline) -> None:
    # C2, §4.3: "a single string".
    sd_jwt = base.sd_jwt()
    kb = kb_jwt(base.holder, sd_jwt, extra={"aud": [AUD]})
    refused(KeyBindingError, "aud", lambda: verify(sd_jwt + kb, base.issuer.public))


def test_kb_wrong_nonce(base: Baseline) -> None:
    refused(
        KeyBindingError,
        "nonce",
        lambda: verify(base.presentation(nonce="replayed"), base.issuer.public),
    )


def test_kb_missing_nonce(base: Baseline) -> None:
    sd_jwt = base.sd_jwt()
    kb = kb_jwt(base.holder, sd_jwt, extra={"nonce": None})
    refused(KeyBindingError, "nonce", lambda: verify(sd_jwt + kb, base.issuer.public))


def test_kb_wrong_sd_hash(base: Baseline) -> None:
    # C3, §4.3.1: a Disclosure added after the Holder signed.
    signed = base.presentation()
    kb = signed.rsplit("~", 1)[1]
    widened = base.sd_jwt([*base.disclosures, base.course_b]) + kb
    refused(KeyBindingError, "sd_hash", lambda: verify(widened, base.issuer.public))


def test_kb_sd_hash_over_string_without_last_tilde(base: Baseline) -> None:
    # §4.3.1: the hash covers the presented SD-JWT up to and including the last "~".
    sd_jwt = base.sd_jwt()
    kb = kb_jwt(base.holder, sd_jwt, sd_hash=digest(sd_jwt[:-1]))
    refused(KeyBindingError, "sd_hash", lambda: verify(sd_jwt + kb, base.issuer.public))


def test_kb_from_another_presentation(base: Baseline) -> None:
    # C4: a KB-JWT lifted from a presentation with other Disclosures.
    other = base.sd_jwt([base.birth])
    kb = kb_jwt(base.holder, other)
    refused(KeyBindingError, "sd_hash", lambda: verify(base.sd_jwt() + kb, base.issuer.public))


def test_kb_stale_iat(base: Baseline) -> None:
    # C5, §7.3 step 5.5: a day old against a 300-second window.
    refused(
        KeyBindingError,
        "stale",
        lambda: verify(base.presentation(iat=NOW - 86400), base.issuer.public),
    )


def test_kb_future_iat(base: Baseline) -> None:
    refused(
        KeyBindingError,
        "future",
        lambda: verify(base.presentation(iat=NOW + 3600), base.issuer.public),
    )


def test_kb_iat_not_numeric(base: Baseline) -> None:
    sd_jwt = base.sd_jwt()
    kb = kb_jwt(base.holder, sd_jwt, extra={"iat": str(NOW)})
    refused(KeyBindingError, "iat", lambda: verify(sd_jwt + kb, base.issuer.public))


def test_kb_expired(base: Baseline) -> None:
    # §7.3 step 5.8: a KB-JWT is a valid JWT in all other respects.
    sd_jwt = base.sd_jwt()
    kb = kb_jwt(base.holder, sd_jwt, extra={"exp": NOW - 1})
    refused(KeyBindingError, "exp", lambda: verify(sd_jwt + kb, base.issuer.public))


def test_kb_signed_by_another_key(base: Baseline) -> None:
    # C6: the attacker's own P-256 key, not the one in cnf.
    attacker = generate_signing_key("ES256")
    refused(
        KeyBindingError,
        "signature",
        lambda: verify(base.presentation(signer=attacker), base.issuer.public),
    )


def test_kb_signed_with_another_algorithm(base: Baseline) -> None:
    attacker = generate_signing_key("EdDSA")
    refused(
        KeyBindingError,
        "alg",
        lambda: verify(base.presentation(signer=attacker), base.issuer.public),
    )


@pytest.mark.parametrize("typ", ["JWT", "dc+sd-jwt", None])
def test_kb_wrong_typ(base: Baseline, typ: str | None) -> None:
    # C6, §4.3 and §7.3 step 5.4: typ MUST be kb+jwt.
    sd_jwt = base.sd_jwt()
    header: dict[str, Any] = {"alg": base.holder.alg}
    if typ is not None:
        header["typ"] = typ
    kb = jws(
        header, {"iat": NOW, "aud": AUD, "nonce": NONCE, "sd_hash": digest(sd_jwt)}, base.holder
    )
    refused(KeyBindingError, "typ", lambda: verify(sd_jwt + kb, base.issuer.public))


def test_kb_alg_none(base: Baseline) -> None:
    # C6, §4.3: "It MUST NOT be none."
    sd_jwt = base.sd_jwt()
    kb = jws(
        {"alg": "none", "typ": "kb+jwt"},
        {"iat": NOW, "aud": AUD, "nonce": NONCE, "sd_hash": digest(sd_jwt)},
        None,
    )
    error = refused(KeyBindingError, "alg", lambda: verify(sd_jwt + kb, base.issuer.public))
    assert isinstance(error.__cause__, AlgorithmError)


def test_kb_carrying_its_own_jwk(base: Baseline) -> None:
    # C6: a KB-JWT naming its own key; the key comes from cnf only.
    sd_jwt = base.sd_jwt()
    header = {"alg": "ES256", "typ": "kb+jwt", "jwk": base.holder.public.to_dict()}
    kb = jws(
        header, {"iat": NOW, "aud": AUD, "nonce": NONCE, "sd_hash": digest(sd_jwt)}, base.holder
    )
    refused(KeyBindingError, "header", lambda: verify(sd_jwt + kb, base.issuer.public))


def test_kb_not_a_jwt(base: Baseline) -> None:
    refused(
        KeyBindingError,
        "malformed",
        lambda: verify(base.sd_jwt() + "not.a.jwt", base.issuer.public),
    )


def test_cnf_missing_while_kb_required(base: Baseline) -> None:
    # B11: no Holder key to check the KB-JWT against.
    payload = {k: v for k, v in base_payload(base.holder).items() if k != "cnf"}
    refused(
        KeyBindingError, "holder_key", lambda: verify(base.signed(payload, []), base.issuer.public)
    )


@pytest.mark.parametrize(
    ("point", "signature"),
    [
        # F1: the neutral element verifies (R = neutral, S = 0) for any message.
        pytest.param("01" + "00" * 31, "01" + "00" * 63, id="identity"),
        # The order-4 point y = 0 verifies (R = A, S = 0).
        pytest.param("00" * 32, "00" * 64, id="order-4"),
    ],
)
def test_small_order_ed25519_holder_key(base: Baseline, point: str, signature: str) -> None:
    # C9, reference/security.md F1: with such a cnf key anyone could forge KB-JWTs, without
    # any private key. The key is refused before any signature is checked.
    cnf = {"jwk": {"kty": "OKP", "crv": "Ed25519", "x": b64(bytes.fromhex(point))}}
    payload = base_payload(base.holder, cnf=cnf)
    sd_jwt = serialize(issuer_jwt(base.issuer, payload), [])
    header = b64(b'{"alg":"EdDSA","typ":"kb+jwt"}')
    body = b64(
        json.dumps({"iat": NOW, "aud": AUD, "nonce": NONCE, "sd_hash": digest(sd_jwt)}).encode()
    )
    forged = f"{header}.{body}.{b64(bytes.fromhex(signature))}"
    error = refused(
        KeyBindingError, "holder_key", lambda: verify(sd_jwt + forged, base.issuer.public)
    )
    assert isinstance(error.__cause__, WeakKeyError)


def test_holder_refuses_to_present_an_sd_jwt_kb(base: Baseline) -> None:
    # §7.2: the Issuer provides an SD-JWT, never an SD-JWT+KB.
    refused(InputError, None, lambda: present(base.presentation(), keep=set()))
