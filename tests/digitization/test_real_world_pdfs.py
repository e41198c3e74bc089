"""PDFs not made by reportlab: one written by PDFium (CID font, Identity-H, CRLF, its own
ToUnicode), and one put together by qpdf (pikepdf) from text pages and a scanned page, saved
with object streams and linearised. Text, OCR flags, thumbnails and page images must hold."""

from __future__ import annotations

import ctypes
import unicodedata

import img2pdf
import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from django.urls import reverse

from digitization import services
from digitization.models import FileRole, ProcessingStatus
from digitization.processing import ocr
from digitization.processing.samples import (
    FONT_PATH,
    make_scanned_page_image,
    make_text_pdf,
)
from digitization.processing.validate import validate

pytestmark = pytest.mark.django_db

PDFIUM_PAGES = [
    ["Bài 1. Tập hợp các số tự nhiên", "Học sinh lớp 6 làm quen với tập hợp."],
    ["Bài 2. Địa lí Việt Nam", "Đồng bằng sông Cửu Long là vựa lúa lớn nhất cả nước."],
]
TEXT_PAGES = [
    "Chương 1. Lịch sử\nNăm 938, Ngô Quyền đánh tan quân Nam Hán trên sông Bạch Đằng.",
    "Chương 3. Ngữ văn\nTruyện Kiều của Nguyễn Du là kiệt tác của văn học trung đại.",
]
SCAN_TEXT = "Trang quét: Tiếng Việt giàu đẹp, có sáu thanh điệu."


def _pdfium_pdf(path, pages: list[list[str]]):
    """A PDF written by PDFium itself: an embedded TrueType font as a CID font (Identity-H)."""
    font_data = FONT_PATH.read_bytes()
    doc = pdfium.PdfDocument.new()
    buffer = (ctypes.c_uint8 * len(font_data)).from_buffer_copy(font_data)
    font = pdfium_c.FPDFText_LoadFont(
        doc, buffer, len(font_data), pdfium_c.FPDF_FONT_TRUETYPE, True
    )
    assert font, "PDFium could not load the font"
    for lines in pages:
        page = doc.new_page(595, 842)
        y = 780
        for line in lines:
            obj = pdfium_c.FPDFPageObj_CreateTextObj(doc, font, 14.0)
            wide = ctypes.create_string_buffer((line + "\x00").encode("utf-16-le"))
            pdfium_c.FPDFText_SetText(obj, ctypes.cast(wide, ctypes.POINTER(pdfium_c.FPDF_WCHAR)))
            pdfium_c.FPDFPageObj_Transform(obj, 1, 0, 0, 1, 60, y)
            pdfium_c.FPDFPage_InsertObject(page, obj)
            y -= 24
        assert pdfium_c.FPDFPage_GenerateContent(page)
        page.close()
    pdfium_c.FPDFFont_Close(font)
    doc.save(path)
    doc.close()
    return path


@pytest.fixture(scope="module")
def real_world(tmp_path_factory):
    root = tmp_path_factory.mktemp("real-world")
    made = {"pdfium": _pdfium_pdf(root / "pdfium.pdf", PDFIUM_PAGES)}
    # Text, scan, text: the scanned page is an image only (no text layer at all).
    text = make_text_pdf(root / "text.pdf", TEXT_PAGES)
    scan = make_scanned_page_image(root / "scan.jpg", SCAN_TEXT, dpi=100, fmt="JPEG")
    (root / "scan.pdf").write_bytes(img2pdf.convert(str(scan)))
    mixed = pikepdf.Pdf.new()
    with pikepdf.open(text) as text_pdf, pikepdf.open(root / "scan.pdf") as scan_pdf:
        mixed.pages.append(text_pdf.pages[0])
        mixed.pages.append(scan_pdf.pages[0])
        mixed.pages.append(text_pdf.pages[1])
        mixed.docinfo["/Producer"] = "qpdf via pikepdf"
        mixed.save(
            root / "mixed.pdf",
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
            linearize=True,
        )
    made["mixed"] = root / "mixed.pdf"
    return made


def _process(path, librarian, capture, **metadata):
    with capture(execute=True):
        resource = services.resource_create(
            file=path,
            actor=librarian,
            metadata={"title": "Tài liệu thật", "access_level": "public", **metadata},
            approved=True,
        )
    resource.refresh_from_db()
    return resource


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_files_really_come_from_other_producers(real_world):
    head = real_world["pdfium"].read_bytes()[:2000]
    assert b"/Creator(PDFium)" in head and b"\r\n" in head and b"/Identity-H" in head
    with pikepdf.open(real_world["mixed"]) as pdf:
        assert pdf.is_linearized and str(pdf.docinfo["/Producer"]) == "qpdf via pikepdf"
        assert not pdf.pages[1].get("/Resources", {}).get("/Font")  # the scan has no font
    assert validate(real_world["mixed"], max_bytes=10**8, max_pages=10).page_count == 3


def test_pdfium_made_pdf_is_extracted_with_diacritics_and_gets_a_cover(
    media, immediate_tasks, librarian, real_world, django_capture_on_commit_callbacks, client
):
    resource = _process(real_world["pdfium"], librarian, django_capture_on_commit_callbacks)

    assert resource.processing_status == ProcessingStatus.READY, resource.processing_error
    pages = list(resource.pages.order_by("number"))
    assert len(pages) == 2 and resource.page_count == 2
    for page, lines in zip(pages, PDFIUM_PAGES, strict=True):
        assert _flat(page.text) == " ".join(lines)
        assert unicodedata.is_normalized("NFC", page.text)
        assert not page.needs_ocr and not page.is_ocr and not page.error
    assert resource.files.filter(role=FileRole.THUMBNAIL).exists()
    assert resource.processing_warning == ""

    reader = client.get(
        reverse("digitization:reader", args=[resource.pk]), {"q": "cuu long", "page": 2}
    )
    assert [hit.number for hit in reader.context["hits"]] == [2]
    image = client.get(reverse("digitization:page_image", args=[resource.pk, 2]))
    assert image["Content-Type"] == "image/jpeg"
    assert b"".join(image.streaming_content)[:2] == b"\xff\xd8"


def test_image_only_page_in_a_text_pdf_is_flagged_for_ocr_and_the_rest_is_read(
    media,
    immediate_tasks,
    librarian,
    real_world,
    django_capture_on_commit_callbacks,
    client,
    monkeypatch,
):
    # Without Tesseract: the scanned page waits for OCR and says so; nothing else is held up.
    # (Recognising it is proved once, in test_services, where Tesseract really runs.)
    monkeypatch.setattr(ocr, "tesseract_languages", lambda: set())
    resource = _process(real_world["mixed"], librarian, django_capture_on_commit_callbacks)

    assert resource.processing_status == ProcessingStatus.READY, resource.processing_error
    assert resource.processing_warning.startswith("Chưa cài Tesseract")
    first, scanned, last = resource.pages.order_by("number")
    assert "Ngô Quyền" in first.text and not first.needs_ocr
    assert scanned.needs_ocr and not scanned.is_ocr and scanned.text == ""
    assert not scanned.error
    assert "Truyện Kiều" in last.text and not last.needs_ocr
    thumbnail = resource.files.get(role=FileRole.THUMBNAIL)
    assert services.storage_path(thumbnail.file.name).read_bytes()[:2] == b"\xff\xd8"

    # The scanned page still renders as an image, and the reader says its text is pending.
    image = client.get(reverse("digitization:page_image", args=[resource.pk, 2]) + "?w=480")
    assert image.status_code == 200
    html = client.get(reverse("digitization:reader", args=[resource.pk]), {"page": 2})
    assert "Trang ảnh chưa được nhận dạng chữ." in html.content.decode()
