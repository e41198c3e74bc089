"""Writes to the catalogue: records, items, MARC import and export.

Every function here is keyword-only, does its work in one transaction and leaves an audit row.
The MARC itself is handled by the pure functions of `catalog.marc`; this module only turns their
results into rows.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import functools
import io
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from json.encoder import encode_basestring as _quote  # the C encoder, as json.dumps uses
from pathlib import Path
from typing import IO, Any, BinaryIO

import orjson
import pymarc
from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.exceptions import (
    CatalogError,
    DuplicateBarcodeError,
    ImportRefusedError,
    MarcError,
    MarcFormatError,
    RecordInUseError,
)
from catalog.models import (
    ImportAction,
    ImportJob,
    ImportJobStatus,
    Item,
    ItemStatus,
    ItemType,
    Location,
    MatchRule,
    Record,
    RecordIsbn,
    RecordSource,
)
from library.core.audit import audit
from library.core.search.queue import index_later

BATCH_SIZE = 500
# Records per index task sent by an import once its file is read (as primary-key ranges, so
# that memory stays flat). Indexing beside the import only took processor time from it: the
# worker then indexes with every processor, a few large segments instead of many small ones.
INDEX_BATCH = 50_000
DEFAULT_MATCH = [MatchRule.CONTROL, MatchRule.ISBN, MatchRule.TITLE_AUTHOR_YEAR]
EXPORT_FORMATS = ("iso2709", "marcxml", "csv")

# ---------------------------------------------------------------------------------------------
# MARC <-> columns (adapter over catalog.marc)

_COLUMN_FIELDS = (
    "title",
    "statement_of_responsibility",
    "authors",
    "main_author",
    "publisher",
    "place",
    "year",
    "edition",
    "isbns",
    "languages",
    "classification_scheme",
    "classification",
    "subjects",
    "series",
    "grade_levels",
    "mon_hoc",
    "textbook_series",
    "links",
    "record_type",
    "control_number",
    "control_number_identifier",
    "notes",
    "physical_description",
    "pages",
    "title_sort",
    "match_key",
)
_CHAR_LIMITS = {
    f.name: f.max_length
    for f in Record._meta.concrete_fields
    if f.get_internal_type() == "CharField" and f.max_length
}


def _control(marc: pymarc.Record, tag: str) -> str:
    for f in marc.get_fields(tag):
        if f.control_field and f.data:
            return f.data.strip()
    return ""


def _match_key(data) -> str:
    """The title + author + year key of `catalog.marc.match` ("" without a title)."""
    from catalog.marc.match import match_keys

    return match_keys(data).title_author_year or ""


def _columns_and_data(marc: pymarc.Record) -> tuple[dict[str, Any], Any]:
    from catalog.marc.mapping import record_to_data
    from library.core.vietnamese import sort_key

    data = record_to_data(marc)
    columns: dict[str, Any] = {
        "title": data.title,
        "statement_of_responsibility": data.title_statement,
        "authors": list(data.authors),
        "main_author": data.main_author,
        "publisher": data.publisher,
        "place": data.place,
        "year": data.year if data.year and 0 < data.year < 32767 else None,
        "edition": data.edition,
        "isbns": list(data.isbns),
        "languages": list(data.languages),
        "classification_scheme": data.classification_scheme,
        "classification": data.classification,
        "subjects": list(data.subjects),
        "series": list(data.series),
        "grade_levels": list(data.grade_levels),
        "mon_hoc": list(data.mon_hoc),
        "textbook_series": data.textbook_series,
        "links": [{"url": url, "label": label} for url, label in data.links],
        "record_type": data.record_type,
        "control_number": data.control_number,
        "control_number_identifier": data.control_number_identifier,
        "notes": "\n".join(data.notes),
        "physical_description": data.physical_description,
        "pages": data.pages if data.pages and data.pages < 2**31 else None,
        "title_sort": sort_key(data.title),
        "match_key": _match_key(data),
    }
    for name, limit in _CHAR_LIMITS.items():
        value = columns.get(name)
        if isinstance(value, str) and len(value) > limit:
            columns[name] = value[:limit]
    return columns, data


def record_columns(marc: pymarc.Record) -> dict[str, Any]:
    """Every denormalised column of `Record`, computed from the MARC alone."""
    return _columns_and_data(marc)[0]


def marc_to_dict(marc: pymarc.Record) -> dict[str, Any]:
    """MARC-in-JSON as pymarc's `as_dict()` writes it (leader always a 24-character string).

    Written out here because pymarc's own `as_dict()` costs a third of the import's time.
    """
    fields: list[dict[str, Any]] = []
    for f in marc.fields:
        if f.control_field:
            fields.append({f.tag: f.data})
        else:
            ind1, ind2 = f.indicators or ("  ")
            fields.append(
                {f.tag: {"ind1": ind1, "ind2": ind2, "subfields": [{c: v} for c, v in f.subfields]}}
            )
    return {"leader": str(marc.leader), "fields": fields}


def marc_to_json(marc: pymarc.Record) -> str:
    """`json.dumps(marc_to_dict(marc), ensure_ascii=False)`, written out directly.

    The import encodes every record: building the nested dict and walking it again cost
    more than reading the record.
    """
    q = _quote
    parts = []
    for f in marc.fields:
        if f.control_field:
            data = q(f.data) if isinstance(f.data, str) else json.dumps(f.data)
            parts.append(f"{{{q(f.tag)}: {data}}}")
        else:
            ind1, ind2 = f.indicators or ("  ")
            subfields = ", ".join([f"{{{q(c)}: {q(v)}}}" for c, v in f.subfields])
            parts.append(
                f'{{{q(f.tag)}: {{"ind1": {q(ind1)}, "ind2": {q(ind2)}, '
                f'"subfields": [{subfields}]}}}}'
            )
    return f'{{"leader": {q(str(marc.leader))}, "fields": [{", ".join(parts)}]}}'


_INSERT_FIELDS = [f for f in Record._meta.concrete_fields if not f.primary_key]
_JSON_COLUMNS = [
    f.attname for f in _INSERT_FIELDS if f.get_internal_type() == "JSONField" and f.name != "marc"
]


def _dumps(value: Any) -> str:
    """JSON text of a column value: orjson (ten times json.dumps here), or json.dumps for
    what orjson refuses (a lone surrogate from a broken record)."""
    try:
        return orjson.dumps(value).decode()
    except orjson.JSONEncodeError:
        return json.dumps(value, ensure_ascii=False)


_JSON_FIELDS = {f.attname for f in _INSERT_FIELDS if f.get_internal_type() == "JSONField"}


# SQLite >= 3.32 allows 32,766 parameters per statement; Django assumes 999.
_SQLITE_MAX_PARAMS = 32_000


def _insert_records(values: list[dict[str, Any]]) -> list[int]:
    """Insert many records and return their ids in order.

    JSON columns (the MARC, authors, subjects, ...) come as JSON text already (a `str`;
    their values are lists and objects, never bare strings), encoded by the parse workers.
    On SQLite the rows go in as a few multi-row INSERT ... RETURNING statements with that
    text: the ORM's per-field preparation is most of `bulk_create`'s cost. On other databases
    `bulk_create` does the work.
    """
    if not values:
        return []
    if connection.vendor != "sqlite":
        objs = [
            Record(
                **{
                    k: json.loads(v) if k in _JSON_FIELDS and isinstance(v, str) else v
                    for k, v in row.items()
                }
            )
            for row in values
        ]
        Record.objects.bulk_create(objs, batch_size=BATCH_SIZE)
        return [obj.pk for obj in objs]
    ops = connection.ops
    converters = []
    for f in _INSERT_FIELDS:
        kind = f.get_internal_type()
        if kind == "JSONField":
            converters.append((f.attname, "json", f.get_default()))
        elif kind == "DateTimeField":
            converters.append((f.attname, "datetime", None))
        else:
            converters.append((f.attname, "plain", f.get_default()))
    columns = ", ".join(connection.ops.quote_name(f.column) for f in _INSERT_FIELDS)
    per_row = "(" + ", ".join(["%s"] * len(_INSERT_FIELDS)) + ")"
    rows_per_statement = max(1, _SQLITE_MAX_PARAMS // len(_INSERT_FIELDS))
    table = connection.ops.quote_name(Record._meta.db_table)
    ids: list[int] = []
    datetimes: dict = {}
    with connection.cursor() as cursor:
        for start in range(0, len(values), rows_per_statement):
            chunk = values[start : start + rows_per_statement]
            params: list[Any] = []
            for row in chunk:
                for name, kind, default in converters:
                    value = row.get(name, default)
                    if kind == "json" and not isinstance(value, str):
                        value = json.dumps(value, ensure_ascii=False)
                    elif kind == "datetime" and value is not None:
                        # A batch's rows share their timestamps: adapt each value once.
                        adapted = datetimes.get(value)
                        if adapted is None:
                            adapted = datetimes[value] = ops.adapt_datetimefield_value(value)
                        value = adapted
                    params.append(value)
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES "
                + ", ".join([per_row] * len(chunk))
                + " RETURNING id",
                params,
            )
            ids.extend(row[0] for row in cursor.fetchall())
    return ids


def dict_to_marc(data: dict[str, Any]) -> pymarc.Record:
    """Rebuild a pymarc record from MARC-in-JSON, keeping every tag, indicator and subfield."""
    record = pymarc.Record(leader=data.get("leader") or "     nam a22     7a 4500")
    fields = record.fields
    for entry in data.get("fields", []):
        for tag, value in entry.items():
            if isinstance(value, str):
                fields.append(pymarc.Field(tag=tag, data=value))
            else:
                subfields = [
                    pymarc.Subfield(code, text)
                    for pair in value.get("subfields", [])
                    for code, text in pair.items()
                ]
                field_ = pymarc.Field(tag=tag, subfields=subfields)
                field_.indicators = pymarc.Indicators(
                    value.get("ind1", " ") or " ", value.get("ind2", " ") or " "
                )
                fields.append(field_)
    return record


def record_marc(record: Record) -> pymarc.Record:
    """The record's MARC21 as a pymarc object (the stored JSON is the source of truth)."""
    return dict_to_marc(record.marc)


# ---------------------------------------------------------------------------------------------
# Records


def _replace_isbns(record: Record, isbns: Iterable[str]) -> None:
    RecordIsbn.objects.filter(record=record).delete()
    RecordIsbn.objects.bulk_create(
        [RecordIsbn(record=record, isbn=isbn) for isbn in dict.fromkeys(isbns) if isbn]
    )


def record_save(
    *,
    marc: pymarc.Record,
    record: Record | None = None,
    actor: Any,
    source: str = RecordSource.LOCAL,
    source_node: str = "",
    remote_id: str = "",
) -> Record:
    """Create or replace a record from its MARC; every column is regenerated from the MARC."""
    columns = record_columns(marc)
    if not columns["title"]:
        raise MarcError(_("Biểu ghi thiếu nhan đề: hãy điền trường 245 $a."))
    creating = record is None
    with transaction.atomic():
        if record is None:
            record = Record(source=source, source_node=source_node, remote_id=remote_id)
        for name, value in columns.items():
            setattr(record, name, value)
        record.marc = marc_to_dict(marc)
        record.save()
        _replace_isbns(record, columns["isbns"])
        audit(
            actor,
            "catalog.record_create" if creating else "catalog.record_update",
            record,
            title=record.title,
            control_number=record.control_number,
        )
        index_later(Record, [record.pk])
    return record


def record_delete(*, record: Record, actor: Any) -> Record:
    """Tombstone a record and withdraw its items; refused while any copy is on loan."""
    given = record
    with transaction.atomic():
        record = Record.objects.select_for_update().get(pk=record.pk)
        items = list(record.items.all())
        on_loan = [item.barcode for item in items if item.status == ItemStatus.ON_LOAN]
        if on_loan:
            raise RecordInUseError(
                _(
                    "Không thể xóa biểu ghi “%(title)s”: bản sách %(barcodes)s đang được mượn. "
                    "Hãy nhận trả các bản này trước khi xóa."
                )
                % {"title": record.title, "barcodes": ", ".join(on_loan)}
            )
        if record.deleted_at is not None:
            return record
        previous = {str(item.pk): item.status for item in items}
        record.deleted_at = timezone.now()
        record.save(update_fields=["deleted_at", "updated_at"])
        Item.objects.filter(record=record).update(
            status=ItemStatus.WITHDRAWN, updated_at=timezone.now()
        )
        audit(actor, "catalog.record_delete", record, item_statuses=previous)
        index_later(Record, [record.pk])
    given.deleted_at = record.deleted_at
    return record


def record_restore(*, record: Record, actor: Any) -> Record:
    """Bring a tombstoned record back; its items get back the status they had before."""
    from library.core.models import AuditEntry

    given = record
    with transaction.atomic():
        record = Record.objects.select_for_update().get(pk=record.pk)
        if record.deleted_at is None:
            return record
        entry = (
            AuditEntry.objects.filter(
                action="catalog.record_delete",
                object_type=Record._meta.label_lower,
                object_id=str(record.pk),
            )
            .order_by("-at", "-id")
            .first()
        )
        previous = (entry.details.get("item_statuses") if entry else None) or {}
        for item in record.items.filter(status=ItemStatus.WITHDRAWN):
            status = previous.get(str(item.pk))
            if status and status != ItemStatus.WITHDRAWN:
                item.status = status
                item.save(update_fields=["status", "updated_at"])
        record.deleted_at = None
        record.save(update_fields=["deleted_at", "updated_at"])
        audit(actor, "catalog.record_restore", record)
        index_later(Record, [record.pk])
    given.deleted_at = None
    return record


# ---------------------------------------------------------------------------------------------
# Items


def _barcode_prefix() -> str:
    return getattr(settings, "LIBRARY_BARCODE_PREFIX", "TV") or ""


class _BarcodeSequence:
    """Next free barcodes of the form PREFIX + 6+ digits, computed once and counted in memory."""

    def __init__(self) -> None:
        prefix = _barcode_prefix()
        self.prefix = prefix
        last = (
            Item.objects.filter(barcode__regex=r"^" + re.escape(prefix) + r"[0-9]+$")
            .annotate(n=Length("barcode"))
            .order_by("-n", "-barcode")
            .values_list("barcode", flat=True)
            .first()
        )
        self.next = int(last[len(prefix) :]) + 1 if last else 1

    def take(self) -> str:
        value = f"{self.prefix}{self.next:06d}"
        self.next += 1
        return value


def item_next_barcode() -> str:
    """The next free generated barcode (prefix from settings.LIBRARY_BARCODE_PREFIX)."""
    return _BarcodeSequence().take()


def record_call_number(record: Record) -> str:
    """Call number for a new copy: classification + author mark (from the record's MARC)."""
    from catalog.marc.mapping import record_to_data

    return call_number_of(record_to_data(record_marc(record)))


def call_number_of(data: Any) -> str:
    """'895.922 ÁNH' from a `RecordData`: classification and author mark, either may be empty."""
    from catalog.marc.mapping import call_number_parts

    return " ".join(part.strip() for part in call_number_parts(data) if part and part.strip())


def _check_unique(*, barcode: str | None, accession_number: str | None, exclude=None) -> None:
    others = Item.objects.all()
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    if barcode and others.filter(barcode=barcode).exists():
        raise DuplicateBarcodeError(
            _("Mã vạch %(barcode)s đã dùng cho bản sách khác: hãy nhập mã khác hoặc để trống.")
            % {"barcode": barcode}
        )
    if accession_number and others.filter(accession_number=accession_number).exists():
        raise DuplicateBarcodeError(
            _("Số đăng ký cá biệt %(number)s đã dùng cho bản sách khác.")
            % {"number": accession_number}
        )


def item_create(
    *,
    record: Record,
    actor: Any,
    barcode: str | None = None,
    call_number: str | None = None,
    location: Location | None = None,
    item_type: ItemType | None = None,
    price: Decimal | int | None = None,
    acquired_on: dt.date | None = None,
    acquisition_source: str = "",
    accession_number: str | None = None,
    status: str | None = None,
    notes: str = "",
) -> Item:
    """Add a copy to a record; the barcode and call number are generated when not given."""
    if Record.objects.filter(pk=record.pk, deleted_at__isnull=False).exists():
        raise CatalogError(_("Biểu ghi đã bị xóa: hãy khôi phục biểu ghi trước khi thêm bản sách."))
    barcode = (barcode or "").strip() or None
    accession_number = (accession_number or "").strip() or None
    with transaction.atomic():
        _check_unique(barcode=barcode, accession_number=accession_number)
        if status is None:
            status = (
                ItemStatus.REFERENCE_ONLY
                if item_type is not None and item_type.reference_only
                else ItemStatus.AVAILABLE
            )
        item = Item(
            record=record,
            barcode=barcode or item_next_barcode(),
            call_number=(call_number if call_number is not None else record_call_number(record))[
                :100
            ],
            location=location,
            item_type=item_type,
            status=status,
            price=price,
            acquired_on=acquired_on,
            acquisition_source=acquisition_source,
            accession_number=accession_number,
            notes=notes,
        )
        try:
            with transaction.atomic():
                item.save()
        except IntegrityError as exc:
            raise DuplicateBarcodeError(
                _("Mã vạch %(barcode)s vừa được dùng cho bản sách khác: hãy thử lại.")
                % {"barcode": item.barcode}
            ) from exc
        audit(actor, "catalog.item_create", item, barcode=item.barcode, record=record.pk)
    return item


_ITEM_EDITABLE = frozenset(
    {
        "barcode",
        "call_number",
        "location",
        "item_type",
        "status",
        "price",
        "acquired_on",
        "acquisition_source",
        "accession_number",
        "notes",
    }
)


def item_update(*, item: Item, actor: Any, **changes: Any) -> Item:
    """Change a copy's details; loans (status on loan) are the circulation desk's business."""
    unknown = set(changes) - _ITEM_EDITABLE
    if unknown:
        raise CatalogError(
            _("Không sửa được trường %(fields)s của bản sách.")
            % {"fields": ", ".join(sorted(unknown))}
        )
    with transaction.atomic():
        item = Item.objects.select_for_update().get(pk=item.pk)
        new_status = changes.get("status", item.status)
        if (
            "status" in changes
            and new_status != item.status
            and (ItemStatus.ON_LOAN in (item.status, new_status))
        ):
            raise CatalogError(
                _(
                    "Trạng thái “đang cho mượn” chỉ thay đổi qua quầy mượn trả "
                    "(cho mượn hoặc nhận trả)."
                )
            )
        if "barcode" in changes:
            changes["barcode"] = (changes["barcode"] or "").strip()
            if not changes["barcode"]:
                raise CatalogError(_("Mã vạch không được để trống."))
        if "accession_number" in changes:
            changes["accession_number"] = (changes["accession_number"] or "").strip() or None
        _check_unique(
            barcode=changes.get("barcode"),
            accession_number=changes.get("accession_number"),
            exclude=item,
        )
        before = {name: _jsonable(getattr(item, name)) for name in changes}
        for name, value in changes.items():
            setattr(item, name, value)
        item.save()
        after = {name: _jsonable(getattr(item, name)) for name in changes}
        audit(
            actor,
            "catalog.item_update",
            item,
            changes={k: [before[k], after[k]] for k in changes if before[k] != after[k]},
        )
    return item


def item_delete(*, item: Item, actor: Any) -> None:
    """Remove a copy entered by mistake; refused while on loan or once it has loan history."""
    with transaction.atomic():
        item = Item.objects.select_for_update().get(pk=item.pk)
        if item.status == ItemStatus.ON_LOAN:
            raise RecordInUseError(
                _("Bản sách %(barcode)s đang được mượn: hãy nhận trả trước khi xóa.")
                % {"barcode": item.barcode}
            )
        audit(actor, "catalog.item_delete", item, barcode=item.barcode, record=item.record_id)
        try:
            with transaction.atomic():
                item.delete()
        except ProtectedError as exc:
            raise RecordInUseError(
                _(
                    "Bản sách %(barcode)s đã có lịch sử mượn nên không xóa được: "
                    "hãy chuyển trạng thái sang “Thanh lý”."
                )
                % {"barcode": item.barcode}
            ) from exc


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if hasattr(value, "pk"):
        return value.pk
    return str(value)


def location_get_or_create(*, code: str, name: str | None = None) -> Location:
    code = code.strip()[:32]
    location, _created = Location.objects.get_or_create(code=code, defaults={"name": name or code})
    return location


def item_type_get_or_create(*, code: str, name: str | None = None) -> ItemType:
    code = code.strip()[:32]
    item_type, _created = ItemType.objects.get_or_create(code=code, defaults={"name": name or code})
    return item_type


# ---------------------------------------------------------------------------------------------
# Holdings (852 / Koha 952) -> items


@dataclass
class Holding:
    barcode: str = ""
    call_number: str = ""
    location: str = ""
    item_type: str = ""
    price: Decimal | None = None
    acquired_on: dt.date | None = None
    acquisition_source: str = ""
    accession_number: str = ""
    notes: str = ""


_PRICE_DECIMAL = re.compile(r"^\d+[.,]\d{1,2}$")
_DATE_FORMATS = ("%Y-%m-%d", "%Y%m%d", "%d/%m/%Y", "%d-%m-%Y", "%Y/%m/%d")


def parse_price(raw: str) -> Decimal | None:
    """'120.000 đ' -> 120000 (Vietnamese thousands), '25.00' -> 25 (Koha decimals)."""
    text = (raw or "").strip()
    if not text:
        return None
    compact = re.sub(r"[^\d.,]", "", text)
    if not compact:
        return None
    try:
        if _PRICE_DECIMAL.match(compact):
            value = Decimal(compact.replace(",", ".")).quantize(Decimal(1))
        else:
            value = Decimal(re.sub(r"\D", "", compact))
    except InvalidOperation:
        return None
    return value if value < Decimal(10) ** 12 else None


def parse_date(raw: str) -> dt.date | None:
    text = (raw or "").strip()[:10]
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 (a date, no time)
        except ValueError:
            continue
    return None


def holdings_from_marc(marc: pymarc.Record) -> list[Holding]:
    """One `Holding` per 852 (MARC holdings) or Koha 952 field of the record."""
    holdings = []
    for f in marc.get_fields("852", "952"):
        if f.control_field:
            continue
        sub = {}
        for code, value in f.subfields:
            sub.setdefault(code, value.strip())
        if f.tag == "952":
            holding = Holding(
                barcode=sub.get("p", ""),
                call_number=sub.get("o", ""),
                location=sub.get("a") or sub.get("b", ""),
                item_type=sub.get("y", ""),
                price=parse_price(sub.get("g") or sub.get("v", "")),
                acquired_on=parse_date(sub.get("d", "")),
                acquisition_source=sub.get("e", ""),
                accession_number=sub.get("i", ""),
                notes=sub.get("z", ""),
            )
        else:
            call = " ".join(v for v in (sub.get("h", ""), sub.get("i", "")) if v)
            holding = Holding(
                barcode=sub.get("p", ""),
                call_number=call,
                location=sub.get("a") or sub.get("b", ""),
                item_type=sub.get("y", ""),
                price=parse_price(sub.get("9") or sub.get("g", "")),
                acquired_on=parse_date(sub.get("d", "")),
                acquisition_source=sub.get("e", ""),
                # Libol and other Vietnamese systems keep the số đăng ký cá biệt in 852 $j.
                accession_number=sub.get("j", ""),
                notes=sub.get("z", ""),
            )
        holdings.append(holding)
    return holdings


# ---------------------------------------------------------------------------------------------
# Import


class ImportOutcome:
    ADDED = "added"
    OVERLAID = "overlaid"
    SKIPPED = "skipped"
    REJECTED = "rejected"
    ALL = (ADDED, OVERLAID, SKIPPED, REJECTED)


def outcome_label(outcome: str) -> str:
    return {
        ImportOutcome.ADDED: _("Thêm mới"),
        ImportOutcome.OVERLAID: _("Ghi đè"),
        ImportOutcome.SKIPPED: _("Bỏ qua (trùng)"),
        ImportOutcome.REJECTED: _("Từ chối"),
    }.get(outcome, outcome)


@dataclass
class ImportRow:
    index: int
    offset: int | None
    control_number: str
    title: str
    outcome: str
    reason: str = ""
    record_id: int | None = None
    line: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


CSV_HEADER = [
    gettext_lazy("STT"),
    gettext_lazy("Vị trí (byte/dòng)"),
    gettext_lazy("Số kiểm soát (001)"),
    gettext_lazy("Nhan đề"),
    gettext_lazy("Kết quả"),
    gettext_lazy("Lý do"),
    gettext_lazy("Mã biểu ghi"),
]


class ImportReport:
    """Counts and rows of one import; every row goes to a CSV spool so memory stays flat."""

    def __init__(self, *, dry_run: bool = False, keep_rows: int = 1000) -> None:
        self.dry_run = dry_run
        self.keep_rows = keep_rows
        self.counts = dict.fromkeys(ImportOutcome.ALL, 0)
        self.items_added = 0
        self.rows: list[ImportRow] = []
        self.rejections: list[ImportRow] = []
        self._spool = tempfile.SpooledTemporaryFile(  # noqa: SIM115 (closed by close())
            max_size=1 << 20, mode="w+", newline=""
        )
        self._csv = csv.writer(self._spool)
        self._csv.writerow([str(name) for name in CSV_HEADER])
        # Translated once, not for each of 100,000 rows.
        self._labels = {outcome: str(outcome_label(outcome)) for outcome in ImportOutcome.ALL}
        self._line = _("dòng %(line)s")

    def add(self, row: ImportRow) -> None:
        self.counts[row.outcome] += 1
        if len(self.rows) < self.keep_rows:
            self.rows.append(row)
        if row.outcome == ImportOutcome.REJECTED and len(self.rejections) < self.keep_rows:
            self.rejections.append(row)
        position = (
            row.offset
            if row.offset is not None
            else (self._line % {"line": row.line} if row.line else "")
        )
        self._csv.writerow(
            [
                row.index,
                position,
                row.control_number,
                row.title,
                self._labels.get(row.outcome, row.outcome),
                row.reason,
                row.record_id or "",
            ]
        )

    added = property(lambda self: self.counts[ImportOutcome.ADDED])
    overlaid = property(lambda self: self.counts[ImportOutcome.OVERLAID])
    skipped = property(lambda self: self.counts[ImportOutcome.SKIPPED])
    rejected = property(lambda self: self.counts[ImportOutcome.REJECTED])

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def to_csv(self) -> bytes:
        """The whole report as CSV, UTF-8 with a BOM so that Excel shows Vietnamese right."""
        self._spool.flush()
        self._spool.seek(0)
        text = self._spool.read()
        self._spool.seek(0, io.SEEK_END)
        return ("\ufeff" + text).encode("utf-8")

    def summary(self) -> str:
        prefix = _("Chạy thử (không ghi gì): ") if self.dry_run else ""
        return prefix + _(
            "%(total)d bản ghi: %(added)d thêm mới, %(overlaid)d ghi đè, %(skipped)d bỏ qua, "
            "%(rejected)d bị từ chối; %(items)d bản sách."
        ) % {
            "total": self.total,
            "added": self.added,
            "overlaid": self.overlaid,
            "skipped": self.skipped,
            "rejected": self.rejected,
            "items": self.items_added,
        }

    def close(self) -> None:
        self._spool.close()


class _CountingReader:
    """A binary file wrapper that counts the bytes handed to the MARC reader."""

    def __init__(self, handle: BinaryIO) -> None:
        self._handle = handle
        self.bytes_read = 0

    def read(self, size: int = -1) -> bytes:
        data = self._handle.read(size)
        self.bytes_read += len(data)
        return data


def _source_size(handle: Any, path: Path | None) -> int:
    if path is not None:
        return path.stat().st_size
    size = getattr(handle, "size", None)
    if isinstance(size, int):
        return size
    try:
        fileno = handle.fileno()
    except (AttributeError, OSError, io.UnsupportedOperation):
        fileno = None
    if fileno is not None:
        return os.fstat(fileno).st_size
    try:
        position = handle.tell()
        end = handle.seek(0, io.SEEK_END)
        handle.seek(position)
        return end - position
    except (AttributeError, OSError, io.UnsupportedOperation):
        return 0


@dataclass
class _Prepared:
    index: int
    offset: int | None
    line: int | None
    # MARC-in-JSON (`marc_to_dict`) already encoded: a string crosses from a worker process
    # far cheaper than the nested dict, and the insert stores it as it is.
    marc: str
    columns: dict[str, Any]
    call_number: str  # for copies whose holdings field gives none
    holdings: list[Holding]
    warnings: list[str]
    # The JSON columns (authors, subjects, ...) encoded in the worker, for the insert.
    encoded: dict[str, str] = dataclasses.field(default_factory=dict)
    target: Any = None  # matched Record, or the _Prepared it overlays within this batch
    rule: str = ""
    outcome: str = ""
    record_id: int | None = None

    @property
    def control_key(self) -> tuple[str, str] | None:
        number = self.columns["control_number"]
        return (self.columns["control_number_identifier"], number) if number else None


_RULE_LABELS = {
    MatchRule.CONTROL: "001+003",
    MatchRule.ISBN: "ISBN",
    MatchRule.TITLE_AUTHOR_YEAR: "nhan đề + tác giả + năm",
}


class _Importer:
    """Matches and writes one batch of read records in one transaction."""

    def __init__(
        self, *, match, action, dry_run, report, actor, source_label, job, index_batch=INDEX_BATCH
    ) -> None:
        self.match = list(match)
        self.index_batch = index_batch
        self.committed = _KeyRanges()  # records written by committed batches, to index
        self.action = action
        self.dry_run = dry_run
        self.report = report
        self.actor = actor
        self.source_label = source_label
        self.job = job
        self.locations: dict[str, Location] = {}
        self.item_types: dict[str, ItemType] = {}
        self.barcodes: _BarcodeSequence | None = None
        self._rows: list[ImportRow] = []
        # A dry run rolls every batch back, so what it "added" is remembered here instead.
        self.dry_seen: dict[str, dict] = {rule: {} for rule in self.match}

    # -- matching --------------------------------------------------------------------------

    def _keys(self, p: _Prepared, rule: str) -> list:
        if rule == MatchRule.CONTROL:
            return [p.control_key] if p.control_key else []
        if rule == MatchRule.ISBN:
            return list(p.columns["isbns"])
        if rule == MatchRule.TITLE_AUTHOR_YEAR:
            return [p.columns["match_key"]] if p.columns["match_key"] else []
        return []

    def _lookup(self, prepared: list[_Prepared]) -> dict[str, dict]:
        """One query per rule for the whole batch: key -> id of an existing live record."""
        found: dict[str, dict] = {rule: {} for rule in self.match}
        # Deleted records are skipped here, not in SQL: with `deleted_at IS NULL` in the
        # query SQLite chose the deleted_at index (NULL for nearly every row) over the
        # control-number one and scanned the table for every batch — an import of 100,000
        # records slowed down as it grew.
        if MatchRule.CONTROL in self.match:
            numbers = {p.control_key[1] for p in prepared if p.control_key}
            if numbers:
                rows = Record.objects.filter(control_number__in=numbers).values_list(
                    "control_number_identifier", "control_number", "id", "deleted_at"
                )
                for identifier, number, pk, deleted in rows.order_by("id"):
                    if deleted is None:
                        found[MatchRule.CONTROL].setdefault((identifier, number), pk)
        if MatchRule.ISBN in self.match:
            isbns = {isbn for p in prepared for isbn in p.columns["isbns"]}
            if isbns:
                # Not `record__deleted_at__isnull=True` either: SQLite then walked every live
                # record (2.3 s a batch with 100,000 in the catalogue) instead of the ISBNs.
                rows = RecordIsbn.objects.filter(isbn__in=isbns).values_list(
                    "isbn", "record_id", "record__deleted_at"
                )
                for isbn, pk, deleted in rows.order_by("record_id"):
                    if deleted is None:
                        found[MatchRule.ISBN].setdefault(isbn, pk)
        if MatchRule.TITLE_AUTHOR_YEAR in self.match:
            keys = {p.columns["match_key"] for p in prepared if p.columns["match_key"]}
            if keys:
                rows = Record.objects.filter(match_key__in=keys).values_list(
                    "match_key", "id", "control_number_identifier", "control_number", "deleted_at"
                )
                for key, pk, identifier, number, deleted in rows.order_by("id"):
                    if deleted is not None:
                        continue
                    control = (identifier, number) if number else None
                    found[MatchRule.TITLE_AUTHOR_YEAR].setdefault(key, []).append((pk, control))
        return found

    def _same_source_other_record(self, p: _Prepared, control) -> bool:
        """With the control rule on, two records with their own numbers from the same source
        (003) are distinct works even when title, author and year agree (NLNZ has several
        "Puketeraki"); with title+author+year alone, the title decides."""
        return bool(
            MatchRule.CONTROL in self.match
            and p.control_key
            and control
            and p.control_key[0] == control[0]
            and p.control_key != control
        )

    def _title_match(self, p: _Prepared, key: str, found: dict, pending: dict):
        for pk, control in found[MatchRule.TITLE_AUTHOR_YEAR].get(key, []):
            if not self._same_source_other_record(p, control):
                return pk
        for other in (pending, self.dry_seen):
            candidate = other[MatchRule.TITLE_AUTHOR_YEAR].get(key)
            if candidate is not None and not self._same_source_other_record(
                p, candidate.control_key
            ):
                return candidate
        return None

    # -- one batch -------------------------------------------------------------------------

    def run(self, results: list) -> None:
        """Write one batch of `ReadResult`s."""
        self.run_prepared([_prepare(result) for result in results])

    def run_prepared(self, items: list) -> None:
        """Write one batch of `_prepare` results (rejections and prepared records)."""
        prepared: list[_Prepared] = []
        for item in items:
            if isinstance(item, ImportRow):
                self._rows.append(item)
            else:
                prepared.append(item)
        if prepared:
            self._batch_pks: list[int] = []
            with transaction.atomic():
                self._write(prepared)
                if self.dry_run:
                    transaction.set_rollback(True)
            if not self.dry_run:
                self.committed.extend(self._batch_pks)
        # Rows are reported in file order, rejected ones among the others.
        self._rows.sort(key=lambda row: row.index)
        for row in self._rows:
            self.report.add(row)
        self._rows = []

    def _decide(self, prepared: list[_Prepared]) -> None:
        found = self._lookup(prepared)
        pending: dict[str, dict] = {rule: {} for rule in self.match}
        for p in prepared:
            target, rule = None, ""
            if self.action != ImportAction.ADD:
                for rule_name in self.match:
                    for key in self._keys(p, rule_name):
                        if rule_name == MatchRule.TITLE_AUTHOR_YEAR:
                            target = self._title_match(p, key, found, pending)
                        else:
                            target = (
                                found[rule_name].get(key)
                                or pending[rule_name].get(key)
                                or self.dry_seen[rule_name].get(key)
                            )
                        if target is not None:
                            rule = rule_name
                            break
                    if target is not None:
                        break
            if target is None:
                p.outcome = ImportOutcome.ADDED
                for rule_name in self.match:
                    for key in self._keys(p, rule_name):
                        pending[rule_name].setdefault(key, p)
                        if self.dry_run:
                            self.dry_seen[rule_name].setdefault(key, p)
            elif self.action == ImportAction.SKIP:
                p.outcome, p.target, p.rule = ImportOutcome.SKIPPED, target, rule
            else:
                p.outcome, p.target, p.rule = ImportOutcome.OVERLAID, target, rule

    def _write(self, prepared: list[_Prepared]) -> None:
        self._decide(prepared)
        now = timezone.now()
        # Overlays of records added earlier in this batch just replace what will be inserted.
        to_add: list[_Prepared] = []
        overlays: dict[int, _Prepared] = {}
        for p in prepared:
            if p.outcome == ImportOutcome.ADDED:
                to_add.append(p)
            elif p.outcome == ImportOutcome.OVERLAID:
                if isinstance(p.target, _Prepared):
                    # Overlaying a record added earlier in this batch: insert the newer version.
                    base = p.target
                    base.marc, base.columns, base.call_number = p.marc, p.columns, p.call_number
                    base.encoded = p.encoded
                    base.holdings = base.holdings + p.holdings
                elif isinstance(p.target, int):
                    overlays[p.target] = p
        values = [
            {
                "marc": p.marc,
                "source": RecordSource.LOCAL,
                "created_at": now,
                "updated_at": now,
                **p.columns,
                **p.encoded,
            }
            for p in to_add
        ]
        ids = _insert_records(values)
        for p, pk in zip(to_add, ids, strict=True):
            p.record_id = pk

        existing = Record.objects.in_bulk(list(overlays)) if overlays else {}
        changed: list[Record] = []
        for pk, p in overlays.items():
            record = existing.get(pk)
            if record is None:
                continue
            for name, value in p.columns.items():
                setattr(record, name, value)
            for name, value in p.encoded.items():
                if name not in p.columns:
                    setattr(record, name, json.loads(value))
            record.marc = json.loads(p.marc)
            record.updated_at = now
            p.record_id = record.pk
            changed.append(record)
        if changed:
            Record.objects.bulk_update(
                changed, ["marc", "updated_at", *_COLUMN_FIELDS], batch_size=BATCH_SIZE
            )
            RecordIsbn.objects.filter(record_id__in=[r.pk for r in changed]).delete()

        written = [p for p in [*to_add, *overlays.values()] if p.record_id is not None]
        RecordIsbn.objects.bulk_create(
            [
                RecordIsbn(record_id=p.record_id, isbn=isbn)
                for p in written
                for isbn in dict.fromkeys(p.columns["isbns"])
                if isbn
            ],
            batch_size=BATCH_SIZE,
        )
        items = self._items(written, overlays)

        for p in prepared:
            target = p.target
            if isinstance(target, _Prepared):
                target_id = target.record_id
            elif isinstance(target, int):
                target_id = target
            else:
                target_id = p.record_id
            if p.outcome == ImportOutcome.SKIPPED:
                reason = _("Trùng (%(rule)s) với biểu ghi #%(id)s.") % {
                    "rule": _RULE_LABELS.get(p.rule, p.rule),
                    "id": target_id if target_id and not self.dry_run else "—",
                }
            elif p.outcome == ImportOutcome.OVERLAID:
                reason = _("Ghi đè biểu ghi #%(id)s (trùng %(rule)s).") % {
                    "rule": _RULE_LABELS.get(p.rule, p.rule),
                    "id": target_id if target_id and not self.dry_run else "—",
                }
            else:
                reason = ""
            if p.warnings:
                reason = "; ".join([r for r in [reason, *p.warnings] if r])
            self._rows.append(
                ImportRow(
                    index=p.index,
                    offset=p.offset,
                    line=p.line,
                    control_number=p.columns["control_number"],
                    title=p.columns["title"][:300],
                    outcome=p.outcome,
                    reason=reason,
                    record_id=None if self.dry_run else target_id,
                )
            )
        self.report.items_added += items
        if self.dry_run or not written:
            return
        pks = [p.record_id for p in written]
        self._batch_pks = pks
        audit(
            self.actor,
            "catalog.import_batch",
            self.job,
            source=self.source_label,
            added=len(to_add),
            overlaid=len(changed),
            items=items,
            record_ids=pks,
        )

    def flush_index(self) -> None:
        """Queue the records committed so far for indexing, `index_batch` records a task."""
        chunks, self.committed = self.committed.chunks(self.index_batch), _KeyRanges()
        for ranges in chunks:
            transaction.on_commit(functools.partial(_enqueue_index, ranges))

    # -- items -----------------------------------------------------------------------------

    def _items(self, written: list[_Prepared], overlays: dict[int, _Prepared]) -> int:
        with_holdings = [p for p in written if p.holdings]
        if not with_holdings:
            return 0
        barcodes = {h.barcode for p in with_holdings for h in p.holdings if h.barcode}
        accessions = {
            h.accession_number for p in with_holdings for h in p.holdings if h.accession_number
        }
        used_barcodes = (
            set(Item.objects.filter(barcode__in=barcodes).values_list("barcode", flat=True))
            if barcodes
            else set()
        )
        used_accessions = (
            set(
                Item.objects.filter(accession_number__in=accessions).values_list(
                    "accession_number", flat=True
                )
            )
            if accessions
            else set()
        )
        overlaid_with_items = (
            set(
                Item.objects.filter(record_id__in=list(overlays)).values_list(
                    "record_id", flat=True
                )
            )
            if overlays
            else set()
        )
        new_items = []
        for p in with_holdings:
            record_id = p.record_id
            for h in p.holdings:
                if h.barcode:
                    if h.barcode in used_barcodes:
                        continue  # the copy is already in the catalogue
                    barcode = h.barcode[:32]
                else:
                    if record_id in overlaid_with_items:
                        continue  # without a barcode we cannot tell it from the copies already there
                    if self.barcodes is None:
                        self.barcodes = _BarcodeSequence()
                    barcode = self.barcodes.take()
                    while barcode in used_barcodes or barcode in barcodes:
                        barcode = self.barcodes.take()
                used_barcodes.add(barcode)
                accession = h.accession_number[:50] or None
                if accession in used_accessions:
                    p.warnings.append(
                        _(
                            "Số đăng ký cá biệt %(number)s đã có — bản sách %(barcode)s để trống số này."
                        )
                        % {"number": accession, "barcode": barcode}
                    )
                    accession = None
                if accession:
                    used_accessions.add(accession)
                item_type = self._item_type(h.item_type) if h.item_type else None
                new_items.append(
                    Item(
                        record_id=record_id,
                        barcode=barcode,
                        call_number=(h.call_number or p.call_number)[:100],
                        location=self._location(h.location) if h.location else None,
                        item_type=item_type,
                        status=(
                            ItemStatus.REFERENCE_ONLY
                            if item_type is not None and item_type.reference_only
                            else ItemStatus.AVAILABLE
                        ),
                        price=h.price,
                        acquired_on=h.acquired_on,
                        acquisition_source=h.acquisition_source[:200],
                        accession_number=accession,
                        notes=h.notes[:300],
                    )
                )
        Item.objects.bulk_create(new_items, batch_size=BATCH_SIZE)
        return len(new_items)

    def _location(self, code: str) -> Location:
        code = code.strip()[:32]
        if code not in self.locations:
            self.locations[code] = location_get_or_create(code=code)
        return self.locations[code]

    def _item_type(self, code: str) -> ItemType:
        code = code.strip()[:32]
        if code not in self.item_types:
            self.item_types[code] = item_type_get_or_create(code=code)
        return self.item_types[code]


def _rejected(result, reason: str) -> ImportRow:
    record = result.record
    control = _control(record, "001") if record is not None else ""
    title = ""
    if record is not None:
        title_field = record.get("245")
        if title_field is not None and not title_field.control_field:
            title = " ".join(title_field.get_subfields("a", "b"))[:300]
    return ImportRow(
        index=result.index,
        offset=result.offset,
        line=result.line,
        control_number=control,
        title=title,
        outcome=ImportOutcome.REJECTED,
        reason=reason,
    )


def _prepare(result) -> _Prepared | ImportRow:
    """One read record as columns ready to write, or its rejection. No database access: this
    runs in the import's worker processes too."""
    if not result.ok:
        return _rejected(result, result.error or _("Không đọc được bản ghi."))
    try:
        columns, data = _columns_and_data(result.record)
        holdings = holdings_from_marc(result.record)
    except Exception as exc:  # a mapping bug must not stop the file
        return _rejected(
            result, _("Không chuyển được bản ghi thành dữ liệu: %(error)s") % {"error": exc}
        )
    if not columns["title"]:
        return _rejected(result, _("Thiếu nhan đề (245 $a)."))
    encoded = {name: _dumps(columns[name]) for name in _JSON_COLUMNS if name in columns}
    # The lists travel to the writing process once, encoded (only the ISBNs are matched on).
    for name in encoded:
        if name != "isbns":
            del columns[name]
    return _Prepared(
        index=result.index,
        offset=result.offset,
        line=result.line,
        marc=marc_to_json(result.record),
        columns=columns,
        call_number=call_number_of(data) if holdings else "",
        holdings=holdings,
        warnings=list(result.warnings),
        encoded=encoded,
    )


def _prepare_raw_batch(raws: list) -> list:
    """Parse and prepare a batch of ISO 2709 records (in a worker process)."""
    from catalog.marc.reader import parse_raw

    return [_prepare(parse_raw(raw)) for raw in raws]


#: Worker processes that parse and map ISO 2709 records while this one writes; files smaller
#: than `PARALLEL_MIN_BYTES` are read in-process (starting the workers costs more).
IMPORT_WORKERS = min(2, os.cpu_count() or 1)
PARALLEL_MIN_BYTES = 2 << 20


def _prepared_batches(items, batch_size: int, workers: int) -> Iterator[list]:
    """Batches of `_prepare` results, in file order.

    With `workers`, raw ISO 2709 records are cut here and parsed + mapped by a pool of forked
    processes, a few batches ahead of the writes (bounded: memory stays flat).
    """

    def raw_batches():
        batch: list = []
        for raw in items:
            batch.append(raw)
            if len(batch) >= batch_size:
                yield batch
                batch = []
        if batch:
            yield batch

    if not workers:
        from catalog.marc.reader import parse_raw

        for batch in raw_batches():
            yield [_prepare(parse_raw(raw)) for raw in batch]
        return
    import multiprocessing
    from collections import deque

    ahead = workers * 2
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        pending: deque = deque()
        for batch in raw_batches():
            pending.append(pool.apply_async(_prepare_raw_batch, (batch,)))
            if len(pending) >= ahead:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


def _enqueue_index(ranges: list[list[int]]) -> None:
    from library.core.search.tasks import search_update_ranges

    search_update_ranges.enqueue(Record._meta.label_lower, ranges)


class _KeyRanges:
    """Primary keys as sorted, merged [first, last] ranges: an import's new records have
    consecutive keys, so 100,000 of them are one range."""

    def __init__(self) -> None:
        self.ranges: list[list[int]] = []
        self._merge_at = 1000

    def extend(self, keys: Iterable[int]) -> None:
        for key in keys:
            last = self.ranges[-1] if self.ranges else None
            if last is not None and last[0] <= key <= last[1] + 1:
                last[1] = max(last[1], key)
            else:
                self.ranges.append([key, key])
        if len(self.ranges) > self._merge_at:  # overlays come in any order
            self._merge()
            self._merge_at = max(1000, 2 * len(self.ranges))

    def _merge(self) -> None:
        merged: list[list[int]] = []
        for first, last in sorted(self.ranges):
            if merged and first <= merged[-1][1] + 1:
                merged[-1][1] = max(merged[-1][1], last)
            else:
                merged.append([first, last])
        self.ranges = merged

    def __len__(self) -> int:
        return sum(last - first + 1 for first, last in self.ranges)

    def chunks(self, size: int) -> list[list[list[int]]]:
        """The ranges cut into groups of at most `size` keys each."""
        self._merge()
        groups: list[list[list[int]]] = []
        current: list[list[int]] = []
        room = size
        for first, last in self.ranges:
            while first <= last:
                take = min(room, last - first + 1)
                current.append([first, first + take - 1])
                first += take
                room -= take
                if room == 0:
                    groups.append(current)
                    current, room = [], size
        if current:
            groups.append(current)
        return groups


def _validate_options(match: Iterable[str], action: str) -> list[str]:
    rules = [str(rule) for rule in match]
    unknown = [rule for rule in rules if rule not in MatchRule.values]
    if unknown:
        raise CatalogError(
            _("Quy tắc so trùng không hợp lệ: %(rules)s (chọn trong: %(choices)s).")
            % {"rules": ", ".join(unknown), "choices": ", ".join(MatchRule.values)}
        )
    if action not in ImportAction.values:
        raise CatalogError(
            _("Cách xử lý bản ghi trùng không hợp lệ: %(action)s (chọn overlay, skip hoặc add).")
            % {"action": action}
        )
    return rules


def marc_import(
    *,
    source: str | Path | BinaryIO,
    match: Iterable[str] = tuple(DEFAULT_MATCH),
    action: str = ImportAction.SKIP,
    dry_run: bool = False,
    actor: Any = None,
    on_progress: Callable[[ImportReport, int, int], None] | None = None,
    job: ImportJob | None = None,
    batch_size: int = BATCH_SIZE,
    index_batch: int = INDEX_BATCH,
    workers: int | None = None,
) -> ImportReport:
    """Import an ISO 2709 or MARCXML file batch by batch; bad records are reported, not fatal.

    Raises `MarcFormatError` when the file is not MARC at all (nothing is written then).
    ISO 2709 files of `PARALLEL_MIN_BYTES` or more are parsed and mapped by `workers` forked
    processes (default `IMPORT_WORKERS`; 0 reads in this process) while this one writes.
    """
    from catalog.marc.reader import split_marc

    rules = _validate_options(match, action)
    path = Path(source) if isinstance(source, str | Path) else None
    handle: Any = open(path, "rb") if path is not None else source  # noqa: SIM115
    label = path.name if path is not None else getattr(source, "name", "") or "upload"
    total = _source_size(handle, path)
    counter = _CountingReader(handle)
    report = ImportReport(dry_run=dry_run)
    importer = _Importer(
        match=rules,
        action=action,
        dry_run=dry_run,
        report=report,
        actor=actor,
        source_label=str(label),
        job=job,
        index_batch=index_batch,
    )
    tuning = _LargeImportSqlite() if total >= PARALLEL_MIN_BYTES else None
    try:
        if tuning is not None:
            tuning.start()
        kind, items = split_marc(counter)
        if kind == "iso2709":
            if workers is None:
                workers = IMPORT_WORKERS if total >= PARALLEL_MIN_BYTES else 0
            batches = _prepared_batches(items, batch_size, workers if workers > 1 else 0)
            for prepared in batches:
                importer.run_prepared(prepared)
                if on_progress is not None:
                    on_progress(report, counter.bytes_read, total)
        else:
            batch: list = []
            for result in items:
                batch.append(result)
                if len(batch) >= batch_size:
                    importer.run(batch)
                    batch = []
                    if on_progress is not None:
                        on_progress(report, counter.bytes_read, total)
            if batch:
                importer.run(batch)
        if on_progress is not None:
            on_progress(report, counter.bytes_read, total)
    finally:
        if tuning is not None:
            tuning.stop()
        # What was committed is searchable even when the file stops half-way.
        importer.flush_index()
        if path is not None:
            handle.close()
    return report


class _LargeImportSqlite:
    """On SQLite, for a large import: checkpoint the WAL every 64 MB of log instead of every
    4 MB, and once at the end (each checkpoint copies every page written since the last one,
    and an import rewrites the same index pages batch after batch); then refresh the query
    planner's statistics of the tables it filled. Without them SQLite takes an equality on
    any indexed column for a selective one: `deleted_at IS NULL` (true of nearly every record)
    made it walk the whole catalogue for queries that name a few records."""

    PAGES = 16384
    TABLES = (Record, RecordIsbn, Item)

    def __init__(self) -> None:
        self.active = connection.vendor == "sqlite" and not connection.in_atomic_block
        self.before: int | None = None

    def start(self) -> None:
        if not self.active:
            return
        with connection.cursor() as cursor:
            self.before = cursor.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
            cursor.execute(f"PRAGMA wal_autocheckpoint={self.PAGES}")

    def stop(self) -> None:
        if not self.active or self.before is None:
            return
        with connection.cursor() as cursor:
            for model in self.TABLES:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
            cursor.execute(f"PRAGMA wal_autocheckpoint={int(self.before)}")
            cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")


# ---------------------------------------------------------------------------------------------
# Import jobs (the upload page)


def marc_sniff(head: bytes) -> str:
    """'iso2709' or 'marcxml' from the first bytes of a file; MarcFormatError otherwise."""
    start = head.lstrip(b" \t\r\n\x00\x1a\xef\xbb\xbf")
    if start.startswith(b"<"):
        text = re.sub(rb"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>", b"", start, flags=re.S)
        found = re.search(rb"<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)[\s>/]", text)
        if found and found.group(2) in (b"collection", b"record"):
            return "marcxml"
    elif re.match(rb"\d{5}[\x20-\x7e]{19}", start):
        return "iso2709"
    raise MarcFormatError(
        _(
            "Tệp không phải MARC21 (ISO 2709 hoặc MARCXML): hãy xuất lại tệp từ phần mềm thư viện "
            "ở định dạng .mrc hoặc .xml rồi tải lên."
        )
    )


def import_start(
    *,
    uploaded_file: IO[bytes] | File,
    filename: str,
    match: Iterable[str] = tuple(DEFAULT_MATCH),
    action: str = ImportAction.SKIP,
    dry_run: bool = False,
    actor: Any,
) -> ImportJob:
    """Check an uploaded MARC file, store it and queue its import; refused files write nothing."""
    from catalog.tasks import catalog_import_task

    rules = _validate_options(match, action)
    limit_mb = getattr(settings, "LIBRARY_MAX_UPLOAD_MB", 200)
    size = _source_size(uploaded_file, None)
    if size > limit_mb * 1024 * 1024:
        raise ImportRefusedError(
            _(
                "Tệp quá lớn (%(size).1f MB): giới hạn là %(limit)d MB. Hãy chia nhỏ tệp rồi tải lên."
            )
            % {"size": size / 1024 / 1024, "limit": limit_mb}
        )
    if size == 0:
        raise ImportRefusedError(_("Tệp rỗng: hãy chọn tệp MARC có dữ liệu."))
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    head = uploaded_file.read(4096)
    marc_sniff(head)
    uploaded_file.seek(0)
    safe_name = Path(filename or "upload.mrc").name[:200] or "upload.mrc"
    with transaction.atomic():
        job = ImportJob(
            filename=safe_name,
            options={"match": rules, "action": action, "dry_run": dry_run},
            dry_run=dry_run,
            bytes_total=size,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        job.file.save(safe_name, File(uploaded_file, name=safe_name), save=False)
        job.save()
        audit(actor, "catalog.import_start", job, filename=safe_name, options=job.options)
        transaction.on_commit(lambda: catalog_import_task.enqueue(job.pk))
    return job


PROGRESS_EVERY = BATCH_SIZE


def import_job_run(*, job: ImportJob) -> ImportReport | None:
    """Run a queued import job (called by the worker), keeping its progress and report."""
    job.status = ImportJobStatus.RUNNING
    job.started_at = timezone.now()
    job.error = ""
    job.save(update_fields=["status", "started_at", "error"])
    options = job.options or {}

    def progress(report: ImportReport, done: int, total: int) -> None:
        job.bytes_done = done
        job.bytes_total = total or job.bytes_total
        job.records_done = report.total
        job.counts = {**report.counts, "items": report.items_added}
        job.save(update_fields=["bytes_done", "bytes_total", "records_done", "counts"])

    report = None
    try:
        with job.file.open("rb") as handle:
            report = marc_import(
                source=handle,
                match=options.get("match", DEFAULT_MATCH),
                action=options.get("action", ImportAction.SKIP),
                dry_run=job.dry_run,
                actor=job.created_by,
                on_progress=progress,
                job=job,
            )
    except CatalogError as exc:
        job.status = ImportJobStatus.FAILED
        job.error = str(exc)
    except Exception as exc:
        job.status = ImportJobStatus.FAILED
        job.error = _("Lỗi không mong đợi khi nhập tệp: %(error)s") % {"error": exc}
        raise
    else:
        job.status = ImportJobStatus.DONE
        job.counts = {**report.counts, "items": report.items_added}
        job.records_done = report.total
        job.bytes_done = job.bytes_total
        job.report_rows = [row.as_dict() for row in report.rows]
        job.report_file.save(f"import-{job.pk}.csv", ContentFile(report.to_csv()), save=False)
        audit(
            job.created_by,
            "catalog.import_done",
            job,
            counts=job.counts,
            dry_run=job.dry_run,
            summary=report.summary(),
        )
    finally:
        job.finished_at = timezone.now()
        job.save()
        if report is not None:
            report.close()
    return report


# ---------------------------------------------------------------------------------------------
# Export


def _iter_marc(records) -> Iterator[pymarc.Record]:
    for record in records.only("pk", "marc", "title").iterator(chunk_size=BATCH_SIZE):
        yield record_marc(record)


def marc_export(*, records, format: str, stream: BinaryIO, actor: Any = None) -> int:  # noqa: A002
    """Write records to a binary stream as ISO 2709 (UTF-8), MARCXML or CSV; returns the count."""
    from catalog.marc import writer
    from catalog.marc.mapping import record_to_data

    if format not in EXPORT_FORMATS:
        raise CatalogError(
            _("Định dạng xuất không hợp lệ: %(format)s (chọn iso2709, marcxml hoặc csv).")
            % {"format": format}
        )
    if format == "iso2709":
        count = writer.write_iso2709(_iter_marc(records), stream)
    elif format == "marcxml":
        count = writer.write_marcxml(_iter_marc(records), stream)
    else:
        count = writer.write_csv((record_to_data(m) for m in _iter_marc(records)), stream)
    if actor is not None:
        audit(actor, "catalog.export", None, format=format, count=count)
    return count
