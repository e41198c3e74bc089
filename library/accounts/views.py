"""Patron pages for librarians: list, one patron (every view audited), consent, import, cards."""

from __future__ import annotations

from functools import wraps

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import selectors, services
from .exceptions import AccountsError
from .models import Patron


def librarian_required(view):
    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not request.user.is_librarian:
            raise PermissionDenied(_("Chỉ thủ thư được xem dữ liệu bạn đọc."))
        return view(request, *args, **kwargs)

    return wrapper


class ConsentForm(forms.ModelForm):
    class Meta:
        model = Patron
        fields = [
            "school_class",
            "grade",
            "expires_on",
            "blocked_reason",
            "consent_given_by",
            "consent_photo",
            "consent_contact",
            "consent_reading_history",
            "guardian_phone",
            "guardian_email",
        ]
        widgets = {"expires_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Tệp danh sách lớp (.csv hoặc .xlsx)"),
        help_text=gettext_lazy(
            "Cột: Họ và tên, Ngày sinh (dd/mm/yyyy), Lớp, Mã định danh học sinh, CCCD (không "
            "bắt buộc), SĐT phụ huynh, Email phụ huynh, Phụ huynh đồng ý liên lạc (có/không)."
        ),
    )


@librarian_required
def patron_list(request):
    q = request.GET.get("q", "")
    school_class = request.GET.get("lop", "")
    patrons = list(selectors.patron_search(q, school_class)[:200])
    services.patron_list_viewed(actor=request.user, what="patrons", count=len(patrons))
    return render(
        request,
        "accounts/patron_list.html",
        {"patrons": patrons, "q": q, "lop": school_class, "classes": selectors.school_classes()},
    )


@librarian_required
def patron_detail(request, pk):
    patron = get_object_or_404(Patron.objects.select_related("user"), pk=pk)
    form = ConsentForm(request.POST or None, instance=Patron.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        services.patron_update(actor=request.user, patron=patron, **changes)
        messages.success(request, _("Đã lưu thay đổi."))
        return redirect("accounts:patron", pk=patron.pk)
    if request.method == "GET":
        services.patron_viewed(actor=request.user, patron=patron, where="patron_page")
    return render(request, "accounts/patron_detail.html", {"patron": patron, "form": form})


@librarian_required
def patron_import(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = services.patron_import(
                actor=request.user, data=upload.read(), filename=upload.name
            )
            messages.success(request, report.summary)
        except AccountsError as exc:
            form.add_error("file", str(exc))
    return render(request, "accounts/patron_import.html", {"form": form, "report": report})


@librarian_required
def patron_cards(request):
    school_class = request.GET.get("lop", "")
    patrons = list(selectors.patron_search(request.GET.get("q", ""), school_class))
    pdf = services.patron_cards_pdf(
        actor=request.user, patrons=patrons, library_name=settings.LIBRARY_NODE_NAME
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="the-ban-doc-{school_class or "all"}.pdf"'
    return response
