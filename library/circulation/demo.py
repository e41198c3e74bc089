"""Demo lending: the loan policy matrix, the 2026–2027 school calendar (Tết 2027, summer
break), a few loans (one overdue) and a hold. Running it again changes nothing.

Runs after the demo people (library.accounts) and the demo catalogue (catalog): `demo_load`
follows INSTALLED_APPS order. Loans go through the lending services, so items, audit rows and
search are as they would be after real desk work.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from catalog.models import Item, ItemStatus, ItemType
from library.accounts.models import Patron, PatronCategory, Role, User

from . import services
from .models import ClosedPeriod, Hold, Loan, LoanPolicy, SchoolCalendar

S, T, ST = PatronCategory.STUDENT, PatronCategory.TEACHER, PatronCategory.STAFF

# name, category, grade, item type code, loan days, max items, renewals, holds allowed
POLICIES = [
    ("Mặc định", "", None, None, 14, 3, 1, True),
    ("Học sinh", S, None, None, 14, 3, 1, True),
    ("Học sinh khối 6 (sách tham khảo)", S, 6, "STK", 7, 2, 1, True),
    ("Giáo viên", T, None, None, 30, 10, 2, True),
    ("Cán bộ, nhân viên", ST, None, None, 21, 5, 1, True),
    ("Sách giáo khoa (mượn cả năm học)", "", None, "SGK", 270, 15, 0, False),
    ("Sách giáo viên cho giáo viên", T, None, "SGV", 270, 15, 0, False),
]

CALENDAR_NAME = "Lịch thư viện năm học 2026–2027"
# The library is closed on Sundays and on these days (inclusive).
CLOSED = [
    ("Tết Dương lịch 2027", dt.date(2027, 1, 1), dt.date(2027, 1, 1)),
    # Tết Nguyên đán Đinh Mùi: mùng 1 is Saturday 6/2/2027; schools close about two weeks.
    ("Nghỉ Tết Nguyên đán Đinh Mùi 2027", dt.date(2027, 2, 1), dt.date(2027, 2, 14)),
    ("Giải phóng miền Nam và Quốc tế Lao động", dt.date(2027, 4, 30), dt.date(2027, 5, 1)),
    ("Nghỉ hè 2027", dt.date(2027, 6, 1), dt.date(2027, 8, 14)),
    ("Quốc khánh 2027", dt.date(2027, 9, 2), dt.date(2027, 9, 3)),
]

# Pupils of the homeroom class of the demo teacher, besides the demo student "hocsinh".
PUPILS = [
    ("hs_demo_binh", "Phạm Gia Bình", "HS0002", "0123456790"),
    ("hs_demo_chau", "Vũ Minh Châu", "HS0003", "0123456791"),
]
DEMO_CLASS = "6A1"


def _policies() -> int:
    created = 0
    types = dict(ItemType.objects.values_list("code", "pk"))
    for name, category, grade, type_code, days, max_items, renewals, holds in POLICIES:
        if type_code and type_code not in types:
            continue
        _, new = LoanPolicy.objects.get_or_create(
            patron_category=category,
            grade=grade,
            item_type_id=types.get(type_code) if type_code else None,
            defaults={
                "name": name,
                "loan_days": days,
                "max_items": max_items,
                "max_renewals": renewals,
                "holds_allowed": holds,
            },
        )
        created += new
    return created


def _calendar() -> int:
    calendar, created = SchoolCalendar.objects.get_or_create(
        name=CALENDAR_NAME, defaults={"closed_weekdays": [6]}
    )
    for name, start, end in CLOSED:
        _, new = ClosedPeriod.objects.get_or_create(
            calendar=calendar, name=name, defaults={"start": start, "end": end}
        )
        created += new
    return created


def _pupils() -> tuple[list[Patron], int]:
    created = 0
    pupils = []
    for username, full_name, card, identifier in PUPILS:
        patron = Patron.objects.filter(card_barcode=card).first()
        if patron is None:
            user = User(username=username, full_name=full_name, role=Role.STUDENT)
            user.set_unusable_password()  # demo pupils borrow at the desk, they do not sign in
            user.save()
            patron = Patron.objects.create(
                user=user,
                category=S,
                school_class=DEMO_CLASS,
                grade=6,
                card_barcode=card,
                student_identifier=identifier,
                expires_on=dt.date(2027, 6, 30),
            )
            created += 1
        pupils.append(patron)
    return pupils, created


def _lendable(**filters):
    return (
        Item.objects.filter(
            accession_number__startswith="DEMO-", status=ItemStatus.AVAILABLE, **filters
        )
        .exclude(item_type__reference_only=True)
        .select_related("record", "item_type")
        .order_by("accession_number")
    )


def _loans(pupils: list[Patron]) -> int:
    """One overdue loan of a single-copy book with a hold waiting for it, and current loans."""
    student = Patron.objects.filter(card_barcode="HS0001").select_related("user").first()
    teacher = Patron.objects.filter(card_barcode="GV0001").select_related("user").first()
    if student is None or teacher is None:
        return 0
    if teacher.homeroom_class == "":
        teacher.homeroom_class = DEMO_CLASS
        teacher.save(update_fields=["homeroom_class"])
    cards = [student.card_barcode, teacher.card_barcode, *(p.card_barcode for p in pupils)]
    if Loan.objects.filter(patron__card_barcode__in=cards).exists():
        return 0  # already loaded
    actor = User.objects.filter(username="thuthu").first()
    now = timezone.now()
    created = 0
    single = (
        _lendable(item_type__code="STK")
        .annotate(copies=Count("record__items", filter=~Q(record__items__status="withdrawn")))
        .filter(copies=1)
        .first()
    )
    if single is not None:
        # Lent 40 days ago for 14: overdue, on the homeroom teacher's list; the demo student
        # waits for it, so checking it in at the desk sends it to the hold shelf.
        services.loan_checkout(
            actor=actor, patron=pupils[0], item=single, at=now - dt.timedelta(days=40)
        )
        services.hold_place(actor=student.user, patron=student, record=single.record, at=now)
        created += 2
    for patron, type_code, days_ago in (
        (student, "STK", 3),
        (pupils[1], "STK", 5),
        (teacher, "SGV", 10),
    ):
        item = _lendable(item_type__code=type_code).exclude(record__holds__isnull=False).first()
        if item is None:
            continue
        services.loan_checkout(
            actor=actor, patron=patron, item=item, at=now - dt.timedelta(days=days_ago)
        )
        created += 1
    return created


@transaction.atomic
def load(stdout=None) -> int:
    """Create what is missing of the demo lending data; return how many objects were created."""
    created = _policies() + _calendar()
    pupils, new = _pupils()
    created += new + _loans(pupils)
    if stdout is not None:
        stdout.write(
            f"circulation demo: {LoanPolicy.objects.count()} quy định mượn, "
            f"{Loan.objects.open().count()} lượt đang mượn, "
            f"{Hold.objects.active().count()} lượt đặt trước\n"
        )
    return created
