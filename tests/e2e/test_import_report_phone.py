"""The MARC import report on a phone: every record's outcome and reason are in view without
scrolling sideways (QA: at 375 px the reason column sat off the screen)."""

from __future__ import annotations

import pytest

from catalog.models.import_jobs import ImportJob, ImportJobStatus

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

REASON = "Thư mục hỏng: dài 13 byte, không chia hết cho 12."


def test_import_report_reasons_stay_on_a_phone_screen(page, login, live_url, librarian):
    rows = [
        {
            "index": n,
            "offset": 381 * n,
            "control_number": f"ocm{n:012d}",
            "title": "A review of the Health and Disability Commissioner Act 1994 and Code",
            "outcome": "rejected",
            "reason": REASON,
        }
        for n in range(1, 4)
    ]
    job = ImportJob.objects.create(
        filename="bad_records.mrc",
        status=ImportJobStatus.DONE,
        records_done=3,
        counts={"rejected": 3},
        report_rows=rows,
    )
    login(librarian.username, "mat-khau-thu-thu")
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{live_url}/catalog/import/{job.pk}/")
    # Where the reason cell is without any sideways scrolling of the page or the table.
    right_edges = page.evaluate(
        """(reason) => [...document.querySelectorAll('table.report td')]
            .filter((td) => td.textContent.trim() === reason)
            .map((td) => td.getBoundingClientRect().right)""",
        REASON,
    )
    assert len(right_edges) == 3
    assert all(right <= 375 for right in right_edges), right_edges
    assert page.get_by_text("Từ chối").first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
