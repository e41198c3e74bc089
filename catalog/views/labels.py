"""Label sheets for selected items: a choice page, then the PDF."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from catalog import labels as sheets
from catalog.forms import LabelForm, parse_ids
from catalog.models import Item

from .access import librarian_required


@librarian_required
@require_GET
def label_sheet(request):
    """`?items=1,2,3&kind=barcode|spine&layout=a4-3x8` gives the PDF; without `kind`, the
    page to choose the label kind and sheet layout for the selected items."""
    ids = parse_ids(request.GET.getlist("items"))
    query = request.GET.copy()
    query.setlist("items", [",".join(map(str, ids))])
    if "kind" in request.GET:
        query.setdefault("layout", sheets.DEFAULT_LAYOUT.get(request.GET["kind"], "a4-3x8"))
        form = LabelForm(query)
    else:
        form = LabelForm(initial={"items": ",".join(map(str, ids)), "layout": "a4-3x8"})
    items = Item.objects.filter(pk__in=ids).select_related("record")
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        by_pk = {item.pk: item for item in items}
        ordered = [by_pk[pk] for pk in data["items"] if pk in by_pk]
        pdf = sheets.render_labels(
            ordered,
            kind=data["kind"],
            layout=data["layout"],
            library_name=getattr(settings, "LIBRARY_NODE_NAME", ""),
            start_at=data.get("start_at") or 1,
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="nhan-{data["kind"]}.pdf"'
        return response
    return render(
        request,
        "catalog/staff/labels.html",
        {"form": form, "items": items, "layouts": sheets.LAYOUTS.values()},
        status=400 if form.is_bound else 200,
    )
