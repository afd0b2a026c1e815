"""Fixtures of the real-browser tests: Debian's Chromium driven by Playwright, a real
``imk serve`` process on a free port of 127.0.0.1, and screenshots of the pages.

``chromium`` is launched once per module (never downloaded: it is the apt package, which
``.ci/run`` installs); each test opens its own browser contexts, so no two share cookies.
``service`` is one ``imk serve`` process per test on the test's database (SQLite under
``tmp_path``, or PostgreSQL with ``IMK_TEST_DATABASE_URL``), with ``IMK_BASE_URL`` set to
the address it listens on, so that share links and issuer DIDs point at it; its
institutions, keys and API tokens come from :func:`tests.factories.make_world` on the same
database, and its mail goes to the ``mailbox`` fixture.

Screenshots go to ``$IMK_E2E_SCREENSHOTS`` (default ``tmp_path / "screenshots"``) and, when
``CI`` is set, also to ``test-artifacts/screenshots/`` in the repository (git-ignored).
"""

from __future__ import annotations

import json
import os
import shutil
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright
from sqlalchemy.engine import Engine

from tests.conftest import REPO
from tests.factories import World, make_world
from tests.fixtures.accounts import account_env, account_settings
from tests.fixtures.mail import HOST, Mailbox, free_port
from tests.fixtures.oidc import OIDCProvider
from tests.fixtures.serving import serve
from wallet.config import Settings
from wallet.issuance import build_credential

#: Debian's Chromium (apt package ``chromium``); a browser is never downloaded.
CHROMIUM = Path("/usr/bin/chromium")
#: Every Playwright wait (actions, navigations, ``expect``) gives up after this.
TIMEOUT_MS = 10_000
SCREENSHOTS_VARIABLE = "IMK_E2E_SCREENSHOTS"
CI_SCREENSHOTS = REPO / "test-artifacts" / "screenshots"

expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """Headless Chromium, once per module; a clear failure (never a skip) when it is missing."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's Chromium "
            "(`apt-get install -y chromium`, which .ci/run does); never `playwright install`",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"]
        )
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Service:
    """A running ``imk serve``, the institutions of its database and its mailbox."""

    base: str
    world: World
    mailbox: Mailbox

    def request(self, method: str, path: str, body: Any, *, slug: str = "uni") -> Any:
        """Send JSON to the service as institution ``slug``; return the JSON answer.

        :raises AssertionError: for an answer other than 2xx.
        """
        request = urllib.request.Request(
            f"{self.base}{path}", data=json.dumps(body).encode(), method=method
        )
        request.add_header("Content-Type", "application/json")
        request.add_header("Authorization", f"Bearer {self.world.tokens[slug]}")
        try:
            with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
                return json.loads(response.read())
        except urllib.error.HTTPError as error:
            raise AssertionError(f"{method} {path}: {error.code} {error.read()!r}") from error

    def issue(
        self, *, fmt: str, learner: dict[str, str], type_name: str = "diploma", slug: str = "uni"
    ) -> str:
        """Issue the type's example credential to ``learner`` over the API; return its id."""
        services = self.world.services
        ctype = services.types.get(type_name)
        subject = {k: v for k, v in ctype.example.items() if k != "id"}
        credential = build_credential(
            ctype, subject, issuer_did=services.registry.by_slug(slug).did
        )
        credential_id = f"urn:uuid:{uuid.uuid4()}"
        options = {"format": fmt, "learner": learner, "credentialId": credential_id}
        self.request(
            "POST", "/credentials/issue", {"credential": credential, "options": options}, slug=slug
        )
        return credential_id

    def revoke(self, credential_id: str, *, slug: str = "uni") -> None:
        """Revoke the credential as its institution (``POST /credentials/status``)."""
        changed = self.request(
            "POST",
            "/credentials/status",
            {
                "credentialId": credential_id,
                "credentialStatus": [
                    {"type": "BitstringStatusListEntry", "statusPurpose": "revocation"}
                ],
                "status": True,
                "reason": "e2e test",
            },
            slug=slug,
        )
        assert changed["status"] == "revoked", changed


@pytest.fixture
def service(
    settings: Settings,
    engine: Engine,
    mailbox: Mailbox,
    oidc_provider: OIDCProvider,
    tmp_path: Path,
) -> Iterator[Service]:
    port = free_port()
    base = f"http://{HOST}:{port}"
    served = account_settings(settings, mailbox, oidc_provider).model_copy(
        update={"base_url": base}
    )
    world = make_world(served, engine, now=int(time.time()))
    # Status is read afresh at every opening, so a revocation shows at the next one.
    env = {**os.environ, **account_env(served), "IMK_STATUS_INTERVAL_SECONDS": "0"}
    with serve(env, port=port, log=tmp_path / "serve.log") as address:
        yield Service(base=address, world=world, mailbox=mailbox)


OpenContext = Callable[[], BrowserContext]


@pytest.fixture
def browser_contexts(chromium: Browser, service: Service) -> Iterator[OpenContext]:
    """Open fresh browser contexts (no cookies, English) on the service; closed at the end."""
    with ExitStack() as stack:

        def open_context() -> BrowserContext:
            context = chromium.new_context(
                base_url=service.base, locale="en-US", accept_downloads=True
            )
            stack.callback(context.close)
            context.set_default_timeout(TIMEOUT_MS)
            context.set_default_navigation_timeout(TIMEOUT_MS)
            return context

        yield open_context


Screenshot = Callable[[Page, str], Path]


@pytest.fixture
def screenshot(request: pytest.FixtureRequest, tmp_path: Path) -> Screenshot:
    """``screenshot(page, step)`` saves the whole page as ``<test>-<step>.png``."""
    folder = Path(os.environ.get(SCREENSHOTS_VARIABLE) or tmp_path / "screenshots")
    copies = [CI_SCREENSHOTS] if os.environ.get("CI") else []

    def take(page: Page, step: str) -> Path:
        name = f"{request.node.name}-{step}.png"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        page.screenshot(path=path, full_page=True)
        for copy in copies:
            copy.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, copy / name)
        return path

    return take
