"""The landing page: what the service is and where to go."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from lxml import etree
from lxml.html import builder as E

from wallet.web.deps import ServicesDep

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(services: ServicesDep) -> HTMLResponse:
    """A short page listing the institutions and the API entry points."""
    issuers = [
        E.LI(
            f"{issuer.names.get('lv', issuer.slug)} / {issuer.names.get('en', '')} — ",
            E.CODE(issuer.did),
        )
        for issuer in services.registry.issuers.values()
    ]
    page = E.HTML(
        E.HEAD(E.META(charset="utf-8"), E.TITLE("IMK Wallet")),
        E.BODY(
            E.H1("IMK Wallet"),
            E.P("Verifiable credentials of Latvia's Individual Learning Account programme."),
            E.H2("Institutions"),
            E.UL(*issuers),
            E.H2("API"),
            E.UL(
                E.LI(E.A("OpenAPI documentation", href="/docs")),
                E.LI(E.A("Credential types", href="/types")),
                E.LI(E.A("Trust registry", href="/issuers")),
            ),
        ),
        lang="en",
    )
    return HTMLResponse(
        etree.tostring(page, doctype="<!DOCTYPE html>", encoding="unicode", method="html")
    )
