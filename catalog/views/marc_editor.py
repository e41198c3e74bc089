"""The MARC editor: one row per field (tag, indicators, `$a ... $b ...`), validation messages
next to the field. Works without JavaScript: "add rows" is a submit button that re-renders."""

from __future__ import annotations

import pymarc
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from catalog.exceptions import CatalogError
from catalog.forms import EditorRow, editor_rows_from_post, format_subfields, parse_subfields
from catalog.marc import validate
from catalog.models import Record

from .access import librarian_required

BLANK_ROWS = 3
DEFAULT_LEADER = "     nam a22     7i 4500"


def rows_from_marc(marc: pymarc.Record) -> list[EditorRow]:
    rows = []
    for f in validate.record_to_fields(marc):
        if f.is_control:
            rows.append(EditorRow(tag=f.tag, value=f.data or ""))
        else:
            rows.append(
                EditorRow(
                    tag=f.tag,
                    ind1=f.ind1 or " ",
                    ind2=f.ind2 or " ",
                    value=format_subfields(f.subfields),
                )
            )
    return rows


def editor_fields(rows: list[EditorRow]) -> list[validate.EditorField]:
    fields = []
    for row in rows:
        if row.is_control:
            fields.append(validate.EditorField(tag=row.tag, data=row.value.strip("\r\n")))
        else:
            fields.append(
                validate.EditorField(
                    tag=row.tag,
                    ind1=row.ind1,
                    ind2=row.ind2,
                    subfields=parse_subfields(row.value) or [],
                )
            )
    return fields


def validate_rows(leader: str, rows: list[EditorRow]) -> list[str]:
    """Put each problem next to its row (`row.errors`); return those of the whole record.

    The rules are `catalog.marc.validate`'s; the editor adds only the one about its own
    notation: a data field's text starts with a subfield code."""
    for row in rows:
        row.errors = []
        if not row.is_control and row.value.strip() and parse_subfields(row.value) is None:
            row.errors.append(_("Nội dung phải bắt đầu bằng mã trường con, ví dụ «$a Nhan đề»."))
    # Rows with a malformed tag get the editor's own message and stay out of the validator,
    # which expects a tag it can name.
    checked = []
    for row in rows:
        if len(row.tag) == 3 and row.tag.isascii() and row.tag.isalnum():
            checked.append(row)
        else:
            row.errors.append(
                _("Nhãn trường «%(tag)s» sai: nhãn gồm đúng 3 chữ số (hoặc chữ cái), ví dụ 245.")
                % {"tag": row.tag}
            )
    problems = []
    fields = editor_fields(checked)
    try:
        found = validate.validate_fields(leader, fields)
    except (TypeError, ValueError, KeyError):
        # The shared validator failed on this input: apply the editor's own copy of the rules
        # rather than answer with a server error.
        found = _basic_rules(leader, fields)
    for error in found:
        if error.position is not None and 0 < error.position <= len(checked):
            row = checked[error.position - 1]
            if row.errors and error.code == "subfield" and not parse_subfields(row.value):
                continue
            row.errors.append(error.message)
        else:
            problems.append(error.message)
    return problems


def _basic_rules(leader: str, fields: list) -> list:
    """The essential MARC checks (leader, indicators, subfields, 245 $a, 020 ISBN)."""
    from catalog.marc.isbn import is_valid

    found = []

    def add(position, code, message):
        found.append(validate.FieldError(position, "", message, code))

    if len(leader or "") != 24:
        add(
            None,
            "leader",
            _("Leader phải dài đúng 24 ký tự (hiện có %(n)d).") % {"n": len(leader or "")},
        )
    has_title = False
    for position, f in enumerate(fields, start=1):
        if f.is_control:
            if not (f.data or "").strip():
                add(position, "length", _("Trường %(tag)s không có dữ liệu.") % {"tag": f.tag})
            continue
        for number, value in ((1, f.ind1), (2, f.ind2)):
            if len(value or "") != 1 or value not in validate.INDICATOR_CHARS:
                add(
                    position,
                    "indicator",
                    _("Chỉ thị %(n)d «%(value)s» sai: dùng một chữ số, chữ thường hoặc # (trống).")
                    % {"n": number, "value": value},
                )
        if not f.subfields:
            add(position, "subfield", _("Trường %(tag)s chưa có trường con nào.") % {"tag": f.tag})
        for code, value in f.subfields:
            if len(code or "") != 1 or code not in validate.SUBFIELD_CODE_CHARS:
                add(position, "subfield", _("Mã trường con «$%(code)s» sai.") % {"code": code})
            elif not (value or "").strip():
                add(position, "subfield", _("Trường con $%(code)s đang trống.") % {"code": code})
            elif f.tag == "020" and code == "a" and not is_valid(value):
                add(
                    position,
                    "isbn",
                    _("Trường 020 $a: ISBN «%(value)s» sai số kiểm tra; sửa lại hoặc ghi vào $z.")
                    % {"value": value},
                )
        if f.tag == "245":
            has_title = any(c == "a" and (v or "").strip() for c, v in f.subfields)
            if not has_title:
                add(position, "required", _("Trường 245 phải có nhan đề ở $a."))
    if not any(f.tag == "245" for f in fields):
        add(None, "required", _("Thiếu trường 245 (nhan đề): hãy thêm 245 với $a."))
    return found


def rows_to_marc(leader: str, rows: list[EditorRow]) -> pymarc.Record:
    return validate.fields_to_record(leader, editor_fields(rows))


@librarian_required
@require_http_methods(["GET", "POST"])
def record_marc(request, pk: int | None = None):
    from catalog import services

    record = get_object_or_404(Record.objects.discoverable(), pk=pk) if pk else None
    problems: list[str] = []
    if request.method == "POST":
        leader, rows = editor_rows_from_post(request.POST)
        if "add_rows" in request.POST:
            rows.extend(EditorRow() for _n in range(5))
            return _render(request, record, leader, rows, problems, extra=0)
        problems = validate_rows(leader, rows)
        if not problems and not any(row.errors for row in rows):
            try:
                saved = services.record_save(
                    marc=rows_to_marc(leader, rows), record=record, actor=request.user
                )
            except CatalogError as error:
                problems.append(str(error))
            else:
                messages.success(
                    request, _("Đã lưu biểu ghi MARC “%(title)s”.") % {"title": saved.title}
                )
                return redirect("catalog:record_detail", pk=saved.pk)
        return _render(request, record, leader, rows, problems, status=400)
    if record is not None:
        marc = services.record_marc(record)
        leader, rows = str(marc.leader), rows_from_marc(marc)
    else:
        leader = DEFAULT_LEADER
        rows = [EditorRow(tag="245", ind1="0", ind2="0", value="$a ")]
    return _render(request, record, leader, rows, problems)


def _render(request, record, leader, rows, problems, extra=BLANK_ROWS, status=200):
    rows = list(rows) + [EditorRow() for _n in range(extra)]
    return render(
        request,
        "catalog/staff/marc_editor.html",
        {
            "record": record,
            "leader": leader,
            "rows": rows,
            "row_count": len(rows),
            "problems": problems,
            "has_errors": bool(problems) or any(row.errors for row in rows),
        },
        status=status,
    )
