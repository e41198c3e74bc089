import datetime as dt
import json

import pytest
from django.core.management import call_command

from library.circulation import services
from library.circulation.exceptions import RolloverRefused
from library.circulation.models import Loan
from library.core.models import AuditEntry

from .conftest import at

pytestmark = pytest.mark.django_db


def test_loan_history_is_anonymised_after_n_days_without_consent(
    settings, librarian, make_patron, make_item, now
):
    settings.LIBRARY_LOAN_HISTORY_DAYS = 30
    plain, opted_in = make_patron(), make_patron(consent_reading_history=True)
    for patron in (plain, opted_in):
        item = make_item()
        services.loan_checkout(actor=librarian, patron=patron, item=item, at=now)
        services.loan_checkin(actor=librarian, item=item, at=now)
    open_item = make_item()
    services.loan_checkout(actor=librarian, patron=plain, item=open_item, at=now)

    assert services.loan_history_anonymise(at=at(2026, 10, 30)) == 0
    assert services.loan_history_anonymise(at=at(2026, 11, 7)) == 1
    anonymised = Loan.objects.get(patron__isnull=True)
    assert anonymised.patron_category == "student" and anonymised.patron_class == "6A1"
    assert Loan.objects.filter(patron=opted_in).count() == 1
    assert Loan.objects.open().get().patron == plain


def test_daily_command_runs_the_jobs(settings, librarian, patron, item, now, mailoutbox):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    services.loan_checkout(actor=librarian, patron=patron, item=item, at=at(2026, 1, 5))
    call_command("circulation_daily", "--now")
    assert Loan.objects.get().last_notice_on is not None


def test_overdue_notice_sent_once_a_day(
    librarian, patron, item, mailoutbox, django_capture_on_commit_callbacks
):
    services.loan_checkout(actor=librarian, patron=patron, item=item, at=at(2026, 1, 5))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.overdue_notices_send(at=at(2026, 3, 1)) == 1
        assert services.overdue_notices_send(at=at(2026, 3, 1, 15)) == 0
    assert len(mailoutbox) == 1 and "quá hạn" in mailoutbox[0].subject
    assert item.record.title in mailoutbox[0].body


def test_export_contains_the_patrons_data(librarian, patron, item, now):
    services.loan_checkout(actor=librarian, patron=patron, item=item, at=now)
    data = json.loads(services.patron_export(actor=librarian, patron=patron))
    assert data["patron"]["card_barcode"] == patron.card_barcode
    assert data["loans"][0]["barcode"] == item.barcode
    assert AuditEntry.objects.filter(action="patron.export", object_id=str(patron.pk)).exists()


def test_rollover_promotes_and_expires_leavers(librarian, make_patron, make_item, now):
    sixth = make_patron(grade=6, school_class="6A1")
    ninth = make_patron(grade=9, school_class="9A2")
    result = services.patron_rollover(
        actor=librarian, final_grade=9, expires_on=dt.date(2027, 6, 30), at=now
    )
    sixth.refresh_from_db()
    ninth.refresh_from_db()
    assert (sixth.grade, sixth.school_class) == (7, "7A1")
    assert ninth.expires_on == now.date() and result.expired == 1


def test_rollover_refused_while_leavers_hold_loans_unless_confirmed(
    librarian, make_patron, item, now
):
    ninth = make_patron(grade=9, school_class="9A2")
    services.loan_checkout(actor=librarian, patron=ninth, item=item, at=now)
    with pytest.raises(RolloverRefused):
        services.patron_rollover(
            actor=librarian, final_grade=9, expires_on=dt.date(2027, 6, 30), at=now
        )
    ninth.refresh_from_db()
    assert ninth.expires_on is None
    result = services.patron_rollover(
        actor=librarian,
        final_grade=9,
        expires_on=dt.date(2027, 6, 30),
        confirm_with_loans=True,
        at=now,
    )
    assert result.with_loans == [ninth]
