import pytest

from catalog.models import ItemStatus
from library.circulation.models import Loan
from library.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(client, librarian):
    client.force_login(librarian)
    return client


def test_desk_requires_sign_in(client):
    response = client.get("/desk/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("who", ["student", "teacher"])
def test_desk_is_for_librarians_only(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get("/desk/").status_code == 403
    assert client.post("/desk/checkin/", {"barcode": "X"}).status_code == 403


def test_checkout_and_checkin_through_form_posts(desk, patron, item):
    page = desk.get("/desk/")
    assert "autofocus" in page.content.decode() and "aria-live" in page.content.decode()
    response = desk.post("/desk/patron/", {"card": patron.card_barcode})
    assert patron.user.full_name in response.content.decode()
    response = desk.post("/desk/checkout/", {"barcode": item.barcode})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Đã cho mượn" in body and item.record.title in body and "hạn trả" in body
    assert Loan.objects.open().filter(item=item, patron=patron).exists()
    response = desk.post("/desk/checkin/", {"barcode": item.barcode})
    assert response.status_code == 200 and "Đã nhận trả" in response.content.decode()
    item.refresh_from_db()
    assert item.status == ItemStatus.AVAILABLE
    assert AuditEntry.objects.filter(action="patron.view", object_id=str(patron.pk)).exists()


def test_refusal_is_announced_and_offers_override(desk, patron, item):
    item.status = ItemStatus.REFERENCE_ONLY
    item.save()
    desk.post("/desk/patron/", {"card": patron.card_barcode})
    response = desk.post("/desk/checkout/", {"barcode": item.barcode})
    body = response.content.decode()
    assert response.status_code == 409
    assert 'role="alert"' in body and "tại chỗ" in body and "id_override_reason" in body
    response = desk.post(
        "/desk/checkout/", {"barcode": item.barcode, "override_reason": "Học sinh mượn ôn thi"}
    )
    assert response.status_code == 200
    assert Loan.objects.get(item=item).override_reason == "Học sinh mượn ôn thi"


def test_unknown_card_and_barcode_are_explained(desk, patron):
    assert "Không tìm thấy thẻ" in desk.post("/desk/patron/", {"card": "NOPE"}).content.decode()
    desk.post("/desk/patron/", {"card": patron.card_barcode})
    response = desk.post("/desk/checkout/", {"barcode": "KHONGCO"})
    assert response.status_code == 404 and "KHONGCO" in response.content.decode()


def test_checkout_without_a_patron_asks_for_the_card(desk, item):
    response = desk.post("/desk/checkout/", {"barcode": item.barcode})
    assert response.status_code == 400 and "thẻ bạn đọc" in response.content.decode()


def test_compensation_page_shows_vietqr_and_records_payment(desk, librarian, patron, item):
    from library.circulation import services

    services.loan_checkout(actor=librarian, patron=patron, item=item)
    response = desk.post("/desk/lost/", {"barcode": item.barcode, "kind": "lost"})
    comp = patron.compensations.get()
    assert response["Location"].endswith(f"/desk/compensations/{comp.pk}/")
    page = desk.get(response["Location"]).content.decode()
    assert "<svg" in page and comp.receipt_number in page
    desk.post(response["Location"], {"method": "transfer"})
    comp.refresh_from_db()
    assert comp.status == "paid" and comp.method == "transfer"


def test_patron_export_is_librarian_only_and_audited(client, desk, student, librarian):
    patron = student.patron
    response = desk.get(f"/desk/patrons/{patron.pk}/export/")
    assert response.status_code == 200 and response.json()["patron"]["card_barcode"] == "HST001"
    assert AuditEntry.objects.filter(action="patron.export").count() == 1
    client.force_login(student)
    assert client.get(f"/desk/patrons/{patron.pk}/export/").status_code == 403


def test_overdue_list_groups_by_class(desk, librarian, make_patron, make_item, now):
    from library.circulation import services

    from .conftest import at

    a = make_patron(school_class="6A1", full_name="Nguyễn An")
    b = make_patron(school_class="7B2", grade=7, full_name="Trần Bình")
    services.loan_checkout(actor=librarian, patron=a, item=make_item(), at=at(2026, 1, 5))
    services.loan_checkout(actor=librarian, patron=b, item=make_item(), at=at(2026, 1, 5))
    body = desk.get("/desk/overdues/").content.decode()
    assert "Lớp 6A1" in body and "Lớp 7B2" in body and "Nguyễn An" in body
