"""Desk pages against the issue's rules: who may open each page, the rollover confirmation,
holds announced at check-in, cash receipts."""

import datetime as dt

import pytest
from django.utils import timezone

from catalog.models import ItemStatus
from library.circulation import services
from library.circulation.models import Compensation, HoldStatus
from library.core.models import AuditEntry

pytestmark = pytest.mark.django_db

# Every page that shows or changes patrons' data or lends books: librarians only.
LIBRARIAN_PAGES = [
    ("get", "/desk/"),
    ("post", "/desk/patron/"),
    ("post", "/desk/checkout/"),
    ("post", "/desk/checkin/"),
    ("post", "/desk/loans/{loan}/renew/"),
    ("get", "/desk/lost/"),
    ("get", "/desk/compensations/{comp}/"),
    ("get", "/desk/overdues/"),
    ("get", "/desk/class-sets/new/"),
    ("get", "/desk/stocktakes/"),
    ("get", "/desk/rollover/"),
    ("get", "/desk/patrons/{patron}/export/"),
    ("get", "/accounts/patrons/"),
    ("get", "/accounts/patrons/{patron}/"),
    ("get", "/accounts/patrons/import/"),
    ("get", "/accounts/patrons/cards.pdf"),
]


@pytest.fixture
def lent(librarian, patron, make_item):
    """A loan and a compensation owed by `patron`, for URLs that name them."""
    loan = services.loan_checkout(actor=librarian, patron=patron, item=make_item())
    lost = make_item(price=40000)
    services.loan_checkout(actor=librarian, patron=patron, item=lost)
    comp = services.item_mark_lost_or_damaged(actor=librarian, item=lost, kind="lost")
    return {"loan": loan.pk, "comp": comp.pk, "patron": patron.pk}


@pytest.mark.parametrize(("method", "url"), LIBRARIAN_PAGES, ids=[u for _, u in LIBRARIAN_PAGES])
def test_page_is_for_librarians_only(client, student, teacher, lent, method, url):
    url = url.format(**lent)
    data = {"card": "HST001", "barcode": "X"} if method == "post" else None
    anonymous = getattr(client, method)(url, data)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    for who in (student, teacher):
        client.force_login(who)
        response = getattr(client, method)(url, data)
        assert response.status_code == 403, (who.role, url)
        assert "HST001" not in response.content.decode()
    assert not AuditEntry.objects.filter(action__in=["patron.view", "patron.export"]).exists()


def test_rollover_page_refuses_while_leavers_hold_loans_until_confirmed(
    client, librarian, make_patron, make_item
):
    leaver = make_patron(grade=9, school_class="9A1")
    stays = make_patron(grade=6, school_class="6A1")
    services.loan_checkout(actor=librarian, patron=leaver, item=make_item())
    client.force_login(librarian)
    form = {"final_grade": "9", "expires_on": "30/06/2027"}
    response = client.post("/desk/rollover/", form)
    assert response.status_code == 200 and "còn sách chưa trả" in response.content.decode()
    stays.refresh_from_db()
    assert stays.grade == 6
    response = client.post("/desk/rollover/", {**form, "confirm_with_loans": "on"})
    assert response.status_code == 302
    stays.refresh_from_db()
    leaver.refresh_from_db()
    assert (stays.grade, stays.school_class, stays.expires_on) == (7, "7A1", dt.date(2027, 6, 30))
    assert leaver.expires_on is not None and leaver.expires_on <= timezone.localdate()
    assert AuditEntry.objects.filter(action="patron.rollover").count() == 1


def test_desk_checkin_says_who_holds_the_record_and_shelves_it(
    client, librarian, make_patron, item, mailoutbox, django_capture_on_commit_callbacks
):
    borrower = make_patron()
    waiting = make_patron(full_name="Hoàng Thu Trang", email="trang@example.edu.vn")
    services.loan_checkout(actor=librarian, patron=borrower, item=item)
    services.hold_place(actor=waiting.user, patron=waiting, record=item.record)
    client.force_login(librarian)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/desk/checkin/", {"barcode": item.barcode})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Có người đặt trước" in body and "Hoàng Thu Trang" in body
    assert 'class="desk-result warn"' in body
    item.refresh_from_db()
    assert item.status == ItemStatus.ON_HOLD_SHELF
    assert waiting.holds.get().status == HoldStatus.READY
    assert [m.to for m in mailoutbox] == [["trang@example.edu.vn"]]


def test_cash_payment_records_the_receipt_and_prints_it(client, librarian, patron, item):
    services.loan_checkout(actor=librarian, patron=patron, item=item)
    comp = services.item_mark_lost_or_damaged(actor=librarian, item=item, kind="lost")
    client.force_login(librarian)
    url = f"/desk/compensations/{comp.pk}/"
    response = client.post(url, {"method": "cash", "note": "Phiếu thu số 0125"})
    assert response.status_code == 302
    comp = Compensation.objects.get(pk=comp.pk)
    assert comp.status == "paid" and comp.method == "cash" and "Phiếu thu số 0125" in comp.note
    page = client.get(url).content.decode()
    assert "Biên lai thu tiền bồi thường" in page and comp.receipt_number in page
    assert "Tiền mặt" in page and "Phiếu thu số 0125" in page and "window.print()" in page
    assert "<svg" not in page  # no transfer code once paid
