"""A librarian uploads a PDF, it is processed, and a word typed without tone marks is found
on the right page of the reader, highlighted."""

from __future__ import annotations

import re

import pytest

from digitization.processing.samples import make_text_pdf

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PAGES = [
    "Chương 1. Tập hợp\nHọc sinh lớp 6 làm quen với tập hợp và số tự nhiên.",
    "Bài 2. Phân số\nPhân số là số viết được dưới dạng a trên b, trong đó b khác 0.",
    "Bài 3. Số nguyên tố\nSố nguyên tố là số tự nhiên lớn hơn 1 chỉ có hai ước.",
]


@pytest.fixture
def immediate(settings, tmp_path):
    # The live server commits for real, so the processing task runs on commit, at once.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LIBRARY_WORKERS = 1
    return settings


def test_upload_process_search_without_tone_marks_lands_on_highlighted_page(
    page, live_url, login, librarian, immediate, search_index, tmp_path
):
    pdf = make_text_pdf(tmp_path / "toan6-chuong1.pdf", PAGES, title="Toán 6")
    login("thuthu_test", "mat-khau-thu-thu")

    page.get_by_role("link", name="Học liệu số").click()
    page.get_by_role("link", name="Tải lên học liệu mới").click()
    page.get_by_label("Tệp").set_input_files(str(pdf))
    page.get_by_label("Nhan đề").fill("Toán 6 – Chương 1")
    page.get_by_label("Loại học liệu").select_option("sgk_dien_tu")
    page.get_by_label("Ai được xem").select_option("public")
    page.get_by_label("Đã thẩm định: duyệt ngay để bạn đọc dùng được").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Tải lên").click()

    assert "/status/" in page.url
    page.get_by_text("Sẵn sàng").first.wait_for()
    assert "3 trang" in page.content()

    page.get_by_role("link", name="Trang học liệu").click()
    page.get_by_label("Tìm trong tài liệu này").fill("phan so")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    hits = page.get_by_role("region", name=re.compile("trang có"))
    assert hits.get_by_role("link", name="Trang 2").is_visible()

    with page.expect_navigation():
        hits.get_by_role("link", name="Trang 2").click()
    assert re.search(r"[?&]page=2\b", page.url)
    marks = page.locator("[data-page-text] mark")
    assert marks.count() >= 2
    assert marks.first.inner_text() == "Phân"
    assert page.get_by_role("img", name="Ảnh trang 2").is_visible()

    # Keyboard: → goes to the next page, the search terms come along.
    page.locator("body").click(position={"x": 5, "y": 5})
    with page.expect_navigation():
        page.keyboard.press("ArrowRight")
    assert re.search(r"[?&]page=3\b", page.url) and "q=phan" in page.url
