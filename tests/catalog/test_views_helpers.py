"""Records and items for the view tests, made through the catalogue's own services."""

from __future__ import annotations

import datetime

from catalog import services
from catalog.marc.build import SimpleRecordInput, build_record
from catalog.models import ItemStatus, ItemType, Location


def make_record(actor, *, title="Toán 6 – Tập một", template="textbook", **fields):
    values = {
        "title": title,
        "authors": ["Hà Huy Khoái", "Nguyễn Huy Đoan"],
        "publisher": "Giáo dục Việt Nam",
        "place": "Hà Nội",
        "year": 2021,
        "isbn": "978-604-0-25124-4",
        "classification_scheme": "ddc",
        "classification": "510.712",
        "keywords": ["Toán học", "Sách giáo khoa"],
        "grade_levels": [6],
        "mon_hoc": ["Toán"],
        "textbook_series": "Kết nối tri thức với cuộc sống",
        "pages": 128,
    }
    values.update(fields)
    marc = build_record(SimpleRecordInput(**values), template, entered=datetime.date(2024, 8, 1))
    return services.record_save(marc=marc, actor=actor)


def make_items(actor, record, statuses):
    location, _ = Location.objects.get_or_create(
        code="SGK", defaults={"name": "Kho sách giáo khoa"}
    )
    item_type, _ = ItemType.objects.get_or_create(code="SGK", defaults={"name": "Sách giáo khoa"})
    items = []
    for status in statuses:
        item = services.item_create(
            record=record, actor=actor, location=location, item_type=item_type
        )
        if status != ItemStatus.AVAILABLE:
            type(item).objects.filter(pk=item.pk).update(status=status)
            item.refresh_from_db()
        items.append(item)
    return items
