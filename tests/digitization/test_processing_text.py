"""Per-page text: page numbers right, diacritics intact, one slow page never stalls the rest."""

from __future__ import annotations

import signal
import time
import unicodedata

import pytest

from digitization.processing import text as text_module
from digitization.processing.images import images_to_pdf
from digitization.processing.samples import make_scanned_page_image, make_text_pdf
from digitization.processing.text import extract_pages, split_ranges

PAGES = [
    "Bài 1. Tập hợp các số tự nhiên. Học sinh lớp 6 làm quen với tập hợp.",
    "Bài 2. Truyện Kiều của Nguyễn Du – kiệt tác văn học Việt Nam.",
    "Bài 3. Năm 938, Ngô Quyền đánh tan quân Nam Hán trên sông Bạch Đằng.",
    "Bài 4. Quang hợp giúp cây xanh tạo ra chất hữu cơ và khí oxygen.",
    "Bài 5. Đồng bằng sông Cửu Long là vựa lúa lớn nhất cả nước.",
]


@pytest.fixture
def lesson_pdf(tmp_path):
    return make_text_pdf(tmp_path / "bai-hoc.pdf", PAGES, title="Sách mẫu")


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("workers", [1, 2])
def test_each_page_has_its_own_text_with_diacritics(lesson_pdf, workers):
    pages = extract_pages(lesson_pdf, workers=workers, page_timeout=30)
    assert [page.number for page in pages] == [1, 2, 3, 4, 5]
    for page, expected in zip(pages, PAGES, strict=True):
        assert page.error is None
        assert not page.needs_ocr
        assert _flat(page.text) == expected
        assert unicodedata.is_normalized("NFC", page.text)


def test_progress_is_reported_for_every_page(lesson_pdf):
    seen = []
    extract_pages(
        lesson_pdf, workers=2, page_timeout=30, on_progress=lambda d, t: seen.append((d, t))
    )
    assert seen[-1] == (5, 5)
    assert [done for done, _ in seen] == [1, 2, 3, 4, 5]


def test_image_only_page_needs_ocr(tmp_path):
    image = make_scanned_page_image(tmp_path / "scan.png", "Toán lớp 6", dpi=50)
    pdf = images_to_pdf([image], tmp_path / "scan.pdf")
    [page] = extract_pages(pdf, workers=1, page_timeout=30)
    assert page.needs_ocr and page.text == "" and page.error is None


def test_split_ranges_are_contiguous_and_cover_every_page():
    assert split_ranges(5, 2) == [(1, 3), (4, 5)]
    assert split_ranges(2, 8) == [(1, 1), (2, 2)]
    ranges = split_ranges(200, 3)
    assert ranges[0][0] == 1 and ranges[-1][1] == 200
    assert all(b[0] == a[1] + 1 for a, b in zip(ranges, ranges[1:], strict=False))


def test_slow_page_times_out_and_the_rest_go_on(lesson_pdf, monkeypatch):
    real = text_module._page_text
    calls = []

    def slow_on_page_two(extractor, page):
        calls.append(1)
        if len(calls) == 2:
            time.sleep(5)
        return real(extractor, page)

    monkeypatch.setattr(text_module, "_page_text", slow_on_page_two)
    started = time.monotonic()
    pages = extract_pages(lesson_pdf, workers=1, page_timeout=0.3)
    assert time.monotonic() - started < 4
    assert pages[1].error == "quá thời gian trích xuất trang 2"
    assert pages[1].text == ""
    assert [p.error for p in pages if p.number != 2] == [None] * 4
    assert _flat(pages[2].text) == PAGES[2]


def hang_on_page_three(extractor, page):
    """Top level so a worker process can import it; ignores SIGALRM like a hang in C code."""
    text = text_module._page_text(extractor, page)
    if "Bài 3." in text:
        signal.signal(signal.SIGALRM, signal.SIG_IGN)
        time.sleep(60)
    return text


def test_stuck_worker_is_killed_and_replaced(lesson_pdf):
    started = time.monotonic()
    pages = text_module._run_workers(str(lesson_pdf), 5, 2, 0.5, None, hang_on_page_three)
    assert time.monotonic() - started < 20
    assert pages[2].error == "quá thời gian trích xuất trang 3"
    assert [p.number for p in pages] == [1, 2, 3, 4, 5]
    assert [p.error for p in pages if p.number != 3] == [None] * 4
    assert _flat(pages[3].text) == PAGES[3] and _flat(pages[4].text) == PAGES[4]


def test_legacy_tcvn3_page_text_is_repaired(tmp_path):
    from library.core.vietnamese import unicode_to_legacy

    sentence = "Tiếng Việt giàu đẹp, có sáu thanh điệu."
    legacy = unicode_to_legacy(sentence, "tcvn3")  # as a .VnTime font shows in pdfminer
    assert legacy != sentence
    pdf = make_text_pdf(tmp_path / "tcvn3.pdf", [legacy])
    [page] = extract_pages(pdf, workers=1, page_timeout=30)
    assert _flat(page.text) == sentence
