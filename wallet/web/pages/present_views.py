"""How the present pages look: the form of claims to disclose with the verifier's domain and
challenge, and the presentation made from it, as text, as a QR code and as the list of
what it discloses. The routes are :mod:`wallet.web.pages.present`.

Labels and titles come from a credential, so they pass through
:func:`~wallet.web.pages.layout.printable`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from lxml.html import builder as E
from starlette.responses import Response

from wallet.challenges import MAX_DOMAIN_CHARS
from wallet.errors import InputError
from wallet.web.pages.claim_choices import CLAIM_FIELD, Choice, Presentable
from wallet.web.pages.layout import (
    QR_MAX_BYTES,
    Element,
    field,
    form,
    link,
    message,
    printable,
    qr_svg,
)
from wallet.web.pages.wallet_views import Page

#: The challenge's field: presentations.present_credential takes 1 to 128 characters.
CHALLENGE_CHARS = 128


def _shown(choice: Choice) -> str:
    """A claim's label, after the label of the claim that contains it."""
    text = f"{choice.group}: {choice.label}" if choice.group else choice.label
    return printable(text)


def _checkbox(choice: Choice, ticked: bool) -> Element:
    attributes = {"checked": "checked"} if ticked else {}
    box = E.INPUT(type="checkbox", name=CLAIM_FIELD + choice.key, value="yes", **attributes)
    return E.LI(E.LABEL(box, " ", _shown(choice)))


def _back(page: Page, shown: Presentable) -> Element:
    return link(page.text("link.back_to_credential"), f"/wallet/{shown.item_id}")


def _heading(page: Page, shown: Presentable) -> Element:
    return E.H2(printable(shown.title or page.text("value.none")), {"class": "credential-title"})


def present_page(
    page: Page,
    shown: Presentable,
    *,
    chosen: Collection[Choice] = (),
    domain: str = "",
    challenge: str = "",
    error: InputError | None = None,
) -> Response:
    """The form: a checkbox per claim that may be disclosed, the verifier's domain and the
    challenge it gave; after an error, the form again as it was sent."""
    offered = shown.offered
    keys = {choice.key for choice in chosen}
    claims: list[Element] = [E.LEGEND(page.text("label.choose_claims"))]
    if offered:
        items = [_checkbox(choice, choice.key in keys) for choice in offered]
        claims.append(E.UL(*items, {"class": "claims"}))
    else:
        claims.append(E.P(page.text("text.present_nothing")))
    content = [
        _heading(page, shown),
        E.P(page.text("text.present")),
        form(
            f"/wallet/{shown.item_id}/present",
            page.token,
            E.FIELDSET(*claims),
            field(
                page.text("field.domain"),
                "domain",
                value=domain,
                autocomplete="off",
                maxlength=str(MAX_DOMAIN_CHARS),
            ),
            field(
                page.text("field.challenge"),
                "challenge",
                value=challenge,
                autocomplete="off",
                maxlength=str(CHALLENGE_CHARS),
            ),
            submit=page.text("button.present"),
        ),
        _back(page, shown),
    ]
    return page.answer("title.present", content, error=error)


def _qr(page: Page, presentation: str) -> Element:
    if len(presentation.encode("utf-8")) > QR_MAX_BYTES:
        return message("warning", page.text("text.qr_too_long"))
    return E.DIV(qr_svg(presentation, level="L"), {"class": "qr"})


def presented_page(
    page: Page,
    shown: Presentable,
    *,
    presentation: str,
    disclosed: Sequence[Choice],
    domain: str,
) -> Response:
    """The presentation: its text to copy, its QR code when it fits in one, and what it
    discloses."""
    area = E.TEXTAREA(
        presentation, {"class": "presentation"}, readonly="readonly", rows="8", cols="80",
        spellcheck="false",
    )  # fmt: skip
    if disclosed:
        listed = E.UL(*[E.LI(_shown(choice)) for choice in disclosed], {"class": "disclosed"})
    else:
        listed = E.P(page.text("text.disclosed_nothing"))
    content = [
        _heading(page, shown),
        E.P(page.text("text.presented")),
        E.DL(E.DT(page.text("label.verifier")), E.DD(E.CODE(printable(domain)))),
        E.P(E.LABEL(page.text("label.presentation"), E.BR(), area)),
        _qr(page, presentation),
        E.H2(page.text("label.disclosed")),
        listed,
        _back(page, shown),
    ]
    return page.answer("title.presented", content)
