"""Our Whoosh segment writers write what Whoosh's own writer writes.

`TermBatchWriter` (postings gathered per term) must produce the same segment as Whoosh's
`SegmentWriter` — byte for byte when tiny blocks are compressed as Whoosh does — and the
same index content through merges of small and large segments; `ParallelWriter` spreads
documents over processes and commits all their segments or none.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.writing import SegmentWriter

from library.core.search import writer as writer_module
from library.core.search.backend import merge_tiny
from library.core.search.writer import ParallelWriter, TermBatchWriter
from library.core.search_analysis import accented_analyzer, folded_analyzer, token_texts

SAMPLE = (
    "Toán Tiếng Việt lớp 6 tập một hai Ngữ văn Lịch sử Địa lí phân số thập phân hình học "
    "Nguyễn Trần Lê Phạm Hoà Hòa Thuỷ đất nước Hà Nội sách giáo khoa bài tập Kết nối tri thức "
    "Chân trời sáng tạo Cánh Diều the history of New Zealand Māori land"
)
WORDS = SAMPLE.split()


def _documents(backend, count: int, *, start: int = 0) -> list[dict]:
    """Record and page documents of varied sizes; some words in every document (posting
    lists longer than one block), some in a few, marks and đ throughout."""
    docs = []
    for n in range(start, start + count):
        words = [WORDS[(n * 7 + k * 3) % len(WORDS)] for k in range(3 + n % 9)]
        if n % 5 == 4:
            docs.append(
                backend._document(
                    {
                        "id": f"digitization.page.{n}",
                        "django_ct": "digitization.page",
                        "django_id": str(n),
                        "kind": "page",
                        "text": " ".join(words * (1 + n % 3)) + f" phân số trang {n}",
                        "resource_id": str(n // 10),
                        "page_number": n,
                        "access_level": "school",
                    }
                )
            )
            continue
        docs.append(
            backend._document(
                {
                    "id": f"catalog.record.{n}",
                    "django_ct": "catalog.record",
                    "django_id": str(n),
                    "kind": "record",
                    "title": " ".join(words[:4]) + f" (bản {n})",
                    "authors": ["Nguyễn Văn An", f"Trần Thị {WORDS[n % len(WORDS)]}"],
                    "subjects": ["Toán học", "Sách giáo khoa"] if n % 2 else ["Lịch sử"],
                    "notes": " ".join(words + words[:2]) if n % 3 else "",
                    "text": f"Nhà xuất bản Giáo dục Việt Nam {n % 4}",
                    "isbn": [f"97860400{n:05d}"] if n % 4 == 0 else [],
                    "year": 1990 + n % 35,
                    "title_sort": f"{n:08d}",
                    "record_type": "book",
                    "access_level": "public",
                    "mon_hoc": ["Toán", "Tin học"] if n % 2 else ["Lịch sử và Địa lí"],
                    "grade_levels": [str(6 + n % 4)],
                    "languages": ["vie"],
                    "items_total": n % 3,
                    "items_available": n % 2,
                    "loans": n % 7,
                }
            )
        )
    return docs


def _write(path: Path, schema, cls, batches, *, merge: bool = True, **kwargs) -> None:
    """Batches written into the index at `path` (created if need be) by `cls`, one commit
    each, with our merge policy or none."""
    path.mkdir(parents=True, exist_ok=True)
    if whoosh_index.exists_in(str(path)):
        ix = whoosh_index.open_dir(str(path))
    else:
        ix = whoosh_index.create_in(str(path), schema)
    for batch in batches:
        w = cls(ix, **kwargs)
        for doc in batch:
            w.add_document(**doc)
        if merge:
            w.commit(mergetype=merge_tiny)
        else:
            w.commit(merge=False)


def _content(path: Path):
    """Everything a reader can see of an index, segment by segment."""
    ix = whoosh_index.open_dir(str(path))
    out = []
    with ix.reader() as r:
        leaves = [leaf for leaf, _ in r.leaf_readers()]
        for leaf in leaves:
            for fieldname, tbytes in leaf.all_terms():
                info = leaf.term_info(fieldname, tbytes)
                m = leaf.postings(fieldname, tbytes)
                posts = []
                while m.is_active():
                    posts.append((m.id(), m.weight(), m.value()))
                    m.next()
                out.append(
                    (fieldname, tbytes, info.weight(), info.doc_frequency(), info.min_length(),
                     info.max_length(), info.max_weight(), info.min_id(), info.max_id(), posts)
                )  # fmt: skip
            out.append(list(leaf.all_stored_fields()))
            for name in ix.schema.names():
                out.append(
                    (name, leaf.field_length(name),
                     [leaf.doc_field_length(d, name) for d in range(leaf.doc_count_all())])
                )  # fmt: skip
                if leaf.has_column(name):
                    out.append((name, list(leaf.column_reader(name))))
    return out


def _segment_files(path: Path) -> dict[str, bytes]:
    """The files of an index's segments (the table of contents, written by Whoosh's own code
    for both writers, also pickles the schema, whose cached state can differ)."""
    return {
        p.name: p.read_bytes()
        for p in sorted(path.iterdir())
        if "LOCK" not in p.name and not p.name.endswith(".toc")
    }


@pytest.fixture
def fixed_ids(monkeypatch):
    """Segment ids from a counter, so that two writers name their files alike."""

    def install():
        counter = itertools.count()
        monkeypatch.setattr(
            "whoosh.codec.base.random_name", lambda size=16: f"{next(counter):0{size}d}"
        )

    return install


def test_segment_is_byte_for_byte_whooshs_when_blocks_are_encoded_alike(
    search_index, tmp_path, fixed_ids, monkeypatch
):
    """By default tiny blocks are not compressed and equal position lists share one bytes
    object (pickle then refers back to it): smaller blocks, the same values once read."""
    docs = _documents(search_index, 400)
    schema = search_index.index.schema
    monkeypatch.setattr(writer_module, "UNCOMPRESSED_BELOW", 0)
    monkeypatch.setattr(writer_module, "ENCODED_LIMIT", 0)
    monkeypatch.setattr(writer_module, "_encoded", {})
    fixed_ids()
    _write(tmp_path / "whoosh", schema, SegmentWriter, [docs], compound=False)
    fixed_ids()
    _write(tmp_path / "ours", schema, TermBatchWriter, [docs], compound=False)
    theirs, ours = _segment_files(tmp_path / "whoosh"), _segment_files(tmp_path / "ours")
    assert list(theirs) == list(ours) and len(ours) > 10
    for name in theirs:
        assert theirs[name] == ours[name], name
    # Some posting lists span several blocks (128 postings each).
    ix = whoosh_index.open_dir(str(tmp_path / "ours"))
    with ix.reader() as r:
        assert r.doc_frequency("kind", "record") > 300


def test_default_writer_gives_the_same_index_and_the_same_answers(search_index, tmp_path):
    docs = _documents(search_index, 400)
    schema = search_index.index.schema
    _write(tmp_path / "whoosh", schema, SegmentWriter, [docs])
    _write(tmp_path / "ours", schema, TermBatchWriter, [docs])
    assert _content(tmp_path / "whoosh") == _content(tmp_path / "ours")
    queries = [
        wq.Term("title", "toan"),
        wq.And(
            [wq.Term("kind", "record"), wq.Or([wq.Term("notes", "lop"), wq.Term("title", "lop")])]
        ),
        wq.Phrase("page_text", ["phan", "so"]),
        wq.Term("title_acc", "hòa"),
        wq.Term("mon_hoc", "Tin học"),
    ]
    for q in queries:
        answers = []
        for name in ("whoosh", "ours"):
            with whoosh_index.open_dir(str(tmp_path / name)).searcher() as s:
                answers.append([(h["id"], h.score) for h in s.search(q, limit=None)])
        assert answers[0] == answers[1] and answers[0], q


@pytest.mark.parametrize("in_memory", [True, False], ids=["lists", "whoosh-pool"])
def test_merging_small_segments_with_deletions_gives_whooshs_result(
    search_index, tmp_path, monkeypatch, in_memory
):
    """Single edits leave tiny segments; the next write merges them (`merge_tiny`), through
    our per-term lists or, for large segments, through Whoosh's pool."""
    if not in_memory:
        monkeypatch.setattr(writer_module, "MERGE_IN_MEMORY_DOCS", 0)
    schema = search_index.index.schema
    singles = [[doc] for doc in _documents(search_index, 6)]
    batch = _documents(search_index, 200, start=100)
    for name, cls in (("whoosh", SegmentWriter), ("ours", TermBatchWriter)):
        path = tmp_path / name
        _write(path, schema, SegmentWriter, singles, merge=False)
        ix = whoosh_index.open_dir(str(path))
        w = SegmentWriter(ix)
        w.delete_by_term("id", "catalog.record.2")
        w.commit(merge=False)
        assert len(ix.refresh()._segments()) == 6
        _write(path, schema, cls, [batch])
        ix = whoosh_index.open_dir(str(path))
        assert len(ix._segments()) == 1  # the tiny ones merged into the new one
        assert ix.doc_count() == 205
    assert _content(tmp_path / "whoosh") == _content(tmp_path / "ours")


def test_parallel_writer_commits_every_process_segments(search_index, tmp_path, monkeypatch):
    monkeypatch.setattr(writer_module, "CHUNK_DOCS", 40)
    docs = _documents(search_index, 600)
    schema = search_index.index.schema
    _write(tmp_path / "whoosh", schema, SegmentWriter, [docs])
    _write(tmp_path / "ours", schema, ParallelWriter, [docs], procs=2, segment_docs=200)
    ours = whoosh_index.open_dir(str(tmp_path / "ours"))
    theirs = whoosh_index.open_dir(str(tmp_path / "whoosh"))
    # Chunks of 40 shared between the two processes (the other one at most 1.5 times this
    # one's share), each starting a new segment every 200 documents.
    sizes = [s.doc_count_all() for s in ours._segments()]
    assert sum(sizes) == 600 and max(sizes) <= 200 and len(sizes) >= 3
    assert ours.doc_count() == 600
    with ours.searcher() as ours_s, theirs.searcher() as theirs_s:
        assert sorted(f["id"] for f in ours_s.all_stored_fields()) == sorted(
            f["id"] for f in theirs_s.all_stored_fields()
        )
        for q in (wq.Term("title", "toan"), wq.Phrase("page_text", ["phan", "so"])):
            found = {h["id"] for h in ours_s.search(q, limit=None)}
            assert found == {h["id"] for h in theirs_s.search(q, limit=None)} and found


def test_parallel_writer_that_fails_in_a_process_changes_nothing(search_index, tmp_path):
    schema = search_index.index.schema
    path = tmp_path / "ix"
    _write(path, schema, TermBatchWriter, [_documents(search_index, 10)])
    ix = whoosh_index.open_dir(str(path))
    w = ParallelWriter(ix, procs=2)
    docs = _documents(search_index, 2 * writer_module.CHUNK_DOCS, start=10)
    docs[5]["no_such_field"] = "x"  # the first chunk goes to the other process
    for doc in docs:
        w.add_document(**doc)
    with pytest.raises(RuntimeError, match="no_such_field"):
        w.commit()
    ix = whoosh_index.open_dir(str(path))
    assert ix.doc_count() == 10
    w = TermBatchWriter(ix)  # the lock was released
    w.cancel()


def test_token_texts_are_the_analyzers_tokens():
    samples = [
        "Toán lớp 6 - Tập một",
        "ISBN 978-604-0-00000-1, DDC 895.9223, 19 lớp 53(075)",
        "Hoà Bình, Thuỷ, ĐẤT NƯỚC",
        "Tie\u0302\u0301ng Vie\u0323\u0302t",  # NFD
        "McMahon, Seán; Māori",
        "",
    ]
    for analyzer in (folded_analyzer(), accented_analyzer()):
        texts = token_texts(analyzer)
        for sample in samples:
            tokens = [(t.text, t.pos, t.boost) for t in analyzer(sample, positions=True)]
            assert [(text, pos, 1.0) for pos, text in enumerate(texts(sample))] == tokens
    from whoosh.analysis import StandardAnalyzer

    assert token_texts(StandardAnalyzer()) is None


def test_schemas_with_term_vectors_go_through_whooshs_own_path(tmp_path):
    from whoosh.fields import ID, TEXT, Schema

    schema = Schema(id=ID(stored=True, unique=True), body=TEXT(vector=True, stored=True))
    docs = [{"id": str(n), "body": f"phân số {WORDS[n % len(WORDS)]} lớp {n}"} for n in range(50)]
    _write(tmp_path / "whoosh", schema, SegmentWriter, [docs])
    _write(tmp_path / "ours", schema, TermBatchWriter, [docs])
    assert _content(tmp_path / "whoosh") == _content(tmp_path / "ours")
    with whoosh_index.open_dir(str(tmp_path / "ours")).searcher() as s:
        assert s.vector_as("frequency", 0, "body")
