"""The directory mailer of demo mode: each message is a private .eml file, in order."""

from __future__ import annotations

import stat
from email import message_from_bytes
from email.policy import default

import pytest

from tests.conftest import NOW
from wallet.errors import MailDeliveryError
from wallet.mail import DirectoryMailer, compose


def message(to: str):
    return compose(
        "verify_email", "lv", to=to, sender="IMK maciņš <noreply@wallet.test>",
        params={"link": "https://wallet.test/verify-email?token=abc", "expires_minutes": "60"},
        message_id_domain="wallet.test", now=NOW,
    )  # fmt: skip


def test_messages_are_written_as_private_files_in_order(tmp_path):
    mailer = DirectoryMailer(tmp_path / "mail")
    mailer.send(message("first@example.lv"))
    mailer.send(message("second@example.lv"))
    files = sorted((tmp_path / "mail").glob("*.eml"))
    assert [f.name[:6] for f in files] == ["000001", "000002"]
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)
    parsed = message_from_bytes(files[0].read_bytes(), policy=default)
    assert parsed["To"] == "first@example.lv"
    assert "https://wallet.test/verify-email?token=abc" in parsed.get_body(("plain",)).get_content()


def test_unwritable_folder_is_a_delivery_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(MailDeliveryError):
        DirectoryMailer(blocker / "mail").send(message("x@example.lv"))
