from django.db.models import Count, Prefetch
from haystack import indexes

from .models import Item, ItemStatus, Record

# Copies that can never be lent or found on the shelf are not counted as holdings.
_GONE = (ItemStatus.LOST, ItemStatus.WITHDRAWN)


class RecordIndex(indexes.SearchIndex, indexes.Indexable):
    """One search document per catalogue record (deleted records leave the index)."""

    # An item's status, location or call number changes what search shows for its record.
    reindex_on = {"catalog.item": "record_id"}

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
        items = Item.objects.exclude(status__in=_GONE).select_related("location")
        qs = Record.objects.discoverable().prefetch_related(Prefetch("items", queryset=items))
        if any(f.name == "loans" for f in Item._meta.get_fields()):
            qs = qs.annotate(_loans=Count("items__loans"))
        return qs

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
        return "public"

    def prepare_mon_hoc(self, obj):
        return list(obj.mon_hoc)

    def prepare_grade_levels(self, obj):
        return [str(g) for g in obj.grade_levels]

    def prepare_series(self, obj):
        return list(obj.series)

    def prepare_languages(self, obj):
        return list(obj.languages)

    def _items(self, obj):
        return [i for i in obj.items.all() if i.status not in _GONE]

    def prepare_locations(self, obj):
        return sorted({i.location.name for i in self._items(obj) if i.location_id})

    def prepare_call_numbers(self, obj):
        return sorted({i.call_number for i in self._items(obj) if i.call_number})

    def prepare_items_total(self, obj):
        return len(self._items(obj))

    def prepare_items_available(self, obj):
        return sum(1 for i in self._items(obj) if i.status == ItemStatus.AVAILABLE)

    def prepare_availability(self, obj):
        items = self._items(obj)
        if not items:
            return ""
        return (
            "available" if any(i.status == ItemStatus.AVAILABLE for i in items) else "unavailable"
        )

    def prepare_loans(self, obj):
        return getattr(obj, "_loans", 0) or 0
