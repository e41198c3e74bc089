"""`make run` demo data for lending: policies, calendar, loans (one overdue) and a hold."""

import datetime as dt

import pytest
from django.utils import timezone

from catalog import demo as catalog_demo
from library.accounts import demo as accounts_demo
from library.circulation import demo, selectors
from library.circulation.models import ClosedPeriod, Hold, HoldStatus, Loan, LoanPolicy

pytestmark = pytest.mark.django_db


def test_demo_lending_data_is_complete_and_loads_once():
    accounts_demo.load()
    catalog_demo.load()
    assert demo.load() > 0

    assert LoanPolicy.objects.filter(patron_category="teacher").exists()
    assert LoanPolicy.objects.filter(grade=6, item_type__code="STK").exists()
    names = " ".join(ClosedPeriod.objects.values_list("name", flat=True))
    assert "Tết Nguyên đán" in names and "Nghỉ hè" in names
    calendar = selectors.calendar_current()
    assert not calendar.is_open(dt.date(2027, 2, 8))  # Tết 2027
    assert not calendar.is_open(dt.date(2027, 7, 15))  # summer break
    assert calendar.next_open_day(dt.date(2027, 2, 10)) == dt.date(2027, 2, 15)

    today = timezone.localdate()
    assert Loan.objects.open().count() >= 3
    overdue = Loan.objects.overdue(today)
    assert overdue.count() == 1 and overdue.get().patron.school_class == "6A1"
    hold = Hold.objects.get()
    assert hold.status == HoldStatus.WAITING and hold.record == overdue.get().item.record
    assert hold.patron.card_barcode == "HS0001"
    assert selectors.homeroom_class_of(Loan.objects.get(patron__card_barcode="GV0001").patron.user)

    counts = (LoanPolicy.objects.count(), ClosedPeriod.objects.count(), Loan.objects.count())
    assert demo.load() == 0
    assert counts == (
        LoanPolicy.objects.count(),
        ClosedPeriod.objects.count(),
        Loan.objects.count(),
    )
