"""The learner's wallet pages: the credentials (filtered, searched, sorted, paged), one
credential as a person reads it with its verification re-run, its downloads, deleting it
after a confirmation step, import, the access log, export and erasure (``docs/wallet.md``).
How they look is :mod:`wallet.web.pages.wallet_views`.

The JSON twin is :mod:`wallet.web.api.wallet`. Both answer through
:mod:`wallet.web.api.wallet_answers` and :mod:`wallet.web.api.wallet_gdpr`, so a page shows
what the API returns: titles and claim labels in the page language from the type metadata,
issuer names from the trust registry, never from the credential.

**Who may open them.** A browser signed in as a learner. Without a live session cookie a
page redirects to the sign-in page (a form POST answers 401, as every signed-in form does);
a login still waiting for its second factor is sent to finish it; a staff member or an
operator gets a 403 page on every route, before anything else is looked at: those accounts
have no wallet.

**Isolation.** Every use-case takes the account id; another learner's credential id is the
same 404 page as an id that never existed.

**Paths shared with the API.** ``/wallet/access-log``, ``/wallet/export`` and
``/wallet/erase`` are API paths too, and ``/wallet/{id}`` with its sub-paths would also
match API paths such as ``/wallet/credentials``: those routes are
:class:`~wallet.web.pages.routing.SharedPageRoute`, which take only a browser's requests.
The fixed paths are declared before ``/wallet/{id}``, which would match them too.

Every form that changes something is a POST bound to the session (:mod:`wallet.web.csrf`);
the filter form is a GET and changes nothing. Query values are read strictly
(:func:`wallet.web.forms.query_value`): a value the form cannot send is a 400 page.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from sqlmodel import Session
from starlette.responses import Response

from wallet import holder
from wallet.db import wallet_crud
from wallet.errors import InputError, NotFoundError, ParseError, WalletError
from wallet.jose import loads_object
from wallet.service import Services
from wallet.web.api.wallet_answers import (
    access_log_public,
    attachment,
    detail_public,
    item_id_or_404,
    item_public,
)
from wallet.web.api.wallet_gdpr import (
    archive_response,
    check_key_choice,
    erase_wallets,
    export_archive,
)
from wallet.web.csrf import CSRFGuard, GuardDep, SignedInForm, SignedInFormDep, signed_in_form_with
from wallet.web.deps import (
    ClockDep,
    CookiePrincipalDep,
    ServicesDep,
    SessionDep,
    get_cookie_principal,
    get_learner,
)
from wallet.web.forms import Form, query_value
from wallet.web.pages import wallet_views as views
from wallet.web.pages.labels import notice_of
from wallet.web.pages.layout import PAGE_HEADERS, redirect
from wallet.web.pages.routing import PageRoute, SignInRequired, shared_page
from wallet.web.pages.wallet_views import Filters, Page

router = APIRouter(
    include_in_schema=False,
    route_class=PageRoute,
    dependencies=[Depends(get_cookie_principal)],
)

#: Credentials on one page of the listing.
PAGE_SIZE = 20
#: Highest page number of the listing.
MAX_PAGE_NUMBER = 50_000
#: Most access events shown.
ACCESS_LOG_ROWS = 200
#: The import form's text: the largest credential import takes, with room for the JSON of
#: an envelope around it.
IMPORT_FIELD_CHARS = holder.MAX_IMPORT_CHARS + 1024


# --- who may open the pages ---------------------------------------------------------------


def get_page(request: Request, principal: CookiePrincipalDep, guard: GuardDep) -> Page:
    """The signed-in learner's page.

    :raises SignInRequired: without a session (to /login), or before the second factor.
    :raises PermissionDeniedError: for a staff member or an operator (403).
    """
    if principal is None:
        raise SignInRequired("/login")
    if not principal.fully_signed_in:
        raise SignInRequired("/login/second-factor")
    get_learner(principal)
    return Page(request, principal, guard.session_token(principal))


def _form_page(request: Request, signed: SignedInForm, guard: CSRFGuard) -> Page:
    # A login still waiting for its second factor is 401 here, another role 403.
    get_learner(signed.principal)
    return Page(request, signed.principal, guard.session_token(signed.principal), signed.form)


def get_form_page(request: Request, signed: SignedInFormDep, guard: GuardDep) -> Page:
    """The learner's form POST, its CSRF token checked (403 when missing or wrong)."""
    return _form_page(request, signed, guard)


_read_import_form = signed_in_form_with({"credential": IMPORT_FIELD_CHARS})


def get_import_page(
    request: Request, signed: Annotated[SignedInForm, Depends(_read_import_form)], guard: GuardDep
) -> Page:
    """The import form's POST, whose pasted credential may be long."""
    return _form_page(request, signed, guard)


PageDep = Annotated[Page, Depends(get_page)]
FormPageDep = Annotated[Page, Depends(get_form_page)]
ImportPageDep = Annotated[Page, Depends(get_import_page)]


# --- reading what a browser sent -------------------------------------------------------------


def _number(text: str | None, low: int, high: int, problem: str) -> int | None:
    if text is None:
        return None
    if not (text.isascii() and text.isdigit() and low <= int(text) <= high):
        raise InputError(problem)
    return int(text)


def _filters(request: Request) -> tuple[Filters, int]:
    """The listing's filters and page number.

    :raises InputError: for a value the filter form cannot send (400).
    """
    year = _number(
        query_value(request, "year", max_chars=4), 1900, 9998, "the year is 1900 to 9998"
    )
    sort = query_value(request, "sort", max_chars=8) or views.SORTS[0]
    if sort not in views.SORTS:
        raise InputError("sort is date, -date or title")
    page = query_value(request, "page", max_chars=6)
    number = _number(page, 1, MAX_PAGE_NUMBER, f"the page is 1 to {MAX_PAGE_NUMBER}") or 1
    filters = Filters(
        type_name=query_value(request, "type", max_chars=64),
        issuer=query_value(request, "issuer", max_chars=64),
        year=year,
        query=query_value(request, "q", max_chars=200),
        sort=sort,
    )
    return filters, number


def _checked(values: Form, name: str) -> bool:
    """Whether the checkbox ``name`` was ticked (a browser leaves an unticked one out).

    :raises InputError: for a value the checkbox does not send.
    """
    value = values.get(name)
    if value not in (None, "yes"):
        raise InputError("a checkbox of the form has a value it does not send")
    return value == "yes"


def _pasted(text: str) -> dict[str, Any] | str:
    """The pasted credential: the JSON of an enveloped credential, or a compact one.

    :raises ParseError: for an empty field, or JSON that is not one strict object.
    """
    value = text.strip()
    if not value:
        raise ParseError("paste a credential into the field")
    if value.startswith("{"):
        return loads_object(value.encode("utf-8"), what="the pasted credential")
    return value


# --- the listing, import and the access log -----------------------------------------------


@router.get("/wallet")
def wallet(page: PageDep, services: ServicesDep, session: SessionDep) -> Response:
    """The learner's credentials: filters, a page of rows, links to the other pages."""
    filters, number = _filters(page.request)
    found = holder.list_credentials(
        session, account_id=page.principal.account_id, type_name=filters.type_name,
        issuer_slug=filters.issuer, year=filters.year, query=filters.query,
        sort=filters.sort, language=page.language, limit=PAGE_SIZE + 1,
        offset=(number - 1) * PAGE_SIZE,
    )  # fmt: skip
    items = [item_public(item, services.registry.issuers, page.language) for item in found]
    return views.listing_page(
        page, services, filters=filters, number=number, items=items[:PAGE_SIZE],
        more=len(items) > PAGE_SIZE, notice=notice_of(page.request),
    )  # fmt: skip


@router.get("/wallet/import")
def import_form(page: PageDep) -> Response:
    """Paste a credential received elsewhere."""
    return views.import_page(page)


@router.post("/wallet/import")
def import_credential(
    page: ImportPageDep, services: ServicesDep, session: SessionDep, now: ClockDep
) -> Response:
    """Verify and keep the pasted credential, then show it; what cannot be parsed shows the
    form again (400)."""
    (text,) = page.form.values("credential")
    try:
        item = holder.import_credential(
            session, ctx=services.holder, account_id=page.principal.account_id,
            value=_pasted(text), now=now,
        )  # fmt: skip
    except WalletError as exc:
        return views.import_page(page, error=exc)
    session.commit()
    # Post/redirect/get: reloading the answer must not import the credential again.
    return redirect(f"/wallet/{item.id}?notice=credential-imported")


@shared_page(router, "/wallet/access-log", methods=["GET"])
def access_log(page: PageDep, session: SessionDep) -> Response:
    """Everyone other than the learner who read the learner's data, newest first."""
    events = wallet_crud.access_events(
        session, account_id=page.principal.account_id, limit=ACCESS_LOG_ROWS
    )
    return views.access_log_page(page, access_log_public(events))


# --- export and erase -----------------------------------------------------------------------


@shared_page(router, "/wallet/export", methods=["GET"])
def export_form(page: PageDep) -> Response:
    """The export form."""
    return views.export_page(page)


@shared_page(router, "/wallet/export", methods=["POST"])
def export(
    page: FormPageDep, services: ServicesDep, session: SessionDep, now: ClockDep
) -> Response:
    """Everything as a ZIP download, the password proven again; a wrong password shows the
    form again (401), with no archive."""
    (password,) = page.form.values(
        "password", ignore=frozenset({"csrf", "include_keys", "passphrase"})
    )
    include_keys = _checked(page.form, "include_keys")
    passphrase = page.form.get("passphrase") or None
    try:
        check_key_choice(password=password, include_keys=include_keys, passphrase=passphrase)
        archive = export_archive(
            session, services=services, principal=page.principal, password=password,
            passphrase=passphrase, now=now,
        )  # fmt: skip
    except WalletError as exc:
        return views.export_page(page, error=exc)
    session.commit()
    response = archive_response(archive, now=now)
    response.headers.update(PAGE_HEADERS)
    return response


@shared_page(router, "/wallet/erase", methods=["GET"])
def erase_form(page: PageDep) -> Response:
    """The erase form."""
    return views.erase_page(page)


@shared_page(router, "/wallet/erase", methods=["POST"])
def erase(page: FormPageDep, services: ServicesDep, session: SessionDep, now: ClockDep) -> Response:
    """Erase every wallet of the learner with the password and the ticked confirmation, then
    say what went and what stays."""
    (password,) = page.form.values("password", ignore=frozenset({"csrf", "confirm"}))
    try:
        if not _checked(page.form, "confirm"):
            raise InputError("tick the confirmation: an erased wallet cannot be brought back")
        erased = erase_wallets(
            session, services=services, principal=page.principal, password=password, now=now
        )
    except WalletError as exc:
        return views.erase_page(page, error=exc)
    session.commit()
    return views.erased_page(page, erased)


# --- one credential (after the fixed paths above, which /wallet/{item_id} also matches) ---


@shared_page(router, "/wallet/{item_id}", methods=["GET"])
def credential(
    item_id: str, page: PageDep, services: ServicesDep, session: SessionDep, now: ClockDep
) -> Response:
    """The credential as a person reads it, its verification re-run now, check by check."""
    viewed = holder.view(
        session, ctx=services.holder, account_id=page.principal.account_id,
        item_id=item_id_or_404(item_id), now=now,
    )  # fmt: skip
    shown = detail_public(
        viewed, types=services.types, issuers=services.registry.issuers,
        lang=page.language, now=now,
    )  # fmt: skip
    return views.credential_page(
        page, services, shown, notice=notice_of(page.request),
        presentable=viewed.item.format == "dc+sd-jwt",
    )  # fmt: skip


def _download(
    page: Page, services: Services, session: Session, item_id: str, kind: str
) -> Response:
    token = holder.raw_token(
        session, ctx=services.holder, account_id=page.principal.account_id,
        item_id=item_id_or_404(item_id),
    )  # fmt: skip
    response = attachment(token, item_id, "json" if kind == "json" else "jwt")
    response.headers.update(PAGE_HEADERS)
    return response


@shared_page(router, "/wallet/{item_id}/download.jwt", methods=["GET"])
def download_jwt(
    item_id: str, page: PageDep, services: ServicesDep, session: SessionDep
) -> Response:
    """The credential exactly as received (the compact JWS), as an attachment ``{id}.jwt``."""
    return _download(page, services, session, item_id, "jwt")


@shared_page(router, "/wallet/{item_id}/download.json", methods=["GET"])
def download_json(
    item_id: str, page: PageDep, services: ServicesDep, session: SessionDep
) -> Response:
    """The enveloped credential (VC 2.0 §4.13), as an attachment ``{id}.json``."""
    return _download(page, services, session, item_id, "json")


@shared_page(router, "/wallet/{item_id}/delete", methods=["GET"])
def delete_form(
    item_id: str, page: PageDep, services: ServicesDep, session: SessionDep
) -> Response:
    """Ask whether to delete the credential."""
    item = wallet_crud.item_of(
        session, account_id=page.principal.account_id, item_id=item_id_or_404(item_id)
    )
    if item is None:
        raise NotFoundError("no such credential")
    return views.delete_page(page, item_public(item, services.registry.issuers, page.language))


@shared_page(router, "/wallet/{item_id}/delete", methods=["POST"])
def delete(item_id: str, page: FormPageDep, session: SessionDep) -> Response:
    """Delete the credential from the wallet (the institution's record of it stays)."""
    page.form.values()
    holder.delete(session, account_id=page.principal.account_id, item_id=item_id_or_404(item_id))
    session.commit()
    return redirect("/wallet?notice=credential-deleted")
