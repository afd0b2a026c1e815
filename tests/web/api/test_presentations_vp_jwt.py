"""vp+jwt presentations over HTTP: issue a vc+jwt → challenge → present → verify, and
one named test per attack on the verifier (each fails on its own check)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from sqlmodel import select

from tests.fixtures.accounts import Person, login, register
from wallet import holder, presentations
from wallet.db.models import HolderWallet
from wallet.dids import did_jwk
from wallet.errors import InputError, NotFoundError
from wallet.issuance import build_credential
from wallet.jose import (
    SigningKey,
    b64url_encode,
    dumps_compact,
    generate_signing_key,
    parse_compact,
    sign_compact,
)
from wallet.vc import (
    CREDENTIALS_V2,
    PresentationPolicy,
    build_presentation,
    envelope_presentation,
    secure_vp_jwt,
)
from wallet.vp_verifier import verify_vp_jwt

DOMAIN = "hr.example.lv"
UNI = "uni"


def _issue(api, world, *, learner: Person | None = None, fmt="vc+jwt", credential_id=None):
    services = world.services
    ctype = services.types.get("diploma")
    subject = {k: v for k, v in copy.deepcopy(ctype.example).items() if k != "id"}
    credential = build_credential(ctype, subject, issuer_did=services.registry.by_slug(UNI).did)
    options: dict[str, Any] = {"format": fmt}
    if learner is not None:
        options["learner"] = {"email": learner.email}
    if credential_id:
        options["credentialId"] = credential_id
    response = api.post(
        "/credentials/issue",
        json={"credential": credential, "options": options},
        headers={"Authorization": f"Bearer {world.tokens[UNI]}"},
    )
    assert response.status_code in (200, 201), response.text
    return response.json()["verifiableCredential"]["id"].split(",", 1)[1]


def _items(api, person: Person) -> list[dict[str, Any]]:
    return api.get("/wallet/credentials", headers=person.auth).json()["items"]


def _challenge(api, domain: str = DOMAIN) -> str:
    response = api.post("/challenges", json={"domain": domain})
    assert response.status_code == 201, response.text
    return response.json()["challenge"]


def _present(api, person: Person, item_id: str, challenge: str, domain: str = DOMAIN, **extra):
    return api.post(
        f"/wallet/credentials/{item_id}/present",
        json={"challenge": challenge, "domain": domain, **extra},
        headers=person.auth,
    )


def _verify(api, vp: Any, challenge: str, domain: str = DOMAIN):
    response = api.post(
        "/presentations/verify",
        json={"verifiablePresentation": vp, "options": {"challenge": challenge, "domain": domain}},
    )
    body = response.json()
    results = {check["name"]: check["result"] for check in body.get("checks", [])}
    return response.status_code, results, body


def _holder_key(world, holder_did: str) -> SigningKey:
    """The learner's P-256 holder key, read the way the wallet reads it."""
    services = world.services
    with services.session() as session:
        statement = select(HolderWallet).where(HolderWallet.holder_did == holder_did)
        wallet = session.exec(statement).one()
        p256, _ = holder.holder_keys(services.holder, wallet)
    return p256


def _account_of(world, holder_did: str) -> int:
    """The account whose wallet has ``holder_did``."""
    with world.services.session() as session:
        statement = select(HolderWallet).where(HolderWallet.holder_did == holder_did)
        account_id = session.exec(statement).one().account_id
    assert account_id is not None
    return account_id


def _subject_of(token: str) -> str:
    subject_id = parse_compact(token).payload["credentialSubject"]["id"]
    assert isinstance(subject_id, str)
    return subject_id


def _forge(tokens: list[str], *, key: SigningKey, holder_did: str, challenge: str, iat: int,
           kid: str | None = None, aud: str = DOMAIN) -> str:  # fmt: skip
    vp = build_presentation(holder=holder_did, credentials=tokens)
    return secure_vp_jwt(
        vp, key=key, kid=kid or f"{holder_did}#0", aud=aud, nonce=challenge, iat=iat
    )


def _unsigned(header: dict[str, Any], payload: dict[str, Any], signature: bytes) -> str:
    parts = (b64url_encode(dumps_compact(header)), b64url_encode(dumps_compact(payload)))
    return ".".join((*parts, b64url_encode(signature)))


@pytest.fixture
def learner(api, mailbox) -> Person:
    return login(api, register(api, mailbox, "vp.learner@example.lv"))


@pytest.fixture
def issued(api, accounts_world, learner) -> tuple[str, str]:
    """A vc+jwt diploma in the learner's wallet: (its token, its wallet item id)."""
    token = _issue(api, accounts_world, learner=learner)
    (item,) = _items(api, learner)
    return token, item["id"]


# --- the flow ---------------------------------------------------------------------------------


def test_issue_present_and_verify_end_to_end(api, accounts_world, learner, issued, now):
    token, item_id = issued
    challenge = _challenge(api)
    presented = _present(api, learner, item_id, challenge)
    assert presented.status_code == 201, presented.text
    vp = presented.json()["verifiablePresentation"]
    parsed = parse_compact(vp)
    holder_did = _subject_of(token)
    assert parsed.header["typ"] == "vp+jwt" and parsed.header["cty"] == "vp"
    assert parsed.header["alg"] == "ES256" and parsed.header["kid"] == f"{holder_did}#0"
    assert parsed.payload["holder"] == holder_did
    assert (parsed.payload["aud"], parsed.payload["nonce"]) == (DOMAIN, challenge)
    assert parsed.payload["iat"] == now
    assert parsed.payload["verifiableCredential"] == [
        {"@context": [CREDENTIALS_V2], "type": "EnvelopedVerifiableCredential",
         "id": f"data:application/vc+jwt,{token}"}
    ]  # fmt: skip
    status, checks, body = _verify(api, vp, challenge)
    assert status == 200, body
    assert body["verified"] is True and body["problemDetails"] == []
    assert list(checks) == [
        "parse", "header", "dataModel", "holderKey", "presentationSignature", "audience",
        "nonce", "freshness", "credential[0]", "holderBinding", "challenge",
    ]  # fmt: skip
    assert set(checks.values()) == {"passed"}
    presentation = body["results"]["presentation"]
    assert presentation["challenge"] == challenge and presentation["domain"] == DOMAIN
    assert presentation["holder"] == holder_did
    assert presentation["proof"][0]["verificationMethod"] == f"{holder_did}#0"
    (credential,) = body["results"]["credentials"]
    assert credential["verified"] is True
    assert credential["results"]["credential"]["credentialSubject"]["id"] == holder_did
    assert {c["name"]: c["result"] for c in credential["checks"]}["status"] == "passed"


def test_the_enveloped_forms_of_a_vp_jwt_are_accepted(api, learner, issued):
    _, item_id = issued
    for form in ("object", "id-only", "data-url"):
        challenge = _challenge(api)
        vp = _present(api, learner, item_id, challenge).json()["verifiablePresentation"]
        enveloped = envelope_presentation(vp)
        value = {"object": enveloped, "id-only": {"id": enveloped["id"]},
                 "data-url": enveloped["id"]}[form]  # fmt: skip
        status, _, body = _verify(api, value, challenge)
        assert status == 200, (form, body)


def test_several_credentials_of_one_wallet_in_one_presentation(api, accounts_world, learner, now):
    token = _issue(api, accounts_world, learner=learner)
    _issue(api, accounts_world, learner=learner)
    item_ids = [item["id"] for item in _items(api, learner)]
    assert len(item_ids) == 2
    challenge = _challenge(api)
    services = accounts_world.services
    account_id = _account_of(accounts_world, _subject_of(token))
    with services.session() as session:
        vp = presentations.present_vc_jwt(
            session, ctx=services.holder, account_id=account_id, item_ids=item_ids,
            aud=DOMAIN, nonce=challenge, now=now,
        )  # fmt: skip
    status, checks, body = _verify(api, vp, challenge)
    assert status == 200, body
    assert checks["credential[0]"] == checks["credential[1]"] == "passed"
    assert len(body["results"]["credentials"]) == 2


def test_present_vc_jwt_refuses_what_it_cannot_present(api, accounts_world, learner, now):
    _issue(api, accounts_world, learner=learner, fmt="dc+sd-jwt")
    (sd_jwt_item,) = _items(api, learner)
    token = _issue(api, accounts_world, learner=learner)
    items = {"dc+sd-jwt": sd_jwt_item["id"]}
    items["vc+jwt"] = next(i["id"] for i in _items(api, learner) if i["id"] != items["dc+sd-jwt"])
    mine = _account_of(accounts_world, _subject_of(token))
    services = accounts_world.services
    with services.session() as session:

        def present(item_ids: list[str], account_id: int = mine) -> str:
            return presentations.present_vc_jwt(
                session, ctx=services.holder, account_id=account_id, item_ids=item_ids,
                aud=DOMAIN, nonce="n", now=now,
            )  # fmt: skip

        with pytest.raises(InputError, match="only vc\\+jwt"):
            present([items["dc+sd-jwt"]])
        with pytest.raises(NotFoundError):
            present([items["vc+jwt"]], account_id=mine + 1000)
        with pytest.raises(NotFoundError):
            present(["no-such-item"])
        with pytest.raises(InputError):
            present([])
        with pytest.raises(InputError, match="twice"):
            present([items["vc+jwt"], items["vc+jwt"]])
        with pytest.raises(InputError):
            present([items["vc+jwt"]] * 17)


def test_an_sd_jwt_item_is_still_presented_through_its_own_path(api, accounts_world, learner):
    _issue(api, accounts_world, learner=learner, fmt="dc+sd-jwt")
    (item,) = _items(api, learner)
    challenge = _challenge(api)
    presented = _present(api, learner, item["id"], challenge, disclose=[["givenName"]])
    assert presented.status_code == 201, presented.text
    vp = presented.json()["verifiablePresentation"]
    assert "~" in vp  # an SD-JWT+KB, not a vp+jwt
    status, checks, body = _verify(api, vp, challenge)
    assert status == 200, body
    assert checks["keyBinding"] == "passed" and body["results"]["disclosed"] == ["givenName"]


def test_claim_choices_do_not_apply_to_a_vc_jwt(api, learner, issued):
    _, item_id = issued
    response = _present(api, learner, item_id, _challenge(api), disclose=[["givenName"]])
    assert response.status_code == 400
    assert "whole" in response.json()["detail"]


def test_another_learner_cannot_present_my_vc_jwt(api, mailbox, learner, issued):
    _, item_id = issued
    other = login(api, register(api, mailbox, "vp.thief@example.lv"))
    assert _present(api, other, item_id, _challenge(api)).status_code == 404


def test_the_wallet_refuses_to_wrap_an_imported_credential_of_someone_else(
    api, mailbox, learner, issued
):
    token, _ = issued
    other = login(api, register(api, mailbox, "vp.importer@example.lv"))
    imported = api.post(
        "/wallet/credentials", json={"verifiableCredential": token}, headers=other.auth
    )
    assert imported.status_code == 201, imported.text
    response = _present(api, other, imported.json()["id"], _challenge(api))
    assert response.status_code == 400
    assert "holder" in response.json()["detail"]


# --- attacks: each fails on its own named check -------------------------------------------------


def test_a_replayed_presentation_is_refused(api, learner, issued):
    _, item_id = issued
    challenge = _challenge(api)
    vp = _present(api, learner, item_id, challenge).json()["verifiablePresentation"]
    assert _verify(api, vp, challenge)[0] == 200
    status, checks, body = _verify(api, vp, challenge)
    assert status == 422
    assert checks["challenge"] == "failed"
    assert [c for c, r in checks.items() if r != "passed"] == ["challenge"]
    assert "CHALLENGE_NOT_USABLE" in [p["code"] for p in body["problemDetails"]]


def test_a_presentation_for_another_audience_is_refused(api, learner, issued):
    _, item_id = issued
    challenge = _challenge(api, "b.example")
    vp = _present(api, learner, item_id, challenge, domain="a.example").json()[
        "verifiablePresentation"
    ]
    status, checks, _ = _verify(api, vp, challenge, domain="b.example")
    assert status == 422
    assert checks["audience"] == "failed"
    assert checks["nonce"] == "passed" and checks["challenge"] == "unknown"


def test_a_presentation_with_another_nonce_is_refused(api, learner, issued):
    _, item_id = issued
    used_for_vp, asked = _challenge(api), _challenge(api)
    vp = _present(api, learner, item_id, used_for_vp).json()["verifiablePresentation"]
    status, checks, _ = _verify(api, vp, asked)
    assert status == 422
    assert checks["nonce"] == "failed" and checks["audience"] == "passed"
    # The asked challenge was not used up by the refused presentation.
    good = _present(api, learner, item_id, asked).json()["verifiablePresentation"]
    assert _verify(api, good, asked)[0] == 200


def test_a_stale_presentation_is_refused(api, accounts_world, learner, issued, now):
    _, item_id = issued
    challenge = _challenge(api)
    vp = _present(api, learner, item_id, challenge).json()["verifiablePresentation"]
    accounts_world.set_now(now + presentations.MAX_AGE_SECONDS + 1)
    status, checks, body = _verify(api, vp, challenge)
    assert status == 422
    assert checks["freshness"] == "failed"
    assert checks["audience"] == checks["nonce"] == "passed"
    assert "too old" in next(c["reason"] for c in body["checks"] if c["name"] == "freshness")


def test_a_presentation_from_the_future_is_refused(api, accounts_world, issued, now):
    token, _ = issued
    challenge = _challenge(api)
    holder_did = _subject_of(token)
    key = _holder_key(accounts_world, holder_did)
    vp = _forge([token], key=key, holder_did=holder_did, challenge=challenge, iat=now + 3600)
    status, checks, _ = _verify(api, vp, challenge)
    assert status == 422
    assert checks["freshness"] == "failed" and checks["presentationSignature"] == "passed"


def test_a_presentation_signed_by_another_key_is_refused(api, issued, now):
    token, _ = issued
    challenge = _challenge(api)
    holder_did = _subject_of(token)
    stranger = generate_signing_key("ES256")
    vp = _forge([token], key=stranger, holder_did=holder_did, challenge=challenge, iat=now)
    status, checks, body = _verify(api, vp, challenge)
    assert status == 422
    assert checks["holderKey"] == "passed" and checks["presentationSignature"] == "failed"
    assert checks["credential[0]"] == "unknown"  # not even looked at
    assert "INVALID_SIGNATURE" in [p["code"] for p in body["problemDetails"]]


def test_a_kid_of_another_did_is_refused(api, accounts_world, issued, now):
    token, _ = issued
    challenge = _challenge(api)
    holder_did = _subject_of(token)
    key = _holder_key(accounts_world, holder_did)
    other_did = did_jwk(generate_signing_key("ES256").public.members)
    vp = _forge([token], key=key, holder_did=holder_did, challenge=challenge, iat=now,
                kid=f"{other_did}#0")  # fmt: skip
    status, checks, _ = _verify(api, vp, challenge)
    assert status == 422
    assert checks["holderKey"] == "failed" and checks["presentationSignature"] == "unknown"


def test_another_learners_credential_wrapped_by_me_is_refused(api, issued, now):
    token, _ = issued  # the victim's diploma, its subject the victim's did:jwk
    challenge = _challenge(api)
    me = generate_signing_key("ES256")
    my_did = did_jwk(me.public.members)
    vp = _forge([token], key=me, holder_did=my_did, challenge=challenge, iat=now)
    status, checks, body = _verify(api, vp, challenge)
    assert status == 422
    assert checks["presentationSignature"] == "passed"  # my own, valid, signature
    assert checks["credential[0]"] == "passed"  # a genuine credential
    assert checks["holderBinding"] == "failed"  # but not about me
    assert "PRESENTATION_NOT_BOUND" in [p["code"] for p in body["problemDetails"]]


def test_a_tampered_enveloped_credential_is_refused(api, accounts_world, issued, now):
    token, _ = issued
    header_b64, _, signature_b64 = token.split(".")
    payload = dict(parse_compact(token).payload)
    payload["credentialSubject"] = {**payload["credentialSubject"], "familyName": "Forged"}
    tampered = f"{header_b64}.{b64url_encode(dumps_compact(payload))}.{signature_b64}"
    challenge = _challenge(api)
    holder_did = _subject_of(token)
    key = _holder_key(accounts_world, holder_did)
    vp = _forge([tampered], key=key, holder_did=holder_did, challenge=challenge, iat=now)
    status, checks, body = _verify(api, vp, challenge)
    assert status == 422
    assert checks["presentationSignature"] == "passed" and checks["credential[0]"] == "failed"
    reason = next(c["reason"] for c in body["checks"] if c["name"] == "credential[0]")
    assert reason.startswith("signature:")


def test_a_presentation_without_credentials_is_refused(api, accounts_world, issued, now):
    token, _ = issued
    challenge = _challenge(api)
    holder_did = _subject_of(token)
    key = _holder_key(accounts_world, holder_did)
    payload = {"@context": [CREDENTIALS_V2], "type": ["VerifiablePresentation"],
               "holder": holder_did, "verifiableCredential": [], "aud": DOMAIN,
               "nonce": challenge, "iat": now}  # fmt: skip
    vp = sign_compact({"kid": f"{holder_did}#0", "typ": "vp+jwt"}, payload, key)
    status, checks, _ = _verify(api, vp, challenge)
    assert status == 422
    assert checks["dataModel"] == "failed" and checks["presentationSignature"] == "unknown"


def test_a_holder_that_is_not_a_did_jwk_is_refused(api, issued, now):
    token, _ = issued
    challenge = _challenge(api)
    key = generate_signing_key("ES256")
    holder_did = "did:web:evil.example"
    vp = _forge([token], key=key, holder_did=holder_did, challenge=challenge, iat=now)
    status, checks, body = _verify(api, vp, challenge)
    assert status == 422
    assert checks["holderKey"] == "failed"
    reason = next(c["reason"] for c in body["checks"] if c["name"] == "holderKey")
    assert "only did:jwk holders" in reason and "did:web" in reason


@pytest.mark.parametrize(
    ("alg", "signature"), [("none", b""), ("HS256", b"\x01" * 32)], ids=["none", "hs256"]
)
def test_alg_none_and_hs256_are_refused(api, issued, now, alg, signature):
    token, _ = issued
    challenge = _challenge(api)
    holder_did = _subject_of(token)
    payload = {**build_presentation(holder=holder_did, credentials=[token]), "aud": DOMAIN,
               "nonce": challenge, "iat": now}  # fmt: skip
    header = {"alg": alg, "typ": "vp+jwt", "kid": f"{holder_did}#0"}
    status, checks, body = _verify(api, _unsigned(header, payload, signature), challenge)
    assert status == 422
    assert checks["header"] == "failed" and checks["presentationSignature"] == "unknown"
    assert "ALGORITHM_NOT_ALLOWED" in [p["code"] for p in body["problemDetails"]]


def test_a_vc_jwt_is_not_a_presentation(api, issued):
    token, _ = issued
    challenge = _challenge(api)
    status, checks, _ = _verify(api, token, challenge)
    assert status == 422 and checks["header"] == "failed"


def test_junk_is_a_400_and_uses_no_challenge(api, learner, issued):
    _, item_id = issued
    challenge = _challenge(api)
    for junk in ("a.b.c", "data:application/vp+jwt,a.b", {"id": "data:application/vp+jwt,x"}):
        response = api.post(
            "/presentations/verify",
            json={"verifiablePresentation": junk,
                  "options": {"challenge": challenge, "domain": DOMAIN}},
        )  # fmt: skip
        assert response.status_code == 400, (junk, response.text)
    vp = _present(api, learner, item_id, challenge).json()["verifiablePresentation"]
    assert _verify(api, vp, challenge)[0] == 200


def test_a_revoked_credential_inside_a_valid_presentation_is_refused(api, accounts_world, learner):
    _issue(api, accounts_world, learner=learner, credential_id="urn:uuid:vp-revoked-1")
    (item,) = _items(api, learner)
    revoked = api.post(
        "/credentials/status",
        json={"credentialId": "urn:uuid:vp-revoked-1",
              "credentialStatus": [{"type": "BitstringStatusListEntry",
                                    "statusPurpose": "revocation"}],
              "status": True, "reason": "issued in error"},
        headers={"Authorization": f"Bearer {accounts_world.tokens[UNI]}"},
    )  # fmt: skip
    assert revoked.status_code == 200, revoked.text
    challenge = _challenge(api)
    vp = _present(api, learner, item["id"], challenge).json()["verifiablePresentation"]
    status, checks, body = _verify(api, vp, challenge)
    assert status == 422
    assert checks["presentationSignature"] == checks["audience"] == "passed"
    assert checks["credential[0]"] == "failed" and checks["challenge"] == "unknown"
    reason = next(c["reason"] for c in body["checks"] if c["name"] == "credential[0]")
    assert reason.startswith("status:") and "revoked" in reason
    assert "REVOKED" in [p["code"] for p in body["problemDetails"]]


# --- the share-link policy: not single-use, iat inside the share's lifetime ---------------------


def test_a_share_policy_verifies_the_same_presentation_many_times(api, accounts_world, issued, now):
    token, _ = issued
    holder_did = _subject_of(token)
    key = _holder_key(accounts_world, holder_did)
    url, share_id = "https://wallet.test/s/abc", "share-1"
    vp = _forge([token], key=key, holder_did=holder_did, challenge=share_id, iat=now, aud=url)
    policy = PresentationPolicy(
        aud=url, nonce=share_id, max_age_seconds=None, earliest_iat=now - 60,
        latest_iat=now + 30 * 86_400,
    )  # fmt: skip
    ctx = accounts_world.services.verification
    later = now + 20 * 86_400
    first = verify_vp_jwt(vp, ctx=ctx, now=now, policy=policy)
    again = verify_vp_jwt(vp, ctx=ctx, now=later, policy=policy)
    assert first.verified and again.verified, [c for c in again.checks if c.result != "passed"]
    assert again.holder == holder_did and again.audience == url and again.nonce == share_id
    assert again.format == "vp+jwt" and len(again.credentials) == 1
    outside = PresentationPolicy(aud=url, nonce=share_id, max_age_seconds=None,
                                 earliest_iat=now + 1)  # fmt: skip
    refused = verify_vp_jwt(vp, ctx=ctx, now=later, policy=outside)
    assert {c.name: c.result for c in refused.checks}["freshness"] == "failed"
