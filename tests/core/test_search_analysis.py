"""Whoosh analyzers: tokens, positions, chars, pickling, and a real index round trip."""

import pickle
import unicodedata

import pytest
from whoosh import highlight
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import RamStorage
from whoosh.qparser import QueryParser

from library.core.search_analysis import (
    VietnameseAccentFilter,
    VietnameseFoldFilter,
    VietnameseTokenizer,
    accented_analyzer,
    folded_analyzer,
)

TITLE = "Đường Toán lớp 6 — Hoà Bình, thuỷ KHOẺ"


def texts(analyzer, value, **kwargs):
    return [t.text for t in analyzer(value, **kwargs)]


def test_folded_analyzer_tokens():
    assert texts(folded_analyzer(), TITLE) == [
        "duong",
        "toan",
        "lop",
        "6",
        "hoa",
        "binh",
        "thuy",
        "khoe",
    ]


def test_accented_analyzer_keeps_marks_and_normalises_tone_placement():
    assert texts(accented_analyzer(), TITLE) == [
        "đường",
        "toán",
        "lớp",
        "6",
        "hòa",
        "bình",
        "thủy",
        "khỏe",
    ]


def test_positions_and_chars_point_into_the_original_text():
    tokens = [
        (t.text, t.pos, t.startchar, t.endchar)
        for t in folded_analyzer()(TITLE, positions=True, chars=True)
    ]
    assert tokens[:4] == [
        ("duong", 0, 0, 5),
        ("toan", 1, 6, 10),
        ("lop", 2, 11, 14),
        ("6", 3, 15, 16),
    ]
    for text, _pos, start, end in tokens:
        assert texts(folded_analyzer(), TITLE[start:end]) == [text]


def test_start_pos_and_start_char_offsets():
    analyzer = folded_analyzer()
    tokens = [
        (t.pos, t.startchar)
        for t in analyzer("ba con", positions=True, chars=True, start_pos=5, start_char=10)
    ]
    assert tokens == [(5, 10), (6, 13)]


def test_nfd_input_gives_the_same_tokens():
    nfd = unicodedata.normalize("NFD", TITLE)
    assert texts(folded_analyzer(), nfd) == texts(folded_analyzer(), TITLE)
    assert texts(accented_analyzer(), nfd) == texts(accented_analyzer(), TITLE)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ISBN 978-604-0-00000-1", ["isbn", "9786040000001"]),
        ("ISBN 604-0-12345-X", ["isbn", "604012345x"]),
        ("Ký hiệu 53(075) T406", ["ky", "hieu", "53(075)", "t406"]),
        ("8(V)2 Nguyễn Du", ["8(v)2", "nguyen", "du"]),
        ("DDC 895.9223", ["ddc", "895.9223"]),
        ("Năm học 2023-2024", ["nam", "hoc", "2023", "2024"]),
        ("under_score", ["under_score"]),
    ],
)
def test_identifiers_stay_usable_as_tokens(value, expected):
    assert texts(folded_analyzer(), value) == expected


def test_tokenize_false_yields_the_whole_value():
    assert texts(folded_analyzer(), "Toán Lớp", tokenize=False) == ["toan lop"]


@pytest.mark.parametrize("factory", [folded_analyzer, accented_analyzer])
def test_analyzers_survive_pickling(factory):
    analyzer = factory()
    restored = pickle.loads(pickle.dumps(analyzer))
    assert restored == analyzer
    assert texts(restored, TITLE) == texts(analyzer, TITLE)


def test_components_compare_equal_when_alike():
    assert VietnameseTokenizer() == VietnameseTokenizer()
    assert VietnameseFoldFilter() == VietnameseFoldFilter()
    assert VietnameseFoldFilter() != VietnameseAccentFilter()


def test_index_search_and_highlight_with_both_fields():
    schema = Schema(
        id=ID(stored=True),
        title=TEXT(analyzer=folded_analyzer(), stored=True, chars=True),
        title_accented=TEXT(analyzer=accented_analyzer()),
    )
    ix = RamStorage().create_index(pickle.loads(pickle.dumps(schema)))
    with ix.writer() as w:
        w.add_document(id="1", title="Toán lớp 6", title_accented="Toán lớp 6")
        w.add_document(id="2", title="Toàn cảnh lớp 6", title_accented="Toàn cảnh lớp 6")
        w.add_document(id="3", title="Hòa Bình quê em", title_accented="Hòa Bình quê em")
    with ix.searcher() as s:
        folded = QueryParser("title", ix.schema).parse("toan lop 6")
        assert sorted(hit["id"] for hit in s.search(folded)) == ["1", "2"]
        accented = QueryParser("title_accented", ix.schema).parse("toán")
        assert [hit["id"] for hit in s.search(accented)] == ["1"]
        # old-style placement in the query still matches the new-style record
        hoa = QueryParser("title_accented", ix.schema).parse("hoà")
        assert [hit["id"] for hit in s.search(hoa)] == ["3"]
        results = s.search(QueryParser("title", ix.schema).parse("hoa binh"))
        results.formatter = highlight.UppercaseFormatter()
        assert results[0].highlights("title") == "HÒA BÌNH quê em"
