"""The message catalogue: every e-mail the service sends, in Latvian, English and Russian.

A message is a subject and a few paragraphs; the greeting, the sign-off and the "do not
reply" footer are added per language. ``{name}`` marks where a parameter goes. Parameters are
inserted in one pass over the template, so a value is never read as a template itself: a
credential title ``{link}`` stays ``{link}``. Values are plain text: line breaks and other
control characters become spaces (a title cannot add paragraphs or fake links of its own) and
bidirectional-override characters are dropped (they can make text read differently from how
it is stored). Latvian is the service's primary language and the fallback for any language
the catalogue does not have.

Numbers of minutes are written "30 min." in Latvian and Russian, which needs no case or
plural agreement with the number.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from urllib.parse import urlsplit

LANGUAGES = ("lv", "en", "ru")
DEFAULT_LANGUAGE = "lv"
#: The parameters each kind of message takes, all required.
PARAMS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "verify_email": ("link", "expires_minutes"),
        "reset_password": ("link", "expires_minutes"),
        "password_changed": (),
        "account_deleted": (),
        "credential_received": ("credential_title", "issuer_name", "link"),
        "credential_revoked": ("credential_title", "issuer_name", "reason"),
        "credential_suspended": ("credential_title", "issuer_name", "reason"),
        "credential_unsuspended": ("credential_title", "issuer_name"),
    }
)
KINDS = tuple(PARAMS)
#: Longest parameter value accepted, in characters.
MAX_PARAM_CHARS = 2000

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class Template:
    """One message in one language: a subject and the paragraphs of the body."""

    subject: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class RenderedText:
    """A message with its parameters filled in, and the language actually used."""

    language: str
    subject: str
    body: str


#: Per language: the greeting, the sign-off and the footer around every message.
_FRAME = {
    "lv": (
        "Labdien!",
        "Ar cieņu,\nIMK maciņš",
        "Šī vēstule ir nosūtīta automātiski, lūdzu, neatbildiet uz to.",
    ),
    "en": (
        "Hello,",
        "Kind regards,\nIMK Wallet",
        "This message was sent automatically; please do not reply to it.",
    ),
    "ru": (
        "Здравствуйте!",
        "С уважением,\nКошелёк IMK",
        "Это письмо отправлено автоматически, пожалуйста, не отвечайте на него.",
    ),
}

_LV = {
    "verify_email": Template(
        "IMK maciņš: apstipriniet savu e-pasta adresi",
        (
            "Lai pabeigtu IMK maciņa konta izveidi, apstipriniet savu e-pasta adresi, atverot šo"
            " saiti:",
            "{link}",
            "Saite ir derīga {expires_minutes} min., un to var izmantot tikai vienu reizi.",
            "Ja IMK maciņa kontu neizveidojāt jūs, neņemiet šo vēstuli vērā: bez apstiprinājuma"
            " konts netiks aktivizēts.",
        ),
    ),
    "reset_password": Template(
        "IMK maciņš: paroles atjaunošana",
        (
            "Saņēmām pieprasījumu atjaunot jūsu IMK maciņa konta paroli. Lai izvēlētos jaunu"
            " paroli, atveriet šo saiti:",
            "{link}",
            "Saite ir derīga {expires_minutes} min., un to var izmantot tikai vienu reizi.",
            "Ja paroles atjaunošanu nepieprasījāt jūs, neņemiet šo vēstuli vērā: jūsu parole"
            " netiks mainīta.",
        ),
    ),
    "password_changed": Template(
        "IMK maciņš: jūsu parole ir nomainīta",
        (
            "Jūsu IMK maciņa konta parole ir tikko nomainīta.",
            "Ja to izdarījāt jūs, nekas vairs nav jādara.",
            "Ja tie nebijāt jūs, nekavējoties atjaunojiet paroli, IMK maciņa pieteikšanās lapā"
            " izvēloties „Aizmirsāt paroli?”, un pārliecinieties, ka jūsu e-pasta konts ir"
            " drošībā.",
        ),
    ),
    "account_deleted": Template(
        "IMK maciņš: jūsu konts ir dzēsts",
        (
            "Jūsu IMK maciņa konts ir dzēsts. Šī ir pēdējā vēstule, ko par to saņemsiet.",
            "Ja konta dzēšanu nepieprasījāt jūs, lūdzu, pēc iespējas ātrāk sazinieties ar IMK"
            " atbalsta dienestu.",
        ),
    ),
    "credential_received": Template(
        "IMK maciņš: jums ir jauns apliecinājums",
        (
            "Jūsu IMK maciņā ir saņemts jauns apliecinājums.",
            "Apliecinājums: {credential_title}\nIzdevējs: {issuer_name}",
            "Lai to apskatītu, atveriet šo saiti:",
            "{link}",
        ),
    ),
    "credential_revoked": Template(
        "IMK maciņš: apliecinājums ir atsaukts",
        (
            "Izdevējs ir atsaucis apliecinājumu, kas glabājas jūsu IMK maciņā. Turpmāk tas vairs"
            " netiks atzīts par derīgu.",
            "Apliecinājums: {credential_title}\nIzdevējs: {issuer_name}\nIemesls: {reason}",
            "Ja uzskatāt, ka tā ir kļūda, lūdzu, sazinieties ar izdevēju.",
        ),
    ),
    "credential_suspended": Template(
        "IMK maciņš: apliecinājuma darbība ir apturēta",
        (
            "Izdevējs ir apturējis jūsu IMK maciņā glabātā apliecinājuma darbību. Kamēr darbība"
            " ir apturēta, apliecinājums netiks atzīts par derīgu. Izdevējs var darbību vēlāk"
            " atjaunot, un tādā gadījumā mēs jums paziņosim.",
            "Apliecinājums: {credential_title}\nIzdevējs: {issuer_name}\nIemesls: {reason}",
            "Ja jums ir jautājumi, lūdzu, sazinieties ar izdevēju.",
        ),
    ),
    "credential_unsuspended": Template(
        "IMK maciņš: apliecinājuma darbība ir atjaunota",
        (
            "Izdevējs ir atjaunojis jūsu IMK maciņā glabātā apliecinājuma darbību. Apliecinājums"
            " atkal ir derīgs.",
            "Apliecinājums: {credential_title}\nIzdevējs: {issuer_name}",
        ),
    ),
}

_EN = {
    "verify_email": Template(
        "IMK Wallet: confirm your e-mail address",
        (
            "To finish creating your IMK Wallet account, confirm your e-mail address by opening"
            " this link:",
            "{link}",
            "The link is valid for {expires_minutes} minutes and can be used only once.",
            "If you did not create an IMK Wallet account, ignore this message: the account will"
            " not be activated without confirmation.",
        ),
    ),
    "reset_password": Template(
        "IMK Wallet: reset your password",
        (
            "We received a request to reset the password of your IMK Wallet account. To choose a"
            " new password, open this link:",
            "{link}",
            "The link is valid for {expires_minutes} minutes and can be used only once.",
            "If you did not ask to reset your password, ignore this message: your password will"
            " stay as it is.",
        ),
    ),
    "password_changed": Template(
        "IMK Wallet: your password was changed",
        (
            "The password of your IMK Wallet account has just been changed.",
            "If you changed it, there is nothing more to do.",
            "If it was not you, reset your password at once with “Forgot your password?” on the"
            " IMK Wallet sign-in page, and check that your e-mail account is secure.",
        ),
    ),
    "account_deleted": Template(
        "IMK Wallet: your account was deleted",
        (
            "Your IMK Wallet account has been deleted. This is the last message you will receive"
            " about it.",
            "If you did not ask to delete your account, contact IMK support as soon as possible.",
        ),
    ),
    "credential_received": Template(
        "IMK Wallet: you have a new credential",
        (
            "A new credential has arrived in your IMK Wallet.",
            "Credential: {credential_title}\nIssued by: {issuer_name}",
            "To view it, open this link:",
            "{link}",
        ),
    ),
    "credential_revoked": Template(
        "IMK Wallet: a credential was revoked",
        (
            "The issuer has revoked a credential in your IMK Wallet. It will no longer be"
            " accepted as valid.",
            "Credential: {credential_title}\nIssued by: {issuer_name}\nReason: {reason}",
            "If you think this is a mistake, please contact the issuer.",
        ),
    ),
    "credential_suspended": Template(
        "IMK Wallet: a credential was suspended",
        (
            "The issuer has suspended a credential in your IMK Wallet. While it is suspended, it"
            " will not be accepted as valid. The issuer may lift the suspension later; if so, we"
            " will let you know.",
            "Credential: {credential_title}\nIssued by: {issuer_name}\nReason: {reason}",
            "If you have questions, please contact the issuer.",
        ),
    ),
    "credential_unsuspended": Template(
        "IMK Wallet: a credential is valid again",
        (
            "The issuer has lifted the suspension of a credential in your IMK Wallet. It is valid"
            " again.",
            "Credential: {credential_title}\nIssued by: {issuer_name}",
        ),
    ),
}

_RU = {
    "verify_email": Template(
        "Кошелёк IMK: подтвердите адрес электронной почты",
        (
            "Чтобы завершить создание учётной записи в кошельке IMK, подтвердите адрес"
            " электронной почты, перейдя по этой ссылке:",
            "{link}",
            "Ссылка действительна {expires_minutes} мин. и может быть использована только один"
            " раз.",
            "Если вы не создавали учётную запись в кошельке IMK, просто проигнорируйте это"
            " письмо: без подтверждения она не будет активирована.",
        ),
    ),
    "reset_password": Template(
        "Кошелёк IMK: сброс пароля",
        (
            "Мы получили запрос на сброс пароля вашей учётной записи в кошельке IMK. Чтобы задать"
            " новый пароль, перейдите по этой ссылке:",
            "{link}",
            "Ссылка действительна {expires_minutes} мин. и может быть использована только один"
            " раз.",
            "Если вы не запрашивали сброс пароля, просто проигнорируйте это письмо: ваш пароль"
            " останется прежним.",
        ),
    ),
    "password_changed": Template(
        "Кошелёк IMK: ваш пароль изменён",
        (
            "Пароль вашей учётной записи в кошельке IMK был только что изменён.",
            "Если это сделали вы, больше ничего делать не нужно.",
            "Если это были не вы, немедленно сбросьте пароль, нажав «Забыли пароль?» на странице"
            " входа в кошелёк IMK, и убедитесь, что ваш почтовый ящик в безопасности.",
        ),
    ),
    "account_deleted": Template(
        "Кошелёк IMK: ваша учётная запись удалена",
        (
            "Ваша учётная запись в кошельке IMK удалена. Больше писем о ней вы не получите.",
            "Если вы не запрашивали удаление учётной записи, как можно скорее свяжитесь со"
            " службой поддержки IMK.",
        ),
    ),
    "credential_received": Template(
        "Кошелёк IMK: у вас новое удостоверение",
        (
            "В ваш кошелёк IMK поступило новое удостоверение.",
            "Удостоверение: {credential_title}\nКем выдано: {issuer_name}",
            "Чтобы посмотреть его, перейдите по этой ссылке:",
            "{link}",
        ),
    ),
    "credential_revoked": Template(
        "Кошелёк IMK: удостоверение отозвано",
        (
            "Организация, выдавшая удостоверение из вашего кошелька IMK, отозвала его. Оно больше"
            " не будет считаться действительным.",
            "Удостоверение: {credential_title}\nКем выдано: {issuer_name}\nПричина: {reason}",
            "Если вы считаете, что это ошибка, свяжитесь с организацией, выдавшей удостоверение.",
        ),
    ),
    "credential_suspended": Template(
        "Кошелёк IMK: действие удостоверения приостановлено",
        (
            "Организация, выдавшая удостоверение из вашего кошелька IMK, приостановила его"
            " действие. Пока действие приостановлено, удостоверение не будет считаться"
            " действительным. Организация может позже возобновить его действие — в этом случае"
            " мы вам сообщим.",
            "Удостоверение: {credential_title}\nКем выдано: {issuer_name}\nПричина: {reason}",
            "Если у вас есть вопросы, свяжитесь с организацией, выдавшей удостоверение.",
        ),
    ),
    "credential_unsuspended": Template(
        "Кошелёк IMK: действие удостоверения возобновлено",
        (
            "Организация, выдавшая удостоверение из вашего кошелька IMK, возобновила его"
            " действие. Удостоверение снова действительно.",
            "Удостоверение: {credential_title}\nКем выдано: {issuer_name}",
        ),
    ),
}

#: Every template, by language and kind; read-only.
TEMPLATES: Mapping[str, Mapping[str, Template]] = MappingProxyType(
    {"lv": MappingProxyType(_LV), "en": MappingProxyType(_EN), "ru": MappingProxyType(_RU)}
)


def resolve_language(language: str) -> str:
    """The catalogue language for an account's language tag; Latvian when there is none.

    Only the primary subtag counts, case-insensitively: ``"ru-LV"`` and ``"RU"`` give ``"ru"``.

    :param language: a language tag such as ``"lv"``, ``"en-GB"`` or ``"ru_RU"``.
    :return: one of :data:`LANGUAGES`.
    """
    primary = language.strip().replace("_", "-").split("-", 1)[0].lower()
    return primary if primary in LANGUAGES else DEFAULT_LANGUAGE


def render(kind: str, language: str, params: Mapping[str, str]) -> RenderedText:
    """Fill in the subject and body of one message.

    :param kind: one of :data:`KINDS`.
    :param language: the account's language tag (see :func:`resolve_language`).
    :param params: exactly the parameters :data:`PARAMS` lists for ``kind``, as text.
    :return: the subject, the body and the language used.
    :raises ValueError: for an unknown kind, a missing or unexpected parameter, a value over
        :data:`MAX_PARAM_CHARS`, a ``link`` that is not an absolute http(s) URL without spaces,
        or an ``expires_minutes`` that is not a positive whole number. These are programming
        errors of the caller, not input errors of a user.
    """
    if kind not in PARAMS:
        raise ValueError(f"unknown kind of e-mail: {kind!r}")
    expected = set(PARAMS[kind])
    missing, unexpected = expected - set(params), set(params) - expected
    if missing or unexpected:
        raise ValueError(
            f"e-mail {kind!r} takes the parameters {sorted(expected)}; "
            f"missing {sorted(missing)}, unexpected {sorted(unexpected)}"
        )
    values = {name: _plain_value(name, params[name]) for name in expected}
    used = resolve_language(language)
    template = TEMPLATES[used][kind]
    greeting, closing, footer = _FRAME[used]
    paragraphs = [_PLACEHOLDER.sub(lambda m: values[m.group(1)], p) for p in template.paragraphs]
    body = "\n\n".join([greeting, *paragraphs, closing, footer]) + "\n"
    return RenderedText(language=used, subject=template.subject, body=body)


def _plain_value(name: str, value: str) -> str:
    """Check one parameter value and make it a single line of plain text."""
    if not isinstance(value, str):
        raise ValueError(f"e-mail parameter {name!r} must be text")
    if len(value) > MAX_PARAM_CHARS:
        raise ValueError(f"e-mail parameter {name!r} is longer than {MAX_PARAM_CHARS} characters")
    if name == "link":
        parts = urlsplit(value)
        spaced = any(c.isspace() or not c.isprintable() for c in value)
        if parts.scheme not in ("https", "http") or not parts.netloc or spaced:
            raise ValueError("e-mail parameter 'link' must be an absolute http(s) URL, no spaces")
        return value
    if name == "expires_minutes":
        if not (value.isascii() and value.isdecimal() and int(value) > 0):
            raise ValueError("e-mail parameter 'expires_minutes' must be a positive whole number")
        return str(int(value))
    return _BREAKS.sub(" ", _BIDI_CONTROLS.sub("", value)).strip()
