"""Vietnamese text core: folding, tone placement, collation, legacy TCVN3/VNI text.

The legacy strings below are hard-coded. The TCVN3 ones were checked byte for byte against
glibc's independent ``iconv -f TCVN5712-1`` table; the VNI ones are the forms familiar from
garbled VNI documents ("Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam").
"""

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from library.core.vietnamese import (
    clean,
    detect_legacy,
    fold,
    is_vietnamese_syllable,
    legacy_to_unicode,
    nfc,
    normalize_tones,
    repair_legacy,
    sort_key,
    unicode_to_legacy,
)

# Every Vietnamese vowel with its six tones (none, huyền, sắc, hỏi, ngã, nặng) and its fold.
VOWEL_ROWS = [
    ("aàáảãạ", "a"),
    ("ăằắẳẵặ", "a"),
    ("âầấẩẫậ", "a"),
    ("eèéẻẽẹ", "e"),
    ("êềếểễệ", "e"),
    ("iìíỉĩị", "i"),
    ("oòóỏõọ", "o"),
    ("ôồốổỗộ", "o"),
    ("ơờớởỡợ", "o"),
    ("uùúủũụ", "u"),
    ("ưừứửữự", "u"),
    ("yỳýỷỹỵ", "y"),
]
ALL_LETTERS = "".join(row for row, _ in VOWEL_ROWS) + "đ"
ALL_LETTERS += ALL_LETTERS.upper()


def nfd(text):
    return unicodedata.normalize("NFD", text)


# -- fold -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Đường Toán lớp 6", "duong toan lop 6"),
        ("đ", "d"),
        ("Đ", "d"),
        ("ĐẠI HỌC QUỐC GIA HÀ NỘI", "dai hoc quoc gia ha noi"),
        ("Nguyễn Thị Minh Khai", "nguyen thi minh khai"),
        ("Truyện Kiều", "truyen kieu"),
        ("Sách giáo khoa Tiếng Việt 1", "sach giao khoa tieng viet 1"),
        ("Hoà Bình", "hoa binh"),
        ("Hòa Bình", "hoa binh"),
        ("Thuỷ Thủy", "thuy thuy"),
        ("ƯỚC MƠ", "uoc mo"),
        ("Kết nối tri thức với cuộc sống", "ket noi tri thuc voi cuoc song"),
        ("53(075) ISBN 978-604-0-00000-1", "53(075) isbn 978-604-0-00000-1"),
        ("Hello World", "hello world"),
        ("Müller café niño", "muller cafe nino"),
        ("Straße", "strasse"),
        ("Москва", "москва"),
        ("北京 Bắc Kinh", "北京 bac kinh"),
        (nfd("Tiếng Việt"), "tieng viet"),
        ("Ðường", "duong"),  # Icelandic eth, a common stand-in for Đ in old data
    ],
)
def test_fold_examples(text, expected):
    assert fold(text) == expected


@pytest.mark.parametrize(("row", "base"), VOWEL_ROWS)
def test_fold_every_vowel_with_every_tone_in_both_cases(row, base):
    assert fold(row) == base * 6
    assert fold(row.upper()) == base * 6
    assert fold(nfd(row.upper())) == base * 6


# -- tone placement ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("variant", "canonical"),
    [
        ("hoà", "hòa"),
        ("hòa", "hòa"),
        ("HOÀ", "HÒA"),
        ("Hoà Bình", "Hòa Bình"),
        ("thuý", "thúy"),
        ("thuỷ", "thủy"),
        ("THUỶ", "THỦY"),
        ("khoẻ", "khỏe"),
        ("loè loẹt", "lòe loẹt"),  # loẹt is closed: mark stays on e
        ("uỷ ban", "ủy ban"),
        ("oà khóc", "òa khóc"),
        ("hoàng", "hoàng"),  # closed syllable: both styles agree
        ("huỳnh", "huỳnh"),
        ("thuyết", "thuyết"),
        ("hoạch", "hoạch"),
        ("quý", "quý"),  # qu is the initial, y the vowel
        ("quả", "quả"),
        ("qủa", "quả"),  # mark typed on the u of qu
        ("quốc", "quốc"),
        ("quyển", "quyển"),
        ("giá", "giá"),  # gi is the initial, a the vowel
        ("gìa", "già"),
        ("gìn giữ", "gìn giữ"),
        ("giường", "giường"),
        ("người", "người"),
        ("khuỷu", "khuỷu"),
        ("ngoài", "ngoài"),
        ("khuấy", "khuấy"),
        ("của", "của"),
        ("mía", "mía"),
        ("thuở", "thuở"),
        ("café", "café"),  # not Vietnamese: untouched
        ("Müller", "Müller"),
        ("naïve résumé", "naïve résumé"),
    ],
)
def test_normalize_tones_uses_traditional_placement(variant, canonical):
    assert normalize_tones(variant) == canonical
    assert normalize_tones(canonical) == canonical


def test_normalize_tones_returns_nfc():
    assert normalize_tones(nfd("khoẻ")) == "khỏe"
    assert unicodedata.is_normalized("NFC", normalize_tones(nfd("Tiếng Việt")))


@pytest.mark.parametrize(
    "word",
    ["a", "ăn", "ấy", "Việt", "NGUYỄN", "quý", "giữa", "gì", "khuya", "nghiêng", "ừ", "Đường"],
)
def test_is_vietnamese_syllable_accepts(word):
    assert is_vietnamese_syllable(word)


@pytest.mark.parametrize(
    "word",
    ["", "café", "world", "tet", "ce", "ka", "ngi", "ghà", "ain", "ăh", "hoàa", "Müller", "ă"],
)
def test_is_vietnamese_syllable_rejects(word):
    assert not is_vietnamese_syllable(word)


# -- collation --------------------------------------------------------------------------


def vn_sorted(items):
    return sorted(items, key=sort_key)


def test_sort_surnames_as_a_librarian_would():
    expected = [
        "An",
        "Ân",
        "Âu",
        "Bùi",
        "Dương",
        "Đặng",
        "Đỗ",
        "Hoàng",
        "Hồ",
        "Huỳnh",
        "Lê",
        "Lý",
        "Ngô",
        "Nguyễn",
        "Phạm",
        "Phan",
        "Trần",
        "Võ",
        "Vũ",
    ]
    assert vn_sorted(reversed(expected)) == expected
    assert vn_sorted(sorted(expected)) == expected


def test_sort_book_titles_word_by_word_with_numbers_in_order():
    expected = [
        "An toàn giao thông",
        "Anh hùng Núp",
        "Ăn uống",
        "Âm nhạc 6",
        "Đạo đức 1",
        "Địa lí",
        "Gia đình",
        "Giáo dục công dân 6",
        "Ngữ văn 6",
        "Tiếng Việt 1",
        "Tin học 6",
        "Toán 6",
        "Toán 10",
        "Tự nhiên và Xã hội 1",
    ]
    assert vn_sorted(reversed(expected)) == expected


@pytest.mark.parametrize(
    "ordered",
    [
        ["an", "ăn", "ân"],
        ["ma", "mà", "má", "mả", "mã", "mạ", "mác", "mai"],
        ["da", "dz", "đa", "Đà", "e"],
        ["Dung", "Dũng", "Đức"],
        ["0", "9", "10", "a"],
        ["ca", "cà", "Cà", "cá"],
        ["o", "ô", "ơ", "p"],
        ["u", "ư", "v"],
        ["e", "ê", "g"],
    ],
)
def test_sort_key_orders_letters_then_tones_then_case(ordered):
    assert vn_sorted(reversed(ordered)) == ordered


def test_sort_key_equal_for_tone_placement_and_normal_forms():
    assert sort_key("Hoà Bình") == sort_key("Hòa Bình")
    assert sort_key("thuý") == sort_key("thúy")
    assert sort_key(nfd("Tiếng Việt")) == sort_key("Tiếng Việt")


def test_sort_key_is_plain_ascii_for_any_database_collation():
    key = sort_key("Đường Kách Mệnh, 北京 – 2024!")
    assert key.isascii()
    assert set(key) <= set("0123456789abcdefghijklmnopqrstuvwxyz")


def test_sort_key_treats_punctuation_as_a_word_break():
    assert sort_key("Bà Rịa - Vũng Tàu") == sort_key("Bà Rịa Vũng Tàu")
    assert sort_key("  Toán  ") == sort_key("Toán")


# -- legacy encodings -------------------------------------------------------------------

LEGACY_SAMPLES = [
    # (Unicode, TCVN3 bytes read as latin-1, VNI bytes read as latin-1)
    (
        "Cộng hòa xã hội chủ nghĩa Việt Nam",
        "Céng hßa x· héi chñ nghÜa ViÖt Nam",
        "Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam",
    ),
    (
        "Độc lập - Tự do - Hạnh phúc",
        "§éc lËp - Tù do - H¹nh phóc",
        "Ñoäc laäp - Töï do - Haïnh phuùc",
    ),
    (
        "Sách giáo khoa Toán lớp 6",
        "S¸ch gi¸o khoa To¸n líp 6",
        "Saùch giaùo khoa Toaùn lôùp 6",
    ),
    ("Nguyễn Du", "NguyÔn Du", "Nguyeãn Du"),
    ("Truyện Kiều", "TruyÖn KiÒu", "Truyeän Kieàu"),
    ("Tiếng Việt", "TiÕng ViÖt", "Tieáng Vieät"),
    ("Đường", "§\xadêng", "Ñöôøng"),
    ("Hà Nội", "Hµ Néi", "Haø Noäi"),
    ("Tô Hoài", "T« Hoµi", "Toâ Hoaøi"),
    (
        "Trường Trung học cơ sở Nguyễn Trãi",
        "Tr\xadêng Trung häc c¬ së NguyÔn Tr·i",
        "Tröôøng Trung hoïc cô sôû Nguyeãn Traõi",
    ),
    ("Lịch sử và Địa lí 6", "LÞch sö vµ §Þa lÝ 6", "Lòch söû vaø Ñòa lí 6"),
    ("Những người khốn khổ", "Nh÷ng ng\xadêi khèn khæ", "Nhöõng ngöôøi khoán khoå"),
    ("Dế Mèn phiêu lưu kí", "DÕ MÌn phiªu l\xadu kÝ", "Deá Meøn phieâu löu kí"),
    ("Bộ Giáo dục và Đào tạo", "Bé Gi¸o dôc vµ §µo t¹o", "Boä Giaùo duïc vaø Ñaøo taïo"),
    ("Tuổi thơ dữ dội", "Tuæi th¬ d÷ déi", "Tuoåi thô döõ doäi"),
    ("Ủy ban nhân dân", "\x9ey ban nh©n d©n", "UÛy ban nhaân daân"),
    ("TRUYỆN KIỀU", "TRUY\x8cN KIÅU", "TRUYEÄN KIEÀU"),
    ("ĐƯỜNG", "§¦\x98NG", "ÑÖÔØNG"),
]


@pytest.mark.parametrize(("text", "tcvn3", "vni"), LEGACY_SAMPLES)
def test_legacy_samples_are_detected_and_converted(text, tcvn3, vni):
    assert detect_legacy(tcvn3) == "tcvn3"
    assert detect_legacy(vni) == "vni"
    assert legacy_to_unicode(tcvn3, "tcvn3") == text
    assert legacy_to_unicode(vni, "vni") == text
    assert repair_legacy(tcvn3) == text
    assert repair_legacy(vni) == text
    assert clean(vni) == text


@pytest.mark.parametrize(("text", "tcvn3", "vni"), LEGACY_SAMPLES)
def test_unicode_to_legacy_matches_the_samples(text, tcvn3, vni):
    assert unicode_to_legacy(text, "tcvn3") == tcvn3
    assert unicode_to_legacy(text, "vni") == vni


def test_tcvn3_read_as_cp1252_converts_capitals_in_80_to_9f():
    as_cp1252 = bytes([0x54, 0x52, 0x55, 0x59, 0x8C, 0x4E]).decode("cp1252")  # TRUYỆN
    assert as_cp1252 == "TRUYŒN"
    assert legacy_to_unicode(as_cp1252, "tcvn3") == "TRUYỆN"
    # – (0x96) is Ọ and — (0x97) Ộ, but only inside a word
    assert legacy_to_unicode("H\x80 N—I", "tcvn3") == "HÀ NỘI"
    assert legacy_to_unicode("§éc lËp – Tù do", "tcvn3") == "Độc lập – Tự do"


def test_tcvn3_keeps_smart_quotes_around_words():
    text = "“TruyÖn KiÒu” cña NguyÔn Du"
    assert detect_legacy(text) == "tcvn3"
    assert repair_legacy(text) == "“Truyện Kiều” của Nguyễn Du"


def test_tcvn3_vntimeh_capitals_typed_with_lowercase_codes():
    assert legacy_to_unicode("TRUYÖN KIÒU", "tcvn3") == "TRUYỆN KIỀU"
    assert legacy_to_unicode("NGUYÔN DU", "tcvn3") == "NGUYỄN DU"


def test_tcvn3_standalone_tone_marks_combine_with_the_vowel():
    assert legacy_to_unicode("Vie\xb4t Nam", "tcvn3") == "Viẹt Nam"
    assert legacy_to_unicode("25\xb0C", "tcvn3") == "25\xb0C"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Harry Potter and the Philosopher's Stone",
        "café crème",
        "Où est le café ? Là où il veut.",
        "Le goût du thé, naïve déjà vu, à la française",
        "Müller",
        "Grüße aus München, schöne Bücher für Kinder",
        "niño",
        "El niño está en la casa. Aún no, sí, tú también.",
        "São João e a canção do coração",
        "Cộng hòa xã hội chủ nghĩa Việt Nam",
        "Hà Lê Chí Tú",  # real Unicode made only of latin-1 letters
        "Tô Hoài",
        "Hoà Chí Minh",  # VNI for Hồ Chí Minh, but also a valid Unicode line: keep it
        "53(075) 978-604-0-00000-1 2024",
        "Москва 北京",
    ],
)
def test_detect_legacy_does_not_fire_on_unicode_or_western_text(text):
    assert detect_legacy(text) is None
    assert repair_legacy(text) == nfc(text)


def test_legacy_to_unicode_rejects_unknown_encoding():
    with pytest.raises(ValueError):
        legacy_to_unicode("x", "viqr")


# -- clean ------------------------------------------------------------------------------


def test_clean_strips_controls_keeps_tabs_newlines_and_tone_placement():
    assert clean("Hoà\x00 Bình\x07\tthuỷ\r\nkhoẻ\x85") == "Hoà Bình\tthuỷ\nkhoẻ"


def test_clean_composes_nfd_input():
    assert clean(nfd("Tiếng Việt")) == "Tiếng Việt"


# -- properties -------------------------------------------------------------------------

TEXT_ALPHABET = st.sampled_from(
    list(ALL_LETTERS)
    + list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,-()")
    + list("éüñçßÐðİ")
    + ["\u0300", "\u0301", "\u0303", "\u0309", "\u0323", "\u0302", "\u0306", "\u031b"]
)
texts = st.text(alphabet=TEXT_ALPHABET, max_size=40)

REAL_WORDS = [
    "cộng",
    "hòa",
    "xã",
    "hội",
    "chủ",
    "nghĩa",
    "việt",
    "nam",
    "độc",
    "lập",
    "tự",
    "do",
    "hạnh",
    "phúc",
    "sách",
    "giáo",
    "khoa",
    "toán",
    "lớp",
    "tiếng",
    "truyện",
    "kiều",
    "nguyễn",
    "du",
    "trường",
    "người",
    "đường",
    "những",
    "khuya",
    "quý",
    "giá",
    "quả",
    "của",
    "thuở",
    "khuỷu",
    "ngoài",
    "khuấy",
    "hoàng",
    "huỳnh",
    "thuyết",
    "giữa",
    "gìn",
    "ước",
    "mơ",
    "yêu",
    "thương",
    "ông",
    "bà",
    "cha",
    "mẹ",
    "anh",
    "chị",
    "em",
    "bạn",
    "bè",
    "thầy",
    "cô",
    "năm",
    "tháng",
    "ngày",
    "đêm",
    "sáng",
    "tối",
    "mưa",
    "nắng",
    "gió",
    "biển",
    "sông",
    "núi",
    "rừng",
]


@st.composite
def vietnamese_words(draw):
    letters = draw(
        st.text(
            alphabet=st.sampled_from(list(ALL_LETTERS.lower()) + list("bcdghklmnpqrstvx")),
            min_size=1,
            max_size=8,
        )
    )
    case = draw(st.sampled_from(["lower", "upper", "title"]))
    return {"lower": letters, "upper": letters.upper(), "title": letters.capitalize()}[case]


@given(texts)
def test_fold_is_idempotent(text):
    assert fold(fold(text)) == fold(text)


@given(texts)
def test_fold_leaves_no_marks_and_no_d_with_stroke(text):
    folded = fold(text)
    assert not any(unicodedata.combining(c) for c in folded)
    assert "đ" not in folded and "Đ" not in folded


@given(texts)
def test_fold_ignores_normal_form(text):
    assert fold(nfc(text)) == fold(nfd(text))


@given(texts)
def test_sort_key_consistent_with_normalized_tones(text):
    assert sort_key(text) == sort_key(normalize_tones(text))
    assert sort_key(nfd(text)) == sort_key(text)


@given(st.lists(st.sampled_from(REAL_WORDS), min_size=1, max_size=6))
def test_tone_placement_variants_sort_equal(words):
    text = " ".join(words)
    modern = text.replace("òa", "oà").replace("ủy", "uỷ").replace("úy", "uý")
    assert sort_key(modern) == sort_key(text)


# Letters of their own in the alphabet (a < ă < â, d < đ, ...): folding loses their order.
_OWN_LETTERS = set("ăâđêôơư")


@given(st.sampled_from(REAL_WORDS), st.sampled_from(REAL_WORDS))
def test_sort_key_primary_ignores_tones(a, b):
    # Among words of plain letters (tones aside), the folded order is the alphabet's.
    plain = not (_OWN_LETTERS & set(fold_letters_only(a + b)))
    if plain and fold(a) < fold(b) and not fold(b).startswith(fold(a)):
        assert sort_key(a) < sort_key(b)


def fold_letters_only(text: str) -> str:
    """Lowercase with tones removed but letter marks (ă, â, đ, ê, ô, ơ, ư) kept."""
    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    decomposed = unicodedata.normalize("NFD", text.lower())
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in tones))


@settings(max_examples=100, deadline=None)
@given(st.lists(vietnamese_words(), min_size=1, max_size=5), st.sampled_from(["tcvn3", "vni"]))
def test_legacy_round_trip(words, encoding):
    text = " ".join(words)
    assert legacy_to_unicode(unicode_to_legacy(text, encoding), encoding) == text


@given(st.lists(st.sampled_from(REAL_WORDS), min_size=1, max_size=8))
def test_detect_legacy_never_fires_on_unicode_vietnamese(words):
    text = " ".join(words)
    assert detect_legacy(text) is None
    assert detect_legacy(text.upper()) is None


@pytest.mark.parametrize(
    "text",
    ["McMahon, Seán", "Ó Súilleabháin, Seán", "García Márquez, Gabriel", "Ngữ văn 7 — tập một"],
)
def test_foreign_names_and_unicode_text_are_not_taken_for_legacy(text):
    assert detect_legacy(text) is None
    assert clean(text) == nfc(text)


def test_short_vni_title_is_still_repaired():
    assert repair_legacy("Vieät Nam") == "Việt Nam"
