"""Share links in browsers: the learner shares 2 claims from the credential page and sees
the link and QR code; a fresh browser opens the link (in its language) and sees exactly
those claims plus the always-visible ones, green; the "Show" step of a view-limited link
(GET counts nothing, the POST does, with its CSRF token); 410 and 404 pages; revoking from
the list; the page turning red after the institution revokes."""

from __future__ import annotations

from tests.web.api.test_sd_jwt_vc import issue, sd_jwt_of
from tests.web.api.test_status import _change
from tests.web.pages.browsing import (
    BASE,
    csrf_of,
    new_browser,
    post_form,
    signed_in,
    submit,
    text_of,
    tree,
)

EMAIL = "share.pages@example.lv"


def _learner_with_diploma(web, api, world, mailbox, credential_id="urn:uuid:page-share-1"):
    signed_in(web, mailbox, EMAIL)
    sd_jwt_of(issue(api, world, learner={"email": EMAIL}, credential_id=credential_id))
    listing = web.get("/wallet")
    (href,) = tree(listing).xpath("//table[@class='credentials']//a/@href")
    return href.rsplit("/", 1)[1]


def _share(web, item_id, **fields):
    page = web.get(f"/wallet/{item_id}/share")
    assert page.status_code == 200, page.text
    values = {"days": "30", "max_views": "", "label": "", **fields}
    done = submit(web, page, f"/wallet/{item_id}/share", **values)
    assert done.status_code == 200, done.text
    (url,) = tree(done).xpath("//dl/dd/a/@href")
    assert tree(done).xpath("//div[@class='qr']/svg")
    return url.removeprefix(BASE)


def _checks(page):
    return {
        li.get("data-check"): li.get("class").split()[-1]
        for li in tree(page).xpath("//ul[@class='checks']/li")
    }


def test_share_two_claims_and_a_fresh_browser_sees_only_those(
    web, api, accounts_world, mailbox, browsers
):
    item_id = _learner_with_diploma(web, api, accounts_world, mailbox)
    assert f"/wallet/{item_id}/share" in web.get(f"/wallet/{item_id}").text
    path = _share(web, item_id, **{"claim:givenName": "yes", "claim:familyName": "yes"})
    stranger = new_browser(browsers, api.app)
    page = stranger.get(path, headers={"Accept-Language": "ru, en;q=0.5"})
    assert page.status_code == 200
    assert tree(page).xpath("/html/@lang") == ["ru"]
    assert page.headers["referrer-policy"] == "no-referrer"
    assert tree(page).xpath("//div[contains(@class,'verdict')]/@class") == ["verdict verified"]
    english = stranger.get(path + "?lang=en")
    text = text_of(english)
    assert "Given name" in text and "Family name" in text and "Title" in text
    assert "Date of birth" not in text and "Personal code" not in text
    assert "Study programme" not in text and "Date of issue" not in text
    assert set(_checks(english).values()) <= {"passed", "not-applicable"}
    assert "Presented by its holder through this link" in text
    assert "Test institution uni" in text


def test_view_limited_link_shows_a_show_step_and_counts_only_the_post(
    web, api, accounts_world, mailbox, browsers
):
    item_id = _learner_with_diploma(web, api, accounts_world, mailbox)
    path = _share(web, item_id, max_views="1")
    stranger = new_browser(browsers, api.app)
    for _ in range(2):  # link previews: GET uses no view
        step = stranger.get(path + "?lang=en")
        assert step.status_code == 200 and "Given name" not in text_of(step)
        assert tree(step).xpath("//button[@type='submit']/text()") == ["Show"]
    assert stranger.head(path).status_code == 200
    action = tree(step).xpath("//main//form/@action")[0]
    forged = post_form(stranger, action, {"csrf": "x" * 43})
    assert forged.status_code == 403
    shown = submit(stranger, step, action, verifier="HR of Daugava Bank")
    assert shown.status_code == 200, shown.text
    assert "verdict verified" in shown.text
    again = submit(stranger, step, action)
    assert again.status_code == 410 and "can no longer be used" in text_of(again)
    assert stranger.get(path + "?lang=en").status_code == 410
    log = web.get("/wallet/access-log")
    assert "verifier:HR of Daugava Bank" in text_of(log) and "share.verified" in text_of(log)


def test_unknown_link_is_a_404_page(web, browsers, api):
    stranger = new_browser(browsers, api.app)
    page = stranger.get("/s/AAAAAAAAAAAAAAAAAAAAAA?lang=en")
    assert page.status_code == 404 and "No such link" in page.text


def test_revoke_from_the_list_then_410(web, api, accounts_world, mailbox, browsers):
    item_id = _learner_with_diploma(web, api, accounts_world, mailbox)
    path = _share(web, item_id, label="For the bank")
    listing = web.get("/wallet/shares")
    assert "For the bank" in text_of(listing) and BASE + path in text_of(listing)
    (action,) = tree(listing).xpath("//form[contains(@action,'/revoke')]/@action")
    done = post_form(web, action, {"csrf": csrf_of(listing, action)})
    assert done.status_code == 303
    assert "Revoked" in text_of(web.get("/wallet/shares"))
    stranger = new_browser(browsers, api.app)
    gone = stranger.get(path + "?lang=en")
    assert gone.status_code == 410 and "revoked" in gone.text


def test_the_page_turns_red_after_the_institution_revokes(
    web, api, accounts_world, mailbox, browsers
):
    item_id = _learner_with_diploma(web, api, accounts_world, mailbox, "urn:uuid:page-revoked")
    path = _share(web, item_id)
    stranger = new_browser(browsers, api.app)
    assert "verdict verified" in stranger.get(path).text
    _change(api, accounts_world, "urn:uuid:page-revoked", "revocation", True)
    red = stranger.get(path + "?lang=en")
    assert "verdict not-verified" in red.text
    assert _checks(red)["notRevoked"] == "failed"
