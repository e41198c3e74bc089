"""Checks for the MARC editor: each problem is a `FieldError` that names the field's
position (1-based, None for the leader or the record as a whole) and tag, and says in
Vietnamese what to fix.

Rules: leader of 24 characters; tags of 3 ASCII digits or letters; control fields (00X)
with data and no subfields; data fields with two indicators, each one character that is a
digit, a lowercase letter or a blank, and at least one subfield; subfield codes of one
lowercase letter or digit with a value; 245 present once with $a; 001/003/005/008 not
repeated; 008 of 40 characters; every 020 $a a valid ISBN (020 $z holds invalid ones).
"""

from dataclasses import dataclass, field

import pymarc
from pymarc import Field, Indicators, Subfield

from catalog.marc._i18n import _
from catalog.marc.isbn import is_valid

INDICATOR_CHARS = frozenset("0123456789abcdefghijklmnopqrstuvwxyz ")
SUBFIELD_CODE_CHARS = frozenset("0123456789abcdefghijklmnopqrstuvwxyz")
NON_REPEATABLE = ("001", "003", "005", "008", "245")


@dataclass
class EditorField:
    tag: str
    ind1: str = " "
    ind2: str = " "
    subfields: list[tuple[str, str]] = field(default_factory=list)
    data: str | None = None  # control fields (00X) only

    def __post_init__(self) -> None:
        # MARC21 documentation writes a blank indicator as "#"; librarians type it that way.
        self.ind1 = " " if self.ind1 == "#" else self.ind1
        self.ind2 = " " if self.ind2 == "#" else self.ind2

    @property
    def is_control(self) -> bool:
        return self.tag.isdigit() and self.tag < "010"


@dataclass(frozen=True)
class FieldError:
    position: int | None
    tag: str
    message: str
    code: str  # "leader", "tag", "indicator", "subfield", "required", "repeated", "isbn", "length"


def _is_tag(tag: str) -> bool:
    return len(tag) == 3 and tag.isascii() and tag.isalnum()


def validate_fields(leader: str, fields: list[EditorField]) -> list[FieldError]:
    errors: list[FieldError] = []

    def error(at, field_tag, kind, message, /, **params):
        errors.append(FieldError(at, field_tag, message % params if params else message, kind))

    if len(leader or "") != 24:
        error(
            None,
            "LDR",
            "leader",
            _("Leader phải dài đúng 24 ký tự (hiện có %(n)d)."),
            n=len(leader or ""),
        )
    seen: dict[str, int] = {}
    for position, f in enumerate(fields, start=1):
        tag = f.tag or ""
        if not _is_tag(tag):
            error(
                position,
                tag,
                "tag",
                _(
                    "Trường thứ %(pos)d: thẻ %(tag)r sai — thẻ gồm đúng 3 chữ số (hoặc chữ cái), ví dụ 245."
                ),
                pos=position,
                tag=tag,
            )
            continue
        seen[tag] = seen.get(tag, 0) + 1
        if tag in NON_REPEATABLE and seen[tag] == 2:
            error(
                position,
                tag,
                "repeated",
                _("Trường %(tag)s không được lặp lại: hãy xóa bản thừa."),
                tag=tag,
            )
        if f.is_control:
            if f.subfields:
                error(
                    position,
                    tag,
                    "subfield",
                    _("Trường %(tag)s là trường kiểm soát: chỉ có dữ liệu, không có trường con."),
                    tag=tag,
                )
            if not (f.data or "").strip():
                error(position, tag, "length", _("Trường %(tag)s không có dữ liệu."), tag=tag)
            if tag == "008" and f.data is not None and len(f.data) != 40:
                error(
                    position,
                    tag,
                    "length",
                    _("Trường 008 phải dài đúng 40 ký tự (hiện có %(n)d)."),
                    n=len(f.data),
                )
            continue
        for number, value in ((1, f.ind1), (2, f.ind2)):
            if value is None or len(value) != 1 or value not in INDICATOR_CHARS:
                error(
                    position,
                    tag,
                    "indicator",
                    _(
                        "Trường %(tag)s: chỉ thị %(n)d là %(value)r — phải là 1 ký tự: chữ số, chữ thường hoặc khoảng trắng."
                    ),
                    tag=tag,
                    n=number,
                    value=value,
                )
        if not f.subfields:
            error(position, tag, "subfield", _("Trường %(tag)s chưa có trường con nào."), tag=tag)
        for code, value in f.subfields:
            if len(code or "") != 1 or code not in SUBFIELD_CODE_CHARS:
                error(
                    position,
                    tag,
                    "subfield",
                    _(
                        "Trường %(tag)s: mã trường con %(code)r sai — phải là 1 chữ thường hoặc chữ số."
                    ),
                    tag=tag,
                    code=code,
                )
            elif not (value or "").strip():
                error(
                    position,
                    tag,
                    "subfield",
                    _(
                        "Trường %(tag)s: trường con $%(code)s đang trống — hãy nhập giá trị hoặc xóa nó."
                    ),
                    tag=tag,
                    code=code,
                )
            elif tag == "020" and code == "a" and not is_valid(value):
                error(
                    position,
                    tag,
                    "isbn",
                    _(
                        "Trường 020 $a: ISBN %(value)r sai số kiểm tra — hãy kiểm tra lại, hoặc ghi vào $z nếu đúng như in trên sách."
                    ),
                    value=value,
                )
        if tag == "245" and not any(c == "a" and (v or "").strip() for c, v in f.subfields):
            error(position, tag, "required", _("Trường 245 phải có nhan đề ở $a."))
    if "245" not in seen:
        error(None, "245", "required", _("Thiếu trường 245 (nhan đề): hãy thêm 245 với $a."))
    return errors


def fields_to_record(leader: str, fields: list[EditorField]) -> pymarc.Record:
    """Build the record the editor shows (validate first); leader/09 becomes 'a'."""
    leader = ((leader or "") + " " * 24)[:24]
    record = pymarc.Record(leader=leader[:9] + "a" + leader[10:])
    for f in fields:
        if f.is_control:
            record.add_field(Field(tag=f.tag, data=f.data or ""))
        else:
            record.add_field(
                Field(
                    tag=f.tag,
                    indicators=Indicators((f.ind1 or " ")[:1], (f.ind2 or " ")[:1]),
                    subfields=[Subfield(code, value) for code, value in f.subfields],
                )
            )
    return record


def record_to_fields(rec: pymarc.Record) -> list[EditorField]:
    """The fields of `rec` for the editor (the leader is `str(rec.leader)`)."""
    out = []
    for f in rec.fields:
        if f.control_field:
            out.append(EditorField(tag=f.tag, data=f.data))
        else:
            ind1, ind2 = f.indicators or (" ", " ")
            out.append(
                EditorField(
                    tag=f.tag,
                    ind1=ind1,
                    ind2=ind2,
                    subfields=[(code, value) for code, value in f.subfields],
                )
            )
    return out
