import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog.marc import isbn


@pytest.mark.parametrize(
    ("raw", "compact"),
    [
        ("978-604-0-00001-9", "9786040000019"),
        ("ISBN 978 604 0 00001 9", "9786040000019"),
        ("ISBN: 0-8044-2957-x", "080442957X"),
        ("0253325528 (alk. paper)", "0253325528"),
        ("9780914378280 (pbk.)", "9780914378280"),
        ("(bìa mềm)", ""),
        ("", ""),
    ],
)
def test_normalize_finds_the_isbn_in_a_raw_020(raw, compact):
    assert isbn.normalize(raw) == compact


def test_hyphenless_removes_separators_and_uppercases_x():
    assert isbn.hyphenless("0-8044-2957-x") == "080442957X"
    assert isbn.hyphenless("978 604\u20110 00001 9") == "9786040000019"


def test_checksums():
    assert isbn.is_valid_isbn10("0253325528")
    assert isbn.is_valid_isbn10("080442957X")
    assert not isbn.is_valid_isbn10("0253325529")
    assert isbn.is_valid_isbn13("9780253325525")
    assert not isbn.is_valid_isbn13("9780253325526")
    assert not isbn.is_valid_isbn13("1234567890128")  # not a 978/979 prefix


def test_to_isbn13_converts_isbn10_and_refuses_bad_checksums():
    assert isbn.to_isbn13("0-253-32552-8") == "9780253325525"
    assert isbn.to_isbn13("080442957X") == "9780804429573"
    assert isbn.to_isbn13("978-604-0-00001-9") == "9786040000019"
    assert isbn.to_isbn13("978-604-0-00001-7") is None
    assert isbn.to_isbn13("không có") is None
    assert isbn.is_valid("ISBN 0-253-32552-8")


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_every_isbn10_converts_to_a_valid_isbn13(first9):
    isbn10 = first9 + isbn.isbn10_check_digit(first9)
    assert isbn.is_valid_isbn10(isbn10)
    isbn13 = isbn.to_isbn13(isbn10)
    assert isbn13 is not None and isbn.is_valid_isbn13(isbn13)
    assert isbn13[3:12] == first9
