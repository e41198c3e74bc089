from collections import defaultdict

from django.db.models import Count
from haystack import indexes

from .models import Item, ItemStatus, Record

# Copies that can never be lent or found on the shelf are not counted as holdings.
_GONE = (ItemStatus.LOST, ItemStatus.WITHDRAWN)


class RecordIndex(indexes.SearchIndex, indexes.Indexable):
    """One search document per catalogue record (deleted records leave the index)."""

    # An item's status, location or call number changes what search shows for its record; a
    # loan changes its "most borrowed" count (and circulation changes item status by UPDATE,
    # which sends no signal, so the loan is what tells search).
    reindex_on = {"catalog.item": "record_id", "circulation.loan": "item.record_id"}

    # The catch-all field holds what no other field does (title, authors, subjects and notes
    # have their own, ranked fields): indexing them twice doubled the build time.
    text = indexes.CharField(document=True)
    title = indexes.CharField(model_attr="title", boost=4.0)
    authors = indexes.CharField(boost=2.0)
    subjects = indexes.CharField(boost=1.5)
    notes = indexes.CharField(model_attr="notes", boost=1.2)
    isbn = indexes.MultiValueField()
    year = indexes.IntegerField(model_attr="year", null=True)
    title_sort = indexes.CharField(model_attr="title_sort", indexed=False)
    kind = indexes.CharField()
    record_type = indexes.CharField(model_attr="record_type")
    access_level = indexes.CharField()
    mon_hoc = indexes.MultiValueField()
    grade_levels = indexes.MultiValueField()
    textbook_series = indexes.CharField(model_attr="textbook_series")
    series = indexes.MultiValueField()
    languages = indexes.MultiValueField()
    source_node = indexes.CharField(model_attr="source_node")
    locations = indexes.MultiValueField()
    call_numbers = indexes.MultiValueField()
    availability = indexes.CharField()
    items_total = indexes.IntegerField()
    items_available = indexes.IntegerField()
    loans = indexes.IntegerField()

    def get_model(self):
        return Record

    def index_queryset(self, using=None):
        # Items and loan counts are read per batch by `prepare_many` (a few queries for the
        # batch instead of model objects per item). The MARC itself is not indexed (its
        # columns are): decoding it was two thirds of reading a batch.
        return Record.objects.discoverable().select_related("digital_resource").defer("marc")

    # The bulk path (library.core.search.backend uses it for every write) -----------------

    def prepare_many(self, records) -> list[dict]:
        """Prepared dicts of a batch of records, as `full_prepare` would give them."""
        records = list(records)
        pks = [r.pk for r in records]
        holdings = _holdings(pks)
        loans = _loan_counts(pks)
        out = []
        for obj in records:
            items = holdings.get(obj.pk, [])
            obj._search_items = items
            obj._loans = loans.get(obj.pk, 0)
            pk = str(obj.pk)
            out.append(
                {
                    "id": f"catalog.record.{pk}",
                    "django_ct": "catalog.record",
                    "django_id": pk,
                    "text": self.prepare_text(obj),
                    "title": obj.title,
                    "authors": obj.authors,
                    "subjects": obj.subjects,
                    "notes": obj.notes,
                    "isbn": obj.isbns,
                    "year": obj.year,
                    "title_sort": obj.title_sort,
                    "kind": "record",
                    "record_type": obj.record_type,
                    "access_level": self.prepare_access_level(obj),
                    "mon_hoc": obj.mon_hoc,
                    "grade_levels": [str(g) for g in obj.grade_levels],
                    "textbook_series": obj.textbook_series,
                    "series": obj.series,
                    "languages": obj.languages,
                    "source_node": obj.source_node,
                    "locations": sorted({i.location for i in items if i.location}),
                    "call_numbers": sorted({i.call_number for i in items if i.call_number}),
                    "availability": _availability(items),
                    "items_total": len(items),
                    "items_available": sum(1 for i in items if i.status == ItemStatus.AVAILABLE),
                    "loans": obj._loans,
                }
            )
        return out

    def prepare_text(self, obj):
        parts = [obj.statement_of_responsibility, obj.publisher, obj.edition, obj.textbook_series]
        parts += list(obj.series) + list(obj.mon_hoc)
        return "\n".join(p for p in parts if p)

    def prepare_authors(self, obj):
        return "\n".join(obj.authors)

    def prepare_subjects(self, obj):
        return "\n".join(obj.subjects)

    def prepare_isbn(self, obj):
        return list(obj.isbns)

    def prepare_kind(self, obj):
        return "record"

    def prepare_access_level(self, obj):
        # A record that carries a digital resource is as visible as the resource: its level
        # once approved, staff only before (reached by the reverse relation: no upward import).
        resource = getattr(obj, "digital_resource", None)
        if resource is None:
            return "public"
        return resource.access_level if resource.is_approved else "staff"

    def prepare_mon_hoc(self, obj):
        return list(obj.mon_hoc)

    def prepare_grade_levels(self, obj):
        return [str(g) for g in obj.grade_levels]

    def prepare_series(self, obj):
        return list(obj.series)

    def prepare_languages(self, obj):
        return list(obj.languages)

    def _items(self, obj):
        items = getattr(obj, "_search_items", None)
        if items is None:
            items = obj._search_items = _holdings([obj.pk]).get(obj.pk, [])
        return items

    def prepare_locations(self, obj):
        return sorted({i.location for i in self._items(obj) if i.location})

    def prepare_call_numbers(self, obj):
        return sorted({i.call_number for i in self._items(obj) if i.call_number})

    def prepare_items_total(self, obj):
        return len(self._items(obj))

    def prepare_items_available(self, obj):
        return sum(1 for i in self._items(obj) if i.status == ItemStatus.AVAILABLE)

    def prepare_availability(self, obj):
        return _availability(self._items(obj))

    def prepare_loans(self, obj):
        loans = getattr(obj, "_loans", None)
        if loans is None:
            loans = obj._loans = _loan_counts([obj.pk]).get(obj.pk, 0)
        return loans


class _Holding(tuple):
    """(status, location name, call number) of one copy on the shelves."""

    status = property(lambda self: self[0])
    location = property(lambda self: self[1])
    call_number = property(lambda self: self[2])


def _holdings(pks) -> dict[int, list[_Holding]]:
    """The copies of these records that count as holdings, in one query."""
    found: dict[int, list[_Holding]] = defaultdict(list)
    rows = (
        Item.objects.filter(record_id__in=pks)
        .exclude(status__in=_GONE)
        .values_list("record_id", "status", "location__name", "call_number")
    )
    for record_id, status, location, call_number in rows:
        found[record_id].append(_Holding((status, location or "", call_number or "")))
    return found


def _loan_counts(pks) -> dict[int, int]:
    """Loans ever made of each record's copies (circulation's Loan, when installed)."""
    if not any(f.name == "loans" for f in Item._meta.get_fields()):
        return {}
    rows = (
        Item.objects.filter(record_id__in=pks, loans__isnull=False)
        .values("record_id")
        .annotate(n=Count("loans"))
        .values_list("record_id", "n")
    )
    return dict(rows)


def _availability(items) -> str:
    if not items:
        return ""
    return "available" if any(i.status == ItemStatus.AVAILABLE for i in items) else "unavailable"
