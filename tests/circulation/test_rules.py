import datetime as dt

import pytest

from catalog.models import ItemType
from library.accounts.models import PatronCategory
from library.circulation import selectors
from library.circulation.calendar import Calendar
from library.circulation.models import ClosedPeriod, LoanPolicy, SchoolCalendar

pytestmark = pytest.mark.django_db


@pytest.fixture
def ref_type():
    return ItemType.objects.create(code="TK", name="Sách tham khảo")


@pytest.fixture
def matrix(book_type, ref_type):
    return {
        "default": LoanPolicy.objects.create(name="Mặc định", loan_days=10),
        "students": LoanPolicy.objects.create(
            name="Học sinh", patron_category=PatronCategory.STUDENT, loan_days=7
        ),
        "grade6": LoanPolicy.objects.create(
            name="Học sinh khối 6", patron_category=PatronCategory.STUDENT, grade=6, loan_days=5
        ),
        "ref": LoanPolicy.objects.create(name="Tham khảo", item_type=ref_type, loan_days=3),
        "student_ref": LoanPolicy.objects.create(
            name="Học sinh · tham khảo",
            patron_category=PatronCategory.STUDENT,
            item_type=ref_type,
            loan_days=2,
        ),
        "grade6_ref": LoanPolicy.objects.create(
            name="Khối 6 · tham khảo",
            patron_category=PatronCategory.STUDENT,
            grade=6,
            item_type=ref_type,
            loan_days=1,
        ),
    }


def test_specificity_orders_category_grade_item_type_first(matrix):
    scores = {key: p.specificity for key, p in matrix.items()}
    assert (
        scores["grade6_ref"]
        > scores["student_ref"]
        > scores["ref"]
        > scores["grade6"]
        > scores["students"]
        > scores["default"]
        == 0
    )
    assert [p.name for p in selectors.policies_by_precedence()][0] == "Khối 6 · tham khảo"


def test_most_specific_matching_policy_wins(matrix, make_patron, book_type, ref_type):
    grade6 = make_patron(grade=6)
    grade7 = make_patron(grade=7, school_class="7A1")
    teacher = make_patron(category=PatronCategory.TEACHER)

    assert selectors.policy_for(patron=grade6, item_type_id=ref_type.pk) == matrix["grade6_ref"]
    assert selectors.policy_for(patron=grade7, item_type_id=ref_type.pk) == matrix["student_ref"]
    assert selectors.policy_for(patron=teacher, item_type_id=ref_type.pk) == matrix["ref"]
    assert selectors.policy_for(patron=grade6, item_type_id=book_type.pk) == matrix["grade6"]
    assert selectors.policy_for(patron=grade7, item_type_id=book_type.pk) == matrix["students"]
    assert selectors.policy_for(patron=teacher, item_type_id=book_type.pk) == matrix["default"]


def test_without_any_policy_the_built_in_default_applies(make_patron):
    policy = selectors.policy_for(patron=make_patron(), item_type_id=None)
    assert policy.loan_days == 14 and policy.max_items == 3


def test_duplicate_policy_for_the_same_cell_is_rejected(matrix):
    from django.core.exceptions import ValidationError

    twin = LoanPolicy(name="Trùng", patron_category=PatronCategory.STUDENT, grade=6)
    with pytest.raises(ValidationError):
        twin.full_clean()


def test_grade_only_makes_sense_for_students():
    from django.core.exceptions import ValidationError

    policy = LoanPolicy(name="Sai", patron_category=PatronCategory.TEACHER, grade=6)
    with pytest.raises(ValidationError) as err:
        policy.full_clean()
    assert "grade" in err.value.message_dict


def test_admin_policy_list_shows_the_precedence(client, librarian, matrix):
    librarian.is_superuser = True
    librarian.save()
    client.force_login(librarian)
    response = client.get("/admin/circulation/loanpolicy/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Thứ tự ưu tiên" in body and "độ ưu tiên" in body.lower()


# ------------------------------------------------------------------ calendar

WED = dt.date(2026, 10, 7)


def test_due_date_on_sunday_moves_to_monday():
    cal = Calendar.build([6], [])
    # 7 Oct 2026 is a Wednesday; +4 days is Sunday 11 Oct.
    assert cal.due_date(WED, 4) == dt.date(2026, 10, 12)


def test_due_date_in_tet_moves_past_the_holiday():
    tet = (dt.date(2027, 2, 3), dt.date(2027, 2, 14))
    cal = Calendar.build([5, 6], [tet])
    assert cal.due_date(dt.date(2027, 1, 25), 14) == dt.date(2027, 2, 15)  # Monday after Tết


def test_open_due_date_is_unchanged():
    assert Calendar.build([6], []).due_date(WED, 7) == dt.date(2026, 10, 14)


def test_add_open_days_skips_closed_days():
    cal = Calendar.build([5, 6], [])
    # Friday + 2 open days = Tuesday.
    assert cal.add_open_days(dt.date(2026, 10, 9), 2) == dt.date(2026, 10, 13)


def test_calendar_that_never_opens_is_an_error():
    cal = Calendar.build([], [(dt.date(2026, 1, 1), dt.date(2030, 1, 1))])
    with pytest.raises(ValueError):
        cal.next_open_day(dt.date(2026, 6, 1))


def test_calendar_is_read_from_the_database():
    calendar = SchoolCalendar.objects.create(closed_weekdays=[6])
    ClosedPeriod.objects.create(
        calendar=calendar, name="Nghỉ hè", start=dt.date(2027, 6, 1), end=dt.date(2027, 8, 15)
    )
    cal = selectors.calendar_current()
    assert cal.due_date(dt.date(2027, 5, 25), 14) == dt.date(2027, 8, 16)


def test_calendar_with_all_days_closed_is_invalid():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        SchoolCalendar(closed_weekdays=list(range(7))).full_clean()
