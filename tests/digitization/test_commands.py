"""digitization_import and digitization_reprocess: summaries last, non-zero exit on failure."""

from __future__ import annotations

import zipfile
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from digitization.models import DigitalResource, ProcessingStatus

pytestmark = pytest.mark.django_db


def _run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err, verbosity=0)
    return out.getvalue(), err.getvalue()


def test_import_a_file_with_access_and_approval(media, files):
    out, _ = _run("digitization_import", str(files["pdf"]), "--access", "public", "--approved")
    resource = DigitalResource.objects.get()
    assert resource.access_level == "public" and resource.is_approved
    assert out.strip().splitlines()[-1] == (
        "digitization_import: 1 học liệu mới, 0 tệp trùng đã có, 0 lỗi"
    )


def test_import_a_folder_reports_duplicates(media, files, tmp_path):
    folder = tmp_path / "thu-muc"
    folder.mkdir()
    (folder / "a.pdf").write_bytes(files["pdf"].read_bytes())
    (folder / "b.pdf").write_bytes(files["pdf"].read_bytes())
    (folder / "c.pdf").write_bytes(files["pdf5"].read_bytes())
    out, _ = _run("digitization_import", str(folder))
    assert DigitalResource.objects.count() == 2
    assert "trùng: b.pdf" in out
    assert out.strip().splitlines()[-1].endswith("2 học liệu mới, 1 tệp trùng đã có, 0 lỗi")


def test_import_zip_with_a_bad_row_fails_with_summary_but_keeps_good_rows(media, files, tmp_path):
    path = tmp_path / "goi.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("toan6.pdf", files["pdf"].read_bytes())
        zf.writestr("metadata.csv", "tệp,nhan đề,lớp\ntoan6.pdf,Toán 6,6\nkhong-co.pdf,Thiếu,6\n")
    with pytest.raises(CommandError) as caught:
        _run("digitization_import", str(path))
    assert "1 học liệu mới, 0 tệp trùng đã có, 1 lỗi" in str(caught.value)
    assert DigitalResource.objects.get().title == "Toán 6"


def test_import_of_a_missing_path_fails(media, tmp_path):
    with pytest.raises(CommandError):
        _run("digitization_import", str(tmp_path / "khong-co"))


def test_reprocess_failed_runs_them_again(media, files, monkeypatch):
    _run("digitization_import", str(files["pdf"]), "--sync")
    resource = DigitalResource.objects.get()
    assert resource.processing_status == ProcessingStatus.READY
    DigitalResource.objects.update(processing_status=ProcessingStatus.FAILED)
    out, _ = _run("digitization_reprocess", "--failed", "--sync")
    assert out.strip().endswith("1 học liệu đã xử lý, 0 lỗi")
    resource.refresh_from_db()
    assert resource.processing_status == ProcessingStatus.READY


def test_reprocess_queues_by_id_and_refuses_unknown_ids(media, files):
    _run("digitization_import", str(files["pdf"]))
    resource = DigitalResource.objects.get()
    out, _ = _run("digitization_reprocess", "--id", str(resource.pk))
    assert out.strip().endswith("1 học liệu đã xếp hàng xử lý lại")
    with pytest.raises(CommandError):
        _run("digitization_reprocess", "--id", "999")
    with pytest.raises(CommandError):
        _run("digitization_reprocess")
