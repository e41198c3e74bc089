"""The search's Whoosh query evaluated over whole posting lists with numpy.

Profiling the search API showed where Whoosh spends a query's time: its matcher tree walks
the postings one document at a time in Python — a union of a word's fields re-reads and
scores every posting through several method calls (`ArrayUnionMatcher._read_part`,
`IntersectionMatcher._find_next`, `BM25FScorer.score`), and a phrase decodes its spans the
same way. Here the same query tree (built by `engine.build_query`, the single definition of
what a search means) is evaluated a term at a time instead: each term's posting list is read
once per index segment into arrays (cached: a written segment never changes), scored with
BM25F in one vectorised expression, and combined with array operations. The scores are
Whoosh's own (same idf, average field length, field boosts and length encoding), so the
ranking is unchanged — a test compares both paths hit by hit.

Only the node types `build_query` makes are handled; anything else raises `Unsupported` and
the caller falls back to Whoosh's collector.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from whoosh import query as wq
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length

B = 0.75
K1 = 1.2
_LENGTHS = np.array([byte_to_length(i) for i in range(256)], dtype=np.float64)
# Postings kept in memory across queries (ids and weights; about 12 bytes each).
MAX_CACHED_POSTINGS = 4_000_000
# Field-length and live-document arrays kept (per segment and field); older segments' ones
# are dropped together when there are more.
MAX_CACHED_ARRAYS = 512


class Unsupported(Exception):
    """A query node this evaluator does not handle; use Whoosh's own matchers."""


@dataclass
class _Postings:
    ids: np.ndarray  # int64 segment docnums, ascending
    weights: np.ndarray  # float64


class _Cache:
    """Per-segment arrays: posting lists and field lengths (an LRU bounded by postings)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        # Posting lists (_Postings) and position keys (arrays), least recently used first.
        self.postings: OrderedDict[tuple, object] = OrderedDict()
        self.sizes: dict[tuple, int] = {}
        self.size = 0
        self.lengths: dict[tuple, np.ndarray] = {}
        self.live: dict[tuple, np.ndarray] = {}

    def clear(self) -> None:
        with self.lock:
            self.postings.clear()
            self.sizes.clear()
            self.size = 0
            self.lengths.clear()
            self.live.clear()


_cache = _Cache()


def clear_cache() -> None:
    _cache.clear()


def _segment_key(reader) -> tuple:
    try:
        return (reader.segment().segment_id(), reader.doc_count_all())
    except AttributeError:
        raise Unsupported("not a segment reader") from None


def _read_postings(reader, field: str, text) -> _Postings | None:
    try:
        matcher = reader.postings(field, text)
    except TermNotFound:
        return None
    if isinstance(matcher, FilterMatcher):
        matcher = matcher.child  # deletions are applied by the caller, with `live`
    if not hasattr(matcher, "_read_ids"):
        raise Unsupported(f"postings of {type(matcher).__name__}")
    ids: list = []
    weights: list = []
    while matcher.is_active():
        matcher._read_ids()
        matcher._read_weights()
        ids.extend(matcher._ids)
        weights.extend(matcher._weights)
        matcher._next_block()
    return _Postings(np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float64))


def postings(reader, key: tuple, field: str, text) -> _Postings | None:
    entry_key = (key, field, text)
    with _cache.lock:
        if entry_key in _cache.postings:
            _cache.postings.move_to_end(entry_key)
            return _cache.postings[entry_key]
    found = _read_postings(reader, field, text)
    _remember(entry_key, found, 0 if found is None else len(found.ids))
    return found


def _read_positions(reader, fieldtype, field: str, text) -> np.ndarray | None:
    try:
        matcher = reader.postings(field, fieldtype.to_bytes(text))
    except TermNotFound:
        return None
    if isinstance(matcher, FilterMatcher):
        matcher = matcher.child
    if not hasattr(matcher, "_read_values"):
        raise Unsupported(f"positions of {type(matcher).__name__}")
    decode = fieldtype.format.decode_positions
    docs: list[int] = []
    places: list[int] = []
    while matcher.is_active():
        matcher._read_ids()
        matcher._read_values()
        for doc, value in zip(matcher._ids, matcher._values, strict=True):
            found = decode(value)
            docs.extend([doc] * len(found))
            places.extend(found)
        matcher._next_block()
    return (np.array(docs, dtype=np.int64) << 32) | np.array(places, dtype=np.int64)


def positions(reader, key: tuple, fieldtype, field: str, text) -> np.ndarray | None:
    entry_key = (key, field, text, "positions")
    with _cache.lock:
        if entry_key in _cache.postings:
            _cache.postings.move_to_end(entry_key)
            return _cache.postings[entry_key]
    found = _read_positions(reader, fieldtype, field, text)
    _remember(entry_key, found, 0 if found is None else len(found))
    return found


def _remember(entry_key: tuple, value, size: int) -> None:
    with _cache.lock:
        if entry_key not in _cache.postings:
            _cache.postings[entry_key] = value
            _cache.sizes[entry_key] = size
            _cache.size += size
            while _cache.size > MAX_CACHED_POSTINGS and len(_cache.postings) > 1:
                old, _dropped = _cache.postings.popitem(last=False)
                _cache.size -= _cache.sizes.pop(old, 0)


def _field_lengths(reader, key: tuple, field: str) -> np.ndarray:
    found = _cache.lengths.get((key, field))
    if found is None:
        n = reader.doc_count_all()
        perdoc = getattr(reader, "_perdoc", None)
        column = None
        if perdoc is not None and hasattr(perdoc, "_cached_reader"):
            from whoosh.codec.whoosh3 import LENGTHS_COLUMN

            column = perdoc._cached_reader(f"_{field}_len", LENGTHS_COLUMN)
        if column is not None:
            found = _LENGTHS[np.fromiter(column, np.uint8, n)]
        else:
            found = np.array([reader.doc_field_length(d, field, 0) for d in range(n)], float)
        with _cache.lock:
            if len(_cache.lengths) > MAX_CACHED_ARRAYS:  # segments of older generations
                _cache.lengths.clear()
            _cache.lengths[(key, field)] = found
    return found


def _live(reader, key: tuple) -> np.ndarray:
    deleted = reader.deleted_docs_set if reader.has_deletions() else ()
    live_key = (key, len(deleted))  # deletions in a segment only ever grow
    found = _cache.live.get(live_key)
    if found is None:
        found = np.ones(reader.doc_count_all(), dtype=bool)
        if deleted:
            found[np.fromiter(deleted, np.int64, len(deleted))] = False
        with _cache.lock:
            if len(_cache.live) > MAX_CACHED_ARRAYS:
                _cache.live.clear()
            _cache.live[live_key] = found
    return found


class _Segment:
    """One sub-searcher: its reader, size and the whole index's statistics for scoring."""

    def __init__(self, sub, parent) -> None:
        self.sub = sub
        self.parent = parent
        self.reader = sub.reader()
        self.key = _segment_key(self.reader)
        self.n = self.reader.doc_count_all()

    def term(self, field: str, text, boost: float) -> tuple[np.ndarray, np.ndarray] | None:
        """(docnums, scores) of a term, scored as Whoosh scores it."""
        schema = self.parent.schema
        if field not in schema:
            return None
        fieldtype = schema[field]
        try:
            text = fieldtype.to_bytes(text)
        except Exception:  # noqa: BLE001 - a value this field cannot hold matches nothing
            return None
        found = postings(self.reader, self.key, field, text)
        if found is None or not len(found.ids):
            return None
        if fieldtype.scorable:
            idf = self.parent.idf(field, text)
            avg = self.parent.avg_field_length(field) or 1
            lengths = _field_lengths(self.reader, self.key, field)[found.ids]
            tf = found.weights
            scores = idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * lengths / avg)))
        else:
            scores = found.weights.copy()
        if boost != 1.0:
            scores = scores * boost
        return found.ids, scores

    def positions(self, field: str, text) -> np.ndarray | None:
        """Every (docnum, position) of a term as sorted keys docnum << 32 | position."""
        return positions(self.reader, self.key, self.parent.schema[field], field, text)


def _dense(seg: _Segment, found) -> tuple[np.ndarray, np.ndarray]:
    mask = np.zeros(seg.n, dtype=bool)
    score = np.zeros(seg.n, dtype=np.float64)
    if found is not None:
        ids, scores = found
        mask[ids] = True
        score[ids] = scores
    return mask, score


def _phrase(seg: _Segment, node: wq.Phrase) -> tuple[np.ndarray, np.ndarray]:
    if node.slop != 1 or node.char_ranges:
        raise Unsupported("phrase with slop")
    field = node.fieldname
    if field not in seg.parent.schema:
        return np.zeros(seg.n, dtype=bool), np.zeros(seg.n, dtype=np.float64)
    if not seg.parent.schema[field].format.supports("positions"):
        raise Unsupported("phrase on a field without positions")
    mask = np.ones(seg.n, dtype=bool)
    score = np.zeros(seg.n, dtype=np.float64)
    for word in node.words:
        found = seg.term(field, word, 1.0)
        if found is None:
            return np.zeros(seg.n, dtype=bool), np.zeros(seg.n, dtype=np.float64)
        m, s = _dense(seg, found)
        mask &= m
        score += s
    if mask.any():
        # Keys of the first word's positions that the next words follow one by one.
        keys = seg.positions(field, node.words[0])
        for i, word in enumerate(node.words[1:], 1):
            if keys is None or not len(keys):
                break
            later = seg.positions(field, word)
            keys = keys[np.isin(keys + i, later, assume_unique=True)] if later is not None else None
        mask = np.zeros(seg.n, dtype=bool)
        if keys is not None and len(keys):
            mask[np.unique(keys >> 32)] = True
    if node.boost != 1.0:
        score = score * node.boost
    return mask, np.where(mask, score, 0.0)


def _mask_by_whoosh(seg: _Segment, node) -> np.ndarray:
    mask = np.zeros(seg.n, dtype=bool)
    matcher = node.matcher(seg.sub)
    ids = list(matcher.all_ids())
    if ids:
        mask[np.array(ids, dtype=np.int64)] = True
    return mask


def evaluate(seg: _Segment, node, *, scored: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """(matched, score) arrays over the segment's docnums; score is 0 where not matched.

    `scored=False` inside a constant-score filter, where only the matches count.
    """
    if isinstance(node, wq.Term):
        return _dense(seg, seg.term(node.fieldname, node.text, node.boost))
    if isinstance(node, wq.Phrase):
        return _phrase(seg, node)
    if isinstance(node, wq.ConstantScoreQuery):
        mask, _ = evaluate(seg, node.child, scored=False)
        # Whoosh's ListMatcher reads a constant weight of 0 as "no constant" and scores 1.0;
        # kept, so that scores equal Whoosh's (a constant never changes the order).
        return mask, mask * float(node.score or 1.0)
    if isinstance(node, wq.NumericRange):
        if scored:
            raise Unsupported("a scored numeric range")
        return _mask_by_whoosh(seg, node), np.zeros(seg.n, dtype=np.float64)
    if isinstance(node, wq.AndMaybe):
        mask, score = evaluate(seg, node.a, scored=scored)
        _other_mask, other = evaluate(seg, node.b, scored=scored)
        return mask, np.where(mask, score + other, 0.0)
    if isinstance(node, wq.AndNot):
        mask, score = evaluate(seg, node.a, scored=scored)
        excluded, _ = evaluate(seg, node.b, scored=False)
        mask = mask & ~excluded
        return mask, np.where(mask, score, 0.0)
    if type(node) in (wq.And, wq.Or):
        if node.boost != 1.0:
            raise Unsupported("a boosted compound query")
        if type(node) is wq.Or and (node.minmatch or node.scale):
            raise Unsupported("Or with minmatch or scale")
        is_and = type(node) is wq.And
        mask = np.ones(seg.n, dtype=bool) if is_and else np.zeros(seg.n, dtype=bool)
        score = np.zeros(seg.n, dtype=np.float64)
        for child in node.subqueries:
            if isinstance(child, wq.Term) and not is_and:
                found = seg.term(child.fieldname, child.text, child.boost)
                if found is not None:
                    ids, scores = found
                    mask[ids] = True
                    score[ids] += scores
                continue
            m, s = evaluate(seg, child, scored=scored)
            if is_and:
                mask &= m
            else:
                mask |= m
            score += s
        return mask, np.where(mask, score, 0.0)
    raise Unsupported(type(node).__name__)


@dataclass
class Evaluation:
    """Per segment: the sub-searcher, its offset, the matched docnums and their scores."""

    segments: list[tuple[object, int, np.ndarray, np.ndarray]]

    def top(self, limit: int) -> list[tuple[float, int]]:
        """The best `limit` (score, global docnum), ties to the lower docnum (as Whoosh)."""
        scores = [s[d] for _sub, _off, d, s in self.segments]
        docs = [d + off for _sub, off, d, _s in self.segments]
        if not docs:
            return []
        all_scores = np.concatenate(scores)
        all_docs = np.concatenate(docs)
        if not len(all_docs):
            return []
        order = np.lexsort((all_docs, -all_scores))[:limit]
        return [(float(all_scores[i]), int(all_docs[i])) for i in order]


def run(searcher, q) -> Evaluation:
    """Evaluate `q` over every segment of `searcher` (raises `Unsupported`)."""
    weighting = searcher.weighting
    if (
        type(weighting) is not BM25F
        or (weighting.B, weighting.K1) != (B, K1)
        or getattr(weighting, "_field_B", None)
    ):
        raise Unsupported(f"weighting {weighting!r}")
    out = []
    for sub, offset in searcher.leaf_searchers():
        seg = _Segment(sub, searcher)
        mask, score = evaluate(seg, q)
        mask &= _live(seg.reader, seg.key)
        docs = np.flatnonzero(mask)
        out.append((sub, offset, docs, score))
    return Evaluation(out)


def bitset(docs: np.ndarray, n: int) -> int:
    """A Python int with bit d set for each docnum d (the engine's facet bitsets)."""
    if not len(docs):
        return 0
    mask = np.zeros(n, dtype=bool)
    mask[docs] = True
    return int.from_bytes(np.packbits(mask, bitorder="little").tobytes(), "little")
