"""Django admin for the catalogue: a fallback for librarians; MARC is shown, edited elsewhere."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from catalog.models import ImportJob, Item, ItemType, Location, Record


class ItemInline(admin.TabularInline):
    model = Item
    extra = 0
    fields = ("barcode", "call_number", "location", "item_type", "status", "accession_number")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Record)
class RecordAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "main_author",
        "year",
        "classification",
        "control_number",
        "deleted_at",
    )
    list_filter = ("record_type", "classification_scheme", "source", "deleted_at")
    search_fields = ("title", "main_author", "control_number", "isbn_rows__isbn")
    readonly_fields = [f.name for f in Record._meta.concrete_fields if f.name not in ("id",)] + [
        "marc_display"
    ]
    exclude = ("marc",)
    inlines = [ItemInline]
    date_hierarchy = "created_at"

    @admin.display(description=_("MARC21"))
    def marc_display(self, obj):
        rows = []
        for entry in (obj.marc or {}).get("fields", []):
            for tag, value in entry.items():
                if isinstance(value, str):
                    rows.append((tag, "", value))
                else:
                    indicators = (value.get("ind1") or " ") + (value.get("ind2") or " ")
                    text = " ".join(
                        f"${code} {text}"
                        for pair in value.get("subfields", [])
                        for code, text in pair.items()
                    )
                    rows.append((tag, indicators.replace(" ", "#"), text))
        leader = format_html(
            "<tr><th>LDR</th><td></td><td>{}</td></tr>", (obj.marc or {}).get("leader", "")
        )
        body = format_html_join("", "<tr><th>{}</th><td>{}</td><td>{}</td></tr>", rows)
        return format_html('<table class="marc">{}{}</table>', leader, body)

    def has_add_permission(self, request):
        # Records are created from MARC (cataloguing form, editor, import), never column by column.
        return False

    def has_delete_permission(self, request, obj=None):
        # Deleting leaves a tombstone through catalog.services.record_delete, not a row delete.
        return False


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = ("barcode", "record", "call_number", "location", "item_type", "status")
    list_filter = ("status", "location", "item_type")
    search_fields = ("barcode", "accession_number", "call_number", "record__title")
    raw_id_fields = ("record",)
    list_select_related = ("record", "location", "item_type")


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(ItemType)
class ItemTypeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "reference_only")
    search_fields = ("code", "name")


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ("filename", "status", "records_done", "dry_run", "created_by", "created_at")
    list_filter = ("status", "dry_run")
    readonly_fields = [f.name for f in ImportJob._meta.concrete_fields if f.name != "id"]

    def has_add_permission(self, request):
        return False
