"""Librarians' record pages: list, MARC view, the simple cataloguing form, delete."""

from __future__ import annotations

import contextlib

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from catalog.exceptions import CatalogError
from catalog.forms import OTHER, TEMPLATE_CHOICES, TEXTBOOK_SERIES, SimpleRecordForm
from catalog.marc import isbn as isbn_rules
from catalog.models import Location, Record

from .access import librarian_required

PAGE_SIZE = 25


def _services():
    from catalog import services

    return services


# Record list ------------------------------------------------------------------------------


def record_filter(queryset, q: str):
    """Search-as-filter: title, author, ISBN (any form), 001 or an item's barcode."""
    from library.core.vietnamese import nfc

    q = " ".join(nfc(q or "").split())
    if not q:
        return queryset
    condition = (
        Q(title__icontains=q)
        | Q(main_author__icontains=q)
        | Q(statement_of_responsibility__icontains=q)
        | Q(control_number=q)
        | Q(items__barcode__iexact=q)
    )
    isbn13 = isbn_rules.to_isbn13(q)
    if isbn13:
        condition |= Q(isbn_rows__isbn=isbn13)
    return queryset.filter(condition).distinct()


@librarian_required
def record_list(request):
    q = request.GET.get("q", "")
    show = request.GET.get("show", "")
    records = Record.objects.deleted() if show == "deleted" else Record.objects.discoverable()
    records = record_filter(records, q).annotate(item_count=Count("items", distinct=True))
    page = Paginator(records.order_by("title_sort", "id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "catalog/staff/record_list.html",
        {
            "page": page,
            "q": q,
            "show": show,
            "query": query.urlencode(),
            "templates": TEMPLATE_CHOICES,
        },
    )


# Record detail (MARC view) -------------------------------------------------------------------


def marc_rows(marc: dict) -> list[dict]:
    """The stored MARC-in-JSON as display rows: tag, indicators and subfields."""
    rows = []
    for entry in marc.get("fields", []):
        for tag, value in entry.items():
            if isinstance(value, str):
                rows.append({"tag": tag, "data": value})
            else:
                rows.append(
                    {
                        "tag": tag,
                        "ind1": (value.get("ind1") or " ").replace(" ", "#"),
                        "ind2": (value.get("ind2") or " ").replace(" ", "#"),
                        "subfields": [
                            (code, text)
                            for pair in value.get("subfields", [])
                            for code, text in pair.items()
                        ],
                    }
                )
    return rows


@librarian_required
def record_detail(request, pk: int):
    record = get_object_or_404(Record, pk=pk)
    items = record.items.select_related("location", "item_type").order_by("barcode")
    return render(
        request,
        "catalog/staff/record_detail.html",
        {
            "record": record,
            "leader": (record.marc or {}).get("leader", ""),
            "rows": marc_rows(record.marc or {}),
            "items": items,
            "simple_template": simple_template_of(record),
        },
    )


# The simple form ---------------------------------------------------------------------------


def _build_module():
    from catalog.marc import build

    return build


def simple_input_values(data: dict) -> dict:
    """The form's cleaned data as `catalog.marc.build.SimpleRecordInput` arguments.

    Subjects typed in the form are keywords (653), as Vietnamese school libraries use them."""
    return {
        "title": data.get("title", ""),
        "subtitle": data.get("subtitle", ""),
        "authors": list(data.get("authors") or []),
        "publisher": data.get("publisher", ""),
        "place": data.get("place", ""),
        "year": data.get("year"),
        "isbn": "; ".join(data.get("isbn") or []),
        "edition": data.get("edition", ""),
        "pages": data.get("pages"),
        "classification_scheme": data.get("classification_scheme") or "",
        "classification": data.get("classification", ""),
        "keywords": list(data.get("subjects") or []),
        "grade_levels": list(data.get("grade_levels") or []),
        "mon_hoc": list(data.get("mon_hoc") or []),
        "textbook_series": data.get("textbook_series") or "",
        "language": data.get("language") or "vie",
        "notes": data.get("notes", ""),
    }


def build_marc(data: dict, template: str):
    """A MARC21 record (pymarc) from the simple form's cleaned data."""
    build = _build_module()
    simple = build.SimpleRecordInput(**simple_input_values(data))
    return build.build_record(simple, template, entered=timezone.localdate())


def form_initial_from_record(record: Record) -> dict:
    """Prefill the simple form from a record's MARC columns (245 $a/$b split kept)."""
    title, subtitle = record.title, ""
    for entry in (record.marc or {}).get("fields", []):
        value = entry.get("245")
        if isinstance(value, dict):
            subs = list(value.get("subfields", []))
            a = next((p["a"] for p in subs if "a" in p), "")
            b = next((p["b"] for p in subs if "b" in p), "")
            if a:
                from catalog.marc.mapping import trim_punctuation

                title, subtitle = trim_punctuation(a), trim_punctuation(b)
            break
    series = record.textbook_series
    series_choice = series if not series or series in TEXTBOOK_SERIES else OTHER
    return {
        "title": title,
        "subtitle": subtitle,
        "authors": "\n".join(record.authors or []),
        "publisher": record.publisher,
        "place": record.place,
        "year": record.year,
        "isbn": "\n".join(record.isbns or []),
        "edition": record.edition,
        "pages": record.pages,
        "classification_scheme": _scheme_choice(record),
        "classification": record.classification,
        "subjects": "\n".join(record.subjects or []),
        "grade_levels": [str(g) for g in record.grade_levels or []],
        "mon_hoc": list(record.mon_hoc or []),
        "textbook_series": series_choice,
        "textbook_series_other": series if series_choice == OTHER else "",
        "language": (record.languages or ["vie"])[0],
        "notes": "\n".join(_subfield_values(record, "500", "a")),
    }


def _subfield_values(record: Record, tag: str, code: str) -> list[str]:
    return [
        pair[code]
        for entry in (record.marc or {}).get("fields", [])
        if isinstance(entry.get(tag), dict)
        for pair in entry[tag].get("subfields", [])
        if code in pair
    ]


def _scheme_choice(record: Record) -> str:
    scheme = record.classification_scheme or "ddc"
    if scheme == "ddc":
        for entry in (record.marc or {}).get("fields", []):
            value = entry.get("082")
            if isinstance(value, dict):
                editions = [p["2"] for p in value.get("subfields", []) if "2" in p]
                if editions and editions[0].strip().startswith("14"):
                    return "ddc14"
    return scheme if scheme in {"ddc", "19-class", "bbk", "other"} else "other"


def _comparable(marc) -> list:
    """A record's data fields, without the dates that change on every build."""
    rows = []
    for f in marc.fields:
        if f.tag in ("001", "003", "005", "008"):
            continue
        if f.control_field:
            rows.append((f.tag, f.data))
        else:
            rows.append((f.tag, tuple(f.indicators), tuple((s.code, s.value) for s in f.subfields)))
    return sorted(rows)


def simple_template_of(record: Record) -> str | None:
    """The template whose form, prefilled from this record, rebuilds exactly the same MARC:
    then the simple form may edit it without losing anything. None otherwise."""
    try:
        build = _build_module()
        services = _services()
    except ImportError:
        return None
    stored = _comparable(services.record_marc(record))
    form = SimpleRecordForm(data=_as_post(form_initial_from_record(record)), with_items=False)
    if not form.is_valid():
        return None
    genres = set(_subfield_values(record, "655", "a"))
    settings_by_template = getattr(build, "TEMPLATE_SETTINGS", {})
    candidates = [
        template
        for template, _label in TEMPLATE_CHOICES
        if template in settings_by_template and settings_by_template[template].genre in genres
    ]
    for template in candidates:
        try:
            rebuilt = build_marc(form.cleaned_data, template)
        except Exception:  # noqa: BLE001 - a template that cannot rebuild it means "use MARC"
            continue
        if _comparable(rebuilt) == stored:
            return template
    return None


def _as_post(initial: dict) -> dict:
    data = {}
    for key, value in initial.items():
        if value is None:
            continue
        data[key] = value
    data.setdefault("template", "reference")
    return data


@librarian_required
@require_http_methods(["GET", "POST"])
def record_new(request):
    template = request.GET.get("template") or request.POST.get("template") or "reference"
    if template not in dict(TEMPLATE_CHOICES):
        template = "reference"
    if request.method == "POST":
        form = SimpleRecordForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            services = _services()
            try:
                record = services.record_save(
                    marc=build_marc(data, data["template"]), actor=request.user
                )
                created = []
                for _n in range(data.get("item_count") or 0):
                    created.append(
                        services.item_create(
                            record=record,
                            actor=request.user,
                            location=data.get("item_location"),
                            item_type=data.get("item_type"),
                            price=data.get("item_price"),
                            acquired_on=timezone.localdate(),
                        )
                    )
            except CatalogError as error:
                form.add_error(None, str(error))
            else:
                if created:
                    messages.success(
                        request,
                        _("Đã lưu biểu ghi “%(title)s” và %(n)s bản sách (%(codes)s).")
                        % {
                            "title": record.title,
                            "n": len(created),
                            "codes": ", ".join(item.barcode for item in created[:10]),
                        },
                    )
                else:
                    messages.success(
                        request,
                        _("Đã lưu biểu ghi “%(title)s”. Hãy thêm bản sách bên dưới.")
                        % {"title": record.title},
                    )
                return redirect("catalog:record_detail", pk=record.pk)
    else:
        initial = {"template": template}
        build = None
        with contextlib.suppress(ImportError):
            build = _build_module()
        defaults = getattr(build, "TEMPLATE_DEFAULTS", {}).get(template, {}) if build else {}
        initial.update({k: v for k, v in defaults.items() if k in SimpleRecordForm.base_fields})
        if template == "textbook":
            initial.setdefault("textbook_series", TEXTBOOK_SERIES[0])
        if Location.objects.count() == 1:
            initial["item_location"] = Location.objects.get()
        form = SimpleRecordForm(initial=initial)
    return render(
        request,
        "catalog/staff/record_form.html",
        {"form": form, "template": template, "templates": TEMPLATE_CHOICES, "record": None},
    )


@librarian_required
@require_http_methods(["GET", "POST"])
def record_edit(request, pk: int):
    """The simple form when the record was made by it (and nothing would be lost), else the
    MARC editor."""
    record = get_object_or_404(Record.objects.discoverable(), pk=pk)
    template = simple_template_of(record)
    if template is None:
        return redirect("catalog:record_marc", pk=record.pk)
    if request.method == "POST":
        form = SimpleRecordForm(request.POST, with_items=False)
        if form.is_valid():
            data = form.cleaned_data
            services = _services()
            try:
                marc = build_marc(data, data["template"])
                _keep_identity(marc, services.record_marc(record))
                record = services.record_save(marc=marc, record=record, actor=request.user)
            except CatalogError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Đã lưu thay đổi của biểu ghi."))
                return redirect("catalog:record_detail", pk=record.pk)
    else:
        initial = form_initial_from_record(record)
        initial["template"] = template
        form = SimpleRecordForm(initial=initial, with_items=False)
    return render(
        request,
        "catalog/staff/record_form.html",
        {"form": form, "template": template, "templates": TEMPLATE_CHOICES, "record": record},
    )


def _keep_identity(new, old) -> None:
    """Editing keeps the record's 001/003 and its 008 date entered (008/00-05)."""
    import pymarc

    for tag in ("001", "003"):
        old_fields = old.get_fields(tag)
        new.remove_fields(tag)
        for f in old_fields:
            new.add_ordered_field(pymarc.Field(tag=tag, data=f.data))
    old_008 = next(iter(old.get_fields("008")), None)
    new_008 = next(iter(new.get_fields("008")), None)
    if old_008 is not None and new_008 is not None and len(old_008.data) >= 6:
        new_008.data = old_008.data[:6] + new_008.data[6:]


# Delete --------------------------------------------------------------------------------------


@librarian_required
@require_http_methods(["GET", "POST"])
def record_delete(request, pk: int):
    record = get_object_or_404(Record.objects.discoverable(), pk=pk)
    if request.method == "POST":
        try:
            _services().record_delete(record=record, actor=request.user)
        except CatalogError as error:
            messages.error(request, str(error))
            return redirect("catalog:record_detail", pk=record.pk)
        messages.success(
            request,
            _("Đã xóa biểu ghi “%(title)s”; các bản sách chuyển sang “Thanh lý”.")
            % {"title": record.title},
        )
        return redirect("catalog:record_list")
    on_loan = record.items.on_loan()
    return render(
        request,
        "catalog/staff/record_confirm_delete.html",
        {"record": record, "on_loan": on_loan, "item_count": record.items.count()},
    )


@librarian_required
@require_http_methods(["POST"])
def record_restore(request, pk: int):
    record = get_object_or_404(Record.objects.deleted(), pk=pk)
    try:
        _services().record_restore(record=record, actor=request.user)
    except CatalogError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Đã khôi phục biểu ghi “%(title)s”.") % {"title": record.title})
    return redirect(reverse("catalog:record_detail", args=[record.pk]))
