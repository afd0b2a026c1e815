"""Browser fixtures of the page tests (the helpers are in ``browsing.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import pytest
from fastapi.testclient import TestClient

from tests.web.pages.browsing import BASE, HTML


@pytest.fixture
def web(api):
    """The first browser: the ``api`` client, asking for pages."""
    api.headers["Accept"] = HTML
    return api


@pytest.fixture
def browser(api) -> Iterator[TestClient]:
    """A second browser on the same app, with cookies of its own."""
    with TestClient(api.app, base_url=BASE, headers={"Accept": HTML}) as client:
        yield client


@pytest.fixture
def browsers(api) -> Iterator[ExitStack]:
    """More browsers: ``new_browser(stack, app)`` opens one that closes with the test."""
    with ExitStack() as stack:
        yield stack
