"""Export: import then export keeps every field, indicator and subfield."""

from __future__ import annotations

import csv
import io

import pytest
from lxml import etree

from catalog.exceptions import CatalogError
from catalog.marc.reader import read_marc
from catalog.models import Record
from catalog.selectors import records_for_export
from catalog.services import marc_export, marc_import
from tests.catalog.marc_files import field_signature, real_file

pytestmark = pytest.mark.django_db

ROUND_TRIP_FILES = [
    "nlnz/NLNZ_100_example_marc.marc",
    "pymarc/utf8_with_leader_flag.dat",
    "pymarc/marc8.dat",
    "pymarc/batch.xml",
    "openlibrary/bin/880_arabic_french_many_linkages.mrc",
]


def signatures_read(path_or_stream):
    return [field_signature(r.record) for r in read_marc(path_or_stream) if r.ok]


@pytest.mark.parametrize("relative", ROUND_TRIP_FILES)
@pytest.mark.parametrize("fmt", ["iso2709", "marcxml"])
def test_import_then_export_keeps_every_field_indicator_and_subfield(relative, fmt):
    path = real_file(relative)
    report = marc_import(source=path, action="add")
    assert report.added >= 1
    stream = io.BytesIO()
    count = marc_export(records=records_for_export(), format=fmt, stream=stream)
    assert count == report.added
    original = signatures_read(path)
    stream.seek(0)
    exported = signatures_read(stream)
    assert exported == original


def test_marcxml_export_is_well_formed_even_with_control_characters():
    path = real_file("nlnz/NLNZ_example_marc.marc")
    marc_import(source=path)
    stream = io.BytesIO()
    marc_export(records=records_for_export(), format="marcxml", stream=stream)
    root = etree.fromstring(stream.getvalue())
    assert root.tag.endswith("collection") and len(root) == Record.objects.count()


def test_csv_export_has_bom_vietnamese_header_and_one_row_per_record(librarian):
    from catalog.services import record_save

    from .test_services import make_marc

    record_save(marc=make_marc(title="Truyện Kiều", author="Nguyễn Du"), actor=librarian)
    record_save(marc=make_marc(title="=cmd()", control="X2", isbn=""), actor=librarian)
    stream = io.BytesIO()
    assert (
        marc_export(records=records_for_export(), format="csv", stream=stream, actor=librarian) == 2
    )
    data = stream.getvalue()
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][2] == "Nhan đề"
    titles = {row[2] for row in rows[1:]}
    assert "Truyện Kiều" in titles and "'=cmd()" in titles  # no spreadsheet formula


def test_export_of_a_selection_and_deleted_records_are_left_out(librarian):
    from catalog.services import record_delete, record_save

    from .test_services import make_marc

    keep = record_save(marc=make_marc(control="A"), actor=librarian)
    other = record_save(marc=make_marc(control="B", title="Khác", isbn=""), actor=librarian)
    gone = record_save(marc=make_marc(control="C", title="Đã xóa", isbn=""), actor=librarian)
    record_delete(record=gone, actor=librarian)
    assert marc_export(records=records_for_export(), format="iso2709", stream=io.BytesIO()) == 2
    stream = io.BytesIO()
    assert (
        marc_export(records=records_for_export(ids=[keep.pk]), format="iso2709", stream=stream) == 1
    )
    stream.seek(0)
    assert [r.record["001"].data for r in read_marc(stream)] == ["A"]
    assert other.pk


def test_unknown_export_format_is_refused():
    with pytest.raises(CatalogError, match="iso2709"):
        marc_export(records=records_for_export(), format="pdf", stream=io.BytesIO())
