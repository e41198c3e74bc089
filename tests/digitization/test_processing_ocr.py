"""OCR of a rendered page of Vietnamese text (needs Debian tesseract-ocr with vie data)."""

from __future__ import annotations

import unicodedata

import pytest
from PIL import Image

from digitization.exceptions import OcrUnavailable
from digitization.processing import ocr
from digitization.processing.images import images_to_pdf
from digitization.processing.samples import make_scanned_page_image

needs_tesseract = pytest.mark.skipif(
    not ocr.tesseract_available("vie+eng"),
    reason="Tesseract with Vietnamese data is not installed (apt-get install tesseract-ocr-vie)",
)

TEXT = (
    "Bài 1. Toán lớp 6: tập hợp các số tự nhiên.\n"
    "Học sinh đọc bài và trả lời câu hỏi trong sách giáo khoa.\n"
    "Lịch sử Việt Nam: chiến thắng Bạch Đằng năm 938."
)


def fold(text: str) -> str:
    text = unicodedata.normalize("NFD", text.lower()).replace("đ", "d")
    return "".join(ch for ch in text if unicodedata.category(ch) != "Mn")


@pytest.mark.tesseract
@needs_tesseract
def test_ocr_of_a_pdf_page_made_from_a_scanned_vietnamese_page(tmp_path):
    # One real Tesseract run covers render -> PNG on stdin -> text back, NFC and diacritics.
    image = make_scanned_page_image(tmp_path / "scan.png", TEXT, dpi=200)
    pdf = images_to_pdf([image], tmp_path / "scan.pdf")
    text = ocr.ocr_pdf_page(pdf, 1, dpi=200)
    words = set(fold(text).replace(".", " ").replace(":", " ").split())
    assert {"toan", "lop", "hoc", "sinh", "sach", "giao", "khoa", "lich", "su"} <= words
    assert "bach dang" in fold(text)
    assert unicodedata.is_normalized("NFC", text)
    assert "Việt Nam" in text  # tone marks come back, not only the folded letters


def test_missing_tesseract_raises_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(ocr, "TESSERACT", "tesseract-khong-co-that")
    assert not ocr.tesseract_available()
    with pytest.raises(OcrUnavailable) as info:
        ocr.ocr_image(Image.new("L", (10, 10), 255))
    assert "Tesseract" in str(info.value)
