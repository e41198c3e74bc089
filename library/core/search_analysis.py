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
from collections.abc import Callable

from whoosh.analysis import CompositeAnalyzer, Filter, Token, Tokenizer

from library.core.vietnamese import fold, normalize_tones

__all__ = [
    "TOKEN_PATTERN",
    "VietnameseAccentFilter",
    "VietnameseFoldFilter",
    "VietnameseTokenizer",
    "accented_analyzer",
    "folded_analyzer",
    "token_texts",
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


def fold_token(text: str) -> str:
    """What `VietnameseFoldFilter` makes of one token's text."""
    if text.isascii():
        return text.lower()
    res = _fold_cache.get(text)
    if res is None:
        if len(_fold_cache) > _CACHE_LIMIT:
            _fold_cache.clear()
        res = _fold_cache[text] = fold(text)
    return res


def accent_token(text: str) -> str:
    """What `VietnameseAccentFilter` makes of one token's text."""
    if text.isascii():
        return text.lower()
    res = _accent_cache.get(text)
    if res is None:
        if len(_accent_cache) > _CACHE_LIMIT:
            _accent_cache.clear()
        res = _accent_cache[text] = normalize_tones(text.lower())
    return res


class VietnameseFoldFilter(Filter):
    """Token text → ``fold(text)``: no tones, no vowel marks, đ → d, lowercase.

    It lowercases by itself, so no LowercaseFilter is needed in front of it. Folding drops
    tones, so tone placement (``normalize_tones``) cannot change its output.
    """

    def __call__(self, tokens):
        for t in tokens:
            t.text = fold_token(t.text)
            yield t


class VietnameseAccentFilter(Filter):
    """Token text → lowercase, NFC, tone placement normalised (hoà → hòa); marks kept."""

    def __call__(self, tokens):
        for t in tokens:
            t.text = accent_token(t.text)
            yield t


def folded_analyzer():
    """ "Toán lớp 6" → ["toan", "lop", "6"]."""
    return VietnameseTokenizer() | VietnameseFoldFilter()


def accented_analyzer():
    """ "Hoà Bình" → ["hòa", "bình"]."""
    return VietnameseTokenizer() | VietnameseAccentFilter()


_TOKEN_FUNCTIONS = {VietnameseFoldFilter: fold_token, VietnameseAccentFilter: accent_token}


def token_texts(analyzer) -> Callable[[str], list[str]] | None:
    """For `folded_analyzer()` and `accented_analyzer()`, a function giving the texts of the
    tokens the analyzer yields for a string, in order (positions 0, 1, ...; boost 1, none
    stopped), without building Token objects; None for any other analyzer.

    The search index writer uses it: a catalogue record has about 90 tokens to index.
    """
    items = getattr(analyzer, "items", None)
    if not isinstance(analyzer, CompositeAnalyzer) or items is None or len(items) != 2:
        return None
    tokenizer, token_filter = items
    transform = _TOKEN_FUNCTIONS.get(type(token_filter))
    if type(tokenizer) is not VietnameseTokenizer or transform is None:
        return None
    expression = tokenizer.expression
    if expression.groups:
        return None  # findall would give the groups, not the whole match

    def texts(value: str) -> list[str]:
        return [
            transform(text.replace("-", "") if "-" in text else text)
            for text in expression.findall(value)
        ]

    return texts
