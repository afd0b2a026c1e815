"""The learner's present page for an SD-JWT VC, in browsers: the credential page links to
it; the form offers the selectively disclosable claims the credential carries, labelled in
the page language (courses one by one, by title); what a learner ticks, and nothing else,
reaches a verifier, whose POST /presentations/verify accepts it for its challenge and
domain. CSRF, isolation, vc+jwt credentials and bad input end in error pages, never a 5xx.

Credentials are issued over the API as an institution would
(``tests/web/api/test_sd_jwt_vc.py``); browsers are those of ``browsing.py``.
"""

from __future__ import annotations

import copy

import pytest

from tests.web.pages.browsing import (
    is_page,
    make_staff,
    new_browser,
    post_form,
    sign_in,
    submit,
    text_of,
    tree,
)
from tests.web.pages.test_wallet_pages import (
    UNKNOWN_ID,
    learner,
    listing,
    session_token,
    wallet_snapshot,
)
from wallet.issuance import build_credential
from wallet.web.pages import labels
from wallet.web.pages.layout import QR_MAX_BYTES
from wallet.web.pages.present import MAX_FORM_FIELDS

DOMAIN = "hr.example.lv"
#: The diploma example's courses (schemas/diploma/schema.json), by English title.
COURSES = [
    "Data Structures and Algorithms",
    "Operating Systems",
    "Applied Ethics",
    "Bachelor Thesis",
]


def issue(
    api,
    world,
    email: str,
    *,
    fmt: str = "dc+sd-jwt",
    type_name: str = "diploma",
    courses: int | None = None,
):
    """Issue the example of ``type_name`` to ``email`` over the API as the institution
    "uni"; with ``courses``, a diploma with that many courses instead of the example's."""
    services = world.services
    ctype = services.types.get(type_name)
    subject = {k: v for k, v in copy.deepcopy(ctype.example).items() if k != "id"}
    if courses is not None:
        template = subject["achievement"]["courses"][0]
        subject["achievement"]["courses"] = [
            {**template, "title": {"lv": f"Kurss {n}", "en": f"Course {n}"}} for n in range(courses)
        ]
    credential = build_credential(ctype, subject, issuer_did=services.registry.by_slug("uni").did)
    response = api.post(
        "/credentials/issue",
        json={"credential": credential, "options": {"format": fmt, "learner": {"email": email}}},
        headers={"Authorization": f"Bearer {world.tokens['uni']}"},
    )
    assert response.status_code == 201, response.text


def holder_with(web, api, mailbox, world, email: str, *, language: str = "en", **kwargs) -> str:
    """A learner signed in to ``web`` with one credential issued by :func:`issue` (the
    diploma unless told); its wallet id."""
    learner(web, mailbox, email, language=language)
    issue(api, world, email, **kwargs)
    (row,) = listing(web)
    return row["id"]


def challenge_for(api, domain: str = DOMAIN) -> str:
    response = api.post("/challenges", json={"domain": domain})
    assert response.status_code == 201, response.text
    return response.json()["challenge"]


def boxes(page) -> dict[str, str]:
    """The form's checkboxes: name → label text."""
    found = {}
    for box in tree(page).xpath("//form[contains(@action, '/present')]//input[@type='checkbox']"):
        assert box.get("value") == "yes"
        found[box.get("name")] = " ".join(box.getparent().text_content().split())
    return found


def presented(page) -> str:
    (value,) = tree(page).xpath("//textarea[@class='presentation']/text()")
    return value


def disclosed_list(page) -> list[str]:
    return [
        " ".join(li.text_content().split())
        for li in tree(page).xpath("//ul[@class='disclosed']/li")
    ]


def verify(api, presentation: str, challenge: str, domain: str = DOMAIN):
    return api.post(
        "/presentations/verify",
        json={
            "verifiablePresentation": presentation,
            "options": {"challenge": challenge, "domain": domain},
        },
    )


def claim_label(world, path: list, lang: str) -> str:
    """The label of a claim of the diploma's type metadata in ``lang``."""
    (claim,) = [
        c for c in world.services.types.get("diploma").metadata["claims"] if c["path"] == path
    ]
    return next(d["label"] for d in claim["display"] if d["locale"] == lang)


# --- presenting ---------------------------------------------------------------------------


def test_the_learner_presents_two_ticked_claims_and_the_verifier_accepts_them(
    web, api, mailbox, accounts_world
):
    item = holder_with(web, api, mailbox, accounts_world, "present@example.lv")
    shown = web.get(f"/wallet/{item}")
    assert shown.status_code == 200, shown.text
    links = tree(shown).xpath("//ul[@class='credential-links']//a")
    assert [(a.get("href"), a.text) for a in links][0] == (f"/wallet/{item}/present", "Present")

    form = web.get(f"/wallet/{item}/present")
    assert form.status_code == 200 and is_page(form), form.text
    diploma = accounts_world.services.types.get("diploma")
    assert tree(form).xpath("//h2[@class='credential-title']/text()") == [
        diploma.title(diploma.example, "en")
    ]
    offered = boxes(form)
    assert offered["claim:givenName"] == "Given name"
    assert offered["claim:birthDate"] == "Date of birth"
    assert offered["claim:achievement/programme"] == "Study programme"
    # Courses one by one, by title; never-disclosable claims and the array itself are not
    # offered, nor is a personal code the credential does not carry.
    assert [offered[f"claim:achievement/courses/{n}"] for n in range(4)] == [
        f"Courses: {title}" for title in COURSES
    ]
    for absent in ("achievement/courses", "achievement/title", "personalCode", "iss", "vct"):
        assert f"claim:{absent}" not in offered
    assert tree(form).xpath("//form//input[@name='domain'][@required]")
    assert tree(form).xpath("//form//input[@name='challenge'][@required]")

    challenge = challenge_for(api)
    ticked = {"claim:givenName": "yes", "claim:familyName": "yes"}
    done = submit(
        web, form, f"/wallet/{item}/present", domain=DOMAIN, challenge=challenge, **ticked
    )
    assert done.status_code == 200 and is_page(done), done.text
    assert tree(done).xpath("//textarea[@class='presentation']/@readonly")
    assert disclosed_list(done) == ["Given name", "Family name"]
    presentation = presented(done)
    fits = len(presentation) <= QR_MAX_BYTES
    assert len(tree(done).xpath("//div[@class='qr']/svg")) == int(fits)
    assert ("too long for a QR code" in text_of(done)) is not fits

    verified = verify(api, presentation, challenge)
    assert verified.status_code == 200, verified.text
    result = verified.json()["results"]
    assert sorted(result["disclosed"]) == ["familyName", "givenName"]
    credential = result["credential"]
    assert credential["givenName"] and credential["familyName"]
    for unticked in ("birthDate", "personalCode"):
        assert unticked not in credential
    for unticked in ("programme", "overallGrade", "courses", "awardingDate"):
        assert unticked not in credential["achievement"]
    # The challenge is used up by that verification.
    assert verify(api, presentation, challenge).status_code == 422


def test_a_ticked_course_brings_its_list_and_nothing_else(web, api, mailbox, accounts_world):
    item = holder_with(web, api, mailbox, accounts_world, "course@example.lv")
    form = web.get(f"/wallet/{item}/present")
    challenge = challenge_for(api)
    done = submit(
        web, form, f"/wallet/{item}/present", domain=DOMAIN, challenge=challenge,
        **{"claim:achievement/courses/1": "yes"},
    )  # fmt: skip
    assert done.status_code == 200, done.text
    assert disclosed_list(done) == ["Courses", f"Courses: {COURSES[1]}"]
    verified = verify(api, presented(done), challenge)
    assert verified.status_code == 200, verified.text
    result = verified.json()["results"]
    # The verifier counts the elements it sees: the one course is its element 0.
    assert sorted(result["disclosed"]) == ["achievement/courses", "achievement/courses/0"]
    (course,) = result["credential"]["achievement"]["courses"]
    assert course["title"]["en"] == COURSES[1]


def test_nothing_ticked_presents_only_what_is_always_shown(web, api, mailbox, accounts_world):
    item = holder_with(web, api, mailbox, accounts_world, "nothing@example.lv")
    form = web.get(f"/wallet/{item}/present")
    challenge = challenge_for(api)
    done = submit(web, form, f"/wallet/{item}/present", domain=DOMAIN, challenge=challenge)
    assert done.status_code == 200, done.text
    assert "Nothing you could choose: only what is always shown." in text_of(done)
    verified = verify(api, presented(done), challenge)
    assert verified.status_code == 200, verified.text
    assert verified.json()["results"]["disclosed"] == []


@pytest.mark.parametrize("lang", ["lv", "en", "ru"])
def test_the_pages_speak_the_learners_language(web, api, mailbox, accounts_world, lang):
    item = holder_with(web, api, mailbox, accounts_world, f"{lang}@example.lv", language=lang)
    assert tree(web.get(f"/wallet/{item}")).xpath(
        "//a[@href=$href]/text()", href=f"/wallet/{item}/present"
    ) == [labels.label(lang, "link.present")]
    form = web.get(f"/wallet/{item}/present")
    assert tree(form).xpath("//h1/text()") == [labels.label(lang, "title.present")]
    offered = boxes(form)
    for path in (["givenName"], ["birthDate"], ["achievement", "awardingDate"]):
        assert offered["claim:" + "/".join(path)] == claim_label(accounts_world, path, lang)
    courses = claim_label(accounts_world, ["achievement", "courses"], lang)
    # The example's titles are in Latvian and English; Russian falls back to Latvian.
    first = "Datu struktūras un algoritmi" if lang != "en" else COURSES[0]
    assert offered["claim:achievement/courses/0"] == f"{courses}: {first}"
    done = submit(
        web, form, f"/wallet/{item}/present", domain=DOMAIN, challenge=challenge_for(api),
        **{"claim:birthDate": "yes"},
    )  # fmt: skip
    assert done.status_code == 200, done.text
    assert tree(done).xpath("//h1/text()") == [labels.label(lang, "title.presented")]
    assert disclosed_list(done) == [claim_label(accounts_world, ["birthDate"], lang)]


def test_a_presentation_that_fits_is_also_a_qr_code(web, api, mailbox, accounts_world):
    item = holder_with(
        web, api, mailbox, accounts_world, "qr@example.lv", type_name="course-certificate"
    )
    form = web.get(f"/wallet/{item}/present")
    challenge = challenge_for(api)
    done = submit(
        web, form, f"/wallet/{item}/present", domain=DOMAIN, challenge=challenge,
        **{"claim:givenName": "yes"},
    )  # fmt: skip
    assert done.status_code == 200, done.text
    assert len(presented(done)) <= QR_MAX_BYTES
    (svg,) = tree(done).xpath("//div[@class='qr']/svg")
    assert svg.get("role") == "img" and svg.xpath(".//path")
    assert "too long for a QR code" not in text_of(done)
    assert verify(api, presented(done), challenge).status_code == 200


def test_a_presentation_too_long_for_a_qr_code_is_still_given_as_text(
    web, api, mailbox, accounts_world
):
    item = holder_with(web, api, mailbox, accounts_world, "long@example.lv", courses=60)
    form = web.get(f"/wallet/{item}/present")
    offered = boxes(form)
    assert len(offered) + 3 > 32  # more fields than any other form may send
    assert len(offered) + 3 <= MAX_FORM_FIELDS
    challenge = challenge_for(api)
    every = dict.fromkeys(offered, "yes")
    done = submit(web, form, f"/wallet/{item}/present", domain=DOMAIN, challenge=challenge, **every)
    assert done.status_code == 200, done.text
    presentation = presented(done)
    assert len(presentation) > QR_MAX_BYTES
    assert not tree(done).xpath("//svg")
    assert "The presentation is too long for a QR code" in text_of(done)
    verified = verify(api, presentation, challenge)
    assert verified.status_code == 200, verified.text
    assert len(verified.json()["results"]["disclosed"]) == len(offered) + 1  # and the list


# --- refusals ----------------------------------------------------------------------------------


@pytest.mark.parametrize("attack", ["missing", "wrong", "other-session", "cross-origin"])
def test_a_forged_present_form_presents_nothing(web, browser, api, mailbox, accounts_world, attack):
    item = holder_with(web, api, mailbox, accounts_world, "victim@example.lv")
    learner(browser, mailbox, "attacker@example.lv")
    jwt = web.get(f"/wallet/{item}/download.jwt").text.split("~", 1)[0]
    challenge = challenge_for(api)
    data = {"domain": DOMAIN, "challenge": challenge, "claim:givenName": "yes"}
    headers = {}
    own = session_token(web)
    if attack == "wrong":
        data["csrf"] = own[:-2] + ("AA" if own[-2:] != "AA" else "BB")
    elif attack == "other-session":
        data["csrf"] = session_token(browser)
    elif attack == "cross-origin":
        data["csrf"] = own
        headers["Origin"] = "https://evil.example"
    response = post_form(web, f"/wallet/{item}/present", data, headers)
    assert response.status_code == 403 and is_page(response), response.text
    assert not tree(response).xpath("//textarea")
    assert jwt not in response.text
    # The challenge is still unused: a presentation made with it through the real form
    # verifies (and uses it up).
    form = web.get(f"/wallet/{item}/present")
    done = submit(web, form, f"/wallet/{item}/present", domain=DOMAIN, challenge=challenge)
    assert verify(api, presented(done), challenge).status_code == 200


def test_another_learners_credential_is_not_found(
    web, browser, api, mailbox, accounts_world, browsers
):
    theirs = holder_with(browser, api, mailbox, accounts_world, "owner@example.lv")
    own = holder_with(web, api, mailbox, accounts_world, "other@example.lv")
    token = session_token(web)
    fields = {"csrf": token, "domain": DOMAIN, "challenge": "c" * 22, "claim:givenName": "yes"}
    unknown = web.get(f"/wallet/{UNKNOWN_ID}/present")
    assert unknown.status_code == 404 and is_page(unknown)
    for item_id in (theirs, UNKNOWN_ID, "x" * 65):
        for response in (
            web.get(f"/wallet/{item_id}/present"),
            post_form(web, f"/wallet/{item_id}/present", fields),
        ):
            assert response.status_code == 404 and is_page(response), response.text
            assert text_of(response) == text_of(unknown)
            assert not tree(response).xpath("//textarea")
    assert web.get(f"/wallet/{own}/present").status_code == 200
    # Staff and operators have no wallet; a browser without a session is sent to sign in.
    for role in ("staff", "operator"):
        make_staff(accounts_world, f"{role}@uni.example.lv", role=role)
        client = new_browser(browsers, web.app)
        assert sign_in(client, f"{role}@uni.example.lv").status_code == 303
        assert client.get(f"/wallet/{theirs}/present").status_code == 403
        refused = post_form(
            client, f"/wallet/{theirs}/present", {**fields, "csrf": session_token(client)}
        )
        assert refused.status_code == 403 and is_page(refused)
    anonymous = new_browser(browsers, web.app)
    opened = anonymous.get(f"/wallet/{theirs}/present", follow_redirects=False)
    assert (opened.status_code, opened.headers["location"]) == (303, "/login")
    assert post_form(anonymous, f"/wallet/{theirs}/present", fields).status_code == 401


def test_a_vc_jwt_credential_cannot_be_presented_here(web, api, mailbox, accounts_world):
    item = holder_with(web, api, mailbox, accounts_world, "jwt@example.lv", fmt="vc+jwt")
    shown = web.get(f"/wallet/{item}")
    assert shown.status_code == 200
    assert not tree(shown).xpath("//a[@href=$href]", href=f"/wallet/{item}/present")
    form = web.get(f"/wallet/{item}/present")
    assert form.status_code == 400 and is_page(form)
    assert "only SD-JWT VCs can disclose chosen claims" in text_of(form)
    fields = {"csrf": session_token(web), "domain": DOMAIN, "challenge": challenge_for(api)}
    posted = post_form(web, f"/wallet/{item}/present", fields)
    assert posted.status_code == 400 and is_page(posted)
    assert not tree(posted).xpath("//textarea")


def test_a_credential_that_does_not_verify_now_is_a_422_page(web, api, mailbox, accounts_world):
    item = holder_with(web, api, mailbox, accounts_world, "stale@example.lv")
    accounts_world.clock[0] -= 86_400  # before it was signed
    form = web.get(f"/wallet/{item}/present")
    assert form.status_code == 422 and is_page(form), form.text
    assert "the credential does not verify now" in text_of(form)
    assert not tree(form).xpath("//input[@type='checkbox']")


def test_bad_input_is_a_400_page(web, api, mailbox, accounts_world):
    item = holder_with(web, api, mailbox, accounts_world, "bad@example.lv")
    form = web.get(f"/wallet/{item}/present")
    action = f"/wallet/{item}/present"
    good = {"domain": DOMAIN, "challenge": challenge_for(api)}
    refusals = [
        {**good, "claim:achievement/title": "yes"},  # never disclosable
        {**good, "claim:achievement/courses": "yes"},  # offered element by element
        {**good, "claim:achievement/courses/9": "yes"},  # no such course
        {**good, "claim:personalCode": "yes"},  # not in this credential
        {**good, "claim:givenName": "on"},
        {**good, "claim:givenName": ""},
        {**good, "other": "x"},
        {"challenge": good["challenge"]},
        {"domain": DOMAIN},
        {**good, **{f"claim:x{n}": "yes" for n in range(MAX_FORM_FIELDS)}},
    ]
    for fields in refusals:
        refused = submit(web, form, action, **fields)
        assert refused.status_code == 400 and is_page(refused), (fields, refused.text)
        assert not tree(refused).xpath("//textarea")
    # A domain or challenge that cannot be used shows the form again, ticks kept.
    for fields in (
        {**good, "domain": ""},
        {**good, "domain": "hr example.lv"},
        {**good, "challenge": "  "},
        {**good, "challenge": "c" * 129},
    ):
        again = submit(web, form, action, **fields, **{"claim:familyName": "yes"})
        assert again.status_code == 400 and is_page(again), (fields, again.text)
        assert tree(again).xpath("//div[contains(@class, 'error')]")
        assert tree(again).xpath(
            "//form[@action=$action]//input[@name='claim:familyName'][@checked]", action=action
        )
        assert not tree(again).xpath("//textarea")
    # Pasted with spaces around them, the domain and challenge still work.
    done = submit(web, form, action, domain=f" {DOMAIN} ", challenge=f" {good['challenge']}\t")
    assert done.status_code == 200, done.text
    assert verify(api, presented(done), good["challenge"]).status_code == 200


def test_nothing_is_stored(web, api, mailbox, accounts_world):
    item = holder_with(web, api, mailbox, accounts_world, "stored@example.lv")
    before = wallet_snapshot(accounts_world)
    form = web.get(f"/wallet/{item}/present")
    done = submit(
        web, form, f"/wallet/{item}/present", domain=DOMAIN, challenge=challenge_for(api),
        **{"claim:givenName": "yes"},
    )  # fmt: skip
    assert done.status_code == 200
    assert wallet_snapshot(accounts_world) == before
    assert done.headers["cache-control"] == "no-store"
