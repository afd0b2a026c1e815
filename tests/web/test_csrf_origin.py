"""The origin check of form POSTs (``CSRFGuard.check_request``), header by header.

Pages send ``Referrer-Policy: no-referrer``, so real browsers write ``Origin: null`` on our
own forms (``tests/e2e`` meets it in Chromium); ``null`` then counts as no origin and
``Sec-Fetch-Site`` decides.
"""

from __future__ import annotations

import pytest
from starlette.requests import Request

from wallet.errors import PermissionDeniedError
from wallet.web.csrf import CSRFGuard

OWN = "https://wallet.test"
GUARD = CSRFGuard(key=b"k" * 32, origin=OWN, secure=True)


def _post(headers: dict[str, str]) -> Request:
    raw = [(name.lower().encode(), value.encode()) for name, value in headers.items()]
    return Request({"type": "http", "method": "POST", "path": "/login", "headers": raw})


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Origin": OWN},
        {"Origin": OWN, "Sec-Fetch-Site": "same-origin"},
        {"Origin": "null"},
        {"Origin": "null", "Sec-Fetch-Site": "same-origin"},
    ],
    ids=["none", "own", "own-same-origin", "null", "null-same-origin"],
)
def test_own_forms_pass_on_to_the_token_check(headers):
    GUARD.check_request(_post(headers))


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Origin": OWN, "Sec-Fetch-Site": "cross-site"},
        {"Origin": "null", "Sec-Fetch-Site": "cross-site"},
        {"Origin": "null", "Sec-Fetch-Site": "same-site"},
    ],
    ids=["foreign", "cross-site", "own-cross-site", "null-cross-site", "null-same-site"],
)
def test_forms_from_elsewhere_are_refused(headers):
    with pytest.raises(PermissionDeniedError):
        GUARD.check_request(_post(headers))
