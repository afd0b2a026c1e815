"""Reading the text of a QR code in an uploaded image (``reference/security.md`` §1.8, F4, J1–J9).

An upload is untrusted bytes that a C library will parse, so it passes these gates in order,
each before any work that costs more:

1. **Bytes.** At most :data:`MAX_IMAGE_BYTES` (413), checked before anything looks inside.
2. **Magic bytes.** PNG or JPEG only, told by their signatures, not by a file name or a
   media type the client chose (415). GIF, BMP, TIFF, SVG, PDF, EPS and text never reach
   Pillow; ``Image.open`` is limited to the same two formats as well.
3. **Header.** Pillow reads only the header at ``open``. With ``Image.MAX_IMAGE_PIXELS`` at
   4096 × 4096 and its ``DecompressionBombWarning`` turned into an error, an image declaring
   more pixels is refused there; the width and height are then checked one by one against
   :data:`MAX_SIDE` (413), so a 5000 × 10 strip is refused too. No pixel is decoded yet.
   (Warning filters are process-wide and not thread-safe; the explicit size check is the
   guard that does not depend on them.)
4. **Pixels.** Decoding a truncated or corrupt image fails with a 400; an animated image
   (APNG) is refused with a 415.
5. **QR.** zxing-cpp looks for QR codes only. None, or more than one, is a 400: the image
   must show exactly one.
6. **Payload.** At most :data:`MAX_PAYLOAD_BYTES`, UTF-8, printable (tab and line breaks
   allowed), not empty; otherwise a 400. The text is never echoed in an error.

The caller decides what the text means; nothing here opens a URL.
"""

from __future__ import annotations

import io
import warnings

import zxingcpp
from PIL import Image

from wallet.errors import InputError, PayloadTooLargeError, UnsupportedMediaError

#: Largest upload decoded, in bytes (a phone photo of a QR code is a few megabytes).
MAX_IMAGE_BYTES = 5 * 1024 * 1024
#: Largest width and height, in pixels; a QR code never needs more.
MAX_SIDE = 4096
#: Pillow's decompression-bomb threshold while we open an image.
MAX_PIXELS = MAX_SIDE * MAX_SIDE
#: Largest QR payload accepted, in bytes (version 40 holds at most 2,953).
MAX_PAYLOAD_BYTES = 8 * 1024
#: The signatures of the two formats read, and Pillow's names of them.
_SIGNATURES = ((b"\x89PNG\r\n\x1a\n", "PNG"), (b"\xff\xd8\xff", "JPEG"))
_ALLOWED_CONTROLS = frozenset("\t\n\r")
#: zxing-cpp looks for QR codes (model 2, the common one, and model 1) and nothing else.
_QR_ONLY = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)


def image_format(data: bytes) -> str:
    """``PNG`` or ``JPEG``, told by the magic bytes at the start of ``data``.

    :raises UnsupportedMediaError: for anything else (415).
    """
    for signature, name in _SIGNATURES:
        if data.startswith(signature):
            return name
    raise UnsupportedMediaError("upload a PNG or JPEG image of the QR code")


def _open_grayscale(data: bytes, fmt: str) -> Image.Image:
    """The image's pixels in 8-bit grey, after the header checks of gates 3 and 4."""
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[fmt]) as image:
                width, height = image.size
                if width > MAX_SIDE or height > MAX_SIDE:
                    raise PayloadTooLargeError(
                        f"the image is {width}×{height} pixels; at most {MAX_SIDE}×{MAX_SIDE}"
                    )
                if getattr(image, "is_animated", False):
                    raise UnsupportedMediaError("an animated image cannot be read: upload one")
                image.load()
                return image.convert("L")
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise PayloadTooLargeError(
            f"the image has too many pixels; at most {MAX_SIDE}×{MAX_SIDE}"
        ) from exc
    except (OSError, SyntaxError, ValueError, EOFError, IndexError) as exc:
        # Pillow reports a damaged file with any of these (UnidentifiedImageError and a
        # truncated file are OSErrors; a broken PNG chunk is a SyntaxError).
        raise InputError("the image is damaged or truncated and cannot be read") from exc


def _payload_text(payload: bytes) -> str:
    if len(payload) > MAX_PAYLOAD_BYTES:
        raise InputError(f"the QR code holds more than {MAX_PAYLOAD_BYTES} bytes")
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError("the QR code does not hold text (it is not UTF-8)") from exc
    if any(not (char.isprintable() or char in _ALLOWED_CONTROLS) for char in text):
        raise InputError("the QR code holds control or other non-printable characters")
    text = text.strip()
    if not text:
        raise InputError("the QR code is empty")
    return text


def decode_qr(data: bytes) -> str:
    """The text of the one QR code in an uploaded PNG or JPEG image.

    :raises PayloadTooLargeError: above :data:`MAX_IMAGE_BYTES`, :data:`MAX_SIDE` pixels a
        side, or Pillow's decompression-bomb threshold (413).
    :raises UnsupportedMediaError: for anything but PNG or JPEG, or an animated image (415).
    :raises InputError: for a damaged image, no QR code or several, and a payload that is
        too long, not UTF-8, not printable or empty (400).
    """
    if len(data) > MAX_IMAGE_BYTES:
        raise PayloadTooLargeError(f"the image exceeds {MAX_IMAGE_BYTES} bytes")
    fmt = image_format(data)
    pixels = _open_grayscale(data, fmt)
    found = zxingcpp.read_barcodes(pixels, formats=_QR_ONLY)
    if not found:
        raise InputError("no QR code was found in the image: upload a sharper, closer picture")
    if len(found) > 1:
        raise InputError(f"the image shows {len(found)} QR codes: upload an image of exactly one")
    return _payload_text(found[0].bytes)
