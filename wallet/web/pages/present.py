"""The learner's "present" page for an SD-JWT VC (issue "Selective disclosure"): tick the
claims a verifier may see, enter its domain and the challenge it gave, and get an SD-JWT+KB
to hand over, as text and as a QR code. How the pages look is
:mod:`wallet.web.pages.present_views`.

The JSON twin is ``POST /wallet/credentials/{id}/present``
(:mod:`wallet.web.api.presentations`); both build the presentation with
:func:`wallet.presentations.present_credential`. Nothing is stored.

**What may be chosen** (:mod:`wallet.web.pages.claim_choices`): the selectively
disclosable claims of the type metadata that this credential carries, labelled in the page
language; a diploma's courses one by one. A chosen claim brings the Disclosures of the
claims that contain it, and the result page lists them all.

**The form.** Each checkbox is named ``claim:`` and the claim's path joined by ``/`` (as
the verifier reports ``disclosed``), and sends ``yes``. A field the form does not have, or
another value, is a 400 page; a domain or challenge that cannot be used shows the form
again with the error (400).

**Who may open them.** As the other wallet pages (:mod:`wallet.web.pages.wallet`): a
signed-in learner; another learner's credential id is the same 404 page as an unknown one.
A vc+jwt credential is a 400 page: only an SD-JWT VC discloses chosen claims (a vc+jwt is
presented whole, as a ``vp+jwt``, through the JSON route). A credential
that no longer verifies is a 422 page, since no verifier would accept it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from sqlmodel import Session
from starlette.responses import Response

from wallet import holder, presentations
from wallet.errors import InputError, VerificationError
from wallet.service import Services
from wallet.web.api.wallet_answers import item_id_or_404, item_public
from wallet.web.csrf import GuardDep, SignedInForm, signed_in_form_with
from wallet.web.deps import ClockDep, ServicesDep, SessionDep, get_cookie_principal, get_learner
from wallet.web.forms import Form
from wallet.web.pages import present_views as views
from wallet.web.pages.claim_choices import CLAIM_FIELD, Choice, Presentable, choices_of
from wallet.web.pages.routing import PageRoute, shared_page
from wallet.web.pages.wallet import PageDep
from wallet.web.pages.wallet_views import Page

router = APIRouter(
    include_in_schema=False,
    route_class=PageRoute,
    dependencies=[Depends(get_cookie_principal)],
)

#: Most fields of the form: a checkbox per claim path, the domain, the challenge, the token.
MAX_FORM_FIELDS = presentations.MAX_PATHS + 3
_FIXED_FIELDS = frozenset({"csrf", "domain", "challenge"})


def presentable(
    page: Page, services: Services, session: Session, item_id: str, now: int
) -> Presentable:
    """The learner's SD-JWT VC ``item_id``, verified now, and what may be chosen from it.

    :raises NotFoundError: when it is not in the learner's wallets (404).
    :raises InputError: for a vc+jwt credential (400).
    :raises VerificationError: when it does not verify now (422).
    """
    viewed = holder.view(
        session, ctx=services.holder, account_id=page.principal.account_id,
        item_id=item_id_or_404(item_id), now=now,
    )  # fmt: skip
    item = viewed.item
    if item.format != "dc+sd-jwt":
        raise InputError("only SD-JWT VCs can disclose chosen claims; this one is a vc+jwt")
    report = viewed.report
    if report is None or report.credential is None:
        problems = report.problems if report is not None else ()
        reason = problems[0].description if problems else viewed.problem or "unreadable"
        raise VerificationError(f"the credential does not verify now, so no verifier would "
                                f"accept a presentation of it: {reason}")  # fmt: skip
    ctype = services.types.types.get(item.type_name)
    # An SD-JWT VC carries the subject's claims at the top level, its title among them.
    title = ctype.title(report.credential, page.language) if ctype is not None else None
    return Presentable(
        item_id=item.id,
        title=title or item_public(item, services.registry.issuers, page.language).title,
        choices=choices_of(ctype, report.credential, report.disclosed, page.language),
    )


# --- reading the form -----------------------------------------------------------------------

_read_present_form = signed_in_form_with({}, max_fields=MAX_FORM_FIELDS)


def get_present_form_page(
    request: Request,
    signed: Annotated[SignedInForm, Depends(_read_present_form)],
    guard: GuardDep,
) -> Page:
    """The present form's POST, its CSRF token checked (403 when missing or wrong), with a
    checkbox per claim."""
    # A login still waiting for its second factor is 401 here, another role 403.
    get_learner(signed.principal)
    return Page(request, signed.principal, guard.session_token(signed.principal), signed.form)


PresentFormPageDep = Annotated[Page, Depends(get_present_form_page)]


def ticked(form: Form, shown: Presentable) -> list[Choice]:
    """The claims whose checkbox was ticked.

    :raises InputError: for a field the form does not have, a missing domain or challenge,
        or a checkbox value the form does not send.
    """
    by_name = {CLAIM_FIELD + choice.key: choice for choice in shown.offered}
    form.values("domain", "challenge", ignore=_FIXED_FIELDS | by_name.keys())
    chosen = []
    for name, choice in by_name.items():
        value = form.get(name)
        if value not in (None, "yes"):
            raise InputError("a checkbox of the form has a value it does not send")
        if value == "yes":
            chosen.append(choice)
    return chosen


# --- the routes -------------------------------------------------------------------------------


@shared_page(router, "/wallet/{item_id}/present", methods=["GET"])
def present_form(
    item_id: str, page: PageDep, services: ServicesDep, session: SessionDep, now: ClockDep
) -> Response:
    """The claims that may be disclosed, and the verifier's domain and challenge."""
    return views.present_page(page, presentable(page, services, session, item_id, now))


@shared_page(router, "/wallet/{item_id}/present", methods=["POST"])
def present(
    item_id: str,
    page: PresentFormPageDep,
    services: ServicesDep,
    session: SessionDep,
    now: ClockDep,
) -> Response:
    """Build the presentation of the ticked claims for the verifier's domain and challenge,
    and show it; a domain or challenge that cannot be used shows the form again."""
    shown = presentable(page, services, session, item_id, now)
    chosen = ticked(page.form, shown)
    disclosed = shown.disclosed(chosen)
    domain = (page.form.get("domain") or "").strip()
    challenge = (page.form.get("challenge") or "").strip()
    try:
        presentation = presentations.present_credential(
            session, ctx=services.holder, account_id=page.principal.account_id,
            item_id=shown.item_id, disclose=[choice.path for choice in disclosed],
            domain=domain, challenge=challenge, now=now,
        )  # fmt: skip
    except InputError as exc:
        return views.present_page(
            page, shown, chosen=chosen, domain=domain, challenge=challenge, error=exc
        )
    return views.presented_page(
        page, shown, presentation=presentation, disclosed=disclosed, domain=domain
    )
