"""The verifier's /verify page: no account, three ways in (paste, credential file, QR
image), the verdict and each check in plain words, a receipt to download; a share link
(pasted or in a QR code) answered with the share page's own result; CSRF as on the other
anonymous forms; every bad input a 4xx page that changes nothing."""

from __future__ import annotations

import base64
import re

import lxml.html
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from tests.conftest import NOW
from tests.factories import World, make_world
from tests.fixtures.accounts import login, register
from tests.fixtures.images import bomb_png, png_of, qr_png
from tests.fixtures.verifying import SMALL, forged, issue_token, row_counts
from tests.web.api.test_shares import create, open_json, path_of, sd_item
from tests.web.api.test_status import _change
from tests.web.pages.browsing import BASE, HTML, new_browser, set_cookies, text_of, tree
from wallet.jose import (
    SIGNING_ALGORITHMS,
    check_header,
    parse_compact,
    parse_jwk_set,
    verify_signature,
)
from wallet.receipts import RECEIPT_TYP
from wallet.web.app import create_app


@pytest.fixture
def world(settings, engine) -> World:
    return make_world(settings, engine, now=NOW)


@pytest.fixture
def web(settings, world) -> TestClient:
    app = create_app(settings, services=world.services)
    return TestClient(app, base_url=BASE, headers={"Accept": HTML})


def csrf(web: TestClient, lang: str = "en") -> str:
    page = web.get(f"/verify?lang={lang}")
    assert page.status_code == 200
    values = set(tree(page).xpath("//form[@action='/verify']/input[@name='csrf']/@value"))
    assert len(values) == 1
    return values.pop()


def send(web: TestClient, token: str | None = None, *, headers=None, **parts):
    """POST the /verify form as multipart: text parts as strings, files as (name, bytes)."""
    files = {"csrf": (None, token if token is not None else csrf(web))}
    for name, value in parts.items():
        files[name] = (None, value) if isinstance(value, str) else value
    return web.post("/verify", files=files, headers=headers or {})


def receipt_of(page) -> str:
    (href,) = tree(page).xpath("//a[@download='receipt.jwt']/@href")
    prefix = "data:application/jwt;base64,"
    assert href.startswith(prefix)
    return base64.b64decode(href[len(prefix) :]).decode("ascii")


def check_receipt_with_jwks(web: TestClient, receipt: str) -> dict:
    parsed = parse_compact(receipt)
    check_header(parsed.header, typ={RECEIPT_TYP}, algorithms=SIGNING_ALGORITHMS)
    jwks = web.get("/.well-known/jwks.json", headers={"Accept": "application/json"}).json()
    key = parse_jwk_set(jwks).key_for(kid=parsed.header["kid"], alg=parsed.header["alg"])
    verify_signature(parsed, key)
    return dict(parsed.payload)


# --- the form -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "title"),
    [("lv", "Apliecinājuma pārbaude"), ("en", "Check a credential"), ("ru", "Проверка")],
)
def test_the_form_needs_no_account_and_speaks_three_languages(web, lang, title):
    page = web.get(f"/verify?lang={lang}")
    assert page.status_code == 200
    html = tree(page)
    assert html.get("lang") == lang
    assert title in html.findtext(".//h1")
    assert "imk_csrf" in set_cookies(page)
    forms = html.xpath("//form[@action='/verify']")
    assert len(forms) == 4  # paste, file, QR image, camera photo
    assert {f.get("enctype") for f in forms} == {"multipart/form-data"}
    assert {f.get("method") for f in forms} == {"post"}


def test_the_header_links_are_apart_without_a_style_sheet(web):
    html = tree(web.get("/verify?lang=en"))
    (nav,) = html.xpath("//header/nav")
    text = " ".join(nav.text_content().split())
    assert text == "IMK Wallet · Sign in · Create an account · latviešu · English · русский"
    # The dots are for the eye only; screen readers announce each link.
    assert set(nav.xpath("./span/@aria-hidden")) == {"true"}


def test_every_control_has_a_label_and_the_page_fits_a_phone(web):
    page = web.get("/verify")
    html = tree(page)
    for control in html.xpath("//main//textarea | //main//input[@type!='hidden']"):
        label = control.getparent()
        assert label.tag == "label" and label.text_content().strip(), lxml.html.tostring(control)
    assert html.xpath("//meta[@name='viewport']/@content") == [
        "width=device-width, initial-scale=1"
    ]
    names = set(html.xpath("//main//textarea/@name | //main//input[@type='file']/@name"))
    assert names == {"credential", "file", "image"}
    assert html.xpath("//input[@name='image' and not(@capture)]/@accept") == [
        "image/png,image/jpeg"
    ]
    # The camera form: on a phone the back camera opens at once to photograph the code.
    assert html.xpath("//input[@name='image' and @capture]/@capture") == ["environment"]
    # Every form is sent with a real button (keyboard: Enter / Space), no script at all.
    assert len(html.xpath("//form[@action='/verify']//button[@type='submit']")) == 4
    assert not html.xpath("//script")


def test_the_style_is_allowed_by_its_hash_and_nothing_else(web):
    page = web.get("/verify")
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert re.search(r"style-src 'sha256-[A-Za-z0-9+/=]+'$", policy)


# --- results ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["vc+jwt", "dc+sd-jwt"])
def test_pasted_credential_is_verified_in_plain_words(web, world, fmt):
    token = issue_token(world, fmt=fmt)
    page = send(web, credential=token)
    assert page.status_code == 200, text_of(page)
    html = tree(page)
    assert html.xpath("//p[contains(@class,'verdict') and contains(@class,'passed')]")
    text = text_of(page)
    assert "The credential is genuine and valid" in text
    assert "The signature is genuine" in text
    assert "The issuer is registered" in text
    assert "Not revoked or suspended" in text
    assert world.services.registry.by_slug("uni").names["en"] in text
    results = html.xpath("//table[@class='checks']//td[contains(@class,'result')]/@class")
    assert results and all(r in ("result passed", "result not-applicable") for r in results)
    claims = check_receipt_with_jwks(web, receipt_of(page))
    assert claims["verified"] is True and claims["format"] == fmt


def test_credential_file_is_verified(web, world):
    token = issue_token(world)
    page = send(web, file=("diploma.jwt", token.encode(), "application/jwt"))
    assert page.status_code == 200, text_of(page)
    assert check_receipt_with_jwks(web, receipt_of(page))["verified"] is True


def test_enveloped_json_file_is_verified(web, world):
    token = issue_token(world)
    enveloped = (
        '{"@context":["https://www.w3.org/ns/credentials/v2"],'
        f'"type":"EnvelopedVerifiableCredential","id":"data:application/vc+jwt,{token}"}}'
    )
    page = send(web, file=("diploma.json", enveloped.encode(), "application/json"))
    assert page.status_code == 200, text_of(page)


def test_qr_code_image_is_verified(web, world):
    token = issue_token(world, type_name=SMALL)
    page = send(web, image=("qr.png", qr_png(token), "image/png"))
    assert page.status_code == 200, text_of(page)
    assert "The credential is genuine and valid" in text_of(page)


def test_a_forged_credential_is_red(web, world):
    page = send(web, credential=forged(issue_token(world)))
    assert page.status_code == 422
    html = tree(page)
    assert html.xpath("//p[contains(@class,'verdict') and contains(@class,'failed')]")
    assert html.xpath("//td[@class='result failed']")
    assert "NOT valid" in text_of(page)
    assert check_receipt_with_jwks(web, receipt_of(page))["verified"] is False


def test_results_in_latvian_and_russian(web, world):
    token = issue_token(world)
    # The GET with ?lang= leaves the choice in the lang cookie, which the POST's page uses.
    lv = send(web, csrf(web, "lv"), credential=token)
    assert "Paraksts ir īsts" in text_of(lv)
    ru = send(web, csrf(web, "ru"), credential=token)
    assert "Подпись подлинная" in text_of(ru)


# --- share links ----------------------------------------------------------------------


@pytest.fixture
def learner(api, mailbox):
    return login(api, register(api, mailbox, "verify.share@example.lv"))


@pytest.fixture
def stranger(api, browsers):
    """A browser of someone without an account, on the app of ``api``."""
    return new_browser(browsers, api.app)


def _result(page) -> list[bytes]:
    """The result of an opened share as the page shows it: the verdict, the link's dates
    and every credential, as markup (the way back to /verify aside)."""
    main = tree(page).xpath("//main")[0]
    parts = main.xpath("./div[contains(@class,'verdict')] | ./dl | ./section")
    return [lxml.html.tostring(part) for part in parts]


def _by_qr(browser, url: str, **fields):
    return send(browser, csrf(browser), image=("qr.png", qr_png(url), "image/png"), **fields)


def test_a_share_link_qr_on_the_verify_page_gives_the_share_pages_result(
    api, accounts_world, learner, stranger
):
    item_id = sd_item(api, accounts_world, learner, credential_id="urn:uuid:verify-page-share")
    share = create(api, learner, item_id)
    direct = stranger.get(path_of(share["url"]) + "?lang=en")
    assert tree(direct).xpath("//div[contains(@class,'verdict')]/@class") == ["verdict verified"]
    by_qr = _by_qr(stranger, share["url"])
    pasted = send(stranger, csrf(stranger), credential=f"  {share['url']}\n")
    for page in (by_qr, pasted):
        assert page.status_code == 200, text_of(page)
        assert _result(page) == _result(direct)
        assert tree(page).xpath("//main//a/@href")[-1] == "/verify"
        assert page.headers["x-robots-tag"] == direct.headers["x-robots-tag"]
    assert "Given name" in text_of(by_qr) and "Date of birth" not in text_of(by_qr)
    # After the institution revokes, the QR code gives the link's red result too.
    _change(api, accounts_world, "urn:uuid:verify-page-share", "revocation", True)
    direct = stranger.get(path_of(share["url"]) + "?lang=en")
    red = _by_qr(stranger, share["url"])
    assert red.status_code == 200
    assert tree(red).xpath("//div[contains(@class,'verdict')]/@class") == ["verdict not-verified"]
    assert _result(red) == _result(direct)


def test_a_share_link_on_the_verify_page_is_in_the_access_log(
    api, accounts_world, learner, stranger
):
    share = create(api, learner, sd_item(api, accounts_world, learner))
    assert _by_qr(stranger, share["url"], verifier="Daugava  Bank HR").status_code == 200
    assert send(stranger, csrf(stranger), credential=share["url"]).status_code == 200
    events = api.get("/wallet/access-log", headers=learner.auth).json()["items"]
    assert sorted((e["actor"], e["action"]) for e in events) == [
        ("verifier", "share.checked"),
        ("verifier", "share.verified"),
        ("verifier:Daugava Bank HR", "share.checked"),
        ("verifier:Daugava Bank HR", "share.verified"),
    ]


def test_a_share_link_qr_on_the_verify_page_uses_up_a_view(api, accounts_world, learner, stranger):
    share = create(api, learner, sd_item(api, accounts_world, learner), maxViews=1)
    # A view-limited link shows its credentials at once here: the upload is the person's
    # deliberate POST, as the link's own "Show" button is.
    shown = _by_qr(stranger, share["url"])
    assert shown.status_code == 200
    assert tree(shown).xpath("//div[contains(@class,'verdict')]/@class") == ["verdict verified"]
    used_up = _by_qr(stranger, share["url"])
    assert used_up.status_code == 410
    assert "opened as many times as its owner allowed" in text_of(used_up)
    assert open_json(api, share["url"]).status_code == 410
    (listed,) = api.get("/wallet/shares", headers=learner.auth).json()["items"]
    assert listed["views"] == 1 and listed["state"] == "used-up"


def test_a_share_link_qr_of_an_unknown_token_is_404_and_of_a_revoked_share_410(
    api, accounts_world, learner, stranger
):
    share = create(api, learner, sd_item(api, accounts_world, learner))
    unknown_link = f"{BASE}/s/AbCdEfGhIjKlMnOpQrStUv"
    unknown = _by_qr(stranger, unknown_link)
    assert unknown.status_code == 404
    assert text_of(unknown) == text_of(stranger.get(path_of(unknown_link) + "?lang=en")) + (
        " Check another credential"
    )
    assert api.delete(f"/wallet/shares/{share['id']}", headers=learner.auth).status_code == 204
    for gone in (
        _by_qr(stranger, share["url"]),
        send(stranger, csrf(stranger), credential=share["url"]),
    ):
        assert gone.status_code == 410
        assert "revoked" in text_of(gone)
        assert tree(gone).xpath("//main//a/@href") == ["/verify"]


def test_another_link_of_this_service_is_a_400_with_the_forms(web):
    for link in (f"{BASE}/verify", f"{BASE}/s/{'A' * 22}/qr.png", f"{BASE}/wallet"):
        page = send(web, credential=link)
        assert page.status_code == 400, link
        assert "no share link" in text_of(page)
        assert len(tree(page).xpath("//form[@action='/verify']")) == 4


# --- refusals -----------------------------------------------------------------------------


def test_a_post_without_the_form_token_is_403(web, world):
    token = issue_token(world)
    csrf(web)  # the browser has its cookie
    assert send(web, "forged-token", credential=token).status_code == 403
    fresh = TestClient(web.app, base_url=BASE, headers={"Accept": HTML})
    assert send(fresh, "x" * 43, credential=token).status_code == 403


def test_a_cross_site_post_is_403(web, world):
    token = csrf(web)
    response = send(web, token, credential="x", headers={"Origin": "https://evil.example"})
    assert response.status_code == 403
    response = send(web, token, credential="x", headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 403


def _bad_posts():
    gif = Image.new("RGB", (20, 20))
    import io

    buffer = io.BytesIO()
    gif.save(buffer, format="GIF")
    yield "gif", {"image": ("qr.png", buffer.getvalue(), "image/png")}, 415
    yield "text-as-image", {"image": ("qr.png", b"hello", "image/png")}, 415
    yield "wide", {"image": ("w.png", png_of(Image.new("1", (5000, 10), 1)), "image/png")}, 413
    yield "bomb", {"image": ("b.png", bomb_png(20000, 20000), "image/png")}, 413
    yield "truncated", {"image": ("t.png", qr_png("abc")[:150], "image/png")}, 400
    yield "no-qr", {"image": ("n.png", png_of(Image.new("L", (99, 99), 255)), "image/png")}, 400
    yield "junk-qr", {"image": ("j.png", qr_png(b"\x00\xff\xfe"), "image/png")}, 400
    yield "text-qr", {"image": ("j.png", qr_png("hello"), "image/png")}, 400
    yield "foreign-link", {"credential": "https://evil.example/s/abc"}, 400
    yield "junk-text", {"credential": "not a credential"}, 400
    yield "bad-json", {"credential": '{"id": 1,'}, 400
    yield "binary-file", {"file": ("x.jwt", b"\xff\xfe\x00", "application/jwt")}, 400
    yield "nothing", {"credential": "   "}, 400
    yield "two-at-once", {"credential": "a.b.c", "file": ("x.jwt", b"a.b.c", "text/plain")}, 400
    yield "unknown-field", {"other": "x"}, 400
    yield "control-char", {"credential": "a\x01b"}, 400


@pytest.mark.parametrize(("parts", "status"), [(p, s) for _, p, s in _bad_posts()],
                         ids=[name for name, _, _ in _bad_posts()])  # fmt: skip
def test_bad_input_is_a_4xx_page_that_changes_nothing(web, world, parts, status):
    token = csrf(web)
    before = row_counts(world)
    page = send(web, token, **parts)
    assert page.status_code == status, text_of(page)
    assert page.headers["content-type"].startswith("text/html")
    assert tree(page).xpath("//div[@role='alert']")
    assert row_counts(world) == before


def test_a_url_encoded_post_is_refused_with_a_page(web):
    token = csrf(web)
    page = web.post(
        "/verify",
        content=f"csrf={token}&credential=x".encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert page.status_code == 415
    assert page.headers["content-type"].startswith("text/html")
