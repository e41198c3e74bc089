"""Writers: ISO 2709 (UTF-8), MARCXML and a flat CSV of `RecordData`.

All three stream: records are written one by one, never gathered in memory.

Characters that cannot be written as they are:
- ISO 2709: the structural bytes 0x1D, 0x1E and 0x1F inside a value would cut the record,
  so they are removed from values (and from the leader, where they become spaces).
- MARCXML: XML 1.0 forbids U+0000-U+0008, U+000B, U+000C, U+000E-U+001F, the surrogates
  U+D800-U+DFFF and U+FFFE/U+FFFF. They are removed from values, tags and codes; in the
  leader each becomes a space so it keeps its 24 positions. (pymarc's XMLWriter writes them
  through and the file is no longer XML.)
- CSV: values that Excel would run as a formula (starting with =, +, @, or - not followed
  by a digit or space) get a leading apostrophe.
"""

import csv
import io
import re
from collections.abc import Iterable
from typing import BinaryIO, TextIO
from xml.sax.saxutils import escape, quoteattr

import pymarc

from catalog.exceptions import MarcWriteError
from catalog.marc._i18n import _
from catalog.marc.mapping import RecordData

MARCXML_NS = "http://www.loc.gov/MARC21/slim"
_STRUCTURAL = re.compile("[\x1d\x1e\x1f]")
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_FORMULA = re.compile(r"^(?:[=+@\t\r]|-(?![\d\s]))")


def _leader_for_output(leader: str, illegal: re.Pattern) -> str:
    leader = illegal.sub(" ", str(leader))
    leader = (leader + " " * 24)[:24]
    return leader[:9] + "a" + leader[10:]


def record_to_iso2709(record: pymarc.Record) -> bytes:
    """One record as ISO 2709 in UTF-8, with leader/09 'a' and lengths recomputed."""
    directory = []
    body = []
    offset = 0
    for f in record.fields:
        tag = str(f.tag)
        if f.control_field:
            data = _STRUCTURAL.sub("", f.data or "").encode("utf-8") + b"\x1e"
        else:
            ind = "".join(_STRUCTURAL.sub(" ", i or " ")[:1] or " " for i in f.indicators or "  ")
            parts = [ind]
            for code, value in f.subfields:
                code = _STRUCTURAL.sub("", code)[:1] or " "
                parts.append("\x1f" + code + _STRUCTURAL.sub("", value or ""))
            data = "".join(parts).encode("utf-8") + b"\x1e"
        if len(data) > 9999:
            raise MarcWriteError(
                _("Trường %(tag)s dài %(n)d byte, quá giới hạn 9.999 byte của ISO 2709.")
                % {"tag": tag, "n": len(data)}
            )
        if len(tag) != 3 or not tag.isascii():
            raise MarcWriteError(_("Thẻ trường sai: %(tag)r.") % {"tag": tag})
        directory.append(f"{tag}{len(data):04d}{offset:05d}")
        body.append(data)
        offset += len(data)
    dir_bytes = "".join(directory).encode("ascii") + b"\x1e"
    base = 24 + len(dir_bytes)
    length = base + offset + 1
    if length > 99999 or offset > 99999:
        raise MarcWriteError(
            _("Bản ghi dài %(n)d byte, quá giới hạn 99.999 byte của ISO 2709; hãy xuất MARCXML.")
            % {"n": length}
        )
    leader = _leader_for_output(record.leader, _STRUCTURAL)
    leader = f"{length:05d}{leader[5:12]}{base:05d}{leader[17:]}"
    return leader.encode("ascii", "replace") + dir_bytes + b"".join(body) + b"\x1d"


def write_iso2709(records: Iterable[pymarc.Record], stream: BinaryIO) -> int:
    """Write records as ISO 2709 (UTF-8); return how many were written."""
    count = 0
    for record in records:
        stream.write(record_to_iso2709(record))
        count += 1
    return count


def _x(text: str) -> str:
    return escape(_XML_ILLEGAL.sub("", text or ""))


def _attr(text: str) -> str:
    return quoteattr(_XML_ILLEGAL.sub("", text or ""))


def record_to_marcxml(record: pymarc.Record) -> str:
    """One `<record>` element (no namespace declaration) as text."""
    out = ["<record>", f"<leader>{_x(_leader_for_output(record.leader, _XML_ILLEGAL))}</leader>"]
    for f in record.fields:
        if f.control_field:
            out.append(f"<controlfield tag={_attr(str(f.tag))}>{_x(f.data)}</controlfield>")
            continue
        ind1, ind2 = (f.indicators or (" ", " "))[:2]
        out.append(f"<datafield tag={_attr(str(f.tag))} ind1={_attr(ind1)} ind2={_attr(ind2)}>")
        for code, value in f.subfields:
            out.append(f"<subfield code={_attr(code)}>{_x(value)}</subfield>")
        out.append("</datafield>")
    out.append("</record>")
    return "".join(out)


def write_marcxml(records: Iterable[pymarc.Record], stream: BinaryIO | TextIO) -> int:
    """Write a MARCXML `<collection>`, one record at a time; return how many were written."""
    text = isinstance(stream, io.TextIOBase)

    def put(s: str) -> None:
        stream.write(s if text else s.encode("utf-8"))

    put(f'<?xml version="1.0" encoding="UTF-8"?>\n<collection xmlns="{MARCXML_NS}">\n')
    count = 0
    for record in records:
        put(record_to_marcxml(record) + "\n")
        count += 1
    put("</collection>\n")
    return count


CSV_COLUMNS = (
    ("control_number", "Số kiểm soát (001)"),
    ("control_number_identifier", "Mã cơ quan (003)"),
    ("title", "Nhan đề"),
    ("title_statement", "Thông tin trách nhiệm"),
    ("authors", "Tác giả"),
    ("main_author", "Tác giả chính"),
    ("publisher", "Nhà xuất bản"),
    ("place", "Nơi xuất bản"),
    ("year", "Năm xuất bản"),
    ("edition", "Lần xuất bản"),
    ("isbns", "ISBN"),
    ("invalid_isbns", "ISBN sai"),
    ("languages", "Ngôn ngữ"),
    ("classification_scheme", "Khung phân loại"),
    ("classification", "Ký hiệu phân loại"),
    ("subjects", "Chủ đề / từ khóa"),
    ("series", "Tùng thư"),
    ("grade_levels", "Lớp"),
    ("mon_hoc", "Môn học"),
    ("textbook_series", "Bộ sách giáo khoa"),
    ("links", "Liên kết"),
    ("record_type", "Loại tài liệu"),
    ("physical_description", "Mô tả vật lý"),
    ("pages", "Số trang"),
    ("notes", "Phụ chú"),
)
LIST_SEPARATOR = " | "


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        items = []
        for item in value:
            if isinstance(item, tuple):
                items.append(" ".join(str(p) for p in item if p))
            else:
                items.append(str(item))
        value = LIST_SEPARATOR.join(items)
    text = str(value)
    if _FORMULA.match(text):
        text = "'" + text
    return text


def write_csv(rows: Iterable[RecordData], stream: BinaryIO | TextIO) -> int:
    """Write a flat CSV (UTF-8 with BOM so Excel reads Vietnamese; lists joined by " | ")
    with a Vietnamese header row; return how many rows were written."""
    if isinstance(stream, io.TextIOBase):
        out, wrapper = stream, None
        out.write("\ufeff")
    else:
        wrapper = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="", write_through=True)
        out = wrapper
    writer = csv.writer(out)
    writer.writerow([label for _key, label in CSV_COLUMNS])
    count = 0
    for row in rows:
        writer.writerow([_cell(getattr(row, key)) for key, _label in CSV_COLUMNS])
        count += 1
    if wrapper is not None:
        wrapper.flush()
        wrapper.detach()
    return count
