"""Search straight on the Whoosh index that haystack builds.

Haystack's search path costs many times a bare Whoosh search (an extra query on the model type,
results loaded from the database); the search page and API only need what the index stores, so
they query Whoosh here. Access levels are a clause of the query itself: a document the viewer
may not see never reaches a hit, a count, a facet or a snippet.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field

from haystack import connections
from whoosh import query as wq

from library.core.search.backend import (
    ACCENTED_SUFFIX,
    FACET_FIELDS,
    PAGE_TEXT,
    fold_phrase,
)
from library.core.search_analysis import accented_analyzer, folded_analyzer

from .query import ParsedQuery

# Text fields a free word is looked for in, best first (their boosts live in the schema).
TEXT_FIELDS = ("title", "authors", "subjects", "notes", "text", PAGE_TEXT)
CLAUSE_FIELDS = {"author": ("authors",), "title": ("title",), "subject": ("subjects",)}
EXACT_TITLE_BOOST = 50.0
_FOLD = folded_analyzer()
_ACCENT = accented_analyzer()
_local = threading.local()
_facet_cache: dict[tuple, dict[str, dict[str, frozenset]]] = {}
_facet_lock = threading.Lock()


def _tokens(analyzer, text: str) -> list[str]:
    return [t.text for t in analyzer(text)]


def searcher():
    """This thread's Whoosh searcher on the current index (refreshed when the index changed)."""
    backend = connections["default"].get_backend()
    if not backend.setup_complete:
        backend.setup()
    key = (backend.path, id(backend.index.storage) if hasattr(backend.index, "storage") else 0)
    cached = getattr(_local, "searcher", None)
    if cached is None or getattr(_local, "key", None) != key:
        cached = backend.index.refresh().searcher()
        _local.key = key
    elif not cached.up_to_date():
        # Not Searcher.refresh(): it reuses a segment's reader even when documents of that
        # segment were deleted since (an edited record showed its old version), and it fails
        # on an empty index.
        cached.close()
        cached = backend.index.refresh().searcher()
    _local.searcher = cached
    return cached


def reset() -> None:
    """Forget this thread's searcher (tests switch indexes)."""
    cached = getattr(_local, "searcher", None)
    if cached is not None:
        cached.close()
    _local.searcher = None
    _local.key = None


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


def _segment_key(sub) -> tuple:
    reader = sub.reader()
    try:
        return (reader.segment().segment_id(), reader.doc_count_all())
    except AttributeError:
        return ("reader", id(reader))


def _facet_sets(sub, name: str) -> dict[str, frozenset]:
    """value → the segment's docnums with it; cached per segment (segments never change)."""
    key = _segment_key(sub)
    per_segment = _facet_cache.get(key)
    if per_segment is None:
        with _facet_lock:
            if len(_facet_cache) > 256:
                _facet_cache.clear()
            per_segment = _facet_cache.setdefault(key, {})
    sets = per_segment.get(name)
    if sets is None:
        reader = sub.reader()
        sets = {}
        if name in reader.schema:
            for value in reader.field_terms(name):
                sets[value] = frozenset(reader.postings(name, value).all_ids())
        per_segment[name] = sets
    return sets


def matched_by_segment(s, q: wq.Query) -> list[tuple[object, int, set]]:
    """Every matching docnum, per segment (no scoring; deleted documents excluded)."""
    out = []
    for sub, offset in s.leaf_searchers():
        out.append((sub, offset, set(q.docs(sub))))
    return out


def facet_counts(matched, names) -> dict[str, Counter]:
    counts: dict[str, Counter] = {name: Counter() for name in names}
    for sub, _offset, docs in matched:
        if not docs:
            continue
        for name in names:
            counter = counts[name]
            for value, docset in _facet_sets(sub, name).items():
                n = len(docs & docset) if len(docs) < len(docset) else len(docset & docs)
                if n:
                    counter[value] += n
    return counts


# Running ---------------------------------------------------------------------------------


@dataclass
class Hit:
    docnum: int
    score: float
    fields: dict


@dataclass
class RawResults:
    hits: list[Hit] = field(default_factory=list)
    total: int = 0


SORTS = {
    "relevance": None,
    "title": ("title_sort", False),
    "newest": ("year", True),
    "borrowed": ("loans", True),
}


def top_hits(s, q: wq.Query, *, limit: int, sort: str = "relevance") -> list[Hit]:
    spec = SORTS.get(sort)
    if spec is None:
        results = s.search(q, limit=limit)
        hits = [Hit(docnum, score, s.stored_fields(docnum)) for score, docnum in results.top_n]
        # Newer editions before older when the score is otherwise the same.
        hits.sort(key=lambda h: (-round(h.score, 6), -(h.fields.get("year") or 0)))
        return hits
    else:
        name, reverse = spec
        if name not in s.schema:
            return []
        results = s.search(q, limit=limit, sortedby=name, reverse=reverse, scored=False)
        hits = [Hit(docnum, 0.0, {}) for _score, docnum in results.top_n]
    for hit in hits:
        hit.fields = s.stored_fields(hit.docnum)
    return hits


def pages_of(s, q: wq.Query, resource_ids: list[str]) -> dict[str, list[int]]:
    """The matching page numbers of each of these resources."""
    if not resource_ids:
        return {}
    narrowed = wq.And(
        [q, wq.Term("kind", "page"), wq.Or([wq.Term("resource_id", r) for r in resource_ids])]
    )
    found: dict[str, list[int]] = {}
    for sub, _offset in s.leaf_searchers():
        reader = sub.reader()
        if not (reader.has_column("page_number") and reader.has_column("resource_id")):
            continue
        numbers = reader.column_reader("page_number")
        owners = reader.column_reader("resource_id")
        for docnum in narrowed.docs(sub):
            owner = owners[docnum]
            if isinstance(owner, bytes):
                owner = owner.decode()
            found.setdefault(owner, []).append(numbers[docnum])
    return {key: sorted(set(value)) for key, value in found.items()}
