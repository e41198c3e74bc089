"""Reads of the catalogue for pages, the API and commands."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Q, QuerySet

from catalog.models import ImportJob, Item, ItemStatus, Record, RecordIsbn


def record_list(*, include_deleted: bool = False) -> QuerySet[Record]:
    """Records in Vietnamese title order, with their number of copies."""
    records = Record.objects.all() if include_deleted else Record.objects.discoverable()
    return records.annotate(
        item_count=Count("items", distinct=True),
        available_count=Count("items", filter=Q(items__status=ItemStatus.AVAILABLE), distinct=True),
    ).order_by("title_sort", "id")


def record_get(*, pk: int, include_deleted: bool = False) -> Record | None:
    records = Record.objects.all() if include_deleted else Record.objects.discoverable()
    return records.filter(pk=pk).first()


def record_by_isbn(*, isbn: str) -> QuerySet[Record]:
    """Live records carrying this ISBN (any form: ISBN-10, hyphens; compared as ISBN-13)."""
    from catalog.marc.isbn import to_isbn13

    isbn13 = to_isbn13(isbn)
    if not isbn13:
        return Record.objects.none()
    ids = RecordIsbn.objects.filter(isbn=isbn13).values("record_id")
    return Record.objects.discoverable().filter(pk__in=ids)


def record_items(*, record: Record) -> QuerySet[Item]:
    return record.items.select_related("location", "item_type").order_by("call_number", "barcode")


def records_for_export(*, ids: Iterable[int] | None = None) -> QuerySet[Record]:
    """The whole live catalogue, or the given records, in id order (stable exports)."""
    records = Record.objects.discoverable()
    if ids is not None:
        records = records.filter(pk__in=list(ids))
    return records.order_by("id")


def item_by_barcode(*, barcode: str) -> Item | None:
    return (
        Item.objects.select_related("record", "location", "item_type")
        .filter(barcode=barcode.strip())
        .first()
    )


def import_job_list(*, user=None) -> QuerySet[ImportJob]:
    jobs = ImportJob.objects.select_related("created_by")
    if user is not None and not getattr(user, "is_librarian", False):
        jobs = jobs.filter(created_by=user)
    return jobs.order_by("-created_at", "-id")
