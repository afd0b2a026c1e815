"""The learner wallet pages end to end, in browsers: credentials issued before the account
exists and released by proof (the address through the link in the real message, the
personal code only through the identity provider), the listing, one credential in three
languages, downloads, import, deletion after a confirmation step, export and erasure; CSRF
on every wallet form; and the isolation matrix over every wallet page route.

The browsers are those of ``browsing.py``; credentials are issued over the API as an
institution would (``tests/web/api/test_wallet.py``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlmodel import select

from tests.factories import make_world
from tests.fixtures.accounts import PASSWORD, login, register
from tests.fixtures.mail import links
from tests.fixtures.oidc import default_user, follow_authorization
from tests.web.api.test_wallet import (
    CODE,
    PASSPHRASE,
    SHOWN,
    TITLE,
    audit_actions,
    issue,
    issuer_auth,
    unzip,
)
from tests.web.api.test_wallet import token_of as issued_token
from tests.web.pages.browsing import (
    BASE,
    begin_link,
    callback,
    csrf_of,
    enrol,
    is_page,
    make_staff,
    new_browser,
    post_form,
    row_of,
    sign_in,
    signed_in,
    submit,
    text_of,
    tree,
)
from wallet import holder
from wallet.db import wallet_crud
from wallet.db.models import AuditEvent, HolderWallet, WalletItem
from wallet.jose import decrypt_with_passphrase
from wallet.web.pages import labels
from wallet.web.pages import wallet as wallet_pages

#: A valid personal code (check digit right) of another fictitious person.
OTHER_CODE = "020290-10000"
UNKNOWN_ID = "AAAAAAAAAAAAAAAAAAAAAA"


def learner(client: TestClient, mailbox, email: str, *, language: str = "en"):
    """Register through the pages, prove the address with the link from the message, sign
    in; return the account page."""
    return signed_in(client, mailbox, email, language=language)


def session_token(client: TestClient) -> str:
    """The signed-in browser's form token (every signed-in form carries the same)."""
    return csrf_of(client.get("/account"), "/logout")


def rows(page) -> list[dict[str, str]]:
    """The listing's rows, cell by cell."""
    found = []
    for row in tree(page).xpath("//table[@class='credentials']/tbody/tr"):
        cells = [" ".join(cell.text_content().split()) for cell in row.xpath("td")]
        (href,) = row.xpath("td[1]/a/@href")
        names = ("title", "type", "issuer", "issued", "status")
        found.append({"id": href.rsplit("/", 1)[1], **dict(zip(names, cells, strict=True))})
    return found


def listing(client: TestClient, **params: str) -> list[dict[str, str]]:
    page = client.get("/wallet", params=params)
    assert page.status_code == 200, page.text
    return rows(page)


def titles(client: TestClient, **params: str) -> list[str]:
    return [row["title"] for row in listing(client, **params)]


# --- how credentials arrive -----------------------------------------------------------------


def test_issued_before_the_account_appears_once_the_address_is_proven(
    web, api, mailbox, accounts_world
):
    issued = issue(api, accounts_world, email="Liga@Example.lv")
    account = learner(web, mailbox, "liga@example.lv")
    assert tree(account).xpath("//main//a[@href='/wallet']")  # the account page offers it
    page = web.get("/wallet")
    assert page.status_code == 200 and is_page(page)
    assert tree(page).xpath("//header//a[@href='/wallet']")
    (row,) = rows(page)
    assert row == {
        "id": row["id"],
        "title": TITLE["en"],
        "type": "Course certificate",
        "issuer": "Test institution uni",
        "issued": "2026-06-01",
        "status": "Verified",
    }
    assert tree(page).xpath("//span[contains(@class, 'badge')]/@class") == ["badge verified"]
    assert web.get(f"/wallet/{row['id']}/download.jwt").text == issued_token(issued)
    # A credential issued after the address was proven goes straight in, and the mail that
    # tells the learner links to this page.
    issue(api, accounts_world, email="liga@example.lv", title={"lv": "Otrais", "en": "Second"})
    told = mailbox.wait_for(to="liga@example.lv", count=3)
    assert f"{BASE}/wallet" in [url for message in told for url in links(message)]
    opened = web.get(f"{BASE}/wallet", params={"sort": "title"})
    assert [row["title"] for row in rows(opened)] == [TITLE["en"], "Second"]


def test_a_personal_code_credential_is_released_only_by_proof_of_that_code(
    web, browser, api, mailbox, accounts_world, oidc_provider
):
    issue(api, accounts_world, personalCode=CODE, email="janis@example.lv")
    learner(web, mailbox, "janis@example.lv")
    assert listing(web) == []  # the address it was also sent to releases nothing
    assert "Your wallet holds no credentials yet." in text_of(web.get("/wallet"))
    # Another learner who proves another personal code gets nothing.
    learner(browser, mailbox, "other@example.lv")
    oidc_provider.next_user = {**default_user(), "sub": "lv-eid-0002", "personal_code": OTHER_CODE}
    assert callback(browser, follow_authorization(begin_link(browser))).status_code == 303
    assert listing(browser) == []
    # The learner proves the code at the identity provider, back in the same browser.
    oidc_provider.next_user = default_user()
    done = callback(web, follow_authorization(begin_link(web)))
    assert (done.status_code, done.headers["location"]) == (
        303,
        "/account?notice=personal-code-linked",
    )
    assert titles(web) == [TITLE["en"]]
    assert listing(browser) == []
    issue(api, accounts_world, personalCode=CODE, title={"lv": "Vēlāk", "en": "Later"})
    assert sorted(titles(web)) == sorted([TITLE["en"], "Later"])


# --- one credential -----------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["lv", "en", "ru"])
def test_a_credential_reads_in_the_language_of_the_page(web, api, mailbox, accounts_world, lang):
    issue(api, accounts_world, email="view@example.lv")
    learner(web, mailbox, "view@example.lv", language=lang)
    (row,) = listing(web)
    assert row["type"] == SHOWN[lang]["type"] and row["issuer"] == SHOWN[lang]["issuer"]
    page = web.get(f"/wallet/{row['id']}")
    assert page.status_code == 200, page.text
    expected = SHOWN[lang]
    assert tree(page).xpath("/html/@lang") == [lang]
    assert tree(page).xpath("//h1/text()") == [labels.label(lang, "title.credential")]
    assert tree(page).xpath("//h2[@class='credential-title']/text()") == [expected["title"]]
    text = text_of(page)
    for shown in (
        f"{expected['given']} Ērika",
        f"{labels.label(lang, 'label.type')} {expected['type']}",
        f"{labels.label(lang, 'label.issuer')} {expected['issuer']}",
        f"{labels.label(lang, 'label.accredited')} {labels.label(lang, 'value.yes')}",
        f"{expected['title_label']} {expected['title']}",
        labels.label(lang, "text.verified_now"),
    ):
        assert shown in text, (shown, text)
    for other in {"lv", "en", "ru"} - {lang}:
        assert SHOWN[other]["given"] not in text
    checks = tree(page).xpath("//table[@class='checks']/tbody/tr")
    assert checks and all(len(check.xpath("td")) == 3 for check in checks)
    assert labels.label(lang, "result.passed") in {c.xpath("string(td[2])") for c in checks}


def test_the_verification_is_re_run_when_viewed(web, api, mailbox, accounts_world):
    issue(api, accounts_world, email="again@example.lv")
    learner(web, mailbox, "again@example.lv")
    (row,) = listing(web)
    assert "Checked at 2026-06-01T00:00:00Z" in text_of(web.get(f"/wallet/{row['id']}"))
    accounts_world.clock[0] += 3600
    assert "Checked at 2026-06-01T01:00:00Z" in text_of(web.get(f"/wallet/{row['id']}"))


def test_downloads_equal_what_was_issued(web, api, mailbox, accounts_world):
    issued = issue(api, accounts_world, email="dl@example.lv")
    learner(web, mailbox, "dl@example.lv")
    (row,) = listing(web)
    item = row["id"]
    page = web.get(f"/wallet/{item}")
    assert tree(page).xpath("//ul[@class='credential-links']//a/@href") == [
        f"/wallet/{item}/share",
        f"/wallet/{item}/download.jwt",
        f"/wallet/{item}/download.json",
        f"/wallet/{item}/delete",
    ]
    token = web.get(f"/wallet/{item}/download.jwt")
    assert token.status_code == 200
    assert token.text == issued_token(issued)
    assert token.headers["content-type"] == "application/vc+jwt"
    assert token.headers["content-disposition"] == f'attachment; filename="{item}.jwt"'
    assert token.headers["cache-control"] == "no-store"
    assert token.headers["x-content-type-options"] == "nosniff"
    enveloped = web.get(f"/wallet/{item}/download.json")
    assert enveloped.status_code == 200
    assert enveloped.json() == issued
    assert enveloped.headers["content-type"] == "application/json"
    assert enveloped.headers["content-disposition"] == f'attachment; filename="{item}.json"'


def test_text_from_a_credential_is_shown_as_text(web, api, mailbox, accounts_world):
    title = {"lv": "<b>Ķīmija</b>\u0001 & co", "en": "<script>alert(1)</script>"}
    issue(api, accounts_world, email="text@example.lv", title=title)
    learner(web, mailbox, "text@example.lv", language="lv")
    page = web.get("/wallet")
    assert page.status_code == 200
    (row,) = rows(page)
    assert row["title"] == "<b>Ķīmija</b>\ufffd & co"
    assert not tree(page).xpath("//main//b | //script")
    shown = web.get(f"/wallet/{row['id']}")
    assert shown.status_code == 200
    assert not tree(shown).xpath("//main//b | //script")
    assert "<b>Ķīmija</b>\ufffd & co" in text_of(shown)


# --- import -------------------------------------------------------------------------------


def test_import_verifies_and_keeps_what_it_can_parse(
    web, mailbox, accounts_world, settings, engine, now, tmp_path
):
    learner(web, mailbox, "import@example.lv")
    here = accounts_world.issue("uni", "course-certificate")
    assert len(here) > 1024  # longer than any other form field may be
    form = web.get("/wallet/import")
    assert form.status_code == 200
    assert tree(form).xpath("//form[@action='/wallet/import']//textarea[@name='credential']")
    added = submit(web, form, "/wallet/import", credential=f"\n  {here}\n")
    assert added.status_code == 303, added.text
    location = added.headers["location"]
    assert location.startswith("/wallet/") and location.endswith("?notice=credential-imported")
    shown = web.get(location)
    assert "The credential is added to your wallet." in text_of(shown)
    assert "Imported" in text_of(shown) and "Verified" in text_of(shown)
    enveloped = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": "EnvelopedVerifiableCredential",
        "id": f"data:application/vc+jwt,{here}",
    }
    again = submit(web, form, "/wallet/import", credential=json.dumps(enveloped, indent=2))
    assert again.status_code == 303, again.text
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    foreign_world = make_world(
        settings.model_copy(update={"issuers_dir": elsewhere}), engine, now=now,
        issuers={"foreign": "EdDSA"},
    )  # fmt: skip
    foreign = submit(
        web, form, "/wallet/import", credential=foreign_world.issue("foreign", "course-certificate")
    )
    assert foreign.status_code == 303
    unknown = web.get(foreign.headers["location"])
    assert "Unknown issuer" in text_of(unknown) and "Not in the trust registry" in text_of(unknown)
    assert labels.label("en", "text.not_verified_now") in text_of(unknown)
    before = listing(web)
    assert sorted(row["status"] for row in before) == ["Unknown issuer", "Verified", "Verified"]
    refusals = [
        ("not a credential", 400),
        ("a.b.c", 400),
        ('{"id": "https://example.lv/vc/1"}', 400),
        ('{"a": 1, "a": 2}', 400),
        ("[1, 2]", 400),
        ("   ", 400),
        ("x" * (holder.MAX_IMPORT_CHARS + 1), 413),
    ]
    for value, status in refusals:
        refused = submit(web, form, "/wallet/import", credential=value)
        assert refused.status_code == status, (value[:40], refused.text)
        assert is_page(refused)
        assert tree(refused).xpath("//div[contains(@class, 'error')]")
        assert tree(refused).xpath("//form[@action='/wallet/import']")  # the form again
    # Far over the cap, the form parser refuses the field before the page sees it.
    over = submit(web, form, "/wallet/import", credential="x" * 300_000)
    assert over.status_code == 400 and is_page(over)
    assert listing(web) == before


# --- delete, the access log ---------------------------------------------------------------


def test_delete_asks_first(web, api, mailbox, accounts_world):
    issue(api, accounts_world, email="del@example.lv")
    learner(web, mailbox, "del@example.lv")
    (row,) = listing(web)
    item = row["id"]
    confirm = web.get(f"/wallet/{item}/delete")
    assert confirm.status_code == 200
    assert TITLE["en"] in text_of(confirm)
    assert "This cannot be undone." in text_of(confirm)
    assert tree(confirm).xpath("//main//a/@href") == [f"/wallet/{item}"]  # cancel
    assert listing(web) == [row]  # asking deletes nothing
    done = submit(web, confirm, f"/wallet/{item}/delete")
    assert (done.status_code, done.headers["location"]) == (
        303,
        "/wallet?notice=credential-deleted",
    )
    after = web.get(done.headers["location"])
    assert "The credential is deleted from the wallet." in text_of(after)
    assert rows(after) == []
    gone = web.get(f"/wallet/{item}")
    assert gone.status_code == 404 and is_page(gone)
    again = submit(web, confirm, f"/wallet/{item}/delete")
    assert again.status_code == 404 and is_page(again)
    records = api.get("/credentials", headers=issuer_auth(accounts_world)).json()
    assert len(records) == 1  # the institution's record stays


def test_the_access_log_shows_who_read_the_data(web, api, mailbox, accounts_world):
    issue(api, accounts_world, email="log@example.lv")
    learner(web, mailbox, "log@example.lv")
    empty = web.get("/wallet/access-log")
    assert empty.status_code == 200
    assert "Nobody has read your data yet." in text_of(empty)
    (row,) = listing(web)
    account = row_of(accounts_world, "log@example.lv")
    with accounts_world.services.session() as session:
        (owned,) = wallet_crud.wallets_of(session, account_id=account.id)
        holder.record_access(
            session, wallet_id=owned.id, actor="verifier:employer.example.lv",
            action="presentation.read", target=row["id"], now=int(accounts_world.clock[0]),
        )  # fmt: skip
        session.commit()
    shown = web.get("/wallet/access-log")
    cells = [c.text_content() for c in tree(shown).xpath("//table//tbody/tr/td")]
    assert cells == [
        "2026-06-01T00:00:00Z",
        "verifier:employer.example.lv",
        "presentation.read",
        row["id"],
    ]


# --- export and erase -----------------------------------------------------------------------


def test_export_needs_the_password_and_gives_keys_only_under_a_passphrase(
    web, api, mailbox, accounts_world
):
    issued = issue(api, accounts_world, email="export@example.lv")
    learner(web, mailbox, "export@example.lv")
    (row,) = listing(web)
    form = web.get("/wallet/export")
    assert form.status_code == 200
    wrong = submit(web, form, "/wallet/export", password="w" * 20)
    assert wrong.status_code == 401 and is_page(wrong)
    assert not wrong.content.startswith(b"PK")
    assert "the password is wrong" in text_of(wrong)
    assert tree(wrong).xpath("//form[@action='/wallet/export']")  # the form again
    plain = submit(web, form, "/wallet/export", password=PASSWORD, passphrase="")
    assert plain.status_code == 200, plain.text
    assert plain.headers["content-type"] == "application/zip"
    assert plain.headers["content-disposition"] == (
        'attachment; filename="imk-wallet-2026-06-01.zip"'
    )
    files = unzip(plain.content)
    assert "holder-keys.json" not in files
    assert files[f"credentials/{row['id']}.jwt"].decode() == issued_token(issued)
    assert json.loads(files["account.json"])["email"] == "export@example.lv"
    refusals = [
        ({"include_keys": "yes"}, 400),
        ({"include_keys": "yes", "passphrase": ""}, 400),
        ({"passphrase": PASSPHRASE}, 400),
        ({"include_keys": "yes", "passphrase": "short"}, 400),
        ({"include_keys": "yes", "passphrase": PASSWORD}, 400),
        ({"include_keys": "on", "passphrase": PASSPHRASE}, 400),
        ({"include_keys": "yes", "passphrase": PASSPHRASE, "password": "w" * 20}, 401),
    ]
    for fields, status in refusals:
        refused = submit(web, form, "/wallet/export", **{"password": PASSWORD, **fields})
        assert refused.status_code == status, (fields, refused.text)
        assert is_page(refused) and not refused.content.startswith(b"PK")
    keyed = submit(
        web, form, "/wallet/export", password=PASSWORD, include_keys="yes", passphrase=PASSPHRASE
    )
    assert keyed.status_code == 200, keyed.text
    sealed = json.loads(unzip(keyed.content)["holder-keys.json"])
    keys = json.loads(decrypt_with_passphrase(sealed, PASSPHRASE))
    assert len(keys) == 1 and keys[0]["holder"].startswith("did:jwk:")
    assert audit_actions(accounts_world).count("wallet.export") == 2


def test_erase_needs_the_password_and_the_confirmation(web, api, mailbox, accounts_world):
    issue(api, accounts_world, email="erase@example.lv")
    learner(web, mailbox, "erase@example.lv")
    assert len(listing(web)) == 1
    form = web.get("/wallet/erase")
    assert form.status_code == 200
    assert tree(form).xpath("//form[@action='/wallet/erase']//input[@name='confirm']")
    for fields, status in (
        ({"password": PASSWORD}, 400),
        ({"password": PASSWORD, "confirm": "true"}, 400),
        ({"password": "w" * 20, "confirm": "yes"}, 401),
    ):
        refused = submit(web, form, "/wallet/erase", **fields)
        assert refused.status_code == status, (fields, refused.text)
        assert tree(refused).xpath("//form[@action='/wallet/erase']")
    assert len(listing(web)) == 1
    done = submit(web, form, "/wallet/erase", password=PASSWORD, confirm="yes")
    assert done.status_code == 200, done.text
    text = text_of(done)
    assert "Wallets erased 1" in text
    assert len(tree(done).xpath("//ul[@class='removed']/li")) == 3
    kept = [li.text_content() for li in tree(done).xpath("//ul[@class='kept']/li")]
    assert [k.split(":")[0] for k in kept] == [
        "Your account",
        "The institutions' records of what they issued",
        "The audit log",
    ]
    assert listing(web) == []
    assert web.get("/account").status_code == 200  # the account stays
    assert len(api.get("/credentials", headers=issuer_auth(accounts_world)).json()) == 1
    assert "wallet.erase" in audit_actions(accounts_world)
    issue(api, accounts_world, email="erase@example.lv", title={"lv": "Vēlāk", "en": "Later"})
    assert titles(web) == ["Later"]


# --- the listing ----------------------------------------------------------------------------


def test_listing_filters_searches_sorts_and_pages(web, api, mailbox, accounts_world, monkeypatch):
    for lv, en in (("Zīmēšana", "Drawing"), ("Ābeļu kopšana", "Apple trees"), ("Čuguns", "Iron")):
        issue(api, accounts_world, email="list@example.lv", title={"lv": lv, "en": en})
    learner(web, mailbox, "list@example.lv", language="lv")
    assert titles(web, sort="title") == ["Ābeļu kopšana", "Čuguns", "Zīmēšana"]
    assert titles(web, q="ČUGUN") == ["Čuguns"]
    assert len(listing(web, type="course-certificate", issuer="uni", year="2026")) == 3
    assert len(listing(web, type="", issuer="", year="", q="", sort="date")) == 3
    assert listing(web, type="diploma") == [] and listing(web, year="2025") == []
    assert "Nekas neatbilst izvēlei." in text_of(web.get("/wallet?issuer=school"))
    chosen = tree(web.get("/wallet", params={"q": "Čug", "sort": "title", "issuer": "uni"}))
    assert chosen.xpath("//form[@class='filters']//input[@name='q']/@value") == ["Čug"]
    assert chosen.xpath("//select[@name='sort']/option[@selected]/@value") == ["title"]
    assert chosen.xpath("//select[@name='issuer']/option[@selected]/@value") == ["uni"]
    assert chosen.xpath("//select[@name='type']/option[@selected]/@value") == [""]

    monkeypatch.setattr(wallet_pages, "PAGE_SIZE", 2)
    first = web.get("/wallet?sort=title")
    assert [row["title"] for row in rows(first)] == ["Ābeļu kopšana", "Čuguns"]
    assert tree(first).xpath("//a[@rel='prev']") == []
    (following,) = tree(first).xpath("//a[@rel='next']/@href")
    assert following == "/wallet?sort=title&page=2"
    second = web.get(following)
    assert [row["title"] for row in rows(second)] == ["Zīmēšana"]
    assert tree(second).xpath("//a[@rel='prev']/@href") == ["/wallet?sort=title"]
    assert tree(second).xpath("//a[@rel='next']") == []

    for bad in (
        "year=abc", "year=1800", "year=%EF%BC%92%EF%BC%90%EF%BC%92%EF%BC%96", "sort=newest",
        "page=0", "page=-1", "page=x", "page=50001", "q=%01", "q=" + "a" * 201,
        "type=" + "x" * 65, "sort=date&sort=title",
    ):  # fmt: skip
        response = web.get(f"/wallet?{bad}")
        assert response.status_code == 400 and is_page(response), (bad, response.text)


def test_api_requests_at_shared_wallet_paths_still_reach_the_api(web, api, mailbox, accounts_world):
    issue(api, accounts_world, email="both@example.lv")
    learner(web, mailbox, "both@example.lv")
    bearer = login(api, register(api, mailbox, "bearer@example.lv"))
    html = {**bearer.auth, "Accept": "text/html"}
    for path in ("/wallet/access-log", "/wallet/credentials"):
        answer = api.get(path, headers=html)
        assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"
    exported = api.post("/wallet/export", json={"password": PASSWORD}, headers=bearer.auth)
    assert exported.headers["content-type"] == "application/zip"
    plain = TestClient(web.app, base_url="https://wallet.test")
    with plain:
        assert plain.get("/wallet/access-log").status_code == 401  # the API: no token
        assert plain.post("/wallet/erase", json={}).status_code == 401
    # A browser asking for /wallet/credentials gets the page for an id that does not exist.
    assert web.get("/wallet/credentials").status_code == 404


# --- CSRF -----------------------------------------------------------------------------------

WALLET_FORMS = [
    ("/wallet/import", {"credential": "importable"}),
    ("/wallet/{id}/delete", {}),
    ("/wallet/export", {"password": PASSWORD}),
    ("/wallet/erase", {"password": PASSWORD, "confirm": "yes"}),
]


def wallet_snapshot(world) -> list[tuple]:
    """What a forged wallet form could change: wallets, credentials, audit events."""
    with world.services.session() as session:
        wallets = [
            (w.id, w.account_id) for w in session.exec(select(HolderWallet)).all()
        ]  # fmt: skip
        items = sorted((i.id, i.wallet_id) for i in session.exec(select(WalletItem)).all())
        audits = len(session.exec(select(AuditEvent)).all())
    return [*wallets, *items, audits]


@pytest.mark.parametrize(
    "attack", ["missing", "wrong", "other-session", "cross-origin", "cross-site-fetch"]
)
@pytest.mark.parametrize(("action", "fields"), WALLET_FORMS, ids=[a for a, _ in WALLET_FORMS])
def test_forged_wallet_forms_are_refused_and_change_nothing(
    web, browser, api, mailbox, accounts_world, action, fields, attack
):
    issue(api, accounts_world, email="victim@example.lv")
    learner(web, mailbox, "victim@example.lv")
    learner(browser, mailbox, "attacker@example.lv")
    own, other = session_token(web), session_token(browser)
    (row,) = listing(web)
    data = {
        name: accounts_world.issue("uni", "course-certificate") if value == "importable" else value
        for name, value in fields.items()
    }
    headers = {}
    if attack == "wrong":
        data["csrf"] = own[:-2] + ("AA" if own[-2:] != "AA" else "BB")
    elif attack == "other-session":
        data["csrf"] = other
    elif attack != "missing":
        data["csrf"] = own
        if attack == "cross-origin":
            headers["Origin"] = "https://evil.example"
        else:
            headers["Sec-Fetch-Site"] = "cross-site"
    before = wallet_snapshot(accounts_world)
    response = post_form(web, action.replace("{id}", row["id"]), data, headers)
    assert response.status_code == 403, response.text
    assert is_page(response)
    assert wallet_snapshot(accounts_world) == before
    assert listing(web) == [row]


# --- the isolation matrix -------------------------------------------------------------------


@dataclass
class Pair:
    """Two learners' browsers with credentials each, and a credential anyone could import."""

    a: TestClient
    b: TestClient
    a_ids: list[str]
    b_ids: list[str]
    b_titles: list[str]
    b_tokens: dict[str, str]
    importable: str


@pytest.fixture
def pair(web, browser, api, mailbox, accounts_world) -> Pair:
    issue(api, accounts_world, email="a@example.lv", title={"lv": "A kurss", "en": "A course"})
    issue(api, accounts_world, email="b@example.lv", title={"lv": "B kurss", "en": "B course"})
    issue(api, accounts_world, email="b@example.lv", title={"lv": "B otrais", "en": "B second"})
    learner(web, mailbox, "a@example.lv")
    learner(browser, mailbox, "b@example.lv")
    b_rows = listing(browser)
    return Pair(
        a=web,
        b=browser,
        a_ids=[row["id"] for row in listing(web)],
        b_ids=[row["id"] for row in b_rows],
        b_titles=[row["title"] for row in b_rows],
        b_tokens={
            row["id"]: browser.get(f"/wallet/{row['id']}/download.jwt").text for row in b_rows
        },
        importable=accounts_world.issue("uni", "course-certificate"),
    )


#: Every wallet page route: (method, path with ``{id}`` for a credential id, form fields).
PAGE_ROUTES: list[tuple[str, str, dict[str, str] | None]] = [
    ("GET", "/wallet", None),
    ("GET", "/wallet/import", None),
    ("POST", "/wallet/import", {"credential": "importable"}),
    ("GET", "/wallet/access-log", None),
    ("GET", "/wallet/export", None),
    ("POST", "/wallet/export", {"password": PASSWORD, "include_keys": "yes",
                                "passphrase": PASSPHRASE}),
    ("GET", "/wallet/erase", None),
    ("POST", "/wallet/erase", {"password": PASSWORD, "confirm": "yes"}),
    ("GET", "/wallet/{id}", None),
    ("GET", "/wallet/{id}/download.jwt", None),
    ("GET", "/wallet/{id}/download.json", None),
    ("GET", "/wallet/{id}/delete", None),
    ("POST", "/wallet/{id}/delete", {}),
]  # fmt: skip
IDS = [f"{method} {path}" for method, path, _ in PAGE_ROUTES]


def visit(client: TestClient, pair: Pair, route, item_id: str, token: str):
    method, path, fields = route
    path = path.replace("{id}", item_id)
    if method == "GET":
        return client.get(path, follow_redirects=False)
    data = {name: pair.importable if v == "importable" else v for name, v in fields.items()}
    return post_form(client, path, {"csrf": token, **data})


def b_state(pair: Pair) -> tuple[list[dict[str, str]], dict[str, str]]:
    """B's listing, and each of B's credentials as downloaded."""
    items = listing(pair.b)
    return items, {row["id"]: pair.b.get(f"/wallet/{row['id']}/download.jwt").text for row in items}


def test_the_matrix_covers_every_wallet_page_route():
    routes = {
        (method, route.path.replace("{item_id}", "{id}"))
        for route in wallet_pages.router.routes
        if isinstance(route, APIRoute)
        for method in route.methods
    }
    assert {(method, path) for method, path, _ in PAGE_ROUTES} == routes


@pytest.mark.parametrize("route", PAGE_ROUTES, ids=IDS)
def test_learner_a_never_reaches_learner_b(pair, route):
    before = b_state(pair)
    assert before[1] == pair.b_tokens and len(before[0]) == 2
    token = session_token(pair.a)
    if "{id}" in route[1]:
        unknown = visit(pair.a, pair, route, UNKNOWN_ID, token)
        assert unknown.status_code == 404 and is_page(unknown), unknown.text
        for b_id in pair.b_ids:
            response = visit(pair.a, pair, route, b_id, token)
            assert response.status_code == 404 and is_page(response), response.text
            assert text_of(response) == text_of(unknown)
            assert b_id not in response.text.replace(f"/wallet/{b_id}", "")
        own = visit(pair.a, pair, route, pair.a_ids[0], token)  # the route itself works
        assert own.status_code in (200, 303), own.text
    else:
        response = visit(pair.a, pair, route, "", token)
        assert response.status_code in (200, 303), response.text
        seen = response.content
        if response.headers.get("content-type") == "application/zip":
            seen = b"".join(unzip(response.content).values())
        for secret in [*pair.b_ids, *pair.b_titles, *pair.b_tokens.values()]:
            assert secret.encode() not in seen
    assert b_state(pair) == before


@pytest.mark.parametrize("route", PAGE_ROUTES, ids=IDS)
def test_outsiders_open_no_wallet(pair, browsers, accounts_world, route):
    """Staff and operators get a 403 page on every route; a browser without a session is
    sent to sign in (a form POST without one is 401, as on every signed-in form)."""
    before = b_state(pair)
    for role in ("staff", "operator"):
        email = f"{role}@uni.example.lv"
        make_staff(accounts_world, email, role=role)
        client = new_browser(browsers, pair.a.app)
        assert sign_in(client, email).status_code == 303
        page = client.get("/account")
        assert not tree(page).xpath("//a[@href='/wallet']")  # no wallet to offer
        response = visit(client, pair, route, pair.b_ids[0], session_token(client))
        assert response.status_code == 403 and is_page(response), (role, response.text)
        assert pair.b_tokens[pair.b_ids[0]] not in response.text
    anonymous = new_browser(browsers, pair.a.app)
    response = visit(anonymous, pair, route, pair.b_ids[0], "")
    if route[0] == "GET":
        assert (response.status_code, response.headers["location"]) == (303, "/login")
    else:
        assert response.status_code == 401 and is_page(response)
    assert b_state(pair) == before


def test_a_deleted_accounts_cookie_is_sent_to_sign_in_at_once(pair, browsers):
    cookie = pair.a.cookies["imk_session"]
    token = session_token(pair.a)
    gone = post_form(pair.a, "/account/delete", {"csrf": token, "password": PASSWORD})
    assert gone.status_code == 303
    stale = new_browser(browsers, pair.a.app, cookies={"imk_session": cookie})
    for route in PAGE_ROUTES:
        response = visit(stale, pair, route, pair.a_ids[0], token)
        if route[0] == "GET":
            assert (response.status_code, response.headers["location"]) == (303, "/login"), route
        else:
            assert response.status_code == 401 and is_page(response), route
    assert b_state(pair)[1] == pair.b_tokens


def test_a_login_waiting_for_its_second_factor_opens_no_wallet(pair, accounts_world):
    enrol(pair.a, pair.a.get("/account"), accounts_world)
    submit(pair.a, pair.a.get("/account"), "/logout")
    assert sign_in(pair.a, "a@example.lv").headers["location"] == "/login/second-factor"
    token = csrf_of(pair.a.get("/login/second-factor"), "/login/second-factor")
    before = wallet_snapshot(accounts_world)
    for route in PAGE_ROUTES:
        for item_id in (pair.a_ids[0], pair.b_ids[0]):
            response = visit(pair.a, pair, route, item_id, token)
            if route[0] == "GET":
                assert response.status_code == 303, route
                assert response.headers["location"] == "/login/second-factor"
            else:
                assert response.status_code == 401 and is_page(response), route
    assert wallet_snapshot(accounts_world) == before


def test_bad_input_never_gets_a_5xx(pair, browsers):
    anonymous = new_browser(browsers, pair.a.app)
    bodies = [b"", b"\x00\xff", b"=", b"&&&", b"csrf", b"csrf=&password=&confirm=", b"%zz=1"]
    posts = ["/wallet/import", "/wallet/export", "/wallet/erase", f"/wallet/{pair.a_ids[0]}/delete"]
    for client in (pair.a, anonymous):
        for path in posts:
            for body in bodies:
                for content_type in ("application/x-www-form-urlencoded", "text/plain"):
                    response = client.post(
                        path, content=body, headers={"Content-Type": content_type},
                        follow_redirects=False,
                    )  # fmt: skip
                    assert response.status_code < 500, (path, body, response.text)
        for path in (
            "/wallet/%00", "/wallet/" + "x" * 5000, "/wallet/..%2F..", "/wallet/%F0%9F%92%A9",
            "/wallet/x/download.jwt", "/wallet/x/delete", "/wallet?year=%00&page=%FF",
        ):  # fmt: skip
            response = client.get(path, follow_redirects=False)
            assert response.status_code < 500, (path, response.text)
    assert len(listing(pair.a)) == 1
