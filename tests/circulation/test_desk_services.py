import datetime as dt

import pytest

from catalog.models import ItemStatus, ItemType
from library.circulation import services
from library.circulation.exceptions import CheckoutRefused, RenewalRefused
from library.circulation.models import (
    CompensationKind,
    CompensationStatus,
    Hold,
    HoldStatus,
    Loan,
    LoanPolicy,
    PaymentMethod,
    SchoolCalendar,
)
from library.core.models import AuditEntry

from .conftest import at

pytestmark = pytest.mark.django_db


def test_checkout_sets_due_date_from_policy_and_calendar(librarian, patron, item, now):
    LoanPolicy.objects.create(name="HS", patron_category="student", loan_days=4)
    SchoolCalendar.objects.create(closed_weekdays=[6])
    loan = services.loan_checkout(actor=librarian, patron=patron, item=item, at=now)
    # Wed 7/10 + 4 = Sunday 11/10, closed: Monday 12/10.
    assert loan.due_on == dt.date(2026, 10, 12)
    item.refresh_from_db()
    assert item.status == ItemStatus.ON_LOAN
    entry = AuditEntry.objects.get(action="loan.checkout")
    assert entry.actor == librarian and entry.details["barcode"] == item.barcode


@pytest.mark.parametrize(
    ("setup", "code", "words"),
    [
        (lambda p, i: setattr(p, "expires_on", dt.date(2026, 9, 1)), "expired", "hết hạn"),
        (
            lambda p, i: setattr(p, "blocked_reason", "Làm mất sách chưa bồi thường"),
            "blocked",
            "khóa",
        ),
        (lambda p, i: setattr(i, "status", ItemStatus.REFERENCE_ONLY), "reference_only", "tại chỗ"),
        (
            lambda p, i: setattr(i, "status", ItemStatus.ON_LOAN),
            "item_unavailable",
            "đang được mượn",
        ),
    ],
    ids=["card-expired", "blocked", "reference-only", "already-on-loan"],
)
def test_checkout_refusal_says_why(librarian, patron, item, now, setup, code, words):
    setup(patron, item)
    patron.save()
    item.save()
    with pytest.raises(CheckoutRefused) as err:
        services.loan_checkout(actor=librarian, patron=patron, item=item, at=now)
    assert err.value.code == code
    assert words in err.value.message
    assert not Loan.objects.exists()


def test_reference_only_item_type_is_refused(librarian, patron, make_item, now):
    ref = ItemType.objects.create(code="TD", name="Từ điển", reference_only=True)
    item = make_item(item_type=ref)
    with pytest.raises(CheckoutRefused) as err:
        services.loan_checkout(actor=librarian, patron=patron, item=item, at=now)
    assert err.value.code == "reference_only"


def test_checkout_over_the_limit_is_refused(librarian, patron, make_item, now):
    LoanPolicy.objects.create(name="HS", patron_category="student", max_items=2)
    for _ in range(2):
        services.loan_checkout(actor=librarian, patron=patron, item=make_item(), at=now)
    with pytest.raises(CheckoutRefused) as err:
        services.loan_checkout(actor=librarian, patron=patron, item=make_item(), at=now)
    assert err.value.code == "limit" and "2/2" in err.value.message
    assert err.value.overridable


def test_item_on_hold_shelf_for_someone_else_is_refused(librarian, make_patron, item, now):
    first, second = make_patron(), make_patron()
    services.loan_checkout(actor=librarian, patron=first, item=item, at=now)
    services.hold_place(actor=second.user, patron=second, record=item.record, at=now)
    services.loan_checkin(actor=librarian, item=item, at=now)
    third = make_patron()
    with pytest.raises(CheckoutRefused) as err:
        services.loan_checkout(actor=librarian, patron=third, item=item, at=now)
    assert err.value.code == "on_hold"
    # The patron it waits for can take it, and the hold is fulfilled.
    services.loan_checkout(actor=librarian, patron=second, item=item, at=now)
    assert Hold.objects.get(patron=second).status == HoldStatus.FULFILLED


def test_librarian_override_with_reason_is_audited(librarian, patron, item, now):
    patron.expires_on = dt.date(2026, 9, 1)
    patron.save()
    loan = services.loan_checkout(
        actor=librarian, patron=patron, item=item, at=now, override_reason="Đang làm lại thẻ"
    )
    assert loan.override_reason == "Đang làm lại thẻ"
    entry = AuditEntry.objects.get(action="loan.override")
    assert entry.details["overridden"] == ["expired"]
    assert entry.details["override_reason"] == "Đang làm lại thẻ"


def test_override_cannot_lend_a_copy_already_on_loan(librarian, make_patron, item, now):
    services.loan_checkout(actor=librarian, patron=make_patron(), item=item, at=now)
    with pytest.raises(CheckoutRefused) as err:
        services.loan_checkout(
            actor=librarian, patron=make_patron(), item=item, at=now, override_reason="Cần gấp"
        )
    assert not err.value.overridable
    assert Loan.objects.count() == 1


def test_checkin_makes_the_item_available_again(librarian, patron, item, now):
    loan = services.loan_checkout(actor=librarian, patron=patron, item=item, at=now)
    result = services.loan_checkin(actor=librarian, item=item, at=at(2026, 10, 9))
    loan.refresh_from_db()
    item.refresh_from_db()
    assert loan.returned_at is not None and result.hold is None
    assert item.status == ItemStatus.AVAILABLE


def test_checkin_of_an_item_not_on_loan_says_so(librarian, item, now):
    result = services.loan_checkin(actor=librarian, item=item, at=now)
    assert result.loan is None and "không đang được mượn" in result.messages[0]


def test_late_checkin_is_reported(librarian, patron, item, now):
    services.loan_checkout(actor=librarian, patron=patron, item=item, at=now)
    result = services.loan_checkin(actor=librarian, item=item, at=at(2026, 12, 1))
    assert any("Trả muộn" in m for m in result.messages)


def test_renew_extends_from_today(librarian, patron, item, now):
    LoanPolicy.objects.create(name="HS", patron_category="student", loan_days=7, max_renewals=1)
    loan = services.loan_checkout(actor=librarian, patron=patron, item=item, at=now)
    loan = services.loan_renew(actor=patron.user, loan=loan, at=at(2026, 10, 12))
    assert loan.due_on == dt.date(2026, 10, 19) and loan.renewals == 1


def test_renew_refused_when_renewals_are_used_up(librarian, patron, item, now):
    LoanPolicy.objects.create(name="HS", patron_category="student", max_renewals=1)
    loan = services.loan_checkout(actor=librarian, patron=patron, item=item, at=now)
    services.loan_renew(actor=librarian, loan=loan, at=now)
    with pytest.raises(RenewalRefused) as err:
        services.loan_renew(actor=librarian, loan=loan, at=now)
    assert err.value.code == "renewals"


def test_renew_refused_when_another_patron_holds_the_record(librarian, make_patron, item, now):
    borrower, waiting = make_patron(), make_patron()
    loan = services.loan_checkout(actor=librarian, patron=borrower, item=item, at=now)
    services.hold_place(actor=waiting.user, patron=waiting, record=item.record, at=now)
    with pytest.raises(RenewalRefused) as err:
        services.loan_renew(actor=borrower.user, loan=loan, at=now)
    assert err.value.code == "held" and "đặt trước" in err.value.message


def test_lost_item_compensation_from_policy_and_price(librarian, patron, make_item, now):
    LoanPolicy.objects.create(
        name="HS", patron_category="student", lost_multiplier=1.5, processing_fee=10000
    )
    item = make_item(price=48000)
    services.loan_checkout(actor=librarian, patron=patron, item=item, at=now)
    comp = services.item_mark_lost_or_damaged(
        actor=librarian, item=item, kind=CompensationKind.LOST, at=now
    )
    item.refresh_from_db()
    assert item.status == ItemStatus.LOST
    assert comp.amount == 82000  # 48,000 x 1.5 + 10,000
    assert comp.patron == patron and comp.receipt_number.startswith("BT26")
    assert not Loan.objects.open().exists()


def test_damaged_item_without_price_uses_minimum(librarian, patron, make_item, now):
    LoanPolicy.objects.create(
        name="HS", patron_category="student", damage_percent=50, minimum_compensation=30000
    )
    item = make_item(price=None)
    services.loan_checkout(actor=librarian, patron=patron, item=item, at=now)
    services.loan_checkin(actor=librarian, item=item, at=now)
    comp = services.item_mark_lost_or_damaged(
        actor=librarian, item=item, kind=CompensationKind.DAMAGED, at=now
    )
    assert comp.amount == 15000 and comp.patron == patron


def test_cash_payment_is_recorded_once(librarian, patron, item, now):
    services.loan_checkout(actor=librarian, patron=patron, item=item, at=now)
    comp = services.item_mark_lost_or_damaged(actor=librarian, item=item, kind="lost", at=now)
    services.compensation_pay(actor=librarian, compensation=comp, method=PaymentMethod.CASH)
    comp.refresh_from_db()
    assert comp.status == CompensationStatus.PAID and comp.method == "cash"
    from library.circulation.exceptions import PaymentError

    with pytest.raises(PaymentError):
        services.compensation_pay(actor=librarian, compensation=comp, method="cash")
    assert AuditEntry.objects.filter(action="compensation.paid").count() == 1
