"""The processing task and the search documents it leaves behind: one per page, with access."""

from __future__ import annotations

import pytest
from whoosh import query as wq

from digitization import services
from digitization.models import DigitalResource, Page
from digitization.tasks import process_resource
from library.core.access import visible_levels
from library.core.search import queue

pytestmark = pytest.mark.django_db


def _flush_index() -> None:
    # The test transaction never commits: send what is pending now (ImmediateBackend runs it).
    queue.flush()


def _documents(backend, **terms) -> list[dict]:
    _flush_index()
    index = backend.index.refresh()
    with index.searcher() as searcher:
        return list(searcher.documents(**terms))


def _search(backend, word: str, who) -> list[dict]:
    """Like the search page: the word in page text, filtered by access level inside the query."""
    _flush_index()
    index = backend.index.refresh()
    allowed = wq.Or([wq.Term("access_level", level) for level in visible_levels(who)])
    with index.searcher() as searcher:
        q = wq.And([wq.Term("page_text", word), allowed])
        return [dict(hit) for hit in searcher.search(q, limit=None)]


@pytest.fixture
def upload(
    media, immediate_tasks, files, librarian, search_index, django_capture_on_commit_callbacks
):
    def make(level: str, *, approved: bool = True, key: str = "pdf"):
        with django_capture_on_commit_callbacks(execute=True):
            resource = services.resource_create(
                file=files[key],
                actor=librarian,
                metadata={
                    "title": f"Toán 6 ({level})",
                    "access_level": level,
                    "grade": [6],
                    "subject": "Toán",
                    "series": "Kết nối tri thức",
                    "type": "sgk_dien_tu",
                },
                approved=approved,
            )
        resource.refresh_from_db()
        return resource

    return make


def test_each_page_becomes_one_search_document_with_the_resource_metadata(upload, search_index):
    resource = upload("public")
    pages = _documents(search_index, django_ct="digitization.page")
    assert sorted(int(d["page_number"]) for d in pages) == [1, 2, 3]
    doc = next(d for d in pages if int(d["page_number"]) == 2)
    assert doc["kind"] == "page" and doc["access_level"] == "public"
    assert doc["resource_id"] == str(resource.pk)
    assert "Phân số" in doc["page_text"]
    assert doc["mon_hoc"] == "Toán" and doc["grade_levels"] == "6"
    assert doc["resource_type"] == "sgk_dien_tu"
    assert doc["url"] == f"/resources/{resource.pk}/read/?page=2"
    (meta,) = _documents(search_index, django_ct="digitization.digitalresource")
    assert meta["kind"] == "resource" and meta["title"] == "Toán 6 (public)"


def test_page_hit_is_found_without_tone_marks(upload, search_index):
    upload("public")
    hits = _search(search_index, "phan", None)
    assert [int(h["page_number"]) for h in hits] == [2]


def test_school_only_text_never_reaches_anonymous_search(upload, search_index, student):
    upload("school")
    assert _search(search_index, "phan", None) == []
    assert [int(h["page_number"]) for h in _search(search_index, "phan", student)] == [2]


def test_unapproved_resources_are_not_indexed_until_approved(
    upload, search_index, librarian, django_capture_on_commit_callbacks
):
    resource = upload("public", approved=False)
    assert _documents(search_index, django_ct="digitization.page") == []
    with django_capture_on_commit_callbacks(execute=True):
        services.resource_approve(resource=resource, actor=librarian)
    assert len(_documents(search_index, django_ct="digitization.page")) == 3
    with django_capture_on_commit_callbacks(execute=True):
        services.resource_reject(resource=resource, actor=librarian, reason="Sai chương trình")
    assert _documents(search_index, django_ct="digitization.page") == []


def test_task_can_be_called_directly_and_is_idempotent(upload):
    resource = upload("public")
    before = list(Page.objects.filter(resource=resource).values_list("pk", "text"))
    assert process_resource.call(resource.pk) == "ready"
    assert list(Page.objects.filter(resource=resource).values_list("pk", "text")) == before


def test_forced_reprocess_rebuilds_pages_in_place(upload):
    resource = upload("public")
    Page.objects.filter(resource=resource, number=2).update(text="hỏng")
    assert process_resource.call(resource.pk, True) == "ready"
    assert "Phân số" in Page.objects.get(resource=resource, number=2).text
    assert DigitalResource.objects.get(pk=resource.pk).page_count == 3


def _record_hits(backend, word: str, who) -> list[dict]:
    """Catalogue record documents whose title has ``word``, as the search engine filters them."""
    _flush_index()
    index = backend.index.refresh()
    allowed = wq.Or([wq.Term("access_level", level) for level in visible_levels(who)])
    with index.searcher() as searcher:
        q = wq.And([wq.Term("django_ct", "catalog.record"), wq.Term("title", word), allowed])
        return [dict(hit) for hit in searcher.search(q, limit=None)]


def test_school_only_resource_record_is_not_found_by_anonymous_search(
    upload, search_index, student, librarian
):
    resource = upload("school")
    (doc,) = _documents(search_index, django_ct="catalog.record")
    assert doc["django_id"] == str(resource.record_id) and doc["access_level"] == "school"
    assert _record_hits(search_index, "toan", None) == []
    assert len(_record_hits(search_index, "toan", student)) == 1
    assert len(_record_hits(search_index, "toan", librarian)) == 1


def test_record_of_an_unapproved_resource_is_staff_only_until_approved(
    upload, search_index, student, librarian, django_capture_on_commit_callbacks
):
    resource = upload("public", approved=False)
    assert _record_hits(search_index, "toan", None) == []
    assert _record_hits(search_index, "toan", student) == []
    assert len(_record_hits(search_index, "toan", librarian)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.resource_approve(resource=resource, actor=librarian)
    assert len(_record_hits(search_index, "toan", None)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.resource_reject(resource=resource, actor=librarian, reason="Sai chương trình")
    assert _record_hits(search_index, "toan", None) == []


def test_access_level_edit_reaches_the_record_document(
    upload, search_index, librarian, django_capture_on_commit_callbacks
):
    resource = upload("public")
    assert len(_record_hits(search_index, "toan", None)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.resource_update(
            resource=resource,
            actor=librarian,
            metadata={"title": "Toán 6", "access_level": "partners"},
        )
    assert _record_hits(search_index, "toan", None) == []
    (doc,) = _documents(search_index, django_ct="catalog.record")
    assert doc["access_level"] == "partners"


def test_catalogue_record_without_a_digital_resource_stays_public(
    search_index, librarian, immediate_tasks, django_capture_on_commit_callbacks
):
    from catalog.marc.build import SimpleRecordInput, build_record
    from catalog.services import record_save

    marc = build_record(SimpleRecordInput(title="Toán 7"), "textbook", entered="240801")
    with django_capture_on_commit_callbacks(execute=True):
        record_save(marc=marc, actor=librarian)
    (hit,) = _record_hits(search_index, "toan", None)
    assert hit["access_level"] == "public"


def test_school_only_resource_and_its_record_stay_out_of_the_anonymous_search_api(
    upload, search_index, student, client
):
    from library.discovery import engine

    resource = upload("school")
    _flush_index()
    engine.reset()
    anonymous = client.get("/api/v1/search/", {"q": "toan"}).json()
    assert anonymous["count"] == 0 and anonymous["results"] == []
    client.force_login(student)
    seen = client.get("/api/v1/search/", {"q": "toan"}).json()
    ids = {(r["kind"], r["id"]) for r in seen["results"]}
    assert ("record", resource.record_id) in ids
    assert {("resource", resource.pk), ("page", resource.pk)} & ids
