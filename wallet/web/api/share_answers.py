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

from collections.abc import Mapping, Sequence

from sqlmodel import Session

from wallet import shares
from wallet.credential_types import TypeRegistry
from wallet.db.models import Share
from wallet.errors import RevokedError, SuspendedError, TrustError
from wallet.sdjwt_vc import subject_of
from wallet.shares import Opened, Presented, ShareContext
from wallet.trust import IssuerEntry
from wallet.vc import format_datetime_stamp
from wallet.verifier import Check, Result, VerificationReport
from wallet.web.api.share_models import (
    OpenedSharePublic,
    PresentedPublic,
    SharedCredentialPublic,
    SharePublic,
)
from wallet.web.api.wallet_answers import claims_public, text_in, type_public
from wallet.web.api.wallet_models import AccreditationPublic, CheckPublic, IssuerDetailPublic

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
    for result in (Result.FAILED, Result.UNKNOWN):
        bad = [c for c in found if c.result is result]
        if bad:
            return Check(name, result, "; ".join(f"{c.name}: {c.reason}" for c in bad))
    passed = [c for c in found if c.result is Result.PASSED]
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
            fine = Check("status", Result.PASSED, "its status is another")
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


def _checks_public(checks: Sequence[Check]) -> list[CheckPublic]:
    return [CheckPublic(name=c.name, result=c.result.value, reason=c.reason) for c in checks]


def issuer_public(
    entry: IssuerEntry | None,
    *,
    identifier: str,
    type_name: str | None,
    signed_at: int | None,
    lang: str,
) -> IssuerDetailPublic | None:
    """The issuer as the trust registry describes it (None when it is not registered)."""
    if entry is None:
        return None
    accredited = False
    if type_name is not None and signed_at is not None:
        try:
            entry.check_accredited(type_name, signed_at)
            accredited = True
        except TrustError:
            accredited = False
    return IssuerDetailPublic(
        id=identifier, slug=entry.slug, name=text_in(entry.names, lang), country=entry.country,
        registrationNumber=entry.registration_number, accredited=accredited,
        accreditation=[
            AccreditationPublic(
                types=sorted(a.types), validFrom=format_datetime_stamp(a.valid_from),
                validUntil=None if a.valid_until is None else format_datetime_stamp(a.valid_until),
                decision=a.decision,
            )
            for a in entry.accreditations
        ],
    )  # fmt: skip


def _credential(
    report: VerificationReport,
    *,
    fmt: str,
    holder: Sequence[Check],
    types: TypeRegistry,
    lang: str,
) -> SharedCredentialPublic:
    ctype = types.types.get(report.type_name or "")
    credential = report.credential
    subject = subject_of(credential) if credential is not None else None
    title = ctype.title(subject, lang) if ctype is not None and subject is not None else None
    issuer = report.issuer
    identifier = (
        issuer.https_id if fmt == "dc+sd-jwt" and issuer else (issuer.did if issuer else "")
    )
    checks = plain_checks(report, holder)
    return SharedCredentialPublic(
        format=fmt,
        title=title,
        type=type_public(ctype.name, ctype, lang) if ctype is not None else None,
        issuer=issuer_public(
            issuer,
            identifier=identifier,
            type_name=report.type_name,
            signed_at=report.signed_at,
            lang=lang,
        ),  # fmt: skip
        claims=claims_public(ctype, subject, lang) if isinstance(subject, Mapping) else [],
        disclosed=list(report.disclosed),
        verified=report.verified and all(c.result is not Result.FAILED for c in checks),
        checks=_checks_public(checks),
        details=_checks_public([*holder, *report.checks]),
        credential=dict(credential) if credential is not None else None,
    )


def _credentials_of(
    presented: Presented, report: VerificationReport, *, types: TypeRegistry, lang: str
) -> list[SharedCredentialPublic]:
    if presented.format == "dc+sd-jwt":
        return [_credential(report, fmt="dc+sd-jwt", holder=(), types=types, lang=lang)]
    holder = [c for c in report.checks if c.name in VP_CHECKS]
    if report.credentials:
        return [
            _credential(sub, fmt="vc+jwt", holder=holder, types=types, lang=lang)
            for sub in report.credentials
        ]
    # The presentation failed before its credentials were looked at: nothing is shown.
    empty = VerificationReport(checks=(), problems=())
    return [
        _credential(empty, fmt="vc+jwt", holder=holder, types=types, lang=lang)
        for _ in presented.item_ids
    ]


def opened_public(opened: Opened, *, types: TypeRegistry, lang: str) -> OpenedSharePublic:
    """An opened share as the verifier reads it, labels in ``lang``."""
    share = opened.share
    credentials = [
        credential
        for presented, report in opened.results
        for credential in _credentials_of(presented, report, types=types, lang=lang)
    ]
    return OpenedSharePublic(
        share={
            "id": share.id,
            "expires": format_datetime_stamp(share.expires_at),
            "maxViews": share.max_views,
            "views": share.views,
            "label": share.label,
        },
        verified=opened.verified and all(c.verified for c in credentials),
        checkedAt=format_datetime_stamp(opened.checked_at),
        credentials=credentials,
        presentations=[
            PresentedPublic(format=p.format, verifiablePresentation=p.presentation)
            for p, _ in opened.results
        ],
    )
