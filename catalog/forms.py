"""Forms of the cataloguing pages: the simple record form, items, the MARC editor, import,
export and labels. Messages say, in Vietnamese, which field is wrong and how to fix it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog import labels
from catalog.marc import isbn as isbn_rules
from catalog.models import Item, ItemStatus, ItemType, Location
from catalog.models.import_jobs import ImportAction, MatchRule

# Subjects of the general education programme (Chương trình GDPT 2018), primary to upper
# secondary, plus the older names libraries still shelve under.
MON_HOC = [
    "Toán",
    "Ngữ văn",
    "Tiếng Việt",
    "Tiếng Anh",
    "Ngoại ngữ",
    "Lịch sử",
    "Địa lí",
    "Lịch sử và Địa lí",
    "Khoa học tự nhiên",
    "Vật lí",
    "Hóa học",
    "Sinh học",
    "Tin học",
    "Công nghệ",
    "Giáo dục công dân",
    "Giáo dục kinh tế và pháp luật",
    "Giáo dục thể chất",
    "Âm nhạc",
    "Mĩ thuật",
    "Nghệ thuật",
    "Hoạt động trải nghiệm",
    "Hoạt động trải nghiệm, hướng nghiệp",
    "Tự nhiên và Xã hội",
    "Khoa học",
    "Đạo đức",
    "Giáo dục quốc phòng và an ninh",
    "Nội dung giáo dục địa phương",
]

TEXTBOOK_SERIES = [
    "Kết nối tri thức với cuộc sống",
    "Chân trời sáng tạo",
    "Cánh Diều",
]
OTHER = "__other__"

TEMPLATE_CHOICES = [
    ("textbook", _("Sách giáo khoa")),
    ("reference", _("Sách tham khảo")),
    ("periodical", _("Báo, tạp chí")),
    ("teachers_guide", _("Sách giáo viên")),
]

CLASSIFICATION_SCHEMES = [
    ("ddc", _("DDC 23 (Dewey đầy đủ)")),
    ("ddc14", _("DDC 14 rút gọn")),
    ("19-class", _("Khung 19 lớp (ví dụ 53(075))")),
    ("bbk", _("BBK")),
    ("other", _("Khung khác")),
]

LANGUAGES = [
    ("vie", _("Tiếng Việt")),
    ("eng", _("Tiếng Anh")),
    ("fre", _("Tiếng Pháp")),
    ("chi", _("Tiếng Trung")),
    ("rus", _("Tiếng Nga")),
    ("jpn", _("Tiếng Nhật")),
    ("kor", _("Tiếng Hàn")),
    ("ger", _("Tiếng Đức")),
]

GRADES = [(str(n), _("Lớp %(n)s") % {"n": n}) for n in range(1, 13)]


def split_lines(text: str) -> list[str]:
    """One value per line (or separated by ';'), trimmed, blanks dropped, order kept."""
    values = []
    for part in re.split(r"[\r\n;]+", text or ""):
        part = " ".join(part.split())
        if part and part not in values:
            values.append(part)
    return values


class NoSuffix:
    """Labels stand on their own line: no trailing colon."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class SimpleRecordForm(NoSuffix, forms.Form):
    """Cataloguing without MARC: every field a librarian knows from the book in hand."""

    template = forms.ChoiceField(
        label=_("Mẫu biên mục"), choices=TEMPLATE_CHOICES, initial="reference"
    )
    title = forms.CharField(
        label=_("Nhan đề"),
        max_length=500,
        error_messages={"required": _("Hãy nhập nhan đề chính, như in trên trang tên sách.")},
    )
    subtitle = forms.CharField(
        label=_("Phụ đề, thông tin bổ sung nhan đề"), max_length=500, required=False
    )
    authors = forms.CharField(
        label=_("Tác giả"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Mỗi dòng một người, họ tên đầy đủ. Người đầu tiên là tác giả chính."),
    )
    publisher = forms.CharField(label=_("Nhà xuất bản"), max_length=300, required=False)
    place = forms.CharField(label=_("Nơi xuất bản"), max_length=200, required=False)
    year = forms.IntegerField(
        label=_("Năm xuất bản"),
        required=False,
        min_value=1500,
        error_messages={
            "invalid": _("Năm xuất bản phải là bốn chữ số, ví dụ 2024."),
            "min_value": _("Năm xuất bản phải từ năm 1500 trở đi."),
        },
    )
    isbn = forms.CharField(
        label=_("ISBN"),
        required=False,
        max_length=200,
        help_text=_("10 hoặc 13 chữ số, có thể có gạch nối. Nhiều ISBN: mỗi dòng một mã."),
        widget=forms.Textarea(attrs={"rows": 1}),
    )
    edition = forms.CharField(
        label=_("Lần xuất bản"),
        max_length=200,
        required=False,
        help_text=_("Ví dụ: Tái bản lần thứ 3."),
    )
    pages = forms.IntegerField(
        label=_("Số trang"),
        required=False,
        min_value=1,
        max_value=100000,
        error_messages={"invalid": _("Số trang phải là một số nguyên, ví dụ 128.")},
    )
    classification_scheme = forms.ChoiceField(
        label=_("Khung phân loại"), choices=CLASSIFICATION_SCHEMES, initial="ddc"
    )
    classification = forms.CharField(
        label=_("Ký hiệu phân loại"),
        max_length=100,
        required=False,
        help_text=_("Ví dụ DDC: 510.712; khung 19 lớp: 51(075)."),
    )
    subjects = forms.CharField(
        label=_("Chủ đề, từ khóa"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Mỗi dòng một từ khóa (hoặc ngăn cách bằng dấu chấm phẩy)."),
    )
    grade_levels = forms.MultipleChoiceField(
        label=_("Khối lớp"), choices=GRADES, required=False, widget=forms.CheckboxSelectMultiple
    )
    mon_hoc = forms.MultipleChoiceField(
        label=_("Môn học"),
        choices=[(name, name) for name in MON_HOC],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Theo Chương trình giáo dục phổ thông 2018."),
    )
    textbook_series = forms.ChoiceField(
        label=_("Bộ sách giáo khoa"),
        required=False,
        choices=[("", _("— Không thuộc bộ sách nào —"))]
        + [(name, name) for name in TEXTBOOK_SERIES]
        + [(OTHER, _("Bộ sách khác (ghi bên dưới)"))],
    )
    textbook_series_other = forms.CharField(
        label=_("Tên bộ sách khác"), max_length=200, required=False
    )
    language = forms.ChoiceField(label=_("Ngôn ngữ"), choices=LANGUAGES, initial="vie")
    notes = forms.CharField(
        label=_("Phụ chú"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    # Copies, created in the same step (optional).
    item_count = forms.IntegerField(
        label=_("Số bản sách nhập kho"),
        required=False,
        min_value=0,
        max_value=200,
        initial=0,
        error_messages={"max_value": _("Mỗi lần nhập tối đa 200 bản; nhập thêm sau nếu cần.")},
    )
    item_location = forms.ModelChoiceField(
        label=_("Kho"), queryset=Location.objects.all(), required=False
    )
    item_type = forms.ModelChoiceField(
        label=_("Loại tài liệu"), queryset=ItemType.objects.all(), required=False
    )
    item_price = forms.DecimalField(
        label=_("Giá mỗi bản (VNĐ)"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=0,
        error_messages={
            "invalid": _("Giá phải là số tiền nguyên, không có dấu chấm, ví dụ 25000.")
        },
    )

    def __init__(self, *args, with_items: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].validators.append(_YearNotInFuture(timezone.localdate().year + 1))
        if not with_items:
            for name in ("item_count", "item_location", "item_type", "item_price"):
                del self.fields[name]

    def clean_authors(self) -> list[str]:
        return split_lines(self.cleaned_data.get("authors", ""))

    def clean_subjects(self) -> list[str]:
        return split_lines(self.cleaned_data.get("subjects", ""))

    def clean_isbn(self) -> list[str]:
        values = []
        for raw in re.split(r"[\r\n,;]+", self.cleaned_data.get("isbn", "")):
            raw = raw.strip()
            if not raw:
                continue
            compact = isbn_rules.normalize(raw)
            if len(compact) not in (10, 13):
                raise forms.ValidationError(
                    _("ISBN «%(value)s» phải có 10 hoặc 13 chữ số; hãy chép lại từ bìa sau."),
                    params={"value": raw},
                    code="isbn_length",
                )
            if not isbn_rules.is_valid(compact):
                raise forms.ValidationError(
                    _(
                        "ISBN «%(value)s» sai chữ số kiểm tra (chữ số cuối). Hãy đối chiếu lại "
                        "với mã in trên bìa sau hoặc để trống trường ISBN."
                    ),
                    params={"value": raw},
                    code="isbn_checksum",
                )
            values.append(raw)
        return values

    def clean_grade_levels(self) -> list[int]:
        return sorted(int(g) for g in self.cleaned_data.get("grade_levels", []))

    def clean(self):
        data = super().clean()
        if data.get("textbook_series") == OTHER:
            other = " ".join((data.get("textbook_series_other") or "").split())
            if not other:
                self.add_error(
                    "textbook_series_other",
                    _("Đã chọn «Bộ sách khác»: hãy ghi tên bộ sách."),
                )
            data["textbook_series"] = other
        if data.get("classification") and not data.get("classification_scheme"):
            self.add_error("classification_scheme", _("Hãy chọn khung phân loại."))
        if data.get("item_count") and not data.get("item_location"):
            locations = list(Location.objects.all()[:2])
            if len(locations) == 1:
                data["item_location"] = locations[0]
        return data


class _YearNotInFuture:
    def __init__(self, limit: int):
        self.limit = limit

    def __call__(self, value):
        if value is not None and value > self.limit:
            raise forms.ValidationError(
                _("Năm xuất bản %(year)s ở tương lai; hãy kiểm tra lại."),
                params={"year": value},
                code="future_year",
            )


class ItemForm(NoSuffix, forms.ModelForm):
    barcode = forms.CharField(
        label=_("Mã vạch"),
        max_length=32,
        required=False,
        help_text=_("Để trống để hệ thống tự cấp mã."),
        error_messages={
            "unique": _("Mã vạch này đã dùng cho bản sách khác: hãy nhập mã khác hoặc để trống."),
        },
    )

    class Meta:
        model = Item
        fields = [
            "barcode",
            "call_number",
            "location",
            "item_type",
            "status",
            "price",
            "acquired_on",
            "acquisition_source",
            "accession_number",
            "notes",
        ]
        widgets = {"acquired_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        error_messages = {
            "accession_number": {
                "unique": _("Số đăng ký cá biệt này đã dùng cho bản sách khác: hãy kiểm tra sổ."),
            },
        }
        help_texts = {
            "call_number": _("Để trống để tạo từ ký hiệu phân loại và tên tác giả."),
            "accession_number": _("Số đăng ký cá biệt, duy nhất trong thư viện."),
        }

    def __init__(self, *args, creating: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["acquired_on"].input_formats = ["%Y-%m-%d", "%d/%m/%Y"]
        if creating:
            # A new copy starts available; circulation changes its status afterwards.
            del self.fields["status"]
        else:
            self.fields["barcode"].required = True
            self.fields["status"].choices = ItemStatus.choices

    def clean_barcode(self) -> str:
        barcode = "".join((self.cleaned_data.get("barcode") or "").split()).upper()
        if barcode and not re.fullmatch(r"[\x21-\x7e]+", barcode):
            raise forms.ValidationError(
                _("Mã vạch chỉ gồm chữ cái không dấu, chữ số và ký hiệu (Code 128)."),
                code="barcode_chars",
            )
        return barcode

    def clean_accession_number(self):
        return (self.cleaned_data.get("accession_number") or "").strip() or None

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data["barcode"] = data.get("barcode") or None
        data["call_number"] = data.get("call_number") or None
        return data


class AddItemsForm(NoSuffix, forms.Form):
    """Several identical copies at once, with generated barcodes."""

    count = forms.IntegerField(label=_("Số bản"), min_value=1, max_value=200, initial=1)
    location = forms.ModelChoiceField(
        label=_("Kho"), queryset=Location.objects.all(), required=False
    )
    item_type = forms.ModelChoiceField(
        label=_("Loại tài liệu"), queryset=ItemType.objects.all(), required=False
    )
    price = forms.DecimalField(
        label=_("Giá mỗi bản (VNĐ)"), required=False, min_value=0, max_digits=12, decimal_places=0
    )


# MARC editor ------------------------------------------------------------------------------


@dataclass
class EditorRow:
    """One line of the MARC editor as typed: tag, indicators and `$a ... $b ...` text."""

    tag: str = ""
    ind1: str = " "
    ind2: str = " "
    value: str = ""
    delete: bool = False
    errors: list[str] = field(default_factory=list)

    @property
    def is_control(self) -> bool:
        return self.tag.isdigit() and self.tag < "010"

    @property
    def is_blank(self) -> bool:
        return not self.tag.strip() and not self.value.strip()

    @property
    def ind1_shown(self) -> str:
        return "#" if self.ind1 == " " else self.ind1

    @property
    def ind2_shown(self) -> str:
        return "#" if self.ind2 == " " else self.ind2


def _indicator(raw: str) -> str:
    raw = raw or ""
    if raw in ("", "#", "_", "\\"):
        return " "
    return raw


def editor_rows_from_post(data) -> tuple[str, list[EditorRow]]:
    """The leader and the rows posted by the MARC editor (`row-N-tag` ... `row-N-value`)."""
    total = min(int(data.get("rows", 0) or 0), 2000)
    rows = []
    for n in range(total):
        prefix = f"row-{n}-"
        row = EditorRow(
            tag=(data.get(prefix + "tag") or "").strip(),
            ind1=_indicator(data.get(prefix + "ind1")),
            ind2=_indicator(data.get(prefix + "ind2")),
            value=(data.get(prefix + "value") or "").replace("\r\n", "\n").replace("\n", " "),
            delete=bool(data.get(prefix + "delete")),
        )
        if not row.is_blank and not row.delete:
            rows.append(row)
    return (data.get("leader") or "").rstrip("\r\n"), rows


SUBFIELD_SPLIT = re.compile(r"(?:^|\s)\$([^\s$])\s?")


def parse_subfields(text: str) -> list[tuple[str, str]] | None:
    """`$a Toán 6 $b tập một` -> [("a", "Toán 6"), ("b", "tập một")]; None when the text does
    not start with a subfield."""
    text = text.strip()
    if not text.startswith("$"):
        return None
    parts = SUBFIELD_SPLIT.split(text)
    # parts: ["", code, value, code, value...]
    pairs = []
    for index in range(1, len(parts) - 1, 2):
        pairs.append((parts[index], parts[index + 1].strip()))
    return pairs


def format_subfields(subfields: list[tuple[str, str]]) -> str:
    return " ".join(f"${code} {value}" for code, value in subfields)


# Import, export, labels -------------------------------------------------------------------


class ImportForm(NoSuffix, forms.Form):
    file = forms.FileField(
        label=_("Tệp MARC"),
        help_text=_("ISO 2709 (.mrc, .dat, .iso) hoặc MARCXML (.xml); UTF-8 hoặc MARC-8."),
        error_messages={
            "required": _("Hãy chọn tệp MARC cần nhập."),
            "empty": _("Tệp đã chọn trống (0 byte)."),
        },
    )
    match = forms.MultipleChoiceField(
        label=_("Tìm bản ghi trùng theo"),
        choices=MatchRule.choices,
        initial=[rule.value for rule in MatchRule],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    action = forms.ChoiceField(
        label=_("Khi trùng"),
        choices=ImportAction.choices,
        initial=ImportAction.SKIP,
        widget=forms.RadioSelect,
    )
    dry_run = forms.BooleanField(
        label=_("Chạy thử (chỉ xem kết quả, không ghi vào kho)"), required=False
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit_mb = settings.LIBRARY_MAX_UPLOAD_MB
        if upload.size > limit_mb * 1024 * 1024:
            raise forms.ValidationError(
                _(
                    "Tệp «%(name)s» quá lớn (%(size)s MB); giới hạn là %(limit)s MB. "
                    "Hãy chia tệp thành nhiều phần hoặc dùng lệnh catalog_import_marc."
                ),
                params={
                    "name": upload.name,
                    "size": f"{upload.size / 1024 / 1024:.1f}",
                    "limit": limit_mb,
                },
                code="too_large",
            )
        return upload


EXPORT_FORMATS = [
    ("iso2709", _("ISO 2709 (UTF-8, .mrc)")),
    ("marcxml", _("MARCXML (.xml)")),
    ("csv", _("CSV (bảng tính)")),
]


class ExportForm(NoSuffix, forms.Form):
    format = forms.ChoiceField(
        label=_("Định dạng"), choices=EXPORT_FORMATS, initial="iso2709", widget=forms.RadioSelect
    )
    scope = forms.ChoiceField(
        label=_("Phạm vi"),
        choices=[("all", _("Toàn bộ kho")), ("selected", _("Các biểu ghi đã chọn"))],
        initial="all",
        widget=forms.RadioSelect,
    )
    ids = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_ids(self) -> list[int]:
        return parse_ids(self.cleaned_data.get("ids", ""))

    def clean(self):
        data = super().clean()
        if data.get("scope") == "selected" and not data.get("ids"):
            self.add_error(
                "scope",
                _(
                    "Chưa chọn biểu ghi nào: hãy đánh dấu biểu ghi ở danh sách, hoặc xuất toàn bộ kho."
                ),
            )
        return data


def parse_ids(raw) -> list[int]:
    """ "1, 2,3" or ["1", "2"] -> [1, 2, 3]; anything not a positive number is ignored."""
    values = raw if isinstance(raw, list | tuple) else re.split(r"[\s,]+", raw or "")
    ids = []
    for value in values:
        for part in re.split(r"[\s,]+", str(value)):
            if part.isdigit() and int(part) > 0 and int(part) not in ids:
                ids.append(int(part))
    return ids[:5000]


class LabelForm(NoSuffix, forms.Form):
    items = forms.CharField(label=_("Bản sách"), widget=forms.HiddenInput)
    kind = forms.ChoiceField(
        label=_("Loại nhãn"),
        choices=[("barcode", _("Nhãn mã vạch")), ("spine", _("Nhãn gáy (ký hiệu xếp giá)"))],
        initial="barcode",
        widget=forms.RadioSelect,
    )
    layout = forms.ChoiceField(label=_("Khổ giấy nhãn"), choices=labels.layout_choices())
    start_at = forms.IntegerField(
        label=_("Bắt đầu từ nhãn số"),
        min_value=1,
        max_value=65,
        initial=1,
        required=False,
        help_text=_("Để in tiếp trên tờ nhãn đã dùng một phần."),
    )

    def clean_items(self) -> list[int]:
        ids = parse_ids(self.cleaned_data.get("items", ""))
        if not ids:
            raise forms.ValidationError(_("Chưa chọn bản sách nào để in nhãn."), code="no_items")
        return ids
