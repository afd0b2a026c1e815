"""QR images of share links (wallet/share_images.py): our SVG drawn from qrcode's matrix is
read back, module by module, into exactly that matrix, and the image it draws decodes to
the link; the cache renders a share's image once."""

from __future__ import annotations

import re

import pytest
from lxml import etree
from PIL import Image

from tests.fixtures.images import png_of
from wallet import share_images
from wallet.qr_decode import decode_qr
from wallet.share_images import BORDER, ShareImages, qr_code, render_svg, svg_of

SVG = "{http://www.w3.org/2000/svg}"
RECTANGLE = re.compile(r"M(\d+),(\d+)h(\d+)v1h-(\d+)z")
LINKS = [
    "https://wallet.test/s/AbCdEfGhIjKlMnOpQrStUv",
    "https://wallet.example/s/0123456789-_abcdefghij",
    # Long enough for version 7 and above, whose codes carry version information.
    "https://a-much-longer-host-name.example.lv/wallet/s/" + "Zz09_-" * 12,
]


def matrix_of(svg: bytes) -> list[list[bool]]:
    """The module matrix an SVG of :func:`svg_of` draws, read from its one path."""
    root = etree.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    size = int(root.get("width").removesuffix("mm"))
    assert root.get("viewBox") == f"0 0 {size} {size}" and root.get("height") == f"{size}mm"
    (path,) = root.iter(f"{SVG}path")
    d = path.get("d")
    assert RECTANGLE.sub("", d) == "", "the path holds only unit-high rectangles"
    matrix = [[False] * size for _ in range(size)]
    for x, y, width, back in ((int(g) for g in m.groups()) for m in RECTANGLE.finditer(d)):
        assert width == back and width > 0 and x + width <= size and y < size
        row = matrix[y]
        assert not any(row[x : x + width]), "no module is drawn twice"
        row[x : x + width] = [True] * width
    return matrix


@pytest.mark.parametrize("link", LINKS, ids=["test", "example", "long"])
def test_the_svg_draws_exactly_qrcodes_matrix(link):
    code = qr_code(link)
    expected = code.get_matrix()
    assert len(expected) == code.modules_count + 2 * BORDER
    assert matrix_of(render_svg(link)) == expected


@pytest.mark.parametrize("link", LINKS, ids=["test", "example", "long"])
def test_the_drawn_svg_decodes_to_the_link(link):
    matrix = matrix_of(render_svg(link))
    scale = 8
    image = Image.new("L", (len(matrix) * scale, len(matrix) * scale), 255)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                image.paste(0, (x * scale, y * scale, (x + 1) * scale, (y + 1) * scale))
    assert decode_qr(png_of(image)) == link


def test_runs_are_merged_and_the_edges_kept():
    matrix = [
        [True, True, False, True],
        [False, False, False, False],
        [False, True, True, True],
        [True, False, True, False],
    ]
    svg = svg_of(matrix)
    assert b'd="M0,0h2v1h-2zM3,0h1v1h-1zM1,2h3v1h-3zM0,3h1v1h-1zM2,3h1v1h-1z"' in svg
    assert matrix_of(svg) == matrix


def test_an_image_is_rendered_once_per_share_and_kind(monkeypatch):
    rendered: list[str] = []
    real = share_images.render_svg

    def counting(url: str) -> bytes:
        rendered.append(url)
        return real(url)

    monkeypatch.setattr(share_images, "render_svg", counting)
    images = ShareImages(max_cached=1)
    first = images.image("a", LINKS[0], "svg")
    assert images.image("a", LINKS[0], "svg") is first and rendered == [LINKS[0]]
    images.image("b", LINKS[1], "svg")
    images.image("a", LINKS[0], "svg")
    assert rendered == [LINKS[0], LINKS[1], LINKS[0]]
    images.forget("a")
    images.image("a", LINKS[0], "svg")
    assert len(rendered) == 4
