"""Pages and file endpoints of digitised resources: check who asks, call a service, respond.

Files are never under a public URL: every original, cover and page image goes through a view
that checks access on each request and answers 404 to those who may not see the resource.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import selectors, services
from .exceptions import DigitizationError
from .forms import RejectForm, ResourceEditForm, ResourceUploadForm
from .models import ProcessingStatus
from .processing.sniff import kind_info

_RANGE = re.compile(r"bytes=(\d*)-(\d*)$")


def _private(response: HttpResponse) -> HttpResponse:
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _file_response(
    request, path: Path, content_type: str, *, filename: str, attachment: bool
) -> HttpResponse:
    """A file with its real type, a safe Content-Disposition and single-range support (seeking)."""
    size = path.stat().st_size
    match = _RANGE.match(request.headers.get("Range", ""))
    if match and not attachment and (match.group(1) or match.group(2)):
        first, last = match.groups()
        if first:
            start, end = int(first), int(last) if last else size - 1
        else:
            start, end = max(0, size - int(last)), size - 1
        if start >= size or start > end:
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return _private(response)
        end = min(end, size - 1)
        with open(path, "rb") as fh:
            fh.seek(start)
            body = fh.read(end - start + 1)
        response = HttpResponse(body, status=206, content_type=content_type)
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Accept-Ranges"] = "bytes"
        response["Content-Disposition"] = "inline"
        return _private(response)
    response = FileResponse(
        open(path, "rb"),  # noqa: SIM115 - FileResponse closes it
        content_type=content_type,
        as_attachment=attachment,
        filename=filename,
    )
    response["Accept-Ranges"] = "bytes"
    return _private(response)


# --- public pages --------------------------------------------------------------------------


@require_GET
def resource_detail(request, pk: int):
    resource = selectors.resource_for(request.user, pk)
    original = selectors.resource_original(resource)
    services.resource_count_view(resource=resource)
    category = kind_info(original.kind).category if original else ""
    return render(
        request,
        "digitization/resource_detail.html",
        {
            "resource": resource,
            "record": resource.record,
            "original": original,
            "category": category,
            "has_cover": selectors.resource_thumbnail(resource) is not None,
            "can_download": selectors.can_download(request.user, resource) and original,
            "ready": resource.processing_status == ProcessingStatus.READY,
        },
    )


@require_GET
def reader(request, pk: int):
    resource = selectors.resource_for(request.user, pk)
    if not resource.page_count:
        raise Http404
    try:
        number = int(request.GET.get("page") or 1)
    except ValueError:
        number = 1
    number = min(max(number, 1), resource.page_count)
    q = request.GET.get("q", "").strip()[:200]
    terms = selectors.query_terms(q)
    page = selectors.resource_page(resource, number)
    hits = selectors.resource_page_hits(resource, q) if q else []
    return render(
        request,
        "digitization/reader.html",
        {
            "resource": resource,
            "number": number,
            "page": page,
            "page_html": selectors.highlight(page.text, terms) if page else "",
            "q": q,
            "hits": hits,
            "previous": number - 1 if number > 1 else None,
            "next": number + 1 if number < resource.page_count else None,
            "widths": services.PAGE_IMAGE_WIDTHS,
        },
    )


@require_GET
def page_image(request, pk: int, number: int):
    resource = selectors.resource_for(request.user, pk)
    if not resource.page_count or not 1 <= number <= resource.page_count:
        raise Http404
    try:
        width = int(request.GET.get("w") or services.PAGE_IMAGE_WIDTHS[1])
    except ValueError:
        width = services.PAGE_IMAGE_WIDTHS[1]
    try:
        path = services.page_image_ensure(resource=resource, number=number, width=width)
    except DigitizationError:
        raise Http404 from None
    return _file_response(
        request, path, "image/jpeg", filename=f"trang-{number}.jpg", attachment=False
    )


@require_GET
def cover(request, pk: int):
    resource = selectors.resource_for(request.user, pk)
    thumbnail = selectors.resource_thumbnail(resource)
    if thumbnail is None:
        raise Http404
    path = services.storage_path(thumbnail.file.name)
    if not path.exists():
        raise Http404
    return _file_response(request, path, "image/jpeg", filename="bia.jpg", attachment=False)


@require_GET
def download(request, pk: int):
    resource = selectors.resource_for(request.user, pk)
    original = selectors.resource_original(resource)
    if original is None:
        raise Http404
    if not selectors.can_download(request.user, resource):
        return render(
            request,
            "digitization/download_refused.html",
            {"resource": resource},
            status=403,
        )
    path = services.storage_path(original.file.name)
    services.resource_count_download(resource=resource)
    return _file_response(
        request,
        path,
        original.media_type,
        filename=original.original_name or path.name,
        attachment=True,
    )


@require_GET
def media(request, pk: int):
    """Audio and video for the in-page player (streamed inline, with seeking)."""
    resource = selectors.resource_for(request.user, pk)
    original = selectors.resource_original(resource)
    if original is None or kind_info(original.kind).category not in ("audio", "video", "image"):
        raise Http404
    path = services.storage_path(original.file.name)
    return _file_response(
        request, path, original.media_type, filename=original.original_name, attachment=False
    )


# --- librarians ----------------------------------------------------------------------------


def _staff_only(request):
    if not getattr(request.user, "is_librarian", False):
        raise Http404


@login_required
@require_http_methods(["GET", "POST"])
def resource_new(request):
    _staff_only(request)
    form = ResourceUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.resource_upload(
                file=form.cleaned_data["file"],
                actor=request.user,
                metadata=form.metadata(),
                approved=form.cleaned_data["approved"],
            )
        except DigitizationError as exc:
            form.add_error("file", str(exc))
        else:
            for name, existing in report.duplicates:
                messages.warning(
                    request,
                    _("Tệp “%(name)s” đã có trong thư viện: “%(title)s” (học liệu số %(id)s).")
                    % {"name": name, "title": existing.title, "id": existing.pk},
                )
            for error in report.errors:
                messages.error(request, error)
            if len(report.created) == 1 and not report.errors:
                messages.success(request, _("Đã tải lên. Hệ thống đang xử lý tệp."))
                return redirect("digitization:status", pk=report.created[0].pk)
            if report.created:
                messages.success(
                    request, _("Đã tạo %(n)d học liệu số.") % {"n": len(report.created)}
                )
                return redirect("digitization:list")
            if len(report.duplicates) == 1 and not report.errors:
                return redirect("digitization:status", pk=report.duplicates[0][1].pk)
            if report.errors:
                form.add_error("file", _("Không tạo được học liệu nào; xem các lỗi ở trên."))
    return render(request, "digitization/upload.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def resource_edit(request, pk: int):
    resource = selectors.resource_for_staff(request.user, pk)
    form = ResourceEditForm(request.POST or None, initial=ResourceEditForm.initial_for(resource))
    if request.method == "POST" and form.is_valid():
        try:
            services.resource_update(
                resource=resource, actor=request.user, metadata=form.metadata()
            )
        except DigitizationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Đã lưu thông tin mô tả và biểu ghi thư mục."))
            return redirect("digitization:status", pk=pk)
    return render(request, "digitization/edit.html", {"form": form, "resource": resource})


@login_required
@require_GET
def resource_list(request):
    _staff_only(request)
    status = request.GET.get("status") or None
    if status not in ProcessingStatus.values:
        status = None
    paginator = Paginator(selectors.resources_for_staff(status=status), 50)
    return render(
        request,
        "digitization/resource_list.html",
        {
            "page_obj": paginator.get_page(request.GET.get("page")),
            "status": status,
            "statuses": ProcessingStatus.choices,
        },
    )


@login_required
@require_GET
def status(request, pk: int):
    resource = selectors.resource_for_staff(request.user, pk)
    return render(
        request,
        "digitization/status.html",
        {
            "resource": resource,
            "state": selectors.resource_status(resource),
            "reject_form": RejectForm(),
            "files": resource.files.all(),
            "pages_with_errors": resource.pages.exclude(error="").order_by("number")[:50],
        },
    )


@login_required
@require_GET
def status_json(request, pk: int):
    resource = selectors.resource_for_staff(request.user, pk)
    response = JsonResponse(selectors.resource_status(resource))
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def reprocess(request, pk: int):
    resource = selectors.resource_for_staff(request.user, pk)
    services.resource_reprocess(
        resource=resource, actor=request.user, force=request.POST.get("force") == "1"
    )
    messages.success(request, _("Đã xếp lịch xử lý lại. Bản gốc được giữ nguyên."))
    return redirect("digitization:status", pk=pk)


@login_required
@require_POST
def appraisal(request, pk: int):
    resource = selectors.resource_for_staff(request.user, pk)
    action = request.POST.get("action")
    try:
        if action == "submit":
            services.resource_submit(resource=resource, actor=request.user)
            messages.success(request, _("Đã gửi thẩm định."))
        elif action == "approve":
            services.resource_approve(resource=resource, actor=request.user)
            messages.success(request, _("Đã duyệt: bạn đọc có thể dùng học liệu này."))
        elif action == "reject":
            form = RejectForm(request.POST)
            reason = form.data.get("reason", "")
            services.resource_reject(resource=resource, actor=request.user, reason=reason)
            messages.success(request, _("Đã ghi kết quả không đạt thẩm định."))
        else:
            messages.error(request, _("Thao tác không hợp lệ."))
    except DigitizationError as exc:
        messages.error(request, str(exc))
    return redirect(reverse("digitization:status", kwargs={"pk": pk}))
