"""Thumbnails and page images from pypdfium2 renders, resized and encoded with Pillow."""

from __future__ import annotations

from PIL import Image

from digitization.processing.render import image_thumbnail, render_page, save_thumbnail
from digitization.processing.samples import make_text_pdf


def test_thumbnail_is_written_at_the_requested_width(tmp_path):
    pdf = make_text_pdf(tmp_path / "sach.pdf", ["Bìa sách Toán 6", "Trang hai"])
    out = save_thumbnail(pdf, tmp_path / "bia.jpg", width=300)
    with Image.open(out) as image:
        assert image.format == "JPEG"
        assert image.width == 300
        assert 400 < image.height < 450  # A4 proportions


def test_webp_thumbnail_of_another_page(tmp_path):
    pdf = make_text_pdf(tmp_path / "sach.pdf", ["Một", "Hai"])
    out = save_thumbnail(pdf, tmp_path / "trang2.webp", width=120, number=2)
    with Image.open(out) as image:
        assert (image.format, image.width) == ("WEBP", 120)


def test_rendered_page_shows_ink(tmp_path):
    pdf = make_text_pdf(tmp_path / "sach.pdf", ["Chữ đen trên nền trắng " * 20])
    image = render_page(pdf, 1, width=600).convert("L")
    assert image.width == 600
    low, high = image.getextrema()
    assert high == 255 and low < 100


def test_image_thumbnail_keeps_aspect_ratio(tmp_path):
    source = tmp_path / "scan.png"
    Image.new("RGBA", (2000, 1000), (200, 10, 10, 128)).save(source)
    out = image_thumbnail(source, tmp_path / "nho.jpg", 250)
    with Image.open(out) as image:
        assert image.size == (250, 125)
