"""Fixtures of the digitisation tests: real sample files made once a session, fast passwords."""

from __future__ import annotations

import pytest
from PIL import Image

from digitization.processing.samples import (
    make_scanned_page_image,
    make_text_pdf,
    make_vietnamese_paragraphs,
)


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "tesseract: runs the real Tesseract OCR program; skipped when tesseract-ocr-vie is missing",
    )


IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

CHAPTER = [
    "Chương 1. Tập hợp các số tự nhiên\nHọc sinh lớp 6 làm quen với tập hợp.",
    "Bài 2. Phân số\nPhân số là số viết được dưới dạng a trên b, b khác 0.",
    "Bài 3. Số nguyên tố\nSố nguyên tố là số tự nhiên lớn hơn 1 chỉ có hai ước.",
]
SCAN_TEXT = "Tiếng Việt giàu đẹp, có sáu thanh điệu.\nĐồng bằng sông Cửu Long là vựa lúa."


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LIBRARY_WORKERS = 1
    return settings.MEDIA_ROOT


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = IMMEDIATE
    return settings


@pytest.fixture(scope="session")
def files(tmp_path_factory):
    """Real files of each accepted type, built once; tests copy before changing one."""
    src = tmp_path_factory.mktemp("digitization-samples")
    made = {}
    made["pdf"] = make_text_pdf(src / "toan6.pdf", CHAPTER, title="Toán 6")
    long_pages = [
        f"Trang {n}\n" + "\n".join(make_vietnamese_paragraphs(2, seed=n)) for n in range(1, 6)
    ]
    made["pdf5"] = make_text_pdf(src / "sach5.pdf", long_pages)
    made["jpeg"] = make_scanned_page_image(src / "scan.jpg", SCAN_TEXT, dpi=150, fmt="JPEG")
    made["png"] = make_scanned_page_image(src / "scan.png", SCAN_TEXT, dpi=100, fmt="PNG")
    tiff = src / "nhieutrang.tif"
    frames = [Image.new("L", (400, 560), shade) for shade in (240, 200, 160)]
    frames[0].save(tiff, save_all=True, append_images=frames[1:], dpi=(100, 100))
    made["tiff"] = tiff
    made["wav"] = _wav(src / "bai-hat.wav", seconds=2)
    return made


def _wav(path, *, seconds: float):
    import wave

    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\x00\x00" * int(8000 * seconds))
    return path
