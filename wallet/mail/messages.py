"""Build the e-mail message for one kind, language and recipient.

The result is a ``text/plain`` UTF-8 :class:`~email.message.EmailMessage` under
:data:`MAIL_POLICY`: :data:`email.policy.SMTP` (CRLF line ends, RFC 2047 encoded non-ASCII
headers) with a 7-bit body (quoted-printable or base64, lines within RFC 5322 §2.1.1) and
one repair for the subject (see :class:`MailPolicy`). Addresses go through
:func:`wallet.mail.addresses.parse_mailbox`, so no caller value can add a header. The
message is marked ``Auto-Submitted: auto-generated`` (RFC 3834 §5) so that vacation
responders stay quiet, and carries ``Content-Language`` (RFC 3282) with the language used.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from email.header import Header
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import format_datetime

from wallet.mail.addresses import parse_mailbox
from wallet.mail.catalogue import render

_HOSTNAME = re.compile(
    r"(?=[A-Za-z0-9.-]{1,253}\Z)[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
)


class MailPolicy(EmailPolicy):
    """:class:`~email.policy.EmailPolicy`, but a non-ASCII ``Subject`` is encoded by ``Header``.

    Before Python 3.13, folding a long non-ASCII unstructured header may turn the space
    between two encoded words into folding white space, which decoders drop (RFC 2047 §6.2;
    CPython gh-92081): "подтвердите адрес" arrived as "подтвердитеадрес". The older
    :class:`email.header.Header` encoder keeps every space inside an encoded word. With
    ``utf8=True`` (``smtplib`` sets it for SMTPUTF8) nothing is encoded and nothing changes.
    """

    def fold(self, name: str, value: str) -> str:
        """Fold one header for text output (see :meth:`email.policy.EmailPolicy.fold`)."""
        if self._encodes_itself(name, value):
            return self._encoded(name, value)
        folded: str = super().fold(name, value)
        return folded

    def fold_binary(self, name: str, value: str) -> bytes:
        """Fold one header for the wire (see :meth:`email.policy.EmailPolicy.fold_binary`)."""
        if self._encodes_itself(name, value):
            return self._encoded(name, value).encode("ascii")
        return super().fold_binary(name, value)

    def _encodes_itself(self, name: str, value: str) -> bool:
        return name.lower() == "subject" and not self.utf8 and not str(value).isascii()

    def _encoded(self, name: str, value: str) -> str:
        words = Header(str(value), "utf-8", header_name=name).encode(linesep=self.linesep)
        return f"{name}: {words}{self.linesep}"


#: The policy of every composed message: SMTP line ends, and a 7-bit transfer encoding
#: (quoted-printable or base64, whichever is shorter) so that no server needs 8BITMIME.
MAIL_POLICY = MailPolicy(linesep="\r\n", cte_type="7bit")


def compose(
    kind: str,
    language: str,
    *,
    to: str,
    sender: str,
    params: Mapping[str, str],
    message_id_domain: str,
    now: int,
) -> EmailMessage:
    """The e-mail of one kind, in the recipient's language, ready for :class:`SMTPMailer`.

    The ``Message-ID`` is 128 random bits at ``message_id_domain``; ``Date`` is ``now``.

    :param kind: one of :data:`wallet.mail.KINDS`, such as ``"verify_email"``.
    :param language: the account's language tag; one the catalogue lacks gives Latvian.
    :param to: the recipient, ``user@example.lv`` or ``Name <user@example.lv>``.
    :param sender: the ``From`` address, such as ``IMK maciņš <noreply@imk.lv>``.
    :param params: the parameters of ``kind`` (:data:`wallet.mail.PARAMS`), inserted as plain
        text.
    :param message_id_domain: the host name after the ``@`` of the ``Message-ID``.
    :param now: the time of sending, in Unix seconds.
    :return: the message; nothing is sent.
    :raises ValueError: for an unknown kind, missing, unexpected or malformed parameters
        (see :func:`wallet.mail.catalogue.render`), a ``to`` or ``sender`` that is not exactly
        one address or contains CR, LF or another control character, or a
        ``message_id_domain`` that is not a host name. All are programming errors: addresses
        are checked when an account is created, and the rest comes from code.
    """
    recipient = parse_mailbox(to, what="to")
    from_address = parse_mailbox(sender, what="sender")
    if not _HOSTNAME.fullmatch(message_id_domain):
        raise ValueError("message_id_domain must be a host name")
    text = render(kind, language, params)
    message = EmailMessage(policy=MAIL_POLICY)
    message["From"] = from_address
    message["To"] = recipient
    message["Subject"] = text.subject
    message["Date"] = format_datetime(datetime.fromtimestamp(now, tz=UTC))
    message["Message-ID"] = f"<{secrets.token_hex(16)}@{message_id_domain}>"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text.body, charset="utf-8")
    # After set_content, which drops every Content-* header set before it.
    message["Content-Language"] = text.language
    return message
