from django.urls import path

from catalog.views import items, labels, marc_editor, public, records, transfer

app_name = "catalog"

urlpatterns = [
    path("records/<int:pk>/", public.record_public, name="record_public"),
    path("catalog/", records.record_list, name="record_list"),
    path("catalog/records/", records.record_list, name="record_list_all"),
    path("catalog/records/new/", records.record_new, name="record_new"),
    path("catalog/records/new/marc/", marc_editor.record_marc, name="record_new_marc"),
    path("catalog/records/<int:pk>/", records.record_detail, name="record_detail"),
    path("catalog/records/<int:pk>/edit/", records.record_edit, name="record_edit"),
    path("catalog/records/<int:pk>/marc/", marc_editor.record_marc, name="record_marc"),
    path("catalog/records/<int:pk>/delete/", records.record_delete, name="record_delete"),
    path("catalog/records/<int:pk>/restore/", records.record_restore, name="record_restore"),
    path("catalog/records/<int:record_pk>/items/new/", items.item_add, name="item_add"),
    path("catalog/items/", items.item_list, name="item_list"),
    path("catalog/items/<int:pk>/edit/", items.item_edit, name="item_edit"),
    path("catalog/items/<int:pk>/delete/", items.item_delete, name="item_delete"),
    path("catalog/labels/", labels.label_sheet, name="labels"),
    path("catalog/import/", transfer.import_upload, name="import"),
    path("catalog/import/<int:pk>/", transfer.import_job, name="import_job"),
    path("catalog/import/<int:pk>/status.json", transfer.import_job_status, name="import_status"),
    path("catalog/import/<int:pk>/report.csv", transfer.import_job_report, name="import_report"),
    path("catalog/export/", transfer.export, name="export"),
]
