""" "Did you mean": accented forms and spelling corrections from the index's own vocabulary."""

from __future__ import annotations

import re
import threading

from library.core.search.backend import ACCENTED_SUFFIX
from library.core.vietnamese import fold

from .engine import _FOLD, _tokens

VOCABULARY_FIELDS = ("title", "authors", "subjects")
_cache: dict[tuple, dict[str, str]] = {}
_lock = threading.Lock()


def _segments_key(s) -> tuple:
    keys = []
    for sub, _offset in s.leaf_searchers():
        reader = sub.reader()
        try:
            keys.append(reader.segment().segment_id())
        except AttributeError:
            keys.append(id(reader))
    return tuple(keys)


def accented_forms(s) -> dict[str, str]:
    """folded word → its most frequent accented spelling in titles, authors and subjects."""
    key = _segments_key(s)
    found = _cache.get(key)
    if found is not None:
        return found
    reader = s.reader()
    best: dict[str, tuple[int, str]] = {}
    for name in VOCABULARY_FIELDS:
        acc = name + ACCENTED_SUFFIX
        if acc not in reader.schema:
            continue
        for raw, info in reader.iter_field(acc):
            term = raw.decode("utf-8") if isinstance(raw, bytes) else raw
            if term.isascii():
                continue
            folded = fold(term)
            freq = info.doc_frequency()
            if folded not in best or best[folded][0] < freq:
                best[folded] = (freq, term)
    found = {folded: term for folded, (_freq, term) in best.items()}
    with _lock:
        _cache.clear()
        _cache[key] = found
    return found


def _known(s, word: str) -> bool:
    return any(
        name in s.schema and s.reader().doc_frequency(name, word) for name in VOCABULARY_FIELDS
    )


# i and y are written either way after some consonants (lí / lý, kĩ / kỹ, mĩ / mỹ).
_I_Y = str.maketrans("iy", "yi")


def _correct(s, word: str) -> str | None:
    if _known(s, word):
        return None
    if word.endswith(("i", "y")):
        swapped = word[:-1] + word[-1].translate(_I_Y)
        if _known(s, swapped):
            return swapped
    if len(word) < 4 or not word.isalpha():
        return None
    for name in ("title", "authors"):
        if name not in s.schema:
            continue
        corrected = s.corrector(name).suggest(word, limit=1, maxdist=1 if len(word) < 7 else 2)
        if corrected:
            return corrected[0]
    return None


_LETTERS_DIGITS = re.compile(r"^([^\W\d_]+)(\d+)$")


def _split_glued(words: list[str]) -> tuple[list[str], bool]:
    """ "lop6" → "lop", "6": a grade or volume number typed without its space."""
    out, changed = [], False
    for word in words:
        match = _LETTERS_DIGITS.match(word)
        if match:
            out += [match.group(1), match.group(2)]
            changed = True
        else:
            out.append(word)
    return out, changed


def suggestion(s, words: list[str], *, few_results: bool) -> str | None:
    """A better way to write the query: marks restored, misspellings (when few hits) corrected."""
    forms = accented_forms(s)
    words, changed = _split_glued(words)
    out = []
    for word in words:
        tokens = _tokens(_FOLD, word)
        if len(tokens) != 1:
            out.append(word)
            continue
        token = tokens[0]
        if few_results and word.isascii():
            corrected = _correct(s, token)
            if corrected:
                token = corrected
                changed = True
        if word.isascii() and token in forms:
            out.append(forms[token])
            changed = True
        else:
            out.append(token if token != tokens[0] else word)
    text = " ".join(out)
    return text if changed and text.lower() != " ".join(words).lower() else None
