"""Notifications by e-mail, through an outbox in the database.

A notification is written in the same transaction as what it tells (a credential delivered
to a wallet), so it is never lost and never sent for something that was rolled back. After
the commit, :func:`flush` hands waiting messages to the mail server; one it refuses stays
and is tried again later (1, 2, 4 … minutes, at most a day apart). Several processes may
flush at once: on PostgreSQL rows are claimed with ``FOR UPDATE SKIP LOCKED``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from email.message import EmailMessage
from typing import Protocol

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from wallet.db.models import OutboxMail
from wallet.errors import MailDeliveryError
from wallet.mail import compose

#: Most messages one flush sends.
BATCH = 50
MAX_DELAY = 24 * 3600


class Mailer(Protocol):
    """Where messages go."""

    def send(self, message: EmailMessage) -> None:
        """Deliver one message or raise :class:`~wallet.errors.MailDeliveryError`."""


def enqueue(
    session: Session,
    *,
    recipient: str,
    kind: str,
    language: str,
    params: Mapping[str, str],
    now: int,
) -> None:
    """Queue a notification in the caller's transaction."""
    session.add(
        OutboxMail(
            recipient=recipient,
            kind=kind,
            language=language,
            params=json.dumps(dict(params), ensure_ascii=False, sort_keys=True),
            created_at=now,
            next_attempt_at=now,
        )
    )


def flush(engine: Engine, *, mailer: Mailer, sender: str, domain: str, now: int) -> int:
    """Send the notifications that are due; return how many the mail server took."""
    sent = 0
    with Session(engine) as session:
        statement = (
            select(OutboxMail)
            .where(OutboxMail.next_attempt_at <= now)
            .order_by(col(OutboxMail.id))
            .limit(BATCH)
        )
        if engine.dialect.name == "postgresql":
            statement = statement.with_for_update(skip_locked=True)
        for row in session.exec(statement).all():
            try:
                message = compose(
                    row.kind, row.language, to=row.recipient, sender=sender,
                    params=json.loads(row.params), message_id_domain=domain, now=now,
                )  # fmt: skip
            except ValueError:
                # Cannot become a message (an address the mail format refuses): drop it
                # rather than block the queue behind it.
                session.delete(row)
                continue
            try:
                mailer.send(message)
            except MailDeliveryError:
                row.attempts += 1
                row.next_attempt_at = now + min(60 * 2 ** (row.attempts - 1), MAX_DELAY)
                session.add(row)
                continue
            session.delete(row)
            sent += 1
        session.commit()
    return sent
