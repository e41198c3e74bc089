from django.contrib import admin

from .models import DigitalFile, DigitalResource, Page


class DigitalFileInline(admin.TabularInline):
    model = DigitalFile
    extra = 0
    can_delete = False
    fields = ["role", "original_name", "kind", "size", "sha256", "state", "error"]
    readonly_fields = fields


@admin.register(DigitalResource)
class DigitalResourceAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "resource_type",
        "appraisal_status",
        "access_level",
        "processing_status",
        "page_count",
        "view_count",
        "download_count",
    ]
    list_filter = ["resource_type", "appraisal_status", "access_level", "processing_status"]
    search_fields = ["record__title", "authors"]
    raw_id_fields = ["record"]
    readonly_fields = [
        "processing_status",
        "processing_step",
        "progress_done",
        "progress_total",
        "processing_error",
        "processing_warning",
        "view_count",
        "download_count",
        "appraised_by",
        "appraised_at",
        "created_by",
    ]
    inlines = [DigitalFileInline]


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    list_display = ["resource", "number", "is_ocr", "needs_ocr", "error"]
    list_filter = ["is_ocr", "needs_ocr"]
    raw_id_fields = ["resource"]
    search_fields = ["text"]
