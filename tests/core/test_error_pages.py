"""Error pages speak Vietnamese, keep the site's navigation and say why (QA: Django's bare
English 'Not Found' / '403 Forbidden' pages were shown, and the refusal reason was lost)."""

from __future__ import annotations

import pytest
from django.template.loader import get_template
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_unknown_address_gets_a_vietnamese_page_with_the_navigation(client):
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="vi">' in html
    assert "Không tìm thấy trang" in html
    assert 'class="main-nav"' in html
    assert "Not Found" not in html


def test_staff_only_page_refused_to_a_student_looks_like_any_missing_page(client, student):
    client.force_login(student)
    response = client.get(reverse("digitization:list"))
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


def test_refusal_page_tells_the_reader_why(client, student):
    client.force_login(student)
    response = client.get(reverse("catalog:record_list"))
    assert response.status_code == 403
    html = response.content.decode()
    assert "Không có quyền xem trang này" in html
    assert "Chỉ thủ thư được dùng trang biên mục." in html
    assert "403 Forbidden" not in html


def test_librarian_without_a_card_is_told_to_see_the_librarian_on_my_books(client, librarian):
    client.force_login(librarian)
    response = client.get(reverse("circulation:account"))
    assert response.status_code == 403
    assert "chưa có thẻ bạn đọc" in response.content.decode()


def test_error_pages_read_in_english_after_switching_language(client, student):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get("/khong-co-trang-nay/").content.decode()
    assert "Page not found" in html
    assert "Không tìm thấy trang" not in html
    client.force_login(student)
    html = client.get(reverse("catalog:record_list")).content.decode()
    assert "You may not view this page" in html
    assert "Only librarians may use the cataloguing pages." in html


def test_server_error_page_renders_without_any_request_context():
    html = get_template("500.html").render({})
    assert "Lỗi máy chủ" in html and "Server error" in html
    assert "/static/css/site.css" in html
