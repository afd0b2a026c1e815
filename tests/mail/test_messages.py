"""compose(): headers, encoding, language, and refusal of header injection."""

from __future__ import annotations

import re
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default

import pytest

from tests.conftest import NOW
from tests.mail.test_catalogue import SAMPLE, params_for
from wallet.mail import KINDS, LANGUAGES, compose
from wallet.mail.catalogue import render
from wallet.mail.messages import MAIL_POLICY

SENDER = "IMK maciņš <noreply@wallet.test>"
TO = "janis.berzins@example.lv"


def make(kind: str = "verify_email", language: str = "lv", **overrides: object):
    arguments: dict[str, object] = {"to": TO, "sender": SENDER, "message_id_domain": "wallet.test"}
    arguments["now"] = NOW
    arguments.update(overrides)
    if "params" not in arguments:
        arguments["params"] = params_for(kind)
    return compose(kind, language, **arguments)  # type: ignore[arg-type]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", KINDS)
def test_message_headers_and_body(kind: str, language: str) -> None:
    message = make(kind, language)
    assert message["From"].addresses[0].display_name == "IMK maciņš"
    assert message["From"].addresses[0].addr_spec == "noreply@wallet.test"
    assert message["To"].addresses[0].addr_spec == TO
    assert message["Date"] == "Mon, 01 Jun 2026 00:00:00 +0000"
    assert re.fullmatch(r"<[0-9a-f]{32}@wallet\.test>", message["Message-ID"])
    assert message["Content-Language"] == language
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content_type() == "text/plain"
    assert message.get_content_charset() == "utf-8"
    body = message.get_content()
    for name in params_for(kind):
        assert SAMPLE[name] in body


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", KINDS)
def test_the_wire_form_is_seven_bit_and_parses_back_to_the_same_text(
    kind: str, language: str
) -> None:
    params = params_for(kind)
    message = make(kind, language, params=params)
    raw = message.as_bytes()
    # Non-ASCII subjects and names are RFC 2047 words, bodies quoted-printable or base64:
    # the message passes any SMTP server, with or without 8BITMIME.
    assert raw.isascii()
    assert all(len(line) <= 78 for line in raw.split(b"\r\n")), "a line over 78 octets"
    assert b"\n" not in raw.replace(b"\r\n", b"")
    parsed = BytesParser(policy=default).parsebytes(raw)
    expected = render(kind, language, params)
    # Regression: Python before 3.13 dropped the space at a fold between two encoded words
    # (CPython gh-92081), so "подтвердите адрес" came back as "подтвердитеадрес".
    assert parsed["Subject"] == expected.subject
    assert str(parsed["From"]) == "IMK maciņš <noreply@wallet.test>"
    # Text travels in its canonical form, with CRLF line ends (RFC 2046 §4.1.1).
    assert parsed.get_content().replace("\r\n", "\n") == expected.body


@pytest.mark.parametrize("words", range(1, 30, 2))
def test_the_mail_policy_keeps_every_space_of_a_long_subject(words: int) -> None:
    subject = " ".join(["Удостоверение", "ķēdes", "IMK", "подтвердите", "a"] * words)
    message = EmailMessage(policy=MAIL_POLICY)
    message["Subject"] = subject
    raw = message.as_bytes()
    assert raw.isascii()
    assert all(len(line) <= 78 for line in raw.split(b"\r\n"))
    assert BytesParser(policy=default).parsebytes(raw)["Subject"] == subject


def test_each_message_gets_its_own_message_id() -> None:
    assert len({make()["Message-ID"] for _ in range(20)}) == 20


@pytest.mark.parametrize(
    ("tag", "expected", "greeting"),
    [("ru-LV", "ru", "Здравствуйте!"), ("EN", "en", "Hello,"), ("et", "lv", "Labdien!")],
)
def test_the_language_used_is_the_one_declared(tag: str, expected: str, greeting: str) -> None:
    message = make("account_deleted", tag, params={})
    assert message["Content-Language"] == expected
    assert message.get_content().startswith(greeting)


def test_display_names_and_utf8_mailboxes_are_kept() -> None:
    message = make(to="Jānis Bērziņš <jānis@piemērs.lv>")
    (address,) = message["To"].addresses
    assert (address.display_name, address.username, address.domain) == (
        "Jānis Bērziņš",
        "jānis",
        "piemērs.lv",
    )


@pytest.mark.parametrize(
    "to",
    [
        "victim@example.lv\r\nBcc: attacker@evil.test",
        "victim@example.lv\nBcc: attacker@evil.test",
        "victim@example.lv\rBcc: attacker@evil.test",
        "Jānis\r\nBcc: attacker@evil.test <victim@example.lv>",
        "victim@example.lv\r\n\r\nForged body",
        "victim@example.lv\x00",
        "victim@example.lv\u2028Bcc: attacker@evil.test",
    ],
)
def test_line_breaks_and_control_characters_in_to_are_refused(to: str) -> None:
    with pytest.raises(ValueError, match="control characters"):
        make(to=to)


@pytest.mark.parametrize(
    "to",
    [
        "victim@example.lv, attacker@evil.test",
        "list: victim@example.lv, attacker@evil.test;",
        "not an address",
        "victim@",
        "@example.lv",
        "",
        "x" * 400 + "@example.lv",
    ],
)
def test_to_must_be_exactly_one_address(to: str) -> None:
    with pytest.raises(ValueError, match="to: "):
        make(to=to)


def test_sender_is_checked_like_to() -> None:
    with pytest.raises(ValueError, match="sender: control characters"):
        make(sender="IMK <noreply@wallet.test>\r\nBcc: attacker@evil.test")


@pytest.mark.parametrize("domain", ["", "wallet.test>", "a b", "wallet.test\r\nX: y", "@x"])
def test_message_id_domain_must_be_a_host_name(domain: str) -> None:
    with pytest.raises(ValueError, match="message_id_domain"):
        make(message_id_domain=domain)


def test_parameters_never_reach_the_headers() -> None:
    title = "Kurss\r\nBcc: attacker@evil.test\r\nSubject: forged"
    message = make(
        "credential_received",
        "en",
        params={"credential_title": title, "issuer_name": "RTU", "link": SAMPLE["link"]},
    )
    assert message["Bcc"] is None
    assert message.get_all("Subject") == ["IMK Wallet: you have a new credential"]
    assert "Credential: Kurss Bcc: attacker@evil.test Subject: forged\n" in message.get_content()


def test_unknown_kind_and_missing_parameters_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown kind"):
        make("newsletter", params={})
    with pytest.raises(ValueError, match="missing"):
        make("reset_password", params={"link": SAMPLE["link"]})
