"""The import report page on a phone and with unreadable titles (QA: a Cyrillic CP1251 file
read as MARC-8 filled the table with towers of combining marks and pushed the reason out of
sight on a 375 px screen)."""

from __future__ import annotations

from pathlib import Path

import pymarc
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from catalog.models.import_jobs import ImportJob, ImportJobStatus
from catalog.views.transfer import readable_title

pytestmark = pytest.mark.django_db

CP1251 = Path(settings.BASE_DIR).parent / "shared" / "data" / "marc" / "pymarc" / "1251.dat"


def misread_title() -> str:
    """A title as pymarc reads a CP1251 record whose leader claims MARC-8."""
    if not CP1251.exists():
        pytest.skip(f"{CP1251} is absent (shared real data)")
    with CP1251.open("rb") as handle:
        record = next(iter(pymarc.MARCReader(handle, to_unicode=True, utf8_handling="replace")))
    return record["245"].value()


def test_a_title_read_in_the_wrong_character_set_is_named_unreadable():
    with translation.override("vi"):
        assert readable_title(misread_title()) == "(nhan đề không đọc được)"
    with translation.override("en"):
        assert readable_title(misread_title()) == "(unreadable title)"


@pytest.mark.parametrize(
    "title",
    ["Toán 6. Tập một", "Đại Việt sử ký toàn thư", "Ko ho'o fakahinohino ki he ngaahi sēvesi"],
)
def test_real_titles_in_any_latin_script_are_shown_as_they_are(title):
    assert readable_title(title) == title


def test_report_page_shows_unreadable_titles_and_labels_every_cell_for_phones(client, librarian):
    job = ImportJob.objects.create(
        filename="1251.dat",
        status=ImportJobStatus.DONE,
        records_done=1,
        counts={"rejected": 1},
        report_rows=[
            {
                "index": 1,
                "offset": 0,
                "control_number": "ru03-000001RKP",
                "title": misread_title(),
                "outcome": "rejected",
                "reason": "Ký tự không đọc được theo MARC-8 ở trường 245.",
            }
        ],
    )
    client.force_login(librarian)
    html = client.get(reverse("catalog:import_job", args=[job.pk])).content.decode()
    assert "(nhan đề không đọc được)" in html
    assert misread_title() not in html
    for label in ("Vị trí", "Số kiểm soát", "Nhan đề", "Kết quả", "Lý do"):
        assert f'data-label="{label}"' in html
    assert "Ký tự không đọc được theo MARC-8 ở trường 245." in html
