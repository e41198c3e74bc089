"""The search plumbing: Vietnamese analyzer in the schema, index writes only through the queue."""

import pytest
from django_tasks_db.models import DBTaskResult

from catalog.models import Record
from library.core.search.tasks import search_remove, search_update

pytestmark = pytest.mark.django_db


def make_record(**columns) -> Record:
    return Record.objects.create(marc={"leader": " " * 24, "fields": []}, **columns)


def search(backend, query: str) -> list[str]:
    """Record ids whose title matches every word of `query` (through haystack's backend)."""
    words = " AND ".join(f"title:{word}" for word in query.split())
    return [hit.pk for hit in backend.search(words)["results"]]


def test_schema_has_a_folded_and_an_accented_field(search_index):
    schema = search_index.index.schema
    assert "title" in schema and "title_acc" in schema
    analyzer = schema["title"].analyzer
    assert [t.text for t in analyzer("Đường lên đỉnh Ô-lim-pi-a")] == [
        "duong",
        "len",
        "dinh",
        "o",
        "lim",
        "pi",
        "a",
    ]
    accented = schema["title_acc"].analyzer
    assert "đường" in [t.text for t in accented("Đường lên đỉnh")]


def test_saving_a_record_queues_an_index_task_instead_of_writing(
    search_index, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        record = make_record(title="Toán lớp 6", title_sort="toan lop 6")
    queued = DBTaskResult.objects.get()
    assert queued.task_path.endswith("search_update")
    assert queued.args_kwargs["args"] == ["catalog.record", [str(record.pk)]]
    assert search(search_index, "toan") == []

    search_update.call("catalog.record", [str(record.pk)])
    assert search(search_index, "toan lop 6") == [str(record.pk)]
    assert search(search_index, "Toán") == [str(record.pk)]


def test_saves_in_one_transaction_become_one_task(search_index, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(7):
            make_record(title=f"Tiếng Việt {n}")
    assert DBTaskResult.objects.count() == 1
    assert len(DBTaskResult.objects.get().args_kwargs["args"][1]) == 7


def test_deleted_and_tombstoned_records_leave_the_index(search_index):
    kept = make_record(title="Đường Kách Mệnh")
    gone = make_record(title="Đường cách mạng")
    search_update.call("catalog.record", [str(kept.pk), str(gone.pk)])
    assert len(search(search_index, "duong")) == 2

    search_remove.call("catalog.record", [str(gone.pk)])
    assert search(search_index, "duong") == [str(kept.pk)]

    Record.objects.filter(pk=kept.pk).update(deleted_at="2026-01-01T00:00:00Z")
    search_update.call("catalog.record", [str(kept.pk)])
    assert search(search_index, "duong") == []


def test_a_rolled_back_transaction_queues_nothing_and_later_ones_still_do(
    search_index, django_capture_on_commit_callbacks
):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                make_record(title="Bị hủy")
                raise RuntimeError
        except RuntimeError:
            pass
    assert DBTaskResult.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        kept = make_record(title="Được lưu")
    assert [t.args_kwargs["args"] for t in DBTaskResult.objects.all()] == [
        ["catalog.record", [str(kept.pk)]]
    ]
