"""Writes about patrons: class-list import, consent, audited reads of personal data, cards.

Personal data (Law 91/2025/QH15): only what lending needs is required; guardian contact is
kept only with the guardian's recorded consent; every view or change is audited.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from library.core.audit import audit
from library.core.vietnamese import clean, fold

from .exceptions import ImportFileError
from .models import Patron, PatronCategory, Role, User

# ---------------------------------------------------------------------------- audited reads


def patron_viewed(*, actor, patron: Patron, where: str) -> None:
    """Every read of one patron's data leaves an audit row."""
    with transaction.atomic():
        audit(actor, "patron.view", patron, where=where)


def patron_list_viewed(*, actor, what: str, count: int) -> None:
    with transaction.atomic():
        audit(actor, "patron.list", None, what=what, count=count)


# ---------------------------------------------------------------------------- consent

CONSENT_FIELDS = ("consent_photo", "consent_contact", "consent_reading_history")


def patron_update(*, actor, patron: Patron, **changes: Any) -> Patron:
    """Change a patron's data or consents; withdrawing contact consent erases the contact."""
    allowed = {
        "school_class",
        "homeroom_class",
        "grade",
        "expires_on",
        "blocked_reason",
        "guardian_phone",
        "guardian_email",
        "citizen_id",
        "date_of_birth",
        "consent_given_by",
        *CONSENT_FIELDS,
    }
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"Không sửa được: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        before = {name: getattr(patron, name) for name in changes}
        for name, value in changes.items():
            setattr(patron, name, value)
        if not patron.consent_contact:
            patron.guardian_phone = ""
            patron.guardian_email = ""
        if any(name in CONSENT_FIELDS for name in changes):
            patron.consent_recorded_at = timezone.now()
        patron.full_clean(exclude=["user"])
        patron.save()
        changed = sorted(name for name in changes if before[name] != getattr(patron, name))
        audit(actor, "patron.change", patron, fields=changed)
    return patron


# ---------------------------------------------------------------------------- import

HEADERS = {
    "ho va ten": "full_name",
    "ho ten": "full_name",
    "ngay sinh": "date_of_birth",
    "lop": "school_class",
    "ma dinh danh hoc sinh": "student_identifier",
    "ma dinh danh": "student_identifier",
    "ma the": "card_barcode",
    "cccd": "citizen_id",
    "so cccd": "citizen_id",
    "sdt phu huynh": "guardian_phone",
    "so dien thoai phu huynh": "guardian_phone",
    "email phu huynh": "guardian_email",
    "phu huynh dong y lien lac": "consent_contact",
    "dong y lien lac": "consent_contact",
}
YES = {"co", "x", "1", "yes", "dong y", "true"}


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[tuple[int, str]] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return _("Thêm mới %(c)s, cập nhật %(u)s, không đổi %(n)s, từ chối %(r)s dòng.") % {
            "c": self.created,
            "u": self.updated,
            "n": self.unchanged,
            "r": len(self.rejected),
        }


def _read_rows(data: bytes, filename: str) -> list[list[str]]:
    name = filename.lower()
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
        except Exception as exc:
            raise ImportFileError(_("Không đọc được tệp Excel: %(e)s") % {"e": exc}) from exc
        rows = []
        for row in sheet.iter_rows(values_only=True):
            cells = []
            for value in row:
                if isinstance(value, dt.datetime | dt.date):
                    value = value.strftime("%d/%m/%Y")
                elif isinstance(value, float) and value.is_integer():
                    value = str(int(value))
                cells.append("" if value is None else str(value))
            rows.append(cells)
        return rows
    if name.endswith(".csv"):
        for encoding in ("utf-8-sig", "cp1258"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ImportFileError(_("Tệp CSV không phải UTF-8: hãy lưu lại với mã UTF-8."))
        try:
            dialect = csv.Sniffer().sniff(text[:2048], delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        return list(csv.reader(io.StringIO(text), dialect))
    raise ImportFileError(_("Chỉ nhận tệp .csv hoặc .xlsx."))


def _parse_date(text: str) -> dt.date:
    match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text.strip())
    try:
        if not match:
            raise ValueError(text)
        day = dt.date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
    except ValueError as exc:
        raise ValidationError(
            _("Ngày sinh “%(v)s” không đúng dạng dd/mm/yyyy.") % {"v": text}
        ) from exc
    if day > timezone.localdate() or day.year < 1900:
        raise ValidationError(_("Ngày sinh “%(v)s” không hợp lý.") % {"v": text})
    return day


def _grade_of(school_class: str) -> int | None:
    match = re.match(r"(\d{1,2})", school_class)
    return int(match.group(1)) if match and 1 <= int(match.group(1)) <= 12 else None


def _clean_row(raw: dict[str, str], warnings: list[str]) -> dict[str, Any]:
    row = {key: clean(value.strip()) for key, value in raw.items()}
    data: dict[str, Any] = {}
    if not row.get("full_name"):
        raise ValidationError(_("Thiếu họ và tên."))
    data["full_name"] = row["full_name"][:200]
    if not row.get("school_class"):
        raise ValidationError(_("Thiếu lớp."))
    data["school_class"] = row["school_class"].replace(" ", "").upper()[:20]
    data["grade"] = _grade_of(data["school_class"])
    data["student_identifier"] = row.get("student_identifier", "").replace(" ", "")[:32]
    data["card_barcode"] = row.get("card_barcode", "").replace(" ", "")[:32]
    if not data["student_identifier"] and not data["card_barcode"]:
        raise ValidationError(_("Thiếu mã định danh học sinh hoặc mã thẻ."))
    if row.get("date_of_birth"):
        data["date_of_birth"] = _parse_date(row["date_of_birth"])
    citizen = row.get("citizen_id", "").replace(" ", "")
    if citizen and not re.fullmatch(r"\d{12}", citizen):
        raise ValidationError(_("CCCD “%(v)s” phải gồm đúng 12 chữ số.") % {"v": citizen})
    if citizen:
        data["citizen_id"] = citizen
    phone = re.sub(r"[\s.\-]", "", row.get("guardian_phone", ""))
    email = row.get("guardian_email", "")
    consent = fold(row.get("consent_contact", "")) in YES
    if phone and not re.fullmatch(r"(\+84|0)\d{9,10}", phone):
        raise ValidationError(_("SĐT phụ huynh “%(v)s” không hợp lệ.") % {"v": phone})
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise ValidationError(
                _("Email phụ huynh “%(v)s” không hợp lệ.") % {"v": email}
            ) from exc
    if (phone or email) and not consent:
        warnings.append(_("Chưa có đồng ý của phụ huynh: không lưu SĐT/email phụ huynh."))
    elif consent:
        data.update(guardian_phone=phone, guardian_email=email, consent_contact=True)
    return data


def patron_import(*, actor, data: bytes, filename: str) -> ImportReport:
    """Import a class list (CSV/XLSX): match on the student identifier or card number, update
    changed rows, create new students; each row in its own savepoint, bad rows rejected with
    the reason, the rest go on."""
    rows = _read_rows(data, filename)
    if not rows:
        raise ImportFileError(_("Tệp trống."))
    header = [HEADERS.get(fold(cell).strip(" *:")) for cell in rows[0]]
    if "full_name" not in header or "school_class" not in header:
        raise ImportFileError(_("Dòng đầu phải có tiêu đề cột, ít nhất “Họ và tên” và “Lớp”."))
    report = ImportReport()
    seen: dict[str, int] = {}
    for number, cells in enumerate(rows[1:], start=2):
        if not any((c or "").strip() for c in cells):
            continue
        raw = {key: (cells[i] if i < len(cells) else "") for i, key in enumerate(header) if key}
        warnings: list[str] = []
        try:
            values = _clean_row(raw, warnings)
            key = values["student_identifier"] or f"card:{values['card_barcode']}"
            if key in seen:
                raise ValidationError(
                    _("Trùng mã định danh/mã thẻ với dòng %(n)s.") % {"n": seen[key]}
                )
            seen[key] = number
            with transaction.atomic():
                outcome = _import_one(actor=actor, values=values)
        except ValidationError as exc:
            report.rejected.append((number, " ".join(exc.messages)))
            continue
        except IntegrityError:
            report.rejected.append(
                (number, _("Mã thẻ hoặc mã định danh đã dùng cho học sinh khác."))
            )
            continue
        setattr(report, outcome, getattr(report, outcome) + 1)
        report.warnings.extend((number, w) for w in warnings)
    with transaction.atomic():
        audit(
            actor,
            "patron.import",
            None,
            filename=filename[:200],
            created=report.created,
            updated=report.updated,
            rejected=len(report.rejected),
        )
    return report


def _import_one(*, actor, values: dict[str, Any]) -> str:
    identifier, card = values["student_identifier"], values["card_barcode"]
    patron = None
    if identifier:
        patron = Patron.objects.select_related("user").filter(student_identifier=identifier).first()
    if patron is None and card:
        patron = Patron.objects.select_related("user").filter(card_barcode=card).first()
    full_name = values.pop("full_name")
    if not values["card_barcode"]:
        values["card_barcode"] = patron.card_barcode if patron else f"HS{identifier}"[:32]
    if patron is None:
        username = (identifier or card).lower()
        if User.objects.filter(username=username).exists():
            raise ValidationError(_("Tên đăng nhập “%(u)s” đã có người dùng.") % {"u": username})
        user = User(username=username, full_name=full_name, role=Role.STUDENT)
        user.set_unusable_password()
        user.save()
        patron = Patron(user=user, category=PatronCategory.STUDENT, **values)
        if values.get("consent_contact"):
            patron.consent_recorded_at = timezone.now()
        patron.full_clean(exclude=["user"])
        patron.save()
        audit(actor, "patron.create", patron, source="import")
        return "created"
    changed = [name for name, value in values.items() if getattr(patron, name) != value]
    if patron.user.full_name != full_name:
        patron.user.full_name = full_name
        patron.user.save(update_fields=["full_name"])
        changed.append("full_name")
    if not changed:
        return "unchanged"
    for name, value in values.items():
        setattr(patron, name, value)
    if values.get("consent_contact"):
        patron.consent_recorded_at = timezone.now()
    patron.full_clean(exclude=["user"])
    patron.save()
    audit(actor, "patron.change", patron, fields=sorted(changed), source="import")
    return "updated"


# ---------------------------------------------------------------------------- cards


def patron_cards_pdf(*, actor, patrons: list[Patron], library_name: str) -> bytes:
    """A printable A4 sheet of patron cards (name, class, photo box, Code 128 barcode)."""
    from reportlab.graphics.barcode import code128
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    font, bold = "Helvetica", "Helvetica-Bold"
    for name, path in (
        ("DejaVu", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
        ("DejaVu-Bold", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ):
        try:
            pdfmetrics.registerFont(TTFont(name, path))
        except Exception:  # no DejaVu: fall back to the built-in font (no Vietnamese marks)
            break
    else:
        font, bold = "DejaVu", "DejaVu-Bold"

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setTitle("Thẻ bạn đọc")
    card_w, card_h = 85.6 * mm, 54 * mm
    margin_x, margin_y, gap = 15 * mm, 12 * mm, 6 * mm
    per_row, per_col = 2, 4
    for index, patron in enumerate(patrons):
        slot = index % (per_row * per_col)
        if index and slot == 0:
            pdf.showPage()
        col, row = slot % per_row, slot // per_row
        x = margin_x + col * (card_w + gap)
        y = A4[1] - margin_y - (row + 1) * card_h - row * gap
        pdf.setStrokeColorRGB(0.6, 0.6, 0.6)
        pdf.roundRect(x, y, card_w, card_h, 3 * mm)
        pdf.setFont(bold, 8)
        pdf.drawString(x + 4 * mm, y + card_h - 7 * mm, library_name[:48])
        pdf.setFont(font, 7)
        pdf.drawString(x + 4 * mm, y + card_h - 11 * mm, "THẺ BẠN ĐỌC")
        pdf.rect(x + 4 * mm, y + 16 * mm, 20 * mm, 25 * mm)  # photo placeholder (3x4)
        pdf.setFont(font, 6)
        pdf.drawCentredString(x + 14 * mm, y + 28 * mm, "Ảnh 3x4")
        pdf.setFont(bold, 10)
        pdf.drawString(x + 28 * mm, y + 34 * mm, str(patron.user)[:30])
        pdf.setFont(font, 8)
        if patron.school_class:
            pdf.drawString(x + 28 * mm, y + 29 * mm, f"Lớp: {patron.school_class}")
        if patron.expires_on:
            pdf.drawString(x + 28 * mm, y + 24 * mm, f"Hạn thẻ: {patron.expires_on:%d/%m/%Y}")
        barcode = code128.Code128(patron.card_barcode, barHeight=9 * mm, barWidth=0.33 * mm)
        barcode.drawOn(pdf, x + 4 * mm, y + 4 * mm)
        pdf.setFont(font, 7)
        pdf.drawString(x + 4 * mm, y + 1.5 * mm, patron.card_barcode)
    if not patrons:
        pdf.drawString(margin_x, A4[1] - margin_y, "Không có bạn đọc nào.")
    pdf.save()
    with transaction.atomic():
        audit(actor, "patron.cards", None, count=len(patrons))
    return buffer.getvalue()
