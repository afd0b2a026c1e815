"""How share links become answers: the learner's view of a share, and an opened share as
the verifier reads it, with the checks in plain words.

The plain checks are what a person asks of a credential: is the signature genuine, is the
issuer registered, was its key valid at signing time, is it revoked, suspended or expired,
is it a valid credential of its type, and did its holder present it through this link. Each
gathers the verifier's own checks (:mod:`wallet.verifier`, :mod:`wallet.vp_verifier`):
failed when one of them failed, unknown when one could not be decided, not applicable when
none applies, passed otherwise. The verifier's checks come along as ``details``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from sqlmodel import Session

from wallet import shares
from wallet.credential_types import CredentialType, TypeRegistry
from wallet.db.models import Share
from wallet.errors import RevokedError, SuspendedError, TrustError
from wallet.sdjwt_vc import subject_of
from wallet.shares import Opened, Presented, ShareContext
from wallet.trust import Accreditation, IssuerEntry
from wallet.vc import format_datetime_stamp
from wallet.verifier import Check, Result, VerificationReport
from wallet.web.api.share_models import OpenedSharePublic, SharePublic
from wallet.web.api.wallet_answers import (
    LabelledClaim,
    claim_values,
    labelled_claims,
    text_in,
    type_public,
)

#: The plain checks in the order a person reads them, each with the verifier's checks
#: behind it (``status`` is split by :func:`_status_checks`).
PLAIN_CHECKS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("signature", ("parse", "header", "signature", "disclosures")),
    ("issuer", ("issuer", "accreditation")),
    ("key", ("key",)),
    ("notRevoked", ()),
    ("notSuspended", ()),
    ("notExpired", ("validityPeriod",)),
    ("type", ("type", "dataModel", "contexts", "schema")),
    ("holder", ("keyBinding",)),
)
#: The checks of a vp+jwt itself: together, "presented by the holder through this link".
VP_CHECKS = (
    "parse", "header", "dataModel", "holderKey", "presentationSignature", "audience", "nonce",
    "freshness", "holderBinding",
)  # fmt: skip


def share_public(share: Share, *, url: str, now: int) -> SharePublic:
    """A share as its owner sees it (``url`` opened from its sealed content)."""
    return SharePublic(
        id=share.id,
        url=url,
        qrSvg=f"{url}/qr.svg",
        qrPng=f"{url}/qr.png",
        created=format_datetime_stamp(share.created_at),
        expires=format_datetime_stamp(share.expires_at),
        maxViews=share.max_views,
        views=share.views,
        label=share.label,
        state=shares.state_of(share, now),
        items=shares.item_ids_of(share),
    )


def shares_public(
    session: Session, *, ctx: ShareContext, rows: Sequence[Share], now: int
) -> list[SharePublic]:
    """The owner's shares, each with its link."""
    return [
        share_public(row, url=shares.link_of(session, ctx=ctx, share=row), now=now) for row in rows
    ]


def _combine(name: str, found: Sequence[Check]) -> Check:
    # One pass over the few checks behind a plain check: the first failed ones win, then
    # the unknown ones, then the passed ones.
    failed: list[Check] = []
    unknown: list[Check] = []
    passed: list[Check] = []
    for check in found:
        result = check.result
        if result is Result.FAILED:
            failed.append(check)
        elif result is Result.UNKNOWN:
            unknown.append(check)
        elif result is Result.PASSED:
            passed.append(check)
    bad = failed or unknown
    if bad:
        return Check(name, bad[0].result, "; ".join(f"{c.name}: {c.reason}" for c in bad))
    if passed:
        return Check(name, Result.PASSED, "; ".join(c.reason for c in passed))
    reason = found[0].reason if found else "does not apply to this credential"
    return Check(name, Result.NOT_APPLICABLE, reason)


def _status_checks(report: VerificationReport) -> tuple[Check, Check]:
    """``notRevoked`` and ``notSuspended`` from the one ``status`` check: a record's status
    is one value, so a revoked credential is not also suspended, and the other way round."""
    status = next((c for c in report.checks if c.name == "status"), None)
    if status is None:
        status = Check("status", Result.UNKNOWN, "not checked")
    if status.result is Result.FAILED:
        revoked = any(isinstance(p, RevokedError) for p in report.problems)
        suspended = any(isinstance(p, SuspendedError) for p in report.problems)
        if revoked or suspended:
            fine = Check(
                "status", Result.PASSED,
                "it is revoked, not suspended" if revoked else "it is suspended, not revoked",
            )  # fmt: skip
            return (
                Check("notRevoked", *(status if revoked else fine)[1:]),
                Check("notSuspended", *(status if suspended else fine)[1:]),
            )
    return Check("notRevoked", *status[1:]), Check("notSuspended", *status[1:])


def plain_checks(report: VerificationReport, holder: Sequence[Check] = ()) -> list[Check]:
    """The plain checks of one credential's report; ``holder``: the checks of the vp+jwt
    that carried it (for an SD-JWT VC the KB-JWT check is in the report itself)."""
    by_name = {c.name: c for c in report.checks}
    not_revoked, not_suspended = _status_checks(report)
    found: list[Check] = []
    for name, sources in PLAIN_CHECKS:
        if name == "notRevoked":
            found.append(not_revoked)
        elif name == "notSuspended":
            found.append(not_suspended)
        elif name == "holder" and holder:
            found.append(_combine(name, holder))
        else:
            found.append(_combine(name, [by_name[s] for s in sources if s in by_name]))
    return found


def _checks_answer(checks: Sequence[Check]) -> list[dict[str, str]]:
    return [{"name": c.name, "result": c.result.value, "reason": c.reason} for c in checks]


@dataclass(frozen=True)
class _TypeView:
    """What an answer shows of a credential type in one language: its
    :class:`~wallet.web.api.wallet_models.CredentialTypePublic` and its labelled claims."""

    type: dict[str, Any]
    claims: tuple[LabelledClaim, ...]


@dataclass(frozen=True)
class _IssuerView:
    """What an answer shows of a registry entry in one language, besides the identifier
    and ``accredited``, which depend on the credential."""

    slug: str
    name: str | None
    country: str | None
    registration_number: str | None
    accreditation: tuple[dict[str, Any], ...]


_T = TypeVar("_T")
#: Most views kept (types and registry entries, per language); all are dropped when full.
MAX_KEPT_VIEWS = 256
_kept: dict[tuple[int, str], tuple[object, object]] = {}


def _kept_view(source: object, lang: str, build: Callable[[], _T]) -> _T:
    """``build()`` for ``source`` in ``lang``, built once and kept.

    The type metadata and the trust registry are read at start and never change while the
    process runs, so what an answer shows of them (labels, display names, accreditation
    decisions with their dates) need not be worked out again at every opening. Nothing of
    a verification is kept. The view is found by ``source``'s identity and kept with
    ``source`` itself, so a registry loaded afresh (as tests do) gets views of its own.
    Answers take copies of a view's dicts, never the dicts themselves.
    """
    key = (id(source), lang)
    found = _kept.get(key)
    if found is not None and found[0] is source:
        return cast(_T, found[1])
    view = build()
    if len(_kept) >= MAX_KEPT_VIEWS:
        _kept.clear()
    _kept[key] = (source, view)
    return view


def _type_view(ctype: CredentialType, lang: str) -> _TypeView:
    def build() -> _TypeView:
        shown = type_public(ctype.name, ctype, lang)
        return _TypeView(type=shown.model_dump(), claims=labelled_claims(ctype, lang))

    return _kept_view(ctype, lang, build)


def _accreditation(accreditation: Accreditation) -> dict[str, Any]:
    until = accreditation.valid_until
    return {
        "types": tuple(sorted(accreditation.types)),
        "validFrom": format_datetime_stamp(accreditation.valid_from),
        "validUntil": None if until is None else format_datetime_stamp(until),
        "decision": accreditation.decision,
    }


def _issuer_view(entry: IssuerEntry, lang: str) -> _IssuerView:
    def build() -> _IssuerView:
        return _IssuerView(
            slug=entry.slug, name=text_in(entry.names, lang), country=entry.country,
            registration_number=entry.registration_number,
            accreditation=tuple(_accreditation(a) for a in entry.accreditations),
        )  # fmt: skip

    return _kept_view(entry, lang, build)


def _issuer(
    entry: IssuerEntry | None,
    *,
    identifier: str,
    type_name: str | None,
    signed_at: int | None,
    lang: str,
) -> dict[str, Any] | None:
    """The issuer as the trust registry describes it (None when it is not registered), as
    :class:`~wallet.web.api.wallet_models.IssuerDetailPublic` holds it."""
    if entry is None:
        return None
    accredited = False
    if type_name is not None and signed_at is not None:
        try:
            entry.check_accredited(type_name, signed_at)
            accredited = True
        except TrustError:
            accredited = False
    view = _issuer_view(entry, lang)
    return {
        "id": identifier, "slug": view.slug, "name": view.name, "country": view.country,
        "registrationNumber": view.registration_number, "accredited": accredited,
        "accreditation": [dict(a) for a in view.accreditation],
    }  # fmt: skip


def _credential(
    report: VerificationReport,
    *,
    fmt: str,
    holder: Sequence[Check],
    holder_answer: list[dict[str, str]],
    types: TypeRegistry,
    lang: str,
) -> dict[str, Any]:
    ctype = types.types.get(report.type_name or "")
    view = _type_view(ctype, lang) if ctype is not None else None
    credential = report.credential
    subject = subject_of(credential) if credential is not None else None
    title = ctype.title(subject, lang) if ctype is not None and subject is not None else None
    issuer = report.issuer
    identifier = (
        issuer.https_id if fmt == "dc+sd-jwt" and issuer else (issuer.did if issuer else "")
    )
    checks = plain_checks(report, holder)
    claims = (
        claim_values(view.claims, subject) if view is not None and isinstance(subject, Mapping)
        else []
    )  # fmt: skip
    return {
        "format": fmt,
        "title": title,
        "type": dict(view.type) if view is not None else None,
        "issuer": _issuer(
            issuer,
            identifier=identifier,
            type_name=report.type_name,
            signed_at=report.signed_at,
            lang=lang,
        ),
        "claims": claims,
        "disclosed": list(report.disclosed),
        "verified": report.verified and all(c.result is not Result.FAILED for c in checks),
        "checks": _checks_answer(checks),
        "details": [*holder_answer, *_checks_answer(report.checks)],
        "credential": dict(credential) if credential is not None else None,
    }


def _credentials_of(
    presented: Presented, report: VerificationReport, *, types: TypeRegistry, lang: str
) -> list[dict[str, Any]]:
    if presented.format == "dc+sd-jwt":
        return [
            _credential(
                report, fmt="dc+sd-jwt", holder=(), holder_answer=[], types=types, lang=lang
            )
        ]
    holder = [c for c in report.checks if c.name in VP_CHECKS]
    holder_answer = _checks_answer(holder)
    if report.credentials:
        return [
            _credential(
                sub,
                fmt="vc+jwt",
                holder=holder,
                holder_answer=holder_answer,
                types=types,
                lang=lang,
            )
            for sub in report.credentials
        ]
    # The presentation failed before its credentials were looked at: nothing is shown.
    empty = VerificationReport(checks=(), problems=())
    return [
        _credential(
            empty,
            fmt="vc+jwt",
            holder=holder,
            holder_answer=holder_answer,
            types=types,
            lang=lang,
        )
        for _ in presented.item_ids
    ]


def opened_answer(opened: Opened, *, types: TypeRegistry, lang: str) -> dict[str, Any]:
    """An opened share as the verifier reads it, labels in ``lang``, as plain data in the
    shape of :class:`~wallet.web.api.share_models.OpenedSharePublic` (whose fields, in their
    order, it holds)."""
    share = opened.share
    credentials = [
        credential
        for presented, report in opened.results
        for credential in _credentials_of(presented, report, types=types, lang=lang)
    ]
    return {
        "share": {
            "id": share.id,
            "expires": format_datetime_stamp(share.expires_at),
            "maxViews": share.max_views,
            "views": share.views,
            "label": share.label,
        },
        "verified": opened.verified and all(c["verified"] for c in credentials),
        "checkedAt": format_datetime_stamp(opened.checked_at),
        "credentials": credentials,
        "presentations": [
            {"format": p.format, "verifiablePresentation": p.presentation}
            for p, _ in opened.results
        ],
    }


def opened_public(opened: Opened, *, types: TypeRegistry, lang: str) -> OpenedSharePublic:
    """An opened share as the verifier reads it, labels in ``lang``."""
    return OpenedSharePublic.model_validate(opened_answer(opened, types=types, lang=lang))
