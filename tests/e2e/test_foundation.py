import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_demo_librarian_logs_in_and_switches_language(page, live_url, login):
    from library.accounts.demo import load

    load()
    login("thuthu", "thuthu123")
    assert "Xin chào, Nguyễn Thị Thư" in page.content()
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.get_by_role("link", name="Quản trị").is_visible()

    with page.expect_navigation():
        page.get_by_label("Ngôn ngữ").select_option("en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("link", name="Home").is_visible()
    assert "Hello, Nguyễn Thị Thư" in page.content()

    with page.expect_navigation():
        page.get_by_label("Language").select_option("vi")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.get_by_role("link", name="Trang chủ").is_visible()
