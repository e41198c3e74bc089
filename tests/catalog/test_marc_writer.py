import csv
import io

import pymarc
import pytest
from lxml import etree
from pymarc import Field, Indicators, Subfield

from catalog.exceptions import MarcWriteError
from catalog.marc.mapping import RecordData, record_to_data
from catalog.marc.reader import read_marc
from catalog.marc.writer import write_csv, write_iso2709, write_marcxml

from .marc_files import field_signature, needs_real_files, real_files


def readable_records(path):
    return [r.record for r in read_marc(path) if r.ok]


def leader_core(record) -> str:
    # positions 00-04 and 12-16 are lengths, recomputed on write
    leader = str(record.leader)
    return leader[5:12] + leader[17:]


def files_with_readable_records() -> list:
    # Files whose every record is broken have nothing to round-trip; the reader tests
    # cover their per-record errors.
    return [path for path in real_files() if readable_records(path)]


@needs_real_files
@pytest.mark.parametrize("path", files_with_readable_records(), ids=lambda p: str(p.name))
@pytest.mark.parametrize("writer", [write_iso2709, write_marcxml], ids=["iso2709", "marcxml"])
def test_round_trip_keeps_every_field_indicator_and_subfield(path, writer):
    records = readable_records(path)
    out = io.BytesIO()
    assert writer(records, out) == len(records)
    again = list(read_marc(io.BytesIO(out.getvalue())))
    assert [r.error for r in again] == [None] * len(records)
    assert [field_signature(r.record) for r in again] == [field_signature(r) for r in records]
    assert [leader_core(r.record) for r in again] == [leader_core(r) for r in records]


def record_with_control_characters() -> pymarc.Record:
    rec = pymarc.Record(leader="     nam a22     7a 4500")
    rec.leader = pymarc.Leader("00000nam\x01a22\x1e\x02\x00007a 4500")
    rec.add_field(Field(tag="001", data="x\x0by"))
    rec.add_field(
        Field(
            tag="245",
            indicators=Indicators("1", "0"),
            subfields=[Subfield("a", "Toán\x1f 6\x1d \x02lớp \ufffe6")],
        )
    )
    return rec


def test_marcxml_is_well_formed_with_control_characters_in_leader_and_data():
    out = io.BytesIO()
    write_marcxml([record_with_control_characters()], out)
    root = etree.fromstring(out.getvalue())
    ns = {"m": "http://www.loc.gov/MARC21/slim"}
    leader = root.find("m:record/m:leader", ns).text
    assert len(leader) == 24 and leader[9] == "a"
    assert root.find("m:record/m:datafield/m:subfield", ns).text == "Toán 6 lớp 6"


def test_iso2709_strips_structural_characters_and_recomputes_lengths():
    out = io.BytesIO()
    write_iso2709([record_with_control_characters()], out)
    data = out.getvalue()
    assert int(data[:5]) == len(data)
    assert data[9:10] == b"a"
    result = next(pymarc.MARCReader(data))
    assert result["245"]["a"] == "Toán 6 \x02lớp \ufffe6"


def test_writer_to_a_text_stream():
    out = io.StringIO()
    write_marcxml([record_with_control_characters()], out)
    assert out.getvalue().startswith('<?xml version="1.0" encoding="UTF-8"?>')


def test_oversized_field_is_refused_with_a_clear_error():
    rec = pymarc.Record()
    rec.add_field(
        Field(tag="520", indicators=Indicators(" ", " "), subfields=[Subfield("a", "x" * 10000)])
    )
    with pytest.raises(MarcWriteError, match="9.999"):
        write_iso2709([rec], io.BytesIO())


def test_writers_stream_from_a_generator():
    def records():
        for i in range(3):
            rec = pymarc.Record()
            rec.add_field(Field(tag="001", data=str(i)))
            rec.add_field(
                Field(
                    tag="245",
                    indicators=Indicators("0", "0"),
                    subfields=[Subfield("a", f"Sách {i}")],
                )
            )
            yield rec

    out = io.BytesIO()
    assert write_iso2709(records(), out) == 3
    assert [r.record["001"].data for r in read_marc(io.BytesIO(out.getvalue()))] == ["0", "1", "2"]


def test_csv_has_bom_vietnamese_header_lists_joined_and_formulas_defused():
    rows = [
        RecordData(
            title="Toán 6",
            authors=["Hà Huy Khoái", "Nguyễn Huy Đoan"],
            year=2021,
            grade_levels=[6, 7],
            links=[("http://x.example/a", "Bản điện tử")],
        ),
        RecordData(title='=HYPERLINK("http://evil")', notes=["-2 is fine", "-x"]),
    ]
    out = io.BytesIO()
    assert write_csv(rows, out) == 2
    raw = out.getvalue()
    assert raw.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    header = table[0]
    assert header[header.index("Nhan đề")] == "Nhan đề"
    first = dict(zip(header, table[1], strict=True))
    assert first["Nhan đề"] == "Toán 6"
    assert first["Tác giả"] == "Hà Huy Khoái | Nguyễn Huy Đoan"
    assert first["Lớp"] == "6 | 7"
    assert first["Năm xuất bản"] == "2021"
    assert first["Liên kết"] == "http://x.example/a Bản điện tử"
    second = dict(zip(header, table[2], strict=True))
    assert second["Nhan đề"].startswith("'=")
    assert second["Phụ chú"] == "-2 is fine | -x"


def test_csv_to_a_text_stream_writes_the_bom_once():
    out = io.StringIO()
    write_csv([RecordData(title="Tiếng Việt")], out)
    assert out.getvalue().count("\ufeff") == 1


@needs_real_files
def test_csv_of_real_records():
    from .marc_files import real_file

    rows = [
        record_to_data(r) for r in readable_records(real_file("nlnz/NLNZ_100_example_marc.marc"))
    ]
    out = io.BytesIO()
    assert write_csv(rows, out) == len(rows)
    assert len(list(csv.reader(io.StringIO(out.getvalue().decode("utf-8-sig"))))) == len(rows) + 1
