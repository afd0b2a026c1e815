"""Share links in a real browser (issue 7, "Real-browser tests"): Chromium against a real
``imk serve`` process.

A learner registers and signs in through the pages, opens a credential the institution
issued to their address over the API, and shares it from the page; a fresh browser context
(no cookies) opens the link and sees what was chosen, verified, green; the institution
revokes through ``POST /credentials/status``; the same link is red at its next opening. The
QR code image the service draws for the link, uploaded on ``/verify``, gives the same
result as opening the link: green with the same claims and checks, then red.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.e2e.conftest import OpenContext, Screenshot, Service
from tests.e2e.flows import (
    VERDICT,
    check_results,
    claim_labels,
    create_link,
    open_only_credential,
    open_share_form,
    sign_up_and_in,
)

CHOSEN = ("Given name", "Family name")
#: Values that must never reach the page of a link that does not disclose them.
HIDDEN_VALUES = ("2001-03-14", "very good", "Data Structures", "43481", "VPK-2025/14")
GREEN = {"passed", "not-applicable"}


def _present(subject: Mapping[str, Any], path: Sequence[str | None]) -> bool:
    value: Any = subject
    for step in path:
        if step is None or not isinstance(value, Mapping) or step not in value:
            return False
        value = value[step]
    return True


def _labels(service: Service, subject: Mapping[str, Any], sd: set[str]) -> set[str]:
    """The English labels of the diploma's claims whose ``sd`` is in ``sd`` and which
    ``subject`` has (``sd``: "never" = always visible, "allowed"/"always" = disclosable)."""
    metadata = service.world.services.types.get("diploma").metadata
    return {
        next(d["label"] for d in claim["display"] if d["locale"] == "en")
        for claim in metadata["claims"]
        if claim["sd"] in sd and _present(subject, claim["path"])
    }


def _subject(service: Service) -> dict[str, Any]:
    example = service.world.services.types.get("diploma").example
    return {k: v for k, v in example.items() if k != "id"}


def _expect_green(page: Page) -> None:
    verdict = page.locator(VERDICT)
    expect(verdict).to_have_class("verdict verified")
    expect(verdict).to_have_attribute("role", "status")
    expect(verdict).to_contain_text("Genuine and valid")
    results = check_results(page)
    assert results and set(results.values()) <= GREEN, results
    assert results["notRevoked"] == "passed", results


def _expect_red(page: Page) -> None:
    verdict = page.locator(VERDICT)
    expect(verdict).to_have_class("verdict not-verified")
    expect(verdict).to_have_attribute("role", "alert")
    expect(verdict).to_contain_text("does NOT pass verification")
    results = check_results(page)
    assert results["notRevoked"] == "failed", results
    assert results["signature"] == "passed", results  # still genuine: only the status failed


def test_sd_jwt_share_shows_the_two_chosen_claims_then_red_after_revocation(
    service: Service, browser_contexts: OpenContext, screenshot: Screenshot
):
    email = "sd.e2e@example.lv"
    learner = browser_contexts().new_page()
    sign_up_and_in(learner, service, email)
    credential_id = service.issue(fmt="dc+sd-jwt", learner={"email": email})
    open_only_credential(learner)
    screenshot(learner, "1-credential")
    form = open_share_form(learner)
    subject = _subject(service)
    disclosable = _labels(service, subject, {"allowed", "always"})
    offered = form.locator("input[type='checkbox']")
    assert offered.count() >= 5 and set(CHOSEN) <= disclosable
    screenshot(learner, "2-share-form")
    shared = create_link(learner, CHOSEN)
    assert shared.url.startswith(f"{service.base}/s/"), shared.url
    screenshot(learner, "3-link-created")

    stranger = browser_contexts().new_page()
    stranger.goto(shared.url)
    _expect_green(stranger)
    shown = claim_labels(stranger)
    always_visible = _labels(service, subject, {"never"})
    assert {"Title", "Awarding body"} <= always_visible
    assert shown == set(CHOSEN) | always_visible, shown
    text = stranger.locator("main").inner_text()
    assert "Līga" in text and "Ozoliņa" in text
    assert {"Date of birth", "Overall grade", "Courses"} <= disclosable - shown
    for value in HIDDEN_VALUES:
        assert value not in text, value
    screenshot(stranger, "4-share-green")

    service.revoke(credential_id)
    stranger.reload()
    _expect_red(stranger)
    assert claim_labels(stranger) == shown
    screenshot(stranger, "5-share-red")


def test_vc_jwt_share_shows_the_whole_credential_then_red_after_revocation(
    service: Service, browser_contexts: OpenContext, screenshot: Screenshot
):
    email = "vc.e2e@example.lv"
    learner = browser_contexts().new_page()
    sign_up_and_in(learner, service, email)
    credential_id = service.issue(fmt="vc+jwt", learner={"email": email})
    open_only_credential(learner)
    form = open_share_form(learner)
    expect(form.locator("input[type='checkbox']")).to_have_count(0)
    shared = create_link(learner)
    screenshot(learner, "1-link-created")

    stranger = browser_contexts().new_page()
    stranger.goto(shared.url)
    _expect_green(stranger)
    subject = _subject(service)
    whole = _labels(service, subject, {"never", "allowed", "always"})
    shown = claim_labels(stranger)
    assert whole <= shown, whole - shown
    assert {"Date of birth", "Given name", "Family name"} <= shown
    text = stranger.locator("main").inner_text()
    assert "2001-03-14" in text and "Līga" in text
    screenshot(stranger, "2-share-green")

    service.revoke(credential_id)
    stranger.reload()
    _expect_red(stranger)
    screenshot(stranger, "3-share-red")


def _check_qr_on_verify_page(page: Page, image: Path, screenshot: Screenshot, step: str) -> None:
    """Upload ``image`` with the QR form of /verify, as a verifier named in the form.

    /verify opens a share link of this service as the link itself opens: the answer is the
    share page's result, on /verify (no redirect, so a view-limited link shows its
    credentials at once too), with a way back to the forms.
    """
    page.goto("/verify?lang=en")
    # The QR image form (the camera form beside it has the same field, with capture).
    qr_form = page.locator("form[action='/verify']:has(input[name='image']:not([capture]))")
    qr_form.locator("input[name='image']").set_input_files(image)
    qr_form.get_by_label("Your name or organisation", exact=False).fill("Daugava Bank HR")
    screenshot(page, f"{step}-verify-form")
    qr_form.locator("button[type='submit']").click()
    expect(page.locator(VERDICT)).to_be_visible()
    assert page.url.endswith("/verify"), page.url
    expect(page.locator("main a[href='/verify']")).to_have_text("Check another credential")


def test_the_links_qr_png_uploaded_on_verify_gives_the_share_pages_result(
    service: Service, browser_contexts: OpenContext, screenshot: Screenshot, tmp_path: Path
):
    email = "qr.e2e@example.lv"
    learner = browser_contexts().new_page()
    sign_up_and_in(learner, service, email)
    credential_id = service.issue(fmt="dc+sd-jwt", learner={"email": email})
    open_only_credential(learner)
    open_share_form(learner)
    shared = create_link(learner, CHOSEN)
    with learner.expect_download() as download:
        learner.locator("main a[download='qr.png']").click()
    image = tmp_path / "qr.png"
    download.value.save_as(image)
    assert download.value.url == shared.qr_png
    assert image.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")

    direct = browser_contexts().new_page()
    direct.goto(shared.url)
    _expect_green(direct)

    verifier = browser_contexts().new_page()
    _check_qr_on_verify_page(verifier, image, screenshot, "1")
    _expect_green(verifier)
    assert claim_labels(verifier) == claim_labels(direct) >= set(CHOSEN)
    assert check_results(verifier) == check_results(direct)
    screenshot(verifier, "2-share-green")

    service.revoke(credential_id)
    direct.reload()
    _expect_red(direct)
    _check_qr_on_verify_page(verifier, image, screenshot, "3")
    _expect_red(verifier)
    assert claim_labels(verifier) == claim_labels(direct)
    assert check_results(verifier) == check_results(direct)
    screenshot(verifier, "4-share-red")

    # The owner's access log has both verifications on /verify, named, beside the openings.
    learner.goto("/wallet/access-log?lang=en")
    rows = learner.locator("table.access-log tbody tr").all_inner_texts()
    checked = [row for row in rows if "share.checked" in row]
    assert len(checked) == 2 and all("verifier:Daugava Bank HR" in row for row in checked), rows
    assert sum("share.opened" in row for row in rows) == 2, rows
    screenshot(learner, "5-access-log")
