"""Catalogue pages at phone width (375 px) never scroll sideways (QA: long English words in
titles, long 856 URLs, the label-layout select and the recent-imports table widened them)."""

from __future__ import annotations

import datetime

import pytest
from pymarc import Field, Subfield

from catalog import services
from catalog.marc.build import SimpleRecordInput, build_record
from catalog.models import ItemStatus
from catalog.models.import_jobs import ImportJob, ImportJobStatus
from tests.catalog.test_views_helpers import make_items

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LONG_URL = "http://www.sustainablefuture.info/includes/download.aspx?ID=27082&format=pdf&part=1"


@pytest.fixture
def record(librarian):
    marc = build_record(
        SimpleRecordInput(
            title="1,3-Dipolar cycloadditions of fluorinated allenes and studies of "
            "fluorinated trimethylenemethanes",
            authors=["Burkholder, Conrad, 1954-"],
            year=1984,
            language="eng",
        ),
        "reference",
        entered=datetime.date(2024, 8, 1),
    )
    marc.add_field(Field(tag="856", indicators=["4", "0"], subfields=[Subfield("u", LONG_URL)]))
    saved = services.record_save(marc=marc, actor=librarian)
    make_items(librarian, saved, [ItemStatus.AVAILABLE, ItemStatus.AVAILABLE])
    return saved


def test_catalogue_pages_fit_a_phone_screen(page, login, live_url, librarian, record):
    ImportJob.objects.create(
        filename="utf8_without_leader_flag.dat", status=ImportJobStatus.DONE, records_done=1
    )
    login(librarian.username, "mat-khau-thu-thu")
    page.set_viewport_size({"width": 375, "height": 740})
    too_wide = {}
    for path in (
        f"/records/{record.pk}/",
        f"/catalog/records/{record.pk}/",
        f"/catalog/records/{record.pk}/delete/",
        "/catalog/items/",
        "/catalog/import/",
    ):
        page.goto(f"{live_url}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 375:
            too_wide[path] = width
    assert not too_wide
