"""What a person does in the browser: register, prove the address with the link from the
message, sign in, open a credential, share it; and what the tests read off a share page.

Every step clicks the page's own links and buttons, as a person would; nothing is posted
behind the page's back.
"""

from __future__ import annotations

from dataclasses import dataclass

from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import Service
from tests.fixtures.accounts import PASSWORD, last_link

#: The verdict box of an opened share link.
VERDICT = "main div.verdict"
#: The claims of the first credential of an opened share link (the ``dt`` after "Contents").
CLAIM_TERMS = "xpath=//section[contains(@class,'credential')][1]/h3[1]/following-sibling::dl[1]/dt"


def sign_up_and_in(page: Page, service: Service, email: str) -> None:
    """Register through the pages, open the link from the message, sign in."""
    page.goto("/register?lang=en")
    form = page.locator("form[action='/register']")
    form.get_by_label("E-mail").fill(email)
    form.get_by_label("Password").fill(PASSWORD)
    form.locator("select[name='language']").select_option("en")
    form.locator("button[type='submit']").click()
    link = last_link(service.mailbox, email, count=1)
    assert link.startswith(f"{service.base}/verify-email?token="), link
    page.goto(link)
    page.locator("form[action='/verify-email'] button[type='submit']").click()
    page.locator("main a[href='/login']").click()
    form = page.locator("form[action='/login']")
    form.get_by_label("E-mail").fill(email)
    form.get_by_label("Password").fill(PASSWORD)
    form.locator("button[type='submit']").click()
    page.wait_for_url("**/account")


def open_only_credential(page: Page) -> None:
    """From the wallet listing, open the one credential there."""
    page.goto("/wallet")
    links = page.locator("table.credentials a")
    expect(links).to_have_count(1)
    links.click()
    page.wait_for_url("**/wallet/*")


@dataclass(frozen=True)
class Shared:
    """The link the share page made, and its QR code image."""

    url: str
    qr_png: str


def open_share_form(page: Page) -> Locator:
    """On a credential's page, follow its "share" link; return the share form."""
    page.locator("main a[href$='/share']").click()
    form = page.locator("form[action$='/share']")
    expect(form).to_be_visible()
    return form


def create_link(page: Page, claims: tuple[str, ...] = ()) -> Shared:
    """On the share form, tick ``claims`` by their labels and create the link; return the
    link and its QR image address as the result page shows them."""
    form = page.locator("form[action$='/share']")
    for claim in claims:
        form.get_by_label(claim, exact=True).check()
    form.locator("button[type='submit']").click()
    link = page.locator("main dl dd a")
    expect(link).to_have_count(1)
    expect(page.locator("main div.qr svg")).to_be_visible()
    url = link.get_attribute("href")
    qr_png = page.locator("main a[download='qr.png']").get_attribute("href")
    assert url and qr_png, (url, qr_png)
    return Shared(url=url, qr_png=qr_png)


def claim_labels(page: Page) -> set[str]:
    """The labels of the claims the first credential of a share page shows."""
    return {text.strip() for text in page.locator(CLAIM_TERMS).all_inner_texts()}


def check_results(page: Page) -> dict[str, str]:
    """Each plain-words check of a share page by name, with its result class."""
    found = {}
    for item in page.locator("main ul.checks > li").all():
        name = item.get_attribute("data-check")
        classes = (item.get_attribute("class") or "").split()
        assert name and classes, (name, classes)
        found[name] = classes[-1]
    return found
