"""wallet.intake.archive: zip archives are read in memory with every cap, or refused.

The archives are made here with :mod:`zipfile` (the zip bomb streams its zeros, so the test
never holds them); headers are edited byte by byte where an archive must lie.
"""

from __future__ import annotations

import io
import stat
import struct
import zipfile

import pytest

from wallet.errors import IntakeError, PayloadTooLargeError
from wallet.intake.archive import ArchiveLimits, read_zip

MB = 1024 * 1024


def archive(files: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as handle:
        for name, data in files.items():
            handle.writestr(name, data)
    return buffer.getvalue()


def refused(data: bytes, limits: ArchiveLimits | None = None) -> str:
    with pytest.raises(IntakeError) as caught:
        read_zip(data, source="batch.zip", limits=limits)
    return caught.value.reason


def test_members_are_read_in_order_without_directories() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as handle:
        handle.mkdir("june")
        handle.writestr("june/a.xml", b"<a/>")
        handle.writestr("june/b.xml", b"<b/>")
    members = read_zip(buffer.getvalue(), source="batch.zip")
    assert [(m.name, m.data) for m in members] == [("june/a.xml", b"<a/>"), ("june/b.xml", b"<b/>")]


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("../evil.xml", id="dot-dot"),
        pytest.param("june/../../evil.xml", id="dot-dot-inside"),
        pytest.param("/etc/evil.xml", id="absolute"),
        pytest.param("june\\..\\evil.xml", id="backslash"),
        pytest.param("C:/evil.xml", id="drive"),
        pytest.param("./evil.xml", id="dot"),
    ],
)
def test_unsafe_names_are_refused(name: str) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as handle:
        info = zipfile.ZipInfo("placeholder.xml")
        info.filename = name  # ZipInfo would normalise the name; an attacker's tool does not.
        handle.writestr(info, b"<a/>")
    assert refused(buffer.getvalue()) == "zip_path"


def test_symbolic_link_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as handle:
        info = zipfile.ZipInfo("link.xml")
        info.create_system = 3
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        handle.writestr(info, "/etc/passwd")
    assert refused(buffer.getvalue()) == "zip_path"


def test_duplicate_names_are_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as handle, pytest.warns(UserWarning, match="Duplicate"):
        handle.writestr("a.xml", b"<a/>")
        handle.writestr("a.xml", b"<b/>")
    assert refused(buffer.getvalue()) == "zip_path"


def test_encrypted_member_is_refused() -> None:
    data = bytearray(archive({"a.xml": b"<a/>"}, compression=zipfile.ZIP_STORED))
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.index(signature) + offset
        data[at] |= 0x01  # The "encrypted" flag bit.
    assert refused(bytes(data)) == "zip_path"


def test_too_many_members_are_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as handle:
        for index in range(10_001):
            handle.writestr(f"{index}.xml", b"")
    assert refused(buffer.getvalue()) == "too_many_members"


def test_member_count_is_checked_before_zipfile_reads_the_directory(monkeypatch) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as handle:
        for index in range(30):
            handle.writestr(f"{index:040d}.xml", b"")
    data = bytearray(buffer.getvalue())
    end = data.rindex(b"PK\x05\x06")
    data[end + 8 : end + 12] = struct.pack("<HH", 1, 1)  # The end record claims one member.
    monkeypatch.setattr(zipfile, "ZipFile", None)  # Never reached.
    # The directory's size gives it away: 30 records of 86 bytes, for at most 1 member.
    assert refused(bytes(data), ArchiveLimits(max_members=1)) == "too_many_members"


def test_zip_bomb_is_refused_by_its_ratio_before_it_is_read() -> None:
    # 10 MB of zeros deflate to about 10 KB: a ratio of 1000.
    assert refused(archive({"bomb.xml": bytes(10 * MB)})) == "zip_bomb"


def test_zip_bomb_over_every_cap_is_refused_by_its_declared_size() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as handle:
        with handle.open("bomb.xml", "w", force_zip64=True) as member:
            chunk = bytes(MB)
            for _ in range(210):
                member.write(chunk)
    with pytest.raises(PayloadTooLargeError):
        read_zip(buffer.getvalue(), source="batch.zip")


def test_total_size_is_capped() -> None:
    files = {f"{index}.xml": bytes(range(256)) * 4096 for index in range(3)}  # 1 MB each.
    limits = ArchiveLimits(max_member_bytes=2 * MB, max_total_bytes=2 * MB + 1)
    with pytest.raises(PayloadTooLargeError):
        read_zip(archive(files, compression=zipfile.ZIP_STORED), source="b.zip", limits=limits)


def set_uncompressed_size(data: bytes, size: int) -> bytes:
    """Rewrite the uncompressed size in the local header and the central directory."""
    patched = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = patched.index(signature) + offset
        patched[at : at + 4] = struct.pack("<I", size)
    return bytes(patched)


def test_member_larger_than_its_header_says_stops_at_the_header() -> None:
    # The header says 1 KB for 3 MB: the declared size passes every check, and reading stops
    # at the cap; the CRC of what was read then fails, so nothing is returned.
    data = set_uncompressed_size(archive({"a.xml": b"<a>" + b"x" * 3 * MB + b"</a>"}), 1024)
    limits = ArchiveLimits(max_member_bytes=2 * MB, max_ratio=10_000)
    assert refused(data, limits) == "zip"


def test_member_smaller_than_its_header_says_is_refused() -> None:
    data = set_uncompressed_size(archive({"a.xml": b"<a/>"}, compression=zipfile.ZIP_STORED), 8)
    assert refused(data) == "zip"


def test_not_a_zip_is_refused() -> None:
    assert refused(b"<elmo/>") == "zip"


def test_archive_itself_over_the_cap_is_refused() -> None:
    with pytest.raises(PayloadTooLargeError):
        read_zip(b"PK" + bytes(100), source="b.zip", limits=ArchiveLimits(max_total_bytes=50))
