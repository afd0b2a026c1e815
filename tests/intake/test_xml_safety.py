"""wallet.intake.xml_safety: the XML attacks of reference/security.md §2 K, each refused.

Each input is written here; none of them may make the reader open a file, reach the
network or expand without end. The canary file checks that an external entity is never read.
"""

from __future__ import annotations

import io
import mmap
import time
from pathlib import Path

import pytest
from lxml import etree

from tests.intake.elmo_fixtures import elmo, issuer_entry, to_bytes
from wallet.errors import IntakeError, PayloadTooLargeError
from wallet.intake import xml_safety
from wallet.intake.elmo import read_elmo
from wallet.intake.xml_safety import MAX_XML_BYTES, parse_xml, read_limited

MB = 1024 * 1024
TRUST = issuer_entry(allow_unsigned=True)
ELMO_NS = "https://github.com/emrex-eu/elmo-schemas/tree/v1"


LAUGHS = '<!ENTITY l0 "lol">' + "".join(
    f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
)
#: Each attack; CANARY stands for the path of a file that must never be read.
DOCTYPE_ATTACKS = [
    pytest.param(
        '<?xml version="1.0"?><!DOCTYPE e [<!ENTITY x SYSTEM "file://CANARY">]>'
        f'<elmo xmlns="{ELMO_NS}"><learner><givenNames>&x;</givenNames></learner></elmo>',
        id="xxe-file",
    ),
    pytest.param(
        '<!DOCTYPE e [<!ENTITY x SYSTEM "http://169.254.169.254/latest/meta-data/">]>'
        f'<elmo xmlns="{ELMO_NS}">&x;</elmo>',
        id="xxe-network",
    ),
    pytest.param('<!DOCTYPE e [<!ENTITY % p SYSTEM "file://CANARY"> %p;]><elmo/>', id="pe"),
    pytest.param(f"<!DOCTYPE lolz [{LAUGHS}]><elmo>&l9;</elmo>", id="billion-laughs"),
    pytest.param(
        '<!DOCTYPE e [<!ENTITY a "' + "a" * 100_000 + '">]><elmo>' + "&a;" * 10_000 + "</elmo>",
        id="quadratic-blowup",
    ),
    pytest.param('<!DOCTYPE elmo SYSTEM "file://CANARY"><elmo/>', id="external-dtd"),
    pytest.param(
        '<!DOCTYPE elmo PUBLIC "-//X//DTD X//EN" "http://example.com/x.dtd"><elmo/>',
        id="external-dtd-network",
    ),
    pytest.param("<!doctype elmo><elmo/>", id="lower-case-doctype"),
]


@pytest.fixture
def canary(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text("CANARY-7f3a")
    return path


@pytest.mark.parametrize("attack", DOCTYPE_ATTACKS)
def test_any_doctype_is_refused(canary: Path, attack: str, monkeypatch) -> None:
    parsed = []
    monkeypatch.setattr(xml_safety.etree, "fromstring", lambda *a: parsed.append(a))
    started = time.monotonic()
    with pytest.raises(IntakeError) as caught:
        data = attack.replace("CANARY", str(canary)).encode()
        read_elmo(data, source="attack.xml", trust=TRUST)
    assert caught.value.reason == "doctype"
    assert "DOCTYPE" in caught.value.description
    assert "CANARY" not in caught.value.description
    assert parsed == [], "the parser saw a file with a DOCTYPE"
    assert time.monotonic() - started < 5


def test_parser_alone_resolves_nothing(canary: Path) -> None:
    """Defence in depth: even past the DOCTYPE rule, the parser settings expand nothing."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False
    )
    attack = f'<!DOCTYPE e [<!ENTITY x SYSTEM "file://{canary}">]><e>&x;</e>'
    root = etree.fromstring(attack.encode(), parser)
    assert "CANARY" not in etree.tostring(root).decode()


def test_xinclude_is_not_processed(canary: Path) -> None:
    data = (
        f'<elmo xmlns="{ELMO_NS}" xmlns:xi="http://www.w3.org/2001/XInclude">'
        f'<learner><givenNames><xi:include href="file://{canary}" parse="text"/></givenNames>'
        "</learner></elmo>"
    ).encode()
    root = parse_xml(data, source="x.xml")
    assert "CANARY" not in etree.tostring(root).decode()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        pytest.param("<elmo>".encode("utf-16"), "encoding", id="utf-16-bom"),
        pytest.param("<elmo/>".encode("utf-16-le"), "encoding", id="utf-16-no-bom"),
        pytest.param(
            b'<?xml version="1.0" encoding="windows-1257"?><elmo/>', "encoding", id="cp1257"
        ),
        pytest.param(b'<?xml version="1.0" encoding="UTF-7"?><elmo/>', "encoding", id="utf-7"),
        pytest.param(b"<elmo><learner></elmo>", "not_xml", id="not-well-formed"),
        pytest.param(b"<elmo>\xff</elmo>", "not_xml", id="not-utf-8"),
        pytest.param(b"<a>" * 300 + b"</a>" * 300, "not_xml", id="300-deep"),
        pytest.param(b"", "not_xml", id="empty"),
    ],
)
def test_malformed_input_is_refused(data: bytes, reason: str) -> None:
    with pytest.raises(IntakeError) as caught:
        parse_xml(data, source="bad.xml")
    assert caught.value.reason == reason


def test_utf8_declarations_and_bom_are_read() -> None:
    for data in (
        b'<?xml version="1.0" encoding="UTF-8"?><elmo/>',
        b"<?xml version='1.0' encoding='utf8'?><elmo/>",
        b'\xef\xbb\xbf<?xml version="1.0"?><elmo/>',
    ):
        assert etree.QName(parse_xml(data, source="ok.xml")).localname == "elmo"


def test_too_many_tags_are_refused_before_parsing(monkeypatch) -> None:
    monkeypatch.setattr(xml_safety, "MAX_XML_TAGS", 100)
    with pytest.raises(IntakeError) as caught:
        parse_xml(b"<e>" + b"<a/>" * 101 + b"</e>", source="many.xml")
    assert caught.value.reason == "not_xml"


def test_size_cap_is_checked_before_parsing(monkeypatch) -> None:
    data = to_bytes(elmo())
    parsed = []
    monkeypatch.setattr(xml_safety.etree, "fromstring", lambda *a: parsed.append(a))
    with pytest.raises(PayloadTooLargeError):
        read_elmo(data, source="big.xml", trust=TRUST, max_bytes=len(data) - 1)
    assert parsed == []


def test_a_real_200_mb_file_is_refused_quickly(tmp_path: Path, monkeypatch) -> None:
    # A sparse file: 200 MB long, no disk used. Read through the cap, only the cap plus one
    # byte is read; mapped whole, the length alone refuses it, before a page is touched.
    path = tmp_path / "huge.xml"
    with path.open("wb") as handle:
        handle.write(b"<elmo>")
        handle.truncate(200 * MB)
    parsed = []
    monkeypatch.setattr(xml_safety.etree, "fromstring", lambda *a: parsed.append(a))
    started = time.monotonic()
    with path.open("rb") as handle, pytest.raises(PayloadTooLargeError):
        read_limited(handle, max_bytes=MAX_XML_BYTES, what="huge.xml")
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as whole:
        assert len(whole) == 200 * MB
        with pytest.raises(PayloadTooLargeError):
            read_elmo(whole, source="huge.xml", trust=TRUST)  # The default cap of 20 MB.
    assert parsed == []
    assert time.monotonic() - started < 10


def test_read_limited_returns_what_fits() -> None:
    assert read_limited(io.BytesIO(b"12345"), max_bytes=5, what="x") == b"12345"
    with pytest.raises(PayloadTooLargeError):
        read_limited(io.BytesIO(b"123456"), max_bytes=5, what="x")
