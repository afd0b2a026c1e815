"""Reading a .zip of batch files into memory, safely: nothing is ever extracted to disk.

The checks (``reference/security.md`` §2 K11 and N): the member count; each member's
declared size, compression ratio and name before anything is decompressed; the total
declared size; then, while reading, the bytes actually produced, so a member whose header
understates its size stops at the cap. Names with ``..``, an absolute path, a drive letter
or a backslash, symbolic links, encrypted members and duplicate names refuse the archive.
"""

from __future__ import annotations

import io
import stat
import struct
import zipfile
from dataclasses import dataclass

from wallet.errors import IntakeError, PayloadTooLargeError
from wallet.intake.xml_safety import MAX_XML_BYTES

__all__ = ["ArchiveLimits", "ArchiveMember", "read_zip"]

_CHUNK = 64 * 1024
_END = b"PK\x05\x06"
_END64_LOCATOR = b"PK\x06\x07"
_END64 = b"PK\x06\x06"
#: Central-directory bytes allowed per member: a record is 46 bytes plus the member's name,
#: extra field and comment.
_DIRECTORY_BYTES_PER_MEMBER = 1024
# Below this size a high ratio is harmless (a short run of spaces compresses 100:1 too).
_RATIO_FLOOR = 1024 * 1024


@dataclass(frozen=True)
class ArchiveLimits:
    """The caps of one archive; the defaults suit a batch of a few thousand ELMO files.

    :param max_members: members, directories included.
    :param max_member_bytes: uncompressed bytes of one member.
    :param max_total_bytes: uncompressed bytes of all members, and compressed bytes of the
        archive itself.
    :param max_ratio: uncompressed / compressed size of a member (and of the whole) above
        ``_RATIO_FLOOR``; XML compresses about 5-20 times, a zip bomb thousands of times.
    """

    max_members: int = 10_000
    max_member_bytes: int = MAX_XML_BYTES
    max_total_bytes: int = 200 * 1024 * 1024
    max_ratio: int = 100


@dataclass(frozen=True)
class ArchiveMember:
    """One file of the archive, read into memory."""

    name: str
    data: bytes


def read_zip(
    data: bytes, *, source: str, limits: ArchiveLimits | None = None
) -> list[ArchiveMember]:
    """Every file of the zip archive ``data``, in archive order (directories are skipped).

    :param source: names the archive in messages ("batch.zip").
    :raises PayloadTooLargeError: the archive, a member or the total over its cap.
    :raises IntakeError: not a zip archive (``zip``), too many members
        (``too_many_members``), an unsafe name, link or encrypted member (``zip_path``),
        a compression ratio of a zip bomb (``zip_bomb``), or a damaged member (``zip``).
    """
    limits = limits or ArchiveLimits()
    if len(data) > limits.max_total_bytes:
        raise PayloadTooLargeError(
            f"{source} is larger than the limit of {limits.max_total_bytes:,} bytes"
        )
    _check_directory(data, source, limits)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise IntakeError(f"{source} is not a readable zip archive", reason="zip") from exc
    with archive:
        infos = archive.infolist()
        if len(infos) > limits.max_members:
            raise IntakeError(
                f"{source} has {len(infos):,} members; the limit is {limits.max_members:,}",
                reason="too_many_members",
            )
        _check_headers(infos, source, limits)
        files = [info for info in infos if not info.is_dir()]
        members: list[ArchiveMember] = []
        total = 0
        for info in files:
            content = _read_member(archive, info, source, limits, limits.max_total_bytes - total)
            total += len(content)
            members.append(ArchiveMember(info.filename, content))
    return members


def _check_directory(data: bytes, source: str, limits: ArchiveLimits) -> None:
    """Refuse too many members from the end record, before zipfile makes an object per member.

    The count there may lie, so the directory's size is capped too. What this does not find
    (no end record) zipfile refuses.
    """
    at = data.rfind(_END, max(0, len(data) - 22 - 0xFFFF))
    if at < 0 or at + 22 > len(data):
        return
    entries, size = struct.unpack_from("<HI", data, at + 10)
    locator = at - 20
    if (entries == 0xFFFF or size == 0xFFFFFFFF) and data[locator : locator + 4] == _END64_LOCATOR:
        (record,) = struct.unpack_from("<Q", data, locator + 8)
        if data[record : record + 4] == _END64 and record + 56 <= len(data):
            entries, size = struct.unpack_from("<QQ", data, record + 32)
    if entries > limits.max_members or size > limits.max_members * _DIRECTORY_BYTES_PER_MEMBER:
        raise IntakeError(
            f"{source} has more than {limits.max_members:,} members", reason="too_many_members"
        )


def _check_headers(infos: list[zipfile.ZipInfo], source: str, limits: ArchiveLimits) -> None:
    seen: set[str] = set()
    declared = compressed = 0
    for info in infos:
        name = info.filename
        where = f"{source}: member {name!r}"
        if _unsafe_name(name):
            raise IntakeError(
                f"{where} has an unsafe path (absolute, '..', a drive or a backslash)",
                reason="zip_path",
            )
        if name in seen:
            raise IntakeError(f"{where} appears twice", reason="zip_path")
        seen.add(name)
        if info.create_system == 3 and stat.S_ISLNK(info.external_attr >> 16):
            raise IntakeError(f"{where} is a symbolic link", reason="zip_path")
        if info.flag_bits & 0x1:
            raise IntakeError(f"{where} is encrypted", reason="zip_path")
        if info.file_size > limits.max_member_bytes:
            raise PayloadTooLargeError(
                f"{where} is larger than the limit of {limits.max_member_bytes:,} bytes"
            )
        if info.file_size > _RATIO_FLOOR and info.file_size > limits.max_ratio * max(
            info.compress_size, 1
        ):
            raise IntakeError(f"{where} is compressed like a zip bomb", reason="zip_bomb")
        declared += info.file_size
        compressed += info.compress_size
    if declared > limits.max_total_bytes:
        raise PayloadTooLargeError(
            f"{source} unpacks to more than the limit of {limits.max_total_bytes:,} bytes"
        )
    if declared > _RATIO_FLOOR and declared > limits.max_ratio * max(compressed, 1):
        raise IntakeError(f"{source} is compressed like a zip bomb", reason="zip_bomb")


def _unsafe_name(name: str) -> bool:
    if not name or "\\" in name or "\x00" in name or name.startswith("/"):
        return True
    if len(name) > 1 and name[1] == ":":
        return True
    return any(part in ("..", ".") for part in name.split("/"))


def _read_member(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    source: str,
    limits: ArchiveLimits,
    total_left: int,
) -> bytes:
    """The member's bytes, counted as they come: the header's sizes are not trusted."""
    where = f"{source}: member {info.filename!r}"
    cap = min(limits.max_member_bytes, total_left)
    buffer = bytearray()
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(min(_CHUNK, cap + 1 - len(buffer))):
                buffer += chunk
                if len(buffer) > cap:
                    raise PayloadTooLargeError(f"{where} unpacks to more than its limit")
    except (zipfile.BadZipFile, EOFError, NotImplementedError, ValueError, OSError) as exc:
        # zipfile checks the CRC at the end: a damaged or altered member lands here.
        raise IntakeError(f"{where} is damaged and cannot be read", reason="zip") from exc
    if len(buffer) != info.file_size:
        raise IntakeError(f"{where} is not the size its header declares", reason="zip")
    return bytes(buffer)
