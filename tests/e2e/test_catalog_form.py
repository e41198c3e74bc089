"""A librarian catalogues a book with the simple form; an anonymous visitor then finds it."""

import re

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_librarian_catalogues_a_book_and_anyone_sees_it_on_its_public_page(
    browser, page, live_url, login, librarian
):
    from catalog.models import ItemType, Location, Record

    Location.objects.create(code="TK", name="Kho tham khảo")
    ItemType.objects.create(code="STK", name="Sách tham khảo")

    login("thuthu_test", "mat-khau-thu-thu")
    page.get_by_role("link", name="Biên mục", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Biểu ghi thư mục").is_visible()

    page.goto(f"{live_url}/catalog/records/new/?template=reference")
    page.get_by_label("Nhan đề", exact=True).fill("Dế Mèn phiêu lưu ký")
    page.get_by_label("Tác giả").fill("Tô Hoài")
    page.get_by_label("Nhà xuất bản").fill("Kim Đồng")
    page.get_by_label("Nơi xuất bản").fill("Hà Nội")
    page.get_by_label("Năm xuất bản").fill("2019")
    page.get_by_label("Ký hiệu phân loại").fill("895.9223")
    page.get_by_label("Chủ đề, từ khóa").fill("Văn học thiếu nhi; Truyện dài")
    page.get_by_label("Lớp 4").check()
    page.get_by_label("Số bản sách nhập kho").fill("1")
    page.get_by_label("Loại tài liệu").select_option(label="Sách tham khảo")
    page.get_by_label("Giá mỗi bản (VNĐ)").fill("45000")
    page.get_by_role("button", name="Lưu biểu ghi").click()
    page.wait_for_load_state()

    assert page.get_by_role("heading", name="Dế Mèn phiêu lưu ký").is_visible()
    assert "và 1 bản sách" in page.content()
    record = Record.objects.get()
    item = record.items.get()
    assert item.location.code == "TK"
    assert re.match(r"^895\.9223", item.call_number)

    visitor = browser.new_context(locale="vi-VN")
    try:
        anonymous = visitor.new_page()
        anonymous.goto(f"{live_url}/records/{record.pk}/")
        assert anonymous.get_by_role("heading", name="Dế Mèn phiêu lưu ký").is_visible()
        assert anonymous.get_by_text("1/1 bản có sẵn").is_visible()
        assert anonymous.get_by_text("Tô Hoài").first.is_visible()
        assert "Biên mục" not in anonymous.locator("nav").first.inner_text()
    finally:
        visitor.close()


def test_simple_form_shows_the_isbn_error_next_to_the_field(page, live_url, login, librarian):
    login("thuthu_test", "mat-khau-thu-thu")
    page.goto(f"{live_url}/catalog/records/new/?template=textbook")
    page.get_by_label("Nhan đề", exact=True).fill("Toán 6 – Tập một")
    page.get_by_label("ISBN").fill("978-604-0-25124-0")
    page.get_by_role("button", name="Lưu biểu ghi").click()
    page.wait_for_load_state()
    assert page.get_by_role("alert").first.is_visible()
    assert "sai chữ số kiểm tra" in page.locator("#id_isbn_error, .errorlist").first.inner_text()


def test_marc_editor_adds_a_row_with_javascript(page, live_url, login, librarian):
    login("thuthu_test", "mat-khau-thu-thu")
    page.goto(f"{live_url}/catalog/records/new/marc/")
    before = page.locator("tr.marc-row").count()
    page.get_by_role("button", name="Thêm dòng").click()
    assert page.locator("tr.marc-row").count() == before + 1
    assert page.locator("#marc-row-count").input_value() == str(before + 1)
