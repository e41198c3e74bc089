"""The search page, the autocomplete endpoint and the JSON API, as a browser or a partner sees them."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from catalog.models import ItemStatus, Record
from library.core.models import AuditEntry
from library.discovery.services import index_compare

from .conftest import add_items, index_records, index_resource, make_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus(index, shelf):
    for n in range(25):
        record = make_record(
            title=f"Toán lớp {6 + n % 3} tập {n}", grade_levels=[6 + n % 3], year=2000 + n
        )
        if n == 0:
            add_items(
                record,
                [ItemStatus.AVAILABLE, ItemStatus.ON_LOAN],
                location=shelf,
                call_number="510 T406L",
            )
    index_records(Record.objects.all())
    index_resource(9, "Toán 6 điện tử", {12: "phân số", 47: "so sánh phân số"}, access="school")


def test_search_page_shows_results_facets_and_availability(client, corpus):
    response = client.get("/search/", {"q": "toan lop 6"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<mark>Toán</mark> <mark>lớp</mark> <mark>6</mark>" in html
    assert "1/2 bản có sẵn" in html
    assert "Khối lớp" in html and "Lớp 6" in html
    assert 'role="search"' in html


def test_pagination_keeps_facets_and_sort(client, corpus):
    response = client.get("/search/", {"q": "toan", "sort": "newest", "grade_levels": "6"})
    html = response.content.decode()
    result = response.context["result"]
    assert result.count == 9
    assert all("Toán lớp 6" in r["title"] for r in result.results)
    response = client.get("/search/", {"q": "toan", "sort": "title"})
    html = response.content.decode()
    assert 'rel="next" href="?q=toan&amp;sort=title&amp;page=2"' in html
    page2 = client.get("/search/", {"q": "toan", "sort": "title", "page": 2}).context["result"]
    assert page2.page == 2 and len(page2.results) == 5


def test_page_hits_link_to_the_reader_for_members_only(client, corpus, student):
    assert "/resources/9/read/" not in client.get("/search/", {"q": "phan so"}).content.decode()
    client.force_login(student)
    html = client.get("/search/", {"q": "phan so"}).content.decode()
    assert 'href="/resources/9/read/?page=12&amp;q=phan+so"' in html


def test_isbn_typed_alone_redirects_to_the_record(client, index):
    record = make_record(title="Dế Mèn", isbns=["9786042000000"])
    record.isbn_rows.create(isbn="9786042000000")
    response = client.get("/search/", {"q": "9786042000000"})
    assert response.status_code == 302 and response["Location"] == f"/records/{record.pk}/"


def test_zero_results_page_offers_help(client, index):
    html = client.get("/search/", {"q": "xyzzy"}).content.decode()
    assert "Không tìm thấy tài liệu nào" in html


def test_staff_only_facet_cannot_be_used_by_guests(client, corpus):
    result = client.get("/search/", {"q": "toan", "access_level": "school"}).context["result"]
    assert result.filters == {}
    assert result.count == 25


def test_autocomplete_endpoint_returns_json(client, corpus):
    data = client.get("/search/autocomplete/", {"q": "toan lop 7"}).json()
    assert data["results"][0]["kind"] == "title"
    assert data["results"][0]["value"].startswith("Toán lớp 7")


def test_api_has_the_design_shape(client, corpus, student):
    data = client.get("/api/v1/search/", {"q": "toan lop 6", "page": 1}).json()
    assert set(data) >= {"count", "results", "facets"}
    first = data["results"][0]
    assert {"kind", "id", "title", "url"} <= set(first)
    assert first["kind"] == "record" and first["url"] == f"/records/{first['id']}/"
    assert data["suggestion"] == "toán lớp 6"
    assert {"value": "6", "label": "Lớp 6", "count": 9} in data["facets"]["grade_levels"]
    assert client.get("/api/v1/search/", {"q": "phan so"}).json()["count"] == 0
    client.force_login(student)
    hit = client.get("/api/v1/search/", {"q": "phan so"}).json()["results"][0]
    assert hit["kind"] == "page" and hit["pages"] == [12, 47] and "<mark>" in hit["snippet"]


def test_api_facet_parameters_narrow_and_bad_parameters_are_refused(client, corpus):
    data = client.get("/api/v1/search/", {"q": "toan", "grade_levels": "7"}).json()
    assert data["count"] == 8
    assert client.get("/api/v1/search/", {"q": "toan", "page": "x"}).status_code == 400


def _work():
    """Do what the worker does: run each queued task once, oldest first."""
    from django_tasks_db.models import DBTaskResult

    for row in DBTaskResult.objects.filter(finished_at__isnull=True).order_by("enqueued_at"):
        row.task.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
        row.delete()


def test_saved_record_is_queued_and_searchable_after_the_worker_runs(
    index, django_capture_on_commit_callbacks
):
    from library.discovery import selectors

    with django_capture_on_commit_callbacks(execute=True):
        record = make_record(title="Chí Phèo", year=1941)
    assert selectors.search(None, "chi pheo").count == 0  # not from the request itself
    _work()
    assert selectors.search(None, "chi pheo").count == 1
    with django_capture_on_commit_callbacks(execute=True):
        add_items(record, [ItemStatus.ON_LOAN])
    _work()
    assert selectors.search(None, "chi pheo").results[0]["items_total"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        record.items.all().delete()
        record.delete()
    _work()
    assert selectors.search(None, "chi pheo").count == 0


def test_search_check_reports_and_repairs_differences(index):
    kept = make_record(title="Lão Hạc")
    index_records([kept])
    missing = make_record(title="Vợ nhặt")
    index_resource(77, "Ghost", {})
    index.write_documents(
        [
            index._document(
                {
                    "id": "catalog.record.999",
                    "django_ct": "catalog.record",
                    "django_id": "999",
                    "kind": "record",
                    "title": "Đã xóa",
                    "access_level": "public",
                }
            )
        ]
    )
    with pytest.raises(CommandError):
        call_command("search_check", "--dry-run")
    call_command("search_check")
    diff = {d.label: d for d in index_compare()}
    assert diff["catalog.record"].ok
    assert diff["catalog.record"].in_index == 2
    assert AuditEntry.objects.filter(action="search.index_repaired").exists()
    assert missing.pk
