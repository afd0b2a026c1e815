"""The FastAPI app factory: ``create_app(settings)``; nothing is built at import."""

from __future__ import annotations

from fastapi import Depends, FastAPI

from wallet.config import Settings
from wallet.service import Services
from wallet.web import problems
from wallet.web.api import auth, batches, credentials, presentations, published, qr_verify, status
from wallet.web.api import shares as shares_api
from wallet.web.api import wallet as wallet_api
from wallet.web.deps import refuse_tokens_in_query
from wallet.web.limits import BodyLimitMiddleware
from wallet.web.pages import account as account_pages
from wallet.web.pages import auth as auth_pages
from wallet.web.pages import home, present, share_link
from wallet.web.pages import shares as share_pages
from wallet.web.pages import verify as verify_pages
from wallet.web.pages import wallet as wallet_pages

DESCRIPTION = """\
IMK Wallet: institutions sign diplomas, qualification certificates, course certificates
and micro-credentials as W3C Verifiable Credentials (VC 2.0, `vc+jwt`); anyone verifies them
without an account. Errors are RFC 9457 problem details with a stable `code`.
"""


def create_app(settings: Settings, *, services: Services | None = None) -> FastAPI:
    """Build the app for ``settings`` (or around ready ``services``, as tests do)."""
    services = services if services is not None else Services.build(settings)
    services.ensure_service_key()
    app = FastAPI(
        title="IMK Wallet",
        version="0.1.0",
        description=DESCRIPTION,
        dependencies=[Depends(refuse_tokens_in_query)],
    )
    app.state.services = services
    problems.install(app)
    # Pages first: /account paths are shared with the API, and the pages step aside for
    # anything but a browser's request (wallet.web.pages.routing.SharedPageRoute).
    app.include_router(auth_pages.router)
    app.include_router(account_pages.router)
    # Before the wallet pages, whose /wallet/{item_id} would match /wallet/shares.
    app.include_router(share_pages.router)
    app.include_router(wallet_pages.router)
    app.include_router(share_link.router)
    app.include_router(present.router)
    app.include_router(verify_pages.router)
    app.include_router(credentials.router)
    app.include_router(auth.router)
    app.include_router(published.router)
    app.include_router(status.router)
    app.include_router(batches.router)
    app.include_router(presentations.router)
    app.include_router(wallet_api.router)
    app.include_router(shares_api.router)
    app.include_router(qr_verify.router)
    app.include_router(home.router)
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        larger={"/batches": settings.batch_max_bytes},
    )
    return app
