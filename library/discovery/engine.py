"""Search straight on the Whoosh index that haystack builds.

Haystack's search path costs many times a bare Whoosh search (an extra query on the model type,
results loaded from the database); the search page and API only need what the index stores, so
they query Whoosh here. Access levels are a clause of the query itself: a document the viewer
may not see never reaches a hit, a count, a facet or a snippet.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field

from haystack import connections
from whoosh import query as wq
from whoosh.collectors import SortingCollector, TopCollector

from library.core.search.backend import (
    ACCENTED_SUFFIX,
    FACET_FIELDS,
    PAGE_TEXT,
    fold_phrase,
    local_writes,
)
from library.core.search_analysis import accented_analyzer, folded_analyzer

from . import vectorized
from .query import ParsedQuery

# Text fields a free word is looked for in, best first (their boosts live in the schema).
TEXT_FIELDS = ("title", "authors", "subjects", "notes", "text", PAGE_TEXT)
CLAUSE_FIELDS = {"author": ("authors",), "title": ("title",), "subject": ("subjects",)}
EXACT_TITLE_BOOST = 50.0
FRESH_SECONDS = 1.0
_FOLD = folded_analyzer()
_ACCENT = accented_analyzer()
_local = threading.local()
_facet_cache: dict[tuple, dict[str, dict[str, int]]] = {}
_facet_lock = threading.Lock()


def _tokens(analyzer, text: str) -> list[str]:
    return [t.text for t in analyzer(text)]


def searcher():
    """This thread's Whoosh searcher on the current index generation.

    Whether a newer generation exists is read from disk at most every FRESH_SECONDS (well
    inside the 5 seconds a change may take to show), not on every query.
    """
    backend = connections["default"].get_backend()
    if not backend.setup_complete:
        backend.setup()
    key = (backend.path, id(backend.index.storage) if hasattr(backend.index, "storage") else 0)
    cached = getattr(_local, "searcher", None)
    now = time.monotonic()
    if cached is None or getattr(_local, "key", None) != key:
        cached = backend.index.refresh().searcher()
        _local.key = key
        _local.checked = now
        _local.writes = local_writes()
    elif (
        now - getattr(_local, "checked", 0.0) >= FRESH_SECONDS
        or getattr(_local, "writes", None) != local_writes()
    ):
        _local.checked = now
        _local.writes = local_writes()
        if not cached.up_to_date():
            # Not Searcher.refresh(): it reuses a segment's reader even when documents of
            # that segment were deleted since (an edited record showed its old version), and
            # it fails on an empty index.
            cached.close()
            cached = backend.index.refresh().searcher()
    _local.searcher = cached
    return cached


def reset() -> None:
    """Forget this thread's searcher and the shared ones (tests switch indexes)."""
    cached = getattr(_local, "searcher", None)
    if cached is not None:
        cached.close()
    _local.searcher = None
    _local.key = None
    vectorized.clear_cache()
    with _pool_lock:
        for idle in _pool:
            idle.close()
        _pool.clear()
        _pool_state.clear()


_pool: list = []
_pool_state: dict = {}
_pool_lock = threading.Lock()


@contextmanager
def searching():
    """A searcher on the current index generation, borrowed from a pool shared by threads.

    A server that starts a thread per request (runserver) would otherwise open a new searcher
    for every query; Whoosh searchers are not shared by two threads at once, so each request
    borrows one and gives it back.
    """
    backend = connections["default"].get_backend()
    if not backend.setup_complete:
        backend.setup()
    now = time.monotonic()
    with _pool_lock:
        if (
            _pool_state.get("path") != backend.path
            or _pool_state.get("writes") != local_writes()
            or now - _pool_state.get("checked", 0.0) >= FRESH_SECONDS
        ):
            generation = backend.index.refresh().latest_generation()
            if (
                _pool_state.get("generation") != generation
                or _pool_state.get("path") != backend.path
                or _pool_state.get("writes") != local_writes()
            ):
                for idle in _pool:
                    idle.close()
                _pool.clear()
                _pool_state["generation"] = generation
            _pool_state.update(path=backend.path, writes=local_writes(), checked=now)
        s = _pool.pop() if _pool else None
        generation = _pool_state.get("generation")
    if s is None:
        s = backend.index.refresh().searcher()
    try:
        yield s
    finally:
        with _pool_lock:
            if _pool_state.get("generation") == generation and len(_pool) < 8:
                _pool.append(s)
            else:
                s.close()


# Building the Whoosh query ---------------------------------------------------------------


def _word_clause(schema, word: str, fields=TEXT_FIELDS) -> wq.Query | None:
    folded = _tokens(_FOLD, word)
    accented = _tokens(_ACCENT, word)
    if not folded:
        return None
    names = [f for f in fields if f in schema]
    parts = []
    for i, token in enumerate(folded):
        terms: list[wq.Query] = [wq.Term(name, token) for name in names]
        acc = accented[i] if i < len(accented) else token
        if acc != token:
            # Typed with marks: the exact-accent form scores on top of the folded match.
            terms += [
                wq.Term(name + ACCENTED_SUFFIX, acc)
                for name in names
                if name + ACCENTED_SUFFIX in schema
            ]
        parts.append(wq.Or(terms) if len(terms) > 1 else terms[0])
    return parts[0] if len(parts) == 1 else wq.And(parts)


def _phrase_clause(schema, text: str, fields=TEXT_FIELDS) -> wq.Query | None:
    folded = _tokens(_FOLD, text)
    accented = _tokens(_ACCENT, text)
    if not folded:
        return None
    if len(folded) == 1:
        return _word_clause(schema, text, fields)
    names = [f for f in fields if f in schema]
    parts: list[wq.Query] = [wq.Phrase(name, folded) for name in names]
    if accented != folded:
        parts += [
            wq.Phrase(name + ACCENTED_SUFFIX, accented)
            for name in names
            if name + ACCENTED_SUFFIX in schema
        ]
    return wq.Or(parts)


def _isbn_clause(value: str) -> wq.Query:
    from catalog.marc.isbn import hyphenless, to_isbn13

    isbn = to_isbn13(value) or hyphenless(value)
    return wq.Term("isbn", isbn)


def access_clause(levels) -> wq.Query:
    return wq.Or([wq.Term("access_level", level) for level in levels])


def build_query(
    schema,
    parsed: ParsedQuery,
    *,
    levels,
    filters: dict[str, list[str]] | None = None,
    year_from: int | None = None,
    year_to: int | None = None,
) -> wq.Query:
    """The whole Whoosh query: what the user typed, the facets chosen and the access levels."""
    required: list[wq.Query] = []
    for word in parsed.words:
        clause = _word_clause(schema, word)
        if clause is not None:
            required.append(clause)
    for phrase in parsed.phrases:
        clause = _phrase_clause(schema, phrase)
        if clause is not None:
            required.append(clause)
    for fc in parsed.fields:
        if fc.field == "isbn":
            required.append(_isbn_clause(fc.value))
            continue
        fields = CLAUSE_FIELDS[fc.field]
        clause = (
            _phrase_clause(schema, fc.value, fields)
            if fc.phrase
            else _word_clause(schema, fc.value, fields)
        )
        if clause is not None:
            required.append(clause)
    main: wq.Query = wq.And(required) if len(required) > 1 else (required or [wq.Every()])[0]

    filtering: list[wq.Query] = [access_clause(levels)]
    for name, values in (filters or {}).items():
        values = [v for v in values if v]
        if values and name in FACET_FIELDS:
            filtering.append(wq.Or([wq.Term(name, v) for v in values]))
    start = parsed.year_from or year_from
    end = parsed.year_to or year_to
    if start or end:
        filtering.append(wq.NumericRange("year", start, end))
    q: wq.Query = wq.And([main, wq.ConstantScoreQuery(wq.And(filtering), 0.0)])

    excluded = [
        c for c in (_phrase_clause(schema, text) for text in parsed.excluded) if c is not None
    ]
    if excluded:
        q = wq.AndNot(q, wq.Or(excluded) if len(excluded) > 1 else excluded[0])
    if parsed.words or parsed.phrases:
        whole = fold_phrase(" ".join(parsed.words + parsed.phrases))
        if whole and not parsed.fields:
            q = wq.AndMaybe(q, wq.Term("title_exact", whole, boost=EXACT_TITLE_BOOST))
    return q


# Facets ----------------------------------------------------------------------------------
#
# A set of documents is a Python int used as a bitset (bit n = docnum n of the segment):
# counting a facet value is `(matched & value_bits).bit_count()`, done in C, so the cost of
# facets no longer grows with the number of matches. Value bitsets are cached per segment
# (a written segment never changes; deletions only remove documents from `matched`).


def _segment_key(sub) -> tuple:
    reader = sub.reader()
    try:
        return (reader.segment().segment_id(), reader.doc_count_all())
    except AttributeError:
        return ("reader", id(reader))


def _bits(docnums) -> int:
    """The bitset of these segment docnums."""
    docnums = list(docnums)
    if not docnums:
        return 0
    array = bytearray((max(docnums) >> 3) + 1)
    for n in docnums:
        array[n >> 3] |= 1 << (n & 7)
    return int.from_bytes(array, "little")


def _facet_bits(sub, name: str) -> dict[str, int]:
    """value → bitset of the segment's documents with it; cached per segment."""
    key = _segment_key(sub)
    per_segment = _facet_cache.get(key)
    if per_segment is None:
        with _facet_lock:
            if len(_facet_cache) > 256:
                _facet_cache.clear()
            per_segment = _facet_cache.setdefault(key, {})
    found = per_segment.get(name)
    if found is None:
        reader = sub.reader()
        found = {}
        if name in reader.schema:
            for value in reader.field_terms(name):
                found[value] = _bits(reader.postings(name, value).all_ids())
        per_segment[name] = found
    return found


@dataclass
class Matched:
    """Every document a query matched: (sub-searcher, bitset) per segment."""

    segments: list[tuple[object, int]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(bits.bit_count() for _sub, bits in self.segments)


def facet_counts(matched: Matched, names) -> dict[str, Counter]:
    counts: dict[str, Counter] = {name: Counter() for name in names}
    for sub, bits in matched.segments:
        if not bits:
            continue
        for name in names:
            counter = counts[name]
            for value, value_bits in _facet_bits(sub, name).items():
                n = (bits & value_bits).bit_count()
                if n:
                    counter[value] += n
    return counts


def distinct_values(matched: Matched, name: str) -> int:
    """How many different values of `name` the matched documents have (across segments)."""
    seen: set[str] = set()
    for sub, bits in matched.segments:
        if bits:
            seen.update(v for v, value_bits in _facet_bits(sub, name).items() if bits & value_bits)
    return len(seen)


# Running ---------------------------------------------------------------------------------


@dataclass
class Hit:
    docnum: int
    score: float
    fields: dict


SORTS = {
    "relevance": None,
    "title": ("title_sort", False),
    "newest": ("year", True),
    "borrowed": ("loans", True),
}


class _KeepsEveryMatch:
    """Mixin for a Whoosh collector: also keep every matching docnum, per segment."""

    per_segment: list[tuple[object, list[int]]]

    def set_subsearcher(self, subsearcher, offset):
        super().set_subsearcher(subsearcher, offset)
        self.per_segment.append((subsearcher, []))

    def collect(self, sub_docnum):
        self.per_segment[-1][1].append(sub_docnum)
        return super().collect(sub_docnum)


class _TopAndAll(_KeepsEveryMatch, TopCollector):
    """Whoosh's top-N collector that also keeps every match (the set that facets count).

    The block-quality shortcut is off because every match has to be seen anyway.
    """

    def __init__(self, limit: int):
        super().__init__(limit=limit, usequality=False)
        # No matcher replacement either: it prunes sub-matchers that cannot reach the
        # current minimum score, and the pruned documents were missing from the counts.
        self.replace = 0
        self.per_segment = []


class _SortedAndAll(_KeepsEveryMatch, SortingCollector):
    def __init__(self, sortedby, limit: int, reverse: bool):
        super().__init__(sortedby, limit=limit, reverse=reverse)
        self.per_segment = []


def run(s, q: wq.Query, *, limit: int, sort: str = "relevance") -> tuple[list[Hit], Matched]:
    """The best `limit` hits (stored fields read for those only) and every match, in one pass.

    Ranked by relevance, the query is evaluated with whole posting lists (`vectorized`), many
    times faster than Whoosh's matchers with the same scores; sorted by a field, or for a
    query it does not handle, Whoosh's collectors do the work.
    """
    spec = SORTS.get(sort)
    if spec is not None and spec[0] not in s.schema:
        spec = None
    if spec is None:
        try:
            evaluation = vectorized.run(s, q)
        except vectorized.Unsupported:
            evaluation = None
        if evaluation is not None:
            hits = [
                Hit(docnum, score, s.stored_fields(docnum))
                for score, docnum in evaluation.top(limit)
            ]
            _newest_first_on_ties(hits)
            matched = Matched(
                [
                    (sub, vectorized.bitset(docs, sub.reader().doc_count_all()))
                    for sub, _offset, docs, _scores in evaluation.segments
                    if len(docs)
                ]
            )
            return hits, matched
    collector = _TopAndAll(limit) if spec is None else _SortedAndAll(spec[0], limit, spec[1])
    s.search_with_collector(q, collector)
    results = collector.results()
    hits = [Hit(docnum, score or 0.0, s.stored_fields(docnum)) for score, docnum in results.top_n]
    if spec is None:
        _newest_first_on_ties(hits)
    matched = Matched([(sub, _bits(docs)) for sub, docs in collector.per_segment if docs])
    return hits, matched


def _newest_first_on_ties(hits: list[Hit]) -> None:
    """Newer editions before older when the score is otherwise the same."""
    hits.sort(key=lambda h: (-round(h.score, 6), -(h.fields.get("year") or 0)))


def _docnums(bits: int) -> list[int]:
    """The docnums set in a bitset."""
    out = []
    base = 0
    while bits:
        low = bits & -bits
        n = low.bit_length() - 1
        out.append(base + n)
        bits >>= n + 1
        base += n + 1
    return out


def pages_of(matched: Matched, resource_ids: list[str]) -> dict[str, list[int]]:
    """The matching page numbers of each of these resources (from the matches, no new search)."""
    found: dict[str, list[int]] = {}
    for sub, bits in matched.segments:
        if not bits:
            continue
        reader = sub.reader()
        if not reader.has_column("page_number"):
            continue
        pages = _facet_bits(sub, "kind").get("page", 0) & bits
        if not pages:
            continue
        owners = _facet_bits(sub, "resource_id")
        numbers = None
        for rid in resource_ids:
            mine = pages & owners.get(rid, 0)
            if mine:
                numbers = numbers or reader.column_reader("page_number")
                found.setdefault(rid, []).extend(numbers[d] for d in _docnums(mine))
    return {key: sorted(set(value)) for key, value in found.items()}
