"""Reads for lending: policies, the calendar, loans, holds, class sets, stocktakes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from catalog.models import Item, ItemStatus, Record
from library.accounts.models import Patron, PatronCategory

from .calendar import Calendar
from .models import (
    ClassSetIssue,
    ClosedPeriod,
    Compensation,
    CompensationStatus,
    Hold,
    HoldStatus,
    Loan,
    LoanPolicy,
    SchoolCalendar,
    Stocktake,
)

# Used when no policy row matches (a fresh install): two weeks, three books, one renewal.
DEFAULT_POLICY = LoanPolicy(name="Mặc định", loan_days=14, max_items=3, max_renewals=1)


# Policies and the calendar change a few times a year but are read on every desk scan. Within
# one request (or one daily task) they are read once; across requests they are read again, so
# an edit in the admin applies at once in every server process.
_rules_memo: ContextVar[dict[str, Any] | None] = ContextVar("circulation_rules", default=None)


@contextmanager
def rules_cached():
    """Read loan policies and the calendar at most once inside the block (also a decorator)."""
    token = _rules_memo.set({})
    try:
        yield
    finally:
        _rules_memo.reset(token)


def _memo(key: str, load: Callable[[], Any]) -> Any:
    memo = _rules_memo.get()
    if memo is None:
        return load()
    if key not in memo:
        memo[key] = load()
    return memo[key]


def _load_calendar() -> Calendar:
    row = SchoolCalendar.objects.order_by("id").values_list("pk", "closed_weekdays").first()
    if row is None:
        return Calendar()
    periods = ClosedPeriod.objects.filter(calendar_id=row[0]).values_list("start", "end")
    return Calendar.build(row[1] or [], periods)


def calendar_current() -> Calendar:
    return _memo("calendar", _load_calendar)


def _load_policies() -> list[LoanPolicy]:
    policies = list(LoanPolicy.objects.select_related("item_type"))
    return sorted(policies, key=lambda p: (-p.specificity, p.pk))


def policies_by_precedence() -> list[LoanPolicy]:
    """Every policy, most specific first: the order in which they are tried."""
    return _memo("policies", _load_policies)


def policy_for(*, patron: Patron, item_type_id: int | None) -> LoanPolicy:
    """The most specific policy matching the patron's category and grade and the item type."""
    for policy in policies_by_precedence():
        if policy.matches(category=patron.category, grade=patron.grade, item_type_id=item_type_id):
            return policy
    return DEFAULT_POLICY


def patron_by_card(card: str) -> Patron | None:
    card = (card or "").strip()
    if not card:
        return None
    return (
        Patron.objects.select_related("user")
        .filter(Q(card_barcode=card) | Q(student_identifier=card))
        .first()
    )


# What the desk shows of a record: its title. The MARC and the other JSON columns stay in the
# database (decoding them for every scan was most of a check-out's cost).
RECORD_BRIEF = ("record__id", "record__title", "record__deleted_at")
ITEM_BRIEF = (
    "id",
    "barcode",
    "status",
    "price",
    "call_number",
    "record_id",
    "item_type_id",
    "location_id",
    *RECORD_BRIEF,
    "item_type__id",
    "item_type__name",
    "item_type__reference_only",
)


# An item read by these selectors carries this mark; the next lending service that receives it
# trusts its status instead of reading the row again, then clears the mark (a second call with
# the same object reads again). The conditional UPDATE of the status stays the real guard.
FRESH = "_circulation_fresh"


def item_by_barcode(barcode: str) -> Item | None:
    barcode = (barcode or "").strip()
    if not barcode:
        return None
    item = (
        Item.objects.select_related("record", "item_type")
        .only(*ITEM_BRIEF)
        .filter(barcode=barcode)
        .first()
    )
    if item is not None:
        setattr(item, FRESH, True)
    return item


def item_brief(pk: int) -> Item:
    """The current state of one copy, with its record's title and its item type."""
    return Item.objects.select_related("record", "item_type").only(*ITEM_BRIEF).get(pk=pk)


def item_current(item: Item) -> Item:
    """`item` itself when a selector has just read it, otherwise a fresh read of the row."""
    if item.__dict__.pop(FRESH, False):
        return item
    return item_brief(item.pk)


def patron_open_loans(patron: Patron):
    return (
        Loan.objects.open()
        .filter(patron=patron)
        .select_related("item__record")
        .only(
            "id",
            "item_id",
            "patron_id",
            "due_on",
            "borrowed_at",
            "renewals",
            "returned_at",
            "item__id",
            "item__barcode",
            "item__record_id",
            "item__record__id",
            "item__record__title",
        )
    )


def patron_loan_history(patron: Patron):
    return Loan.objects.returned().filter(patron=patron).select_related("item__record")


def patron_active_holds(patron: Patron):
    return (
        Hold.objects.active()
        .filter(patron=patron)
        .select_related("record")
        .only(
            "id",
            "record_id",
            "patron_id",
            "status",
            "placed_at",
            "item_id",
            "ready_at",
            "pickup_by",
            "record__id",
            "record__title",
        )
    )


def patron_due_compensations(patron: Patron):
    return Compensation.objects.filter(patron=patron, status=CompensationStatus.DUE).only(
        "id", "receipt_number", "amount", "kind", "status", "patron_id"
    )


def hold_queue(record: Record):
    return Hold.objects.queue().filter(record=record).select_related("patron__user")


def hold_position(hold: Hold) -> int | None:
    if hold.status != HoldStatus.WAITING:
        return None
    ahead = Hold.objects.queue().filter(record_id=hold.record_id)
    ahead = ahead.filter(
        Q(placed_at__lt=hold.placed_at) | Q(placed_at=hold.placed_at, id__lt=hold.pk)
    )
    return ahead.count() + 1


def overdue_loans(today: date | None = None):
    today = today or timezone.localdate()
    return (
        Loan.objects.overdue(today)
        .filter(patron__isnull=False)
        .select_related("item__record", "patron__user")
        .order_by("patron_class", "patron__user__full_name", "due_on")
    )


def overdue_by_class(today: date | None = None) -> dict[str, list[Loan]]:
    """Overdue loans grouped by class, for the homeroom teachers' printed lists."""
    groups: dict[str, list[Loan]] = defaultdict(list)
    for loan in overdue_loans(today):
        groups[loan.patron_class or "—"].append(loan)
    return dict(sorted(groups.items()))


def class_overdue_loans(school_class: str, today: date | None = None) -> list[Loan]:
    """Overdue loans of the pupils now in one class (their homeroom teacher's printed list)."""
    return list(
        overdue_loans(today)
        .filter(patron__school_class__iexact=school_class)
        .order_by("patron__user__full_name", "due_on", "id")
    )


def overdue_counts_by_current_class(today: date | None = None) -> dict[str, int]:
    rows = (
        overdue_loans(today)
        .exclude(patron__school_class="")
        .order_by()
        .values("patron__school_class")
        .annotate(n=Count("id"))
    )
    return {row["patron__school_class"]: row["n"] for row in rows}


def homeroom_class_of(user) -> str:
    """The class `user` is homeroom teacher of, or "" (students and others have none)."""
    if not getattr(user, "is_authenticated", False):
        return ""
    row = (
        Patron.objects.filter(user=user, category=PatronCategory.TEACHER, user__is_active=True)
        .values_list("homeroom_class", flat=True)
        .first()
    )
    return row or ""


def textbooks_for_grade(grade: int):
    """Textbook records of a grade (records with a textbook series and that grade level)."""
    candidates = Record.objects.discoverable().exclude(textbook_series="")
    wanted = {str(grade)}
    return [r for r in candidates if wanted & {str(g) for g in (r.grade_levels or [])}]


def class_students(school_class: str):
    return (
        Patron.objects.filter(school_class=school_class, category="student")
        .select_related("user")
        .order_by("user__full_name", "card_barcode")
    )


def class_set_outstanding(class_set: ClassSetIssue) -> list[tuple[Patron, list[Loan]]]:
    """Who has not returned what, for one class set, by student name."""
    by_patron: dict[int, list[Loan]] = defaultdict(list)
    patrons: dict[int, Patron] = {}
    loans = class_set.loans.open().select_related("item__record", "patron__user")
    for loan in loans:
        if loan.patron_id is None:
            continue
        by_patron[loan.patron_id].append(loan)
        patrons[loan.patron_id] = loan.patron
    return sorted(
        ((patrons[pk], items) for pk, items in by_patron.items()),
        key=lambda pair: (pair[0].user.full_name, pair[0].card_barcode),
    )


@dataclass
class StocktakeReport:
    scanned: int = 0
    expected: int = 0
    missing: list[Item] = field(default_factory=list)
    misplaced: list[Item] = field(default_factory=list)
    unexpected: list[tuple[str, Item | None]] = field(default_factory=list)


# Items that should be on the shelves of their location during a stocktake.
SHELF_STATUSES = (ItemStatus.AVAILABLE, ItemStatus.REFERENCE_ONLY, ItemStatus.DAMAGED)


def stocktake_report(stocktake: Stocktake) -> StocktakeReport:
    """Missing: expected on the shelf but not scanned. Misplaced: scanned here, belongs
    elsewhere. Unexpected: unknown barcodes, or copies recorded as lent, lost or withdrawn."""
    scans = list(stocktake.scans.select_related("item__record", "item__location"))
    scanned_ids = {s.item_id for s in scans if s.item_id}
    expected = Item.objects.filter(location=stocktake.location, status__in=SHELF_STATUSES)
    report = StocktakeReport(scanned=len(scans), expected=expected.count())
    report.missing = list(
        expected.exclude(pk__in=scanned_ids).select_related("record").order_by("call_number")
    )
    for scan in scans:
        item = scan.item
        if item is None or item.status not in SHELF_STATUSES:
            report.unexpected.append((scan.barcode, item))
        elif item.location_id != stocktake.location_id:
            report.misplaced.append(item)
    return report


def loan_counts_by_category() -> dict[str, int]:
    rows = Loan.objects.values("patron_category").annotate(n=Count("id"))
    return {row["patron_category"]: row["n"] for row in rows}
