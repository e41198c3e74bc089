"""MARC import: match rules, re-import, dry run, broken records, holdings, jobs, indexing."""

from __future__ import annotations

import io
from pathlib import Path

import pymarc
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pymarc import Field, Indicators, Subfield

from catalog.exceptions import CatalogError, ImportRefusedError, MarcFormatError
from catalog.marc.writer import record_to_iso2709
from catalog.models import ImportJob, ImportJobStatus, Item, Location, Record, RecordIsbn
from catalog.services import import_job_run, import_start, marc_import
from library.core.models import AuditEntry
from tests.catalog.marc_files import MARC_DIR, needs_real_files, real_file, real_files

from .test_services import make_marc

pytestmark = pytest.mark.django_db


def write_file(path: Path, records) -> Path:
    path.write_bytes(b"".join(record_to_iso2709(r) for r in records))
    return path


def test_nlnz_file_imports_and_reimport_adds_nothing(librarian):
    path = real_file("nlnz/NLNZ_100_example_marc.marc")
    first = marc_import(source=path, actor=librarian)
    assert first.added > 90 and first.rejected == 0
    assert Record.objects.count() == first.added
    second = marc_import(source=path, actor=librarian)
    assert second.added == 0 and second.skipped == first.total
    assert Record.objects.count() == first.added
    assert AuditEntry.objects.filter(action="catalog.import_batch").exists()


def test_control_number_match_overlays_the_record(tmp_path, librarian):
    marc_import(source=write_file(tmp_path / "a.mrc", [make_marc(title="Toán 6")]))
    path = write_file(tmp_path / "b.mrc", [make_marc(title="Toán 6 (bản mới)", isbn="")])
    report = marc_import(source=path, match=["control"], action="overlay")
    assert report.overlaid == 1 and report.added == 0
    record = Record.objects.get()
    assert record.title == "Toán 6 (bản mới)"
    assert not RecordIsbn.objects.exists()  # the ISBN rows follow the new MARC
    assert "001+003" in report.rows[0].reason


def test_isbn_rule_matches_an_isbn10_against_the_stored_isbn13(tmp_path):
    marc_import(source=write_file(tmp_path / "a.mrc", [make_marc(isbn="978-0-306-40615-7")]))
    other = make_marc(title="Tên khác", control="OTHER", isbn="0306406152")
    report = marc_import(source=write_file(tmp_path / "b.mrc", [other]), match=["isbn"])
    assert report.skipped == 1 and Record.objects.count() == 1
    assert "ISBN" in report.rows[0].reason


@pytest.mark.parametrize("rule", ["control", "isbn", "title_author_year"])
def test_deleted_records_are_not_matched(tmp_path, librarian, rule):
    from catalog.services import record_delete

    marc_import(source=write_file(tmp_path / "a.mrc", [make_marc(isbn="978-0-306-40615-7")]))
    record_delete(record=Record.objects.get(), actor=librarian)
    report = marc_import(source=tmp_path / "a.mrc", match=[rule])
    assert report.added == 1 and report.skipped == 0
    assert Record.objects.discoverable().count() == 1


@pytest.mark.django_db(transaction=True)
def test_large_import_leaves_statistics_for_the_query_planner(tmp_path, monkeypatch):
    """A large import ends with ANALYZE of its tables: without statistics SQLite took
    `deleted_at IS NULL` for a selective condition and walked the whole catalogue."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's planner statistics")
    monkeypatch.setattr("catalog.services.PARALLEL_MIN_BYTES", 1)
    records = [make_marc(title=f"Sách {n}", control=f"S{n}", isbn="") for n in range(5)]
    marc_import(source=write_file(tmp_path / "s.mrc", records), workers=0)
    with connection.cursor() as cursor:
        tables = {row[0] for row in cursor.execute("SELECT tbl FROM sqlite_stat1").fetchall()}
    assert Record._meta.db_table in tables


def test_title_author_year_rule_ignores_tone_marks_and_case(tmp_path):
    marc_import(
        source=write_file(tmp_path / "a.mrc", [make_marc(title="Truyện Kiều", author="Nguyễn Du")])
    )
    copy = make_marc(title="TRUYỆN KIỀU", author="Nguyễn Du", control="X2", isbn="")
    report = marc_import(source=write_file(tmp_path / "b.mrc", [copy]), match=["title_author_year"])
    assert report.skipped == 1
    assert marc_import(source=tmp_path / "b.mrc", match=["control"]).added == 1


def test_add_action_adds_even_when_a_match_exists(tmp_path):
    path = write_file(tmp_path / "a.mrc", [make_marc()])
    marc_import(source=path)
    report = marc_import(source=path, action="add")
    assert report.added == 1 and Record.objects.count() == 2


def test_duplicates_inside_one_file_are_matched_against_each_other(tmp_path):
    path = write_file(tmp_path / "a.mrc", [make_marc(), make_marc(title="Toán 6 sửa")])
    report = marc_import(source=path, action="overlay")
    assert (report.added, report.overlaid) == (1, 1)
    assert Record.objects.get().title == "Toán 6 sửa"


def test_unknown_rule_or_action_is_refused_before_reading():
    with pytest.raises(CatalogError, match="Quy tắc"):
        marc_import(source=io.BytesIO(b""), match=["nonsense"])
    with pytest.raises(CatalogError, match="overlay"):
        marc_import(source=io.BytesIO(b""), action="merge")


@needs_real_files
def test_dry_run_writes_nothing_and_reports_what_would_happen(librarian):
    path = real_file("nlnz/NLNZ_100_example_marc.marc")
    audit_before = AuditEntry.objects.count()
    report = marc_import(source=path, dry_run=True, actor=librarian, batch_size=40)
    assert report.added > 90 and report.dry_run
    assert not Record.objects.exists() and not RecordIsbn.objects.exists()
    assert AuditEntry.objects.count() == audit_before
    real = marc_import(source=path)
    assert (real.added, real.skipped) == (report.added, report.skipped)


def test_broken_records_are_reported_with_position_and_the_rest_imported():
    path = real_file("pymarc/bad_records.mrc")
    report = marc_import(source=path)
    assert report.rejected >= 1
    assert report.added + report.rejected + report.skipped == report.total
    rejected = report.rejections[0]
    assert rejected.offset is not None and rejected.reason
    assert Record.objects.count() == report.added


def test_mixed_good_and_broken_records_in_one_file(tmp_path):
    good = record_to_iso2709(make_marc(title="Sách tốt", control="G1"))
    broken = b"00050nam a2200000   4500" + b"garbage\x1d"
    later = record_to_iso2709(make_marc(title="Sách sau", control="G2", isbn=""))
    path = tmp_path / "mixed.mrc"
    path.write_bytes(good + broken + later)
    report = marc_import(source=path)
    assert (report.added, report.rejected) == (2, 1)
    row = report.rejections[0]
    assert row.index == 2 and row.offset == len(good)
    csv_text = report.to_csv()
    assert csv_text.startswith("\ufeff".encode())
    assert "Từ chối" in csv_text.decode("utf-8-sig")


@needs_real_files
@pytest.mark.parametrize(
    "path", real_files(), ids=lambda p: str(p.relative_to(MARC_DIR)) if MARC_DIR.is_dir() else ""
)
def test_every_real_file_imports_without_crashing(path):
    try:
        report = marc_import(source=path)
    except MarcFormatError:
        pytest.skip(f"{path.name} is not MARC at all (refused before import)")
    assert report.total >= 1
    assert report.added + report.overlaid + report.skipped + report.rejected == report.total
    for row in report.rejections:
        assert row.reason
    assert Record.objects.count() == report.added


def test_not_marc_is_refused_with_a_clear_error(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("Đây không phải MARC")
    with pytest.raises(MarcFormatError):
        marc_import(source=path)
    assert not Record.objects.exists()


def koha_record():
    return make_marc(
        extra=[
            Field(
                tag="952",
                indicators=Indicators(" ", " "),
                subfields=[
                    Subfield("a", "TK"),
                    Subfield("o", "510 KHO"),
                    Subfield("p", "KOHA001"),
                    Subfield("y", "SGK"),
                    Subfield("g", "25.00"),
                    Subfield("d", "2024-09-05"),
                    Subfield("i", "DKCB-1"),
                ],
            ),
            Field(
                tag="952",
                indicators=Indicators(" ", " "),
                subfields=[Subfield("a", "TK"), Subfield("p", "KOHA002")],
            ),
        ]
    )


def test_items_come_from_koha_952_and_are_not_duplicated_on_reimport(tmp_path):
    path = write_file(tmp_path / "koha.mrc", [koha_record()])
    report = marc_import(source=path)
    assert report.items_added == 2
    item = Item.objects.get(barcode="KOHA001")
    assert item.call_number == "510 KHO" and item.location.code == "TK"
    assert item.item_type.code == "SGK" and item.price == 25
    assert str(item.acquired_on) == "2024-09-05" and item.accession_number == "DKCB-1"
    assert Item.objects.get(barcode="KOHA002").call_number.startswith("510 ")
    assert Location.objects.filter(code="TK").count() == 1
    again = marc_import(source=path, action="overlay")
    assert again.overlaid == 1 and again.items_added == 0 and Item.objects.count() == 2


def test_items_come_from_852_with_generated_barcode_when_missing(tmp_path, settings):
    settings.LIBRARY_BARCODE_PREFIX = "TV"
    marc = make_marc(
        extra=[
            Field(
                tag="852",
                indicators=Indicators("8", " "),
                subfields=[
                    Subfield("a", "SGK"),
                    Subfield("h", "510"),
                    Subfield("i", "KHO"),
                    Subfield("9", "120.000 đ"),
                    Subfield("j", "ĐKCB 0042"),
                ],
            )
        ]
    )
    report = marc_import(source=write_file(tmp_path / "h.mrc", [marc]))
    assert report.items_added == 1
    item = Item.objects.get()
    assert item.barcode == "TV000001" and item.call_number == "510 KHO"
    assert item.price == 120000 and item.accession_number == "ĐKCB 0042"


def queued(path_end: str):
    from django_tasks_db.models import DBTaskResult

    return list(DBTaskResult.objects.filter(task_path__endswith=path_end))


@pytest.mark.django_db(transaction=True)
def test_import_queues_its_records_for_indexing_once_the_file_is_read(
    tmp_path, settings, search_index
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    records = [make_marc(title=f"Sách {n}", control=f"C{n}", isbn="") for n in range(12)]
    path = write_file(tmp_path / "many.mrc", records)
    report = marc_import(source=path, batch_size=2, index_batch=5)
    assert report.added == 12
    tasks = queued("search_update_ranges")
    # Key ranges, at most 5 records a task: 12 = 5 + 5 + 2.
    ranges = [task.args_kwargs["args"][1] for task in tasks]
    sizes = [sum(last - first + 1 for first, last in task) for task in ranges]
    assert sizes == [5, 5, 2]
    indexed = {pk for task in ranges for first, last in task for pk in range(first, last + 1)}
    assert indexed == set(Record.objects.values_list("pk", flat=True))
    # The worker's run of those tasks makes every record searchable.
    from django.core.management import call_command

    from library.discovery import engine

    engine.reset()
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    from haystack import connections

    with connections["default"].get_backend().index.refresh().searcher() as searcher:
        assert {int(f["django_id"]) for f in searcher.documents(django_ct="catalog.record")} == (
            indexed
        )


def test_key_ranges_merge_and_cut():
    from catalog.services import _KeyRanges

    keys = _KeyRanges()
    keys.extend([5, 6, 7, 1, 2, 9, 8, 3])
    assert keys.chunks(100) == [[[1, 3], [5, 9]]]
    assert keys.chunks(3) == [[[1, 3]], [[5, 7]], [[8, 9]]]
    assert len(keys) == 8


def upload(content: bytes, name="records.mrc"):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def test_import_job_runs_with_progress_report_and_csv(librarian, settings, tmp_path):
    content = (
        b"".join(
            record_to_iso2709(make_marc(title=f"Sách {n}", control=f"J{n}", isbn=""))
            for n in range(7)
        )
        + b"00050nam a2200000   4500garbage\x1d"
    )
    job = import_start(
        uploaded_file=upload(content),
        filename="../../tệp nhập.mrc",
        match=["control"],
        action="skip",
        dry_run=False,
        actor=librarian,
    )
    assert job.status == ImportJobStatus.QUEUED and job.filename == "tệp nhập.mrc"
    assert job.bytes_total == len(content)
    assert "/imports/" in job.file.path.replace("\\", "/")
    report = import_job_run(job=job)
    job.refresh_from_db()
    assert job.status == ImportJobStatus.DONE, job.error
    assert job.counts["added"] == 7 and job.counts["rejected"] == 1
    assert job.records_done == 8 and job.percent == 100
    assert len(job.report_rows) == 8 and job.report_rows[-1]["outcome"] == "rejected"
    assert job.report_file.read().startswith("\ufeff".encode())
    assert report.added == 7
    assert AuditEntry.objects.filter(action="catalog.import_done", actor=librarian).exists()


def test_import_start_queues_the_task_on_commit(
    librarian, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        job = import_start(
            uploaded_file=upload(record_to_iso2709(make_marc())),
            filename="a.mrc",
            actor=librarian,
        )
    tasks = queued("catalog_import_task")
    assert [task.args_kwargs["args"] for task in tasks] == [[job.pk]]
    assert not Record.objects.exists()  # nothing is imported until the worker runs it


def test_the_task_runs_a_queued_job(librarian):
    from catalog.tasks import catalog_import_task

    job = import_start(
        uploaded_file=upload(record_to_iso2709(make_marc())), filename="a.mrc", actor=librarian
    )
    result = catalog_import_task.call(job.pk)
    job.refresh_from_db()
    assert result["status"] == "done" and job.status == ImportJobStatus.DONE
    assert Record.objects.count() == 1
    assert catalog_import_task.call(job.pk)["status"] == "not queued"


def test_dry_run_job_writes_no_record(librarian):
    job = import_start(
        uploaded_file=upload(record_to_iso2709(make_marc())),
        filename="a.mrc",
        dry_run=True,
        actor=librarian,
    )
    import_job_run(job=job)
    job.refresh_from_db()
    assert job.status == ImportJobStatus.DONE and job.counts["added"] == 1
    assert not Record.objects.exists()


def test_upload_that_is_not_marc_is_refused_before_anything_is_stored(librarian):
    with pytest.raises(MarcFormatError, match="không phải MARC21"):
        import_start(uploaded_file=upload(b"%PDF-1.7 ..."), filename="a.pdf", actor=librarian)
    assert not ImportJob.objects.exists()


def test_oversized_upload_is_refused(librarian, settings):
    settings.LIBRARY_MAX_UPLOAD_MB = 0
    with pytest.raises(ImportRefusedError, match="quá lớn"):
        import_start(
            uploaded_file=upload(record_to_iso2709(make_marc())), filename="a.mrc", actor=librarian
        )
    assert not ImportJob.objects.exists()


def test_marcxml_upload_is_accepted(librarian):
    path = real_file("pymarc/batch.xml")
    job = import_start(
        uploaded_file=upload(path.read_bytes(), "batch.xml"), filename="batch.xml", actor=librarian
    )
    import_job_run(job=job)
    job.refresh_from_db()
    assert job.status == ImportJobStatus.DONE and job.counts["added"] >= 1


def test_job_with_unreadable_file_fails_with_its_error(librarian):
    job = import_start(
        uploaded_file=upload(record_to_iso2709(make_marc())), filename="a.mrc", actor=librarian
    )
    Path(job.file.path).write_bytes(b"not marc at all")
    import_job_run(job=job)
    job.refresh_from_db()
    assert job.status == ImportJobStatus.FAILED and "MARC" in job.error
    assert job.finished_at is not None


def test_pymarc_record_survives_storage(tmp_path):
    marc = make_marc()
    marc_import(source=write_file(tmp_path / "a.mrc", [marc]))
    stored = Record.objects.get().marc
    assert pymarc.Record(leader=stored["leader"]) is not None
    assert stored["fields"][0] == {"001": "VN001"}


def test_worker_processes_give_the_same_report_as_reading_in_process(tmp_path):
    good = [make_marc(title=f"Sách {n}", control=f"W{n}", isbn="") for n in range(7)]
    broken = b"00042nam  2200025   4500\x1e\x1d"
    path = tmp_path / "mixed.mrc"
    path.write_bytes(
        b"".join(record_to_iso2709(r) for r in good[:3])
        + broken
        + b"".join(record_to_iso2709(r) for r in good[3:])
    )
    parallel = marc_import(source=path, batch_size=2, workers=2)
    rows = [(r.index, r.outcome, r.control_number, r.reason) for r in parallel.rows]
    assert parallel.added == 7 and parallel.rejected == 1
    assert [r[0] for r in rows] == list(range(1, 9))  # file order across the workers' batches
    titles = sorted(Record.objects.values_list("title", flat=True))
    assert titles == sorted(f"Sách {n}" for n in range(7))
    Record.objects.all().delete()
    serial = marc_import(source=path, batch_size=2, workers=0)
    assert [(r.index, r.outcome, r.control_number, r.reason) for r in serial.rows] == rows


@needs_real_files
def test_marc_json_written_out_is_what_json_dumps_gives_for_every_real_record():
    import json

    from catalog.marc.reader import read_marc
    from catalog.services import marc_to_dict, marc_to_json

    checked = 0
    for path in real_files():
        try:
            results = list(read_marc(path))
        except MarcFormatError:
            continue
        for result in results:
            if result.record is not None:
                expected = json.dumps(marc_to_dict(result.record), ensure_ascii=False)
                assert marc_to_json(result.record) == expected
                checked += 1
    assert checked > 100


@pytest.mark.django_db
def test_same_title_author_year_with_own_numbers_from_one_source_are_distinct(tmp_path):
    twins = [
        make_marc(title="Puketeraki", control="N1", isbn=""),
        make_marc(title="Puketeraki", control="N2", isbn=""),
    ]
    report = marc_import(source=write_file(tmp_path / "twins.mrc", twins))
    assert report.added == 2 and report.skipped == 0
    again = marc_import(source=write_file(tmp_path / "again.mrc", twins))
    assert again.added == 0 and again.skipped == 2
    # A copy with no number of its own is still caught by title + author + year.
    unnumbered = make_marc(title="Puketeraki", control="", isbn="")
    third = marc_import(source=write_file(tmp_path / "third.mrc", [unnumbered]))
    assert third.added == 0 and third.skipped == 1
    assert Record.objects.count() == 2
