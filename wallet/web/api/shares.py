"""The learner's share links over the API: create, list, revoke (``docs/shares.md``).

Only a learner's API session may call (:data:`~wallet.web.deps.LearnerDep`), as on every
wallet route; another learner's share id is 404 with the same body as one that never
existed. Opening a link is :mod:`wallet.web.pages.share_link` (no account needed).
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from wallet import shares
from wallet.shares import ShareItem
from wallet.web.api.share_answers import share_public, shares_public
from wallet.web.api.share_models import ShareBody, ShareListPublic, SharePublic
from wallet.web.api.wallet_models import problem_responses
from wallet.web.deps import ClockDep, LearnerDep, ServicesDep, SessionDep
from wallet.web.routing import StrictJSONRoute

router = APIRouter(tags=["wallet"], route_class=StrictJSONRoute)


@router.post(
    "/wallet/shares",
    status_code=201,
    summary="Share credentials by a link",
    responses=problem_responses(400, 401, 403, 404, 422),
)
def create_share(
    body: ShareBody, principal: LearnerDep, services: ServicesDep, session: SessionDep,
    now: ClockDep,
) -> SharePublic:  # fmt: skip
    """Make a link ``/s/{token}`` (128 random bits) to presentations of the chosen
    credentials, built now: an SD-JWT+KB per SD-JWT VC disclosing only ``disclose`` (and
    what is always visible), the vc+jwt credentials together in one vp+jwt; each bound to
    the link (``aud``) and the share's id (``nonce``). It expires after ``expiresInDays``
    (30 by default) and, with ``maxViews``, after that many openings. The link is in the
    answer, with its QR codes (``qrSvg``, ``qrPng``)."""
    created = shares.create_share(
        session, ctx=services.shares, account_id=principal.account_id,
        items=[ShareItem(i.id, tuple(tuple(p) for p in i.disclose)) for i in body.items],
        now=now, expires_in_days=body.expiresInDays, max_views=body.maxViews, label=body.label,
    )  # fmt: skip
    session.commit()
    return share_public(created.share, url=created.url, now=now)


@router.get("/wallet/shares", summary="List the share links", responses=problem_responses(401, 403))
def list_shares(
    principal: LearnerDep, services: ServicesDep, session: SessionDep, now: ClockDep
) -> ShareListPublic:
    """Every share link of the learner, newest first, with its state and views."""
    rows = shares.list_shares(session, account_id=principal.account_id)
    return ShareListPublic(items=shares_public(session, ctx=services.shares, rows=rows, now=now))


@router.delete(
    "/wallet/shares/{share_id}",
    status_code=204,
    summary="Revoke a share link",
    responses=problem_responses(401, 403, 404),
)
def revoke_share(
    share_id: str, principal: LearnerDep, services: ServicesDep, session: SessionDep,
    now: ClockDep,
) -> Response:  # fmt: skip
    """Revoke the link at once: from now on it answers 410. Revoking again changes nothing."""
    shares.revoke_share(session, account_id=principal.account_id, share_id=share_id, now=now)
    session.commit()
    services.share_images.forget(share_id)
    return Response(status_code=204)
