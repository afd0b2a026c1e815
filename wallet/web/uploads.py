"""File uploads (``multipart/form-data``), read strictly and under caps.

Starlette parses the body with python-multipart, under counts this module sets from the
fields a route names (so a body with more parts than the route has is refused while it is
read), and after the body cap of :class:`wallet.web.limits.BodyLimitMiddleware`. What it
then lets through loosely is refused here with a 400: a name given twice (Starlette would
keep one silently), a part the route does not have, a text field over its cap or holding a
control character, a file where a text field belongs or the reverse. Each file is read with
its own byte cap (413). An upload of another content type is a 415.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from fastapi import Request
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException

from wallet.errors import InputError, PayloadTooLargeError, UnsupportedMediaError
from wallet.web.forms import NOT_XML

MULTIPART_TYPE = "multipart/form-data"


@dataclass(frozen=True)
class Upload:
    """The parts of one ``multipart/form-data`` body, each name given at most once.

    A file input left empty in a browser arrives as a file of zero bytes.
    """

    fields: Mapping[str, str]
    files: Mapping[str, bytes]


async def read_upload(
    request: Request, *, fields: Mapping[str, int], files: Mapping[str, int]
) -> Upload:
    """Read a ``multipart/form-data`` body that may carry the named parts only.

    :param fields: the text fields the route has, each with its longest value (characters).
    :param files: the file fields the route has, each with its largest file (bytes).
    :raises UnsupportedMediaError: when the body is not ``multipart/form-data`` (415).
    :raises PayloadTooLargeError: for a file over its cap (413).
    :raises InputError: for a malformed body, or a part that is repeated, unknown, of the
        wrong kind, too long or holds a control character (400).
    """
    media = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media != MULTIPART_TYPE:
        raise UnsupportedMediaError(f"send the upload as {MULTIPART_TYPE}")
    longest = max(fields.values(), default=0)
    try:
        form = await request.form(
            max_files=len(files),
            max_fields=len(fields),
            # Counted in bytes, and a character takes up to four in UTF-8.
            max_part_size=max(4 * longest, 1),
        )
    except (HTTPException, MultiPartException) as exc:
        raise InputError("the upload is not well-formed multipart/form-data") from exc
    try:
        text: dict[str, str] = {}
        blobs: dict[str, bytes] = {}
        for name, value in form.multi_items():
            if name in text or name in blobs:
                raise InputError("a form field is given more than once")
            if isinstance(value, UploadFile):
                if name not in files:
                    raise InputError("the upload carries a file it does not take")
                data = await value.read(files[name] + 1)
                if len(data) > files[name]:
                    raise PayloadTooLargeError(f"the file exceeds {files[name]} bytes")
                blobs[name] = data
            else:
                if name not in fields:
                    raise InputError("the upload carries a field it does not have")
                if len(value) > fields[name]:
                    raise InputError("a form field is too long")
                if NOT_XML.search(value):
                    raise InputError("a form field holds a control character")
                text[name] = value
    finally:
        await form.close()
    return Upload(fields=text, files=blobs)
