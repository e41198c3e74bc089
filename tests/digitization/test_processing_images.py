"""Scanned images become one PDF, pages in the given order, TIFF frames in frame order."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest
from PIL import Image

from digitization.exceptions import RejectedFile
from digitization.processing.images import images_to_pdf
from digitization.processing.render import render_page

# Each page is one flat grey level so a render tells which image became which page.
SHADES = [20, 60, 100, 140, 180, 220]


def _page_shades(pdf_path):
    shades = []
    for number in range(1, len(pdfium.PdfDocument(str(pdf_path))) + 1):
        image = render_page(pdf_path, number, width=40).convert("L")
        shades.append(image.getpixel((20, 20)))
    return shades


def test_pages_follow_the_given_order_with_tiff_frames_in_order(tmp_path):
    jpeg = tmp_path / "1.jpg"
    Image.new("RGB", (200, 280), (SHADES[0],) * 3).save(jpeg, dpi=(200, 200), quality=95)
    tiff = tmp_path / "2.tif"
    frames = [Image.new("L", (200, 280), shade) for shade in SHADES[1:4]]
    frames[0].save(tiff, save_all=True, append_images=frames[1:], dpi=(200, 200))
    png = tmp_path / "3.png"
    Image.new("L", (200, 280), SHADES[4]).save(png)
    rgba = tmp_path / "4.png"
    Image.new("RGBA", (200, 280), (SHADES[5],) * 3 + (255,)).save(rgba)

    out = images_to_pdf([jpeg, tiff, png, rgba], tmp_path / "sach.pdf")

    shades = _page_shades(out)
    assert len(shades) == 6
    for got, want in zip(shades, SHADES, strict=True):
        assert abs(got - want) <= 3


def test_reversed_input_gives_reversed_pages(tmp_path):
    paths = []
    for index, shade in enumerate((30, 200)):
        path = tmp_path / f"{index}.png"
        Image.new("L", (100, 140), shade).save(path)
        paths.append(path)
    shades = _page_shades(images_to_pdf(paths[::-1], tmp_path / "nguoc.pdf"))
    assert [round(s / 10) for s in shades] == [20, 3]


def test_jpeg_is_embedded_without_reencoding(tmp_path):
    jpeg = tmp_path / "trang.jpg"
    Image.effect_noise((300, 400), 50).convert("RGB").save(jpeg, quality=87)
    out = images_to_pdf([jpeg], tmp_path / "out.pdf")
    assert jpeg.read_bytes() in out.read_bytes()


def test_page_size_follows_the_scan_resolution(tmp_path):
    path = tmp_path / "a4.png"
    Image.new("L", (1654, 2339), 255).save(path, dpi=(200, 200))  # A4 at 200 dpi
    pdf = pdfium.PdfDocument(str(images_to_pdf([path], tmp_path / "a4.pdf")))
    width, height = pdf[0].get_size()
    assert width == pytest.approx(595.3, abs=1) and height == pytest.approx(842, abs=1)


def test_broken_image_is_refused(tmp_path):
    path = tmp_path / "hong.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 30)
    with pytest.raises(RejectedFile) as info:
        images_to_pdf([path], tmp_path / "x.pdf")
    assert info.value.code == "corrupt_image"
