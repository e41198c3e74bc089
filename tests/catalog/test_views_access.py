"""Who may open which catalogue page: librarians only behind /catalog/, anyone on /records/."""

from __future__ import annotations

import pytest
from django.urls import reverse

from catalog.models import ItemStatus

from .test_views_helpers import make_items, make_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(librarian):
    return make_record(librarian)


@pytest.fixture
def item(librarian, record):
    return make_items(librarian, record, [ItemStatus.AVAILABLE])[0]


def librarian_urls(record, item):
    return [
        reverse("catalog:record_list"),
        reverse("catalog:record_list_all") + "?q=toan",
        reverse("catalog:record_detail", args=[record.pk]),
        reverse("catalog:record_new") + "?template=textbook",
        reverse("catalog:record_new_marc"),
        reverse("catalog:record_edit", args=[record.pk]),
        reverse("catalog:record_marc", args=[record.pk]),
        reverse("catalog:record_delete", args=[record.pk]),
        reverse("catalog:item_add", args=[record.pk]),
        reverse("catalog:item_list"),
        reverse("catalog:item_edit", args=[item.pk]),
        reverse("catalog:item_delete", args=[item.pk]),
        reverse("catalog:labels") + f"?items={item.pk}",
        reverse("catalog:import"),
        reverse("catalog:export"),
    ]


def test_anonymous_visitor_is_sent_to_the_login_page_from_every_librarian_page(
    client, record, item
):
    for url in librarian_urls(record, item):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login")), url


@pytest.mark.parametrize("who", ["student", "teacher"])
def test_students_and_teachers_are_refused_every_librarian_page(client, request, who, record, item):
    client.force_login(request.getfixturevalue(who))
    for url in librarian_urls(record, item):
        assert client.get(url).status_code == 403, url


def test_students_cannot_post_to_librarian_pages(client, student, record, item):
    client.force_login(student)
    assert client.post(reverse("catalog:record_delete", args=[record.pk])).status_code == 403
    assert client.post(reverse("catalog:item_delete", args=[item.pk])).status_code == 403
    assert client.post(reverse("catalog:record_new"), {"title": "X"}).status_code == 403
    record.refresh_from_db()
    assert record.deleted_at is None


def test_librarian_opens_every_librarian_page(client, librarian, record, item):
    client.force_login(librarian)
    for url in librarian_urls(record, item):
        response = client.get(url)
        assert response.status_code in (200, 302), url


def test_import_job_pages_are_for_librarians_only(client, librarian, student):
    from catalog.models.import_jobs import ImportJob

    job = ImportJob.objects.create(filename="a.mrc", created_by=librarian)
    urls = [
        reverse("catalog:import_job", args=[job.pk]),
        reverse("catalog:import_status", args=[job.pk]),
        reverse("catalog:import_report", args=[job.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 302
    client.force_login(student)
    for url in urls:
        assert client.get(url).status_code == 403
    client.force_login(librarian)
    for url in urls:
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("who", [None, "student", "teacher", "librarian"])
def test_anyone_sees_the_public_record_page(client, request, who, record):
    if who:
        client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("catalog:record_public", args=[record.pk]))
    assert response.status_code == 200
    assert "Toán 6" in response.content.decode()


def test_public_page_shows_record_fields_and_items_availability(client, librarian, record):
    make_items(
        librarian,
        record,
        [
            ItemStatus.AVAILABLE,
            ItemStatus.AVAILABLE,
            ItemStatus.ON_LOAN,
            ItemStatus.DAMAGED,
            ItemStatus.ON_HOLD_SHELF,
        ],
    )
    html = client.get(record.get_absolute_url()).content.decode()
    assert "2/5 bản có sẵn" in html
    for text in (
        "Toán 6",
        "Hà Huy Khoái",
        "Giáo dục Việt Nam",
        "2021",
        "9786040251244",
        "510.712",
        "Toán học",
        "Kết nối tri thức với cuộc sống",
        "Kho sách giáo khoa",
        "Đang cho mượn",
    ):
        assert text in html, text


def test_public_page_hides_withdrawn_copies_from_the_count(client, librarian, record):
    make_items(librarian, record, [ItemStatus.AVAILABLE, ItemStatus.WITHDRAWN])
    assert "1/1 bản có sẵn" in client.get(record.get_absolute_url()).content.decode()


def test_public_page_shows_no_patron_data(client, librarian, student, record):
    make_items(librarian, record, [ItemStatus.ON_LOAN])
    html = client.get(record.get_absolute_url()).content.decode()
    patron = student.patron
    for secret in (patron.card_barcode, patron.student_identifier, student.full_name, "7A2"):
        assert secret not in html


def test_public_page_lists_856_links(client, librarian):
    from catalog import services

    record = make_record(librarian, title="Tiếng Việt 1")
    marc = services.record_marc(record)
    import pymarc

    marc.add_field(
        pymarc.Field(
            tag="856",
            indicators=pymarc.Indicators("4", "0"),
            subfields=[
                pymarc.Subfield("u", "https://hoclieu.vn/sach/tv1"),
                pymarc.Subfield("y", "Sách điện tử"),
            ],
        )
    )
    services.record_save(marc=marc, record=record, actor=librarian)
    html = client.get(record.get_absolute_url()).content.decode()
    assert 'href="https://hoclieu.vn/sach/tv1"' in html
    assert "Sách điện tử" in html


def test_deleted_record_gives_410_with_a_clear_message(client, librarian, record):
    from catalog import services

    services.record_delete(record=record, actor=librarian)
    response = client.get(record.get_absolute_url())
    assert response.status_code == 410
    assert "không còn trong thư mục" in response.content.decode()


def test_unknown_record_gives_404(client):
    assert client.get("/records/999999/").status_code == 404


def test_librarian_sees_catalogue_link_in_nav_and_students_do_not(client, librarian, student):
    client.force_login(student)
    assert 'href="/catalog/"' not in client.get("/").content.decode()
    client.force_login(librarian)
    assert 'href="/catalog/"' in client.get("/").content.decode()
