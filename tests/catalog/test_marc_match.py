import pytest

from catalog.marc.mapping import RecordData
from catalog.marc.match import RULES, match_keys


def test_rule_names():
    assert RULES == ("control", "isbn", "title_author_year")


def test_control_key_is_003_bar_001():
    keys = match_keys(RecordData(control_number="426705", control_number_identifier="VN-THCS1"))
    assert keys.control == "VN-THCS1|426705"
    assert match_keys(RecordData(control_number="7")).control == "|7"
    assert match_keys(RecordData()).control is None


def test_isbn_keys():
    keys = match_keys(RecordData(isbns=["9786040000019", "9780253325525"]))
    assert keys.for_rule("isbn") == ["9786040000019", "9780253325525"]


def test_title_author_year_ignores_marks_case_and_punctuation():
    a = match_keys(RecordData(title="Toán 6 : Tập một", main_author="Hà Huy Khoái", year=2021))
    b = match_keys(RecordData(title="TOÁN 6 - tập MỘT", authors=["Hà Huy Khoái"], year=2021))
    assert a.title_author_year == b.title_author_year == "toan 6 tap mot|ha|2021"
    inverted = match_keys(
        RecordData(title="Aristocrats of color", main_author="Gatewood, Willard B.")
    )
    assert inverted.title_author_year == "aristocrats of color|gatewood|"
    assert match_keys(RecordData(title="Đường")).title_author_year == "duong||"
    assert match_keys(RecordData()).title_author_year is None


def test_unknown_rule_is_refused():
    with pytest.raises(ValueError):
        match_keys(RecordData()).for_rule("barcode")
