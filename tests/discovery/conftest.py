"""Search test data: records saved with their columns set, pages written as index documents."""

from __future__ import annotations

import pytest
from haystack import connections

from catalog.models import Item, ItemStatus, Location, Record
from library.core.vietnamese import sort_key
from library.discovery import engine


def make_record(**columns) -> Record:
    columns.setdefault("marc", {})
    columns.setdefault("title_sort", sort_key(columns.get("title", "")))
    columns.setdefault("main_author", (columns.get("authors") or [""])[0])
    return Record.objects.create(**columns)


def add_items(record: Record, statuses, *, location: Location | None = None, call_number=""):
    start = Item.objects.count()
    for i, status in enumerate(statuses):
        Item.objects.create(
            record=record,
            barcode=f"TV{start + i + 1:06d}",
            status=status,
            location=location,
            call_number=call_number,
        )


def index_records(records=None) -> None:
    """Write records to the index now (the queue is the worker's job; tests call the backend)."""
    from catalog.search_indexes import RecordIndex

    backend = connections["default"].get_backend()
    index = RecordIndex()
    objects = list(index.index_queryset().filter(pk__in=[r.pk for r in records or []]))
    if records is None:
        objects = list(index.index_queryset())
    backend.update(index, objects)
    engine.reset()


def index_resource(rid: int, title: str, pages: dict[int, str], *, access="public", **extra):
    """A digital resource and its pages as the digitization indexes write them."""
    backend = connections["default"].get_backend()
    base = {"resource_id": str(rid), "access_level": access, **extra}
    prepared = [
        {
            "id": f"digitization.digitalresource.{rid}",
            "django_ct": "digitization.digitalresource",
            "django_id": str(rid),
            "kind": "resource",
            "title": title,
            "text": title + "\n" + extra.get("description", ""),
            **base,
        }
    ]
    for number, text in pages.items():
        prepared.append(
            {
                "id": f"digitization.page.{rid * 10000 + number}",
                "django_ct": "digitization.page",
                "django_id": str(rid * 10000 + number),
                "kind": "page",
                "title": title,
                "text": text,
                "page_number": number,
                **base,
            }
        )
    for doc in prepared:
        doc.pop("description", None)
    backend.write_documents([backend._document(doc) for doc in prepared])
    engine.reset()


@pytest.fixture
def index(search_index):
    engine.reset()
    yield search_index
    engine.reset()


@pytest.fixture
def shelf(db):
    return Location.objects.create(code="KM", name="Kho mở")


__all__ = ["ItemStatus", "add_items", "index_records", "index_resource", "make_record"]
