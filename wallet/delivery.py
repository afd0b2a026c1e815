"""Delivery of issued credentials into learners' wallets, and the notification of arrival.

A single credential is delivered in the transaction that issues it. A batch leaves each
credential in the delivery outbox instead, in the batch's own transaction: the row names
the record's envelope, plus what the learner gets beyond it (an SD-JWT VC's disclosures,
sealed by the service's key-encryption key); :func:`deliver_pending` puts them into
the wallets after the commit, verifying each on arrival and notifying the learner. Delivery
therefore never slows or breaks a batch, and a crash after the commit still delivers: the
rows wait until the next ``imk deliver``, the next batch, or the service's start.

Each row is removed in the transaction that stores its credential, so a credential lands
once even when two processes deliver at the same time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from wallet import holder, notify
from wallet.checkpoints import NONE
from wallet.db import account_crud, crud, delivery_crud
from wallet.db.models import HolderWallet
from wallet.errors import NotFoundError, WalletError
from wallet.holder import HolderContext
from wallet.jose import b64url_encode, seal, unseal
from wallet.trust import IssuerEntry

#: Rows delivered per transaction.
CHUNK = 200


def outbox_row(
    ctx: HolderContext,
    *,
    wallet_id: int,
    credential_id: str,
    format: str,
    issuer_slug: str,
    type_name: str,
    title: str | None,
    email: str | None,
    tail: str,
    now: int,
) -> dict[str, Any]:
    """An outbox row for :func:`wallet.db.delivery_crud.insert_outbox`.

    :param tail: what the learner gets beyond the envelope the record keeps: nothing for a
        vc+jwt (the same token), the disclosures for an SD-JWT VC (sealed here).
    """
    seal_id = b64url_encode(ctx.random(16))
    sealed = (
        seal(ctx.kek, tail.encode(), nonce=ctx.random(12), associated=f"outbox:{seal_id}".encode())
        if tail
        else ""
    )
    return {
        "seal_id": seal_id, "wallet_id": wallet_id, "credential_id": credential_id,
        "format": format, "issuer_slug": issuer_slug, "type_name": type_name, "title": title,
        "email": email, "created_at": now, "attempts": 0, "token": sealed,
    }  # fmt: skip


def notify_arrival(
    session: Session,
    *,
    base_url: str,
    issuer: IssuerEntry,
    title: str,
    email: str | None,
    wallet: HolderWallet,
    now: int,
) -> None:
    """Tell the learner a credential arrived: the account when the wallet is attached; else
    the e-mail address given at issuance, that something waits (never what)."""
    if wallet.account_id is not None:
        account = account_crud.account_by_id(session, account_id=wallet.account_id)
        if account is None:
            return
        recipient, language, link = account.email, account.language, f"{base_url}/wallet"
    elif email is not None:
        recipient, language, link = email, "lv", f"{base_url}/register"
    else:
        return
    notify.enqueue(
        session,
        recipient=recipient,
        kind="credential_received",
        language=language,
        params={
            "credential_title": title,
            "issuer_name": issuer.names.get(language) or issuer.names.get("lv") or issuer.slug,
            "link": link,
        },
        now=now,
    )


def deliver_pending(
    session: Session, *, ctx: HolderContext, base_url: str, now: int, limit: int = CHUNK
) -> tuple[int, int]:
    """Deliver up to ``limit`` waiting credentials; return (delivered, rows taken up). The
    caller commits.

    A row that cannot be delivered (its issuer left the registry, its seal is damaged) stays
    with one more failed attempt; after ``MAX_ATTEMPTS`` it is left for an operator.
    """
    rows = delivery_crud.pending(session, limit=limit)
    if not rows:
        return 0, 0
    wallets = delivery_crud.wallets_by_id(session, ids=[row.wallet_id for row in rows])
    envelopes = crud.get_envelopes_for(session, credential_ids=[row.credential_id for row in rows])
    delivered = 0
    for row in rows:
        assert row.id is not None
        try:
            issuer = ctx.registry.by_slug(row.issuer_slug)
            envelope = envelopes[(row.credential_id, row.format)]
            tail = (
                unseal(ctx.kek, row.token, associated=f"outbox:{row.seal_id}".encode())
                if row.token
                else b""
            )
        except (NotFoundError, WalletError, KeyError):
            delivery_crud.failed_attempt(session, row_id=row.id)
            continue
        if not delivery_crud.take(session, row_id=row.id):
            continue
        wallet = wallets[row.wallet_id]
        holder.store(
            session, ctx=ctx, wallet=wallet, token=envelope.token + tail.decode(),
            source="issued", now=now,
            record_id=row.credential_id,
        )  # fmt: skip
        notify_arrival(
            session, base_url=base_url, issuer=issuer, title=row.title or row.type_name,
            email=row.email, wallet=wallet, now=now,
        )  # fmt: skip
        delivered += 1
    return delivered, len(rows)


def drain(
    sessions: Callable[[], Session],
    *,
    ctx: HolderContext,
    base_url: str,
    clock: Callable[[], int],
    checkpoint: Callable[[str], None] = NONE,
    chunk: int = CHUNK,
) -> int:
    """Deliver everything waiting, ``chunk`` rows per transaction; return how many."""
    total = 0
    while True:
        with sessions() as session:
            delivered, taken = deliver_pending(
                session, ctx=ctx, base_url=base_url, now=clock(), limit=chunk
            )
            checkpoint("delivery.chunk")
            session.commit()
        total += delivered
        # A chunk of rows that all failed is not the end: rows after them may deliver. Each
        # failure counts an attempt, so failing rows drop out after MAX_ATTEMPTS.
        if taken == 0:
            return total


__all__ = ["deliver_pending", "drain", "notify_arrival", "outbox_row"]
