"""Snippets with the matched words marked, found on a folded copy of the text.

The folded copy has one character per original character (marks dropped, đ → d, lowercase), so
a match found without accents ("toan") maps back to the accented original ("Toán").
"""

from __future__ import annotations

import re
import unicodedata

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

SNIPPET_CHARS = 220


class _FoldTable(dict):
    def __missing__(self, code: int) -> str:
        ch = chr(code)
        if ch in "đĐ":
            out = "d"
        else:
            base = unicodedata.normalize("NFD", ch)[0].lower()
            out = base if len(base) == 1 else ch
        self[code] = out
        return out


_TABLE = _FoldTable()


def fold_same_length(text: str) -> str:
    """Fold character by character, keeping every offset the same."""
    folded = text.translate(_TABLE)
    return folded if len(folded) == len(text) else text.lower()


def terms_pattern(terms: list[str]) -> re.Pattern | None:
    """One regex for the folded query terms, each a whole word (a phrase keeps its spaces)."""
    from library.core.search_analysis import folded_analyzer

    analyzer = folded_analyzer()
    alternatives = set()
    for term in terms:
        tokens = [t.text for t in analyzer(term)]
        if tokens:
            alternatives.add(r"\W+".join(re.escape(t) for t in tokens))
    if not alternatives:
        return None
    ordered = sorted(alternatives, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(ordered) + r")(?!\w)")


def _marked(text: str, spans: list[tuple[int, int]], start: int, end: int) -> str:
    out = []
    pos = start
    for a, b in spans:
        if b <= start or a >= end:
            continue
        a, b = max(a, start), min(b, end)
        out.append(escape(text[pos:a]))
        out.append("<mark>" + escape(text[a:b]) + "</mark>")
        pos = b
    out.append(escape(text[pos:end]))
    return "".join(out)


def highlight(text: str, pattern: re.Pattern | None) -> SafeString:
    """The whole (short) text, escaped, with matches marked."""
    if not text:
        return mark_safe("")
    if pattern is None:
        return mark_safe(escape(text))
    spans = [m.span() for m in pattern.finditer(fold_same_length(text))]
    return mark_safe(_marked(text, spans, 0, len(text)))  # noqa: S308 - escaped above


def snippet(text: str, pattern: re.Pattern | None, size: int = SNIPPET_CHARS) -> SafeString:
    """The passage of `text` with the most matches, escaped, matches marked."""
    if not text:
        return mark_safe("")
    text = " ".join(text.split())
    spans = [m.span() for m in pattern.finditer(fold_same_length(text))] if pattern else []
    if not spans:
        cut = text[:size]
        return mark_safe(escape(cut) + ("…" if len(text) > size else ""))
    best_start, best_count = spans[0][0], 0
    j = 0
    for i, (a, _b) in enumerate(spans):
        while spans[j][0] < a - size:
            j += 1
        count = i - j + 1
        if count > best_count:
            best_count, best_start = count, spans[j][0]
    start = max(0, best_start - size // 4)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < best_start else start
    end = min(len(text), start + size)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    body = _marked(text, spans, start, end)
    return mark_safe(("…" if start else "") + body + ("…" if end < len(text) else ""))
