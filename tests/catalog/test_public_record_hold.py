"""A reader can reserve a title from its public page (QA: there was no way to place a hold)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from catalog.models import ItemStatus
from library.circulation.models import Hold

from .test_views_helpers import make_items, make_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(librarian):
    return make_record(librarian)


def hold_action(record) -> str:
    return reverse("circulation:hold_place", args=[record.pk])


@pytest.mark.parametrize("who", ["student", "teacher"])
def test_reader_with_a_card_sees_a_reserve_button_when_every_copy_is_on_loan(
    client, request, who, librarian, record
):
    make_items(librarian, record, [ItemStatus.ON_LOAN, ItemStatus.ON_LOAN])
    client.force_login(request.getfixturevalue(who))
    html = client.get(reverse("catalog:record_public", args=[record.pk])).content.decode()
    assert f'action="{hold_action(record)}"' in html
    assert "Đặt trước" in html


def test_reserve_button_on_the_public_page_places_a_hold(client, student, librarian, record):
    make_items(librarian, record, [ItemStatus.ON_LOAN])
    client.force_login(student)
    page = client.get(reverse("catalog:record_public", args=[record.pk]))
    assert hold_action(record) in page.content.decode()
    response = client.post(hold_action(record))
    assert response.status_code == 302
    assert Hold.objects.filter(patron__user=student, record=record).exists()


def test_visitor_and_librarian_without_a_card_see_no_reserve_button(client, librarian, record):
    make_items(librarian, record, [ItemStatus.ON_LOAN])
    url = reverse("catalog:record_public", args=[record.pk])
    assert hold_action(record) not in client.get(url).content.decode()
    client.force_login(librarian)
    assert hold_action(record) not in client.get(url).content.decode()


def test_no_reserve_button_without_copies_or_with_reading_room_copies_only(
    client, student, librarian
):
    client.force_login(student)
    empty = make_record(librarian, title="Chưa có bản nào")
    html = client.get(reverse("catalog:record_public", args=[empty.pk])).content.decode()
    assert hold_action(empty) not in html
    reference = make_record(librarian, title="Từ điển tiếng Việt", isbn="")
    make_items(librarian, reference, [ItemStatus.REFERENCE_ONLY])
    html = client.get(reverse("catalog:record_public", args=[reference.pk])).content.decode()
    assert hold_action(reference) not in html


def test_reserve_button_reads_in_english_after_switching_language(
    client, student, librarian, record
):
    make_items(librarian, record, [ItemStatus.ON_LOAN])
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    client.force_login(student)
    html = client.get(reverse("catalog:record_public", args=[record.pk])).content.decode()
    assert "Place a hold" in html
    assert "Đặt trước" not in html
