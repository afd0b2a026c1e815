"""Where our status lists are published, and the references credentials carry to them.

One slot (list, index) per record serves three lists (DESIGN §4)::

    {base}/status/{slug}/{list}/revocation   W3C BitstringStatusListCredential (vc+jwt)
    {base}/status/{slug}/{list}/suspension   W3C BitstringStatusListCredential (vc+jwt)
    {base}/status/{slug}/{list}/token        IETF Status List Token (statuslist+jwt, 2 bits)

A vc+jwt carries two ``BitstringStatusListEntry`` items (revocation and suspension) with
the same index; a dc+sd-jwt carries ``status.status_list {idx, uri}`` pointing at the token.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

REVOCATION = "revocation"
SUSPENSION = "suspension"
PURPOSES = (REVOCATION, SUSPENSION)
TOKEN = "token"  # noqa: S105  (the Status List Token form, not a secret)
ENTRY_TYPE = "BitstringStatusListEntry"
_PATH = re.compile(r"/status/([a-z0-9-]{2,64})/([1-9][0-9]{0,17})/(revocation|suspension|token)")


class OwnList(NamedTuple):
    """A URL of one of our lists, taken apart."""

    issuer_slug: str
    list_id: int
    kind: str  # "revocation", "suspension" or "token"


def list_url(base_url: str, issuer_slug: str, list_id: int, kind: str) -> str:
    """The URL of one published form of a list (``kind``: a purpose or ``token``)."""
    return f"{base_url}/status/{issuer_slug}/{list_id}/{kind}"


def w3c_entries(base_url: str, issuer_slug: str, list_id: int, index: int) -> list[dict[str, Any]]:
    """The ``credentialStatus`` of a vc+jwt in this slot (Bitstring Status List §2.1)."""
    return [
        {
            "type": ENTRY_TYPE,
            "statusPurpose": purpose,
            "statusListIndex": str(index),
            "statusListCredential": list_url(base_url, issuer_slug, list_id, purpose),
        }
        for purpose in PURPOSES
    ]


def token_reference(base_url: str, issuer_slug: str, list_id: int, index: int) -> dict[str, Any]:
    """The ``status`` claim of a dc+sd-jwt in this slot (Token Status List §6.1)."""
    return {"status_list": {"idx": index, "uri": list_url(base_url, issuer_slug, list_id, TOKEN)}}


def parse_own(url: str, base_url: str) -> OwnList | None:
    """The list a URL names when it is one of ours (under ``base_url``), else None."""
    if not url.startswith(base_url):
        return None
    match = _PATH.fullmatch(url, len(base_url))
    if match is None:
        return None
    return OwnList(match.group(1), int(match.group(2)), match.group(3))
