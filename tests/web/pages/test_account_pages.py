"""The account pages end to end, in browsers: cookie sessions, CSRF, mail links, the second
factor and the personal code through the test OpenID Connect provider.

The browsers and what they do with pages are in ``browsing.py`` and ``conftest.py``. Every
link a test follows comes out of a message the test SMTP server received, and every form is
sent with the CSRF token read out of the page that showed it, as a browser would.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from tests.fixtures.accounts import NEW_PASSWORD, PASSWORD, last_link, token_of
from tests.fixtures.oidc import DIGITS, PERSONAL_CODE, follow_authorization
from tests.web.pages.browsing import (
    BASE,
    HTML,
    begin_link,
    callback,
    csrf_of,
    enrol,
    is_page,
    make_staff,
    new_browser,
    post_form,
    register_in,
    row_of,
    set_cookies,
    sign_in,
    signed_in,
    submit,
    text_of,
    tree,
)
from wallet import totp
from wallet.db.models import Account, AuthSession, SignInState
from wallet.identity import PERSONAL_CODE_CALLBACK
from wallet.personal_code import hash_identifier
from wallet.web.pages import labels

# --- register, verify, sign in and out ----------------------------------------------------


def test_register_verify_login_account_logout(web, mailbox, accounts_world):
    form = web.get("/register")
    assert form.status_code == 200 and is_page(form)
    done = submit(web, form, "/register", email="liga@example.lv", password=PASSWORD, language="en")
    assert done.status_code == 200
    assert "mēs uz to nosūtījām saiti" in text_of(done)  # a page in Latvian by default
    link = last_link(mailbox, "liga@example.lv", count=1)
    assert link.startswith(f"{BASE}/verify-email?token=")
    opened = web.get(link)
    assert opened.status_code == 200
    assert tree(opened).xpath("//form[@action='/verify-email']//button")
    # Opening the link proves nothing: mail scanners fetch links.
    assert row_of(accounts_world, "liga@example.lv").email_verified_at is None
    early = sign_in(web, "liga@example.lv")
    assert early.status_code == 401 and "prove the e-mail address first" in text_of(early)
    proved = submit(web, opened, "/verify-email", token=token_of(link))
    assert proved.status_code == 200
    assert row_of(accounts_world, "liga@example.lv").email_verified_at is not None

    started = sign_in(web, "liga@example.lv")
    assert (started.status_code, started.headers["location"]) == (303, "/account")
    page = web.get("/account")
    assert page.status_code == 200
    assert tree(page).xpath("/html/@lang") == ["en"]
    text = text_of(page)
    for shown in (
        "E-mail address liga@example.lv",
        "Role Learner",
        "Institution —",
        "Language English",
        "E-mail address confirmed Yes",
        "Second factor Off",
        "Personal code Not linked",
    ):
        assert shown in text, text

    out = submit(web, page, "/logout")
    assert (out.status_code, out.headers["location"]) == (303, "/login?notice=signed-out")
    assert "imk_session" not in web.cookies
    assert web.get("/account", follow_redirects=False).headers["location"] == "/login"
    assert "You are signed out." in text_of(web.get("/login?notice=signed-out"))


def test_register_taken_address_shows_the_same_page_and_sends_nothing(web, browser, mailbox):
    register_in(web, mailbox, "anna@example.lv")
    again = submit(
        browser, browser.get("/register"), "/register",
        email="ANNA@example.lv", password=NEW_PASSWORD, language="en",
    )  # fmt: skip
    fresh = submit(
        browser, browser.get("/register"), "/register",
        email="new@example.lv", password=NEW_PASSWORD, language="en",
    )  # fmt: skip
    assert again.status_code == fresh.status_code == 200
    assert text_of(again) == text_of(fresh)
    assert len(mailbox.wait_for(to="anna@example.lv")) == 1


def test_weak_password_shows_the_form_again_with_the_rules(web, accounts_world, mailbox):
    page = submit(
        web, web.get("/register"), "/register", email="weak@example.lv", password="password",
        language="en",
    )  # fmt: skip
    assert page.status_code == 400 and is_page(page)
    assert len(tree(page).xpath("//div[contains(@class, 'error')]//li")) >= 2
    assert tree(page).xpath("//input[@name='email']/@value") == ["weak@example.lv"]
    assert "password" not in tree(page).xpath("//input[@name='password']/@value")
    assert row_of(accounts_world, "weak@example.lv") is None
    assert mailbox.messages == []


def test_wrong_password_and_unknown_account_look_alike(web, mailbox):
    register_in(web, mailbox, "maris@example.lv")
    wrong = sign_in(web, "maris@example.lv", "w" * 20)
    unknown = sign_in(web, "nobody@example.lv", "w" * 20)
    assert wrong.status_code == unknown.status_code == 401
    assert text_of(wrong) == text_of(unknown)
    assert "w" * 20 not in wrong.text
    assert "imk_session" not in web.cookies


def test_failed_logins_are_rate_limited_on_the_page(web, mailbox):
    register_in(web, mailbox, "target@example.lv")
    for _ in range(5):
        assert sign_in(web, "target@example.lv", "w" * 20).status_code == 401
    blocked = sign_in(web, "target@example.lv")
    assert blocked.status_code == 429 and is_page(blocked)
    assert "imk_session" not in web.cookies


def test_session_cookie_attributes(web, mailbox, accounts_world):
    register_in(web, mailbox, "cookie@example.lv")
    login_page = web.get("/login")
    started = sign_in(web, "cookie@example.lv")
    cookie = set_cookies(started)["imk_session"].lower()
    ttl = accounts_world.services.settings.session_ttl_seconds
    for attribute in ("httponly", "secure", "samesite=lax", "path=/", f"max-age={ttl}"):
        assert attribute in [part.strip() for part in cookie.split(";")], cookie
    # The anonymous forms' cookie: set by the GET that renders a form, when missing.
    fresh = TestClient(web.app, base_url=BASE, headers={"Accept": HTML})
    with fresh:
        csrf_cookie = set_cookies(fresh.get("/login"))["imk_csrf"].lower()
    for attribute in ("httponly", "secure", "samesite=lax", "path=/"):
        assert attribute in [part.strip() for part in csrf_cookie.split(";")], csrf_cookie
    assert "imk_csrf" not in set_cookies(login_page)  # the browser had one: kept
    out = submit(web, web.get("/account"), "/logout")
    gone = set_cookies(out)["imk_session"].lower()
    assert "max-age=0" in gone and "secure" in gone and "httponly" in gone


def test_login_rotates_the_session(web, browsers, mailbox, accounts_world):
    signed_in(web, mailbox, "rotate@example.lv")
    first = web.cookies["imk_session"]
    again = sign_in(web, "rotate@example.lv")
    assert again.status_code == 303
    second = web.cookies["imk_session"]
    assert second != first
    assert web.get("/account").status_code == 200
    stale = new_browser(browsers, web.app, cookies={"imk_session": first})
    assert stale.get("/account", follow_redirects=False).headers["location"] == "/login"
    with accounts_world.services.session() as session:
        rows = session.exec(select(AuthSession)).all()
        assert sorted(row.revoked_at is None for row in rows) == [False, True]


def test_login_in_a_browser_signed_in_to_another_account_ends_that_session(web, browsers, mailbox):
    signed_in(web, mailbox, "first@example.lv")
    first = web.cookies["imk_session"]
    register_in(web, mailbox, "second@example.lv")
    assert sign_in(web, "second@example.lv").status_code == 303
    assert "second@example.lv" in text_of(web.get("/account"))
    stale = new_browser(browsers, web.app, cookies={"imk_session": first})
    assert stale.get("/account", follow_redirects=False).status_code == 303


# --- passwords ------------------------------------------------------------------------------


def test_forgot_and_reset_password(web, browser, mailbox):
    register_in(web, mailbox, "reset@example.lv")
    assert sign_in(browser, "reset@example.lv").status_code == 303
    known = submit(web, web.get("/forgot-password"), "/forgot-password", email="reset@example.lv")
    unknown = submit(
        web, web.get("/forgot-password"), "/forgot-password", email="hasnot@example.lv"
    )
    assert known.status_code == unknown.status_code == 200
    assert text_of(known) == text_of(unknown)
    assert all("hasnot@example.lv" not in r.rcpt_tos for r in mailbox.received)
    link = last_link(mailbox, "reset@example.lv", count=2)
    assert link.startswith(f"{BASE}/reset-password?token=")
    opened = web.get(link)
    assert opened.status_code == 200
    assert tree(opened).xpath("//form[@action='/reset-password']/input[@name='token']/@value") == [
        token_of(link)
    ]
    done = submit(web, opened, "/reset-password", token=token_of(link), password=NEW_PASSWORD)
    assert (done.status_code, done.headers["location"]) == (303, "/login?notice=password-reset")
    assert browser.get("/account", follow_redirects=False).status_code == 303  # sessions ended
    assert sign_in(web, "reset@example.lv", PASSWORD).status_code == 401
    assert sign_in(web, "reset@example.lv", NEW_PASSWORD).status_code == 303
    reused = submit(web, opened, "/reset-password", token=token_of(link), password=PASSWORD)
    assert reused.status_code == 410 and is_page(reused)


def test_reset_with_a_weak_password_shows_the_form_again(web, mailbox):
    register_in(web, mailbox, "keep@example.lv")
    submit(web, web.get("/forgot-password"), "/forgot-password", email="keep@example.lv")
    link = last_link(mailbox, "keep@example.lv", count=2)
    opened = web.get(link)
    weak = submit(web, opened, "/reset-password", token=token_of(link), password="short")
    assert weak.status_code == 400
    assert tree(weak).xpath("//input[@name='token']/@value") == [token_of(link)]
    ok = submit(web, weak, "/reset-password", token=token_of(link), password=NEW_PASSWORD)
    assert ok.status_code == 303


def test_expired_and_reused_links_are_4xx_pages(web, mailbox, accounts_world):
    submit(
        web, web.get("/register"), "/register", email="late@example.lv", password=PASSWORD,
        language="en",
    )  # fmt: skip
    verify = last_link(mailbox, "late@example.lv", count=1)
    accounts_world.clock[0] += accounts_world.services.settings.verify_link_ttl_seconds
    late = submit(web, web.get(verify), "/verify-email", token=token_of(verify))
    assert late.status_code == 410 and is_page(late)
    assert "unknown, already used or expired" in text_of(late)

    register_in(web, mailbox, "tardy@example.lv")
    used = last_link(mailbox, "tardy@example.lv", count=1)
    reused = submit(web, web.get(used), "/verify-email", token=token_of(used))
    assert reused.status_code == 410 and is_page(reused)
    submit(web, web.get("/forgot-password"), "/forgot-password", email="tardy@example.lv")
    reset = last_link(mailbox, "tardy@example.lv", count=2)
    accounts_world.clock[0] += accounts_world.services.settings.reset_link_ttl_seconds
    expired = submit(
        web, web.get(reset), "/reset-password", token=token_of(reset), password=NEW_PASSWORD
    )
    assert expired.status_code == 410 and is_page(expired)
    assert sign_in(web, "tardy@example.lv", PASSWORD).status_code == 303
    for bare in ("/verify-email", "/reset-password"):
        page = web.get(bare)
        assert page.status_code == 400 and is_page(page)


def test_change_password_ends_every_session(web, browser, mailbox, accounts_world):
    page = signed_in(web, mailbox, "change@example.lv")
    assert sign_in(browser, "change@example.lv").status_code == 303
    before = row_of(accounts_world, "change@example.lv").password_hash
    wrong = submit(web, page, "/account/password", current="w" * 20, new=NEW_PASSWORD)
    assert wrong.status_code == 401 and "the current password is wrong" in text_of(wrong)
    assert row_of(accounts_world, "change@example.lv").password_hash == before
    assert browser.get("/account").status_code == 200
    done = submit(web, page, "/account/password", current=PASSWORD, new=NEW_PASSWORD)
    assert (done.status_code, done.headers["location"]) == (303, "/login?notice=password-changed")
    assert browser.get("/account", follow_redirects=False).headers["location"] == "/login"
    assert web.get("/account", follow_redirects=False).headers["location"] == "/login"
    assert sign_in(web, "change@example.lv", NEW_PASSWORD).status_code == 303


def test_delete_account(web, mailbox, accounts_world):
    page = signed_in(web, mailbox, "bye@example.lv")
    wrong = submit(web, page, "/account/delete", password="w" * 20)
    assert wrong.status_code == 401
    assert row_of(accounts_world, "bye@example.lv") is not None
    done = submit(web, page, "/account/delete", password=PASSWORD)
    assert (done.status_code, done.headers["location"]) == (303, "/login?notice=account-deleted")
    assert row_of(accounts_world, "bye@example.lv") is None
    assert web.get("/account", follow_redirects=False).headers["location"] == "/login"
    assert sign_in(web, "bye@example.lv").status_code == 401


# --- second factor --------------------------------------------------------------------------


def test_second_factor_set_up_then_required_at_login(web, mailbox, accounts_world):
    page = signed_in(web, mailbox, "totp@example.lv")
    secret, recovery = enrol(web, page, accounts_world)
    assert len(recovery) == 10
    page = web.get("/account")
    assert "Second factor On" in text_of(page)
    assert not tree(page).xpath("//form[@action='/account/second-factor']")
    submit(web, page, "/logout")

    started = sign_in(web, "totp@example.lv")
    assert started.headers["location"] == "/login/second-factor"
    assert web.get("/account", follow_redirects=False).headers["location"] == (
        "/login/second-factor"
    )
    step = web.get("/login/second-factor")
    assert step.status_code == 200
    wrong = submit(web, step, "/login/second-factor", code="000000")
    assert wrong.status_code == 401 and is_page(wrong)
    accounts_world.clock[0] += 30
    code = totp.code_at(secret, now=int(accounts_world.clock[0]))
    done = submit(web, wrong, "/login/second-factor", code=code)
    assert (done.status_code, done.headers["location"]) == (303, "/account")
    assert web.get("/account").status_code == 200
    submit(web, web.get("/account"), "/logout")

    # A recovery code works once.
    sign_in(web, "totp@example.lv")
    first = submit(web, web.get("/login/second-factor"), "/login/second-factor", code=recovery[0])
    assert first.status_code == 303 and web.get("/account").status_code == 200
    submit(web, web.get("/account"), "/logout")
    sign_in(web, "totp@example.lv")
    again = submit(web, web.get("/login/second-factor"), "/login/second-factor", code=recovery[0])
    assert again.status_code == 401
    assert web.get("/account", follow_redirects=False).status_code == 303


def test_a_login_waiting_for_its_second_factor_cannot_act(web, mailbox, accounts_world):
    page = signed_in(web, mailbox, "half@example.lv")
    enrol(web, page, accounts_world)
    submit(web, web.get("/account"), "/logout")
    sign_in(web, "half@example.lv")
    step = web.get("/login/second-factor")
    token = csrf_of(step, "/login/second-factor")
    refused = web.post(
        "/account/delete", data={"csrf": token, "password": PASSWORD}, follow_redirects=False
    )
    assert refused.status_code == 401 and is_page(refused)
    assert row_of(accounts_world, "half@example.lv") is not None


def test_staff_without_second_factor_are_told_to_set_one_up(web, accounts_world):
    make_staff(accounts_world, "staff@example.lv")
    started = sign_in(web, "staff@example.lv")
    assert (started.status_code, started.headers["location"]) == (303, "/account")
    page = web.get("/account")
    assert page.status_code == 200
    warning = tree(page).xpath("//div[contains(@class, 'warning')]")
    assert warning and "set up a second factor" in warning[0].text_content()
    assert "Institution uni" in text_of(page)
    assert tree(page).xpath("//form[@action='/account/second-factor']")
    enrol(web, page, accounts_world)
    assert not tree(web.get("/account")).xpath("//div[contains(@class, 'warning')]")


# --- CSRF -----------------------------------------------------------------------------------

SIGNED_IN_FORMS = [
    ("/account/password", {"current": PASSWORD, "new": NEW_PASSWORD}),
    ("/account/delete", {"password": PASSWORD}),
    ("/account/second-factor", {}),
    ("/account/second-factor/confirm", {"code": "123456"}),
    ("/account/personal-code", {}),
    ("/logout", {}),
    ("/login/second-factor", {"code": "123456"}),
]


def snapshot(world) -> list[tuple]:
    """What a forged form could change: accounts, sessions, pending provider logins."""
    with world.services.session() as session:
        rows = [
            (a.email, a.password_hash, a.totp_secret, a.totp_enabled_at, a.personal_code_hash)
            for a in session.exec(select(Account).order_by(Account.id)).all()
        ]
        sessions = [
            (s.id, s.revoked_at, s.second_factor)
            for s in session.exec(select(AuthSession).order_by(AuthSession.id)).all()
        ]
        states = len(session.exec(select(SignInState)).all())
    return [*rows, *sessions, states]


@pytest.mark.parametrize(
    "attack", ["missing", "wrong", "other-session", "cross-origin", "cross-site-fetch"]
)
@pytest.mark.parametrize(("action", "fields"), SIGNED_IN_FORMS, ids=[a for a, _ in SIGNED_IN_FORMS])
def test_forged_signed_in_forms_are_refused_and_change_nothing(
    web, browser, mailbox, accounts_world, action, fields, attack
):
    own = csrf_of(signed_in(web, mailbox, "victim@example.lv"), "/account/password")
    other = csrf_of(signed_in(browser, mailbox, "attacker@example.lv"), "/account/password")
    data, headers = dict(fields), {}
    if attack == "wrong":
        data["csrf"] = own[:-2] + ("AA" if own[-2:] != "AA" else "BB")
    elif attack == "other-session":
        data["csrf"] = other
    else:
        data["csrf"] = own
        if attack == "cross-origin":
            headers["Origin"] = "https://evil.example"
        elif attack == "cross-site-fetch":
            headers["Sec-Fetch-Site"] = "cross-site"
    if attack == "missing":
        data.pop("csrf")
    before = snapshot(accounts_world)
    response = post_form(web, action, data, headers)
    assert response.status_code == 403, response.text
    assert is_page(response)
    assert "set-cookie" not in response.headers
    assert snapshot(accounts_world) == before
    assert web.get("/account").status_code == 200


def test_the_right_token_from_the_right_origin_is_accepted(web, mailbox):
    page = signed_in(web, mailbox, "fine@example.lv")
    response = web.post(
        "/logout",
        data={"csrf": csrf_of(page, "/logout")},
        headers={"Origin": BASE, "Sec-Fetch-Site": "same-origin"},
        follow_redirects=False,
    )
    assert response.status_code == 303


@pytest.mark.parametrize("attack", ["missing", "wrong", "other-browser", "cross-origin"])
def test_forged_anonymous_forms_are_refused(web, browser, mailbox, accounts_world, attack):
    register_in(web, mailbox, "anon@example.lv")
    own = csrf_of(web.get("/login"), "/login")
    other = csrf_of(browser.get("/login"), "/login")
    tokens = {"missing": None, "wrong": own[::-1], "other-browser": other, "cross-origin": own}
    headers = {"Origin": "https://evil.example"} if attack == "cross-origin" else {}
    forms = [
        ("/login", {"email": "anon@example.lv", "password": PASSWORD}),
        ("/register", {"email": "forged@example.lv", "password": PASSWORD, "language": "en"}),
        ("/forgot-password", {"email": "anon@example.lv"}),
        ("/verify-email", {"token": "x" * 43}),
        ("/reset-password", {"token": "x" * 43, "password": NEW_PASSWORD}),
    ]
    messages = len(mailbox.messages)
    before = snapshot(accounts_world)
    for action, fields in forms:
        data = dict(fields)
        if tokens[attack] is not None:
            data["csrf"] = tokens[attack]
        response = post_form(web, action, data, headers)
        assert response.status_code == 403, (action, response.text)
        assert "imk_session" not in web.cookies
    assert snapshot(accounts_world) == before
    assert len(mailbox.messages) == messages


def test_anonymous_form_without_the_cookie_is_refused(web, browsers, mailbox):
    register_in(web, mailbox, "nocookie@example.lv")
    token = csrf_of(web.get("/login"), "/login")
    bare = new_browser(browsers, web.app)
    response = bare.post(
        "/login",
        data={"csrf": token, "email": "nocookie@example.lv", "password": PASSWORD},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert "imk_session" not in bare.cookies


def test_malformed_form_bodies_are_400_pages(web, mailbox):
    page = signed_in(web, mailbox, "body@example.lv")
    token = csrf_of(page, "/account/delete")
    cases = [
        (f"csrf={token}&password=a&password=b", "application/x-www-form-urlencoded"),
        (f"csrf={token}&csrf={token}&password=a", "application/x-www-form-urlencoded"),
        (f"csrf={token}&password=a", "text/plain"),
        (f"csrf={token}&password=a", "multipart/form-data; boundary=x"),
        (f"csrf={token}&password=%FF%FE", "application/x-www-form-urlencoded"),
        (f"csrf={token}&password=a", "application/x-www-form-urlencoded; charset=latin-1"),
        ("&".join(f"f{n}=1" for n in range(40)), "application/x-www-form-urlencoded"),
        (f"csrf={token}&password={'a' * 2000}", "application/x-www-form-urlencoded"),
    ]
    for body, content_type in cases:
        response = web.post(
            "/account/delete",
            content=body.encode(),
            headers={"Content-Type": content_type},
            follow_redirects=False,
        )
        assert response.status_code == 400, (body[:60], content_type, response.text)
        assert is_page(response)
    assert web.get("/account").status_code == 200
    for path in ("/login", "/register", "/forgot-password", "/account/password", "/logout"):
        response = web.post(path, content=b"{}", headers={"Content-Type": "application/json"})
        assert response.status_code == 400 and is_page(response), path


def test_bad_input_never_gets_a_5xx(web, browser, mailbox):
    signed_in(web, mailbox, "fuzz@example.lv")
    bodies = [b"", b"\x00\xff", b"=", b"&&&", b"csrf", b"csrf=&email=&password=", b"%zz=1"]
    paths = [
        "/register", "/verify-email", "/login", "/login/second-factor", "/logout",
        "/forgot-password", "/reset-password", "/account/password", "/account/delete",
        "/account/second-factor", "/account/second-factor/confirm", "/account/personal-code",
    ]  # fmt: skip
    for client in (web, browser):
        for path in paths:
            for body in bodies:
                for content_type in ("application/x-www-form-urlencoded", "text/plain"):
                    response = client.post(
                        path, content=body, headers={"Content-Type": content_type},
                        follow_redirects=False,
                    )  # fmt: skip
                    assert response.status_code < 500, (path, body, response.text)
    for path in (
        "/verify-email?token=",
        "/reset-password?token=%00",
        f"{PERSONAL_CODE_CALLBACK}?state=x&state=y&code=z",
        f"{PERSONAL_CODE_CALLBACK}?error=access_denied",
        "/login?lang=xx&notice=<script>",
    ):
        for client in (web, browser):
            response = client.get(path, follow_redirects=False)
            assert response.status_code < 500, (path, response.text)
    assert "<script>" not in web.get("/login?notice=<script>").text


# --- personal code --------------------------------------------------------------------------


def test_personal_code_links_through_the_provider(web, mailbox, accounts_world, oidc_provider):
    signed_in(web, mailbox, "pk@example.lv")
    url = begin_link(web)
    assert url.startswith(f"{oidc_provider.issuer}/authorize?")
    params = follow_authorization(url)
    done = callback(web, params)
    assert (done.status_code, done.headers["location"]) == (
        303,
        "/account?notice=personal-code-linked",
    )
    page = web.get(done.headers["location"])
    assert "Personal code Linked" in text_of(page)
    assert "Your personal code is linked" in text_of(page)
    assert PERSONAL_CODE not in page.text and DIGITS not in page.text
    expected = hash_identifier(accounts_world.services.identity.learner_key, "pk", DIGITS)
    assert row_of(accounts_world, "pk@example.lv").personal_code_hash == expected
    replay = callback(web, params)
    assert replay.status_code == 401 and is_page(replay)


def test_personal_code_callback_needs_the_signed_in_browser(web, browsers, mailbox):
    signed_in(web, mailbox, "nosession@example.lv")
    params = follow_authorization(begin_link(web))
    anonymous = new_browser(browsers, web.app)
    response = callback(anonymous, params)
    assert response.status_code == 401 and is_page(response)
    assert callback(web, params).status_code == 303


def test_account_linking_csrf_is_refused(web, browser, mailbox, accounts_world):
    """Attack: the attacker starts a link for their own account A and has the victim's
    browser (signed in to B) finish it, so that A would hold B's personal code.
    The provider's redirect must come back to the browser session that started it."""
    signed_in(web, mailbox, "attacker@example.lv")
    signed_in(browser, mailbox, "victim@example.lv")
    params = follow_authorization(begin_link(web))
    refused = callback(browser, params)
    assert refused.status_code == 401 and is_page(refused)
    assert "does not belong to this login" in text_of(refused)
    for email in ("attacker@example.lv", "victim@example.lv"):
        assert row_of(accounts_world, email).personal_code_hash is None
    assert "Personal code Not linked" in text_of(browser.get("/account"))


def test_personal_code_linked_to_another_account_is_409(web, browser, mailbox, accounts_world):
    signed_in(web, mailbox, "first-pk@example.lv")
    assert callback(web, follow_authorization(begin_link(web))).status_code == 303
    signed_in(browser, mailbox, "second-pk@example.lv")
    conflict = callback(browser, follow_authorization(begin_link(browser)))
    assert conflict.status_code == 409 and is_page(conflict)
    assert "linked to another account" in text_of(conflict)
    assert row_of(accounts_world, "second-pk@example.lv").personal_code_hash is None
    assert row_of(accounts_world, "first-pk@example.lv").personal_code_hash is not None


def test_staff_cannot_link_a_personal_code(web, accounts_world):
    make_staff(accounts_world, "staff-pk@example.lv")
    sign_in(web, "staff-pk@example.lv")
    page = web.get("/account")
    assert not tree(page).xpath("//form[@action='/account/personal-code']")
    token = csrf_of(page, "/account/password")
    refused = web.post("/account/personal-code", data={"csrf": token}, follow_redirects=False)
    assert refused.status_code == 403 and is_page(refused)


def test_typed_personal_code_never_links(web, mailbox, accounts_world):
    """No form takes a personal code: one typed into any form, under any name, links
    nothing, and no page has a field for it."""
    typed = {"personalCode": PERSONAL_CODE, "personal_code": PERSONAL_CODE, "pk": DIGITS}
    register_form = web.get("/register")
    refused = submit(
        web, register_form, "/register", email="typed@example.lv", password=PASSWORD,
        language="en", **typed,
    )  # fmt: skip
    assert refused.status_code == 400
    assert row_of(accounts_world, "typed@example.lv") is None
    page = signed_in(web, mailbox, "typed@example.lv")
    token = csrf_of(page, "/account/password")
    forms = [
        ("/account/password", {"current": PASSWORD, "new": NEW_PASSWORD}),
        ("/account/delete", {"password": "w" * 20}),
        ("/account/second-factor", {}),
        ("/account/second-factor/confirm", {}),
        ("/account/personal-code", {}),
        ("/login/second-factor", {}),
    ]
    for action, fields in forms:
        for name, value in typed.items():
            response = web.post(
                action, data={"csrf": token, **fields, name: value}, follow_redirects=False
            )
            assert response.status_code == 400, (action, name, response.text)
    # A personal code where a second-factor code belongs is just a wrong code (and a
    # session that is fully signed in has no second step to finish).
    for value in (PERSONAL_CODE, DIGITS):
        confirm = post_form(web, "/account/second-factor/confirm", {"csrf": token, "code": value})
        assert confirm.status_code == 401
        step = post_form(web, "/login/second-factor", {"csrf": token, "code": value})
        assert (step.status_code, step.headers["location"]) == (303, "/account")
    for query in (f"personalCode={PERSONAL_CODE}", f"personal_code={DIGITS}"):
        assert web.get(f"{PERSONAL_CODE_CALLBACK}?{query}").status_code == 401
        assert web.get(f"/account?{query}").status_code == 200
    assert row_of(accounts_world, "typed@example.lv").personal_code_hash is None
    for path in ("/register", "/login", "/forgot-password", "/account"):
        names = tree(web.get(path)).xpath("//input/@name | //select/@name")
        assert not [n for n in names if "personal" in n.lower() or n.lower() == "pk"], names


# --- the rest -------------------------------------------------------------------------------


def test_api_requests_at_shared_paths_still_reach_the_api(api, web, mailbox):
    signed_in(web, mailbox, "shared@example.lv")
    plain = TestClient(web.app, base_url=BASE)
    with plain:
        assert plain.get("/account").status_code == 401
        assert plain.get("/account").headers["content-type"] == "application/problem+json"
        login = plain.post("/auth/login", json={"email": "shared@example.lv", "password": PASSWORD})
        auth = {"Authorization": f"Bearer {login.json()['access_token']}"}
        me = plain.get("/account", headers={**auth, "Accept": HTML})
        assert me.status_code == 200 and me.json()["email"] == "shared@example.lv"
        wrong = plain.post("/account/delete", json={"password": "w" * 20}, headers=auth)
        assert wrong.status_code == 401 and wrong.json()["code"] == "UNAUTHENTICATED"


def test_pages_choose_their_language(web, browsers, mailbox):
    assert tree(web.get("/login")).xpath("/html/@lang") == ["lv"]
    assert tree(web.get("/login")).xpath("//h1/text()") == ["Pieteikšanās"]
    russian = web.get("/login?lang=ru")
    assert tree(russian).xpath("/html/@lang") == ["ru"]
    assert "lang=ru" in set_cookies(russian)["lang"]
    assert tree(web.get("/forgot-password")).xpath("/html/@lang") == ["ru"]  # remembered
    assert tree(web.get("/forgot-password?lang=en")).xpath("/html/@lang") == ["en"]
    page = signed_in(web, mailbox, "lang@example.lv", language="lv")
    assert tree(page).xpath("/html/@lang") == ["lv"]  # the account's language wins
    cookie_only = new_browser(browsers, web.app, cookies={"lang": "en"})
    assert tree(cookie_only.get("/register")).xpath("/html/@lang") == ["en"]


def test_pages_keep_out_of_frames_caches_and_referers(web, mailbox):
    for page in (web.get("/login"), signed_in(web, mailbox, "headers@example.lv")):
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
        assert page.headers["x-frame-options"] == "DENY"
        assert page.headers["cache-control"] == "no-store"
        assert page.headers["referrer-policy"] == "no-referrer"


def test_every_label_exists_in_every_language():
    for key in labels.keys():
        for language in ("lv", "en", "ru"):
            assert labels.label(language, key).strip(), (key, language)
    for key in labels.NOTICES.values():
        assert key in labels.keys()
