"""The Vietnamese Whoosh backend: schema, bulk writes, removals, the fast prepare path, rebuild."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from catalog.models import Item, ItemStatus, Location, Record
from catalog.search_indexes import RecordIndex
from library.core.vietnamese import sort_key
from library.discovery import engine, selectors

pytestmark = pytest.mark.django_db


def make_record(**columns) -> Record:
    columns.setdefault("marc", {})
    columns.setdefault("title_sort", sort_key(columns.get("title", "")))
    columns.setdefault("main_author", (columns.get("authors") or [""])[0])
    return Record.objects.create(**columns)


def terms(backend, field: str) -> list:
    backend.index = backend.index.refresh()
    with backend.index.searcher() as s:
        return sorted(s.lexicon(field) if field == "year" else s.reader().field_terms(field))


@pytest.fixture
def backend(search_index):
    engine.reset()
    yield search_index
    engine.reset()


def test_text_fields_are_indexed_folded_and_accented(backend):
    record = make_record(title="Đường lên đỉnh núi", authors=["Nguyễn Hoà"])
    backend.update(RecordIndex(), [record])
    assert terms(backend, "title") == ["dinh", "duong", "len", "nui"]
    assert terms(backend, "title_acc") == ["lên", "núi", "đường", "đỉnh"]
    # Old and new tone placement meet in the accented field.
    assert "hòa" in terms(backend, "authors_acc")


def test_facet_fields_keep_whole_values_and_count_them_whole(backend):
    one = make_record(title="Lịch sử 6", mon_hoc=["Lịch sử và Địa lí"], grade_levels=[6])
    two = make_record(title="Địa lí 7", mon_hoc=["Lịch sử và Địa lí", "Tin học"], grade_levels=[7])
    backend.update(RecordIndex(), [one, two])
    assert terms(backend, "mon_hoc") == ["Lịch sử và Địa lí", "Tin học"]

    page = selectors.search(None, "", filters={"kind": ["record"]})
    mon_hoc = {f.name: f for f in page.facets}["mon_hoc"]
    assert {(v.value, v.count) for v in mon_hoc.values} == {
        ("Lịch sử và Địa lí", 2),
        ("Tin học", 1),
    }


def test_integers_are_one_term_each_and_year_ranges_still_work(backend):
    old = make_record(title="Sách cũ", year=1995)
    new = make_record(title="Sách mới", year=2024)
    backend.update(RecordIndex(), [old, new])
    assert len(terms(backend, "year")) == 2
    found = selectors.search(None, "sach", year_from=2000, year_to=2025)
    assert [r["id"] for r in found.results] == [new.pk]


def test_prepare_many_gives_what_haystack_full_prepare_gives(backend):
    shelf = Location.objects.create(code="KM", name="Kho mở")
    record = make_record(
        title="Toán 6", authors=["Hà Huy Khoái"], subjects=["Số học"], isbns=["9786040000001"],
        year=2021, mon_hoc=["Toán"], grade_levels=[6], languages=["vie"], series=["KNTT"],
    )  # fmt: skip
    for n, status in enumerate([ItemStatus.AVAILABLE, ItemStatus.ON_LOAN, ItemStatus.LOST]):
        Item.objects.create(
            record=record, barcode=f"B{n}", status=status, location=shelf, call_number="51 T"
        )
    index = RecordIndex()
    fast = index.prepare_many([Record.objects.get(pk=record.pk)])[0]
    slow = index.full_prepare(Record.objects.get(pk=record.pk))
    documents = [backend._document(dict(fast)), backend._document(dict(slow))]
    assert documents[0] == documents[1]
    assert documents[0]["items_total"] == 2 and documents[0]["items_available"] == 1
    assert documents[0]["locations"] == "Kho mở"


def test_bulk_writer_adds_many_documents_in_a_few_segments(backend):
    docs = [
        backend._document(
            {
                "id": f"digitization.page.{n}",
                "django_ct": "digitization.page",
                "django_id": str(n),
                "kind": "page",
                "text": f"Trang {n} nói về phân số thập phân",
                "resource_id": "1",
                "page_number": n,
                "access_level": "public",
            }
        )
        for n in range(1, 1201)
    ]
    backend.write_documents(docs, bulk=True)
    backend.index = backend.index.refresh()
    assert backend.index.doc_count() == 1200
    assert len(backend.index._segments()) <= 4
    assert len(backend.indexed_ids("digitization.page")) == 1200


def test_remove_many_drops_only_the_named_documents(backend):
    records = [make_record(title=f"Truyện cổ tích {n}") for n in range(5)]
    backend.update(RecordIndex(), records)
    backend.remove_many([f"catalog.record.{records[0].pk}", f"catalog.record.{records[3].pk}"])
    expected = {str(r.pk) for i, r in enumerate(records) if i not in (0, 3)}
    assert backend.indexed_ids("catalog.record") == expected
    assert selectors.search(None, "truyen co tich").count == 3


def test_rebuild_replaces_the_index_with_the_database(backend):
    kept = make_record(title="Tin học 6")
    stale = make_record(title="Công nghệ 6")
    backend.update(RecordIndex(), [kept, stale])
    Record.objects.filter(pk=stale.pk).delete()
    added = make_record(title="Âm nhạc 6")

    counts = backend.rebuild(models=[Record])

    assert counts == {"catalog.record": 2}
    assert backend.indexed_ids("catalog.record") == {str(kept.pk), str(added.pk)}


def test_rebuild_index_command_indexes_the_demo_data(backend):
    call_command("demo_load", verbosity=0)
    call_command("rebuild_index", interactive=False, verbosity=0)
    engine.reset()

    found = selectors.search(None, "toan 6")
    titles = [r["title"] for r in found.results]
    assert {"Toán 6. Tập một", "Toán 6. Tập hai"} <= set(titles[:3])
    assert selectors.search(None, "lich su dia li 8").results[0]["title"] == "Lịch sử và Địa lí 8"
    assert backend.indexed_ids("catalog.record") == {
        str(pk) for pk in Record.objects.discoverable().values_list("pk", flat=True)
    }


def _record_document(backend, n: int, title: str) -> dict:
    """A record's index document written straight to the backend (no database row)."""
    return backend._document(
        {
            "id": f"catalog.record.{n}",
            "django_ct": "catalog.record",
            "django_id": str(n),
            "kind": "record",
            "title": title,
            "text": title,
            "access_level": "public",
        }
    )


def test_writes_merge_only_tiny_segments(search_index, monkeypatch):
    """Single edits leave tiny segments that are merged; large ones (imports) are kept."""
    from library.core.search import backend as backend_module

    monkeypatch.setattr(backend_module, "TINY_SEGMENT_DOCS", 4)

    def doc(n):
        return _record_document(search_index, n, f"Sách số {n}")

    search_index.write_documents([doc(n) for n in range(1, 7)])
    search_index.write_documents([doc(n) for n in range(7, 13)])
    for n in range(13, 23):
        search_index.write_documents([doc(n)])
    segments = search_index.index.refresh()._segments()
    sizes = sorted(seg.doc_count_all() for seg in segments)
    assert sizes.count(6) == 2  # the two large segments untouched
    assert len(segments) <= 4  # ten single writes did not leave ten segments
    with search_index.index.refresh().searcher() as s:
        assert s.doc_count() == 22


@pytest.mark.parametrize("lookup_by_lexicon", [5, 10_000])
def test_large_batches_replace_older_versions_without_duplicates(
    search_index, monkeypatch, lookup_by_lexicon
):
    """Whether existing ids come from one pass over the id terms or from a lookup each."""
    from whoosh import query as wq

    from library.core.search import backend as backend_module

    monkeypatch.setattr(backend_module, "LOOKUP_BY_LEXICON", lookup_by_lexicon)

    def doc(n, title):
        return _record_document(search_index, n, title)

    search_index.write_documents([doc(n, "Toán cũ") for n in range(1, 9)])
    search_index.write_documents([doc(n, "Văn cũ") for n in range(9, 13)])
    # An edit of some old ones and some new ones in one batch.
    search_index.write_documents([doc(n, "Lịch sử mới") for n in range(5, 17)])
    with search_index.index.refresh().searcher() as s:
        assert s.doc_count() == 16
        assert len(s.search(wq.Term("title", "moi"), limit=None)) == 12
        assert len(s.search(wq.Term("title", "toan"), limit=None)) == 4
        assert len(s.search(wq.Term("title", "van"), limit=None)) == 0


@pytest.mark.parametrize("parallel", [False, True], ids=["one-process", "two-processes"])
def test_range_task_reindexes_its_records_and_drops_deleted_ones(backend, monkeypatch, parallel):
    from datetime import UTC, datetime

    from library.core.search import backend as backend_module
    from library.core.search.tasks import search_update_ranges

    monkeypatch.setattr(backend_module, "PARALLEL_MIN_DOCS", 1 if parallel else 10**9)
    monkeypatch.setattr("library.core.search.writer.CHUNK_DOCS", 3)
    monkeypatch.setattr("library.core.search.tasks.RANGE_CHUNK", 4)
    records = [make_record(title=f"Sách số {n}") for n in range(10)]
    backend.update(RecordIndex(), records[:2])  # already indexed: replaced, not repeated
    Record.objects.filter(pk=records[1].pk).update(title="Sách đổi tên")
    Record.objects.filter(pk=records[3].pk).update(deleted_at=datetime.now(UTC))
    first, last = records[0].pk, records[-1].pk
    assert search_update_ranges.call("catalog.record", [[first, last]]) == 9
    assert backend.indexed_ids("catalog.record") == {
        str(r.pk) for r in records if r.pk != records[3].pk
    }
    found = selectors.search(None, "doi ten")
    assert [r["id"] for r in found.results] == [records[1].pk]
    assert selectors.search(None, "sach so").count == 8
