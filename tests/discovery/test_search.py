"""Search behaviour on a real Whoosh index: folding, ranking, query forms, facets, access."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from catalog.models import ItemStatus, Record
from library.discovery import selectors

from .conftest import add_items, index_records, index_resource, make_record

pytestmark = pytest.mark.django_db

PARTNER = SimpleNamespace(is_partner_node=True, is_active=True, code="thcs-b")


def titles(result):
    return [r["title"] for r in result.results]


def search(q, who=None, **kwargs):
    return selectors.search(who, q, **kwargs)


def test_unaccented_query_finds_accented_text(index):
    make_record(title="Toán lớp 6", year=2021)
    make_record(title="Đường về nhà", year=2019)
    make_record(title="Ngữ văn 7", year=2020)
    index_records(Record.objects.all())
    assert titles(search("toan lop 6")) == ["Toán lớp 6"]
    assert titles(search("duong")) == ["Đường về nhà"]
    assert titles(search("DUONG VE")) == ["Đường về nhà"]


def test_accented_query_finds_unaccented_text_and_ranks_exact_accents_first(index):
    make_record(title="Ma trận và ứng dụng", year=2020)
    make_record(title="Mà em không biết", year=2020)
    make_record(title="Mã nguồn mở", year=2020)
    index_records(Record.objects.all())
    result = search("mà")
    assert len(result.results) == 3
    assert result.results[0]["title"] == "Mà em không biết"
    assert search("ma").count == 3


def test_old_and_new_tone_placement_match(index):
    make_record(title="Hoà bình và hợp tác", year=2018)
    index_records(Record.objects.all())
    assert titles(search("hòa bình")) == ["Hoà bình và hợp tác"]
    assert titles(search("hoà bình")) == ["Hoà bình và hợp tác"]


def test_title_outranks_author_subject_notes_and_page_text(index):
    make_record(title="Sách bài tập", notes="Có phần về khủng long", year=2020)
    make_record(title="Cẩm nang", subjects=["Khủng long"], year=2020)
    make_record(title="Truyện tranh", authors=["Khủng Long Xanh"], year=2020)
    make_record(title="Thế giới khủng long", year=2020)
    index_records(Record.objects.all())
    index_resource(3, "Khoa học 5", {9: "Loài khủng long sống cách đây rất lâu"})
    result = search("khủng long")
    assert titles(result) == [
        "Thế giới khủng long",
        "Truyện tranh",
        "Cẩm nang",
        "Sách bài tập",
        "Khoa học 5",
    ]
    assert result.results[-1]["kind"] == "page"


def test_exact_title_match_comes_first(index):
    make_record(title="Tiếng Việt 6 tập một: sách giáo viên, tiếng Việt nâng cao", year=2021)
    make_record(title="Tiếng Việt 6", year=2010)
    index_records(Record.objects.all())
    assert titles(search("tieng viet 6"))[0] == "Tiếng Việt 6"


def test_newer_edition_first_when_otherwise_equal(index):
    older = make_record(title="Lịch sử và Địa lí 8", year=2015)
    newer = make_record(title="Lịch sử và Địa lí 8", year=2023)
    index_records([older, newer])
    assert [r["year"] for r in search("lich su dia li 8").results] == [2023, 2015]


def test_phrase_exclusion_and_field_prefixes(index):
    make_record(title="Phân số và số thập phân", authors=["Trần Văn Hạo"], year=2019)
    make_record(title="Số phận con người", authors=["Mikhail Sholokhov"], year=2016)
    make_record(title="Bài tập phân số có đáp án", authors=["Lê Thị Hoa"], year=2022)
    index_records(Record.objects.all())
    assert set(titles(search('"phân số"'))) == {
        "Phân số và số thập phân",
        "Bài tập phân số có đáp án",
    }
    assert titles(search('"phân số" -"đáp án"')) == ["Phân số và số thập phân"]
    assert titles(search("tác giả:hạo")) == ["Phân số và số thập phân"]
    assert titles(search("author:sholokhov")) == ["Số phận con người"]
    assert titles(search("nhan đề:phận"))[0] == "Số phận con người"
    assert titles(search("nhan đề:người")) == ["Số phận con người"]
    assert titles(search("năm:2020-2023")) == ["Bài tập phân số có đáp án"]
    assert set(titles(search("phan so year:2019-2020"))) == {"Phân số và số thập phân"}


def test_subject_and_isbn_prefixes(index):
    make_record(title="Em yêu khoa học", subjects=["Thiên văn học"], isbns=["9786040000001"])
    make_record(title="Bầu trời đêm", subjects=["Vật lí"])
    index_records(Record.objects.all())
    assert titles(search("chủ đề:thien van")) == ["Em yêu khoa học"]
    assert titles(search("isbn:978-604-0-00000-1")) == ["Em yêu khoa học"]


def test_isbn_or_barcode_typed_alone_leads_to_the_record(index, shelf):
    record = make_record(title="Dế Mèn phiêu lưu ký", isbns=["9786042000000"])
    record.isbn_rows.create(isbn="9786042000000")
    add_items(record, [ItemStatus.AVAILABLE], location=shelf)
    barcode = record.items.get().barcode
    assert selectors.direct_hit_url("978-604-2-00000-0") == f"/records/{record.pk}/"
    assert selectors.direct_hit_url(barcode) == f"/records/{record.pk}/"
    assert selectors.direct_hit_url("dế mèn") is None


def test_call_number_finds_its_shelf_neighbours(db, shelf):
    for call_number, title in [
        ("895.922 T450H", "Dế Mèn"),
        ("895.922 N573D", "Truyện Kiều"),
        ("895.922 X502N", "Xuân Diệu thơ"),
        ("510 H100K", "Toán vui"),
    ]:
        add_items(
            make_record(title=title),
            [ItemStatus.AVAILABLE],
            call_number=call_number,
            location=shelf,
        )
    rows = selectors.shelf_neighbours("895.922 t450h")
    assert [r["title"] for r in rows] == ["Toán vui", "Truyện Kiều", "Dế Mèn", "Xuân Diệu thơ"]
    assert [r["current"] for r in rows] == [False, False, True, False]
    assert selectors.shelf_neighbours("toán") == []


def test_facets_count_whole_values_and_combine(index, shelf):
    a = make_record(
        title="Toán 6 tập một",
        mon_hoc=["Toán"],
        grade_levels=[6],
        languages=["vie"],
        year=2021,
        textbook_series="Kết nối tri thức với cuộc sống",
    )
    b = make_record(
        title="Toán 7 tập một",
        mon_hoc=["Toán"],
        grade_levels=[7],
        languages=["vie"],
        year=2022,
        textbook_series="Cánh Diều",
    )
    c = make_record(
        title="Toán học vui",
        mon_hoc=["Toán", "Tin học"],
        grade_levels=[6],
        languages=["eng"],
        year=2019,
    )
    add_items(a, [ItemStatus.AVAILABLE, ItemStatus.ON_LOAN], location=shelf)
    add_items(b, [ItemStatus.ON_LOAN])
    index_records([a, b, c])
    result = search("toan")
    facets = {f.name: {v.value: v.count for v in f.values} for f in result.facets}
    assert facets["mon_hoc"] == {"Toán": 3, "Tin học": 1}
    assert facets["grade_levels"] == {"6": 2, "7": 1}
    assert facets["textbook_series"] == {"Kết nối tri thức với cuộc sống": 1, "Cánh Diều": 1}
    assert facets["languages"] == {"vie": 2, "eng": 1}
    assert facets["availability"] == {"available": 1, "unavailable": 1}
    assert facets["locations"] == {"Kho mở": 1}
    assert "access_level" not in facets  # staff only
    narrowed = search("toan", filters={"grade_levels": ["6"], "languages": ["vie"]})
    assert titles(narrowed) == ["Toán 6 tập một"]
    assert narrowed.count == 1
    either = search("toan", filters={"grade_levels": ["6", "7"]})
    assert either.count == 3
    years = search("toan", year_from=2020, year_to=2021)
    assert titles(years) == ["Toán 6 tập một"]
    first = result.results[[r["title"] for r in result.results].index("Toán 6 tập một")]
    assert (first["items_available"], first["items_total"]) == (1, 2)


def test_access_level_facet_is_for_librarians(index, librarian):
    index_resource(5, "Đề kiểm tra", {1: "đề kiểm tra học kì"}, access="staff")
    facets = {f.name for f in search("kiem tra", who=librarian).facets}
    assert "access_level" in facets


def test_sort_by_title_uses_vietnamese_collation_and_newest(index):
    for title, year in [("Đường lên đỉnh Olympia", 2010), ("Dòng sông", 2020), ("Ăn gì", 2015)]:
        make_record(title=title + " sách hay", year=year)
    index_records(Record.objects.all())
    assert titles(search("sach hay", sort="title")) == [
        "Ăn gì sách hay",
        "Dòng sông sách hay",
        "Đường lên đỉnh Olympia sách hay",
    ]
    assert [r["year"] for r in search("sach hay", sort="newest").results] == [2020, 2015, 2010]


def test_snippets_and_titles_mark_unaccented_matches(index):
    make_record(title="Toán lớp 6", notes="Bài tập toán nâng cao cho học sinh giỏi", year=2021)
    index_records(Record.objects.all())
    hit = search("toan nang cao").results[0]
    assert str(hit["title_html"]) == "<mark>Toán</mark> lớp 6"
    assert "<mark>toán</mark> <mark>nâng</mark> <mark>cao</mark>" in str(hit["snippet"])


def test_highlighting_escapes_html(index):
    make_record(title="<script>alert(1)</script> toán", year=2021)
    index_records(Record.objects.all())
    html = str(search("toan").results[0]["title_html"])
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_pages_of_a_resource_are_grouped_with_reader_links(index):
    index_resource(
        11,
        "Khoa học tự nhiên 6",
        {12: "Phân số trong đo lường", 47: "So sánh phân số", 48: "Cộng phân số", 50: "Tế bào"},
    )
    result = search("phan so")
    assert result.count == 1
    entry = result.results[0]
    assert entry["title"] == "Khoa học tự nhiên 6"
    assert [p["number"] for p in entry["pages"]] == [12, 47, 48]
    assert entry["pages"][0]["url"] == "/resources/11/read/?page=12&q=phan+so"


def test_did_you_mean_restores_marks_from_the_index_vocabulary(index):
    make_record(title="Toán lớp 6", year=2021)
    make_record(title="Tiếng Việt lớp 6", year=2021)
    index_records(Record.objects.all())
    assert search("toan lop 6").suggestion == "toán lớp 6"
    assert search("toán lớp 6").suggestion is None


def test_did_you_mean_corrects_a_misspelt_word_when_nothing_is_found(index):
    make_record(title="Khủng long bạo chúa", year=2020)
    index_records(Record.objects.all())
    result = search("khumg")
    assert result.count == 0
    assert result.suggestion == "khủng"


def test_autocomplete_on_titles_and_authors(index):
    make_record(title="Toán lớp 6 tập một", authors=["Hà Huy Khoái"], year=2021)
    make_record(title="Tô Hoài tuyển tập", authors=["Tô Hoài"], year=2010)
    index_records(Record.objects.all())
    values = [(i["kind"], i["value"]) for i in selectors.autocomplete(None, "toan l")]
    assert values == [("title", "Toán lớp 6 tập một")]
    authors = [i["value"] for i in selectors.autocomplete(None, "to ho") if i["kind"] == "author"]
    assert authors == ["Tô Hoài"]


def test_restricted_page_text_never_reaches_guests_or_partners(index, student, librarian):
    index_resource(
        21, "Đề cương ôn tập nội bộ", {3: "Bí mật đề thi học kì môn hóa"}, access="school"
    )
    index_resource(22, "Hóa học vui", {1: "Thí nghiệm hóa học an toàn"}, access="public")
    for who in (None, PARTNER):
        result = search("hoa", who=who)
        assert result.count == 1
        assert titles(result) == ["Hóa học vui"]
        assert "đề thi" not in str([r["snippet"] for r in result.results])
        counts = {f.name: sum(v.count for v in f.values) for f in result.facets}
        assert counts["kind"] == 2  # the public resource and its page, nothing else
        assert search("bi mat de thi", who=who).count == 0
        assert selectors.autocomplete(who, "de cuong") == []
    assert search("bi mat de thi", who=student).count == 1
    assert search("bi mat de thi", who=librarian).count == 1


def test_partner_level_is_visible_to_partners_but_not_guests(index):
    index_resource(31, "Tài liệu chia sẻ liên trường", {2: "giáo án mẫu"}, access="partners")
    assert search("giao an mau", who=PARTNER).count == 1
    assert search("giao an mau").count == 0


def test_empty_query_returns_nothing(index):
    assert search("").count == 0
    assert search("   ").results == []
