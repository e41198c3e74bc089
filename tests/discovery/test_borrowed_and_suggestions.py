""" "Most borrowed" from circulation's loans (through the index queue) and "did you mean" on
the typing mistakes people really make."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from catalog.models import Item, ItemStatus
from library.circulation.models import Loan
from library.discovery import engine, selectors

from .conftest import index_records, make_record

pytestmark = pytest.mark.django_db


def borrowed_titles() -> list[str]:
    engine.reset()
    page = selectors.search(None, "", filters={"kind": ["record"]}, sort="borrowed")
    return [r["title"] for r in page.results]


def lend(item: Item, patron, times: int = 1) -> None:
    now = timezone.now()
    for n in range(times):
        Loan.objects.create(
            item=item,
            patron=patron,
            patron_category=patron.category,
            borrowed_at=now - dt.timedelta(days=30 * (n + 1)),
            due_on=(now - dt.timedelta(days=30 * n + 10)).date(),
            returned_at=now - dt.timedelta(days=30 * n + 12),
        )


def test_most_borrowed_sort_follows_loans_queued_when_they_change(
    index, student, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    # Saved inside a captured block too: a save outside it leaves its flush pending in the
    # test transaction, and later saves of that transaction join that flush.
    with django_capture_on_commit_callbacks(execute=True):
        quiet = make_record(title="Thơ Xuân Diệu")
        popular = make_record(title="Dế Mèn phiêu lưu kí")
        copies = {
            r.pk: Item.objects.create(
                record=r, barcode=f"TV{r.pk:05d}", status=ItemStatus.AVAILABLE
            )
            for r in (quiet, popular)
        }
    index_records([quiet, popular])
    patron = student.patron

    with django_capture_on_commit_callbacks(execute=True):
        lend(copies[popular.pk], patron, times=3)
        lend(copies[quiet.pk], patron, times=1)
    assert borrowed_titles() == ["Dế Mèn phiêu lưu kí", "Thơ Xuân Diệu"]

    with django_capture_on_commit_callbacks(execute=True):
        lend(copies[quiet.pk], patron, times=4)
    assert borrowed_titles() == ["Thơ Xuân Diệu", "Dế Mèn phiêu lưu kí"]


def test_loans_made_in_one_transaction_reindex_their_record_in_one_task(
    index, student, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        record = make_record(title="Tắt đèn")
        item = Item.objects.create(record=record, barcode="TV77777", status=ItemStatus.AVAILABLE)
    DBTaskResult.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        lend(item, student.patron, times=5)
    queued = DBTaskResult.objects.get()
    assert queued.args_kwargs["args"] == ["catalog.record", [str(record.pk)]]


@pytest.fixture
def school_shelf(index):
    records = [
        make_record(title="Toán lớp 6", mon_hoc=["Toán"], grade_levels=[6]),
        make_record(title="Truyện Kiều", authors=["Nguyễn Du"]),
        make_record(title="Ngữ văn 7. Tập một", mon_hoc=["Ngữ văn"], grade_levels=[7]),
        make_record(title="Lịch sử và Địa lí 8", grade_levels=[8]),
        make_record(title="Tiếng Việt 2", authors=["Nguyễn Minh Thuyết"]),
    ]
    index_records(records)
    return records


@pytest.mark.parametrize(
    ("typed", "suggested"),
    [
        ("toan lop6", "toán lớp 6"),
        ("nguyen du truyen kieu", "nguyễn du truyện kiều"),
        ("ngu van 7", "ngữ văn 7"),
        ("lich su dia ly 8", "lịch sử địa lí 8"),
        ("truyen kieuu", "truyện kiều"),
    ],
)
def test_did_you_mean_fixes_real_typing_mistakes(school_shelf, typed, suggested):
    page = selectors.search(None, typed)
    assert (page.suggestion or "").lower() == suggested
    # The suggestion itself finds the book.
    assert selectors.search(None, page.suggestion).count >= 1


def test_no_suggestion_for_a_query_already_written_well(school_shelf):
    assert selectors.search(None, "Truyện Kiều").suggestion is None


def test_record_type_facet_reads_as_words_not_codes():
    from library.discovery.selectors import facet_label

    assert facet_label("record_type", "book") == "Sách"
    assert facet_label("record_type", "serial") == "Báo, tạp chí"
    assert facet_label("record_type", "computer file") == "Tệp máy tính"
