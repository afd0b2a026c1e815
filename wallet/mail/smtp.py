"""Hand messages to a mail server over SMTP, with the standard library's ``smtplib``.

Three security modes: ``"ssl"`` (implicit TLS, RFC 8314 §3.3, usually port 465),
``"starttls"`` (RFC 3207, usually port 587) and ``"none"`` (plaintext, for a relay on the
same host, and for tests). TLS checks the server's certificate and host name against the
system's trust store, or against the ``ssl.SSLContext`` the mailer is given. A login is sent
only over TLS: :class:`SMTPSettings` refuses a username with ``"none"``.

One connection is opened per :meth:`SMTPMailer.send` or per :meth:`SMTPMailer.send_many`
batch. Every failure (no connection, TLS, login, a refused message, a timeout) becomes one
:class:`~wallet.errors.MailDeliveryError` whose description says which step failed and how
many messages were accepted before it, and never names a recipient, the password or the
body; the original error is chained. Nothing here logs: bodies carry single-use links, and
addresses are personal data.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Literal

from wallet.errors import MailDeliveryError
from wallet.mail.addresses import parse_mailbox

Security = Literal["none", "starttls", "ssl"]
SECURITY_MODES: tuple[Security, ...] = ("none", "starttls", "ssl")
DEFAULT_TIMEOUT_SECONDS = 10.0

_STEPS = {
    "connect": "could not connect to",
    "starttls": "STARTTLS failed with",
    "login": "login failed at",
    "send": "message not accepted by",
}


@dataclass(frozen=True, kw_only=True)
class SMTPSettings:
    """Where and how to send mail. The password is left out of ``repr``.

    :param host: the mail server's host name (checked against its TLS certificate).
    :param port: its port: usually 465 for ``"ssl"``, 587 for ``"starttls"``, 25 for ``"none"``.
    :param username: the login, or None to send without one.
    :param password: the password of ``username``.
    :param security: ``"ssl"``, ``"starttls"`` or ``"none"``.
    :param sender: the ``From`` address, such as ``IMK maciņš <noreply@imk.lv>``.
    :param timeout_seconds: the limit for connecting and for each reply of the server.
    :raises ValueError: for an empty host, a port outside 1–65535, an unknown security mode,
        a timeout that is not positive, a username without a password (or the reverse), a
        username with ``"none"``, or a sender that is not one address.
    """

    host: str
    port: int
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    security: Security = "starttls"
    sender: str
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS

    def __post_init__(self) -> None:
        if not self.host or any(c.isspace() for c in self.host):
            raise ValueError("SMTP host must be a host name")
        if not 0 < self.port < 65536:
            raise ValueError("SMTP port must be between 1 and 65535")
        if self.security not in SECURITY_MODES:
            raise ValueError(f"SMTP security must be one of {', '.join(SECURITY_MODES)}")
        if not self.timeout_seconds > 0:
            raise ValueError("SMTP timeout must be positive")
        if (self.username is None) != (self.password is None):
            raise ValueError("SMTP username and password go together")
        if self.username is not None and self.security == "none":
            raise ValueError("an SMTP login is only sent over TLS: use 'starttls' or 'ssl'")
        parse_mailbox(self.sender, what="sender")


class SMTPMailer:
    """Sends composed messages through one mail server; the constructor does no I/O.

    :param settings: the server and the login.
    :param tls_context: the TLS settings and trusted certificates; by default
        ``ssl.create_default_context()`` (system trust store, host name checked).
    """

    def __init__(
        self, settings: SMTPSettings, *, tls_context: ssl.SSLContext | None = None
    ) -> None:
        self.settings = settings
        self._tls_context = tls_context

    def send(self, message: EmailMessage) -> None:
        """Hand one message to the mail server.

        :param message: a message from :func:`wallet.mail.compose`.
        :raises MailDeliveryError: when the server cannot be reached, TLS or the login fails,
            the server refuses the message, or it does not answer in time.
        """
        self.send_many([message])

    def send_many(self, messages: Sequence[EmailMessage]) -> None:
        """Hand several messages to the mail server over one connection, in order.

        Messages accepted before a failure stay accepted (the server has taken them over,
        RFC 5321 §4.1.1.4); the error says how many there were, so a caller can retry the
        rest.

        :param messages: messages from :func:`wallet.mail.compose`.
        :raises MailDeliveryError: as :meth:`send`, at the first message that fails.
        """
        batch = list(messages)
        if not batch:
            return
        step, sent = "connect", 0
        try:
            client = self._connect()
            try:
                client.ehlo()
                if self.settings.security == "starttls":
                    step = "starttls"
                    client.starttls(context=self._context())
                    client.ehlo()
                if self.settings.username is not None and self.settings.password is not None:
                    step = "login"
                    client.login(self.settings.username, self.settings.password)
                step = "send"
                for message in batch:
                    refused = client.send_message(message)
                    if refused:
                        raise smtplib.SMTPRecipientsRefused(refused)
                    sent += 1
                self._quit(client)
            finally:
                client.close()
        except (smtplib.SMTPException, OSError) as exc:
            raise MailDeliveryError(self._describe(step, exc, sent, len(batch))) from exc

    def _connect(self) -> smtplib.SMTP:
        """Open the connection (with the TLS handshake, for ``"ssl"``)."""
        settings = self.settings
        if settings.security == "ssl":
            return smtplib.SMTP_SSL(
                settings.host,
                settings.port,
                timeout=settings.timeout_seconds,
                context=self._context(),
            )
        return smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_seconds)

    def _context(self) -> ssl.SSLContext:
        return self._tls_context if self._tls_context is not None else ssl.create_default_context()

    @staticmethod
    def _quit(client: smtplib.SMTP) -> None:
        """Say goodbye; a failure here loses nothing, as every message was accepted already."""
        try:
            client.quit()
        except (smtplib.SMTPException, OSError):
            # The server took responsibility for each message at its 250 reply after DATA
            # (RFC 5321 §4.1.1.4); a lost QUIT cannot undo that, so it is not a failure.
            return

    def _describe(self, step: str, exc: BaseException, sent: int, total: int) -> str:
        """A description without recipients, password or body: step, server, error type."""
        code = getattr(exc, "smtp_code", None)
        reason = type(exc).__name__ + (f" {code}" if isinstance(code, int) else "")
        # smtplib reports a read that timed out as SMTPServerDisconnected, raised while
        # handling the TimeoutError; say what happened rather than what it was called.
        if isinstance(exc, TimeoutError) or isinstance(exc.__context__, TimeoutError):
            reason = f"no answer within {self.settings.timeout_seconds:g} s"
        return (
            f"e-mail not sent: {_STEPS[step]} the mail server "
            f"{self.settings.host}:{self.settings.port} ({reason}); "
            f"{sent} of {total} message(s) accepted"
        )
