"""Notification mails: a credential arriving in a wallet is told by e-mail, through the
outbox, and a mail server that is down loses nothing."""

from __future__ import annotations

import copy

from sqlmodel import select

from tests.fixtures.accounts import register
from tests.fixtures.mail import links
from wallet.db.models import OutboxMail
from wallet.issuance import build_credential


def issue_for(api, world, learner: dict) -> None:
    services = world.services
    ctype = services.types.get("course-certificate")
    subject = {k: v for k, v in copy.deepcopy(ctype.example).items() if k != "id"}
    credential = build_credential(ctype, subject, issuer_did=services.registry.by_slug("uni").did)
    response = api.post(
        "/credentials/issue",
        json={"credential": credential, "options": {"learner": learner}},
        headers={"Authorization": f"Bearer {world.tokens['uni']}"},
    )
    assert response.status_code == 201, response.text


def outbox(world) -> list[OutboxMail]:
    with world.services.session() as session:
        return list(session.exec(select(OutboxMail)).all())


def test_learner_with_an_account_is_told_in_their_language(api, mailbox, accounts_world):
    register(api, mailbox, "peteris@example.lv", language="en")
    issue_for(api, accounts_world, {"email": "Peteris@Example.lv"})
    message = mailbox.wait_for(to="peteris@example.lv", count=2)[1]
    body = message.get_body(("plain",)).get_content()
    assert "https://wallet.test/wallet" in links(message)
    assert (
        "Riga" in body
        or "uni" in body
        or accounts_world.services.registry.by_slug("uni").names["en"] in body
    )
    assert outbox(accounts_world) == []  # sent rows do not stay


def test_address_without_an_account_is_told_that_something_waits(api, mailbox, accounts_world):
    issue_for(api, accounts_world, {"email": "new.learner@example.lv"})
    (message,) = mailbox.wait_for(to="new.learner@example.lv")
    assert "https://wallet.test/register" in links(message)


def test_personal_code_only_tells_nobody(api, mailbox, accounts_world):
    issue_for(api, accounts_world, {"personalCode": "010190-10001"})
    assert mailbox.messages == []
    assert outbox(accounts_world) == []


def test_mail_server_down_keeps_the_notification_for_later(api, mailbox, accounts_world):
    services = accounts_world.services
    down = services.mailer.settings.__class__(
        host="127.0.0.1", port=1, security="none", sender=services.settings.mail_from,
        timeout_seconds=2,
    )  # fmt: skip
    real = services.mailer
    services.__dict__["mailer"] = real.__class__(down)
    issue_for(api, accounts_world, {"email": "patient@example.lv"})
    (waiting,) = outbox(accounts_world)
    assert waiting.attempts == 1 and waiting.next_attempt_at > accounts_world.clock[0]
    services.__dict__["mailer"] = real
    accounts_world.clock[0] = waiting.next_attempt_at
    assert services.flush_notifications() == 1
    assert len(mailbox.wait_for(to="patient@example.lv")) == 1
    assert outbox(accounts_world) == []
