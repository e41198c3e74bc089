"""Search in the browser: typed without tone marks, narrowed by a facet, a page hit opened in
the reader at that page with the word highlighted."""

from __future__ import annotations

import re

import pytest

from digitization.processing.samples import make_text_pdf
from digitization.services import resource_create

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

GRADE_6 = [
    "Chương 1. Tập hợp các số tự nhiên.",
    "Toán lớp 6 – Bài 2. Phân số và số thập phân.",
    "Bài 3. Số nguyên tố.",
]
GRADE_7 = [
    "Chương 1. Số hữu tỉ.",
    "Ôn tập kiến thức Toán lớp 6 trước khi học số hữu tỉ.",
]


@pytest.fixture
def shelf(settings, tmp_path, librarian, search_index):
    # The live server commits for real: processing and indexing tasks run on commit, at once.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LIBRARY_WORKERS = 1
    for name, title, grade, pages in (
        ("toan6.pdf", "Toán 6 – Chương 1", 6, GRADE_6),
        ("toan7.pdf", "Toán 7 – Chương 1", 7, GRADE_7),
    ):
        pdf = make_text_pdf(tmp_path / name, pages, title=title)
        resource_create(
            file=pdf,
            actor=librarian,
            approved=True,
            metadata={
                "title": title,
                "resource_type": "sgk_dien_tu",
                "access_level": "public",
                "mon_hoc": ["Toán"],
                "grade_levels": [grade],
            },
        )
    from library.discovery import engine

    engine.reset()
    yield
    engine.reset()


def test_unaccented_search_facet_and_page_hit_open_the_reader_highlighted(page, live_url, shelf):
    page.goto(f"{live_url}/search/")
    page.get_by_label(re.compile("Tìm sách, học liệu")).fill("toan lop 6")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    results = page.get_by_role("region", name=re.compile(r"^[\d.,]+ kết quả$"))
    assert results.get_by_role("link", name="Toán 6 – Chương 1").is_visible()
    assert results.get_by_role("link", name="Toán 7 – Chương 1").is_visible()
    # Matched without accents, highlighted with them.
    assert "<mark>Toán</mark>" in page.content()

    facets = page.get_by_role("complementary")
    with page.expect_navigation():
        facets.get_by_role("link", name=re.compile(r"^Lớp 6 \(")).click()
    assert "grade_levels=6" in page.url
    results = page.get_by_role("region", name=re.compile(r"^[\d.,]+ kết quả$"))
    assert results.get_by_role("link", name="Toán 6 – Chương 1").is_visible()
    assert results.get_by_role("link", name="Toán 7 – Chương 1").count() == 0

    with page.expect_navigation():
        results.get_by_role("link", name="Mở trang 2").click()
    assert re.search(r"/resources/\d+/read/\?", page.url)
    assert re.search(r"[?&]page=2\b", page.url)
    marks = page.locator("[data-page-text] mark")
    assert marks.count() >= 3
    assert [m.inner_text() for m in marks.all()][:3] == ["Toán", "lớp", "6"]
