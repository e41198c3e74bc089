"""The reader on a phone (375 x 740): open a resource, turn pages with the on-screen buttons
and the keyboard, zoom in and out; nothing spills past the screen's width."""

from __future__ import annotations

import re

import pytest

from digitization import services
from digitization.processing.samples import make_text_pdf

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 740}
PAGES = [
    "Bài 1. Tập hợp\nHọc sinh lớp 6 làm quen với tập hợp và số tự nhiên.",
    "Bài 2. Phân số\nPhân số là số viết được dưới dạng a trên b, trong đó b khác 0.",
    "Bài 3. Số nguyên tố\nSố nguyên tố là số tự nhiên lớn hơn 1 chỉ có hai ước.",
]


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        locale="vi-VN", viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def resource(settings, tmp_path, librarian):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LIBRARY_WORKERS = 1
    pdf = make_text_pdf(tmp_path / "toan6.pdf", PAGES, title="Toán 6")
    made = services.resource_create(
        file=pdf,
        actor=librarian,
        metadata={"title": "Toán 6 – Chương 1", "access_level": "public", "licence": "cc_by"},
        approved=True,
        process=False,
    )
    services.resource_process(resource_id=made.pk)
    return made


def _page_number(url: str) -> int:
    found = re.search(r"[?&]page=(\d+)", url)
    return int(found.group(1)) if found else 1


def _fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_reader_on_a_phone_turns_pages_by_buttons_and_keys_and_zooms(phone, live_url, resource):
    phone.goto(f"{live_url}/resources/{resource.pk}/")
    with phone.expect_navigation():
        phone.get_by_role("link", name="Đọc trực tuyến").click()
    assert _page_number(phone.url) == 1
    image = phone.get_by_role("img", name="Ảnh trang 1")
    image.wait_for()
    assert phone.evaluate("(img) => img.complete && img.naturalWidth > 0", image.element_handle())
    assert _fits_the_screen(phone)

    # On-screen buttons: they are on the screen and large enough to tap.
    next_link = phone.get_by_role("link", name="Trang sau →")
    box = next_link.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] and box["height"] >= 24
    with phone.expect_navigation():
        next_link.tap()
    assert _page_number(phone.url) == 2
    assert phone.get_by_role("img", name="Ảnh trang 2").is_visible()
    assert "Phân số" in phone.locator("[data-page-text]").inner_text()
    with phone.expect_navigation():
        phone.get_by_role("link", name="← Trang trước").tap()
    assert _page_number(phone.url) == 1

    # Keyboard (a phone with a keyboard, or a tablet): → and ← turn the page.
    phone.locator(".reader-help").click()  # focus the page, not a field or link
    with phone.expect_navigation():
        phone.keyboard.press("ArrowRight")
    assert _page_number(phone.url) == 2
    with phone.expect_navigation():
        phone.keyboard.press("ArrowLeft")
    assert _page_number(phone.url) == 1
    assert not phone.get_by_role("link", name="← Trang trước").count()  # no page 0

    # Go to a page by number.
    phone.get_by_label("Trang", exact=True).fill("3")
    with phone.expect_navigation():
        phone.get_by_role("button", name="Đến").tap()
    assert _page_number(phone.url) == 3
    assert not phone.get_by_role("link", name="Trang sau →").count()  # no page 4

    # Zoom: the buttons and the + / − keys; the page scrolls inside its frame, not the screen.
    image = phone.get_by_role("img", name="Ảnh trang 3")
    image.wait_for()
    level = phone.locator("[data-zoom-level]")
    width = image.bounding_box()["width"]
    phone.get_by_role("button", name="Phóng to").tap()
    assert level.inner_text() == "125%"
    assert image.bounding_box()["width"] > width * 1.2
    phone.locator(".reader-help").click()  # focus the page, not a field or link
    phone.keyboard.press("+")
    assert level.inner_text() == "150%"
    assert _fits_the_screen(phone)
    phone.keyboard.press("-")
    phone.get_by_role("button", name="Thu nhỏ").tap()
    assert level.inner_text() == "100%"
    assert image.bounding_box()["width"] == pytest.approx(width, abs=2)
