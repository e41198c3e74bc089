import datetime as dt

import pytest

from catalog.models import Item, ItemStatus, Location
from library.circulation import selectors, services
from library.circulation.exceptions import CirculationError

pytestmark = pytest.mark.django_db


def test_class_set_lends_each_textbook_to_every_student_and_lists_missing_returns(
    librarian, make_patron, make_record, make_item, now
):
    students = [make_patron(school_class="6A1") for _ in range(3)]
    make_patron(school_class="6A2")
    toan = make_record("Toán 6", textbook_series="Kết nối tri thức", grade_levels=["6"])
    van = make_record("Ngữ văn 6", textbook_series="Kết nối tri thức", grade_levels=[6])
    make_record("Toán 7", textbook_series="Kết nối tri thức", grade_levels=["7"])
    for _ in range(3):
        make_item(record=toan)
    for _ in range(2):
        make_item(record=van)
    books = selectors.textbooks_for_grade(6)
    assert {r.title for r in books} == {"Toán 6", "Ngữ văn 6"}

    result = services.class_set_issue(
        actor=librarian,
        school_class="6A1",
        school_year="2026-2027",
        records=books,
        due_on=dt.date(2027, 5, 31),
        at=now,
    )
    assert result.loans == 5
    assert result.shortages == ["Ngữ văn 6: thiếu 1 bản"]

    # Take back most in one scanning session; the list shows who still owes what.
    returned = result.issue.loans.filter(patron=students[0]).values_list("item_id", flat=True)
    for item in Item.objects.filter(pk__in=list(returned)):
        services.loan_checkin(actor=librarian, item=item, at=now)
    outstanding = selectors.class_set_outstanding(result.issue)
    assert students[0] not in [p for p, _ in outstanding]
    assert sum(len(loans) for _, loans in outstanding) == 5 - len(returned)


def test_class_set_to_homeroom_teacher(librarian, make_patron, make_record, make_item, now):
    for _ in range(2):
        make_patron(school_class="6A3")
    teacher = make_patron(category="teacher")
    toan = make_record("Toán 6", textbook_series="KNTT", grade_levels=["6"])
    for _ in range(2):
        make_item(record=toan)
    result = services.class_set_issue(
        actor=librarian,
        school_class="6A3",
        school_year="2026-2027",
        records=[toan],
        due_on=dt.date(2027, 5, 31),
        to_teacher=teacher,
        at=now,
    )
    assert result.loans == 2 and teacher.loans.count() == 2


def test_class_set_page_requires_librarian(client, student):
    client.force_login(student)
    assert client.get("/desk/class-sets/new/").status_code == 403


def test_stocktake_finds_missing_misplaced_and_unexpected(librarian, make_item, location, now):
    other = Location.objects.create(code="KHO-B", name="Kho B")
    here = [make_item(location=location) for _ in range(3)]
    elsewhere = make_item(location=other)
    lent = make_item(location=location, status=ItemStatus.ON_LOAN)
    st = services.stocktake_start(actor=librarian, location=location, at=now)
    with pytest.raises(CirculationError):
        services.stocktake_start(actor=librarian, location=location, at=now)
    services.stocktake_scan(
        actor=librarian,
        stocktake=st,
        barcodes=[
            here[0].barcode,
            here[1].barcode,
            here[1].barcode,
            elsewhere.barcode,
            lent.barcode,
            "LA123",
        ],
    )
    report = selectors.stocktake_report(st)
    assert report.missing == [here[2]]
    assert report.misplaced == [elsewhere]
    assert {b for b, _ in report.unexpected} == {lent.barcode, "LA123"}

    # Missing becomes lost only when confirmed.
    here[2].refresh_from_db()
    assert here[2].status == ItemStatus.AVAILABLE
    assert (
        services.stocktake_confirm_missing(
            actor=librarian, stocktake=st, item_ids=[here[2].pk, here[0].pk]
        )
        == 1
    )
    here[2].refresh_from_db()
    assert here[2].status == ItemStatus.LOST


def test_stocktake_page_scans_pasted_barcodes(client, librarian, make_item, location):
    items = [make_item(location=location) for _ in range(2)]
    client.force_login(librarian)
    response = client.post("/desk/stocktakes/", {"location": location.pk})
    url = response["Location"]
    client.post(url, {"action": "scan", "barcodes": f"{items[0].barcode}\n{items[1].barcode}\n"})
    page = client.get(url).content.decode()
    assert "Thiếu (không quét thấy) (0)" in page
