"""Record and item services: columns from MARC, tombstones, loans block deletes, barcodes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pymarc
import pytest
from pymarc import Field, Indicators, Subfield

from catalog.exceptions import CatalogError, DuplicateBarcodeError, MarcError, RecordInUseError
from catalog.models import Item, ItemStatus, ItemType, Location, Record, RecordIsbn
from catalog.services import (
    item_create,
    item_delete,
    item_update,
    record_delete,
    record_marc,
    record_restore,
    record_save,
)
from library.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def make_marc(
    title="Toán 6",
    author="Hà Huy Khoái",
    year="2021",
    isbn="978-604-0-00001-9",
    control="VN001",
    ddc="510",
    extra=(),
) -> pymarc.Record:
    record = pymarc.Record(leader="00000nam a2200000 i 4500", force_utf8=True)
    if control:
        record.add_field(Field(tag="001", data=control))
        record.add_field(Field(tag="003", data="THUVIEN"))
    record.add_field(Field(tag="008", data="250101s" + year + "    vm            000 0 vie d"))
    if isbn:
        record.add_field(
            Field(tag="020", indicators=Indicators(" ", " "), subfields=[Subfield("a", isbn)])
        )
    if ddc:
        record.add_field(
            Field(tag="082", indicators=Indicators("0", "4"), subfields=[Subfield("a", ddc)])
        )
    if author:
        record.add_field(
            Field(tag="100", indicators=Indicators("0", " "), subfields=[Subfield("a", author)])
        )
    record.add_field(
        Field(tag="245", indicators=Indicators("1", "0"), subfields=[Subfield("a", title)])
    )
    record.add_field(
        Field(
            tag="264",
            indicators=Indicators(" ", "1"),
            subfields=[
                Subfield("a", "Hà Nội :"),
                Subfield("b", "Giáo dục Việt Nam,"),
                Subfield("c", year),
            ],
        )
    )
    for f in extra:
        record.add_field(f)
    return record


def test_record_save_fills_every_column_from_the_marc_and_audits(librarian):
    marc = make_marc(
        extra=[
            Field(tag="521", indicators=Indicators("8", " "), subfields=[Subfield("a", "Lớp 6")]),
            Field(tag="658", indicators=Indicators(" ", " "), subfields=[Subfield("a", "Toán")]),
        ]
    )
    record = record_save(marc=marc, actor=librarian)
    record.refresh_from_db()
    assert record.title == "Toán 6"
    assert record.main_author == "Hà Huy Khoái"
    assert record.year == 2021
    assert record.publisher == "Giáo dục Việt Nam"
    assert record.classification_scheme == "ddc" and record.classification == "510"
    assert record.grade_levels == [6] and record.mon_hoc == ["Toán"]
    assert record.control_number == "VN001" and record.control_number_identifier == "THUVIEN"
    assert record.isbns == ["9786040000019"]
    assert list(record.isbn_rows.values_list("isbn", flat=True)) == ["9786040000019"]
    assert record.title_sort and record.match_key.startswith("toan 6|")
    entry = AuditEntry.objects.get(action="catalog.record_create")
    assert entry.actor == librarian and entry.object_id == str(record.pk)


def test_editing_the_marc_regenerates_columns_and_replaces_isbn_rows(librarian):
    record = record_save(marc=make_marc(), actor=librarian)
    record_save(
        marc=make_marc(title="Toán 7", isbn="0-306-40615-2"), record=record, actor=librarian
    )
    record.refresh_from_db()
    assert record.title == "Toán 7"
    assert list(RecordIsbn.objects.filter(record=record).values_list("isbn", flat=True)) == [
        "9780306406157"
    ]
    assert AuditEntry.objects.filter(action="catalog.record_update").count() == 1


def test_record_without_title_is_refused_with_a_message_naming_245(librarian):
    marc = make_marc()
    marc.remove_fields("245")
    with pytest.raises(MarcError, match="245"):
        record_save(marc=marc, actor=librarian)
    assert not Record.objects.exists()


def test_record_marc_rebuilds_every_field_indicator_and_subfield(librarian):
    marc = make_marc(
        extra=[Field(tag="952", indicators=Indicators("1", "2"), subfields=[Subfield("p", "X1")])]
    )
    record = record_save(marc=marc, actor=librarian)
    record.refresh_from_db()
    rebuilt = record_marc(record)
    assert rebuilt.as_dict() == marc.as_dict()


def test_delete_refused_while_a_copy_is_on_loan(librarian):
    record = record_save(marc=make_marc(), actor=librarian)
    item = item_create(record=record, actor=librarian, barcode="B1")
    Item.objects.filter(pk=item.pk).update(status=ItemStatus.ON_LOAN)
    with pytest.raises(RecordInUseError, match="B1.*đang được mượn"):
        record_delete(record=record, actor=librarian)
    record.refresh_from_db()
    assert record.deleted_at is None


def test_delete_leaves_a_tombstone_withdraws_items_and_restore_brings_them_back(librarian):
    record = record_save(marc=make_marc(), actor=librarian)
    damaged = item_create(record=record, actor=librarian, status=ItemStatus.DAMAGED)
    ok = item_create(record=record, actor=librarian)
    record_delete(record=record, actor=librarian)
    record.refresh_from_db()
    assert record.deleted_at is not None
    assert Record.objects.filter(pk=record.pk).exists()
    assert not Record.objects.discoverable().filter(pk=record.pk).exists()
    assert set(record.items.values_list("status", flat=True)) == {ItemStatus.WITHDRAWN}

    record_restore(record=record, actor=librarian)
    record.refresh_from_db()
    damaged.refresh_from_db()
    ok.refresh_from_db()
    assert record.deleted_at is None
    assert (damaged.status, ok.status) == (ItemStatus.DAMAGED, ItemStatus.AVAILABLE)
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"catalog.record_delete", "catalog.record_restore"} <= actions


def test_item_create_generates_unique_prefixed_barcodes_and_call_number(librarian, settings):
    settings.LIBRARY_BARCODE_PREFIX = "THCS"
    record = record_save(marc=make_marc(author="Nguyễn Nhật Ánh", ddc="895.92234"), actor=librarian)
    first = item_create(record=record, actor=librarian)
    second = item_create(record=record, actor=librarian)
    assert first.barcode == "THCS000001" and second.barcode == "THCS000002"
    assert first.call_number == "895.92234 ÁNH"
    assert AuditEntry.objects.filter(action="catalog.item_create").count() == 2


def test_generated_barcode_follows_the_highest_existing_number(librarian):
    record = record_save(marc=make_marc(), actor=librarian)
    item_create(record=record, actor=librarian, barcode="TV000099")
    item_create(record=record, actor=librarian, barcode="TVX")
    assert item_create(record=record, actor=librarian).barcode == "TV000100"


def test_item_create_keeps_given_values_and_reference_types_are_not_lent(librarian):
    record = record_save(marc=make_marc(), actor=librarian)
    place = Location.objects.create(code="PD", name="Phòng đọc")
    kind = ItemType.objects.create(code="BTC", name="Báo - tạp chí", reference_only=True)
    item = item_create(
        record=record,
        actor=librarian,
        barcode="  A-1 ",
        call_number="510 KHO",
        location=place,
        item_type=kind,
        price=Decimal(21000),
        acquired_on=dt.date(2024, 9, 1),
        acquisition_source="Mua",
        accession_number="SGK-001",
    )
    item.refresh_from_db()
    assert item.barcode == "A-1" and item.call_number == "510 KHO"
    assert item.status == ItemStatus.REFERENCE_ONLY and item.price == 21000


def test_duplicate_barcode_or_accession_number_is_refused(librarian):
    record = record_save(marc=make_marc(), actor=librarian)
    item_create(record=record, actor=librarian, barcode="B1", accession_number="DK1")
    with pytest.raises(DuplicateBarcodeError, match="B1"):
        item_create(record=record, actor=librarian, barcode="B1")
    with pytest.raises(DuplicateBarcodeError, match="DK1"):
        item_create(record=record, actor=librarian, accession_number="DK1")


def test_item_update_changes_fields_audits_and_leaves_loans_to_the_desk(librarian):
    record = record_save(marc=make_marc(), actor=librarian)
    item = item_create(record=record, actor=librarian, barcode="B1")
    item = item_update(item=item, actor=librarian, call_number="510 HÀ", status=ItemStatus.DAMAGED)
    assert item.call_number == "510 HÀ" and item.status == ItemStatus.DAMAGED
    entry = AuditEntry.objects.get(action="catalog.item_update")
    assert entry.details["changes"]["status"] == ["available", "damaged"]
    with pytest.raises(CatalogError, match="quầy mượn trả"):
        item_update(item=item, actor=librarian, status=ItemStatus.ON_LOAN)
    with pytest.raises(CatalogError):
        item_update(item=item, actor=librarian, record=None)


def test_item_delete_refused_on_loan_and_allowed_otherwise(librarian):
    record = record_save(marc=make_marc(), actor=librarian)
    item = item_create(record=record, actor=librarian, barcode="B1")
    Item.objects.filter(pk=item.pk).update(status=ItemStatus.ON_LOAN)
    with pytest.raises(RecordInUseError, match="B1"):
        item_delete(item=item, actor=librarian)
    Item.objects.filter(pk=item.pk).update(status=ItemStatus.AVAILABLE)
    item_delete(item=item, actor=librarian)
    assert not Item.objects.filter(pk=item.pk).exists()
    assert AuditEntry.objects.filter(action="catalog.item_delete").exists()


def test_items_cannot_be_added_to_a_deleted_record(librarian):
    record = record_save(marc=make_marc(), actor=librarian)
    record_delete(record=record, actor=librarian)
    with pytest.raises(CatalogError, match="khôi phục"):
        item_create(record=record, actor=librarian)


def test_demo_load_is_idempotent():
    from catalog import demo

    created = demo.load()
    assert created > 30
    assert Record.objects.filter(control_number_identifier=demo.DEMO_AGENCY).count() == 30
    counts = (Record.objects.count(), Item.objects.count(), Location.objects.count())
    assert demo.load() == 0
    assert (Record.objects.count(), Item.objects.count(), Location.objects.count()) == counts
    toan = Record.objects.get(control_number="DEMO-001")
    assert toan.textbook_series == "Kết nối tri thức với cuộc sống"
    assert toan.grade_levels == [6] and toan.mon_hoc == ["Toán"]
    assert ItemType.objects.get(code="BTC").reference_only
