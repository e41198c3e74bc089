"""ZIP and folder batches: files plus a metadata CSV in Vietnamese or English columns."""

from __future__ import annotations

import zipfile

import pytest

from digitization.exceptions import RejectedFile
from digitization.processing.batch import read_folder_batch, read_metadata_csv, read_zip_batch
from digitization.processing.samples import make_text_pdf

CSV_VI = (
    "Tệp;Nhan đề;Tác giả;Loại;Lớp;Môn học;Bộ sách;Giấy phép;Quyền truy cập;Ghi chú\n"
    'toan6.pdf;Toán 6 – Tập một;"Hà Huy Khoái; Nguyễn Cao Cường";SGK điện tử;6;Toán;'
    "Kết nối tri thức với cuộc sống;CC BY;công khai;bản thử\n"
    "van/ngu-van-7.pdf;Ngữ văn 7;Bùi Mạnh Hùng;Tài liệu tham khảo;7-8;Ngữ văn;;;trong trường;\n"
    "thieu.pdf;Tệp không có;;;6;;;;;\n"
    "toan6.pdf;Trùng;;;lớp 13;;;;bí mật;\n"
)


@pytest.fixture
def batch_zip(tmp_path):
    pdf = make_text_pdf(tmp_path / "src.pdf", ["Trang một"])
    path = tmp_path / "goi.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("toan6.pdf", pdf.read_bytes())
        zf.writestr("van/ngu-van-7.pdf", pdf.read_bytes())
        zf.writestr("them_tai_lieu.pdf", pdf.read_bytes())
        zf.writestr("__MACOSX/._toan6.pdf", b"junk")
        zf.writestr("metadata.csv", "\ufeff" + CSV_VI)
    return path


def test_zip_batch_pairs_files_with_csv_rows(batch_zip, tmp_path):
    batch = read_zip_batch(batch_zip, tmp_path / "out")
    assert batch.csv_name == "metadata.csv"
    first, second, missing, duplicate, unlisted = batch.entries

    assert first.ok and first.line == 2
    assert first.path.read_bytes().startswith(b"%PDF")
    assert first.path.is_relative_to((tmp_path / "out").resolve())
    assert first.metadata["title"] == "Toán 6 – Tập một"
    assert first.metadata["authors"] == ["Hà Huy Khoái", "Nguyễn Cao Cường"]
    assert first.metadata["grade"] == [6]
    assert first.metadata["subject"] == "Toán"
    assert first.metadata["series"] == "Kết nối tri thức với cuộc sống"
    assert first.metadata["access"] == "public"
    assert first.metadata["extra"] == {"Ghi chú": "bản thử"}

    assert second.ok and second.metadata["grade"] == [7, 8]
    assert second.metadata["access"] == "school"

    assert missing.path is None and "không tìm thấy" in missing.errors[0]
    assert len(duplicate.errors) == 3  # grade 13, access "bí mật", listed twice
    assert unlisted.line is None and unlisted.metadata["title"] == "them tai lieu"


def test_english_columns_with_commas(tmp_path):
    csv_path = tmp_path / "meta.csv"
    csv_path.write_text("file,title,authors,grade,access\na.pdf,Lịch sử 8,Trần A|Lê B,8,staff\n")
    rows, errors = read_metadata_csv(csv_path)
    assert errors == []
    [row] = rows
    assert row.metadata == {
        "file": "a.pdf",
        "title": "Lịch sử 8",
        "authors": ["Trần A", "Lê B"],
        "grade": [8],
        "access": "staff",
    }


def test_csv_without_a_file_column_is_reported(tmp_path):
    rows, errors = read_metadata_csv("nhan đề,tác giả\nToán,An\n".encode())
    assert rows == [] and "tệp" in errors[0]


def test_folder_import_uses_the_same_reader(tmp_path):
    make_text_pdf(tmp_path / "toan6.pdf", ["Một"])
    (tmp_path / "ds.csv").write_text("tep,nhan de\ntoan6.pdf,Toán 6\n", encoding="utf-8")
    batch = read_folder_batch(tmp_path)
    [entry] = batch.entries
    assert entry.ok and entry.metadata["title"] == "Toán 6"
    assert entry.path == (tmp_path / "toan6.pdf").resolve()


def test_zip_batch_with_traversal_is_refused_and_nothing_escapes(tmp_path):
    path = tmp_path / "xau.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("ok.pdf", b"%PDF-1.4")
        zf.writestr("../evil.pdf", b"%PDF-1.4")
    with pytest.raises(RejectedFile) as info:
        read_zip_batch(path, tmp_path / "out" / "batch")
    assert info.value.code == "zip_traversal"
    assert not (tmp_path / "out" / "evil.pdf").exists()
    assert not (tmp_path / "evil.pdf").exists()


class _UnflaggedUtf8Info(zipfile.ZipInfo):
    # Old Windows zippers store UTF-8 names without setting the UTF-8 flag (bit 11).
    def _encodeFilenameFlags(self):
        return self.filename.encode("utf-8"), self.flag_bits & ~0x800


def test_utf8_names_without_the_zip_flag_are_recovered(tmp_path):
    pdf = make_text_pdf(tmp_path / "src.pdf", ["Một"])
    path = tmp_path / "win.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(_UnflaggedUtf8Info("Toán 6.pdf"), pdf.read_bytes())
    batch = read_zip_batch(path, tmp_path / "out")
    [entry] = batch.entries
    assert entry.name == "Toán 6.pdf" and entry.path.name == "Toán 6.pdf"
