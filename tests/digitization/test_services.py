"""Uploads, processing, appraisal and batches of digitised resources (real files of each type)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from digitization import services
from digitization.exceptions import (
    AppraisalRefused,
    DigitizationError,
    DuplicateFile,
    InvalidMetadata,
    RejectedFile,
)
from digitization.models import (
    AppraisalStatus,
    DigitalFile,
    DigitalResource,
    FileRole,
    Page,
    ProcessingStatus,
)
from digitization.processing import ocr
from digitization.processing.samples import make_text_pdf
from library.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _stored_files(media_root: Path) -> list[Path]:
    root = Path(media_root) / "digitization"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _create(path, actor, capture, **kwargs):
    with capture(execute=True):
        resource = services.resource_create(file=path, actor=actor, **kwargs)
    resource.refresh_from_db()
    return resource


# --- each file type ------------------------------------------------------------------------


def test_pdf_upload_keeps_original_and_extracts_text_per_page(
    media, immediate_tasks, files, librarian, django_capture_on_commit_callbacks
):
    resource = _create(
        files["pdf"],
        librarian,
        django_capture_on_commit_callbacks,
        metadata={"title": "Toán 6", "type": "SGK điện tử", "grade": "6", "subject": "Toán"},
    )

    assert resource.processing_status == ProcessingStatus.READY
    assert resource.page_count == 3
    original = resource.files.get(role=FileRole.ORIGINAL)
    stored = services.storage_path(original.file.name)
    assert stored.read_bytes() == files["pdf"].read_bytes()
    assert original.sha256 == services.file_sha256(files["pdf"])
    assert original.media_type == "application/pdf"
    pages = list(resource.pages.order_by("number"))
    assert [p.number for p in pages] == [1, 2, 3]
    assert "Phân số là số viết được" in pages[1].text
    assert not any(p.is_ocr for p in pages)
    assert resource.resource_type == "sgk_dien_tu"
    assert resource.mon_hoc == ["toan"] and resource.grade_levels == [6]
    assert AuditEntry.objects.filter(action="digitization.resource_create").count() == 1


def test_record_gets_856_link_and_its_columns_through_the_catalogue(
    media, immediate_tasks, files, librarian, django_capture_on_commit_callbacks
):
    resource = _create(
        files["pdf"],
        librarian,
        django_capture_on_commit_callbacks,
        metadata={
            "title": "Toán 6",
            "authors": ["Hà Huy Khoái", "Nguyễn Cao Cường"],
            "grade": "6",
            "subject": "Toán",
            "series": "Kết nối tri thức",
            "year": 2021,
            "publisher": "NXB Giáo dục Việt Nam",
        },
    )
    record = resource.record
    links = [f["856"] for f in record.marc["fields"] if "856" in f]
    url = f"http://127.0.0.1:8000/resources/{resource.pk}/"
    assert len(links) == 1 and {"u": url} in links[0]["subfields"]
    # Every column comes from catalog.services.record_save reading that MARC.
    assert record.links == [{"url": url, "label": "Học liệu số"}]
    assert record.title == "Toán 6" and record.main_author == "Hà Huy Khoái"
    assert record.authors == ["Hà Huy Khoái", "Nguyễn Cao Cường"]
    assert record.grade_levels == [6] and record.mon_hoc == ["Toán"]
    assert record.textbook_series == "Kết nối tri thức với cuộc sống"
    assert record.year == 2021 and record.publisher == "NXB Giáo dục Việt Nam"
    assert record.pages == 3 and record.languages == ["vie"]
    assert record.title_sort and record.match_key
    actions = list(
        AuditEntry.objects.filter(object_id=str(record.pk), action__startswith="catalog.")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["catalog.record_create", "catalog.record_update"]


def _catalogued_record(librarian):
    import datetime

    from catalog.marc.build import SimpleRecordInput, build_record
    from catalog.services import record_save

    marc = build_record(
        SimpleRecordInput(
            title="Ngữ văn 7",
            subtitle="Tập một",
            authors=["Bùi Mạnh Hùng"],
            isbn="9786040000002",
            subjects=["Văn học Việt Nam"],
            classification="807",
            grade_levels=[7],
        ),
        "textbook",
        entered=datetime.date(2024, 8, 1),
    )
    return record_save(marc=marc, actor=librarian)


def test_file_added_to_a_catalogued_record_only_adds_the_856(
    media, files, librarian, django_capture_on_commit_callbacks
):
    record = _catalogued_record(librarian)
    before = {tag: [f for f in record.marc["fields"] if tag in f] for tag in ("020", "245", "650")}
    with django_capture_on_commit_callbacks(execute=False):
        resource = services.resource_create(
            file=files["pdf"], actor=librarian, record=record, process=False
        )
    record.refresh_from_db()
    assert resource.record_id == record.pk and resource.title == record.title
    for tag, fields in before.items():
        assert [f for f in record.marc["fields"] if tag in f] == fields, tag
    assert record.links == [
        {"url": f"http://127.0.0.1:8000/resources/{resource.pk}/", "label": "Học liệu số"}
    ]
    assert record.isbns == ["9786040000002"]


def test_librarian_edit_rewrites_the_owned_fields_and_keeps_the_cataloguers(
    media, files, librarian, django_capture_on_commit_callbacks
):
    record = _catalogued_record(librarian)
    resource = services.resource_create(
        file=files["pdf"], actor=librarian, record=record, process=False
    )
    with django_capture_on_commit_callbacks(execute=False):
        services.resource_update(
            resource=resource,
            actor=librarian,
            metadata={
                "title": "Ngữ văn 7 – Tập một",
                "authors": ["Bùi Mạnh Hùng", "Phan Huy Dũng"],
                "resource_type": "sgk_dien_tu",
                "grade_levels": [7, 8],
                "mon_hoc": ["ngu_van"],
                "textbook_series": "ket_noi",
                "licence": "cc_by_sa",
                "access_level": "public",
            },
        )
    resource.refresh_from_db()
    record.refresh_from_db()
    assert resource.grade_levels == [7, 8] and resource.mon_hoc == ["ngu_van"]
    assert resource.licence == "cc_by_sa" and resource.access_level == "public"
    assert resource.authors == ["Bùi Mạnh Hùng", "Phan Huy Dũng"]
    assert record.title == "Ngữ văn 7 – Tập một"
    assert record.authors == ["Bùi Mạnh Hùng", "Phan Huy Dũng"]
    assert record.grade_levels == [7, 8] and record.mon_hoc == ["Ngữ văn"]
    assert record.textbook_series == "Kết nối tri thức với cuộc sống"
    # What the cataloguer wrote and the form does not edit is kept.
    assert record.isbns == ["9786040000002"] and record.classification == "807"
    assert "Văn học Việt Nam" in record.subjects
    assert len(record.links) == 1 and record.links[0]["url"].endswith(f"/{resource.pk}/")
    entry = AuditEntry.objects.get(action="digitization.resource_update")
    assert entry.details["licence"] == "cc_by_sa" and "resource_type" in entry.details


def test_edit_refuses_bad_values_and_readers(media, files, librarian, teacher):
    resource = services.resource_create(file=files["pdf"], actor=librarian, process=False)
    with pytest.raises(InvalidMetadata) as caught:
        services.resource_update(
            resource=resource, actor=librarian, metadata={"title": "Toán 6", "grade": "13"}
        )
    assert "13" in str(caught.value)
    with pytest.raises(AppraisalRefused):
        services.resource_update(resource=resource, actor=teacher, metadata={"title": "Khác"})
    resource.refresh_from_db()
    assert resource.title != "Khác" and resource.grade_levels == []


@pytest.mark.tesseract
@pytest.mark.skipif(
    not ocr.tesseract_available("vie"),
    reason="Tesseract with Vietnamese data is not installed (apt-get install tesseract-ocr-vie)",
)
def test_scanned_jpeg_becomes_a_pdf_and_is_recognised_when_tesseract_present(
    media, immediate_tasks, files, librarian, django_capture_on_commit_callbacks
):
    resource = _create(files["jpeg"], librarian, django_capture_on_commit_callbacks)

    assert resource.processing_status == ProcessingStatus.READY
    assert resource.files.filter(role=FileRole.PDF).exists()
    page = resource.pages.get()
    assert page.is_ocr and page.needs_ocr
    assert "thanh điệu" in page.text or "Cửu Long" in page.text
    assert resource.processing_warning == ""


def test_missing_tesseract_is_shown_and_everything_else_works(
    media, immediate_tasks, files, librarian, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(ocr, "tesseract_languages", lambda: set())
    resource = _create(files["png"], librarian, django_capture_on_commit_callbacks)

    assert resource.processing_status == ProcessingStatus.READY
    assert resource.processing_warning.startswith("Chưa cài Tesseract")
    page = resource.pages.get()
    assert page.needs_ocr and not page.is_ocr
    assert resource.files.filter(role=FileRole.THUMBNAIL).exists()


def test_multipage_tiff_is_assembled_in_frame_order(
    media, immediate_tasks, files, librarian, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(ocr, "tesseract_languages", lambda: set())
    resource = _create(files["tiff"], librarian, django_capture_on_commit_callbacks)
    assert resource.page_count == 3
    assert resource.files.get(role=FileRole.PDF).page_count == 3
    assert resource.pages.count() == 3


def test_audio_is_stored_with_its_duration_and_no_pages(
    media, immediate_tasks, files, librarian, django_capture_on_commit_callbacks
):
    resource = _create(files["wav"], librarian, django_capture_on_commit_callbacks)
    assert resource.processing_status == ProcessingStatus.READY
    assert resource.duration == pytest.approx(2.0, abs=0.1)
    assert resource.page_count is None and not resource.pages.exists()
    assert resource.original.media_type == "audio/wav"


def test_thumbnail_is_generated_once_and_reused(
    media, immediate_tasks, files, librarian, django_capture_on_commit_callbacks
):
    resource = _create(files["pdf"], librarian, django_capture_on_commit_callbacks)
    thumb = resource.files.get(role=FileRole.THUMBNAIL)
    services.resource_process(resource_id=resource.pk)
    assert resource.files.get(role=FileRole.THUMBNAIL).pk == thumb.pk

    first = services.page_image_ensure(resource=resource, number=2, width=900)
    mtime = first.stat().st_mtime_ns
    again = services.page_image_ensure(resource=resource, number=2, width=900)
    assert again == first and again.stat().st_mtime_ns == mtime
    assert Page.objects.get(resource=resource, number=2).image.endswith("/900/2.jpg")


def test_extraction_with_several_workers_gives_every_page(
    media, immediate_tasks, files, librarian, django_capture_on_commit_callbacks, settings
):
    settings.LIBRARY_WORKERS = 2
    resource = _create(files["pdf5"], librarian, django_capture_on_commit_callbacks)
    texts = list(resource.pages.order_by("number").values_list("text", flat=True))
    assert len(texts) == 5
    assert all(text.startswith(f"Trang {n}") for n, text in enumerate(texts, start=1))
    assert resource.progress_done == resource.progress_total == 5


# --- refusals store nothing ----------------------------------------------------------------


def _broken_files(tmp_path: Path, good_pdf: Path) -> dict[str, Path]:
    data = good_pdf.read_bytes()
    made = {}
    made["empty_file"] = tmp_path / "rong.pdf"
    made["empty_file"].write_bytes(b"")
    made["truncated_pdf"] = tmp_path / "cut.pdf"
    made["truncated_pdf"].write_bytes(data[: len(data) // 2])
    made["unknown_type"] = tmp_path / "chuong-trinh.pdf"
    made["unknown_type"].write_bytes(b"MZ\x90\x00" + bytes(range(256)) * 8)
    made["encrypted_pdf"] = make_text_pdf(tmp_path / "mat-khau.pdf", ["Bí mật"], encrypt="123")
    made["corrupt_image"] = tmp_path / "hong.jpg"
    made["corrupt_image"].write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 64)
    zip_path = tmp_path / "goi.zip"
    with zipfile.ZipFile(zip_path, "w") as zf:
        zf.writestr("a.pdf", data)
    made["type_mismatch"] = zip_path
    return made


@pytest.mark.parametrize(
    "code",
    [
        "empty_file",
        "truncated_pdf",
        "unknown_type",
        "encrypted_pdf",
        "corrupt_image",
        "type_mismatch",
    ],
)
def test_each_refusal_leaves_nothing_stored(
    code, media, immediate_tasks, files, librarian, tmp_path, django_capture_on_commit_callbacks
):
    path = _broken_files(tmp_path, files["pdf"])[code]
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RejectedFile) as caught:
        services.resource_create(file=path, actor=librarian)
    assert caught.value.code == code
    assert str(caught.value)  # a Vietnamese message saying what to do
    assert not DigitalResource.objects.exists()
    assert not DigitalFile.objects.exists()
    assert _stored_files(media) == []


def test_too_large_upload_is_refused_before_storing(
    media, files, librarian, settings, django_capture_on_commit_callbacks
):
    settings.LIBRARY_MAX_UPLOAD_MB = 0
    with pytest.raises(RejectedFile) as caught:
        services.resource_create(file=files["pdf"], actor=librarian)
    assert caught.value.code == "too_large"
    assert not DigitalResource.objects.exists()


def test_duplicate_upload_is_reported_with_the_existing_resource(
    media, immediate_tasks, files, librarian, tmp_path, django_capture_on_commit_callbacks
):
    first = _create(files["pdf"], librarian, django_capture_on_commit_callbacks)
    copy = tmp_path / "ban-sao-khac-ten.pdf"
    copy.write_bytes(files["pdf"].read_bytes())
    with pytest.raises(DuplicateFile) as caught:
        services.resource_create(file=copy, actor=librarian)
    assert caught.value.existing.pk == first.pk
    assert str(first.pk) in str(caught.value) and "đã có trong thư viện" in str(caught.value)
    assert isinstance(caught.value, DigitizationError)
    assert DigitalResource.objects.count() == 1
    assert len([p for p in _stored_files(media) if "original" in p.parts]) == 1


def test_students_cannot_upload(media, files, student):
    with pytest.raises(AppraisalRefused):
        services.resource_create(file=files["pdf"], actor=student)
    assert not DigitalResource.objects.exists()


def test_bad_metadata_is_refused_with_the_value_named(media, files, librarian):
    with pytest.raises(InvalidMetadata) as caught:
        services.resource_create(
            file=files["pdf"], actor=librarian, metadata={"title": "X", "grade": "13"}
        )
    assert "13" in str(caught.value)
    assert isinstance(caught.value, DigitizationError)
    assert not DigitalResource.objects.exists() and _stored_files(media) == []


# --- failures and retries ------------------------------------------------------------------


def test_failed_step_is_retried_and_the_original_is_never_lost(
    media, immediate_tasks, files, librarian, django_capture_on_commit_callbacks, monkeypatch
):
    from digitization.processing import render

    real = render.save_thumbnail

    def broken(*args, **kwargs):
        raise RuntimeError("pdfium crashed")

    monkeypatch.setattr(render, "save_thumbnail", broken)
    resource = _create(files["pdf"], librarian, django_capture_on_commit_callbacks)
    assert resource.processing_status == ProcessingStatus.FAILED
    assert "bản gốc vẫn được giữ nguyên" in resource.processing_error.lower()
    assert resource.pages.count() == 3  # the text step finished before the failure
    original = resource.files.get(role=FileRole.ORIGINAL)
    assert services.storage_path(original.file.name).read_bytes() == files["pdf"].read_bytes()

    monkeypatch.setattr(render, "save_thumbnail", real)
    with django_capture_on_commit_callbacks(execute=True):
        services.resource_reprocess(resource=resource, actor=librarian)
    resource.refresh_from_db()
    assert resource.processing_status == ProcessingStatus.READY
    assert resource.processing_error == ""
    assert resource.files.filter(role=FileRole.THUMBNAIL).exists()
    assert services.storage_path(original.file.name).read_bytes() == files["pdf"].read_bytes()


# --- appraisal -----------------------------------------------------------------------------


def test_appraisal_submit_approve_reject_with_reason(
    media, files, librarian, django_capture_on_commit_callbacks
):
    resource = services.resource_create(file=files["pdf"], actor=librarian, process=False)
    assert resource.appraisal_status == AppraisalStatus.DRAFT
    services.resource_submit(resource=resource, actor=librarian)
    assert resource.appraisal_status == AppraisalStatus.SUBMITTED

    with pytest.raises(AppraisalRefused):
        services.resource_reject(resource=resource, actor=librarian, reason="  ")
    services.resource_reject(resource=resource, actor=librarian, reason="Sai nhan đề")
    resource.refresh_from_db()
    assert resource.appraisal_status == AppraisalStatus.REJECTED
    assert resource.rejection_reason == "Sai nhan đề"
    assert resource.appraised_by == librarian and resource.appraised_at is not None

    services.resource_submit(resource=resource, actor=librarian)
    services.resource_approve(resource=resource, actor=librarian)
    resource.refresh_from_db()
    assert resource.appraisal_status == AppraisalStatus.APPROVED and not resource.rejection_reason
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"digitization.resource_reject", "digitization.resource_approve"} <= actions


def test_only_librarians_approve(media, files, librarian, teacher):
    resource = services.resource_create(file=files["pdf"], actor=librarian, process=False)
    with pytest.raises(AppraisalRefused):
        services.resource_approve(resource=resource, actor=teacher)
    resource.refresh_from_db()
    assert resource.appraisal_status == AppraisalStatus.DRAFT


# --- batches -------------------------------------------------------------------------------

CSV = (
    "Tệp;Nhan đề;Tác giả;Loại;Lớp;Môn học;Bộ sách;Giấy phép;Quyền truy cập\n"
    'toan6.pdf;Toán 6 – Tập một;"Hà Huy Khoái; Nguyễn Cao Cường";SGK điện tử;6;Toán;'
    "Kết nối tri thức với cuộc sống;CC BY;công khai\n"
    "van7.pdf;Ngữ văn 7;Bùi Mạnh Hùng;Tài liệu tham khảo;7;Ngữ văn;;;\n"
    "thieu.pdf;Tệp không có;;;6;;;;\n"
    "hong.pdf;Tệp hỏng;;;6;;;;\n"
)


def test_zip_batch_creates_one_resource_per_row_and_reports_bad_rows(
    media, files, librarian, tmp_path
):
    van = make_text_pdf(tmp_path / "van7.pdf", ["Ngữ văn 7 – bài 1"])
    path = tmp_path / "goi.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("toan6.pdf", files["pdf"].read_bytes())
        zf.writestr("van7.pdf", van.read_bytes())
        zf.writestr("hong.pdf", b"%PDF-1.4\n garbage")
        zf.writestr("metadata.csv", "\ufeff" + CSV)

    report = services.resource_import(path=path, actor=librarian, process=False)

    titles = sorted(r.title for r in report.created)
    assert titles == ["Ngữ văn 7", "Toán 6 – Tập một"]
    toan = next(r for r in report.created if r.title.startswith("Toán"))
    assert toan.access_level == "public" and toan.licence == "cc_by"
    assert toan.textbook_series == "ket_noi" and toan.authors == [
        "Hà Huy Khoái",
        "Nguyễn Cao Cường",
    ]
    assert len(report.errors) == 2
    assert any("thieu.pdf" in e for e in report.errors)
    assert any("hong.pdf" in e and "PDF" in e for e in report.errors)
    assert DigitalResource.objects.count() == 2


def test_zip_with_path_traversal_is_refused_whole(media, librarian, tmp_path, files):
    path = tmp_path / "xau.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("../../etc/evil.pdf", files["pdf"].read_bytes())
    report = services.resource_import(path=path, actor=librarian, process=False)
    assert not report.created and "không an toàn" in report.errors[0]
    assert not DigitalResource.objects.exists()


def test_single_file_takes_metadata_from_a_csv_beside_it(media, librarian, tmp_path, files):
    folder = tmp_path / "nhap"
    folder.mkdir()
    target = folder / "toan6.pdf"
    target.write_bytes(files["pdf"].read_bytes())
    (folder / "toan6.csv").write_text(
        "file,title,grade,subject\ntoan6.pdf,Toán 6 – Chân trời,6,Toán\n", encoding="utf-8"
    )
    report = services.resource_import(
        path=target, actor=None, access_level="public", approved=True, process=False
    )
    (resource,) = report.created
    assert resource.title == "Toán 6 – Chân trời"
    assert resource.access_level == "public" and resource.is_approved
