"""The desk stays cheap: bounded queries per scan, rules read once per request, no repeated
reads of what the page does not need. (Speed itself is measured in bench/circulation_desk.py.)"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from library.circulation import selectors, services
from library.circulation.models import LoanPolicy, SchoolCalendar

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(client, librarian):
    client.force_login(librarian)
    return client


def _sql(queries) -> str:
    return "\n".join(q["sql"] for q in queries.captured_queries)


def test_checkout_and_checkin_scans_use_a_bounded_number_of_queries(
    desk, patron, make_item, django_assert_max_num_queries
):
    LoanPolicy.objects.create(name="HS", patron_category="student", loan_days=7)
    SchoolCalendar.objects.create(closed_weekdays=[6])
    items = [make_item(price=1000) for _ in range(3)]
    desk.post("/desk/patron/", {"card": patron.card_barcode})
    desk.post("/desk/checkout/", {"barcode": items[0].barcode})
    desk.post("/desk/checkout/", {"barcode": items[1].barcode})
    # Session, user, patron, item, policies, calendar (2), the write transaction (count,
    # update, insert, holds, audit), the page's loan list: however many loans the patron has.
    with django_assert_max_num_queries(17):
        response = desk.post("/desk/checkout/", {"barcode": items[2].barcode})
    assert response.status_code == 200 and "Đã cho mượn" in response.content.decode()
    with django_assert_max_num_queries(15):
        response = desk.post("/desk/checkin/", {"barcode": items[0].barcode})
    assert response.status_code == 200 and "Đã nhận trả" in response.content.decode()


def test_page_after_a_scan_reads_holds_and_dues_only_if_the_patron_had_some(
    desk, patron, make_item, make_patron, librarian
):
    item = make_item()
    with CaptureQueriesContext(connection) as scan:
        desk.post("/desk/patron/", {"card": patron.card_barcode})
    assert "circulation_hold" in _sql(scan) and "circulation_compensation" in _sql(scan)
    with CaptureQueriesContext(connection) as checkout:
        desk.post("/desk/checkout/", {"barcode": item.barcode})
    assert 'FROM "circulation_compensation"' not in _sql(checkout)
    assert 'FROM "circulation_hold"' not in _sql(checkout)

    # A patron with a hold keeps seeing it after each scan.
    other = make_item()
    waiting = make_patron()
    services.loan_checkout(actor=librarian, patron=make_patron(), item=other)
    services.hold_place(actor=waiting.user, patron=waiting, record=other.record)
    desk.post("/desk/patron/", {"card": waiting.card_barcode})
    response = desk.post("/desk/checkout/", {"barcode": make_item().barcode})
    assert other.record.title in response.content.decode()


def test_lost_item_makes_the_desk_read_the_patrons_dues_again(desk, patron, item):
    desk.post("/desk/patron/", {"card": patron.card_barcode})
    desk.post("/desk/checkout/", {"barcode": item.barcode})
    desk.post("/desk/lost/", {"barcode": item.barcode, "kind": "lost"})
    receipt = patron.compensations.get().receipt_number
    assert receipt in desk.get("/desk/").content.decode()


def test_policies_and_calendar_are_read_once_per_request(patron, item, django_assert_num_queries):
    LoanPolicy.objects.create(name="HS", patron_category="student")
    SchoolCalendar.objects.create(closed_weekdays=[6])
    # Three reads: the policies, the calendar, its closed periods.
    with selectors.rules_cached(), django_assert_num_queries(3):
        for _ in range(3):
            selectors.policy_for(patron=patron, item_type_id=item.item_type_id)
            selectors.calendar_current()
    # Outside a request the rules are read again, so an edit applies at once.
    LoanPolicy.objects.filter(name="HS").update(loan_days=3)
    assert selectors.policy_for(patron=patron, item_type_id=None).loan_days == 3


def test_checkin_tells_search_the_copy_is_back(librarian, patron, item, monkeypatch):
    queued = []
    monkeypatch.setattr(services, "index_later", lambda model, pks: queued.append(list(pks)))
    services.loan_checkout(actor=librarian, patron=patron, item=item)
    services.loan_checkin(actor=librarian, item=item)
    assert queued == [[item.record_id]]


def test_a_stale_item_object_is_read_again_before_lending(librarian, make_patron, item):
    first, second = make_patron(), make_patron()
    services.loan_checkout(actor=librarian, patron=first, item=item)
    # `item` still says available in memory; the service must not trust it.
    with pytest.raises(services.CheckoutRefused) as err:
        services.loan_checkout(actor=librarian, patron=second, item=item)
    assert err.value.code == "item_unavailable"
    fresh = selectors.item_by_barcode(item.barcode)
    services.loan_checkin(actor=librarian, item=fresh)
    # The mark of a fresh read is used once: the same object is read again the next time.
    services.loan_checkout(actor=librarian, patron=second, item=fresh)
    with pytest.raises(services.CheckoutRefused):
        services.loan_checkout(actor=librarian, patron=first, item=fresh)
