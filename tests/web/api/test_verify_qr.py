"""POST /verify/qr: a QR code image in, the answer of POST /credentials/verify out; every
bad upload a 4xx that changes nothing."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from tests.conftest import NOW
from tests.factories import World, make_world
from tests.fixtures.images import bomb_png, png_of, qr_jpeg, qr_png, two_qr_png
from tests.fixtures.verifying import SMALL, forged, issue_token, row_counts
from wallet.web.app import create_app

BASE = "https://wallet.test"


@pytest.fixture
def world(settings, engine) -> World:
    return make_world(settings, engine, now=NOW)


@pytest.fixture
def client(settings, world) -> TestClient:
    return TestClient(create_app(settings, services=world.services), base_url=BASE)


def upload(client, data: bytes, *, name="image", filename="qr.png", media="image/png", **fields):
    return client.post("/verify/qr", files={name: (filename, data, media)}, data=fields)


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


def test_a_share_link_gets_a_clear_message(client):
    response = upload(client, qr_png(f"{BASE}/s/AbCdEfGhIjKlMnOpQrStUv"))
    assert response.status_code == 400
    assert "share links open at their own address" in response.json()["detail"]


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
