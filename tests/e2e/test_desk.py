"""The desk with the keyboard only: scan a card, scan a book, then check it back in."""

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    # The demo people's PBKDF2 hashes are not what this test is about.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_checkout_and_checkin_at_the_desk_with_the_keyboard_only(page, live_url, login):
    from catalog.models import Item, Record
    from library.accounts.demo import load
    from library.circulation.models import Loan

    load()
    record = Record.objects.create(
        marc={}, title="Tiếng Việt 6, tập một", title_sort="tieng viet 6"
    )
    item = Item.objects.create(record=record, barcode="TV900001")

    login("thuthu", "thuthu123")
    page.goto(f"{live_url}/desk/")
    # The card field has the focus: a scanner types and presses Enter.
    page.keyboard.type("HS0001")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Lê Minh Anh" in page.locator("#desk-result").inner_text()

    page.keyboard.type("TV900001")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    result = page.locator("#desk-result")
    assert "Đã cho mượn: Tiếng Việt 6, tập một" in result.inner_text()
    assert "hạn trả" in result.inner_text()
    assert result.get_attribute("aria-live") == "polite"
    assert Loan.objects.open().filter(item=item).exists()

    page.keyboard.press("F4")  # go to check-in
    page.keyboard.type("TV900001")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Đã nhận trả: Tiếng Việt 6, tập một" in page.locator("#desk-result").inner_text()
    assert not Loan.objects.open().exists()

    # A refusal is announced assertively.
    page.keyboard.type("KHONGCO")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("#desk-result").get_attribute("role") == "alert"
