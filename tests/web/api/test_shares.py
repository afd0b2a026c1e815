"""Share links over HTTP: the learner's API (create, list, revoke) and the link's JSON
answer, view counting, expiry, revocation (of the link and of the credential), replay, the
access log and junk tokens."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter

from tests.fixtures.accounts import login, register
from tests.web.api.test_sd_jwt_vc import issue, sd_jwt_of
from tests.web.api.test_status import _change
from wallet.jose import parse_compact
from wallet.sdjwt import split_sd_jwt
from wallet.web.api.share_models import OpenedSharePublic

JSON = {"Accept": "application/json"}
DAY = 24 * 3600
PLAIN = [
    "signature", "issuer", "key", "notRevoked", "notSuspended", "notExpired", "type", "holder",
]  # fmt: skip
#: Claims of the example diploma that are never Disclosures (``sd: never`` in the type
#: metadata, or not listed there): in every presentation.
ALWAYS_VISIBLE = {
    "achievement/title", "achievement/awardingBody", "achievement/eqfLevel",
    "achievement/lkiLevel", "achievement/achievementType", "achievement/documentSeries",
    "achievement/documentNumber", "achievement/eqfLevelUri", "achievement/languages",
}  # fmt: skip


@pytest.fixture
def learner(api, mailbox):
    return login(api, register(api, mailbox, "share.learner@example.lv"))


def sd_item(api, world, person, credential_id="urn:uuid:share-sd-1"):
    sd_jwt_of(issue(api, world, learner={"email": person.email}, credential_id=credential_id))
    items = api.get("/wallet/credentials", headers=person.auth).json()["items"]
    return next(i["id"] for i in items if i["type"] == "diploma")


def create(api, person, item_id, **body):
    payload = {"items": [{"id": item_id, "disclose": [["givenName"], ["familyName"]]}], **body}
    response = api.post("/wallet/shares", json=payload, headers=person.auth)
    assert response.status_code == 201, response.text
    return response.json()


def path_of(url: str) -> str:
    assert url.startswith("https://wallet.test/s/")
    return url.removeprefix("https://wallet.test")


def open_json(api, url, **headers):
    return api.get(path_of(url), headers={**JSON, **headers})


def claim_paths(value, prefix=()):
    """Every leaf-level claim path ("/"-joined) of the subject's claims we label."""
    paths = set()
    for key, item in value.items():
        if key in {"iss", "iat", "vct", "cnf", "status", "exp", "nbf", "sub", "_sd_alg"}:
            continue
        if key == "achievement" and not prefix:
            paths |= claim_paths(item, ("achievement",))
        else:
            paths.add("/".join((*prefix, key)))
    return paths


def test_an_sd_jwt_share_shows_exactly_the_chosen_claims_verified(
    api, accounts_world, learner, now
):
    item_id = sd_item(api, accounts_world, learner)
    share = create(api, learner, item_id)
    token = share["url"].rsplit("/", 1)[1]
    assert len(token) == 22 and share["id"] != token  # 128 bits each, token ≠ nonce
    assert share["qrSvg"] == share["url"] + "/qr.svg" and share["maxViews"] is None
    response = open_json(api, share["url"])
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["verified"] is True
    (credential,) = body["credentials"]
    assert credential["format"] == "dc+sd-jwt"
    assert sorted(credential["disclosed"]) == ["familyName", "givenName"]
    assert claim_paths(credential["credential"]) == ALWAYS_VISIBLE | {"givenName", "familyName"}
    labelled = {tuple(c["path"]) for c in credential["claims"]}
    assert ("givenName",) in labelled and ("birthDate",) not in labelled
    assert [c["name"] for c in credential["checks"]] == PLAIN
    assert all(c["result"] in ("passed", "not applicable") for c in credential["checks"])
    assert credential["issuer"]["slug"] == "uni" and credential["issuer"]["accredited"] is True
    # The presentation is bound to this link and the share's id.
    (presented,) = body["presentations"]
    kb_jwt = split_sd_jwt(presented["verifiablePresentation"], max_chars=10**6,
                          max_disclosures=256).kb_jwt  # fmt: skip
    payload = parse_compact(kb_jwt).payload
    assert payload["aud"] == share["url"] and payload["nonce"] == share["id"]
    assert payload["iat"] == now


def test_default_and_custom_expiry_then_410(api, accounts_world, learner, now):
    item_id = sd_item(api, accounts_world, learner)
    default = create(api, learner, item_id)
    week = create(api, learner, item_id, expiresInDays=7)
    assert default["expires"] == _stamp(now + 30 * DAY)
    assert week["expires"] == _stamp(now + 7 * DAY)
    for days in (0, 366):
        bad = api.post(
            "/wallet/shares",
            json={"items": [{"id": item_id}], "expiresInDays": days},
            headers=learner.auth,
        )
        assert bad.status_code == 422
    accounts_world.set_now(now + 7 * DAY)
    assert open_json(api, week["url"]).status_code == 410
    assert open_json(api, default["url"]).status_code == 200
    accounts_world.set_now(now + 30 * DAY)
    gone = open_json(api, default["url"])
    assert gone.status_code == 410 and "expired" in gone.json()["detail"]
    assert api.get(path_of(default["url"]) + "/qr.svg").status_code == 410


def _stamp(at: int) -> str:
    from wallet.vc import format_datetime_stamp

    return format_datetime_stamp(at)


def test_view_limit_counts_json_gets_but_not_head_or_qr(api, accounts_world, learner):
    item_id = sd_item(api, accounts_world, learner)
    share = create(api, learner, item_id, maxViews=2)
    path = path_of(share["url"])
    for _ in range(3):
        assert api.head(path).status_code == 200
        svg = api.get(path + "/qr.svg")
        assert svg.status_code == 200 and svg.headers["content-type"] == "image/svg+xml"
        png = api.get(path + "/qr.png")
        assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    assert open_json(api, share["url"]).json()["share"]["views"] == 1
    assert open_json(api, share["url"]).json()["share"]["views"] == 2
    used_up = open_json(api, share["url"])
    assert used_up.status_code == 410 and used_up.json()["code"] == "LINK_NOT_USABLE"
    assert api.head(path).status_code == 410
    # QR images need no view left, and are the same bytes (rendered once).
    assert api.get(path + "/qr.svg").content == svg.content
    (listed,) = api.get("/wallet/shares", headers=learner.auth).json()["items"]
    assert listed["views"] == 2 and listed["state"] == "used-up"
    assert listed["url"] == share["url"]


def test_revoked_share_is_410_and_only_its_owner_may_list_or_revoke(
    api, accounts_world, learner, mailbox
):
    item_id = sd_item(api, accounts_world, learner)
    share = create(api, learner, item_id)
    other = login(api, register(api, mailbox, "other.learner@example.lv"))
    assert api.get("/wallet/shares", headers=other.auth).json()["items"] == []
    refused = api.delete(f"/wallet/shares/{share['id']}", headers=other.auth)
    assert refused.status_code == 404
    unknown = api.delete("/wallet/shares/AAAAAAAAAAAAAAAAAAAAAA", headers=other.auth)
    assert unknown.json()["detail"] == refused.json()["detail"]
    assert open_json(api, share["url"]).status_code == 200
    assert api.delete(f"/wallet/shares/{share['id']}", headers=learner.auth).status_code == 204
    gone = open_json(api, share["url"])
    assert gone.status_code == 410 and "revoked" in gone.json()["detail"]
    assert api.get(path_of(share["url"]) + "/qr.png").status_code == 410
    assert api.delete(f"/wallet/shares/{share['id']}", headers=learner.auth).status_code == 204
    assert api.get("/wallet/shares").status_code == 401


def test_unknown_and_junk_tokens_are_404_never_5xx(api, accounts_world, learner):
    item_id = sd_item(api, accounts_world, learner)
    create(api, learner, item_id)
    junk = [
        "AAAAAAAAAAAAAAAAAAAAAA", "x", "A" * 5000, "%FF%FE", "..%2F..%2Fetc", "%E2%80%AE",
        "a b", "\u0101" * 22, "' OR 1=1 --",
    ]  # fmt: skip
    for token in junk:
        for suffix in ("", "/qr.svg", "/qr.png"):
            response = api.get(f"/s/{token}{suffix}", headers=JSON)
            assert response.status_code in (400, 404), (token, suffix, response.status_code)
        assert api.head(f"/s/{token}").status_code in (400, 404)


def test_the_institution_revokes_and_the_next_opening_fails(api, accounts_world, learner):
    item_id = sd_item(api, accounts_world, learner, credential_id="urn:uuid:share-revoked")
    share = create(api, learner, item_id)
    assert open_json(api, share["url"]).json()["verified"] is True
    _change(api, accounts_world, "urn:uuid:share-revoked", "revocation", True)
    body = open_json(api, share["url"]).json()
    assert body["verified"] is False
    checks = {c["name"]: c for c in body["credentials"][0]["checks"]}
    not_revoked = checks["notRevoked"]
    assert not_revoked["result"] == "failed" and "revoked" in not_revoked["reason"]
    # A record's status is one value: revoked, so not suspended, said in plain words.
    not_suspended = checks["notSuspended"]
    assert (not_suspended["result"], not_suspended["reason"]) == (
        "passed", "it is revoked, not suspended",
    )  # fmt: skip
    assert checks["signature"]["result"] == "passed"


def test_a_presentation_lifted_from_a_share_is_refused_elsewhere(api, accounts_world, learner):
    item_id = sd_item(api, accounts_world, learner)
    share = create(api, learner, item_id)
    (presented,) = open_json(api, share["url"]).json()["presentations"]
    domain = "wallet.test"
    challenge = api.post("/challenges", json={"domain": domain}).json()["challenge"]
    response = api.post(
        "/presentations/verify",
        json={
            "verifiablePresentation": presented["verifiablePresentation"],
            "options": {"challenge": challenge, "domain": domain},
        },
    )
    assert response.status_code == 422
    checks = {c["name"]: c["result"] for c in response.json()["checks"]}
    assert checks["keyBinding"] == "failed" and checks["challenge"] == "unknown"
    # The challenge was not used up by the refused replay.
    assert "challenge" not in [p.get("code") for p in response.json()["problemDetails"]]


def test_openings_are_in_the_access_log_with_the_verifier_name(api, accounts_world, learner):
    item_id = sd_item(api, accounts_world, learner)
    share = create(api, learner, item_id)
    open_json(api, share["url"], **{"X-Verifier-Name": "Daugava\tBank  HR"})
    api.get(path_of(share["url"]), params={"verifier": "x" * 300 + "\u200b"}, headers=JSON)
    api.get(path_of(share["url"]), params={"verifier": "\u202e\u0007 "}, headers=JSON)
    api.head(path_of(share["url"]))
    api.get(path_of(share["url"]) + "/qr.svg")
    events = api.get("/wallet/access-log", headers=learner.auth).json()["items"]
    actions = sorted((e["actor"], e["action"]) for e in events)
    assert actions == [
        ("verifier", "share.opened"),
        ("verifier", "share.verified"),
        ("verifier:Daugava Bank HR", "share.opened"),
        ("verifier:Daugava Bank HR", "share.verified"),
        ("verifier:" + "x" * 64, "share.opened"),
        ("verifier:" + "x" * 64, "share.verified"),
    ]
    assert all(e["target"].startswith(f"share:{share['id']}") for e in events)


def test_a_vc_jwt_share_is_one_vp_jwt_bound_to_the_link(api, accounts_world, learner):
    issue(api, accounts_world, fmt="vc+jwt", learner={"email": learner.email})
    (item,) = api.get("/wallet/credentials", headers=learner.auth).json()["items"]
    response = api.post(
        "/wallet/shares", json={"items": [{"id": item["id"]}]}, headers=learner.auth
    )
    assert response.status_code == 201, response.text
    share = response.json()
    body = open_json(api, share["url"]).json()
    assert body["verified"] is True, body
    (presented,) = body["presentations"]
    assert presented["format"] == "vp+jwt"
    payload = parse_compact(presented["verifiablePresentation"]).payload
    assert payload["aud"] == share["url"] and payload["nonce"] == share["id"]
    (credential,) = body["credentials"]
    assert credential["format"] == "vc+jwt"
    holder = {c["name"]: c["result"] for c in credential["checks"]}["holder"]
    assert holder == "passed"
    disclose = api.post(
        "/wallet/shares",
        json={"items": [{"id": item["id"], "disclose": [["givenName"]]}]},
        headers=learner.auth,
    )
    assert disclose.status_code == 400


def test_the_json_answer_is_byte_for_byte_the_model_serialised(api, accounts_world, learner):
    """The JSON answer is written from plain data (``share_answers.opened_answer``), not
    through the model: it must be exactly what the model gives (its fields, in its order),
    for both formats, in every language, verified or not."""
    adapter = TypeAdapter(OpenedSharePublic)
    sd_id = sd_item(api, accounts_world, learner, credential_id="urn:uuid:share-bytes")
    issue(api, accounts_world, fmt="vc+jwt", learner={"email": learner.email})
    items = api.get("/wallet/credentials", headers=learner.auth).json()["items"]
    vc_id = next(i["id"] for i in items if i["id"] != sd_id)
    vc_share = api.post("/wallet/shares", json={"items": [{"id": vc_id}]}, headers=learner.auth)
    links = {"sd": create(api, learner, sd_id)["url"], "vc": vc_share.json()["url"]}
    for revoked in (False, True):
        if revoked:
            _change(api, accounts_world, "urn:uuid:share-bytes", "revocation", True)
        for kind, url in links.items():
            for lang in ("lv", "en", "ru"):
                response = open_json(api, f"{url}?lang={lang}")
                assert response.status_code == 200
                model = OpenedSharePublic.model_validate_json(response.content)
                assert adapter.dump_json(model) == response.content
                assert model.verified is not (revoked and kind == "sd")
