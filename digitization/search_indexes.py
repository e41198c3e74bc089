"""Search documents of digitised resources: one per resource (metadata) and one per page.

Only approved resources of live records are indexed; each document carries the resource's
access level so that search filters restricted text inside the query.
"""

from haystack import indexes

from .models import DigitalResource, FileRole, Page


class _ResourceFields(indexes.SearchIndex):
    # Facet fields are declared whole-valued by the search backend (FACET_FIELDS); haystack's
    # `faceted=True` would only add unused `<name>_exact` copies to every document.
    title = indexes.CharField(boost=4.0)
    authors = indexes.CharField(boost=2.0)
    subjects = indexes.CharField(boost=1.5)
    kind = indexes.CharField()
    access_level = indexes.CharField()
    resource_id = indexes.IntegerField()
    mon_hoc = indexes.MultiValueField()
    grade_levels = indexes.MultiValueField()
    textbook_series = indexes.CharField(null=True)
    resource_type = indexes.CharField()
    year = indexes.IntegerField(null=True)
    cover = indexes.CharField(indexed=False, null=True)
    url = indexes.CharField(indexed=False)

    def _resource(self, obj) -> DigitalResource:
        """The resource whose metadata the document carries (the page index overrides)."""
        return obj

    def prepare_title(self, obj):
        return self._resource(obj).record.title

    def prepare_authors(self, obj):
        resource = self._resource(obj)
        return "\n".join(resource.authors or resource.record.authors)

    def prepare_subjects(self, obj):
        return "\n".join(self._resource(obj).record.subjects)

    def prepare_access_level(self, obj):
        return self._resource(obj).access_level

    def prepare_resource_id(self, obj):
        return self._resource(obj).pk

    def prepare_mon_hoc(self, obj):
        return self._resource(obj).mon_hoc_labels

    def prepare_grade_levels(self, obj):
        return [str(grade) for grade in self._resource(obj).grade_levels]

    def prepare_textbook_series(self, obj):
        resource = self._resource(obj)
        return resource.get_textbook_series_display() if resource.textbook_series else None

    def prepare_resource_type(self, obj):
        # The code: search shows its label through digitization.models.ResourceType.
        return self._resource(obj).resource_type

    def prepare_cover(self, obj):
        resource = self._resource(obj)
        has_cover = any(f.role == FileRole.THUMBNAIL for f in resource.files.all())
        return f"/resources/{resource.pk}/cover.jpg" if has_cover else None

    def prepare_year(self, obj):
        return self._resource(obj).record.year


class ResourceIndex(_ResourceFields, indexes.Indexable):
    """One document per approved resource: its metadata and description."""

    # Prepared in Python, not from a template: rendering a template per document was most of
    # the preparation time (and autoescaped "&" into "&amp;").
    text = indexes.CharField(document=True)

    def get_model(self):
        return DigitalResource

    def index_queryset(self, using=None):
        return (
            DigitalResource.objects.live()
            .approved()
            .select_related("record")
            .defer("record__marc")
            .prefetch_related("files")
        )

    def prepare_kind(self, obj):
        return "resource"

    def prepare_text(self, obj):
        record = obj.record
        parts = [record.title, *obj.authors, *record.subjects]
        parts += [obj.get_resource_type_display(), obj.get_textbook_series_display()]
        parts += [*obj.mon_hoc_labels, record.publisher, obj.description]
        return "\n".join(str(p) for p in parts if p)

    def prepare_url(self, obj):
        return obj.get_absolute_url()


class PageIndex(_ResourceFields, indexes.Indexable):
    """One document per page, so a hit names the page; carries the resource's metadata."""

    text = indexes.CharField(document=True)
    page_number = indexes.IntegerField(model_attr="number")
    is_ocr = indexes.BooleanField(model_attr="is_ocr")

    def get_model(self):
        return Page

    def index_queryset(self, using=None):
        return (
            Page.objects.filter(resource__in=DigitalResource.objects.live().approved())
            .select_related("resource__record")
            .defer("resource__record__marc")
            .prefetch_related("resource__files")
        )

    def _resource(self, obj):
        return obj.resource

    def prepare_kind(self, obj):
        return "page"

    def prepare_text(self, obj):
        return obj.text

    def prepare_url(self, obj):
        return obj.get_absolute_url()
