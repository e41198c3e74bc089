"""Public record page text (QA: a record with a year but no publisher read 'Xuất bản: , 1984')."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from .test_views_helpers import make_record

pytestmark = pytest.mark.django_db


def publication_line(client, record) -> str:
    html = client.get(reverse("catalog:record_public", args=[record.pk])).content.decode()
    match = re.search(r"<dt>Xuất bản</dt><dd>(.*?)</dd>", html)
    assert match, "no publication line"
    return match.group(1)


@pytest.mark.parametrize(
    ("place", "publisher", "year", "expected"),
    [
        ("Hà Nội", "Giáo dục Việt Nam", 2021, "Hà Nội: Giáo dục Việt Nam, 2021"),
        ("", "Giáo dục Việt Nam", 2021, "Giáo dục Việt Nam, 2021"),
        ("", "", 1984, "1984"),
        ("Hà Nội", "", 1984, "Hà Nội, 1984"),
        ("Hà Nội", "Kim Đồng", None, "Hà Nội: Kim Đồng"),
        ("", "Kim Đồng", None, "Kim Đồng"),
    ],
)
def test_publication_line_has_no_stray_punctuation(
    client, librarian, place, publisher, year, expected
):
    record = make_record(librarian, place=place, publisher=publisher, year=year, isbn="")
    assert publication_line(client, record) == expected
