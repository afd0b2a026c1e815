"""Outgoing e-mail: the message catalogue (lv, en, ru), message composition, SMTP delivery.

:func:`compose` builds a message of one of :data:`KINDS` in the account's language (Latvian
when the catalogue lacks it); :class:`SMTPMailer` hands it to the mail server configured by
:class:`SMTPSettings`, and raises :class:`wallet.errors.MailDeliveryError` when it cannot.
This package imports nothing of ``wallet`` but ``errors``, and logs nothing.
"""

from wallet.mail.catalogue import DEFAULT_LANGUAGE, KINDS, LANGUAGES, PARAMS, resolve_language
from wallet.mail.files import DirectoryMailer
from wallet.mail.messages import compose
from wallet.mail.smtp import SECURITY_MODES, Security, SMTPMailer, SMTPSettings

__all__ = [
    "DEFAULT_LANGUAGE",
    "DirectoryMailer",
    "KINDS",
    "LANGUAGES",
    "PARAMS",
    "SECURITY_MODES",
    "SMTPMailer",
    "SMTPSettings",
    "Security",
    "compose",
    "resolve_language",
]
