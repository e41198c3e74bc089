"""The librarian's upload and edit forms: a file plus the education metadata of Thông tư 21/2017."""

from django import forms
from django.utils.translation import gettext_lazy as _

from library.core.access import AccessLevel

from .models import GRADE_CHOICES, Licence, MonHoc, ResourceType, TextbookSeries


class ResourceUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp"),
        help_text=_(
            "PDF, ảnh quét (JPEG, PNG, TIFF nhiều trang), âm thanh, video, hoặc một tệp ZIP "
            "gồm các PDF và một tệp CSV siêu dữ liệu."
        ),
    )
    title = forms.CharField(
        label=_("Nhan đề"),
        max_length=1000,
        required=False,
        help_text=_("Để trống thì dùng tên tệp (với ZIP: lấy theo tệp CSV)."),
    )
    authors = forms.CharField(
        label=_("Tác giả"),
        required=False,
        help_text=_("Nhiều tác giả thì cách nhau bằng dấu chấm phẩy (;)."),
    )
    resource_type = forms.ChoiceField(
        label=_("Loại học liệu"), choices=ResourceType.choices, initial=ResourceType.SGK_DIEN_TU
    )
    grade_levels = forms.TypedMultipleChoiceField(
        label=_("Khối lớp"),
        choices=GRADE_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    mon_hoc = forms.MultipleChoiceField(
        label=_("Môn học"),
        choices=MonHoc.choices,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Giữ phím Ctrl để chọn nhiều môn."),
    )
    textbook_series = forms.ChoiceField(
        label=_("Bộ sách giáo khoa"),
        choices=[("", _("— Không thuộc bộ sách nào —")), *TextbookSeries.choices],
        required=False,
    )
    licence = forms.ChoiceField(
        label=_("Giấy phép"), choices=Licence.choices, initial=Licence.ALL_RIGHTS_RESERVED
    )
    access_level = forms.ChoiceField(
        label=_("Ai được xem"), choices=AccessLevel.choices, initial=AccessLevel.SCHOOL
    )
    year = forms.IntegerField(
        label=_("Năm xuất bản"), min_value=1900, max_value=2100, required=False
    )
    publisher = forms.CharField(label=_("Nhà xuất bản"), max_length=300, required=False)
    description = forms.CharField(
        label=_("Mô tả"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    approved = forms.BooleanField(
        label=_("Đã thẩm định: duyệt ngay để bạn đọc dùng được"), required=False
    )

    def metadata(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("file", None)
        data.pop("approved", None)
        data["authors"] = [a.strip() for a in data.get("authors", "").split(";") if a.strip()]
        return data


class ResourceEditForm(forms.Form):
    """A librarian corrects a resource's description; every field shows its current value."""

    title = forms.CharField(label=_("Nhan đề"), max_length=1000)
    authors = forms.CharField(
        label=_("Tác giả"),
        required=False,
        help_text=_("Nhiều tác giả thì cách nhau bằng dấu chấm phẩy (;)."),
    )
    resource_type = forms.ChoiceField(label=_("Loại học liệu"), choices=ResourceType.choices)
    grade_levels = forms.TypedMultipleChoiceField(
        label=_("Khối lớp"),
        choices=GRADE_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    mon_hoc = forms.MultipleChoiceField(
        label=_("Môn học"),
        choices=MonHoc.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    textbook_series = forms.ChoiceField(
        label=_("Bộ sách giáo khoa"),
        choices=[("", _("— Không thuộc bộ sách nào —")), *TextbookSeries.choices],
        required=False,
    )
    licence = forms.ChoiceField(label=_("Giấy phép"), choices=Licence.choices)
    access_level = forms.ChoiceField(label=_("Ai được xem"), choices=AccessLevel.choices)
    year = forms.IntegerField(
        label=_("Năm xuất bản"), min_value=1900, max_value=2100, required=False
    )
    publisher = forms.CharField(label=_("Nhà xuất bản"), max_length=300, required=False)
    description = forms.CharField(
        label=_("Mô tả"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    @classmethod
    def initial_for(cls, resource) -> dict:
        record = resource.record
        return {
            "title": record.title,
            "authors": "; ".join(resource.authors or record.authors or []),
            "resource_type": resource.resource_type,
            "grade_levels": resource.grade_levels,
            "mon_hoc": resource.mon_hoc,
            "textbook_series": resource.textbook_series,
            "licence": resource.licence,
            "access_level": resource.access_level,
            "year": record.year,
            "publisher": record.publisher,
            "description": resource.description,
        }

    def metadata(self) -> dict:
        data = dict(self.cleaned_data)
        data["authors"] = [a.strip() for a in data.get("authors", "").split(";") if a.strip()]
        return data


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do không đạt"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Ghi rõ cần sửa gì để người tải lên làm lại."),
    )
