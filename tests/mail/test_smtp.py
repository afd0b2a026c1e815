"""SMTPMailer against a real SMTP server (aiosmtpd on 127.0.0.1, see tests/fixtures/mail.py).

Every assertion on content reads what the server received over the wire, parsed as a mail
client would, never the object that was sent.
"""

from __future__ import annotations

import dataclasses
import logging
import ssl
import time
from email.message import EmailMessage

import pytest

from tests.conftest import NOW
from tests.fixtures.mail import PASSWORD, USERNAME, Mailbox, StartMailbox, free_port, links
from tests.mail.test_catalogue import SAMPLE, params_for
from wallet.errors import MailDeliveryError, WalletError
from wallet.mail import KINDS, LANGUAGES, SMTPMailer, SMTPSettings, compose
from wallet.mail.catalogue import render

TO = "janis.berzins@example.lv"
#: A long single-use link with characters that quoted-printable and URL parsers care about.
LINK = (
    "https://wallet.test/konts/parole/atjaunot?token=k3Y_9-zQ~xW8vA2b%2FcD4eF5gH6iJ7kL8mN9oP0"
    "&lang=lv&next=%2Fmans-macins%3Fsaraksts%3D1"
)


def message_for(
    mailbox: Mailbox,
    kind: str = "reset_password",
    language: str = "lv",
    *,
    to: str = TO,
    params: dict[str, str] | None = None,
) -> EmailMessage:
    return compose(
        kind,
        language,
        to=to,
        sender=mailbox.settings.sender,
        params=params_for(kind) if params is None else params,
        message_id_domain="wallet.test",
        now=NOW,
    )


def secrets_in_chain(error: BaseException, *secrets: str) -> list[str]:
    """The secrets that appear in the text of ``error`` or of any error chained to it."""
    found: list[str] = []
    current: BaseException | None = error
    while current is not None:
        text = f"{current} {current!r}"
        found += [secret for secret in secrets if secret in text]
        current = current.__cause__ or current.__context__
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_kind_arrives_intact_over_smtp(mailbox: Mailbox, language: str) -> None:
    sent = [message_for(mailbox, kind, language) for kind in KINDS]
    SMTPMailer(mailbox.settings).send_many(sent)

    received = mailbox.wait_for(to=TO, count=len(KINDS))
    assert len(received) == len(KINDS)
    for kind, message in zip(KINDS, received, strict=True):
        expected = render(kind, language, params_for(kind))
        assert message["Subject"] == expected.subject
        assert message["Content-Language"] == language
        assert message.get_content().replace("\r\n", "\n") == expected.body
        assert links(message) == ([SAMPLE["link"]] if "link" in params_for(kind) else [])


def test_the_link_read_from_the_received_message_is_the_link_sent(mailbox: Mailbox) -> None:
    message = message_for(
        mailbox, "reset_password", "ru", params={"link": LINK, "expires_minutes": "30"}
    )
    SMTPMailer(mailbox.settings).send(message)

    (received,) = mailbox.wait_for(to=TO)
    assert links(received) == [LINK]
    # The raw form wraps long lines; only a decoding reader gets the link back whole.
    assert LINK not in received.as_string()


def test_non_ascii_headers_and_envelope_round_trip(mailbox: Mailbox) -> None:
    SMTPMailer(mailbox.settings).send(message_for(mailbox, "credential_suspended", "ru"))

    (item,) = mailbox.received
    assert item.message["Subject"] == "Кошелёк IMK: действие удостоверения приостановлено"
    assert str(item.message["From"]) == "IMK maciņš <noreply@wallet.test>"
    assert item.mail_from == "noreply@wallet.test"
    assert item.rcpt_tos == (TO,)
    assert item.tls is False and item.login is None
    body = item.message.get_content()
    assert "Причина: Kļūda sekmju izrakstā" in body
    assert "Кем выдано: Rīgas Tehniskā universitāte" in body


def test_utf8_mailbox_is_sent_with_smtputf8(mailbox: Mailbox) -> None:
    to = "jānis@piemērs.lv"
    SMTPMailer(mailbox.settings).send(message_for(mailbox, "password_changed", to=to, params={}))

    (received,) = mailbox.wait_for(to=to)
    assert received["To"].addresses[0].username == "jānis"
    assert received["To"].addresses[0].domain == "piemērs.lv"


def test_starttls_with_login(start_mailbox: StartMailbox) -> None:
    server = start_mailbox(security="starttls", login=True)
    mailer = SMTPMailer(server.settings, tls_context=server.tls_context)
    mailer.send(message_for(server, "verify_email", "en"))

    (item,) = server.received
    assert item.tls is True
    assert item.login == USERNAME
    assert links(item.message) == [SAMPLE["link"]]


def test_implicit_tls_with_login(start_mailbox: StartMailbox) -> None:
    server = start_mailbox(security="ssl", login=True)
    SMTPMailer(server.settings, tls_context=server.tls_context).send(message_for(server))

    (item,) = server.received
    assert item.tls is True
    assert item.login == USERNAME


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_a_certificate_the_system_does_not_trust_is_refused(
    start_mailbox: StartMailbox, security: str
) -> None:
    server = start_mailbox(security=security)
    # No tls_context: the system trust store, which does not know the test authority.
    with pytest.raises(MailDeliveryError) as caught:
        SMTPMailer(server.settings).send(message_for(server))

    assert isinstance(caught.value.__cause__, ssl.SSLCertVerificationError)
    assert server.received == []


def test_a_wrong_password_is_refused_without_revealing_it(start_mailbox: StartMailbox) -> None:
    server = start_mailbox(security="starttls", login=True)
    wrong = "wrong-password-9c1e"
    settings = dataclasses.replace(server.settings, password=wrong)
    with pytest.raises(MailDeliveryError) as caught:
        SMTPMailer(settings, tls_context=server.tls_context).send(message_for(server))

    error = caught.value
    assert error.code == "MAIL_NOT_SENT" and error.status == 503
    assert "login failed" in error.description and "535" in error.description
    assert secrets_in_chain(error, wrong, PASSWORD, TO) == []
    assert wrong not in repr(settings)
    assert server.received == []


def test_a_server_that_requires_starttls_refuses_plaintext(start_mailbox: StartMailbox) -> None:
    server = start_mailbox(security="starttls")
    plaintext = dataclasses.replace(server.settings, security="none")
    with pytest.raises(MailDeliveryError, match="530"):
        SMTPMailer(plaintext).send(message_for(server))
    assert server.received == []


def test_starttls_against_a_plaintext_server_fails_cleanly(mailbox: Mailbox) -> None:
    settings = dataclasses.replace(mailbox.settings, security="starttls")
    with pytest.raises(MailDeliveryError, match="STARTTLS failed"):
        SMTPMailer(settings).send(message_for(mailbox))
    assert mailbox.received == []


def test_implicit_tls_against_a_plaintext_server_fails_cleanly(mailbox: Mailbox) -> None:
    settings = dataclasses.replace(mailbox.settings, security="ssl")
    with pytest.raises(MailDeliveryError, match="could not connect") as caught:
        SMTPMailer(settings).send(message_for(mailbox))
    assert isinstance(caught.value.__cause__, ssl.SSLError)
    assert mailbox.received == []


def test_nothing_listening_gives_a_delivery_error_without_secrets() -> None:
    port = free_port()
    settings = SMTPSettings(
        host="127.0.0.1",
        port=port,
        username=USERNAME,
        password=PASSWORD,
        security="starttls",
        sender="IMK maciņš <noreply@wallet.test>",
        timeout_seconds=5,
    )
    message = compose(
        "verify_email",
        "lv",
        to=TO,
        sender=settings.sender,
        params={"link": LINK, "expires_minutes": "30"},
        message_id_domain="wallet.test",
        now=NOW,
    )
    with pytest.raises(MailDeliveryError) as caught:
        SMTPMailer(settings).send(message)

    error = caught.value
    assert isinstance(error, WalletError)
    assert isinstance(error.__cause__, ConnectionRefusedError)
    assert error.description == (
        f"e-mail not sent: could not connect to the mail server 127.0.0.1:{port} "
        "(ConnectionRefusedError); 0 of 1 message(s) accepted"
    )
    assert secrets_in_chain(error, PASSWORD, LINK, TO, "token=") == []


def test_a_server_that_never_answers_times_out(silent_port: int) -> None:
    settings = SMTPSettings(
        host="127.0.0.1", port=silent_port, security="none", sender="n@wallet.test",
        timeout_seconds=0.5,
    )  # fmt: skip
    message = compose(
        "account_deleted",
        "en",
        to=TO,
        sender=settings.sender,
        params={},
        message_id_domain="wallet.test",
        now=NOW,
    )
    started = time.monotonic()
    with pytest.raises(MailDeliveryError, match=r"\(no answer within 0\.5 s\)"):
        SMTPMailer(settings).send(message)
    assert time.monotonic() - started < 5


def test_a_refused_message_names_neither_recipient_nor_link(start_mailbox: StartMailbox) -> None:
    server = start_mailbox(refuse_to=TO)
    message = message_for(server, params={"link": LINK, "expires_minutes": "30"})
    with pytest.raises(MailDeliveryError, match="554") as caught:
        SMTPMailer(server.settings).send(message)
    assert secrets_in_chain(caught.value, LINK, "token=") == []
    assert TO not in caught.value.description
    assert server.received == []


def test_a_batch_stops_at_the_first_refusal_and_says_how_far_it_got(
    start_mailbox: StartMailbox,
) -> None:
    server = start_mailbox(refuse_to="refused@example.lv")
    batch = [
        message_for(server, to="first@example.lv"),
        message_for(server, to="refused@example.lv"),
        message_for(server, to="third@example.lv"),
    ]
    with pytest.raises(MailDeliveryError, match=r"1 of 3 message\(s\) accepted"):
        SMTPMailer(server.settings).send_many(batch)
    assert [item.rcpt_tos for item in server.received] == [("first@example.lv",)]


def test_an_empty_batch_opens_no_connection() -> None:
    settings = SMTPSettings(host="127.0.0.1", port=free_port(), security="none", sender="n@x.test")
    SMTPMailer(settings).send_many([])  # Nothing listens there: a connection would raise.


def test_sending_logs_and_prints_nothing_of_the_message(
    mailbox: Mailbox, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    message = message_for(mailbox, params={"link": LINK, "expires_minutes": "30"})
    SMTPMailer(mailbox.settings).send(message)
    mailbox.wait_for(to=TO)

    # aiosmtpd (logger "mail.log") is the test server, not the service.
    ours = [r.getMessage() for r in caplog.records if not r.name.startswith("mail.log")]
    printed = capsys.readouterr()
    for text in [*ours, printed.out, printed.err]:
        assert "token=" not in text and TO not in text


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"host": ""}, "host"),
        ({"port": 0}, "port"),
        ({"port": 65536}, "port"),
        ({"security": "tls"}, "security"),
        ({"timeout_seconds": 0}, "timeout"),
        ({"username": "imk"}, "go together"),
        ({"password": "x"}, "go together"),
        ({"username": "imk", "password": "x", "security": "none"}, "only sent over TLS"),
        ({"sender": "a@b.test\r\nBcc: c@d.test"}, "sender"),
    ],
)
def test_settings_refuse_unusable_values(changes: dict[str, object], message: str) -> None:
    good: dict[str, object] = {"host": "smtp.example.lv", "port": 587, "sender": "n@imk.lv"}
    SMTPSettings(**good)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=message):
        SMTPSettings(**{**good, **changes})  # type: ignore[arg-type]


def test_settings_hide_the_password_from_repr() -> None:
    settings = SMTPSettings(
        host="smtp.example.lv", port=465, username="imk", password="hunter2-secret",
        security="ssl", sender="n@imk.lv",
    )  # fmt: skip
    assert "hunter2-secret" not in repr(settings)
    assert "username='imk'" in repr(settings)
