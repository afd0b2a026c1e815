"""How the wallet pages look: the page being answered (:class:`Page`) and the lxml content
of each wallet page, built from the JSON API's answer models
(:mod:`wallet.web.api.wallet_answers`) in the page language. The routes, and what they
check and change, are :mod:`wallet.web.pages.wallet`.

Text that comes from a credential (titles, claim values, identifiers, check reasons) may
hold any JSON string, so it passes through :func:`~wallet.web.pages.layout.printable`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from lxml.html import builder as E
from starlette.responses import Response

from wallet.errors import WalletError
from wallet.service import Services
from wallet.sessions import Principal
from wallet.web.api.wallet_answers import text_in, type_public
from wallet.web.api.wallet_models import (
    AccessLogPublic,
    CredentialDetailPublic,
    CredentialItemPublic,
)
from wallet.web.forms import Form
from wallet.web.pages.labels import label
from wallet.web.pages.layout import Element, error_box, form, link, message, printable, render
from wallet.web.pages.layout import field as input_field

#: The listing's sort orders (holder.list_credentials), the first the default.
SORTS = ("date", "-date", "title")
_TRUST = {t: f"trust.{t}" for t in ("verified", "not-verified", "unknown-issuer")}
_SOURCES = {"issued": "source.issued", "imported": "source.imported"}
_RESULTS = {
    "passed": "result.passed",
    "failed": "result.failed",
    "unknown": "result.unknown",
    "not applicable": "result.not_applicable",
}


@dataclass(frozen=True)
class Page:
    """A wallet page being answered: the signed-in learner, the session's form token and,
    for a POST, the form (checked against that token)."""

    request: Request
    principal: Principal
    token: str
    form: Form = field(default_factory=lambda: Form(fields={}))

    @property
    def language(self) -> str:
        """The page language: the account's."""
        return self.principal.language

    def text(self, key: str) -> str:
        """The label ``key`` in the page language."""
        return label(self.language, key)

    def answer(
        self,
        title: str,
        content: Sequence[Element],
        *,
        status: int = 200,
        error: WalletError | None = None,
    ) -> Response:
        """The whole page; with ``error``, its message box first and its status."""
        if error is not None:
            content, status = [error_box(error), *content], error.status
        return render(
            self.request, language=self.language, title=title, content=content,
            status=status, session_token=self.token, wallet_link=True,
        )  # fmt: skip


# --- pieces -------------------------------------------------------------------------------


def badge(page: Page, trust: str) -> Element:
    """The verified / not verified / unknown issuer badge of a stored credential."""
    return E.SPAN(_known(page, _TRUST, trust), {"class": f"badge {printable(trust)}"})


def type_name(page: Page, services: Services, name: str) -> str:
    """A credential type's display name in the page language."""
    shown = type_public(name, services.types.types.get(name), page.language).displayName
    return shown or (page.text("type.generic") if name == "generic" else printable(name))


def _known(page: Page, keys: Mapping[str, str], value: str) -> str:
    """The label of a value the service writes, or the value itself if it is another."""
    key = keys.get(value)
    return page.text(key) if key is not None else printable(value)


def _date(stamp: str) -> str:
    return stamp[:10]


def _definitions(rows: Sequence[tuple[str, Any]]) -> Element:
    return E.DL(*[item for term, value in rows for item in (E.DT(term), E.DD(value))])


def _table(page: Page, heads: Sequence[str], rows: Sequence[Element], kind: str) -> Element:
    return E.TABLE(
        E.THEAD(E.TR(*[E.TH(page.text(key)) for key in heads])),
        E.TBODY(*rows),
        {"class": kind},
    )


def _labelled(text: str, control: Element) -> Element:
    return E.P(E.LABEL(text, E.BR(), control))


def _select(text: str, name: str, options: Sequence[tuple[str, str]], chosen: str) -> Element:
    items = [
        E.OPTION(shown, value=value, **({"selected": "selected"} if value == chosen else {}))
        for value, shown in options
    ]
    return _labelled(text, E.SELECT(*items, name=name))


def _checkbox(text: str, name: str, **attributes: str) -> Element:
    return E.P(E.LABEL(E.INPUT(type="checkbox", name=name, value="yes", **attributes), " ", text))


def _password(page: Page) -> Element:
    return input_field(
        page.text("field.password"), "password", kind="password", autocomplete="current-password"
    )


def _back(page: Page) -> Element:
    return link(page.text("link.wallet"), "/wallet")


def _is_language_map(value: Mapping[str, Any]) -> bool:
    return bool(value) and all(
        len(key) == 2 and key.isalpha() and key.islower() and isinstance(text, str)
        for key, text in value.items()
    )


def claim_value(page: Page, value: Any) -> Element | str:
    """A claim's value as a person reads it: a language map in the page language, an
    object as the list of its members, an array as a list."""
    if isinstance(value, bool):
        return page.text("value.yes" if value else "value.no")
    if isinstance(value, Mapping):
        if _is_language_map(value):
            return printable(text_in(value, page.language) or next(iter(value.values())))
        return _definitions([(printable(str(k)), claim_value(page, v)) for k, v in value.items()])
    if isinstance(value, list):
        return E.UL(*[E.LI(claim_value(page, v)) for v in value])
    return page.text("value.none") if value is None else printable(str(value))


# --- the listing --------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """What the listing is narrowed to and how it is sorted (None: anything)."""

    type_name: str | None = None
    issuer: str | None = None
    year: int | None = None
    query: str | None = None
    sort: str = SORTS[0]

    def url(self, number: int) -> str:
        """The listing's URL with these filters, at page ``number``."""
        params = {
            "type": self.type_name,
            "issuer": self.issuer,
            "year": str(self.year) if self.year is not None else None,
            "q": self.query,
            "sort": self.sort if self.sort != SORTS[0] else None,
            "page": str(number) if number > 1 else None,
        }
        query = urlencode({name: value for name, value in params.items() if value})
        return f"/wallet?{query}" if query else "/wallet"


def _filter_form(page: Page, services: Services, filters: Filters) -> Element:
    anything = [("", page.text("value.any"))]
    types = [(name, type_name(page, services, name)) for name in services.types.types]
    types.append(("generic", page.text("type.generic")))
    issuers = [
        (slug, text_in(entry.names, page.language) or slug)
        for slug, entry in services.registry.issuers.items()
    ]
    year = E.INPUT(
        type="number", name="year", min="1900", max="9998",
        value=str(filters.year) if filters.year is not None else "",
    )  # fmt: skip
    return E.FORM(
        _labelled(
            page.text("field.search"), E.INPUT(type="search", name="q", value=filters.query or "")
        ),
        _select(page.text("field.type"), "type", anything + types, filters.type_name or ""),
        _select(page.text("field.issuer"), "issuer", anything + issuers, filters.issuer or ""),
        _labelled(page.text("field.year"), year),
        _select(
            page.text("field.sort"),
            "sort",
            [(s, page.text(f"sort.{s}")) for s in SORTS],
            filters.sort,
        ),  # fmt: skip
        E.P(E.BUTTON(page.text("button.filter"), type="submit")),
        {"class": "filters"},
        method="get",
        action="/wallet",
    )


def _row(page: Page, services: Services, item: CredentialItemPublic) -> Element:
    return E.TR(
        E.TD(E.A(printable(item.title or page.text("value.none")), href=f"/wallet/{item.id}")),
        E.TD(type_name(page, services, item.type)),
        E.TD(printable(item.issuer.name or page.text("value.unknown_issuer"))),
        E.TD(_date(item.issuedAt)),
        E.TD(badge(page, item.trust)),
    )


def listing_page(
    page: Page,
    services: Services,
    *,
    filters: Filters,
    number: int,
    items: Sequence[CredentialItemPublic],
    more: bool,
    notice: str | None,
) -> Response:
    """The listing: links to the other wallet pages, the filters, a page of credentials and
    the links to the pages before and after it."""
    content: list[Element] = [message("notice", page.text(notice))] if notice else []
    pages = [
        ("link.import", "/wallet/import"),
        ("link.access_log", "/wallet/access-log"),
        ("share.link.list", "/wallet/shares"),
        ("link.export", "/wallet/export"),
        ("link.erase", "/wallet/erase"),
    ]
    content.append(E.NAV(E.UL(*[E.LI(E.A(page.text(key), href=href)) for key, href in pages])))
    content.append(_filter_form(page, services, filters))
    if items:
        heads = ("label.title", "label.type", "label.issuer", "label.issued", "label.status")
        rows = [_row(page, services, item) for item in items]
        content.append(_table(page, heads, rows, "credentials"))
    else:
        unfiltered = filters == Filters() and number == 1
        content.append(E.P(page.text("text.wallet_empty" if unfiltered else "text.no_match")))
    paging = []
    if number > 1:
        paging.append(E.A(page.text("link.previous"), href=filters.url(number - 1), rel="prev"))
    if more:
        paging.append(E.A(page.text("link.next"), href=filters.url(number + 1), rel="next"))
    if paging:
        content.append(E.P(*paging, {"class": "paging"}))
    return page.answer("title.wallet", content)


# --- one credential -----------------------------------------------------------------------


def _issuer_rows(page: Page, shown: CredentialDetailPublic) -> list[tuple[str, Any]]:
    issuer = shown.issuer
    rows: list[tuple[str, Any]] = [
        (page.text("label.issuer"), printable(issuer.name or page.text("value.unknown_issuer"))),
        (page.text("label.issuer_id"), E.CODE(printable(issuer.id))),
    ]
    if issuer.slug is None:
        return rows
    decisions = [
        f"{a.decision}: {_date(a.validFrom)} – {_date(a.validUntil) if a.validUntil else '…'}"
        for a in issuer.accreditation
    ]
    none = page.text("value.none")
    return rows + [
        (page.text("label.country"), issuer.country or none),
        (page.text("label.registration"), issuer.registrationNumber or none),
        (
            page.text("label.accredited"),
            page.text("value.yes" if issuer.accredited else "value.no"),
        ),
        (page.text("label.accreditation"), E.UL(*[E.LI(d) for d in decisions])),
    ]


def _verification(page: Page, shown: CredentialDetailPublic) -> list[Element]:
    verification = shown.verification
    rows = [
        E.TR(
            E.TD(printable(check.name)),
            E.TD(
                _known(page, _RESULTS, check.result),
                {"class": "result " + printable(check.result).replace(" ", "-")},
            ),
            E.TD(printable(check.reason)),
        )
        for check in verification.checks
    ]
    verdict = "text.verified_now" if verification.verified else "text.not_verified_now"
    return [
        E.H2(page.text("label.verification")),
        message("notice" if verification.verified else "warning", page.text(verdict)),
        _definitions([(page.text("label.checked_at"), verification.checkedAt)]),
        _table(page, ("label.check", "label.result", "label.reason"), rows, "checks"),
    ]


def credential_page(
    page: Page,
    services: Services,
    shown: CredentialDetailPublic,
    *,
    notice: str | None,
    presentable: bool = False,
) -> Response:
    """One credential as a person reads it: what it is, who issued it, its claims with
    their labels, its verification check by check, its downloads and deletion; with
    ``presentable`` (an SD-JWT VC), the link to present chosen claims of it."""
    content: list[Element] = [message("notice", page.text(notice))] if notice else []
    kind = shown.type.displayName or type_name(page, services, shown.type.name)
    base = f"/wallet/{shown.id}"
    present = [E.LI(E.A(page.text("link.present"), href=f"{base}/present"))] if presentable else []
    content += [
        E.H2(printable(shown.title or page.text("value.none")), {"class": "credential-title"}),
        _definitions(
            [
                (page.text("label.type"), kind),
                *_issuer_rows(page, shown),
                (page.text("label.issued"), _date(shown.issuedAt)),
                (page.text("label.added"), _date(shown.addedAt)),
                (page.text("label.source"), _known(page, _SOURCES, shown.source)),
                (page.text("label.status_added"), badge(page, shown.trust)),
            ]
        ),
        E.H2(page.text("label.claims")),
        _definitions([(printable(c.label), claim_value(page, c.value)) for c in shown.claims]),
        *_verification(page, shown),
        E.UL(
            *present,
            E.LI(E.A(page.text("share.link.create"), href=f"{base}/share")),
            E.LI(E.A(page.text("link.download_jwt"), href=f"{base}/download.jwt")),
            E.LI(E.A(page.text("link.download_json"), href=f"{base}/download.json")),
            E.LI(E.A(page.text("link.delete_credential"), href=f"{base}/delete")),
            {"class": "credential-links"},
        ),
        _back(page),
    ]
    return page.answer("title.credential", content)


def delete_page(page: Page, shown: CredentialItemPublic) -> Response:
    """The confirmation step: the credential's title, the button that deletes it, a way
    back."""
    content = [
        E.H2(printable(shown.title or page.text("value.none"))),
        E.P(page.text("text.delete_credential")),
        form(
            f"/wallet/{shown.id}/delete", page.token, submit=page.text("button.delete_credential")
        ),
        link(page.text("link.cancel"), f"/wallet/{shown.id}"),
    ]
    return page.answer("title.delete_credential", content)


# --- import, access log, export, erase ----------------------------------------------------


def import_page(page: Page, *, error: WalletError | None = None) -> Response:
    """The import form: a text area for a credential received elsewhere."""
    area = E.TEXTAREA(name="credential", rows="12", cols="80", required="required")
    content = [
        E.P(page.text("text.import")),
        form(
            "/wallet/import",
            page.token,
            _labelled(page.text("field.credential"), area),
            submit=page.text("button.import"),
        ),
        _back(page),
    ]
    return page.answer("title.import", content, error=error)


def access_log_page(page: Page, log: AccessLogPublic) -> Response:
    """Who other than the learner read the learner's data, newest first."""
    content: list[Element] = [E.P(page.text("text.access_log"))]
    if log.items:
        rows = [
            E.TR(*[E.TD(printable(v)) for v in (e.at, e.actor, e.action, e.target)])
            for e in log.items
        ]
        heads = ("label.at", "label.actor", "label.action", "label.target")
        content.append(_table(page, heads, rows, "access-log"))
    else:
        content.append(E.P(page.text("text.access_log_empty")))
    content.append(_back(page))
    return page.answer("title.access_log", content)


def export_page(page: Page, *, error: WalletError | None = None) -> Response:
    """The export form: the password again; the holder keys only with a passphrase."""
    passphrase = E.INPUT(type="password", name="passphrase", autocomplete="new-password")
    content = [
        E.P(page.text("text.export")),
        form(
            "/wallet/export",
            page.token,
            _password(page),
            _checkbox(page.text("field.include_keys"), "include_keys"),
            _labelled(page.text("field.passphrase"), passphrase),
            submit=page.text("button.export"),
        ),
        _back(page),
    ]
    return page.answer("title.export", content, error=error)


def erase_page(page: Page, *, error: WalletError | None = None) -> Response:
    """The erase form: what goes, the password, and an explicit confirmation."""
    content = [
        E.P(page.text("text.erase")),
        link(page.text("link.export"), "/wallet/export"),
        form(
            "/wallet/erase",
            page.token,
            _password(page),
            _checkbox(page.text("field.confirm_erase"), "confirm", required="required"),
            submit=page.text("button.erase"),
        ),
        _back(page),
    ]
    return page.answer("title.erase", content, error=error)


def erased_page(page: Page, erased: int) -> Response:
    """After erasing: what was removed and what stays, and why (``docs/wallet.md``)."""
    removed = ("text.removed_wallets", "text.removed_credentials", "text.removed_log")
    kept = ("text.kept_account", "text.kept_records", "text.kept_audit")
    content = [
        _definitions([(page.text("label.erased_wallets"), str(erased))]),
        E.H2(page.text("label.removed")),
        E.UL(*[E.LI(page.text(key)) for key in removed], {"class": "removed"}),
        E.H2(page.text("label.kept")),
        E.UL(*[E.LI(page.text(key)) for key in kept], {"class": "kept"}),
        E.P(page.text("text.erased_later")),
        _back(page),
    ]
    return page.answer("title.erased", content)
