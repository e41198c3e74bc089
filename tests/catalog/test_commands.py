"""The catalogue's commands: thin wrappers that print rejections and a summary line last."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from catalog.marc.reader import read_marc
from catalog.models import Record
from tests.catalog.marc_files import real_file

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_command_prints_rejections_and_a_summary_last():
    path = real_file("pymarc/bad_records.mrc")
    out, _err = run("catalog_import_marc", str(path), "--no-progress")
    lines = out.strip().splitlines()
    assert any("bị từ chối:" in line and "byte" in line for line in lines)
    assert lines[-1].startswith("catalog_import_marc: 1 tệp")
    assert Record.objects.exists()


def test_import_command_dry_run_writes_nothing():
    path = real_file("nlnz/NLNZ_100_example_marc.marc")
    out, _err = run("catalog_import_marc", str(path), "--dry-run", "--no-progress")
    assert "chạy thử" in out.strip().splitlines()[-1]
    assert not Record.objects.exists()


def test_import_command_takes_rules_and_action():
    path = real_file("nlnz/NLNZ_100_example_marc.marc")
    run("catalog_import_marc", str(path), "--match", "control", "--no-progress")
    count = Record.objects.count()
    out, _err = run(
        "catalog_import_marc",
        str(path),
        "--match",
        "control",
        "--action",
        "overlay",
        "--no-progress",
    )
    assert f"0 thêm mới, {count} ghi đè" in out.strip().splitlines()[-1]
    assert Record.objects.count() == count


def test_import_command_fails_when_a_file_cannot_be_read(tmp_path):
    good = real_file("pymarc/test.dat")
    bad = tmp_path / "photo.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0 not marc")
    with pytest.raises(CommandError, match="2 tệp không đọc được"):
        run(
            "catalog_import_marc",
            str(good),
            str(bad),
            str(tmp_path / "missing.mrc"),
            "--no-progress",
        )
    assert Record.objects.exists()  # the readable file was still imported


def test_export_command_writes_each_format(tmp_path):
    run("catalog_import_marc", str(real_file("pymarc/test.dat")), "--no-progress")
    total = Record.objects.count()
    for fmt in ("iso2709", "marcxml", "csv"):
        target = tmp_path / f"out.{fmt}"
        out, _err = run("catalog_export_marc", "--format", fmt, str(target))
        assert out.strip().startswith(f"catalog_export_marc: {total} biểu ghi")
        assert target.stat().st_size > 0
    assert sum(1 for r in read_marc(tmp_path / "out.marcxml") if r.ok) == total
    first = Record.objects.order_by("pk").first()
    target = tmp_path / "one.mrc"
    run("catalog_export_marc", "--format", "iso2709", str(target), "--ids", str(first.pk))
    assert sum(1 for _ in read_marc(target)) == 1


def test_demo_load_command_loads_the_catalogue_once():
    out, _err = run("demo_load")
    count = Record.objects.count()
    assert count >= 30 and "catalog" in out
    run("demo_load")
    assert Record.objects.count() == count
