import pymarc
import pytest
from pymarc import Field, Indicators, Subfield

from catalog.marc.mapping import (
    RecordData,
    call_number_parts,
    grade_levels_from,
    pages_from,
    record_to_data,
    trim_punctuation,
)
from catalog.marc.reader import read_marc

from .marc_files import needs_real_files, real_file


def make(*fields, leader="     nam a22     7a 4500") -> pymarc.Record:
    rec = pymarc.Record(leader=leader)
    for f in fields:
        rec.add_field(f)
    return rec


def df(tag, *pairs, ind=(" ", " ")):
    return Field(tag=tag, indicators=Indicators(*ind), subfields=[Subfield(c, v) for c, v in pairs])


def cf(tag, data):
    return Field(tag=tag, data=data)


def test_title_joins_245_a_b_n_p_and_trims_isbd_punctuation():
    rec = make(
        df(
            "245",
            ("a", "Aristocrats of color :"),
            ("b", "the Black elite, 1880-1920 /"),
            ("c", "Willard B. Gatewood."),
        )
    )
    data = record_to_data(rec)
    assert data.title == "Aristocrats of color : the Black elite, 1880-1920"
    assert data.title_statement == "Willard B. Gatewood"


def test_title_adds_missing_punctuation_between_parts():
    rec = make(df("245", ("a", "Toán 6"), ("b", "Sách giáo khoa"), ("n", "Tập 1"), ("p", "Số học")))
    assert record_to_data(rec).title == "Toán 6 : Sách giáo khoa. Tập 1. Số học"


def test_title_nonfiling_characters_come_from_245_ind2():
    rec = make(df("245", ("a", "The town scold"), ind=("1", "4")))
    data = record_to_data(rec)
    assert data.title_nonfiling == 4
    assert call_number_parts(data) == ("", "TOW")


@pytest.mark.parametrize(
    ("raw", "trimmed"),
    [
        ("Aristocrats of color :", "Aristocrats of color"),
        ("1841-1898.", "1841-1898"),
        ("Gatewood, Willard B.", "Gatewood, Willard B."),
        ("245 tr.", "245 tr."),
        ("Washington, D.C.", "Washington, D.C."),
        ("Hà Nội :", "Hà Nội"),
        ("Giáo dục Việt Nam,", "Giáo dục Việt Nam"),
    ],
)
def test_trim_punctuation(raw, trimmed):
    assert trim_punctuation(raw) == trimmed


def test_authors_from_1xx_and_7xx_with_dates_and_no_duplicates():
    rec = make(
        df("100", ("a", "Gatewood, Willard B.,"), ("d", "1929-"), ind=("1", " ")),
        df("245", ("a", "T")),
        df("700", ("a", "Bruce, Blanche Kelso,"), ("d", "1841-1898."), ind=("1", " ")),
        df("710", ("a", "United States."), ("b", "Dept. of State.")),
        df("700", ("a", "Gatewood, Willard B.,"), ("d", "1929-"), ind=("1", " ")),
    )
    data = record_to_data(rec)
    assert data.main_author == "Gatewood, Willard B., 1929-"
    assert data.authors == [
        "Gatewood, Willard B., 1929-",
        "Bruce, Blanche Kelso, 1841-1898",
        "United States. Dept. of State",
    ]


def test_publisher_place_year_prefer_264_publication_then_260_then_008():
    rec = make(
        cf("008", "250101s2019    vm            000 0 vie d"),
        df("245", ("a", "T")),
        df("260", ("a", "Hà Nội :"), ("b", "Kim Đồng,"), ("c", "2018.")),
        df("264", ("a", "Tp. Hồ Chí Minh :"), ("b", "Trẻ,"), ("c", "©2020"), ind=(" ", "4")),
        df("264", ("a", "Hà Nội :"), ("b", "Giáo dục Việt Nam,"), ("c", "2021."), ind=(" ", "1")),
    )
    data = record_to_data(rec)
    assert (data.place, data.publisher, data.year) == ("Hà Nội", "Giáo dục Việt Nam", 2021)
    only_008 = make(cf("008", "250101s2019    vm            000 0 vie d"), df("245", ("a", "T")))
    assert record_to_data(only_008).year == 2019
    assert record_to_data(make(df("260", ("c", "[199-?]")))).year is None


def test_isbns_are_isbn13_and_bad_ones_are_kept_apart():
    rec = make(
        df("020", ("a", "0253325528 (alk. paper)")),
        df("020", ("a", "978-604-0-00001-9")),
        df("020", ("a", "978-604-0-00001-7")),
        df("020", ("z", "0000000000")),
        df("020", ("a", "(bìa mềm)")),
    )
    data = record_to_data(rec)
    assert data.isbns == ["9780253325525", "9786040000019"]
    assert data.invalid_isbns == ["978-604-0-00001-7"]


def test_languages_from_008_and_041_deduplicated():
    rec = make(
        cf("008", "250101s2021    vm            000 0 vie d"),
        df("041", ("a", "vie"), ("a", "engfre")),
    )
    assert record_to_data(rec).languages == ["vie", "eng", "fre"]


def test_classification_ddc_from_082_and_other_schemes_from_084():
    ddc = make(
        df("082", ("a", "973/.0496073"), ("2", "20"), ind=("0", "0")), df("084", ("a", "9(V)"))
    )
    data = record_to_data(ddc)
    assert (data.classification_scheme, data.classification, data.classification_edition) == (
        "ddc",
        "973.0496073",
        "20",
    )
    nineteen = record_to_data(make(df("084", ("a", "51(075)"), ("2", "19-class"))))
    assert (nineteen.classification_scheme, nineteen.classification) == ("19-class", "51(075)")
    bbk = record_to_data(make(df("084", ("a", "22.1"), ("2", "BBK"))))
    assert bbk.classification_scheme == "bbk"
    assert record_to_data(make(df("084", ("a", "X")))).classification_scheme == "other"
    assert record_to_data(make()).classification_scheme == ""


def test_subjects_join_subdivisions_and_keywords_are_separate():
    rec = make(
        df(
            "650",
            ("a", "Upper class"),
            ("z", "United States"),
            ("x", "History"),
            ("y", "19th century."),
        ),
        df("653", ("a", "Toán học"), ("a", "Hình học")),
    )
    assert record_to_data(rec).subjects == [
        "Upper class -- United States -- History -- 19th century",
        "Toán học",
        "Hình học",
    ]


def test_series_from_490_and_830():
    rec = make(
        df("490", ("a", "Economic series ;"), ("v", "no. 46")), df("830", ("a", "Economic series."))
    )
    assert record_to_data(rec).series == ["Economic series"]


@pytest.mark.parametrize(
    ("text", "grades"),
    [
        ("Lớp 6", [6]),
        ("lớp 6-7", [6, 7]),
        ("Dùng cho học sinh Khối 10", [10]),
        ("Lớp 6, 7 và 8", [6, 7, 8]),
        ("Grade 6", [6]),
        ("Grades 6-8.", [6, 7, 8]),
        ("Lớp 10 - 12", [10, 11, 12]),
        ("Học sinh tiểu học", [1, 2, 3, 4, 5]),
        ("THCS", [6, 7, 8, 9]),
        ("Lớp 13", []),
        ("Ages 9-12", []),
    ],
)
def test_grade_levels_from_521(text, grades):
    assert grade_levels_from(text) == grades


def test_grade_levels_and_mon_hoc_from_521_and_658():
    rec = make(df("521", ("a", "Lớp 6")), df("521", ("a", "Lớp 7")), df("658", ("a", "Toán.")))
    data = record_to_data(rec)
    assert data.grade_levels == [6, 7]
    assert data.mon_hoc == ["Toán"]


def test_textbook_series_from_local_911_or_a_known_series_in_490():
    local = make(df("911", ("a", "Chân trời sáng tạo")))
    assert record_to_data(local).textbook_series == "Chân trời sáng tạo"
    series = make(df("490", ("a", "Bộ sách Kết nối tri thức với cuộc sống")))
    assert record_to_data(series).textbook_series == "Kết nối tri thức với cuộc sống"
    unaccented = make(df("490", ("a", "Canh dieu")))
    assert record_to_data(unaccented).textbook_series == "Cánh Diều"
    assert record_to_data(make(df("490", ("a", "Tủ sách vàng")))).textbook_series == ""


def test_links_every_856_u_with_its_label():
    rec = make(
        df("856", ("u", "http://a.example/1"), ("y", "Bản điện tử"), ind=("4", "0")),
        df("856", ("3", "Mục lục"), ("u", "http://a.example/2"), ("u", "http://a.example/3")),
    )
    assert record_to_data(rec).links == [
        ("http://a.example/1", "Bản điện tử"),
        ("http://a.example/2", "Mục lục"),
        ("http://a.example/3", "Mục lục"),
    ]


@pytest.mark.parametrize(
    ("leader67", "kind"),
    [
        ("am", "book"),
        ("as", "serial"),
        ("em", "map"),
        ("cm", "music"),
        ("jm", "music"),
        ("im", "sound"),
        ("gm", "video"),
        ("mm", "computer file"),
        ("pc", "mixed"),
        ("zz", "other"),
    ],
)
def test_record_type_from_leader(leader67, kind):
    rec = make(leader=f"     n{leader67} a22     7a 4500")
    assert record_to_data(rec).record_type == kind


def test_control_number_notes_and_physical_description():
    rec = make(
        cf("001", " 426705 "),
        cf("003", "VN-THCS1"),
        df("300", ("a", "xii, 450 p., [16] p. of plates :"), ("b", "ill. ;")),
        df("500", ("a", "Bìa mềm.")),
        df("504", ("a", "Thư mục: tr. 240-245.")),
    )
    data = record_to_data(rec)
    assert (data.control_number, data.control_number_identifier) == ("426705", "VN-THCS1")
    assert data.notes == ["Bìa mềm.", "Thư mục: tr. 240-245."]
    assert data.physical_description == "xii, 450 p., [16] p. of plates"
    assert data.pages == 450


@pytest.mark.parametrize(
    ("text", "pages"),
    [("245 tr.", 245), ("xii, 300 p.", 300), ("150 trang", 150), ("1 v.", None), ("58 p", 58)],
)
def test_pages_from_300a(text, pages):
    assert pages_from(text) == pages


@pytest.mark.parametrize(
    ("main_author", "person", "title", "mark"),
    [
        ("Nguyễn Nhật Ánh", True, "Mắt biếc", "ÁNH"),
        ("Gatewood, Willard B., 1929-", True, "Aristocrats", "GAT"),
        ("Đỗ Đức Thái", True, "Toán 6", "THÁ"),
        ("Bộ Giáo dục và Đào tạo", False, "Toán 6", "BỘG"),
        ("", False, "Toán 6", "TOÁ"),
        ("", False, "Đại số 10", "ĐẠI"),
    ],
)
def test_call_number_author_mark_follows_vietnamese_practice(main_author, person, title, mark):
    data = RecordData(
        title=title, main_author=main_author, main_author_is_person=person, classification="51"
    )
    assert call_number_parts(data) == ("51", mark)


def test_record_data_is_frozen():
    with pytest.raises(AttributeError):
        RecordData().title = "x"  # type: ignore[misc]


@needs_real_files
def test_real_record_field_by_field():
    result = list(read_marc(real_file("pymarc/bad_indicator.dat")))[0]
    data = record_to_data(result.record)
    assert data.title == "Aristocrats of color : the Black elite, 1880-1920"
    assert data.main_author == "Gatewood, Willard B."
    assert (data.place, data.publisher, data.year) == (
        "Bloomington",
        "Indiana University Press",
        1990,
    )
    assert data.classification == "973.0496073"
    assert data.pages == 450
    assert data.languages == ["eng"]


@needs_real_files
def test_real_record_with_two_856_and_a_serial():
    result = list(read_marc(real_file("openlibrary/bin/ithaca_two_856u.mrc")))[0]
    data = record_to_data(result.record)
    assert data.record_type == "serial"
    assert len(data.links) == 2


@needs_real_files
def test_real_multi_isbn_record():
    data = record_to_data(list(read_marc(real_file("pymarc/multi_isbn.dat")))[0].record)
    assert len(data.isbns) == 3 and all(len(i) == 13 for i in data.isbns)


@needs_real_files
def test_every_nlnz_record_maps():
    for result in read_marc(real_file("nlnz/NLNZ_1000_example_marc.marc")):
        data = record_to_data(result.record)
        assert data.title
        assert data.record_type
