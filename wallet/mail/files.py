"""A mailer that writes each message as an ``.eml`` file (demo mode and development).

``make run`` has no mail server; with ``IMK_MAIL_DIR`` (demo mode sets it to
``IMK_DATA_DIR/mail`` unless ``IMK_SMTP_HOST`` is given) every message the service sends is
written there, readable by any mail program or text editor, so the links of verification
and reset mails can be followed. Files are private to the service's user (mode 0600).
"""

from __future__ import annotations

import os
import uuid
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

from wallet.errors import MailDeliveryError


class DirectoryMailer:
    """Writes messages to a directory instead of sending them."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, message: EmailMessage) -> None:
        """Write ``message`` as ``<n>-<random>.eml`` (numbered in order of writing).

        :raises MailDeliveryError: when the folder cannot be written.
        """
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            count = len(list(self.folder.glob("*.eml")))
            path = self.folder / f"{count + 1:06d}-{uuid.uuid4().hex[:8]}.eml"
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(message.as_bytes(policy=SMTP))
        except OSError as exc:
            raise MailDeliveryError(
                f"could not write the message ({exc.__class__.__name__})"
            ) from exc
