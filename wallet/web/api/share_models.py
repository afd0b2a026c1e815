"""Request and response models of share links: the learner's ``/wallet/shares`` and the
verifier's JSON answer of ``/s/{token}``, each with an OpenAPI example. How an opened share
fills them is :mod:`wallet.web.api.share_answers`.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from wallet import presentations, shares
from wallet.web.api.wallet_models import (
    CheckPublic,
    ClaimPublic,
    CredentialTypePublic,
    IssuerDetailPublic,
)

_URL = "https://wallet.example.lv/s/3q2-7wAAAAAAAAAAAAAAAA"
_SHARE: dict[str, Any] = {
    "id": "kB3yX0m9Qe2Lr7VtZp4WcA",
    "url": _URL,
    "qrSvg": _URL + "/qr.svg",
    "qrPng": _URL + "/qr.png",
    "created": "2026-06-01T09:00:00Z",
    "expires": "2026-07-01T09:00:00Z",
    "maxViews": 3,
    "views": 0,
    "label": "For Daugava Bank HR",
    "state": "active",
    "items": ["Xq9x0m9Qe2Lr7VtZp4WcA"],
}


class ShareItemBody(BaseModel):
    """A credential to share; for an SD-JWT VC, the claim paths to disclose (as in the type
    metadata; a number picks an array element). What is always visible is shown anyway."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(max_length=64)
    disclose: list[list[str | int | None]] = Field(
        default_factory=list, max_length=presentations.MAX_PATHS
    )


class ShareBody(BaseModel):
    """A new share link: which credentials (and claims), how long, how many views."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "items": [{"id": "Xq9x0m9Qe2Lr7VtZp4WcA",
                               "disclose": [["givenName"], ["familyName"]]}],
                    "expiresInDays": 14,
                    "maxViews": 3,
                    "label": "For Daugava Bank HR",
                }
            ]
        },
    )  # fmt: skip

    items: list[ShareItemBody] = Field(min_length=1, max_length=shares.MAX_ITEMS)
    expiresInDays: int | None = Field(  # noqa: N815
        default=None, ge=1, le=shares.MAX_DAYS, description="1 to 365; 30 when left out"
    )
    maxViews: int | None = Field(  # noqa: N815
        default=None, ge=1, le=shares.MAX_VIEWS, description="no limit when left out"
    )
    label: str | None = Field(default=None, max_length=shares.MAX_LABEL_CHARS)


class SharePublic(BaseModel):
    """A share link as its owner sees it. ``state``: ``active``, ``revoked``, ``expired``
    or ``used-up``."""

    model_config = ConfigDict(json_schema_extra={"examples": [_SHARE]})

    id: str
    url: str
    qrSvg: str  # noqa: N815
    qrPng: str  # noqa: N815
    created: str
    expires: str
    maxViews: int | None  # noqa: N815
    views: int
    label: str | None
    state: str
    items: list[str]


class ShareListPublic(BaseModel):
    """The learner's share links, newest first."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"items": [_SHARE]}]})

    items: list[SharePublic]


class SharedCredentialPublic(BaseModel):
    """One credential of an opened share: what it is, who issued it (from the trust
    registry), the claims it discloses with their labels, and the checks in plain words
    (``checks``) with the verifier's own checks behind them (``details``)."""

    format: str
    title: str | None
    type: CredentialTypePublic | None
    issuer: IssuerDetailPublic | None
    claims: list[ClaimPublic]
    disclosed: list[str]
    verified: bool
    checks: list[CheckPublic]
    details: list[CheckPublic]
    credential: dict[str, Any] | None


class PresentedPublic(BaseModel):
    """A presentation of the share, as the wallet built it: ``dc+sd-jwt`` (an SD-JWT+KB) or
    ``vp+jwt``, both bound to this link (``aud``) and the share's id (``nonce``)."""

    format: str
    verifiablePresentation: str  # noqa: N815


class OpenedSharePublic(BaseModel):
    """A share link opened now: every presentation verified afresh, status read live."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "share": {"id": _SHARE["id"], "expires": _SHARE["expires"], "maxViews": 3,
                              "views": 1, "label": _SHARE["label"]},
                    "verified": True,
                    "checkedAt": "2026-06-02T10:00:00Z",
                    "credentials": [],
                    "presentations": [],
                }
            ]
        }
    )  # fmt: skip

    share: dict[str, Any]
    verified: bool
    checkedAt: str  # noqa: N815
    credentials: list[SharedCredentialPublic]
    presentations: list[PresentedPublic]
