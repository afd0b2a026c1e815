"""How an opened share link looks to a person: the verdict (green or red), then each
credential with its type, its issuer and accreditation from the trust registry, the claims
it discloses with the type's labels, and every check in plain words. Also the "Show" step
of a view-limited link and the pages of a link that is gone or unknown. The routes are
:mod:`wallet.web.pages.share_link`.

Text from a credential passes through :func:`~wallet.web.pages.layout.printable`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import Request
from lxml.html import builder as E
from starlette.responses import Response

from wallet.web.api.share_models import OpenedSharePublic, SharedCredentialPublic
from wallet.web.api.wallet_answers import text_in
from wallet.web.pages.labels import label
from wallet.web.pages.layout import Element, form, message, printable, render

#: Extra headers of every share page: search engines must not keep a link's content.
SHARE_HEADERS = {"X-Robots-Tag": "noindex, nofollow"}
#: The only styling of the pages: green and red results, readable on a phone.
STYLE = (
    ".passed{color:#0a6b2d}.failed{color:#b00020}.unknown{color:#8a5a00}"
    ".verdict{padding:.5em 1em;border:3px solid}"
    ".verdict.verified{border-color:#0a6b2d;background:#e8f5ec}"
    ".verdict.not-verified{border-color:#b00020;background:#fdecee}"
    "main{max-width:48em;margin:auto;padding:0 1em}"
)
_MARKS = {"passed": "✔", "failed": "✘", "unknown": "?", "not applicable": "–"}


def _page(
    request: Request, language: str, title: str, content: list[Element], status: int = 200
) -> Response:
    response = render(
        request, language=language, title=title, content=content, status=status, style=STYLE
    )
    response.headers.update(SHARE_HEADERS)
    return response


def _definitions(rows: list[tuple[str, Any]]) -> Element:
    return E.DL(*[part for term, value in rows for part in (E.DT(term), E.DD(value))])


def _value(value: Any, language: str) -> Element | str:
    if isinstance(value, bool):
        return label(language, "value.yes" if value else "value.no")
    if isinstance(value, dict):
        if value and all(isinstance(k, str) and len(k) == 2 for k in value):
            texts = {k: v for k, v in value.items() if isinstance(v, str)}
            if texts:
                return printable(text_in(texts, language) or next(iter(texts.values())))
        return _definitions([(printable(str(k)), _value(v, language)) for k, v in value.items()])
    if isinstance(value, list):
        return E.UL(*[E.LI(_value(v, language)) for v in value])
    return label(language, "value.none") if value is None else printable(str(value))


def _credential(shown: SharedCredentialPublic, language: str) -> Element:
    rows: list[tuple[str, Any]] = []
    if shown.type is not None:
        rows.append((label(language, "label.type"), printable(shown.type.displayName or "")))
    issuer = shown.issuer
    if issuer is not None:
        decisions = [
            f"{a.decision}: {a.validFrom[:10]} – {a.validUntil[:10] if a.validUntil else '…'}"
            for a in issuer.accreditation
        ]
        rows += [
            (label(language, "label.issuer"), printable(issuer.name or issuer.id)),
            (label(language, "label.registration"), issuer.registrationNumber or "—"),
            (
                label(language, "label.accredited"),
                label(language, "value.yes" if issuer.accredited else "value.no"),
            ),
            (label(language, "label.accreditation"), E.UL(*[E.LI(d) for d in decisions])),
        ]
    else:
        rows.append((label(language, "label.issuer"), label(language, "value.unknown_issuer")))
    claims = [(printable(c.label), _value(c.value, language)) for c in shown.claims]
    checks = [
        E.LI(
            E.SPAN(_MARKS.get(c.result, "?"), {"aria-hidden": "true"}),
            " ",
            E.STRONG(label(language, f"share.check.{c.name}")),
            ": ",
            label(language, f"result.{c.result.replace(' ', '_')}"),
            E.BR(),
            E.SMALL(printable(c.reason)),
            {"class": f"check {c.result.replace(' ', '-')}", "data-check": c.name},
        )
        for c in shown.checks
    ]
    return E.SECTION(
        E.H2(
            printable(shown.title or label(language, "value.none")), {"class": "credential-title"}
        ),
        _definitions(rows),
        E.H3(label(language, "label.claims")),
        _definitions(claims) if claims else E.P(label(language, "value.none")),
        E.H3(label(language, "share.label.checks")),
        E.UL(*checks, {"class": "checks"}),
        {"class": "credential " + ("verified" if shown.verified else "not-verified")},
    )


def opened_page(
    request: Request, language: str, shown: OpenedSharePublic, *, more: Sequence[Element] = ()
) -> Response:
    """The opened link: the verdict, the link's note, then every credential (and ``more``:
    a way back to ``/verify`` when the link was given there)."""
    verified = shown.verified
    verdict = E.DIV(
        E.P(E.STRONG(label(language, "share.text.verified" if verified else
                                      "share.text.not_verified"))),
        {"class": "verdict " + ("verified" if verified else "not-verified")},
        role="status" if verified else "alert",
    )  # fmt: skip
    rows: list[tuple[str, Any]] = [
        (label(language, "share.label.checked_at"), shown.checkedAt),
        (label(language, "share.label.expires"), str(shown.share["expires"])[:10]),
    ]
    if shown.share.get("label"):
        rows.insert(0, (label(language, "share.label.note"), printable(shown.share["label"])))
    content = [verdict, _definitions(rows)]
    content += [_credential(credential, language) for credential in shown.credentials]
    return _page(request, language, "share.title.open", [*content, *more])


def show_page(
    request: Request, language: str, *, action: str, token: str, note: str | None
) -> Response:
    """The "Show" step of a view-limited link: nothing of the credential yet, a button
    (a POST with the anonymous form token) that uses one view."""
    content: list[Element] = []
    if note:
        content.append(_definitions([(label(language, "share.label.note"), printable(note))]))
    name = E.INPUT(type="text", name="verifier", maxlength="64", autocomplete="organization")
    content += [
        E.P(label(language, "share.text.show")),
        form(
            action,
            token,
            E.P(E.LABEL(label(language, "share.field.verifier"), E.BR(), name)),
            submit=label(language, "share.button.show"),
        ),  # fmt: skip
    ]
    return _page(request, language, "share.title.open", content)


def unusable_page(
    request: Request,
    language: str,
    *,
    status: int,
    description: str,
    more: Sequence[Element] = (),
) -> Response:
    """404 for an unknown link, 410 for one that is expired, revoked or used up; neither
    says anything about any other link."""
    gone = status == 410
    content = [
        message("error", description),
        E.P(label(language, "share.text.gone" if gone else "share.text.missing")),
        *more,
    ]
    title = "share.title.gone" if gone else "share.title.missing"
    return _page(request, language, title, content, status=status)
