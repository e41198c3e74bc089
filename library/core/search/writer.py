"""A Whoosh segment writer that gathers postings by term and writes each posting list at once.

Whoosh's `SegmentWriter` turns every posting into a tuple in a pool, sorts the pool at commit
and hands the postings one by one to the codec, which checks, buffers and measures each one
and looks up its document's field length in the column it has just written. Catalogue records
have about 90 postings each: that per-posting Python work was three quarters of an index
task's time.

`TermBatchWriter` writes the same segment files through the same codec objects:

- `add_document` analyses text fields with positions directly (the Positions format's
  `word_values`, without its generator layers; encoded position lists are cached) and appends
  each posting to its term's list (field → term → postings, in document order);
- `add_reader` (segments merged into this one) feeds the same lists;
- at commit every field's terms are written in sorted order, each posting list cut into
  the codec's blocks with the statistics Whoosh computes (counts, maximum weight, shortest
  and longest field length, quantised the same way).

The segment is byte for byte what `SegmentWriter` writes (tests/core/test_search_writer.py).
The posting lists live in memory: callers keep a writer to a bounded number of documents
(`library.core.search.backend` writes at most `SEGMENT_DOCS` per writer).
"""

from __future__ import annotations

import queue
import zlib
from array import array
from pickle import dumps

from whoosh import formats
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermInfo
from whoosh.fields import FieldType
from whoosh.system import emptybytes, pack_int, pack_long, pack_uint, pack_ushort
from whoosh.util.numeric import length_to_byte
from whoosh.writing import SegmentWriter

from library.core.search_analysis import token_texts

#: Segments of at most this many documents merged into a writer go through the per-term lists.
MERGE_IN_MEMORY_DOCS = 5000
#: Posting blocks whose pickled data is shorter than this many bytes are not compressed.
UNCOMPRESSED_BELOW = 128
#: Encoded position lists remembered (0: none). Sharing one bytes object between postings also
#: makes blocks smaller: pickle writes a repeated object as a reference to the first.
ENCODED_LIMIT = 50_000
_encoded: dict[tuple, bytes] = {}


def _encode_positions(poslist: list[int]) -> bytes:
    """`formats.Positions.encode`, remembered for short lists (most words occur once or
    twice in a field)."""
    key = tuple(poslist)
    found = _encoded.get(key)
    if found is not None:
        return found
    deltas = []
    base = 0
    for pos in poslist:
        deltas.append(pos - base)
        base = pos
    encoded = pack_uint(len(deltas)) + dumps(deltas, 2)
    if len(key) <= 4 and ENCODED_LIMIT:
        if len(_encoded) >= ENCODED_LIMIT:
            _encoded.clear()
        _encoded[key] = encoded
    return encoded


def _add(terms: dict, tbytes: bytes, posting: tuple) -> None:
    found = terms.get(tbytes)
    if found is None:
        terms[tbytes] = [posting]
    else:
        found.append(posting)


def _docnum(posting: tuple) -> int:
    return posting[0]


class _FieldPlan:
    """What `add_document` needs of one schema field, looked up once per writer."""

    __slots__ = (
        "field",
        "indexed",
        "scorable",
        "kind",
        "analyzer",
        "texts",
        "boost",
        "stored",
        "column",
    )

    def __init__(self, field):
        self.field = field
        self.indexed = field.indexed
        self.scorable = field.scorable
        fmt = field.format
        # Only Whoosh's own formats (not subclasses) of text-analysed fields are analysed here
        # directly; anything else goes through the field's own `index`.
        kind = type(fmt) if self.indexed and type(field).index is FieldType.index else None
        self.kind = (
            kind if kind in (formats.Positions, formats.Frequency, formats.Existence) else None
        )
        self.analyzer = field.analyzer if self.kind else None
        # Our Vietnamese analyzers give token texts without Token objects.
        self.texts = token_texts(field.analyzer) if self.kind is formats.Positions else None
        self.boost = fmt.field_boost if fmt is not None else 1.0
        self.stored = field.stored
        self.column = field.column_type


class TermBatchWriter(SegmentWriter):
    """`SegmentWriter` with postings gathered per term in memory (see the module's doc)."""

    def __init__(self, ix, **kwargs):
        super().__init__(ix, **kwargs)
        # field name -> term bytes -> [(docnum, weight, value bytes), ...] in docnum order
        self._postings: dict[str, dict[bytes, list]] = {}
        self._plans: dict[str, _FieldPlan] = {}
        self._merged = False  # postings from add_reader: lists may need sorting by docnum
        self._plain = not any(
            field.separate_spelling() or field.vector for _, field in self.schema.items()
        )

    def _plan(self, name: str) -> _FieldPlan:
        plan = self._plans.get(name)
        if plan is None:
            plan = self._plans[name] = _FieldPlan(self.schema[name])
        return plan

    def add_document(self, **fields):
        if not self._plain:
            # Term vectors and separate spelling words: Whoosh's own path (its pool), for
            # the whole segment (see `_flush_segment`).
            super().add_document(**fields)
            return
        self._check_state()
        perdocwriter = self.perdocwriter
        docnum = self.docnum
        docboost = self._doc_boost(fields)
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(self.schema, fieldnames)
        all_postings = self._postings
        perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields[fieldname]
                if value is None:
                    continue
                plan = self._plan(fieldname)
                length = 0
                if plan.indexed:
                    fieldboost = self._field_boost(fields, fieldname, docboost)
                    terms = all_postings.get(fieldname)
                    if terms is None:
                        terms = all_postings[fieldname] = {}
                    kind = plan.kind if isinstance(value, str) else None
                    if kind is formats.Positions and plan.texts is not None:
                        # As below, for our analyzers: every token has boost 1, none stopped.
                        poses = {}
                        for pos, text in enumerate(plan.texts(value)):
                            found = poses.get(text)
                            if found is None:
                                poses[text] = [pos]
                            else:
                                found.append(pos)
                        for text, poslist in poses.items():
                            freq = len(poslist)
                            _add(
                                terms,
                                text.encode("utf-8"),
                                (
                                    docnum,
                                    float(freq) * plan.boost * fieldboost,
                                    _encode_positions(poslist),
                                ),
                            )
                            length += freq
                    elif kind is formats.Positions:
                        # formats.Positions.word_values + FieldType.index, inlined
                        poses: dict[str, list[int]] = {}
                        weights: dict[str, float] = {}
                        for t in plan.analyzer(value, positions=True, boosts=True, mode="index"):
                            if t.stopped:
                                continue
                            text = t.text
                            found = poses.get(text)
                            if found is None:
                                poses[text] = [t.pos]
                                weights[text] = t.boost
                            else:
                                found.append(t.pos)
                                weights[text] += t.boost
                        fb = plan.boost
                        for text, poslist in poses.items():
                            _add(
                                terms,
                                text.encode("utf-8"),
                                (
                                    docnum,
                                    weights[text] * fb * fieldboost,
                                    _encode_positions(poslist),
                                ),
                            )
                            length += len(poslist)
                    elif kind is formats.Frequency:
                        freqs: dict[str, int] = {}
                        weights = {}
                        for t in plan.analyzer(value, boosts=True, mode="index"):
                            if t.stopped:
                                continue
                            text = t.text
                            if text in freqs:
                                freqs[text] += 1
                                weights[text] += t.boost
                            else:
                                freqs[text] = 1
                                weights[text] = t.boost
                        fb = plan.boost
                        for text, freq in freqs.items():
                            _add(
                                terms,
                                text.encode("utf-8"),
                                (docnum, weights[text] * fb * fieldboost, pack_uint(freq)),
                            )
                            length += freq
                    elif kind is formats.Existence:
                        words = {
                            t.text for t in plan.analyzer(value, mode="index") if not t.stopped
                        }
                        weight = plan.boost * fieldboost
                        for text in words:
                            _add(terms, text.encode("utf-8"), (docnum, weight, emptybytes))
                        length += len(words)
                    else:
                        for tbytes, freq, weight, vbytes in plan.field.index(value):
                            length += freq
                            _add(terms, tbytes, (docnum, weight * fieldboost, vbytes))
                    if not plan.scorable:
                        length = 0
                customval = fields.get(f"_stored_{fieldname}", value)
                perdocwriter.add_field(
                    fieldname, plan.field, customval if plan.stored else None, length
                )
                if plan.column and customval is not None:
                    perdocwriter.add_column_value(
                        fieldname, plan.column, plan.field.to_column_value(customval)
                    )
        except Exception:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def add_reader(self, reader):
        # Small segments (what single edits leave) are merged through the per-term lists;
        # large ones through Whoosh's pool, which spills to disk instead of holding them.
        self._small_reader = reader.doc_count_all() <= MERGE_IN_MEMORY_DOCS
        super().add_reader(reader)

    def add_postings_to_pool(self, reader, startdoc, docmap):
        if not getattr(self, "_small_reader", False):
            super().add_postings_to_pool(reader, startdoc, docmap)
            return
        all_postings = self._postings
        self._merged = True
        for fieldname, tbytes, docnum, weight, vbytes in self._process_posts(
            reader.iter_postings(), startdoc, docmap
        ):
            terms = all_postings.get(fieldname)
            if terms is None:
                terms = all_postings[fieldname] = {}
            _add(terms, tbytes, (docnum, weight, vbytes))

    def _flush_segment(self):
        if self.pool.current or self.pool.runs:
            # A large segment was merged through the pool: everything goes that way.
            add = self.pool.add
            for fieldname, terms in self._postings.items():
                for tbytes, postings in terms.items():
                    for docnum, weight, vbytes in postings:
                        add((fieldname, tbytes, docnum, weight, vbytes))
            self._postings = {}
            super()._flush_segment()
            return
        self.perdocwriter.close()
        lengths_reader = self.per_document_reader() if self.codec.length_stats else None
        try:
            self._write_postings(lengths_reader)
        finally:
            self.fieldwriter.close()
            if lengths_reader is not None:
                lengths_reader.close()

    def _write_postings(self, lengths_reader) -> None:
        schema = self.schema
        fieldwriter = self.fieldwriter
        for fieldname in sorted(self._postings):
            terms = self._postings[fieldname]
            if not terms:
                continue
            fieldobj = schema[fieldname]
            lengths = None
            if lengths_reader is not None and fieldobj.scorable:
                dfl = lengths_reader.doc_field_length
                lengths = [dfl(docnum, fieldname) for docnum in range(self.docnum)]
            fieldwriter.start_field(fieldname, fieldobj)
            postwriter = fieldwriter._postwriter
            _write_terms(
                terms,
                lengths,
                fixedsize=fieldobj.format.fixed_value_size(),
                fieldid=fieldwriter._fieldid,
                limit=postwriter._blocklimit,
                compression=postwriter._compression,
                postfile=fieldwriter._postfile,
                tindex=fieldwriter._tindex,
                merged=self._merged,
            )
            fieldwriter.finish_field()
        self._postings = {}


def _write_terms(
    terms: dict[bytes, list],
    lengths: list[int] | None,
    *,
    fixedsize,
    fieldid: int,
    limit: int,
    compression: int,
    postfile,
    tindex,
    merged: bool,
) -> None:
    """One field's posting lists and term infos, as `W3PostingsWriter` and `W3FieldWriter`
    write them (blocks of `limit` postings: a pickled info tuple and the pickled, compressed
    ids, weights and values; then the term's `W3TermInfo` under field id + term bytes)."""
    prefix = pack_ushort(fieldid)
    pack_info = W3TermInfo._struct.pack
    tell = postfile.tell
    write = postfile.write
    add = tindex.add
    for tbytes in sorted(terms):
        postings = terms[tbytes]
        if merged:
            postings.sort(key=_docnum)
        n = len(postings)
        startoffset = tell()
        parts = [WHOOSH3_HEADER_MAGIC]
        total_weight = 0.0
        max_weight = 0
        min_length = None
        max_length = 0
        for start in range(0, n, limit):
            block = postings if n <= limit else postings[start : start + limit]
            ids = [p[0] for p in block]
            raw_weights = [p[1] for p in block]
            weights = array("f", raw_weights)
            block_max_weight = max(0, max(raw_weights))
            if lengths is not None:
                block_lengths = [n_ for n_ in [lengths[d] for d in ids] if n_]
            else:
                block_lengths = None
            block_min = min(block_lengths) if block_lengths else None
            block_max = max(block_lengths) if block_lengths else 0
            # W3TermInfo.add_block
            total_weight += sum(weights)
            if min_length is None:
                min_length = block_min
            elif block_min is not None:
                min_length = min(min_length, block_min)
            max_length = max(max_length, block_max)
            max_weight = max(max_weight, block_max_weight)
            # W3PostingsWriter._mini_ids / _mini_weights / _mini_values
            deltas = []
            base = 0
            for docnum in ids:
                deltas.append(docnum - base)
                base = docnum
            first = weights[0]
            if all(w == 1.0 for w in weights):
                mini_weights = None
            elif all(w == first for w in weights):
                mini_weights = first
            else:
                mini_weights = tuple(weights)
            if fixedsize is None or fixedsize < 0:
                mini_values = tuple([p[2] for p in block if p[2]])
            elif fixedsize == 0:
                mini_values = None
            else:
                mini_values = emptybytes.join([p[2] for p in block if p[2]])
            databytes = dumps((tuple(deltas), mini_weights, mini_values), 2)
            # Whoosh meant to leave tiny blocks uncompressed (its check is overwritten on the
            # next line of `_write_block`): zlib made them larger and cost more than the rest
            # of the block's writing. The reader honours the flag per block.
            comp = compression if len(databytes) >= UNCOMPRESSED_BELOW else 0
            if comp:
                databytes = zlib.compress(databytes, comp)
            infobytes = dumps(
                (
                    len(ids),
                    ids[-1],
                    block_max_weight,
                    comp,
                    length_to_byte(block_min),
                    length_to_byte(block_max),
                ),
                2,
            )
            blocklength = len(infobytes) + len(databytes)
            if start + limit >= n:
                blocklength = -blocklength  # the last block
            parts.append(pack_int(blocklength))
            parts.append(infobytes)
            parts.append(databytes)
        data = b"".join(parts)
        write(data)
        # W3TermInfo.to_bytes (never inlined: the codec's inline limit is one posting)
        info = pack_info(
            False,
            total_weight,
            n,
            0 if min_length is None else length_to_byte(min_length),
            length_to_byte(max_length),
            max_weight,
            postings[0][0],
            postings[-1][0],
        )
        add(prefix + tbytes, info + pack_long(startoffset) + pack_int(len(data)))


#: Documents handed to a process at a time by `ParallelWriter`.
CHUNK_DOCS = 250
#: `ParallelWriter` keeps this many chunks waiting for each other process...
FED_CHUNKS = 2
#: ... as long as it has had at most this many times the documents indexed by the first.
OTHER_SHARE = 1.5
#: A process of `ParallelWriter` starts a new segment after this many documents (its posting
#: lists are held in memory until then: about 8 KB a catalogue record, 280 MB in all). An
#: import's index task of 50,000 records then makes one segment per process.
SEGMENT_DOCS = 35_000


def _segment_worker(storage, indexname: str, jobs, conn, segment_docs: int) -> None:
    """A `ParallelWriter` process: index the chunks it receives into its own segments."""
    try:
        ix = storage.open_index(indexname)
        segments = []
        writer = None
        while True:
            docs = jobs.get()
            if docs is None:
                break
            for doc in docs:
                if writer is None:
                    writer = TermBatchWriter(ix, _lk=False)
                writer.add_document(**doc)
                if writer.doc_count() >= segment_docs:
                    segments.append(writer._finalize_segment())
                    writer = None
        if writer is not None:
            segments.append(writer._finalize_segment())
        conn.send(("ok", segments))
    except BaseException:  # the parent reports it and cancels the write
        import traceback

        conn.send(("error", traceback.format_exc()))
    finally:
        conn.close()


class ParallelWriter(TermBatchWriter):
    """Adds documents in `procs` processes (this one included), each writing its own
    segments; commit adds them all to the index at once (Whoosh's MpWriter with
    `multisegment=True` does the same with its slower writer, and its parent only feeds).

    Deletions and merges of existing segments are done by this writer, which holds the
    index's lock. Chunks of `CHUNK_DOCS` documents go to the other processes as long as they
    have fewer than `FED_CHUNKS` waiting, else this one indexes them (it also reads and
    prepares every document); each process starts a new segment every `segment_docs`
    documents, so memory stays bounded.
    """

    def __init__(self, ix, procs: int = 2, segment_docs: int = SEGMENT_DOCS, **kwargs):
        super().__init__(ix, **kwargs)
        self._ix = ix
        self.procs = max(1, procs)
        self.segment_docs = segment_docs
        self._buffer: list[dict] = []
        self._here = 0  # documents indexed by this process
        self._sent: list[int] = []  # documents sent to each other process
        self._workers: list = []  # (process, connection)
        self._local: TermBatchWriter | None = None
        self._segments: list = []
        self._sub_added = False

    def add_document(self, **fields):
        self._check_state()
        self._buffer.append(fields)
        self._sub_added = True
        if len(self._buffer) >= CHUNK_DOCS:
            self._dispatch()

    def _dispatch(self) -> None:
        docs, self._buffer = self._buffer, []
        if not docs:
            return
        if not self._workers:
            self._start_workers()
        # The other processes are kept fed, up to OTHER_SHARE times what this one indexes
        # (it also reads and prepares every document; and each process writes its segment's
        # posting lists at the end, a third of its work, so their shares must end together).
        try:
            waiting, chosen = min((w[1].qsize(), i) for i, w in enumerate(self._workers))
        except NotImplementedError:  # no qsize (macOS)
            waiting, chosen = 0, min(range(len(self._workers)), key=self._sent.__getitem__)
        if waiting < FED_CHUNKS and self._sent[chosen] + len(docs) <= OTHER_SHARE * (
            self._here + len(docs)
        ):
            self._sent[chosen] += len(docs)
            self._send(self._workers[chosen], docs)
        else:
            self._here += len(docs)
            self._index_here(docs)

    @staticmethod
    def _send(worker, docs) -> None:
        """Queue a chunk for a process (a feeder thread writes it while this one goes on);
        a process that failed is not waited for: its error is read by `_gather`."""
        process, jobs, _conn = worker
        while process.is_alive():
            try:
                jobs.put(docs, timeout=0.5)
                return
            except queue.Full:
                continue

    def _start_workers(self) -> None:
        """Fork every other process at once, before any queue has a feeder thread."""
        import multiprocessing

        context = multiprocessing.get_context("fork")
        for _ in range(self.procs - 1):
            jobs = context.Queue(maxsize=8)
            parent_end, child_end = context.Pipe(duplex=False)
            process = context.Process(
                target=_segment_worker,
                args=(self.storage, self.indexname, jobs, child_end, self.segment_docs),
                daemon=True,
            )
            process.start()
            child_end.close()
            self._workers.append((process, jobs, parent_end))
            self._sent.append(0)

    def _index_here(self, docs: list[dict]) -> None:
        for doc in docs:
            if self._local is None:
                self._local = TermBatchWriter(self._ix, _lk=False)
            self._local.add_document(**doc)
            if self._local.doc_count() >= self.segment_docs:
                self._segments.append(self._local._finalize_segment())
                self._local = None

    def _gather(self) -> list:
        """Finish every process's segments and return them (raises if a process failed)."""
        self._dispatch()
        for worker in self._workers:  # first, so that they finish while this one does
            self._send(worker, None)
        segments = list(self._segments)
        if self._local is not None:
            segments.append(self._local._finalize_segment())
            self._local = None
        errors = []
        for process, jobs, conn in self._workers:
            try:
                status, result = conn.recv()
            except EOFError:
                status, result = "error", f"index process {process.pid} ended without a result"
            process.join()
            conn.close()
            jobs.cancel_join_thread()
            jobs.close()
            if status == "ok":
                segments.extend(result)
            else:
                errors.append(result)
        self._workers = []
        if errors:
            raise RuntimeError("indexing failed in a writer process:\n" + "\n".join(errors))
        return segments

    def commit(self, mergetype=None, optimize=None, merge=None):
        self._check_state()
        try:
            added = self._gather() if self._sub_added else []
        except Exception:
            self.cancel()
            raise
        finalsegments = self._merge_segments(mergetype, optimize, merge)
        finalsegments += added
        if self._added:
            finalsegments.append(self._finalize_segment())
        else:
            self._close_segment()
        self._commit_toc(finalsegments)
        self._finish()

    def cancel(self):
        for process, jobs, conn in self._workers:
            process.kill()
            process.join()
            conn.close()
            jobs.cancel_join_thread()
            jobs.close()
        self._workers = []
        if self._local is not None:
            self._local._close_segment()
            self._local = None
        super().cancel()


__all__ = ["ParallelWriter", "TermBatchWriter"]
