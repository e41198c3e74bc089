from library.discovery.query import parse_query


def test_plain_words_are_required_words():
    parsed = parse_query("toán lớp 6")
    assert parsed.words == ["toán", "lớp", "6"]


def test_quoted_text_is_an_exact_phrase():
    parsed = parse_query('"phân số" hình học')
    assert parsed.phrases == ["phân số"]
    assert parsed.words == ["hình", "học"]


def test_minus_excludes_a_word_or_a_phrase():
    parsed = parse_query('toán -"đáp án" -giải')
    assert parsed.words == ["toán"]
    assert parsed.excluded == ["đáp án", "giải"]


def test_vietnamese_and_english_field_prefixes_with_or_without_marks():
    parsed = parse_query('tác giả:Nguyễn nhan de:"Dế Mèn" subject:toán author:Du chủ đề:văn')
    assert [(c.field, c.value, c.phrase) for c in parsed.fields] == [
        ("author", "Nguyễn", False),
        ("title", "Dế Mèn", True),
        ("subject", "toán", False),
        ("author", "Du", False),
        ("subject", "văn", False),
    ]


def test_year_prefix_takes_a_single_year_or_a_range():
    assert (parse_query("năm:2020").year_from, parse_query("năm:2020").year_to) == (2020, 2020)
    ranged = parse_query("year:2015-2020")
    assert (ranged.year_from, ranged.year_to) == (2015, 2020)
    dotted = parse_query("nam:2020..2015")
    assert (dotted.year_from, dotted.year_to) == (2015, 2020)
    open_ended = parse_query("năm:2018-")
    assert (open_ended.year_from, open_ended.year_to) == (2018, None)


def test_isbn_prefix_keeps_its_value():
    parsed = parse_query("isbn:978-604-0-00000-1")
    assert parsed.fields[0].field == "isbn"


def test_a_word_that_only_looks_like_a_prefix_is_a_word():
    parsed = parse_query("namdinh: title")
    assert parsed.fields == []


def test_text_is_nfc_normalised_and_bounded():
    decomposed = "to\u0061\u0301n"
    assert parse_query(decomposed).words == ["toán"]
    assert len(parse_query("a " * 1000).words) <= 24
