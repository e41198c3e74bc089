"""Vietnamese text core: normalisation, search folding, collation and legacy encodings.

Pure Python, no Django. Everything here is safe to call on every imported field and every
indexed token.

Choices that other modules rely on:

* Canonical tone placement (``normalize_tones``) is the *traditional* style, the default of
  Unikey and most typed data: in an open syllable the tone of ``oa``, ``oe`` and ``uy`` sits
  on the first vowel (``hòa``, ``khỏe``, ``thủy``, ``òa``, ``ủy``); everywhere else the
  rules of both styles agree (``hoàng``, ``huỳnh``, ``thuyết``, ``quý``, ``quả``, ``già``).
  Stored text keeps the placement it arrived with; only keys are normalised.
* ``fold`` keeps only base letters: tones and vowel marks go (ă â ê ô ơ ư → a a e o o u),
  đ/Đ → d, everything is case-folded. Combining diacritics (U+0300–U+036F) are removed in
  every script, so NFC and NFD input fold alike.
* ``sort_key`` returns an ASCII string over ``[0-9a-z]`` only, so plain code-point order,
  SQLite BINARY and the usual PostgreSQL locales all give the same Vietnamese order.
* Legacy text is expected as its bytes decoded with latin-1 or cp1252; both are accepted.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = [
    "clean",
    "detect_legacy",
    "fold",
    "is_vietnamese_syllable",
    "legacy_to_unicode",
    "nfc",
    "normalize_tones",
    "repair_legacy",
    "sort_key",
    "unicode_to_legacy",
]

# --------------------------------------------------------------------------------------
# Letters
# --------------------------------------------------------------------------------------

#: Tone indices, in collation order: không dấu, huyền, sắc, hỏi, ngã, nặng.
TONE_MARKS = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
VOWELS = "aăâeêioôơuưy"
CONSONANTS = "bcdđghklmnpqrstvx"
_BASE_OF = {"ă": "a", "â": "a", "ê": "e", "ô": "o", "ơ": "o", "ư": "u", "đ": "d"}

#: char -> (quality letter in lowercase, tone index, is uppercase), for the 134 Vietnamese
#: letters with marks plus the plain Latin letters.
_DECOMP: dict[str, tuple[str, int, bool]] = {}
#: (quality letter, tone index) -> lowercase precomposed char
_COMPOSE: dict[tuple[str, int], str] = {}

for _q in VOWELS:
    for _t, _mark in enumerate(TONE_MARKS):
        _c = unicodedata.normalize("NFC", _q + _mark)
        assert len(_c) == 1, (_q, _t)
        _COMPOSE[(_q, _t)] = _c
        _DECOMP[_c] = (_q, _t, False)
        _DECOMP[_c.upper()] = (_q, _t, True)
for _q in "bcdđfghjklmnpqrstvwxz":
    _COMPOSE[(_q, 0)] = _q
    _DECOMP[_q] = (_q, 0, False)
    _DECOMP[_q.upper()] = (_q, 0, True)

#: The 134 letters that carry a Vietnamese mark (67 lowercase + 67 uppercase).
VIETNAMESE_MARKED_LETTERS = frozenset(c for c, (q, t, _up) in _DECOMP.items() if t or q in _BASE_OF)
#: Marked letters that latin-1/cp1252 cannot hold: seeing them means real Unicode text.
_UNICODE_ONLY = frozenset(c for c in VIETNAMESE_MARKED_LETTERS if ord(c) > 0xFF) | frozenset(
    chr(c) for c in range(0x300, 0x370)
)
#: Every non-ASCII character that legacy bytes read as latin-1 or cp1252 can become.
_LEGACY_VIEW = frozenset(chr(c) for c in range(0x80, 0x100)) | frozenset(
    bytes([c]).decode("cp1252")
    for c in range(0x80, 0xA0)
    if c not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
)


_LEGACY_VIEW_RE = re.compile("[" + re.escape("".join(sorted(_LEGACY_VIEW))) + "]")


def nfc(text: str) -> str:
    """Return ``text`` in Unicode NFC."""
    return unicodedata.normalize("NFC", text)


# --------------------------------------------------------------------------------------
# Syllable structure
# --------------------------------------------------------------------------------------


def _words(spaced: str) -> list[str]:
    return spaced.split()


_INITIALS = sorted(
    _words("ngh ng nh ch gh gi kh ph qu th tr b c d đ g h k l m n p r s t v x"),
    key=len,
    reverse=True,
)
_FINALS = frozenset(["", "c", "ch", "m", "n", "ng", "nh", "p", "t"])
_STOP_FINALS = frozenset(["c", "ch", "p", "t"])

# nucleus -> (tone index in an open syllable, tone index in a closed syllable)
_NUCLEI: dict[str, tuple[int, int]] = dict.fromkeys(VOWELS, (0, 0))
for _n in _words("ai ao au ay âu ây eo êu ia iu oi ôi ơi ua ui ưa ưi ưu"):
    _NUCLEI[_n] = (0, 0)
for _n in _words("iê yê uô ươ uơ uâ uê oă oo"):
    _NUCLEI[_n] = (1, 1)
for _n in _words("oa oe uy"):
    # The only place the two styles differ; traditional style is canonical.
    _NUCLEI[_n] = (0, 1)
for _n in _words("iêu yêu oai oay oao oeo uây uôi ươi ươu uya uyu uêu"):
    _NUCLEI[_n] = (1, 1)
_NUCLEI["uyê"] = (2, 2)

_NO_FINAL = frozenset(
    _words("ai ao au ay âu ây eo êu iu oi ôi ơi ui ưi ưu ia ua ưa")
    + _words("iêu yêu oai oay oao oeo uây uôi ươi ươu uya uyu uêu")
)
_NEEDS_FINAL = frozenset(_words("ă â oă uâ iê yê uô ươ uyê oo"))
_FRONT = frozenset("eêiy")


@lru_cache(maxsize=8192)
def _parse(bare: str) -> tuple[str, str, str] | None:
    """Split a toneless lowercase syllable into (initial, nucleus, final), or None."""
    initial = ""
    for ini in _INITIALS:
        if bare.startswith(ini):
            initial = ini
            break
    rest = bare[len(initial) :]
    if initial == "gi" and (not rest or rest[0] not in VOWELS):
        # "gì", "gìn": the i is the vowel, not part of the initial
        initial, rest = "g", bare[1:]
    j = 0
    while j < len(rest) and rest[j] in VOWELS:
        j += 1
    nucleus, final = rest[:j], rest[j:]
    if nucleus not in _NUCLEI or final not in _FINALS:
        return None
    return initial, nucleus, final


def _tone_index(initial: str, nucleus: str, final: str) -> int:
    open_pos, closed_pos = _NUCLEI[nucleus]
    return len(initial) + (closed_pos if final else open_pos)


def _split_letters(word: str) -> tuple[list[tuple[str, bool]], int] | None:
    """[(quality letter, upper)], tone — or None if not made of Vietnamese letters."""
    letters = []
    tone = 0
    for ch in word:
        d = _DECOMP.get(ch)
        if d is None:
            return None
        q, t, up = d
        if t:
            if tone:
                return None
            tone = t
        letters.append((q, up))
    return letters, tone


def is_vietnamese_syllable(word: str) -> bool:
    """True if ``word`` (any case, NFC) is a well-formed Vietnamese syllable."""
    split = _split_letters(word)
    if split is None or not word:
        return False
    letters, tone = split
    bare = "".join(q for q, _ in letters)
    parsed = _parse(bare)
    if parsed is None:
        return False
    initial, nucleus, final = parsed
    if final in _STOP_FINALS and tone not in (2, 5):
        return False
    if final and nucleus in _NO_FINAL:
        return False
    if not final and nucleus in _NEEDS_FINAL:
        return False
    first = nucleus[0]
    if initial in ("k", "gh", "ngh") and first not in _FRONT:
        return False
    if initial in ("c", "ng") and first in _FRONT:
        return False
    return not (initial == "g" and first in "eê")


def _plausible_case(word: str) -> bool:
    return word.islower() or word.isupper() or (word[:1].isupper() and word[1:].islower())


# --------------------------------------------------------------------------------------
# Tone placement
# --------------------------------------------------------------------------------------

_WORD_RE = re.compile(r"(?:[^\W\d_]|[\u0300-\u036f])+")
_tone_cache: dict[str, str] = {}


def _normalize_word(word: str) -> str:
    split = _split_letters(word)
    if split is None:
        return word
    letters, tone = split
    if not tone:
        return word
    parsed = _parse("".join(q for q, _ in letters))
    if parsed is None:
        return word
    pos = _tone_index(*parsed)
    out = []
    for i, (q, up) in enumerate(letters):
        c = _COMPOSE[(q, tone if i == pos else 0)]
        out.append(c.upper() if up else c)
    return "".join(out)


def _normalize_match(m: re.Match) -> str:
    word = m.group(0)
    if word.isascii():
        return word
    res = _tone_cache.get(word)
    if res is None:
        if len(_tone_cache) > 50_000:
            _tone_cache.clear()
        res = _tone_cache[word] = _normalize_word(word)
    return res


def normalize_tones(text: str) -> str:
    """NFC, then move tone marks to the canonical (traditional) place: hoà → hòa.

    Words that are not Vietnamese syllables are left as they are.
    """
    if text.isascii():
        return text
    return _WORD_RE.sub(_normalize_match, nfc(text))


# --------------------------------------------------------------------------------------
# Folding
# --------------------------------------------------------------------------------------


def _build_fold_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for cp in range(0x80, 0x3000):
        ch = chr(cp)
        d = unicodedata.normalize("NFD", ch)
        if len(d) > 1 and all(0x300 <= ord(m) <= 0x36F for m in d[1:]):
            table[cp] = d[0].lower()
    for cp in range(0x300, 0x370):
        table[cp] = None
    # đ does not decompose; Ð (eth) is a frequent stand-in for Đ in old data.
    for ch in "đĐðÐ":
        table[ord(ch)] = "d"
    # Identity (lowercased) entries for the Latin blocks: a key missing from the table
    # costs str.translate a KeyError, which would make it several times slower.
    for cp in [*range(0x250), *range(0x1E00, 0x1F00)]:
        if cp not in table:
            low = chr(cp).lower()
            table[cp] = low if len(low) == 1 else chr(cp)
    return table


_FOLD_TABLE = _build_fold_table()


def fold(text: str) -> str:
    """Search key: no tones, no vowel marks, đ → d, case-folded. "Đường" → "duong"."""
    if text.isascii():
        return text.lower()
    # One pass folds and lowercases Vietnamese and other Latin letters, precomposed or not.
    folded = text.translate(_FOLD_TABLE)
    if folded.isascii():
        return folded
    # Other scripts and special cases (ß → ss, K → k): casefold, which may emit
    # combining marks ("İ" → "i̇"), then the table again to drop them.
    return folded.casefold().translate(_FOLD_TABLE)


# --------------------------------------------------------------------------------------
# Collation
# --------------------------------------------------------------------------------------

_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_B36 = "0123456789abcdefghijklmnopqrstuvwxyz"
_LEVEL_SEP = "00"
_WORD_SEP = "01"
_NUMBER = "02"
_LETTER_CODE = {c: "1" + _B36[i] for i, c in enumerate(_ALPHABET)}
_QUALITY_MARKS = {
    ("a", "\u0306"): "ă",
    ("a", "\u0302"): "â",
    ("e", "\u0302"): "ê",
    ("o", "\u0302"): "ô",
    ("o", "\u031b"): "ơ",
    ("u", "\u031b"): "ư",
}
_TONE_OF_MARK = {m: str(i) for i, m in enumerate(TONE_MARKS) if m}
_SORT_TOKEN_RE = re.compile(r"[0-9]+|[^\W\d_]+|\d|[\W_]+")


def _b36(n: int, width: int) -> str:
    digits = []
    for _ in range(width):
        n, r = divmod(n, 36)
        digits.append(_B36[r])
    return "".join(reversed(digits))


@lru_cache(maxsize=4096)
def _letter_weights(ch: str) -> tuple[str, str, str]:
    """(primary, secondary, tertiary) for one letter."""
    low = ch.lower()
    upper = ch != low
    d = _DECOMP.get(low)
    if d is not None:
        q, t, _ = d
        return _LETTER_CODE[q], str(t), "1" if upper else "0"
    decomposed = unicodedata.normalize("NFD", low)
    base, marks = decomposed[0], decomposed[1:]
    if base in _LETTER_CODE and marks:
        secondary = "6"
        for m in marks:
            quality = _QUALITY_MARKS.get((base, m))
            if quality:
                base = quality
            elif m in _TONE_OF_MARK and secondary == "6":
                secondary = _TONE_OF_MARK[m]
        return _LETTER_CODE[base], secondary, "1" if upper else "0"
    if low in ("ð",):
        return _LETTER_CODE["đ"], "6", "1" if upper else "0"
    return "3" + _b36(ord(low[0]) if len(low) == 1 else ord(ch), 4), "0", "1" if upper else "0"


@lru_cache(maxsize=65536)
def _run_weights(run: str) -> tuple[str, str, str]:
    weights = [_letter_weights(ch) for ch in run]
    return (
        "".join(w[0] for w in weights),
        "".join(w[1] for w in weights),
        "".join(w[2] for w in weights),
    )


_SEPARATOR = ("", "", "")
_token_cache: dict[str, tuple[str, str, str]] = {}


def _token_weights(tok: str) -> tuple[str, str, str]:
    """(primary, secondary, tertiary) of one token of `_SORT_TOKEN_RE`; `_SEPARATOR` for a
    run of spaces or punctuation."""
    first = tok[0]
    if "0" <= first <= "9":
        digits = tok.lstrip("0") or "0"
        return _NUMBER + _b36(min(len(digits), 1295), 2) + digits, "0", "0"
    if first.isalpha() or first.isdigit():
        return _run_weights(tok)
    return _SEPARATOR


def sort_key(text: str) -> str:
    """Vietnamese collation key; compare keys as plain strings.

    Format: ``primary + "00" + secondary + "00" + tertiary``, all in ``[0-9a-z]``.
    Primary: two characters per letter in the order a ă â b c d đ e ê (f) g h i (j) k l m n o
    ô ơ p q r s t u ư v (w) x y (z); numbers (``"02"`` + length + digits, so 6 < 10) sort
    before letters; every run of spaces or punctuation is one low word separator
    (``"01"``), so "an toàn" < "anh". Secondary: one tone digit per unit (0 không dấu,
    1 huyền, 2 sắc, 3 hỏi, 4 ngã, 5 nặng). Tertiary: one case digit per unit, lower first.
    Tone placement variants (hoà/hòa) give the same key.
    """
    text = normalize_tones(text)
    primary: list[str] = []
    secondary: list[str] = []
    tertiary: list[str] = []
    cache = _token_cache
    separated = True  # no separator before the first unit
    for tok in _SORT_TOKEN_RE.findall(text):
        weights = cache.get(tok)
        if weights is None:
            if len(cache) > 100_000:
                cache.clear()
            weights = cache[tok] = _token_weights(tok)
        if weights is _SEPARATOR:
            if not separated:
                primary.append(_WORD_SEP)
                secondary.append("0")
                tertiary.append("0")
                separated = True
            continue
        primary.append(weights[0])
        secondary.append(weights[1])
        tertiary.append(weights[2])
        separated = False
    if primary and separated:
        primary.pop()
        secondary.pop()
        tertiary.pop()
    return "".join(primary) + _LEVEL_SEP + "".join(secondary) + _LEVEL_SEP + "".join(tertiary)


# --------------------------------------------------------------------------------------
# Legacy encodings
# --------------------------------------------------------------------------------------

# TCVN 5712:1993 (VN1). The ABC/.VnTime fonts (VN3, "TCVN3") use the A0–FF half: all 67
# lowercase letters, Ă Â Ê Ô Ơ Ư Đ and 16 toned capitals; VN1 puts the remaining capitals in
# C0 (01–17) and C1 (80–9F) positions. Keys are byte values.
_TCVN3_BYTES: dict[int, str] = {
    0x01: "Ú", 0x02: "Ụ", 0x04: "Ừ", 0x05: "Ử", 0x06: "Ữ",
    0x11: "Ứ", 0x12: "Ự", 0x13: "Ỳ", 0x14: "Ỷ", 0x15: "Ỹ", 0x16: "Ý", 0x17: "Ỵ",
    0x80: "À", 0x81: "Ả", 0x82: "Ã", 0x83: "Á", 0x84: "Ạ", 0x85: "Ặ", 0x86: "Ậ", 0x87: "È",
    0x88: "Ẻ", 0x89: "Ẽ", 0x8A: "É", 0x8B: "Ẹ", 0x8C: "Ệ", 0x8D: "Ì", 0x8E: "Ỉ", 0x8F: "Ĩ",
    0x90: "Í", 0x91: "Ị", 0x92: "Ò", 0x93: "Ỏ", 0x94: "Õ", 0x95: "Ó", 0x96: "Ọ", 0x97: "Ộ",
    0x98: "Ờ", 0x99: "Ở", 0x9A: "Ỡ", 0x9B: "Ớ", 0x9C: "Ợ", 0x9D: "Ù", 0x9E: "Ủ", 0x9F: "Ũ",
    0xA1: "Ă", 0xA2: "Â", 0xA3: "Ê", 0xA4: "Ô", 0xA5: "Ơ", 0xA6: "Ư", 0xA7: "Đ",
    0xA8: "ă", 0xA9: "â", 0xAA: "ê", 0xAB: "ô", 0xAC: "ơ", 0xAD: "ư", 0xAE: "đ", 0xAF: "Ằ",
    0xB5: "à", 0xB6: "ả", 0xB7: "ã", 0xB8: "á", 0xB9: "ạ", 0xBA: "Ẳ", 0xBB: "ằ",
    0xBC: "ẳ", 0xBD: "ẵ", 0xBE: "ắ", 0xBF: "Ẵ", 0xC0: "Ắ", 0xC1: "Ầ", 0xC2: "Ẩ", 0xC3: "Ẫ",
    0xC4: "Ấ", 0xC5: "Ề", 0xC6: "ặ", 0xC7: "ầ", 0xC8: "ẩ", 0xC9: "ẫ", 0xCA: "ấ", 0xCB: "ậ",
    0xCC: "è", 0xCD: "Ể", 0xCE: "ẻ", 0xCF: "ẽ", 0xD0: "é", 0xD1: "ẹ", 0xD2: "ề", 0xD3: "ể",
    0xD4: "ễ", 0xD5: "ế", 0xD6: "ệ", 0xD7: "ì", 0xD8: "ỉ", 0xD9: "Ễ", 0xDA: "Ế", 0xDB: "Ồ",
    0xDC: "ĩ", 0xDD: "í", 0xDE: "ị", 0xDF: "ò", 0xE0: "Ổ", 0xE1: "ỏ", 0xE2: "õ", 0xE3: "ó",
    0xE4: "ọ", 0xE5: "ồ", 0xE6: "ổ", 0xE7: "ỗ", 0xE8: "ố", 0xE9: "ộ", 0xEA: "ờ", 0xEB: "ở",
    0xEC: "ỡ", 0xED: "ớ", 0xEE: "ợ", 0xEF: "ù", 0xF0: "Ỗ", 0xF1: "ủ", 0xF2: "ũ", 0xF3: "ú",
    0xF4: "ụ", 0xF5: "ừ", 0xF6: "ử", 0xF7: "ữ", 0xF8: "ứ", 0xF9: "ự", 0xFA: "ỳ", 0xFB: "ỷ",
    0xFC: "ỹ", 0xFD: "ý", 0xFE: "ỵ", 0xFF: "Ố",
}  # fmt: skip
# B0–B4: stand-alone tone marks, typed after the vowel
_TCVN3_COMBINING = {
    "\xb0": "\u0300", "\xb1": "\u0309", "\xb2": "\u0303", "\xb3": "\u0301", "\xb4": "\u0323",
}  # fmt: skip

# Source character (latin-1 view) -> letter
_TCVN3_DECODE: dict[str, str] = {chr(b): u for b, u in _TCVN3_BYTES.items()}
# The cp1252 view of 80–9F: letters there are safe; punctuation (“ ” – … ™) is only
# taken as a letter when the word it ends up in is a Vietnamese syllable.
_TCVN3_AMBIGUOUS: dict[str, str] = {}
for _b in range(0x80, 0xA0):
    try:
        _c = bytes([_b]).decode("cp1252")
    except UnicodeDecodeError:
        continue
    if _c.isalpha():
        _TCVN3_DECODE[_c] = _TCVN3_BYTES[_b]
    else:
        _TCVN3_AMBIGUOUS[_c] = _TCVN3_BYTES[_b]
_TCVN3_ENCODE: dict[str, str] = {u: chr(b) for b, u in _TCVN3_BYTES.items()}
# Codes that, read as latin-1, are not letters Western text uses: § ­ ¸ µ ª × ÷ ...
_WESTERN_LETTERS = frozenset(
    "àáâãäåæçèéêëìíîïñòóôõöøùúûüýÿÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝßðÐÞþŠšŒœŽžŸƒ"
)
_TCVN3_STRONG = (
    frozenset(_TCVN3_DECODE) | frozenset(_TCVN3_COMBINING) | frozenset(_TCVN3_AMBIGUOUS)
) - _WESTERN_LETTERS
_TCVN3_RUN_RE = re.compile(
    "(?:[^\\W\\d_]|["
    + re.escape("".join(sorted(set(_TCVN3_DECODE) | set(_TCVN3_AMBIGUOUS) | set(_TCVN3_COMBINING))))
    + "])+"
)

# VNI-Windows: a base letter followed by mark characters.
_VNI_LETTERS = {
    "ô": "ơ", "Ô": "Ơ", "ö": "ư", "Ö": "Ư", "ñ": "đ", "Ñ": "Đ",
    "ì": "ì", "Ì": "Ì", "í": "í", "Í": "Í", "æ": "ỉ", "Æ": "Ỉ", "ó": "ĩ", "Ó": "Ĩ",
    "ò": "ị", "Ò": "Ị", "î": "ỵ", "Î": "Ỵ",
}  # fmt: skip
# mark character (lowercase) -> (quality change or "", tone index)
_VNI_MARKS = {
    "ø": ("", 1), "ù": ("", 2), "û": ("", 3), "õ": ("", 4), "ï": ("", 5),
    "â": ("^", 0), "à": ("^", 1), "á": ("^", 2), "å": ("^", 3), "ã": ("^", 4), "ä": ("^", 5),
    "ê": ("(", 0), "è": ("(", 1), "é": ("(", 2), "ú": ("(", 3), "ü": ("(", 4), "ë": ("(", 5),
}  # fmt: skip
_VNI_MARKS.update({k.upper(): v for k, v in list(_VNI_MARKS.items())})
_VNI_QUALITY = {("^", "a"): "â", ("^", "e"): "ê", ("^", "o"): "ô", ("(", "a"): "ă"}
_VNI_STRONG_MARKS = frozenset("âäàáåãêëèéøõïÂÄÀÁÅÃÊËÈÉØÕÏ")
_VNI_MARK_FOR = {v: k for k, v in _VNI_MARKS.items() if k.islower()}
_VNI_LETTER_FOR = {v: k for k, v in _VNI_LETTERS.items()}


def _vni_decode(text: str) -> tuple[str, int]:
    """(converted text, number of compositions made with a distinctively VNI mark)."""
    out: list[str] = []
    strong = 0
    prev_letter = False  # out[-1] is a letter this decoder may still mark
    for ch in text:
        mark = _VNI_MARKS.get(ch)
        if mark is not None and prev_letter:
            d = _DECOMP.get(out[-1])
            if d is not None:
                q, t, up = d
                change, tone = mark
                if change:
                    q2 = _VNI_QUALITY.get((change, q))
                    ok = q2 is not None and t == 0
                else:
                    q2 = q
                    ok = q in VOWELS and t == 0
                if ok and (tone == 0 or t == 0):
                    c = _COMPOSE[(q2, tone)]
                    out[-1] = c.upper() if up else c
                    if ch in _VNI_STRONG_MARKS:
                        strong += 1
                    continue
        letter = _VNI_LETTERS.get(ch)
        if letter is not None:
            out.append(letter)
            prev_letter = True
            continue
        out.append(ch)
        prev_letter = ch in _DECOMP
    return "".join(out), strong


def _tcvn3_convert_run(run: str) -> str:
    # Ambiguous punctuation at the edges stays punctuation unless it makes a syllable.
    lead = 0
    while lead < len(run) and run[lead] in _TCVN3_AMBIGUOUS:
        lead += 1
    trail = len(run)
    while trail > lead and run[trail - 1] in _TCVN3_AMBIGUOUS:
        trail -= 1
    core = run[lead:trail]
    if not core:
        return run
    out: list[str] = []
    lower_coded = upper_other = lower_other = 0
    for ch in core:
        u = _TCVN3_DECODE.get(ch) or _TCVN3_AMBIGUOUS.get(ch)
        if u is not None:
            if u.islower():
                lower_coded += 1
            else:
                upper_other += 1
            out.append(u)
        elif ch in _TCVN3_COMBINING:
            if out and out[-1].lower() in _DECOMP and _DECOMP[out[-1].lower()][0] in VOWELS:
                out.append(_TCVN3_COMBINING[ch])
            else:
                out.append(ch)
        else:
            if ch.isupper():
                upper_other += 1
            elif ch.islower():
                lower_other += 1
            out.append(ch)
    word = unicodedata.normalize("NFC", "".join(out))
    if lower_coded and upper_other >= 2 and not lower_other:
        # .VnTimeH style: capitals typed with lowercase codes in an all-capitals word.
        word = word.upper()
    if lead or trail < len(run):
        head = "".join(_TCVN3_AMBIGUOUS[c] for c in run[:lead])
        tail = "".join(_TCVN3_AMBIGUOUS[c] for c in run[trail:])
        if is_vietnamese_syllable(head + word + tail):
            return head + word + tail
        return run[:lead] + word + run[trail:]
    return word


def _tcvn3_decode(text: str) -> str:
    return _TCVN3_RUN_RE.sub(lambda m: _tcvn3_convert_run(m.group(0)), text)


def legacy_to_unicode(text: str, encoding: str) -> str:
    """Convert TCVN3 (ABC) or VNI-Windows text, read as latin-1/cp1252, to NFC Unicode.

    ``encoding`` is ``"tcvn3"`` or ``"vni"``. Known gaps: a TCVN3 capital whose code is a
    cp1252 punctuation mark (80–9F, e.g. “ = Ỏ, – = Ọ) is only converted inside a word that
    then reads as a syllable, so a lone "Ọ"/"Ở" stays punctuation; an all-capitals word typed
    in .VnTimeH style (lowercase codes) is upper-cased only when it has at least two other
    capitals, so one-letter-plus-vowel words like "TÕ" come out as "Tế".
    """
    if encoding == "tcvn3":
        return nfc(_tcvn3_decode(text))
    if encoding == "vni":
        return nfc(_vni_decode(text)[0])
    raise ValueError(f"unknown legacy encoding: {encoding!r}")


def unicode_to_legacy(text: str, encoding: str) -> str:
    """Encode Vietnamese Unicode as ``encoding`` and return those bytes read as latin-1.

    The inverse of ``legacy_to_unicode``; characters the encoding lacks pass through.
    TCVN3 capitals use their VN1 codes, so the round trip is exact.
    """
    text = nfc(text)
    if encoding == "tcvn3":
        return "".join(_TCVN3_ENCODE.get(ch, ch) for ch in text)
    if encoding != "vni":
        raise ValueError(f"unknown legacy encoding: {encoding!r}")
    out = []
    for ch in text:
        d = _DECOMP.get(ch)
        if d is None or (d[0] not in _BASE_OF and d[1] == 0):
            out.append(ch)
            continue
        q, t, up = d
        if q == "đ":
            out.append("Ñ" if up else "ñ")
            continue
        if (q == "i" and t) or (q == "y" and t == 5):
            letter = _VNI_LETTER_FOR[_COMPOSE[(q, t)].upper() if up else _COMPOSE[(q, t)]]
            out.append(letter)
            continue
        if q in ("ơ", "ư"):
            base, change = _VNI_LETTER_FOR[q], ""
        elif q in ("â", "ê", "ô"):
            base, change = _BASE_OF[q], "^"
        elif q == "ă":
            base, change = "a", "("
        else:
            base, change = q, ""
        mark = _VNI_MARK_FOR[(change, t)] if (change or t) else ""
        s = base + mark
        out.append(s.upper() if up else s)
    return "".join(out)


# --------------------------------------------------------------------------------------
# Detection
# --------------------------------------------------------------------------------------

_EDGE_PUNCT = "\"'()[]{}<>.,;:!?-/*&%$#@+=|\\`~^_“”‘’«»–—…"
_TCVN3_MIXED_RE = re.compile(
    "[a-z][" + re.escape("".join(c for c in _TCVN3_DECODE if c.isupper() and c.isalpha())) + "]"
)


def _word_ok(word: str) -> bool:
    """A Vietnamese syllable with sane casing (or a hyphenated run of them)."""
    word = word.strip(_EDGE_PUNCT)
    if not word:
        return False
    return all(p and _plausible_case(p) and is_vietnamese_syllable(p) for p in word.split("-"))


def _evidence(tokens: list[str], encoding: str) -> tuple[int, int, int, list[str]]:
    support = against = strong = 0
    converted = []
    for tok in tokens:
        if tok.isascii():
            converted.append(tok)
            continue
        if encoding == "vni":
            conv, n_strong = _vni_decode(tok)
            conv = nfc(conv)
            is_strong = n_strong > 0 or "öô" in tok.lower()
        else:
            conv = nfc(_tcvn3_decode(tok))
            is_strong = any(c in _TCVN3_STRONG for c in tok) or bool(_TCVN3_MIXED_RE.search(tok))
        converted.append(conv)
        if conv == tok:
            continue
        if _word_ok(conv):
            if not _word_ok(tok):
                support += 1
                strong += is_strong
        else:
            against += 1
    return support, against, strong, converted


def _foreign_word(word: str, converted: str) -> bool:
    """A word of four letters or more that the conversion leaves as it is and that no
    Vietnamese syllable spells ("McMahon", "Súilleabháin")."""
    return word == converted and len(word) >= 4 and word.isalpha() and not _word_ok(word)


def detect_legacy(text: str) -> str | None:
    """Return "tcvn3" or "vni" if ``text`` looks like that legacy encoding read as latin-1.

    Scoring, per encoding: words the conversion turns from non-Vietnamese into valid
    Vietnamese syllables count for it, words it turns into non-syllables count against.
    It fires with enough support (three words, or one word with a mark that Western text
    does not use that way: TCVN3 symbol codes like § ­ ¸ or "ViÖt"-style capitals, VNI
    marks like "eä"), at least twice as much support as contrary evidence, at least 40 %
    of all words reading as Vietnamese afterwards, and more support than words already in
    Unicode Vietnamese.
    """
    if not text or text.isascii():
        return None
    text = nfc(text)
    if not _LEGACY_VIEW_RE.search(text):
        return None  # no character a latin-1/cp1252 reading of legacy bytes could produce
    tokens = [t for t in (w.strip(_EDGE_PUNCT) for w in text.split()) if t]
    marked_words = [t for t in tokens if not t.isascii()]
    unicode_words = sum(1 for t in marked_words if not _UNICODE_ONLY.isdisjoint(t))
    if unicode_words * 2 >= len(marked_words):
        return None  # mostly real Unicode Vietnamese already
    best: tuple[int, str] | None = None
    for encoding in ("tcvn3", "vni"):
        support, against, strong, converted = _evidence(tokens, encoding)
        if not support or support <= unicode_words:
            continue
        if not (strong or support >= 3) or support < 2 * against:
            continue
        words = [w for w in converted if any(c.isalpha() for c in w)]
        valid = sum(1 for w in words if _word_ok(w))
        if valid < 0.4 * len(words):
            continue
        # One or two marked words beside a foreign word ("McMahon, Seán") are a name, not
        # legacy text.
        if support < 3 and len(words) <= 6 and any(map(_foreign_word, tokens, converted)):
            continue
        score = support - against + strong
        if best is None or score > best[0]:
            best = (score, encoding)
    return best[1] if best else None


def repair_legacy(text: str) -> str:
    """Convert detected TCVN3/VNI text to Unicode; otherwise return ``text`` in NFC."""
    encoding = detect_legacy(text)
    if encoding:
        return legacy_to_unicode(text, encoding)
    return nfc(text)


_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean(text: str) -> str:
    """Import normaliser: repair legacy encodings, NFC, drop control characters but tab/newline.

    Tone placement is kept as it came.
    """
    return _CONTROL_RE.sub("", repair_legacy(text))
