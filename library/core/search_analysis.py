"""Whoosh analyzers for Vietnamese text.

Whoosh pickles the schema, analyzers included, so every class here lives at module level
and holds no state beyond its attributes. Two analyzers:

* ``folded_analyzer()``: tokens without tones or vowel marks ("toan lop 6"), so queries
  typed without accents find everything;
* ``accented_analyzer()``: lowercase tokens that keep their marks, with tone placement
  normalised (hoà = hòa), so an accented query can rank exact-accent matches first.

Both use ``VietnameseTokenizer``: runs of letters (every Vietnamese letter, NFD input
included) and digits; decimal class numbers ("895.9223") and 19-class call numbers
("53(075)") stay one token; hyphenated ISBNs ("978-604-0-00000-1") become their digits.
No stemming and no stop words. The filters lowercase by themselves: a separate
LowercaseFilter would only add a generator layer per token (see bench/search_analyzer.py).
"""

from __future__ import annotations

import re

from whoosh.analysis import Filter, Token, Tokenizer

from library.core.vietnamese import fold, normalize_tones

__all__ = [
    "TOKEN_PATTERN",
    "VietnameseAccentFilter",
    "VietnameseFoldFilter",
    "VietnameseTokenizer",
    "accented_analyzer",
    "folded_analyzer",
]

TOKEN_PATTERN = (
    # ISBN-like: three or more digit groups joined by hyphens, optional check letter X
    r"\d+(?:-\d+){2,}(?:-[Xx])?(?![\w-])"
    # 19-class call number: 53(075), 8(V)2, 9(V)1
    r"|\d+(?:\.\d+)*(?:\([^\W_]+(?:\.\d+)*\)\w*)+"
    # decimal class number or figure: 895.9223, 3.14
    r"|\d+(?:\.\d+)+"
    # letters and digits, combining marks included (NFD input)
    r"|[\w\u0300-\u036f]+"
)
_TOKEN_RE = re.compile(TOKEN_PATTERN)


class VietnameseTokenizer(Tokenizer):
    """Regex tokenizer for Vietnamese catalogue text; supports positions and chars."""

    def __init__(self, expression: str = TOKEN_PATTERN):
        self.expression = re.compile(expression)

    def __eq__(self, other):
        return (
            self.__class__ is other.__class__
            and self.expression.pattern == other.expression.pattern
        )

    def __hash__(self):
        return hash((self.__class__.__name__, self.expression.pattern))

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = t.text = value
            t.boost = 1.0
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar = start_char
                t.endchar = start_char + len(value)
            yield t
            return
        for pos, match in enumerate(self.expression.finditer(value), start_pos):
            text = match.group()
            if "-" in text:
                text = text.replace("-", "")
            t.text = text
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = text
            if positions:
                t.pos = pos
            if chars:
                t.startchar = start_char + match.start()
                t.endchar = start_char + match.end()
            yield t


_CACHE_LIMIT = 100_000
_fold_cache: dict[str, str] = {}
_accent_cache: dict[str, str] = {}


class VietnameseFoldFilter(Filter):
    """Token text → ``fold(text)``: no tones, no vowel marks, đ → d, lowercase.

    It lowercases by itself, so no LowercaseFilter is needed in front of it. Folding drops
    tones, so tone placement (``normalize_tones``) cannot change its output.
    """

    def __call__(self, tokens):
        cache = _fold_cache
        for t in tokens:
            text = t.text
            if text.isascii():
                t.text = text.lower()
            else:
                res = cache.get(text)
                if res is None:
                    if len(cache) > _CACHE_LIMIT:
                        cache.clear()
                    res = cache[text] = fold(text)
                t.text = res
            yield t


class VietnameseAccentFilter(Filter):
    """Token text → lowercase, NFC, tone placement normalised (hoà → hòa); marks kept."""

    def __call__(self, tokens):
        cache = _accent_cache
        for t in tokens:
            text = t.text
            if text.isascii():
                t.text = text.lower()
            else:
                res = cache.get(text)
                if res is None:
                    if len(cache) > _CACHE_LIMIT:
                        cache.clear()
                    res = cache[text] = normalize_tones(text.lower())
                t.text = res
            yield t


def folded_analyzer():
    """ "Toán lớp 6" → ["toan", "lop", "6"]."""
    return VietnameseTokenizer() | VietnameseFoldFilter()


def accented_analyzer():
    """ "Hoà Bình" → ["hòa", "bình"]."""
    return VietnameseTokenizer() | VietnameseAccentFilter()
