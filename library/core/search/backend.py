"""Haystack's Whoosh backend with the Vietnamese analyzer installed.

Every analysed text field is indexed twice: folded (no tone or vowel marks, đ → d) under its
own name, so "toan lop 6" finds "Toán lớp 6", and accented under `<name>_acc`, so a query typed
with marks can rank exact-accent matches first. Facet fields are stored whole, unanalysed: a
facet counts authors, not the tokens of their names.

The search page and API read the Whoosh index directly (`library.discovery.engine`); haystack
builds and updates it. The fields search relies on are declared here (`BASE_FIELDS`,
`FACET_FIELDS`) so that every index (records, resources, pages) writes them the same way.
"""

from __future__ import annotations

import os

from haystack.backends import BaseEngine
from haystack.backends.whoosh_backend import WhooshSearchBackend, WhooshSearchQuery
from haystack.constants import DJANGO_CT, DJANGO_ID, ID
from haystack.exceptions import SearchBackendError, SkipDocument
from whoosh.analysis import RegexTokenizer
from whoosh.codec import whoosh3
from whoosh.fields import BOOLEAN, DATETIME, IDLIST, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.fields import ID as WHOOSH_ID
from whoosh.reading import SegmentReader
from whoosh.writing import MERGE_SMALL

from library.core.search.writer import ParallelWriter, TermBatchWriter
from library.core.search_analysis import accented_analyzer, folded_analyzer

ACCENTED_SUFFIX = "_acc"
# One value per line: multi-valued facet fields keep "Toán, Tin học" as one value.
LINE_TOKENIZER = RegexTokenizer(r"[^\n]+")

# Whole-value fields for facets and filters (string values, several per document allowed).
FACET_FIELDS = (
    "kind",
    "access_level",
    "record_type",
    "resource_type",
    "mon_hoc",
    "grade_levels",
    "textbook_series",
    "series",
    "languages",
    "locations",
    "availability",
    "source_node",
    "year_facet",
)
# Identifier-like fields matched exactly (stored as strings).
ID_FIELDS = ("isbn", "call_numbers", "title_exact")
INT_FIELDS = ("year", "page_number", "loans", "items_total", "items_available")
# Only the first of these is indexed for pages: a page is found by its own text, not by the
# title of the book it belongs to (that is the resource's document).
PAGE_UNINDEXED = ("title", "authors", "subjects", "notes")
# Fields stored for display without indexing.
DISPLAY_FIELDS = ("display_title", "cover", "authors_display", "url")
PAGE_TEXT = "page_text"
# Only these get an accented copy: exact-accent ranking matters most where the words are few,
# and accented copies of notes and page text doubled the build time for little gain.
ACCENTED_FIELDS = ("title", "authors", "subjects")
PAGE_BOOST = 0.6
# Documents prepared and written per batch by `rebuild`.
REBUILD_BATCH = 5000


def _cached_reader(self, fieldname, column):
    """Whoosh's per-segment column lookup, remembering misses too.

    Whoosh asks for the length column of every posting while it writes a segment; for a
    field without lengths (every facet and id field) it looked for the file on disk again each
    time: a third of the build time went to stat() calls. A written segment's files never
    change, so a miss can be remembered like a hit.
    """
    try:
        return self._readers[fieldname]
    except KeyError:
        reader = self.column_reader(fieldname, column) if self.has_column(fieldname) else None
        self._readers[fieldname] = reader
        return reader


whoosh3.W3PerDocReader._cached_reader = _cached_reader

# Bumped by every write in this process, so that a searcher in the same process sees it at
# once (other processes notice a new index generation within a second; see discovery.engine).
_writes = [0]


def local_writes() -> int:
    return _writes[0]


def accented_name(field_name: str) -> str:
    return field_name + ACCENTED_SUFFIX


def fold_phrase(text: str) -> str:
    """The folded, tokenised form of a whole title (for exact-title matches)."""
    return " ".join(token.text for token in folded_analyzer()(text or ""))


#: From this many documents on, which ones already exist is read from the index's id terms in
#: one pass instead of one lookup per document and segment.
LOOKUP_BY_LEXICON = 500
#: From this many documents on, `write_stream` shares the work between processes.
PARALLEL_MIN_DOCS = 10_000
#: Segments with fewer documents than this are merged together when the index is written.
TINY_SEGMENT_DOCS = 1000
#: Above this many segments, Whoosh's own policy merges the small ones among them too.
MAX_SEGMENTS = 48


def merge_tiny(writer, segments):
    """Whoosh merge policy: merge only the tiny segments that single edits leave behind.

    Whoosh's default (MERGE_SMALL) re-reads and rewrites, in Python, every segment up to a
    point that grows with the index: during an import of 100,000 records each 5,000-record
    index task merged up to 20 segments of the earlier ones, and indexing slowed as the
    index grew (one task on a full index took over 3 minutes, 190 s of it merging). Large
    segments are kept as they are: after that import, the index's 40 segments answered ten
    searches in a median of 19 ms against 15 ms once optimised into one; beyond
    MAX_SEGMENTS Whoosh's policy takes over again.
    """
    if len(segments) > MAX_SEGMENTS:
        return MERGE_SMALL(writer, segments)
    tiny = [seg for seg in segments if seg.doc_count_all() < TINY_SEGMENT_DOCS]
    if len(tiny) < 2:
        return segments
    for seg in tiny:
        reader = SegmentReader(writer.storage, writer.schema, seg)
        writer.add_reader(reader)
        reader.close()
    return [seg for seg in segments if seg not in tiny]


def _older_versions(reader, wanted: set[str]) -> list[int]:
    """Docnums of live documents with these ids, from one pass over each segment's id terms.

    `update_document` looks every id up in every segment: 5,000 records against an index
    of 40 segments were 200,000 lookups (7.7 s of a 15 s write). New records (an import)
    then need no delete at all.
    """
    found: list[int] = []
    for leaf, offset in reader.leaf_readers():
        for term in leaf.lexicon(ID):
            text = term.decode("utf-8") if isinstance(term, bytes) else term
            if text in wanted:
                found.extend(
                    offset + docnum
                    for docnum in leaf.postings(ID, term).all_ids()
                    if not leaf.is_deleted(docnum)
                )
    return found


def _pool_mb(procs: int) -> int:
    """Memory for a writer's posting pool (used when large segments are merged): a quarter
    of the machine's, up to 1 GB.

    A pool that fills is written out as a sorted run and the runs are merged at the end
    (Python code): with Whoosh's own writer and 256 MB, 100,000 records spilled and took 84 s
    to write, with 1 GB 48 s.
    """
    try:
        total_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // (1 << 20)
    except (ValueError, OSError, AttributeError):
        return 256
    return max(128, min(1024, total_mb // (4 * procs)))


class VietnameseWhooshBackend(WhooshSearchBackend):
    accented_fields: list[str]

    def build_schema(self, fields):
        folded = folded_analyzer()
        accented = accented_analyzer()
        schema_fields = {
            ID: WHOOSH_ID(stored=True, unique=True),
            DJANGO_CT: WHOOSH_ID(stored=True),
            # Read from hits, never searched: not indexed (one posting less per document).
            DJANGO_ID: STORED(),
        }
        content_field_name = ""
        self.accented_fields = []
        for field in fields.values():
            name = field.index_fieldname
            is_facet = getattr(field, "facet_for", None) is not None
            if name in FACET_FIELDS or name in ID_FIELDS or name in INT_FIELDS:
                continue  # declared below, the same for every index
            if field.is_multivalued:
                schema_fields[name] = (
                    KEYWORD(stored=True, commas=True, scorable=True, field_boost=field.boost)
                    if field.indexed
                    else IDLIST(stored=True, field_boost=field.boost)
                )
            elif field.field_type in ("date", "datetime"):
                schema_fields[name] = DATETIME(stored=field.stored, sortable=True)
            elif field.field_type == "integer":
                schema_fields[name] = NUMERIC(
                    stored=field.stored, numtype=int, field_boost=field.boost, sortable=True
                )
            elif field.field_type == "float":
                schema_fields[name] = NUMERIC(
                    stored=field.stored, numtype=float, field_boost=field.boost, sortable=True
                )
            elif field.field_type == "boolean":
                schema_fields[name] = BOOLEAN(stored=field.stored)
            elif is_facet or not field.indexed:
                schema_fields[name] = WHOOSH_ID(stored=True, sortable=True)
            else:
                schema_fields[name] = TEXT(
                    stored=field.stored,
                    analyzer=field.analyzer or folded,
                    field_boost=field.boost,
                    spelling=field.document,
                )
                if name in ACCENTED_FIELDS:
                    schema_fields[accented_name(name)] = TEXT(
                        stored=False, analyzer=accented, field_boost=field.boost * 1.5
                    )
                    self.accented_fields.append(name)
            if field.document:
                content_field_name = name
        if len(schema_fields) <= 3:
            raise SearchBackendError("No fields were found in any search_indexes.")
        for name in FACET_FIELDS:
            schema_fields[name] = KEYWORD(stored=True, analyzer=LINE_TOKENIZER)
        for name in ID_FIELDS:
            schema_fields[name] = KEYWORD(stored=True, analyzer=LINE_TOKENIZER)
        for name in INT_FIELDS:
            # shift_step=0: one term per value instead of eight (Whoosh's default step of 4
            # made the five integers half of a record's postings); ranges of years and page
            # numbers are short, so enumerating their terms costs nothing.
            schema_fields[name] = NUMERIC(
                stored=True, numtype=int, bits=32, sortable=True, shift_step=0
            )
        for name in DISPLAY_FIELDS:
            schema_fields[name] = STORED()
        # Resource and page documents share their resource's id, read per hit to group pages.
        schema_fields["resource_id"] = WHOOSH_ID(stored=True, sortable=True)
        # Page text is its own field, ranked below every field of a record or resource.
        if content_field_name:
            schema_fields[PAGE_TEXT] = TEXT(stored=True, analyzer=folded, field_boost=PAGE_BOOST)
        schema_fields["title_sort"] = WHOOSH_ID(stored=True, sortable=True)
        return content_field_name, Schema(**schema_fields)

    # Writing -----------------------------------------------------------------------------

    def _document(self, prepared: dict) -> dict:
        """Turn haystack's prepared values into the Whoosh document this schema expects."""
        prepared.pop("boost", None)
        doc: dict = {}
        kind = str(prepared.get("kind") or "")
        for key, value in prepared.items():
            if value is None or value == "" or value == []:
                continue
            if key == "resource_id":
                doc[key] = str(value)
            elif key in FACET_FIELDS or key in ID_FIELDS:
                values = value if isinstance(value, (list, tuple, set)) else [value]
                doc[key] = "\n".join(str(v).strip() for v in values if str(v).strip())
            elif key in INT_FIELDS:
                try:
                    doc[key] = int(value)
                except (TypeError, ValueError):
                    continue
            elif isinstance(value, (list, tuple)) and key in self.accented_fields:
                doc[key] = "\n".join(str(v) for v in value)
            else:
                doc[key] = self._from_python(value)
        title = doc.get("title") or ""
        doc.setdefault("display_title", title)
        doc.setdefault("authors_display", doc.get("authors", ""))
        if title and "title_exact" not in doc:
            doc["title_exact"] = fold_phrase(title)
        if "year" in doc and "year_facet" not in doc:
            doc["year_facet"] = str(doc["year"])
        if kind == "page":
            for name in PAGE_UNINDEXED:
                doc.pop(name, None)
            doc.pop("title_exact", None)
            if "text" in doc:
                doc[PAGE_TEXT] = doc.pop("text")
        for name in self.accented_fields:
            if doc.get(name):
                doc[accented_name(name)] = doc[name]
        return {key: value for key, value in doc.items() if key in self.schema}

    def prepare_documents(self, index, objects) -> list[dict]:
        """Whoosh documents for these objects.

        An index with `prepare_many(objects)` gives all the batch's prepared dicts at once
        (related rows read in a few queries, no per-object template); others go through
        haystack's `full_prepare`, one object at a time.
        """
        many = getattr(index, "prepare_many", None)
        if many is not None:
            return [self._document(prepared) for prepared in many(objects)]
        docs = []
        for obj in objects:
            try:
                docs.append(self._document(index.full_prepare(obj)))
            except SkipDocument:
                continue
        return docs

    def _writer(self, *, bulk: bool):
        """Our writers (library.core.search.writer): the segments Whoosh's would write, with
        postings written a term at a time.

        A rebuild (`bulk`) is shared between processes, each writing its own segments (and
        so are `write_stream`s of `PARALLEL_MIN_DOCS` or more). Other writes (the tasks that
        follow edits) stay in one process: split in two, 5,000 records cost 40% more CPU
        (two segments repeat most terms).
        """
        procs = min(4, os.cpu_count() or 1)
        if bulk and procs > 1:
            return ParallelWriter(self.index, procs=procs, limitmb=_pool_mb(1))
        return TermBatchWriter(self.index, limitmb=_pool_mb(1))

    def write_documents(self, docs: list[dict], *, bulk: bool = False) -> None:
        """Add or replace documents (by their `id`) in one writer.

        `bulk` means the documents are new (after a clear): they are added without looking
        for an older version to delete, by processes in parallel (see `_writer`).
        """
        if not self.setup_complete:
            self.setup()
        if not docs:
            return
        self.index = self.index.refresh()
        writer = self._writer(bulk=bulk)
        try:
            if bulk:
                for doc in docs:
                    writer.add_document(**doc)
            elif len(docs) < LOOKUP_BY_LEXICON:
                for doc in docs:
                    writer.update_document(**doc)
            else:
                for docnum in _older_versions(writer.reader(), {doc[ID] for doc in docs}):
                    writer.delete_document(docnum)
                for doc in docs:
                    writer.add_document(**doc)
        except Exception:
            writer.cancel()
            raise
        writer.commit(mergetype=merge_tiny)
        _writes[0] += 1

    def write_stream(self, ids: set[str], batches) -> int:
        """Replace the documents with these ids by those of `batches` (lists of documents,
        written as they come), in one writer and one commit; an id without a new document
        leaves the index. Many ids share the work between processes. Returns the number of
        documents written."""
        if not self.setup_complete:
            self.setup()
        self.index = self.index.refresh()
        procs = min(4, os.cpu_count() or 1)
        if len(ids) >= PARALLEL_MIN_DOCS and procs > 1:
            writer = ParallelWriter(self.index, procs=procs, limitmb=_pool_mb(1))
        else:
            writer = TermBatchWriter(self.index, limitmb=_pool_mb(1))
        written = 0
        try:
            for docnum in _older_versions(writer.reader(), ids):
                writer.delete_document(docnum)
            for docs in batches:
                for doc in docs:
                    writer.add_document(**doc)
                written += len(docs)
        except Exception:
            writer.cancel()
            raise
        writer.commit(mergetype=merge_tiny)
        _writes[0] += 1
        return written

    def update(self, index, iterable, commit=True):
        """Write documents in one writer; accented copies of text fields are added here."""
        if not self.setup_complete:
            self.setup()
        self.write_documents(self.prepare_documents(index, list(iterable)))

    def rebuild(self, models=None, *, batch_size: int = REBUILD_BATCH) -> dict[str, int]:
        """Empty the index (or these models' part of it) and index every object again.

        The bulk path for rebuilds and repairs: objects are read in batches of primary keys,
        prepared with the indexes' `prepare_many` and streamed into one `ParallelWriter`,
        committed once. Returns the number of documents per model label.
        """
        from haystack import connections

        if not self.setup_complete:
            self.setup()
        unified = connections[self.connection_alias].get_unified_index()
        indexes = unified.get_indexes()
        chosen = [m for m in indexes if models is None or m in models]
        if models is None:
            self.clear()
        else:
            self.clear(models=chosen)
        self.index = self.index.refresh()
        counts: dict[str, int] = {}
        writer = None
        try:
            for model in chosen:
                search_index = indexes[model]
                queryset = search_index.index_queryset()
                pks = list(queryset.order_by("pk").values_list("pk", flat=True))
                label = model._meta.label_lower
                counts[label] = 0
                for start in range(0, len(pks), batch_size):
                    objects = list(queryset.filter(pk__in=pks[start : start + batch_size]))
                    docs = self.prepare_documents(search_index, objects)
                    if writer is None:
                        writer = self._writer(bulk=True)
                    for doc in docs:
                        writer.add_document(**doc)
                    counts[label] += len(docs)
        except Exception:
            if writer is not None:
                writer.cancel()
            raise
        if writer is not None:
            writer.commit()
        _writes[0] += 1
        self.index = self.index.refresh()
        return counts

    def remove_many(self, identifiers: list[str]) -> None:
        """Drop documents by their haystack identifiers ("app.model.pk") in one writer."""
        if not self.setup_complete:
            self.setup()
        if not identifiers:
            return
        self.index = self.index.refresh()
        writer = TermBatchWriter(self.index, limitmb=64)
        try:
            for identifier in identifiers:
                writer.delete_by_term(ID, identifier)
        except Exception:
            writer.cancel()
            raise
        writer.commit(mergetype=merge_tiny)
        _writes[0] += 1

    def clear(self, models=None, commit=True):
        super().clear(models=models, commit=commit)
        _writes[0] += 1

    def remove(self, obj_or_string, commit=True):
        from haystack.utils import get_identifier

        self.remove_many([get_identifier(obj_or_string)])

    def indexed_ids(self, label: str) -> set[str]:
        """The primary keys of `label` ("app.model") documents in the index."""
        if not self.setup_complete:
            self.setup()
        self.index = self.index.refresh()
        with self.index.searcher() as searcher:
            return {
                fields[DJANGO_ID]
                for fields in searcher.documents(**{DJANGO_CT: label})
                if DJANGO_ID in fields
            }


class VietnameseWhooshEngine(BaseEngine):
    backend = VietnameseWhooshBackend
    query = WhooshSearchQuery
