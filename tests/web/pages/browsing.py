"""Browsers for the page tests and what they do with pages: read a page's CSRF token and
text, send its forms, register, prove the address and sign in through the pages, link the
personal code through the test identity provider.

Each browser is a TestClient on the app with base URL https://wallet.test that asks for
HTML; it keeps its own cookies. Every form is sent with the CSRF token read out of the page
that showed it, as a browser would. The browser fixtures are in ``conftest.py``.
"""

from __future__ import annotations

from contextlib import ExitStack
from urllib.parse import urlencode

import lxml.html
from fastapi.testclient import TestClient
from sqlmodel import select

from tests.fixtures.accounts import PASSWORD, last_link, token_of
from wallet import accounts, totp
from wallet.db.models import Account
from wallet.identity import PERSONAL_CODE_CALLBACK

HTML = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"
FORM = "application/x-www-form-urlencoded"
BASE = "https://wallet.test"


def new_browser(stack: ExitStack, app, **kwargs) -> TestClient:
    return stack.enter_context(TestClient(app, base_url=BASE, headers={"Accept": HTML}, **kwargs))


def tree(response):
    return lxml.html.fromstring(response.text)


def csrf_of(response, action: str) -> str:
    """The CSRF token in the page's form that posts to ``action``."""
    values = tree(response).xpath(
        "//form[@action=$action]/input[@name='csrf']/@value", action=action
    )
    assert len(values) == 1, f"no single form for {action} in {response.request.url}"
    return values[0]


def text_of(response) -> str:
    """The visible text of the page's ``<main>``, white space collapsed."""
    (main,) = tree(response).xpath("//main")
    return " ".join(" ".join(main.itertext()).split())


def post_form(client: TestClient, action: str, data: dict[str, str], headers=None):
    """POST ``data`` URL-encoded, as a browser sends a form (even an empty one)."""
    return client.post(
        action,
        content=urlencode(data).encode("ascii"),
        headers={"Content-Type": FORM, **(headers or {})},
        follow_redirects=False,
    )


def submit(client: TestClient, page, action: str, **fields: str):
    """Send the form of ``page`` that posts to ``action`` (its token included)."""
    return post_form(client, action, {"csrf": csrf_of(page, action), **fields})


def is_page(response) -> bool:
    return response.headers["content-type"].startswith("text/html")


def set_cookies(response) -> dict[str, str]:
    """The Set-Cookie headers of a response by cookie name."""
    return {h.split("=", 1)[0]: h for h in response.headers.get_list("set-cookie")}


def row_of(world, email: str) -> Account | None:
    with world.services.session() as session:
        return session.exec(select(Account).where(Account.email == email)).first()


def register_in(client: TestClient, mailbox, email: str, *, language: str = "en") -> None:
    """Register through the pages and prove the address with the link from the message."""
    before = len(mailbox.wait_for(to=email, count=0))
    done = submit(
        client,
        client.get("/register"),
        "/register",
        email=email,
        password=PASSWORD,
        language=language,
    )
    assert done.status_code == 200, done.text
    link = last_link(mailbox, email, count=before + 1)
    opened = client.get(link)
    assert opened.status_code == 200, opened.text
    proved = submit(client, opened, "/verify-email", token=token_of(link))
    assert proved.status_code == 200, proved.text


def sign_in(client: TestClient, email: str, password: str = PASSWORD):
    return submit(client, client.get("/login"), "/login", email=email, password=password)


def signed_in(client: TestClient, mailbox, email: str, **kwargs: str):
    """Register, prove, sign in; return the account page."""
    register_in(client, mailbox, email, **kwargs)
    started = sign_in(client, email)
    assert started.status_code == 303, started.text
    assert started.headers["location"] == "/account"
    page = client.get("/account")
    assert page.status_code == 200, page.text
    return page


def make_staff(world, email: str, *, role: str = "staff") -> None:
    """An account of an institution's staff member (or, with ``role``, an operator), its
    address proven, without a second factor."""
    services = world.services
    now = int(world.clock[0])
    with services.session() as session:
        account = accounts.register(
            session,
            ctx=services.accounts,
            email=email,
            password=PASSWORD,
            language="en",
            now=now,
            role=role,
            issuer_slug="uni" if role == "staff" else None,
            actor="test",
        )
        assert account is not None
        account.email_verified_at = now
        session.add(account)
        session.commit()


def begin_link(client: TestClient) -> str:
    """Press "link my personal code"; return the provider's authorization URL."""
    started = submit(client, client.get("/account"), "/account/personal-code")
    assert started.status_code == 303, started.text
    return started.headers["location"]


def callback(client: TestClient, params: dict[str, str]):
    return client.get(PERSONAL_CODE_CALLBACK, params=params, follow_redirects=False)


def enrol(client: TestClient, page, world) -> tuple[str, list[str]]:
    """Set up TOTP through the pages; return the secret and the recovery codes."""
    started = submit(client, page, "/account/second-factor")
    assert started.status_code == 200, started.text
    svg = tree(started).xpath("//main//svg")
    assert len(svg) == 1 and svg[0].xpath(".//path")
    (secret,) = tree(started).xpath("//main//code/text()")
    now = int(world.clock[0])
    code = totp.code_at(secret, now=now)
    wrong = f"{(int(code) + 500000) % 1000000:06d}"
    refused = submit(client, started, "/account/second-factor/confirm", code=wrong)
    assert refused.status_code == 401
    assert tree(refused).xpath("//form[@action='/account/second-factor/confirm']")
    confirmed = submit(client, refused, "/account/second-factor/confirm", code=code)
    assert confirmed.status_code == 200, confirmed.text
    codes = tree(confirmed).xpath("//ul[@class='recovery-codes']/li/code/text()")
    return secret, codes
