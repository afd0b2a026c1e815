"""QR codes of share links, as SVG and PNG, rendered once per share and kept in memory.

A QR code carries the short link ``{base}/s/{token}``, never a credential, with error
correction level M (15 % of the code may be damaged). Rendering costs far more than
serving, so each process keeps the images of the most recently asked shares
(:data:`MAX_CACHED`), keyed by the share's id; the link itself is not kept here.

qrcode computes the module matrix (segments, error correction, the mask of least penalty);
the SVG is written here from that matrix, one ``<path>`` of a rectangle per horizontal run
of dark modules: qrcode's own SVG factories draw each module through ElementTree and cost
more than the whole matrix (``bench/shares.py``).
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from collections.abc import Sequence

import qrcode
import qrcode.constants
import qrcode.image.pil

#: How many shares' images one process keeps.
MAX_CACHED = 1024
#: Pixels per module of the PNG (the SVG draws 1 mm per module), and the quiet zone in
#: modules.
BOX_SIZE = 10
BORDER = 4


def qr_code(url: str) -> qrcode.QRCode:
    """The QR code of ``url`` at error correction level M, its matrix made (smallest version
    that holds it)."""
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=BOX_SIZE, border=BORDER
    )
    code.add_data(url)
    code.make(fit=True)
    return code


def svg_of(matrix: Sequence[Sequence[bool]]) -> bytes:
    """A standalone SVG of a square module ``matrix`` (quiet zone included), 1 mm per
    module: one ``<path>`` with a rectangle ``M x,y h w v1 h -w z`` per horizontal run of
    dark modules."""
    size = len(matrix)
    parts: list[str] = []
    for y, row in enumerate(matrix):
        x = 0
        while x < size:
            if not row[x]:
                x += 1
                continue
            start = x
            while x < size and row[x]:
                x += 1
            parts.append(f"M{start},{y}h{x - start}v1h-{x - start}z")
    return (
        f'<svg width="{size}mm" height="{size}mm" version="1.1" viewBox="0 0 {size} {size}" '
        f'xmlns="http://www.w3.org/2000/svg"><path d="{"".join(parts)}" fill="#000000" '
        f'stroke="none"/></svg>'
    ).encode("ascii")


def render_svg(url: str) -> bytes:
    """``url`` as a standalone SVG QR code (:func:`svg_of` of qrcode's matrix)."""
    return svg_of(qr_code(url).get_matrix())


def render_png(url: str) -> bytes:
    """``url`` as a black-on-white PNG QR code."""
    image = qr_code(url).make_image(image_factory=qrcode.image.pil.PilImage)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()


class ShareImages:
    """The QR images of share links, rendered on first request and then served from memory
    (least recently used dropped beyond :data:`MAX_CACHED` shares). Thread-safe."""

    def __init__(self, max_cached: int = MAX_CACHED) -> None:
        self._max = max_cached
        self._images: OrderedDict[tuple[str, str], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def image(self, share_id: str, url: str, kind: str) -> bytes:
        """The ``kind`` ("svg" or "png") image of the share ``share_id`` whose link is
        ``url``; the caller has checked that the link is the share's."""
        key = (share_id, kind)
        with self._lock:
            cached = self._images.get(key)
            if cached is not None:
                self._images.move_to_end(key)
                return cached
        rendered = render_svg(url) if kind == "svg" else render_png(url)
        with self._lock:
            self._images[key] = rendered
            while len(self._images) > self._max:
                self._images.popitem(last=False)
        return rendered

    def forget(self, share_id: str) -> None:
        """Drop a share's images (when it is revoked)."""
        with self._lock:
            for kind in ("svg", "png"):
                self._images.pop((share_id, kind), None)
