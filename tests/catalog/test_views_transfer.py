"""Import upload, job progress and report, export downloads, label sheets from the pages."""

from __future__ import annotations

import csv
import io
import json

import pymarc
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pdfminer.high_level import extract_text

from catalog import services
from catalog.models import Record
from catalog.models.import_jobs import ImportJob, ImportJobStatus

from .test_views_helpers import make_items, make_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, librarian):
    client.force_login(librarian)
    return client


def marc_file(*titles: str, broken: bool = False) -> bytes:
    out = io.BytesIO()
    for n, title in enumerate(titles, start=1):
        record = pymarc.Record(force_utf8=True)
        record.add_field(pymarc.Field(tag="001", data=f"VN{n:05d}"))
        record.add_field(pymarc.Field(tag="003", data="TVTEST"))
        record.add_field(
            pymarc.Field(
                tag="245",
                indicators=pymarc.Indicators("0", "0"),
                subfields=[pymarc.Subfield("a", title)],
            )
        )
        out.write(record.as_marc())
    if broken:
        # A record whose directory points past its end, followed by a terminator.
        out.write(b"00050nam a2200037 a 4500245002000999\x1e\x1d")
    return out.getvalue()


def upload(signed_in, content: bytes, name="sach.mrc", **options):
    data = {"file": SimpleUploadedFile(name, content), "action": "skip"}
    data.update(options)
    return signed_in.post(reverse("catalog:import"), data)


def test_import_page_refuses_a_non_marc_file_with_a_vietnamese_message(signed_in):
    response = upload(signed_in, "Xin chào, đây là thư mời họp phụ huynh.".encode(), "thu.txt")
    assert response.status_code == 400
    assert "Tệp không phải MARC21 (ISO 2709 hoặc MARCXML)" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_import_page_refuses_a_pdf_renamed_to_mrc(signed_in):
    response = upload(signed_in, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", "sach.mrc")
    assert response.status_code == 400
    assert "không phải MARC21" in response.content.decode()


def test_import_page_refuses_an_oversized_file(signed_in, settings):
    settings.LIBRARY_MAX_UPLOAD_MB = 1
    response = upload(signed_in, marc_file("Sách") + b" " * (1024 * 1024 + 10), "lon.mrc")
    assert response.status_code == 400
    assert "quá lớn" in response.content.decode()
    assert "giới hạn là 1 MB" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_import_page_refuses_an_empty_file(signed_in):
    response = upload(signed_in, b"", "rong.mrc")
    assert response.status_code == 400
    assert not ImportJob.objects.exists()


def test_upload_queues_a_job_and_its_page_shows_progress_then_the_report(signed_in, librarian):
    response = upload(
        signed_in,
        marc_file("Dế Mèn phiêu lưu ký", "Truyện Kiều", broken=True),
        match=["control", "isbn"],
    )
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("catalog:import_job", args=[job.pk])
    assert job.options["match"] == ["control", "isbn"]

    queued = signed_in.get(response["Location"]).content.decode()
    assert "<progress" in queued
    assert 'http-equiv="refresh"' in queued  # the no-JavaScript fallback
    status = signed_in.get(reverse("catalog:import_status", args=[job.pk])).json()
    assert status["status"] == "queued" and status["finished"] is False

    services.import_job_run(job=job)
    job.refresh_from_db()
    assert job.status == ImportJobStatus.DONE
    status = signed_in.get(reverse("catalog:import_status", args=[job.pk])).json()
    assert status["finished"] is True and status["percent"] == 100
    assert status["counts"]["added"] == 2
    assert status["counts"]["rejected"] == 1

    html = signed_in.get(reverse("catalog:import_job", args=[job.pk])).content.decode()
    assert 'http-equiv="refresh"' not in html
    assert "Dế Mèn phiêu lưu ký" in html and "Từ chối" in html
    report = signed_in.get(reverse("catalog:import_report", args=[job.pk]))
    assert report.status_code == 200
    assert "attachment" in report["Content-Disposition"]
    body = b"".join(report.streaming_content if report.streaming else [report.content])
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert any("Truyện Kiều" in row for row in rows)
    assert Record.objects.count() == 2


def test_dry_run_upload_adds_nothing(signed_in):
    upload(signed_in, marc_file("Sách thử"), dry_run="on")
    job = ImportJob.objects.get()
    assert job.dry_run
    services.import_job_run(job=job)
    assert not Record.objects.exists()
    assert (
        "chạy thử" in signed_in.get(reverse("catalog:import_job", args=[job.pk])).content.decode()
    )


def test_status_endpoint_is_json_and_never_cached(signed_in, librarian):
    job = ImportJob.objects.create(filename="a.mrc", bytes_total=200, bytes_done=50)
    response = signed_in.get(reverse("catalog:import_status", args=[job.pk]))
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert json.loads(response.content)["percent"] == 25


def test_export_whole_catalogue_as_iso2709_reads_back_with_pymarc(signed_in, librarian):
    make_record(librarian, title="Toán 6")
    make_record(librarian, title="Ngữ văn 6", isbn="")
    response = signed_in.post(reverse("catalog:export"), {"format": "iso2709", "scope": "all"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    data = b"".join(response.streaming_content)
    titles = sorted(r["245"]["a"] for r in pymarc.MARCReader(io.BytesIO(data), to_unicode=True))
    assert [t[:6] for t in titles] == ["Ngữ vă", "Toán 6"]


def test_export_selected_records_from_the_list_page(signed_in, librarian):
    kept = make_record(librarian, title="Lịch sử và Địa lí 8")
    make_record(librarian, title="Âm nhạc 8", isbn="")
    page = signed_in.get(reverse("catalog:export") + f"?ids={kept.pk}")
    assert 'value="selected"' in page.content.decode()
    response = signed_in.post(
        reverse("catalog:export"), {"format": "marcxml", "scope": "selected", "ids": str(kept.pk)}
    )
    xml = b"".join(response.streaming_content).decode()
    assert "Lịch sử và Địa lí 8" in xml and "Âm nhạc 8" not in xml


def test_export_selected_without_a_selection_says_what_to_do(signed_in):
    response = signed_in.post(reverse("catalog:export"), {"format": "csv", "scope": "selected"})
    assert "Chưa chọn biểu ghi nào" in response.content.decode()


def test_labels_url_gives_a_pdf_with_the_selected_barcodes(signed_in, librarian):
    record = make_record(librarian, title="Tiếng Anh 6 Global Success")
    items = make_items(librarian, record, ["available", "available"])
    ids = ",".join(str(item.pk) for item in items)
    response = signed_in.get(reverse("catalog:labels") + f"?items={ids}&kind=barcode&layout=a4-3x8")
    assert response["Content-Type"] == "application/pdf"
    text = extract_text(io.BytesIO(response.content))
    for item in items:
        assert item.barcode in text
    assert "Tiếng Anh 6" in text


def test_spine_labels_from_the_item_list_checkboxes(signed_in, librarian):
    record = make_record(librarian, title="Toán 6")
    items = make_items(librarian, record, ["available"])
    assert items[0].barcode in signed_in.get(reverse("catalog:item_list")).content.decode()
    response = signed_in.get(
        reverse("catalog:labels"), {"items": [items[0].pk], "kind": "spine", "layout": "a4-5x13"}
    )
    assert response["Content-Type"] == "application/pdf"
    assert "510.712" in extract_text(io.BytesIO(response.content))


def test_labels_without_items_explain_what_to_select(signed_in):
    response = signed_in.get(reverse("catalog:labels") + "?kind=barcode")
    assert response.status_code == 400
    assert "Chưa chọn bản sách nào" in response.content.decode()
