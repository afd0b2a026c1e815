"""The page skeleton, forms, message boxes, error pages and redirects of the HTML pages.

Pages are lxml trees built with the E-factory, so every text and attribute value is escaped
by construction; nothing here formats HTML as a string. Every page answer carries headers
that keep it out of frames and caches (it may hold a form token, a TOTP secret or recovery
codes) and keep its URL, which may hold a link token, out of ``Referer`` headers.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Sequence
from typing import Any, Literal
from urllib.parse import quote

import qrcode
import qrcode.constants
import qrcode.image.svg
from fastapi import Request
from fastapi.responses import HTMLResponse
from lxml import etree
from lxml.html import builder as E
from starlette.responses import Response

from wallet.accounts import LANGUAGES
from wallet.errors import WalletError
from wallet.web.cookies import is_secure, set_language_cookie
from wallet.web.csrf import FIELD
from wallet.web.deps import get_services
from wallet.web.forms import NOT_XML
from wallet.web.pages.labels import ENDONYMS, chosen_language, label, language_of

#: Headers of every page and redirect. No script, style or frame is loaded from anywhere;
#: the QR code is inline SVG.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

#: An lxml element (lxml ships no type information).
Element = Any

#: Most bytes one QR code holds: version 40, byte mode, error correction level L
#: (ISO/IEC 18004:2015 Table 7). Longer text cannot be shown as a QR code.
QR_MAX_BYTES = 2953
_QR_LEVELS = {"L": qrcode.constants.ERROR_CORRECT_L, "M": qrcode.constants.ERROR_CORRECT_M}


def render(
    request: Request,
    *,
    language: str,
    title: str,
    content: Sequence[Element],
    status: int = 200,
    session_token: str | None = None,
    wallet_link: bool = False,
    style: str | None = None,
) -> HTMLResponse:
    """A whole page.

    :param title: the label key of the page title.
    :param session_token: the signed-in session's form token: the header then offers the
        account page and a sign-out button instead of the sign-in links.
    :param wallet_link: whether the signed-in header offers the wallet (learners only).
    :param style: a constant style sheet of the page, put into its head and allowed by
        its hash in the Content-Security-Policy (nothing else may style the page).
    """
    heading = label(language, title)
    head = E.HEAD(
        E.META(charset="utf-8"),
        E.META(name="viewport", content="width=device-width, initial-scale=1"),
        E.TITLE(f"{heading} — {label(language, 'site')}"),
    )
    headers = PAGE_HEADERS
    if style is not None:
        head.append(E.STYLE(style))
        digest = base64.b64encode(hashlib.sha256(style.encode("utf-8")).digest()).decode()
        policy = f"{PAGE_HEADERS['Content-Security-Policy']}; style-src 'sha256-{digest}'"
        headers = {**PAGE_HEADERS, "Content-Security-Policy": policy}
    page = E.HTML(
        head,
        E.BODY(
            _header(request, language, session_token, wallet_link),
            E.MAIN(E.H1(heading), *content),
        ),
        lang=language,
    )
    html = etree.tostring(page, doctype="<!DOCTYPE html>", encoding="unicode", method="html")
    response = HTMLResponse(html, status_code=status, headers=headers)
    chosen = chosen_language(request)
    if chosen is not None:
        set_language_cookie(response, chosen, secure=_secure(request))
    return response


def _secure(request: Request) -> bool:
    return is_secure(get_services(request).settings.base_url)


def _header(
    request: Request, language: str, session_token: str | None, wallet_link: bool
) -> Element:
    items: list[Element] = [E.A(label(language, "site"), href="/")]
    if session_token is not None:
        if wallet_link:
            items.append(E.A(label(language, "link.wallet"), href="/wallet"))
        items.append(E.A(label(language, "link.account"), href="/account"))
        items.append(form("/logout", session_token, submit=label(language, "button.logout")))
    else:
        items.append(E.A(label(language, "link.login"), href="/login"))
        items.append(E.A(label(language, "link.register"), href="/register"))
        if request.method == "GET":
            for code in LANGUAGES:
                url = request.url.include_query_params(lang=code)
                # The path is decoded: quoted again, a %00 in it cannot reach the page.
                href = f"{quote(url.path)}?{url.query}"
                items.append(E.A(ENDONYMS[code], href=href, hreflang=code))
    # A dot between the items, so that the links do not run together without a style sheet;
    # hidden from screen readers, which announce each link on its own.
    spaced: list[Element] = []
    for item in items:
        if spaced:
            separator = E.SPAN("·", {"aria-hidden": "true"})
            separator.tail = " "
            spaced[-1].tail = " "
            spaced.append(separator)
        spaced.append(item)
    return E.HEADER(E.NAV(*spaced))


def form(action: str, token: str, *children: Element, submit: str) -> Element:
    """A POST form to ``action`` carrying the CSRF token in its hidden ``csrf`` field."""
    return E.FORM(
        E.INPUT(type="hidden", name=FIELD, value=token),
        *children,
        E.P(E.BUTTON(submit, type="submit")),
        method="post",
        action=action,
    )


def field(
    text: str,
    name: str,
    *,
    kind: str = "text",
    autocomplete: str | None = None,
    value: str | None = None,
    **attributes: str,
) -> Element:
    """A labelled, required input."""
    attrs = {"type": kind, "name": name, "required": "required", **attributes}
    if autocomplete is not None:
        attrs["autocomplete"] = autocomplete
    if value:
        attrs["value"] = value
    return E.P(E.LABEL(text, E.BR(), E.INPUT(**attrs)))


def hidden(name: str, value: str) -> Element:
    """A hidden input (a link's token carried from the GET page to its POST)."""
    return E.INPUT(type="hidden", name=name, value=value)


def message(kind: str, text: str, details: Iterable[str] = ()) -> Element:
    """A message box: ``kind`` is "error", "warning" or "notice"."""
    box = E.DIV(
        E.P(text), {"class": f"message {kind}"}, role="alert" if kind == "error" else "status"
    )
    items = [E.LI(detail) for detail in details]
    if items:
        box.append(E.UL(*items))
    return box


def error_box(error: WalletError) -> Element:
    """The message box of an error: its description and every rule or field it names."""
    return message("error", error.description, [p.message for p in getattr(error, "problems", ())])


def printable(text: str) -> str:
    """``text`` with every character a page cannot hold (XML 1.0 §2.2: control characters,
    lone surrogates) replaced by U+FFFD.

    For text that comes from a credential, which may carry any JSON string: lxml refuses
    such characters, and a page must never fail on what it shows.
    """
    return NOT_XML.sub("\ufffd", text)


def link(text: str, href: str) -> Element:
    """A paragraph holding one link."""
    return E.P(E.A(text, href=href))


def qr_svg(data: str, *, level: Literal["L", "M"] = "M") -> Element:
    """``data`` as a QR code, an inline ``<svg>`` element made by qrcode's SVG factory.

    The SVG is our own output, parsed without entities or network; its namespace is
    dropped because the HTML parser puts an ``<svg>`` element in it anyway.

    :param level: the error correction level: M restores 15 % of the code, L only 7 % but
        holds the most, up to :data:`QR_MAX_BYTES` (the caller checks the length first).
    """
    # qrcode's SVG factories draw box_size / 10 millimetres per module: 1 mm here.
    image = qrcode.make(
        data,
        image_factory=qrcode.image.svg.SvgPathImage,
        box_size=10,
        error_correction=_QR_LEVELS[level],
    )
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    svg = etree.fromstring(image.to_string(), parser)
    for element in svg.iter():
        element.tag = etree.QName(element).localname
    etree.cleanup_namespaces(svg)
    svg.set("role", "img")
    return svg


def error_page(request: Request, error: WalletError) -> HTMLResponse:
    """A page that shows ``error`` with its HTTP status."""
    language = language_of(request)
    return render(
        request,
        language=language,
        title="title.error",
        content=[
            error_box(error),
            E.P(
                E.A(label(language, "link.home"), href="/"),
                " · ",
                E.A(label(language, "link.login"), href="/login"),
            ),
        ],
        status=error.status,
    )


def redirect(location: str) -> Response:
    """A 303 See Other to ``location`` (after a POST, the browser then GETs it)."""
    return Response(status_code=303, headers={**PAGE_HEADERS, "Location": location})
