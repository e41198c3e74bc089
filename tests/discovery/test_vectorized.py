"""The vectorised evaluation against Whoosh's own matchers on the same index, hit by hit."""

from __future__ import annotations

import random

import pytest
from whoosh import query as wq

from catalog.models import Record
from library.core.access import visible_levels
from library.discovery import engine, selectors, vectorized
from library.discovery.query import parse_query

from .conftest import index_records, index_resource, make_record

pytestmark = pytest.mark.django_db

VOCABULARY = (
    "toán tiếng việt ngữ văn lịch sử địa lí khoa học tự nhiên vật hóa sinh tin công nghệ âm "
    "nhạc mĩ thuật giáo dục dân thể chất hoạt động trải nghiệm phân số hình đại phương trình "
    "bài tập đường về nhà mà mã ma trận quê hương đất nước"
)
WORDS = VOCABULARY.split()
PEOPLE = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Đức Cường", "Phạm Minh Đức", "Hoàng Thu Hà"]


def _phrase(rng, low, high):
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high)))


@pytest.fixture
def corpus(index):
    """Records in three segments (some deleted afterwards) and two resources with pages."""
    rng = random.Random(7)
    for _batch in range(3):
        records = [
            make_record(
                title=_phrase(rng, 2, 5).capitalize(),
                authors=rng.sample(PEOPLE, rng.randint(1, 2)),
                subjects=[_phrase(rng, 1, 2)],
                notes=_phrase(rng, 0, 10),
                year=rng.randint(1995, 2025),
                grade_levels=[rng.randint(1, 12)],
                languages=["vie"],
            )
            for _ in range(40)
        ]
        index_records(records)
    for record in Record.objects.order_by("pk")[:8]:
        record.delete()
    index_records()  # the deleted ones leave deletions behind in their segment
    for rid, access in ((1, "public"), (2, "school")):
        pages = {n: ". ".join(_phrase(rng, 6, 12) for _ in range(6)) for n in range(1, 16)}
        index_resource(rid, _phrase(rng, 2, 3).capitalize(), pages, access=access)
    return rng


QUERIES = [
    "toán",
    "toan",
    "tiếng việt",
    "tieng viet",
    "mà",
    "ma tran",
    '"ngữ văn"',
    '"ngu van"',
    '"hóa học" sinh',
    "tác giả:Trần Bình",
    'tác giả:"Nguyễn Văn"',
    "nhan đề:toán",
    'toán -"vật lí"',
    "khoa học năm:2000..2015",
    "quê hương đất nước",
    "không có từ này",
]


def _whoosh_scores(s, q) -> dict[int, float]:
    return {hit.docnum: hit.score for hit in s.search(q, limit=None)}


@pytest.mark.parametrize("levels_of", [None, "librarian"])
def test_same_matches_and_scores_as_whoosh(corpus, librarian, levels_of):
    who = librarian if levels_of else None
    rng = corpus
    queries = QUERIES + [_phrase(rng, 1, 3) for _ in range(30)]
    queries += [f'"{_phrase(rng, 2, 2)}"' for _ in range(10)]
    compared = 0
    with engine.searching() as s:
        assert len(s.leaf_searchers()) > 1  # several segments, with deletions
        for text in queries:
            for filters in ({}, {"grade_levels": ["3", "7"]}):
                q = engine.build_query(
                    s.schema, parse_query(text), levels=visible_levels(who), filters=filters
                )
                expected = _whoosh_scores(s, q)
                evaluation = vectorized.run(s, q)
                got = {
                    int(d + offset): float(scores[d])
                    for _sub, offset, docs, scores in evaluation.segments
                    for d in docs
                }
                assert set(got) == set(expected), text
                for docnum, score in got.items():
                    assert score == pytest.approx(expected[docnum], rel=1e-9), text
                top = evaluation.top(10)
                ranked = sorted(expected.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
                assert [round(sc, 9) for sc, _d in top] == [round(sc, 9) for _d, sc in ranked]
                compared += bool(expected)
    assert compared > 40


def test_counts_are_every_match(corpus):
    """Whoosh's collector prunes sub-matchers that cannot reach the top score; the counts
    (and facets) must still include every matching document."""
    with engine.searching() as s:
        q = engine.build_query(s.schema, parse_query("học"), levels=visible_levels(None))
        everything = len(s.search(q, limit=None))
    result = selectors.search(None, "học")
    assert everything > 20
    assert sum(result.kind_counts.values()) == everything


def test_a_query_it_does_not_handle_goes_to_whoosh(corpus):
    with engine.searching() as s:
        q = wq.And([wq.Prefix("title", "toa"), wq.Term("access_level", "public")])
        with pytest.raises(vectorized.Unsupported):
            vectorized.run(s, q)
        hits, matched = engine.run(s, q, limit=5)
        assert matched.total == len(s.search(q, limit=None))
        assert hits
