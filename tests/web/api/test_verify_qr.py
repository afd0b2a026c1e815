"""POST /verify/qr: a QR code image in, the answer of POST /credentials/verify out, or for
one of our share links the answer of GET /s/{token} as JSON (the same verdict and JSON, a
view taken, the access log written as share.checked, 404 and 410 alike); every bad upload
a 4xx that changes nothing."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from tests.conftest import NOW
from tests.factories import World, make_world
from tests.fixtures.accounts import login, register
from tests.fixtures.images import bomb_png, png_of, qr_jpeg, qr_png, two_qr_png
from tests.fixtures.verifying import SMALL, forged, issue_token, row_counts
from tests.web.api.test_shares import create, open_json, path_of, sd_item
from wallet.web.api.share_opening import share_token_of
from wallet.web.app import create_app

BASE = "https://wallet.test"


@pytest.fixture
def world(settings, engine) -> World:
    return make_world(settings, engine, now=NOW)


@pytest.fixture
def client(settings, world) -> TestClient:
    return TestClient(create_app(settings, services=world.services), base_url=BASE)


def upload(
    client, data: bytes, *, name="image", filename="qr.png", media="image/png", headers=None,
    **fields,
):  # fmt: skip
    return client.post(
        "/verify/qr", files={name: (filename, data, media)}, data=fields, headers=headers
    )


@pytest.mark.parametrize("make", [qr_png, qr_jpeg], ids=["png", "jpeg"])
def test_a_qr_code_of_a_credential_verifies_like_the_api(client, world, make):
    token = issue_token(world, type_name=SMALL)
    response = upload(client, make(token))
    assert response.status_code == 200, response.text
    expected = client.post("/credentials/verify", json={"verifiableCredential": token})
    assert response.json() == expected.json()


def test_a_forged_credential_in_a_qr_code_is_422(client, world):
    token = forged(issue_token(world, type_name=SMALL))
    response = upload(client, qr_png(token), receipt="true")
    assert response.status_code == 422
    body = response.json()
    assert body["verified"] is False
    assert body["receipt"].count(".") == 2


def test_receipt_on_request(client, world):
    token = issue_token(world, type_name=SMALL)
    assert "receipt" not in upload(client, qr_png(token)).json()
    assert "receipt" in upload(client, qr_png(token), receipt="true").json()
    assert upload(client, qr_png(token), receipt="yes").status_code == 400


# --- share links ----------------------------------------------------------------------


@pytest.fixture
def learner(api, mailbox):
    return login(api, register(api, mailbox, "qr.share@example.lv"))


def _but_views(body: dict) -> dict:
    """An opened share's JSON without its view count (each opening adds one)."""
    return {**body, "share": {k: v for k, v in body["share"].items() if k != "views"}}


def _access_log(api, person) -> list[dict]:
    return api.get("/wallet/access-log", headers=person.auth).json()["items"]


def test_a_share_link_qr_gives_the_share_verdict(api, accounts_world, learner):
    share = create(api, learner, sd_item(api, accounts_world, learner))
    ru = {"Accept-Language": "ru, en;q=0.5"}
    direct = open_json(api, share["url"], **ru)
    by_qr = upload(api, qr_png(share["url"]), headers=ru)
    assert by_qr.status_code == 200, by_qr.text
    assert by_qr.headers["content-type"] == "application/json"
    assert by_qr.headers["cache-control"] == "no-store"
    assert by_qr.headers["referrer-policy"] == "no-referrer"
    body = by_qr.json()
    assert body["verified"] is True and body["share"]["views"] == 2
    assert _but_views(body) == _but_views(direct.json())
    assert body["credentials"][0]["claims"][0]["label"] == "Имя"
    # A receipt is for a credential; a share link's answer is the link's own.
    with_receipt = upload(api, qr_png(share["url"]), receipt="true")
    assert with_receipt.status_code == 200 and "receipt" not in with_receipt.json()


def test_a_share_link_qr_after_revocation_of_the_credential_is_red_like_the_link(
    api, accounts_world, learner
):
    from tests.web.api.test_status import _change

    item_id = sd_item(api, accounts_world, learner, credential_id="urn:uuid:qr-share-revoked")
    share = create(api, learner, item_id)
    _change(api, accounts_world, "urn:uuid:qr-share-revoked", "revocation", True)
    by_qr = upload(api, qr_png(share["url"]))
    assert by_qr.status_code == 200
    assert by_qr.json()["verified"] is False
    assert _but_views(by_qr.json()) == _but_views(open_json(api, share["url"]).json())


def test_a_share_link_qr_is_in_the_access_log_as_a_verification(api, accounts_world, learner):
    share = create(api, learner, sd_item(api, accounts_world, learner))
    assert upload(api, qr_png(share["url"]), verifier="Rīgas  Tehniskā ").status_code == 200
    headers = {"X-Verifier-Name": "Daugava Bank HR"}
    assert upload(api, qr_png(share["url"]), headers=headers).status_code == 200
    open_json(api, share["url"])
    events = _access_log(api, learner)
    assert sorted((e["actor"], e["action"]) for e in events) == [
        ("verifier", "share.opened"),
        ("verifier", "share.verified"),
        ("verifier:Daugava Bank HR", "share.checked"),
        ("verifier:Daugava Bank HR", "share.verified"),
        ("verifier:Rīgas Tehniskā", "share.checked"),
        ("verifier:Rīgas Tehniskā", "share.verified"),
    ]
    assert all(e["target"].startswith(f"share:{share['id']}") for e in events)
    assert all(e["at"] for e in events)


def test_a_share_link_qr_uses_up_a_view_of_a_view_limited_share(api, accounts_world, learner):
    share = create(api, learner, sd_item(api, accounts_world, learner), maxViews=2)
    first = upload(api, qr_png(share["url"]))
    assert first.status_code == 200 and first.json()["share"]["views"] == 1
    assert open_json(api, share["url"]).json()["share"]["views"] == 2
    used_up = upload(api, qr_png(share["url"]))
    assert used_up.status_code == 410
    assert used_up.json() == open_json(api, share["url"]).json()
    assert used_up.json()["code"] == "LINK_NOT_USABLE"
    (listed,) = api.get("/wallet/shares", headers=learner.auth).json()["items"]
    assert listed["views"] == 2 and listed["state"] == "used-up"
    actions = [e["action"] for e in _access_log(api, learner)]
    assert sorted(actions) == ["share.checked", "share.opened", "share.verified", "share.verified"]


def test_a_share_link_qr_of_an_unknown_token_is_404_and_of_a_revoked_share_410(
    api, accounts_world, learner
):
    share = create(api, learner, sd_item(api, accounts_world, learner))
    before = row_counts(accounts_world)
    for token in ("AbCdEfGhIjKlMnOpQrStUv", "x", "%E2%80%AE"):
        unknown = upload(api, qr_png(f"{BASE}/s/{token}"))
        assert unknown.status_code == 404, (token, unknown.text)
        assert unknown.json() == open_json(api, f"{BASE}/s/{token}").json()
    assert row_counts(accounts_world) == before
    assert api.delete(f"/wallet/shares/{share['id']}", headers=learner.auth).status_code == 204
    gone = upload(api, qr_png(share["url"]))
    assert gone.status_code == 410
    assert gone.headers["content-type"].startswith("application/problem+json")
    assert gone.json() == open_json(api, share["url"]).json()
    assert "revoked" in gone.json()["detail"]
    assert api.head(path_of(share["url"])).status_code == 410


@pytest.mark.parametrize(
    ("link", "token"),
    [
        (f"{BASE}/s/abc", "abc"),
        (f"{BASE}/s/abc/", "abc"),
        (f"{BASE}/s/abc?lang=en&verifier=x#top", "abc"),
        ("HTTPS://WALLET.test:443/s/abc", "abc"),
        (f"{BASE}/s/%41b", "Ab"),
        (f"{BASE}/s/abc/qr.png", None),
        (f"{BASE}/s/", None),
        (f"{BASE}/verify", None),
        ("http://wallet.test/s/abc", None),
        ("https://x@wallet.test/s/abc", None),
        ("https://wallet.test@evil.example/s/abc", None),
        ("https://wallet.test.evil/s/abc", None),
        ("https://wallet.test:99999/s/abc", None),
        ("wallet.test/s/abc", None),
    ],
)  # fmt: skip
def test_only_links_of_this_service_to_a_share_are_read_as_share_links(link, token):
    assert share_token_of(link, base_url=BASE) == token
    assert share_token_of("https://h.example/w/s/t", base_url="https://h.example/w") == "t"
    assert share_token_of("https://h.example/s/t", base_url="https://h.example/w") is None


def _bad_uploads():
    gif = Image.new("RGB", (20, 20))
    yield "gif", lambda c: upload(c, _save(gif, "GIF"), filename="qr.png"), 415
    yield "bmp", lambda c: upload(c, _save(gif, "BMP")), 415
    yield "svg", lambda c: upload(c, b"<svg xmlns='http://www.w3.org/2000/svg'/>"), 415
    yield "text", lambda c: upload(c, b"hello", media="text/plain"), 415
    yield "wide", lambda c: upload(c, png_of(Image.new("1", (5000, 10), 1))), 413
    yield "bomb", lambda c: upload(c, bomb_png(20000, 20000)), 413
    yield "oversize", lambda c: upload(c, b"\x89PNG\r\n\x1a\n" + b"\x00" * (2 << 20)), 413
    yield "truncated", lambda c: upload(c, qr_png("x" * 40)[:300]), 400
    yield "no-qr", lambda c: upload(c, png_of(Image.new("L", (200, 200), 255))), 400
    yield "two-qr", lambda c: upload(c, two_qr_png("a", "b")), 400
    yield "binary-qr", lambda c: upload(c, qr_png(b"\xff\xfe\x00junk")), 400
    yield "ansi-qr", lambda c: upload(c, qr_png("\x1b[2J.x.y")), 400
    yield "junk-text-qr", lambda c: upload(c, qr_png("hello world")), 400
    yield "javascript-qr", lambda c: upload(c, qr_png("javascript:alert(1)")), 400
    yield "foreign-link-qr", lambda c: upload(c, qr_png("https://evil.example/s/x")), 400
    yield "foreign-share-path-qr", lambda c: upload(c, qr_png("https://wallet.test.evil/s/x")), 400
    yield "userinfo-link-qr", lambda c: upload(c, qr_png(f"https://x@{BASE[8:]}/s/x")), 400
    yield "own-page-link-qr", lambda c: upload(c, qr_png(f"{BASE}/verify")), 400
    yield "own-qr-image-link-qr", lambda c: upload(c, qr_png(f"{BASE}/s/{'A' * 22}/qr.png")), 400
    yield "json-junk-qr", lambda c: upload(c, qr_png('{"a":1,"a":2}')), 400
    yield "empty-file", lambda c: upload(c, b""), 400
    yield "wrong-part", lambda c: upload(c, qr_png("x"), name="picture"), 400
    yield "no-image", lambda c: c.post("/verify/qr", files={"receipt": (None, "true")}), 400
    yield "url-encoded", lambda c: c.post("/verify/qr", data={"receipt": "true"}), 415
    yield "json-body", lambda c: c.post("/verify/qr", json={"image": "x"}), 415
    yield (
        "two-images",
        lambda c: c.post(
            "/verify/qr", files=[("image", ("a.png", b"x")), ("image", ("b.png", b"y"))]
        ),
        400,
    )
    yield (
        "bad-multipart",
        lambda c: c.post(
            "/verify/qr",
            content=b"--x\r\nContent-Disposition: form-data\r\n\r\nno name\r\n--x--\r\n",
            headers={"Content-Type": "multipart/form-data; boundary=x"},
        ),
        400,
    )


def _save(image: Image.Image, fmt: str) -> bytes:
    import io

    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


@pytest.mark.parametrize(("send", "status"), [(s, c) for _, s, c in _bad_uploads()],
                         ids=[name for name, _, _ in _bad_uploads()])  # fmt: skip
def test_bad_uploads_are_4xx_and_change_nothing(client, world, send, status):
    before = row_counts(world)
    response = send(client)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert row_counts(world) == before
