import pytest

from catalog.models import ItemStatus
from library.circulation import selectors, services
from library.circulation.exceptions import HoldRefused
from library.circulation.models import Hold, HoldStatus, LoanPolicy, SchoolCalendar

from .conftest import at

pytestmark = pytest.mark.django_db


def test_queue_order_is_kept_and_first_patron_is_mailed_on_commit(
    librarian, make_patron, item, now, mailoutbox, django_capture_on_commit_callbacks
):
    borrower = make_patron()
    first = make_patron(email="first@example.edu.vn")
    second = make_patron(email="second@example.edu.vn")
    services.loan_checkout(actor=librarian, patron=borrower, item=item, at=now)
    h1 = services.hold_place(actor=first.user, patron=first, record=item.record, at=now)
    h2 = services.hold_place(
        actor=second.user, patron=second, record=item.record, at=at(2026, 10, 7, 10)
    )
    assert selectors.hold_position(h1) == 1 and selectors.hold_position(h2) == 2

    with django_capture_on_commit_callbacks(execute=True):
        result = services.loan_checkin(actor=librarian, item=item, at=at(2026, 10, 8))
    assert result.hold == h1
    item.refresh_from_db()
    assert item.status == ItemStatus.ON_HOLD_SHELF
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["first@example.edu.vn"]
    assert item.record.title in mailoutbox[0].subject


def test_hold_waits_n_open_days_then_passes_to_the_next(librarian, make_patron, item, now):
    SchoolCalendar.objects.create(closed_weekdays=[5, 6])
    LoanPolicy.objects.create(name="HS", patron_category="student", hold_shelf_days=2)
    borrower, first, second = make_patron(), make_patron(), make_patron()
    services.loan_checkout(actor=librarian, patron=borrower, item=item, at=now)
    services.hold_place(actor=first.user, patron=first, record=item.record, at=now)
    services.hold_place(actor=second.user, patron=second, record=item.record, at=now)
    services.loan_checkin(actor=librarian, item=item, at=at(2026, 10, 9))  # Friday
    h1 = Hold.objects.get(patron=first)
    assert h1.pickup_by.isoformat() == "2026-10-13"  # Mon, Tue (weekend closed)

    assert services.holds_expire(at=at(2026, 10, 13)) == 0
    assert services.holds_expire(at=at(2026, 10, 14)) == 1
    h1.refresh_from_db()
    assert h1.status == HoldStatus.EXPIRED
    h2 = Hold.objects.get(patron=second)
    assert h2.status == HoldStatus.READY and h2.item == item


def test_hold_on_an_available_copy_puts_it_on_the_shelf_at_once(make_patron, item, now):
    patron = make_patron()
    hold = services.hold_place(actor=patron.user, patron=patron, record=item.record, at=now)
    item.refresh_from_db()
    assert hold.status == HoldStatus.READY and item.status == ItemStatus.ON_HOLD_SHELF


def test_cancelling_a_ready_hold_frees_the_copy(make_patron, item, now):
    patron = make_patron()
    hold = services.hold_place(actor=patron.user, patron=patron, record=item.record, at=now)
    services.hold_cancel(actor=patron.user, hold=hold, at=now)
    item.refresh_from_db()
    assert item.status == ItemStatus.AVAILABLE


def test_duplicate_hold_and_policy_refusals(librarian, make_patron, item, now):
    patron = make_patron()
    services.loan_checkout(actor=librarian, patron=make_patron(), item=item, at=now)
    services.hold_place(actor=patron.user, patron=patron, record=item.record, at=now)
    with pytest.raises(HoldRefused, match="đã đặt trước"):
        services.hold_place(actor=patron.user, patron=patron, record=item.record, at=now)
    LoanPolicy.objects.create(name="GV", patron_category="teacher", holds_allowed=False)
    teacher = make_patron(category="teacher")
    with pytest.raises(HoldRefused) as err:
        services.hold_place(actor=teacher.user, patron=teacher, record=item.record, at=now)
    assert err.value.code == "policy"


def test_self_service_place_renew_cancel(client, librarian, student, make_item, now):
    patron = student.patron
    item = make_item()
    other = make_item()
    services.loan_checkout(actor=librarian, patron=patron, item=item)
    client.force_login(student)
    page = client.get("/account/").content.decode()
    assert item.record.title in page and "không lưu lịch sử đọc" in page
    client.post(f"/account/loans/{patron.loans.get().pk}/renew/")
    assert patron.loans.get().renewals == 1
    client.post(f"/account/holds/place/{other.record.pk}/")
    hold = Hold.objects.get(patron=patron)
    client.post(f"/account/holds/{hold.pk}/cancel/")
    hold.refresh_from_db()
    assert hold.status == HoldStatus.CANCELLED


def test_self_service_cannot_touch_someone_elses_loan(
    client, librarian, student, make_patron, item
):
    other = make_patron()
    loan = services.loan_checkout(actor=librarian, patron=other, item=item)
    client.force_login(student)
    assert client.post(f"/account/loans/{loan.pk}/renew/").status_code == 404


def test_history_is_shown_only_with_consent(client, librarian, student, item):
    patron = student.patron
    services.loan_checkout(actor=librarian, patron=patron, item=item)
    services.loan_checkin(actor=librarian, item=item)
    client.force_login(student)
    assert item.record.title not in client.get("/account/").content.decode()
    patron.consent_reading_history = True
    patron.save()
    assert item.record.title in client.get("/account/").content.decode()


def test_account_needs_a_patron_card(client, librarian):
    client.force_login(librarian)
    assert client.get("/account/").status_code == 403
