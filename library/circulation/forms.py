from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import Location

from .models import CompensationKind, PaymentMethod


class CardForm(forms.Form):
    card = forms.CharField(label=_("Thẻ bạn đọc"), max_length=32)


class CheckoutForm(forms.Form):
    barcode = forms.CharField(label=_("Mã vạch sách mượn"), max_length=32)
    override_reason = forms.CharField(
        label=_("Lý do cho mượn ngoại lệ"), max_length=300, required=False
    )


class CheckinForm(forms.Form):
    barcode = forms.CharField(label=_("Mã vạch sách trả"), max_length=32)


class LostDamagedForm(forms.Form):
    barcode = forms.CharField(label=_("Mã vạch sách"), max_length=32)
    kind = forms.ChoiceField(label=_("Tình trạng"), choices=CompensationKind.choices)
    note = forms.CharField(label=_("Ghi chú"), max_length=300, required=False)


class PaymentForm(forms.Form):
    method = forms.ChoiceField(label=_("Hình thức nộp"), choices=PaymentMethod.choices)
    note = forms.CharField(label=_("Ghi chú (số phiếu thu...)"), max_length=300, required=False)


class ClassSetForm(forms.Form):
    school_class = forms.CharField(label=_("Lớp"), max_length=20)
    school_year = forms.RegexField(
        label=_("Năm học"),
        regex=r"^\d{4}-\d{4}$",
        error_messages={"invalid": _("Năm học dạng 2026-2027.")},
    )
    grade = forms.IntegerField(label=_("Khối"), min_value=1, max_value=12)
    due_on = forms.DateField(
        label=_("Hạn trả (dd/mm/yyyy)"), input_formats=["%d/%m/%Y", "%Y-%m-%d"]
    )
    teacher_card = forms.CharField(
        label=_("Thẻ giáo viên chủ nhiệm (nếu giao cả bộ cho giáo viên)"), required=False
    )


class StocktakeStartForm(forms.Form):
    location = forms.ModelChoiceField(label=_("Kho"), queryset=Location.objects.all())


class StocktakeScanForm(forms.Form):
    barcodes = forms.CharField(
        label=_("Mã vạch (quét từng mã hoặc dán nhiều mã, mỗi mã một dòng)"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RolloverForm(forms.Form):
    final_grade = forms.IntegerField(label=_("Khối cuối cấp"), min_value=1, max_value=12)
    expires_on = forms.DateField(
        label=_("Hạn thẻ mới (dd/mm/yyyy)"), input_formats=["%d/%m/%Y", "%Y-%m-%d"]
    )
    confirm_with_loans = forms.BooleanField(
        label=_("Xác nhận chuyển năm học dù học sinh ra trường còn sách"), required=False
    )
