"""One entry point for every batch file: the reader is chosen by the file's extension."""

from __future__ import annotations

from pathlib import PurePath

from wallet.credential_types import TypeRegistry
from wallet.errors import UnsupportedMediaError
from wallet.intake import elmo, tabular
from wallet.intake.rows import IntakeFile
from wallet.trust import IssuerEntry

#: Extensions read, and the source format each names.
EXTENSIONS = {
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".xml": "elmo",
    ".zip": "elmo-zip",
}


def source_format(filename: str) -> str:
    """The source format named by ``filename``'s extension.

    :raises UnsupportedMediaError: for any other extension.
    """
    suffix = PurePath(filename).suffix.lower()
    try:
        return EXTENSIONS[suffix]
    except KeyError:
        known = ", ".join(sorted(EXTENSIONS))
        raise UnsupportedMediaError(
            f"a batch file is one of {known} (the extension names the format)"
        ) from None


def read_batch_file(
    data: bytes,
    *,
    filename: str,
    issuer: IssuerEntry,
    types: TypeRegistry,
    type_name: str | None,
    encoding: str | None,
    max_rows: int,
    max_bytes: int,
) -> IntakeFile:
    """Read a batch file of any accepted format into rows.

    :raises WalletError: (an ``InputError`` or subclass) when the file as a whole is
        refused: unreadable text, unsafe XML or archive, a signature that fails, too large.
    """
    kind = source_format(filename)
    if kind == "csv":
        return tabular.read_csv(
            data, types=types, type_name=type_name, encoding=encoding, max_rows=max_rows
        )
    if kind == "jsonl":
        return tabular.read_jsonl(
            data, types=types, type_name=type_name, encoding=encoding, max_rows=max_rows
        )
    reader = elmo.read_elmo_zip if kind == "elmo-zip" else elmo.read_elmo
    return reader(
        data, source=PurePath(filename).name, trust=issuer, max_bytes=max_bytes,
        type_name=type_name, types=types,
    )  # fmt: skip


__all__ = ["EXTENSIONS", "read_batch_file", "source_format"]
