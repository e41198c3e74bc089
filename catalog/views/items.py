"""Librarians' item pages: add copies, edit, delete, and the item list for label printing."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from catalog.exceptions import CatalogError, DuplicateBarcodeError
from catalog.forms import AddItemsForm, ItemForm
from catalog.labels import LAYOUTS
from catalog.models import Item, ItemStatus, Record

from .access import librarian_required

PAGE_SIZE = 50


def _services():
    from catalog import services

    return services


@librarian_required
@require_http_methods(["GET", "POST"])
def item_add(request, record_pk: int):
    """One copy with every detail, or several identical copies with generated barcodes."""
    record = get_object_or_404(Record.objects.discoverable(), pk=record_pk)
    services = _services()
    form = ItemForm(creating=True, prefix="one")
    batch = AddItemsForm(prefix="many")
    if request.method == "POST" and "many-count" in request.POST:
        batch = AddItemsForm(request.POST, prefix="many")
        if batch.is_valid():
            data = batch.cleaned_data
            try:
                created = [
                    services.item_create(
                        record=record,
                        actor=request.user,
                        location=data["location"],
                        item_type=data["item_type"],
                        price=data["price"],
                        acquired_on=timezone.localdate(),
                    )
                    for _n in range(data["count"])
                ]
            except CatalogError as error:
                batch.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _("Đã thêm %(n)s bản sách: %(codes)s.")
                    % {"n": len(created), "codes": ", ".join(i.barcode for i in created[:20])},
                )
                return redirect("catalog:record_detail", pk=record.pk)
    elif request.method == "POST":
        form = ItemForm(request.POST, creating=True, prefix="one")
        if form.is_valid():
            try:
                item = services.item_create(
                    record=record, actor=request.user, **form.service_kwargs()
                )
            except CatalogError as error:
                form.add_error(
                    "barcode" if isinstance(error, DuplicateBarcodeError) else None, str(error)
                )
            else:
                messages.success(
                    request, _("Đã thêm bản sách %(barcode)s.") % {"barcode": item.barcode}
                )
                return redirect("catalog:record_detail", pk=record.pk)
    return render(
        request,
        "catalog/staff/item_form.html",
        {"record": record, "form": form, "batch": batch, "item": None},
    )


@librarian_required
@require_http_methods(["GET", "POST"])
def item_edit(request, pk: int):
    item = get_object_or_404(Item.objects.select_related("record"), pk=pk)
    if request.method == "POST":
        form = ItemForm(request.POST, instance=Item.objects.get(pk=item.pk))
        if form.is_valid():
            changes = {
                name: form.cleaned_data[name]
                for name in form.changed_data
                if name in form.cleaned_data
            }
            try:
                if changes:
                    _services().item_update(item=item, actor=request.user, **changes)
            except CatalogError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _("Đã lưu bản sách %(barcode)s.") % {"barcode": form.cleaned_data["barcode"]},
                )
                return redirect("catalog:record_detail", pk=item.record_id)
    else:
        form = ItemForm(instance=item)
    return render(
        request,
        "catalog/staff/item_form.html",
        {"record": item.record, "form": form, "batch": None, "item": item},
    )


@librarian_required
@require_http_methods(["GET", "POST"])
def item_delete(request, pk: int):
    item = get_object_or_404(Item.objects.select_related("record"), pk=pk)
    if request.method == "POST":
        try:
            _services().item_delete(item=item, actor=request.user)
        except CatalogError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Đã xóa bản sách %(barcode)s.") % {"barcode": item.barcode})
        return redirect("catalog:record_detail", pk=item.record_id)
    return render(request, "catalog/staff/item_confirm_delete.html", {"item": item})


@librarian_required
def item_list(request):
    """Copies, filtered by barcode, call number, title or date added; tick some to print."""
    q = " ".join(request.GET.get("q", "").split())
    since = request.GET.get("since", "")
    items = Item.objects.select_related("record", "location").exclude(status=ItemStatus.WITHDRAWN)
    if q:
        items = items.filter(
            Q(barcode__iexact=q)
            | Q(barcode__istartswith=q)
            | Q(call_number__istartswith=q)
            | Q(record__title__icontains=q)
            | Q(accession_number=q)
        )
    if since == "today":
        items = items.filter(created_at__date=timezone.localdate())
    record_pk = request.GET.get("record", "")
    if record_pk.isdigit():
        items = items.filter(record_id=int(record_pk))
    page = Paginator(items.order_by("-created_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "catalog/staff/item_list.html",
        {
            "page": page,
            "q": q,
            "since": since,
            "query": query.urlencode(),
            "layouts": LAYOUTS.values(),
        },
    )
