import io
import tracemalloc
import unicodedata

import pymarc
import pytest
from pymarc import Field, Indicators, Subfield

from catalog.exceptions import MarcFormatError
from catalog.marc.reader import read_marc
from catalog.marc.writer import record_to_iso2709
from library.core.vietnamese import unicode_to_legacy

from .marc_files import field_signature, needs_real_files, real_file, real_files


def raw_record(fields: list[tuple[str, bytes]], leader9: str = " ", status: str = "n") -> bytes:
    """ISO 2709 bytes with a correct directory; field data given as raw bytes."""
    directory, body, offset = b"", b"", 0
    for tag, data in fields:
        data += b"\x1e"
        directory += f"{tag}{len(data):04d}{offset:05d}".encode()
        body += data
        offset += len(data)
    directory += b"\x1e"
    base = 24 + len(directory)
    length = base + len(body) + 1
    leader = f"{length:05d}{status}am{' '}{leader9}22{base:05d} a 4500".encode()
    assert len(leader) == 24
    return leader + directory + body + b"\x1d"


def book(title: str, control: str = "1") -> bytes:
    rec = pymarc.Record(leader="     nam a22     7a 4500")
    rec.add_field(Field(tag="001", data=control))
    rec.add_field(
        Field(tag="245", indicators=Indicators("1", "0"), subfields=[Subfield("a", title)])
    )
    return record_to_iso2709(rec)


def read_bytes(data: bytes):
    return list(read_marc(io.BytesIO(data)))


def title(result) -> str:
    return result.record["245"]["a"]


# --------------------------------------------------------------------------------------------
# Every real file


@needs_real_files
@pytest.mark.parametrize("path", real_files(), ids=lambda p: str(p.name))
def test_every_real_file_reads_without_raising_and_reports_each_record(path):
    results = list(read_marc(path))
    assert results, "a MARC file yields at least one result"
    assert [r.index for r in results] == list(range(1, len(results) + 1))
    for result in results:
        assert result.record is not None or result.error
        if result.record is not None:
            assert str(result.record.leader)[9] == "a"
            for f in result.record.fields:
                values = [f.data] if f.control_field else [v for _c, v in f.subfields]
                for value in values:
                    assert unicodedata.is_normalized("NFC", value)
                    assert not any(ord(c) < 0x20 and c not in "\t\n" for c in value)


KNOWN_BROKEN = {
    "pymarc/bad_indicator.dat": "Chỉ thị sai",
    "pymarc/bad_subfield_code.dat": "Mã trường con sai",
    "pymarc/bad_marc8_escape.dat": "Mã thoát MARC-8 sai",
    "pymarc/utf8_invalid.mrc": "UTF-8 không hợp lệ",
    "pymarc/bad_eacc_encoding.dat": "MARC-8",
    "pymarc/bad_tag.xml": "Thẻ trường sai",
    "pymarc/testunimarc.dat": "UNIMARC",
    "openlibrary/bin/talis_no_title.mrc": "Thiếu trường 245",
    "openlibrary/bin/talis_no_title2.mrc": "Thiếu trường 245",
    "openlibrary/bin/talis_740.mrc": "Thiếu trường 245",
    "openlibrary/bin/talis_multi_work_tiles.mrc": "Thiếu trường 245",
    "openlibrary/bin/talis_empty_245.mrc": "245 không có nhan đề",
    "openlibrary/bin/wrapped_lines.mrc": "không có mã trường con",
    "openlibrary/bin/upei_short_008.mrc": "thiếu chỉ thị",
}


@needs_real_files
@pytest.mark.parametrize(("relative", "reason"), sorted(KNOWN_BROKEN.items()))
def test_known_broken_real_files_give_a_clear_per_record_error(relative, reason):
    results = list(read_marc(real_file(relative)))
    assert len(results) == 1
    assert results[0].error and reason in results[0].error


@needs_real_files
def test_records_without_245_keep_the_record_so_the_report_can_show_001():
    result = list(read_marc(real_file("openlibrary/bin/talis_no_title.mrc")))[0]
    assert result.record is not None
    assert result.record["001"].data


@needs_real_files
def test_bad_records_file_reports_each_record_and_goes_on():
    results = list(read_marc(real_file("pymarc/bad_records.mrc")))
    assert len(results) == 8
    assert results[0].ok and results[-1].ok
    assert title(results[0]).startswith("The pragmatic programmer")
    # a wrong base address is repaired from where the directory really ends
    assert results[1].ok and "Địa chỉ dữ liệu" in results[1].warnings[0]
    assert "Thư mục hỏng" in results[3].error
    assert "Thư mục hỏng" in results[4].error
    assert "không có trường nào" in results[6].error
    assert [r.offset for r in results][:2] == [0, 127]


@needs_real_files
def test_cp1251_file_is_not_taken_for_marc8_or_legacy_vietnamese():
    results = list(read_marc(real_file("pymarc/1251.dat")))
    assert len(results) == 6
    assert all("MARC-8" in r.error for r in results)


@needs_real_files
def test_lying_leader_flag_utf8_data_is_read_as_utf8():
    without = list(read_marc(real_file("pymarc/utf8_without_leader_flag.dat")))[0]
    with_flag = list(read_marc(real_file("pymarc/utf8_with_leader_flag.dat")))[0]
    assert without.ok
    assert any("leader/09 ghi MARC-8 nhưng dữ liệu là UTF-8" in w for w in without.warnings)
    assert "communauté" in without.record["240"]["a"]
    assert field_signature(without.record) == field_signature(with_flag.record)


@needs_real_files
def test_marc8_file_is_decoded_like_pymarc_and_nfc():
    ours = list(read_marc(real_file("pymarc/marc8.dat")))[0]
    theirs = next(pymarc.MARCReader(real_file("pymarc/marc8.dat").read_bytes()))
    assert ours.ok
    assert [unicodedata.normalize("NFC", v) for v in theirs["245"].subfields_as_dict()["a"]] == [
        ours.record["245"]["a"]
    ]


@needs_real_files
def test_nlnz_1000_reads_every_record_with_its_offset():
    path = real_file("nlnz/NLNZ_1000_example_marc.marc")
    results = list(read_marc(path))
    assert len(results) == 1001
    assert not [r for r in results if r.error]
    data = path.read_bytes()
    for result in results[:50]:
        assert (
            data[result.offset : result.offset + 5]
            == str(len(result.record.as_marc())).zfill(5).encode()
            or data[result.offset : result.offset + 5].isdigit()
        )


@needs_real_files
def test_marcxml_collection_matches_pymarc_count_and_gives_line_numbers():
    path = real_file("pymarc/batch.xml")
    results = list(read_marc(path))
    assert len(results) == len(pymarc.parse_xml_to_array(str(path)))
    assert all(r.ok for r in results)
    assert all(r.offset is None and r.line for r in results)
    assert results[0].line < results[1].line


@needs_real_files
def test_openlibrary_stale_record_length_is_read_by_field_terminators():
    result = list(read_marc(real_file("openlibrary/bin/dasrmischepriv00rein_meta.mrc")))[0]
    assert result.ok
    assert any("Độ dài trong leader" in w for w in result.warnings)
    assert result.record["260"]["a"].startswith("Leipzig")


# --------------------------------------------------------------------------------------------
# Broken files built here


def test_truncated_last_record_is_an_error_and_earlier_records_read():
    data = book("Một") + book("Hai " * 30)[:-40]
    results = read_bytes(data)
    assert len(results) == 2
    assert results[0].ok and title(results[0]) == "Một"
    assert "cắt cụt" in results[1].error


def test_bad_directory_in_the_middle_does_not_stop_the_file():
    broken = bytearray(book("Hai", "2"))
    broken[24:27] = b"2\xff5"  # a tag with a non-ASCII byte
    results = read_bytes(book("Một") + bytes(broken) + book("Ba", "3"))
    assert [r.ok for r in results] == [True, False, True]
    assert "Thư mục hỏng" in results[1].error
    assert title(results[2]) == "Ba"


def test_garbage_between_records_is_skipped_with_a_warning():
    results = read_bytes(book("Một") + b"\x00\x13rubbish! not marc " + book("Hai"))
    assert [r.ok for r in results] == [True, True]
    assert "bỏ qua" in results[1].warnings[0]
    assert title(results[1]) == "Hai"


def test_garbage_with_a_terminator_is_its_own_error_and_the_rest_goes_on():
    results = read_bytes(book("Một") + b"garbage\x1d" + book("Hai"))
    assert [r.ok for r in results] == [True, False, True]
    assert "Không phải bản ghi MARC" in results[1].error
    assert title(results[2]) == "Hai"
    assert results[2].index == 3


def test_trailing_blank_padding_is_not_a_record():
    assert len(read_bytes(book("Một") + b"   \n\n  ")) == 1


def test_invalid_utf8_in_a_utf8_record_is_an_error_naming_the_field():
    data = raw_record(
        [("001", b"42"), ("245", b"10\x1faTi\xe1\xba\xbfng Vi\xff\xbft"), ("500", b"  \x1faok")],
        leader9="a",
    )
    result = read_bytes(data)[0]
    assert "UTF-8 không hợp lệ ở trường 245" in result.error
    assert result.record["001"].data == "42"


def test_leader_says_utf8_but_data_is_marc8():
    data = raw_record([("245", b"10\x1faSoci\xe2et\xe2e linn\xe2eenne")], leader9="a")
    result = read_bytes(data)[0]
    assert result.ok
    assert result.record["245"]["a"] == "Société linnéenne"
    assert any("đã đọc như MARC-8" in w for w in result.warnings)


def test_bad_marc8_escape_is_an_error():
    data = raw_record([("245", b"10\x1faSoci\x1btet\xe2e")])
    assert "Mã thoát MARC-8 sai ở trường 245" in read_bytes(data)[0].error


def test_tcvn3_title_in_a_marc8_record_is_converted():
    legacy = unicode_to_legacy("Tiếng Việt lớp sáu", "tcvn3").encode("latin-1")
    data = raw_record([("008", b" " * 35 + b"vie  "), ("245", b"10\x1fa" + legacy)])
    result = read_bytes(data)[0]
    assert result.ok
    assert result.record["245"]["a"] == "Tiếng Việt lớp sáu"
    assert any("TCVN3" in w for w in result.warnings)


def test_tcvn3_mojibake_inside_a_utf8_record_is_repaired_by_clean():
    mojibake = unicode_to_legacy("Sách giáo khoa Tiếng Việt", "tcvn3")
    result = read_bytes(book(mojibake))[0]
    assert title(result) == "Sách giáo khoa Tiếng Việt"
    assert any("TCVN3" in w for w in result.warnings)


def test_western_names_are_not_repaired_as_legacy_in_a_non_vietnamese_record():
    data = raw_record(
        [("008", b" " * 35 + b"eng  "), ("100", "1 \x1faMcMahon, Seán".encode())], leader9="a"
    )
    result = read_bytes(data)[0]
    assert result.record["100"]["a"] == "McMahon, Seán"


def test_nfd_input_comes_out_nfc():
    nfd = unicodedata.normalize("NFD", "Toán lớp 6")
    result = read_bytes(book(nfd))[0]
    assert title(result) == "Toán lớp 6"


def test_utf8_record_with_blank_leader_flag_is_not_mojibake():
    data = raw_record([("245", "10\x1faToán lớp 6".encode())], leader9=" ")
    result = read_bytes(data)[0]
    assert title(result) == "Toán lớp 6"
    assert str(result.record.leader)[9] == "a"


def test_control_characters_in_the_leader_become_spaces():
    data = bytearray(book("Một"))
    data[18] = 0x01
    result = read_bytes(bytes(data))[0]
    assert str(result.record.leader)[18] == " "
    assert any("Leader" in w for w in result.warnings)


def test_non_marc_file_is_refused_with_a_clear_error():
    with pytest.raises(MarcFormatError):
        read_bytes(b"%PDF-1.7\n" + b"\x00" * 1000)
    with pytest.raises(MarcFormatError):
        read_bytes(b"<html><body>not marc</body></html>")


def test_empty_file_gives_no_records():
    assert read_bytes(b"") == []


def test_text_mode_file_is_refused():
    with pytest.raises(MarcFormatError):
        list(read_marc(io.StringIO("00000")))


# --------------------------------------------------------------------------------------------
# MARCXML


XML_RECORD = """<record{ns}>
  <leader>00000nam a2200000 a 4500</leader>
  <controlfield tag="001">{control}</controlfield>
  <datafield tag="245" ind1="1" ind2="0"><subfield code="a">{title}</subfield></datafield>
</record>"""


@pytest.mark.parametrize(
    "document",
    [
        XML_RECORD.format(ns="", control="1", title="Toán 6"),
        XML_RECORD.format(
            ns=' xmlns="http://www.loc.gov/MARC21/slim"', control="1", title="Toán 6"
        ),
        '<collection xmlns="http://www.loc.gov/MARC21/slim">'
        + XML_RECORD.format(ns="", control="1", title="Toán 6")
        + "</collection>",
        "<collection>" + XML_RECORD.format(ns="", control="1", title="Toán 6") + "</collection>",
        '<?xml version="1.0"?>\n<m:collection xmlns:m="http://www.loc.gov/MARC21/slim">'
        + XML_RECORD.format(ns="", control="1", title="Toán 6")
        .replace("<", "<m:")
        .replace("<m:/", "</m:")
        + "</m:collection>",
    ],
    ids=["bare", "bare-ns", "collection-ns", "collection", "prefixed"],
)
def test_marcxml_with_or_without_namespace(document):
    results = read_bytes(document.encode())
    assert len(results) == 1
    assert results[0].ok
    assert title(results[0]) == "Toán 6"


def test_malformed_xml_reports_the_line_after_the_good_records():
    good = XML_RECORD.format(ns="", control="1", title="Một")
    document = f"<collection>\n{good}\n<record><leader>broken</record>\n</collection>"
    results = read_bytes(document.encode())
    assert results[0].ok
    assert "XML hỏng ở dòng" in results[-1].error


def test_marcxml_indicator_of_two_characters_is_an_error():
    document = XML_RECORD.format(ns="", control="1", title="Một").replace('ind1="1"', 'ind1="10"')
    assert "Chỉ thị sai" in read_bytes(document.encode())[0].error


# --------------------------------------------------------------------------------------------
# Streaming


class _Generated(io.RawIOBase):
    """A non-seekable stream of `count` copies of one record, made on the fly."""

    def __init__(self, record: bytes, count: int) -> None:
        self.record, self.left, self.pending = record, count, b""

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        while (size < 0 or len(self.pending) < size) and self.left:
            self.pending += self.record
            self.left -= 1
        size = len(self.pending) if size < 0 else size
        out, self.pending = self.pending[:size], self.pending[size:]
        return out


def test_reading_streams_in_constant_memory():
    record = book("Tiếng Việt " * 200)
    tracemalloc.start()
    count = sum(1 for r in read_marc(_Generated(record, 3000)) if r.ok)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert count == 3000
    assert peak < 2 * 1024 * 1024  # the file is ~8 MB
