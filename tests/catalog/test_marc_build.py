import datetime
import io

import pymarc
import pytest

from catalog.exceptions import MarcTemplateError
from catalog.marc.build import TEMPLATES, SimpleRecordInput, build_record
from catalog.marc.mapping import record_to_data
from catalog.marc.validate import record_to_fields, validate_fields

ENTERED = datetime.date(2025, 9, 5)

TOAN_6 = SimpleRecordInput(
    title="Toán 6",
    subtitle="Tập một",
    authors=["Hà Huy Khoái", "Nguyễn Huy Đoan", "Cung Thế Anh"],
    publisher="Giáo dục Việt Nam",
    place="Hà Nội",
    year=2021,
    isbn="978-604-0-00001-9",
    edition="Tái bản lần thứ 2",
    pages=128,
    classification_scheme="19-class",
    classification="51(075)",
    subjects=["Toán học -- Sách giáo khoa"],
    keywords=["Số học", "Hình học"],
    grade_levels=[6],
    mon_hoc=["Toán"],
    textbook_series="Kết nối tri thức",
    series="Sách giáo khoa lớp 6",
    notes="Bìa mềm\n\nCó mã QR học liệu số",
)


def reread(record: pymarc.Record) -> pymarc.Record:
    """Re-read the built record with pymarc's own reader, the way a partner would."""
    records = list(pymarc.MARCReader(io.BytesIO(record.as_marc())))
    assert len(records) == 1 and records[0] is not None
    return records[0]


def test_textbook_record_is_valid_marc21_reread_by_pymarc():
    rec = reread(build_record(TOAN_6, "textbook", entered=ENTERED))
    leader = str(rec.leader)
    assert int(leader[:5]) == len(rec.as_marc())
    assert leader[6:10] == "am a"
    fixed = rec["008"].data
    assert len(fixed) == 40
    assert fixed[:6] == "250905"
    assert fixed[6:11] == "s2021"
    assert fixed[15:18] == "vm "
    assert fixed[22] == "c"  # grade 6: pre-adolescent
    assert fixed[35:38] == "vie"
    assert rec["020"]["a"] == "9786040000019"
    assert rec["041"]["a"] == "vie"
    assert rec["084"]["a"] == "51(075)" and rec["084"]["2"] == "19-class"
    assert rec["100"].indicators == pymarc.Indicators("0", " ")
    assert rec["100"]["a"] == "Hà Huy Khoái"
    assert [f["a"] for f in rec.get_fields("700")] == ["Nguyễn Huy Đoan", "Cung Thế Anh"]
    assert rec["245"].indicators == pymarc.Indicators("1", "0")
    assert rec["245"].subfields[0] == pymarc.Subfield("a", "Toán 6 :")
    assert rec["250"]["a"] == "Tái bản lần thứ 2"
    assert rec["264"].indicators[1] == "1"
    assert rec["264"]["c"] == "2021"
    assert rec["300"]["a"] == "128 tr."
    assert rec["490"]["a"] == "Sách giáo khoa lớp 6"
    assert [f["a"] for f in rec.get_fields("500")] == ["Bìa mềm", "Có mã QR học liệu số"]
    assert rec["521"]["a"] == "Lớp 6"
    assert rec["650"]["a"] == "Toán học -- Sách giáo khoa"
    assert [f["a"] for f in rec.get_fields("653")] == ["Số học", "Hình học"]
    assert rec["655"]["a"] == "Sách giáo khoa"
    assert rec["658"]["a"] == "Toán"
    assert rec["911"]["a"] == "Kết nối tri thức với cuộc sống"


def test_built_record_maps_back_to_the_form_values():
    data = record_to_data(reread(build_record(TOAN_6, "textbook", entered=ENTERED)))
    assert data.title == "Toán 6 : Tập một"
    assert data.title_statement == "Hà Huy Khoái, Nguyễn Huy Đoan, Cung Thế Anh"
    assert data.authors == TOAN_6.authors
    assert (data.publisher, data.place, data.year) == ("Giáo dục Việt Nam", "Hà Nội", 2021)
    assert data.isbns == ["9786040000019"]
    assert (data.classification_scheme, data.classification) == ("19-class", "51(075)")
    assert data.grade_levels == [6]
    assert data.mon_hoc == ["Toán"]
    assert data.textbook_series == "Kết nối tri thức với cuộc sống"
    assert data.pages == 128
    assert data.languages == ["vie"]
    assert data.record_type == "book"


def test_built_record_passes_the_editor_validation():
    rec = build_record(TOAN_6, "textbook", entered=ENTERED)
    assert validate_fields(str(rec.leader), record_to_fields(rec)) == []


@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_every_template_builds_a_valid_record(template):
    data = SimpleRecordInput(title="Tạp chí Toán học và Tuổi trẻ", year=2024, authors=[])
    rec = reread(build_record(data, template, entered="250905"))
    assert len(rec["008"].data) == 40
    assert str(rec.leader)[9] == "a"
    assert rec["245"].indicators == pymarc.Indicators("0", "0")
    assert record_to_data(rec).record_type == ("serial" if template == "periodical" else "book")
    assert validate_fields(str(rec.leader), record_to_fields(rec)) == []


def test_templates_have_vietnamese_labels():
    assert TEMPLATES["textbook"] == "Sách giáo khoa (SGK)"
    assert TEMPLATES["teachers_guide"] == "Sách giáo viên (SGV)"
    assert set(TEMPLATES) == {"textbook", "reference", "periodical", "teachers_guide"}


def test_teachers_guide_genre_and_periodical_level():
    sgv = reread(
        build_record(SimpleRecordInput(title="Toán 6 — SGV"), "teachers_guide", entered=ENTERED)
    )
    assert sgv["655"]["a"] == "Sách giáo viên"
    periodical = reread(
        build_record(SimpleRecordInput(title="Văn học và Tuổi trẻ"), "periodical", entered=ENTERED)
    )
    assert str(periodical.leader)[7] == "s"


def test_invalid_isbn_goes_to_020_z_and_isbn10_is_converted():
    data = SimpleRecordInput(title="T", isbn="0-253-32552-8; 978-604-0-00001-7")
    rec = reread(build_record(data, "reference", entered=ENTERED))
    fields = rec.get_fields("020")
    assert fields[0]["a"] == "9780253325525"
    assert fields[1]["z"] == "9786040000017"


def test_ddc_goes_to_082_with_its_edition():
    data = SimpleRecordInput(title="T", classification_scheme="ddc", classification="510")
    rec = reread(build_record(data, "reference", entered=ENTERED))
    assert rec["082"]["a"] == "510" and rec["082"]["2"] == "23"
    abridged = SimpleRecordInput(title="T", classification_scheme="ddc14", classification="510")
    rec = reread(build_record(abridged, "reference", entered=ENTERED))
    assert rec["082"].indicators[0] == "1" and rec["082"]["2"] == "14"


def test_inverted_foreign_name_gets_surname_indicator():
    data = SimpleRecordInput(title="T", authors=["Rowling, J. K."])
    assert build_record(data, "reference", entered=ENTERED)["100"].indicators[0] == "1"


def test_no_year_gives_unknown_date_in_008():
    rec = build_record(SimpleRecordInput(title="T"), "reference", entered=ENTERED)
    assert rec["008"].data[6:11] == "nuuuu"


def test_unknown_template_is_refused():
    with pytest.raises(MarcTemplateError):
        build_record(SimpleRecordInput(title="T"), "novel", entered=ENTERED)
