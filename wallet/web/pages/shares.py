"""The learner's share-link pages: share one credential by link (which claims, for how many
days, how many openings), see the link and its QR code, list every link with its state and
revoke any at once. The JSON twin is :mod:`wallet.web.api.shares`; the link itself is
:mod:`wallet.web.pages.share_link`.

Who may open them, and how forms are checked, is as on the other wallet pages
(:mod:`wallet.web.pages.wallet`). ``/wallet/shares`` is also an API path, and
``/wallet/{id}`` would match it: the routes here are
:class:`~wallet.web.pages.routing.SharedPageRoute` and the router is included before the
wallet pages.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from lxml.html import builder as E
from starlette.responses import Response

from wallet import holder, presentations, shares
from wallet.errors import InputError, WalletError
from wallet.shares import ShareItem
from wallet.web.api.share_answers import share_public, shares_public
from wallet.web.api.wallet_answers import item_id_or_404, item_public
from wallet.web.csrf import GuardDep, SignedInForm, signed_in_form_with
from wallet.web.deps import ClockDep, ServicesDep, SessionDep, get_cookie_principal, get_learner
from wallet.web.forms import Form
from wallet.web.pages.claim_choices import CLAIM_FIELD, Choice, Presentable
from wallet.web.pages.labels import notice_of
from wallet.web.pages.layout import Element, form, link, message, printable, qr_svg, redirect
from wallet.web.pages.present import presentable
from wallet.web.pages.routing import PageRoute, shared_page
from wallet.web.pages.wallet import PageDep
from wallet.web.pages.wallet_views import Page

router = APIRouter(
    include_in_schema=False, route_class=PageRoute, dependencies=[Depends(get_cookie_principal)]
)

_FIXED_FIELDS = frozenset({"csrf", "days", "max_views", "label"})
_read_share_form = signed_in_form_with({}, max_fields=presentations.MAX_PATHS + 5)


def get_share_form_page(
    request: Request, signed: Annotated[SignedInForm, Depends(_read_share_form)], guard: GuardDep
) -> Page:
    """The share form's POST, its CSRF token checked, with a checkbox per claim."""
    get_learner(signed.principal)
    return Page(request, signed.principal, guard.session_token(signed.principal), signed.form)


ShareFormPageDep = Annotated[Page, Depends(get_share_form_page)]


def _number(form_: Form, name: str, low: int, high: int) -> int | None:
    text = (form_.get(name) or "").strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit() and low <= int(text) <= high):
        raise InputError(f"{name.replace('_', ' ')} is a whole number from {low} to {high}")
    return int(text)


def _ticked(form_: Form, offered: list[Choice]) -> list[Choice]:
    by_name = {CLAIM_FIELD + choice.key: choice for choice in offered}
    form_.values(ignore=_FIXED_FIELDS | by_name.keys())
    chosen = []
    for name, choice in by_name.items():
        value = form_.get(name)
        if value not in (None, "yes"):
            raise InputError("a checkbox of the form has a value it does not send")
        if value == "yes":
            chosen.append(choice)
    return chosen


def _what(
    page: Page, services: ServicesDep, session: SessionDep, item_id: str, now: int
) -> tuple[str, str | None, Presentable | None]:
    """The credential's id, title and, for an SD-JWT VC, what may be chosen from it."""
    viewed = holder.view(
        session, ctx=services.holder, account_id=page.principal.account_id,
        item_id=item_id_or_404(item_id), now=now,
    )  # fmt: skip
    if viewed.item.format == "dc+sd-jwt":
        shown = presentable(page, services, session, item_id, now)
        return shown.item_id, shown.title, shown
    title = item_public(viewed.item, services.registry.issuers, page.language).title
    return viewed.item.id, title, None


def _form_page(
    page: Page, item_id: str, title: str | None, shown: Presentable | None,
    error: WalletError | None = None,
) -> Response:  # fmt: skip
    content: list[Element] = [E.H2(printable(title or page.text("value.none")))]
    content.append(E.P(page.text("share.text.create")))
    claims: list[Element] = []
    if shown is not None and shown.offered:
        boxes = [
            E.LI(E.LABEL(E.INPUT(type="checkbox", name=CLAIM_FIELD + c.key, value="yes"), " ",
                         printable(f"{c.group}: {c.label}" if c.group else c.label)))
            for c in shown.offered
        ]  # fmt: skip
        claims = [E.FIELDSET(E.LEGEND(page.text("label.choose_claims")), E.UL(*boxes))]
    elif shown is None:
        claims = [E.P(page.text("share.text.whole"))]

    def number(key: str, name: str, value: str, high: int) -> Element:
        box = E.INPUT(type="number", name=name, min="1", max=str(high), value=value)
        return E.P(E.LABEL(page.text(key), E.BR(), box))

    label_box = E.INPUT(type="text", name="label", maxlength=str(shares.MAX_LABEL_CHARS))
    content += [
        form(
            f"/wallet/{item_id}/share",
            page.token,
            *claims,
            number("share.field.days", "days", str(shares.DEFAULT_DAYS), shares.MAX_DAYS),
            number("share.field.max_views", "max_views", "", shares.MAX_VIEWS),
            E.P(E.LABEL(page.text("share.field.label"), E.BR(), label_box)),
            submit=page.text("share.button.create"),
        ),  # fmt: skip
        link(page.text("link.back_to_credential"), f"/wallet/{item_id}"),
    ]
    return page.answer("share.title.create", content, error=error)


@shared_page(router, "/wallet/shares", methods=["GET"])
def list_page(page: PageDep, services: ServicesDep, session: SessionDep, now: ClockDep) -> Response:
    """Every link of the learner with its state, openings and a revoke button."""
    rows = shares.list_shares(session, account_id=page.principal.account_id)
    listed = shares_public(session, ctx=services.shares, rows=rows, now=now)
    notice = notice_of(page.request)
    content: list[Element] = [message("notice", page.text(notice))] if notice else []
    if not listed:
        content.append(E.P(page.text("share.text.none")))
    heads = ("share.label.note", "share.label.link", "share.label.expires", "share.label.views",
             "share.label.state", "label.action")  # fmt: skip
    body = []
    for share in listed:
        limit = str(share.maxViews) if share.maxViews is not None else "∞"
        revoke: Element = ""
        if share.state == "active":
            revoke = form(f"/wallet/shares/{share.id}/revoke", page.token,
                          submit=page.text("share.button.revoke"))  # fmt: skip
        body.append(
            E.TR(
                E.TD(printable(share.label or "—")),
                E.TD(E.CODE(share.url) if share.state == "active" else "—"),
                E.TD(share.expires[:10]),
                E.TD(f"{share.views} / {limit}"),
                E.TD(page.text(f"share.state.{share.state}")),
                E.TD(revoke),
                {"data-share": share.id},
            )
        )
    if listed:
        content.append(
            E.TABLE(E.THEAD(E.TR(*[E.TH(page.text(k)) for k in heads])), E.TBODY(*body),
                    {"class": "shares"})
        )  # fmt: skip
    content.append(link(page.text("link.wallet"), "/wallet"))
    return page.answer("share.title.list", content)


@shared_page(router, "/wallet/shares/{share_id}/revoke", methods=["POST"])
def revoke(
    share_id: str, page: ShareFormPageDep, services: ServicesDep, session: SessionDep,
    now: ClockDep,
) -> Response:  # fmt: skip
    """Revoke the link at once."""
    page.form.values()
    shares.revoke_share(session, account_id=page.principal.account_id, share_id=share_id, now=now)
    session.commit()
    services.share_images.forget(share_id)
    return redirect("/wallet/shares?notice=share-revoked")


@shared_page(router, "/wallet/{item_id}/share", methods=["GET"])
def share_form(
    item_id: str, page: PageDep, services: ServicesDep, session: SessionDep, now: ClockDep
) -> Response:
    """Which claims (for an SD-JWT VC), how many days, how many openings."""
    found_id, title, shown = _what(page, services, session, item_id, now)
    return _form_page(page, found_id, title, shown)


@shared_page(router, "/wallet/{item_id}/share", methods=["POST"])
def share(
    item_id: str, page: ShareFormPageDep, services: ServicesDep, session: SessionDep,
    now: ClockDep,
) -> Response:  # fmt: skip
    """Make the link and show it with its QR code; a value that cannot be used shows the
    form again."""
    found_id, title, shown = _what(page, services, session, item_id, now)
    chosen = _ticked(page.form, shown.offered if shown is not None else [])
    disclose = [c.path for c in shown.disclosed(chosen)] if shown is not None else []
    try:
        days = _number(page.form, "days", 1, shares.MAX_DAYS)
        max_views = _number(page.form, "max_views", 1, shares.MAX_VIEWS)
        created = shares.create_share(
            session, ctx=services.shares, account_id=page.principal.account_id,
            items=[ShareItem(found_id, tuple(disclose))], now=now, expires_in_days=days,
            max_views=max_views, label=page.form.get("label"),
        )  # fmt: skip
    except InputError as exc:
        return _form_page(page, found_id, title, shown, error=exc)
    session.commit()
    public = share_public(created.share, url=created.url, now=now)
    limit = (
        str(public.maxViews) if public.maxViews is not None else page.text("share.value.no_limit")
    )
    content = [
        E.H2(printable(title or page.text("value.none"))),
        E.P(page.text("share.text.created")),
        E.DL(
            E.DT(page.text("share.label.link")),
            E.DD(E.A(public.url, href=public.url)),
            E.DT(page.text("share.label.expires")),
            E.DD(public.expires[:10]),
            E.DT(page.text("share.field.max_views")),
            E.DD(limit),
        ),  # fmt: skip
        E.DIV(qr_svg(public.url, level="M"), {"class": "qr"}),
        E.UL(
            E.LI(E.A(page.text("share.link.qr_svg"), href=public.qrSvg, download="qr.svg")),
            E.LI(E.A(page.text("share.link.qr_png"), href=public.qrPng, download="qr.png")),
            E.LI(E.A(page.text("share.link.list"), href="/wallet/shares")),
        ),
    ]
    return page.answer("share.title.created", content)
