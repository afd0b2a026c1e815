"""Checked e-mail addresses for message headers: one mailbox, and nothing that adds a header.

An address reaches a header only through :func:`parse_mailbox`, which refuses carriage
returns, line feeds and every other control character before the value is parsed (header
injection: ``"a@b.lv\\r\\nBcc: c@d.lv"``), and refuses anything that is not exactly one
``local@domain`` mailbox with an optional display name (RFC 5322 §3.4). Non-ASCII display
names are fine (the SMTP policy encodes them, RFC 2047); non-ASCII mailboxes need a server
that offers SMTPUTF8 (RFC 6531), which ``smtplib`` asks for when it sends.
"""

from __future__ import annotations

import re
from email.errors import HeaderParseError, NonASCIILocalPartDefect
from email.headerregistry import Address
from email.policy import SMTP

#: Longest address accepted, display name included, in characters.
MAX_ADDRESS_CHARS = 320

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def parse_mailbox(value: str, *, what: str) -> Address:
    """Parse one mailbox (``user@example.lv`` or ``Name <user@example.lv>``).

    :param value: the address as text.
    :param what: what the address is for (``"to"``, ``"sender"``), named in the error.
    :return: the parsed address, ready to be set as a header value.
    :raises ValueError: for control characters (CR and LF included), a value over
        :data:`MAX_ADDRESS_CHARS`, a parse defect, no address, or more than one.
    """
    if _CONTROL.search(value):
        raise ValueError(f"{what}: control characters (such as CR or LF) are not allowed")
    if len(value) > MAX_ADDRESS_CHARS:
        raise ValueError(f"{what}: longer than {MAX_ADDRESS_CHARS} characters")
    try:
        header = SMTP.header_factory(what, value)
    except (HeaderParseError, IndexError) as exc:
        # The stdlib parser raises IndexError on some truncated input, such as "a@".
        raise ValueError(f"{what}: not a valid e-mail address") from exc
    # A UTF-8 local part is allowed (RFC 6532 §3.2); every other defect is not.
    defects = [d for d in header.defects if not isinstance(d, NonASCIILocalPartDefect)]
    groups = header.groups
    if defects or len(groups) != 1 or groups[0].display_name is not None:
        raise ValueError(f"{what}: not exactly one valid e-mail address")
    addresses: tuple[Address, ...] = groups[0].addresses
    if len(addresses) != 1:
        raise ValueError(f"{what}: not exactly one valid e-mail address")
    address = addresses[0]
    if not address.username or not address.domain:
        raise ValueError(f"{what}: not exactly one valid e-mail address")
    return address
