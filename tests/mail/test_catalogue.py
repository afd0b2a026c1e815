"""The message catalogue: complete, consistent, in the right language, and strict about params."""

from __future__ import annotations

import re

import pytest

from wallet.mail import DEFAULT_LANGUAGE, KINDS, LANGUAGES, PARAMS, resolve_language
from wallet.mail.catalogue import MAX_PARAM_CHARS, TEMPLATES, render

SAMPLE = {
    "link": "https://wallet.test/konts/apstiprinat?token=Zx9_aB-3&lang=lv",
    "expires_minutes": "45",
    "credential_title": "Programmēšanas pamati (Python), 4 KP",
    "issuer_name": "Rīgas Tehniskā universitāte",
    "reason": "Kļūda sekmju izrakstā",
}
CASES = [(kind, language) for kind in KINDS for language in LANGUAGES]
#: A word (case-insensitive) that the subject or body of each kind has in each language.
KIND_WORDS = {
    "verify_email": {"lv": "apstipriniet", "en": "confirm", "ru": "подтвердите"},
    "reset_password": {"lv": "atjaunot", "en": "reset", "ru": "сброс"},
    "password_changed": {"lv": "nomainīta", "en": "changed", "ru": "изменён"},
    "account_deleted": {"lv": "dzēsts", "en": "deleted", "ru": "удалена"},
    "credential_received": {"lv": "jauns apliecinājums", "en": "new credential", "ru": "новое"},
    "credential_revoked": {"lv": "atsau", "en": "revoked", "ru": "отозва"},
    "credential_suspended": {"lv": "apturēta", "en": "suspended", "ru": "приостановлен"},
    "credential_unsuspended": {"lv": "atjauno", "en": "lifted", "ru": "возобнов"},
}
GREETINGS = {"lv": "Labdien!", "en": "Hello,", "ru": "Здравствуйте!"}
PRODUCT = {"lv": "IMK maciņ", "en": "IMK Wallet", "ru": "кошел"}
LATVIAN_LETTERS = set("āčēģīķļņšūžĀČĒĢĪĶĻŅŠŪŽ")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")


def params_for(kind: str) -> dict[str, str]:
    return {name: SAMPLE[name] for name in PARAMS[kind]}


def test_every_kind_is_written_in_every_language() -> None:
    assert set(KINDS) == set(KIND_WORDS)
    assert DEFAULT_LANGUAGE == "lv"
    assert set(TEMPLATES) == set(LANGUAGES) == {"lv", "en", "ru"}
    for language in LANGUAGES:
        assert set(TEMPLATES[language]) == set(KINDS), language


@pytest.mark.parametrize(("kind", "language"), CASES)
def test_templates_use_exactly_their_parameters(kind: str, language: str) -> None:
    template = TEMPLATES[language][kind]
    used = {name for p in template.paragraphs for name in re.findall(r"\{([a-z_]+)\}", p)}
    assert used == set(PARAMS[kind])
    assert "{" not in template.subject and "}" not in template.subject
    for paragraph in template.paragraphs:
        stripped = re.sub(r"\{[a-z_]+\}", "", paragraph)
        assert "{" not in stripped and "}" not in stripped, paragraph


@pytest.mark.parametrize(("kind", "language"), CASES)
def test_render_gives_the_language_text_with_every_parameter(kind: str, language: str) -> None:
    text = render(kind, language, params_for(kind))
    assert text.language == language
    whole = f"{text.subject}\n{text.body}"
    assert text.body.startswith(GREETINGS[language] + "\n\n")
    assert PRODUCT[language].casefold() in whole.casefold()
    assert KIND_WORDS[kind][language] in whole.casefold()
    for name in PARAMS[kind]:
        assert SAMPLE[name] in text.body, name
    if "link" in PARAMS[kind]:
        # The link stands on a line of its own, so that mail clients make it clickable.
        assert f"\n{SAMPLE['link']}\n" in text.body


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_language_is_written_in_its_own_script(language: str) -> None:
    texts = [
        f"{TEMPLATES[language][kind].subject}\n{render(kind, language, params_for(kind)).body}"
        for kind in KINDS
    ]
    # The samples are Latvian; take them out before looking at the catalogue's own words.
    own = "\n".join(texts)
    for value in SAMPLE.values():
        own = own.replace(value, "")
    letters = set(own)
    if language == "lv":
        assert len(letters & LATVIAN_LETTERS) >= 8, sorted(letters & LATVIAN_LETTERS)
        assert not CYRILLIC.search(own)
    elif language == "ru":
        assert len(CYRILLIC.findall(own)) > len(own) // 2
        assert not letters & LATVIAN_LETTERS
    else:
        assert not CYRILLIC.search(own)
        assert not letters & LATVIAN_LETTERS


@pytest.mark.parametrize("language", LANGUAGES)
def test_subjects_tell_the_kinds_apart(language: str) -> None:
    subjects = [TEMPLATES[language][kind].subject for kind in KINDS]
    assert len(set(subjects)) == len(KINDS)


@pytest.mark.parametrize("language", LANGUAGES)
def test_password_changed_says_to_reset_the_password_if_it_was_not_you(language: str) -> None:
    body = render("password_changed", language, {}).body.casefold()
    expected = {
        "lv": ("ja tie nebijāt jūs", "atjaunojiet paroli"),
        "en": ("if it was not you", "reset your password"),
        "ru": ("если это были не вы", "сбросьте пароль"),
    }[language]
    for phrase in expected:
        assert phrase in body


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("lv", "lv"),
        ("LV", "lv"),
        ("en", "en"),
        ("en-GB", "en"),
        ("ru_RU", "ru"),
        (" ru-LV ", "ru"),
        ("de", "lv"),
        ("", "lv"),
        ("latvian", "lv"),
    ],
)
def test_language_tags_resolve_with_latvian_as_fallback(tag: str, expected: str) -> None:
    assert resolve_language(tag) == expected
    assert render("account_deleted", tag, {}).language == expected


def test_unknown_language_gets_the_latvian_text() -> None:
    assert render("account_deleted", "fr", {}) == render("account_deleted", "lv", {})


def test_parameters_are_inserted_literally_never_as_templates() -> None:
    title = "{link} {reason} {{x}} {0} {__class__}"
    text = render(
        "credential_revoked",
        "en",
        {"credential_title": title, "issuer_name": "{issuer_name}", "reason": "{}"},
    )
    assert f"Credential: {title}\n" in text.body
    assert "Issued by: {issuer_name}\n" in text.body
    assert "Reason: {}\n" in text.body


def test_parameters_cannot_add_lines_or_reorder_text() -> None:
    title = "Kurss\r\n\r\nJūsu parole ir nozagta!\nhttps://evil.test\u202e\u2066gnp.exe"
    body = render(
        "credential_unsuspended", "lv", {"credential_title": title, "issuer_name": "RTU\tLV"}
    ).body
    assert "Apliecinājums: Kurss Jūsu parole ir nozagta! https://evil.testgnp.exe\n" in body
    assert "Izdevējs: RTU LV\n" in body
    assert "\u202e" not in body and "\u2066" not in body and "\r" not in body


@pytest.mark.parametrize(
    ("kind", "params", "message"),
    [
        ("welcome", {}, "unknown kind"),
        ("verify_email", {"link": SAMPLE["link"]}, "missing ['expires_minutes']"),
        ("account_deleted", {"link": SAMPLE["link"]}, "unexpected ['link']"),
        ("verify_email", {"link": "javascript:alert(1)", "expires_minutes": "5"}, "link"),
        ("verify_email", {"link": "/relative/path", "expires_minutes": "5"}, "link"),
        ("verify_email", {"link": "https://a.test/x y", "expires_minutes": "5"}, "link"),
        ("verify_email", {"link": "https://a.test/\n", "expires_minutes": "5"}, "link"),
        ("verify_email", {"link": SAMPLE["link"], "expires_minutes": "0"}, "expires_minutes"),
        ("verify_email", {"link": SAMPLE["link"], "expires_minutes": "-5"}, "expires_minutes"),
        ("verify_email", {"link": SAMPLE["link"], "expires_minutes": "٣"}, "expires_minutes"),
        (
            "credential_unsuspended",
            {"credential_title": "x" * (MAX_PARAM_CHARS + 1), "issuer_name": "RTU"},
            "longer than",
        ),
    ],
)
def test_programming_errors_are_refused(kind: str, params: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        render(kind, "lv", params)
