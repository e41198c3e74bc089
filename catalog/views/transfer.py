"""MARC import (upload, progress, report) and export pages for librarians."""

from __future__ import annotations

import csv
import io
import tempfile
import unicodedata

from django.http import FileResponse, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from catalog.exceptions import CatalogError
from catalog.forms import ExportForm, ImportForm, parse_ids
from catalog.models import Record
from catalog.models.import_jobs import ImportJob

from .access import librarian_required

REPORT_COLUMNS = ("index", "offset", "control_number", "title", "outcome", "reason")
OUTCOMES = ("added", "overlaid", "skipped", "rejected")


@librarian_required
@require_http_methods(["GET", "POST"])
def import_upload(request):
    from catalog import services

    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            upload = data["file"]
            try:
                job = services.import_start(
                    uploaded_file=upload,
                    filename=upload.name,
                    match=data["match"],
                    action=data["action"],
                    dry_run=data["dry_run"],
                    actor=request.user,
                )
            except CatalogError as error:
                form.add_error("file", str(error))
            else:
                return redirect("catalog:import_job", pk=job.pk)
        status = 400
    else:
        form = ImportForm()
        status = 200
    recent = ImportJob.objects.order_by("-created_at")[:10]
    return render(
        request, "catalog/staff/import.html", {"form": form, "recent": recent}, status=status
    )


def job_state(job: ImportJob) -> dict:
    counts = {name: int((job.counts or {}).get(name, 0)) for name in OUTCOMES}
    return {
        "id": job.pk,
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "finished": job.is_finished,
        "percent": job.percent,
        "bytes_total": job.bytes_total,
        "bytes_done": job.bytes_done,
        "records_done": job.records_done,
        "counts": counts,
        "dry_run": job.dry_run,
        "error": job.error,
    }


@librarian_required
@require_GET
def import_job(request, pk: int):
    job = get_object_or_404(ImportJob, pk=pk)
    rows = [_report_row(row) for row in job.report_rows or []]
    shown_rows = [row for row in rows if row["outcome"] != "added"] if len(rows) > 500 else rows
    return render(
        request,
        "catalog/staff/import_job.html",
        {"job": job, "state": job_state(job), "rows": shown_rows[:1000], "row_total": len(rows)},
    )


@never_cache
@librarian_required
@require_GET
def import_job_status(request, pk: int):
    return JsonResponse(job_state(get_object_or_404(ImportJob, pk=pk)))


OUTCOME_LABELS = {
    "added": _lazy("Thêm mới"),
    "overlaid": _lazy("Ghi đè"),
    "skipped": _lazy("Bỏ qua (trùng)"),
    "rejected": _lazy("Từ chối"),
}


def _report_row(row) -> dict:
    if isinstance(row, dict):
        values = {name: row.get(name, "") for name in REPORT_COLUMNS}
        values["offset"] = row.get("offset") if row.get("offset") is not None else row.get("line")
        values["record_id"] = row.get("record_id")
    else:
        values = dict(zip(REPORT_COLUMNS, list(row) + [""] * 6, strict=False))
        values["record_id"] = None
    values["outcome_label"] = OUTCOME_LABELS.get(values["outcome"], values["outcome"])
    values["title_display"] = readable_title(str(values["title"] or ""))
    return values


def readable_title(title: str) -> str:
    """The title as the page shows it: bytes read in the wrong character set (a pile of
    combining marks and U+FFFD) are named as unreadable instead of filling the table."""
    title = title.strip()
    if not title:
        return ""
    marks = sum(1 for char in title if unicodedata.combining(char) or char == "\ufffd")
    if marks * 5 > len(title):
        return str(UNREADABLE_TITLE)
    return title


# gettext_lazy by its own name: makemessages does not know the _lazy alias.
UNREADABLE_TITLE = gettext_lazy("(nhan đề không đọc được)")


@librarian_required
@require_GET
def import_job_report(request, pk: int):
    """The full report as CSV (UTF-8 with BOM, so that Excel shows Vietnamese)."""
    job = get_object_or_404(ImportJob, pk=pk)
    name = f"bao-cao-nhap-marc-{job.pk}.csv"
    if job.report_file:
        return FileResponse(job.report_file.open("rb"), as_attachment=True, filename=name)
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(
        [_("Thứ tự"), _("Vị trí (byte)"), _("Số kiểm soát"), _("Nhan đề"), _("Kết quả"), _("Lý do")]
    )
    for row in job.report_rows or []:
        values = _report_row(row)
        writer.writerow([values[name] for name in REPORT_COLUMNS])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


EXTENSIONS = {
    "iso2709": ("mrc", "application/marc"),
    "marcxml": ("xml", "application/marcxml+xml"),
    "csv": ("csv", "text/csv; charset=utf-8"),
}


@librarian_required
@require_http_methods(["GET", "POST"])
def export(request):
    from catalog import services

    selected = parse_ids(request.GET.getlist("ids") or request.POST.get("ids", ""))
    if request.method == "POST":
        form = ExportForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            records = Record.objects.discoverable().order_by("pk")
            if data["scope"] == "selected":
                records = records.filter(pk__in=data["ids"])
            extension, content_type = EXTENSIONS[data["format"]]
            # Spooled to disk: a whole catalogue never sits in memory.
            spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - FileResponse closes it
            try:
                services.marc_export(
                    records=records, format=data["format"], stream=spool, actor=request.user
                )
            except CatalogError as error:
                spool.close()
                form.add_error(None, str(error))
            else:
                spool.seek(0)
                stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
                return FileResponse(
                    spool,
                    as_attachment=True,
                    filename=f"thu-muc-{stamp}.{extension}",
                    content_type=content_type,
                )
    else:
        form = ExportForm(
            initial={
                "scope": "selected" if selected else "all",
                "ids": ",".join(map(str, selected)),
            }
        )
    return render(
        request,
        "catalog/staff/export.html",
        {
            "form": form,
            "selected_count": len(selected),
            "total": Record.objects.discoverable().count(),
        },
    )
