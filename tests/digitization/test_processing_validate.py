"""Refusals before anything is stored, each with a real malformed file built here."""

from __future__ import annotations

import os
import stat
import struct
import wave
import zipfile
import zlib

import pytest
from PIL import Image

from digitization.exceptions import DigitizationError, RejectedFile
from digitization.processing.samples import make_text_pdf
from digitization.processing.validate import check_zip, file_sha256, validate

MB = 1024 * 1024
LIMITS = {"max_bytes": 50 * MB, "max_pages": 100}


def refusal(path, **limits) -> RejectedFile:
    with pytest.raises(RejectedFile) as info:
        validate(path, **{**LIMITS, **limits})
    assert isinstance(info.value, DigitizationError)
    assert str(info.value)  # a message a librarian can read
    return info.value


@pytest.fixture
def pdf3(tmp_path):
    return make_text_pdf(tmp_path / "ba-trang.pdf", ["Trang một", "Trang hai", "Trang ba"])


def test_valid_pdf_reports_type_pages_and_sha256(pdf3):
    result = validate(pdf3, **LIMITS)
    assert (result.kind, result.media_type, result.page_count) == ("pdf", "application/pdf", 3)
    assert result.size == pdf3.stat().st_size
    assert result.sha256 == file_sha256(pdf3) and len(result.sha256) == 64


def test_pdf_over_the_page_limit_is_refused(pdf3):
    error = refusal(pdf3, max_pages=2)
    assert error.code == "too_many_pages"
    assert "3" in str(error) and "2" in str(error)


def test_file_over_the_size_limit_is_refused(pdf3):
    assert refusal(pdf3, max_bytes=100).code == "too_large"


def test_empty_file_is_refused(tmp_path):
    (tmp_path / "rong.pdf").write_bytes(b"")
    assert refusal(tmp_path / "rong.pdf").code == "empty_file"


def test_encrypted_pdf_is_refused(tmp_path):
    path = make_text_pdf(tmp_path / "mat-khau.pdf", ["Bí mật"], encrypt="mat-khau")
    error = refusal(path)
    assert error.code == "encrypted_pdf"
    assert "mật khẩu" in str(error)


def test_truncated_pdf_is_refused(pdf3, tmp_path):
    data = pdf3.read_bytes()
    path = tmp_path / "cut.pdf"
    path.write_bytes(data[: len(data) // 2])
    assert refusal(path).code == "truncated_pdf"


def test_corrupt_pdf_is_refused(tmp_path):
    path = tmp_path / "hong.pdf"
    path.write_bytes(b"%PDF-1.7\n" + os.urandom(8000) + b"\nstartxref\n123\n%%EOF\n")
    assert refusal(path).code == "corrupt_pdf"


def test_unknown_type_is_refused(tmp_path):
    path = tmp_path / "sach.pdf"
    path.write_bytes(bytes(range(256)) * 8)
    error = refusal(path)
    assert error.code == "unknown_type"


def test_type_mismatch_when_caller_expects_another_kind(pdf3):
    with pytest.raises(RejectedFile) as info:
        validate(pdf3, **LIMITS, allowed_kinds={"jpeg", "png"})
    assert info.value.code == "type_mismatch"


# --- images --------------------------------------------------------------------------------


def _png_bomb(path, side=20000):
    """A real 1-bit PNG of side x side pixels: 50 MB of zero pixels deflate to ~50 KB."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    compressor = zlib.compressobj(9)
    row = b"\x00" * (1 + (side + 7) // 8)
    idat = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    ihdr = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )
    return path


def test_decompression_bomb_png_is_refused(tmp_path):
    path = _png_bomb(tmp_path / "bom.png")
    assert path.stat().st_size < 200_000
    assert refusal(path).code == "decompression_bomb"


def test_image_just_over_our_pixel_limit_is_refused(tmp_path):
    path = _png_bomb(tmp_path / "lon.png", side=1000)
    assert refusal(path, max_image_pixels=999_999).code == "decompression_bomb"
    assert validate(path, **LIMITS).kind == "png"


def test_truncated_image_is_refused(tmp_path):
    good = tmp_path / "anh.jpg"
    Image.effect_noise((400, 300), 60).convert("RGB").save(good, quality=90)
    broken = tmp_path / "cut.jpg"
    broken.write_bytes(good.read_bytes()[:3000])
    assert validate(good, **LIMITS).kind == "jpeg"
    assert refusal(broken).code == "corrupt_image"


def test_multipage_tiff_counts_its_pages(tmp_path):
    path = tmp_path / "scan.tif"
    frames = [Image.new("L", (100, 140), shade) for shade in (255, 200, 150)]
    frames[0].save(path, save_all=True, append_images=frames[1:])
    assert validate(path, **LIMITS).page_count == 3
    assert refusal(path, max_pages=2).code == "too_many_pages"


# --- ZIP -----------------------------------------------------------------------------------


def _zip(path, entries):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries:
            zf.writestr(name, data)
    return path


@pytest.mark.parametrize(
    "name", ["../evil.pdf", "a/../../evil.pdf", "/etc/evil.pdf", "C:/evil.pdf", "..\\evil.pdf"]
)
def test_zip_with_path_traversal_is_refused(tmp_path, name):
    path = _zip(tmp_path / "lo.zip", [("ok.pdf", b"%PDF-1.4"), (name, b"%PDF-1.4")])
    assert refusal(path).code == "zip_traversal"


def test_zip_with_symlink_entry_is_refused(tmp_path):
    path = tmp_path / "link.zip"
    with zipfile.ZipFile(path, "w") as zf:
        info = zipfile.ZipInfo("link.pdf")
        info.create_system = 3
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc/passwd")
    assert refusal(path).code == "zip_traversal"


def test_zip_bomb_is_refused(tmp_path):
    path = tmp_path / "bom.zip"
    zero = b"\x00" * MB
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf, zf.open("zeros.pdf", "w") as fh:
        for _ in range(16):  # deflate tops out near 1000:1, far past the 100:1 limit
            fh.write(zero)
    assert path.stat().st_size < 64 * 1024
    error = refusal(path)
    assert error.code == "zip_bomb"
    assert "nén tỉ lệ" in str(error)


def test_zip_limits_on_total_size_and_entry_count(tmp_path):
    path = _zip(tmp_path / "nhieu.zip", [(f"{i}.txt", os.urandom(2000)) for i in range(5)])
    with zipfile.ZipFile(path) as zf:
        with pytest.raises(RejectedFile) as info:
            check_zip(zf, max_entries=4)
        assert info.value.code == "zip_bomb"
        with pytest.raises(RejectedFile) as info:
            check_zip(zf, max_total=5000)
        assert info.value.code == "zip_bomb"
        assert len(check_zip(zf)) == 5


def test_nested_zip_is_refused(tmp_path):
    inner = _zip(tmp_path / "inner.zip", [("a.pdf", b"%PDF-1.4")]).read_bytes()
    path = _zip(tmp_path / "outer.zip", [("tai-lieu.pdf", inner)])  # disguised by its name
    assert refusal(path).code == "nested_zip"


def test_plain_zip_passes(tmp_path, pdf3):
    path = _zip(tmp_path / "goi.zip", [("sach/ba-trang.pdf", pdf3.read_bytes())])
    assert validate(path, **LIMITS).kind == "zip"


# --- audio and video -----------------------------------------------------------------------


def test_wav_duration_read_with_tinytag(tmp_path):
    path = tmp_path / "bai-hat.mp3"  # misnamed on purpose
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\x00\x01" * 12000)
    result = validate(path, **LIMITS)
    assert result.kind == "wav"
    assert result.duration == pytest.approx(1.5, abs=0.01)


def _box(kind, body):
    return struct.pack(">I", 8 + len(body)) + kind + body


def test_mp4_video_duration(tmp_path):
    mvhd = _box(b"mvhd", b"\x00" * 4 + struct.pack(">IIII", 0, 0, 1000, 4200) + b"\x00" * 80)
    path = tmp_path / "video.bin"
    path.write_bytes(_box(b"ftyp", b"isom\x00\x00\x02\x00isomavc1") + _box(b"moov", mvhd))
    result = validate(path, **LIMITS)
    assert (result.kind, result.media_type) == ("mp4", "video/mp4")
    assert result.duration == pytest.approx(4.2)


def _ebml(element_id: bytes, data: bytes) -> bytes:
    return element_id + b"\x01" + len(data).to_bytes(7, "big") + data  # 8-byte size


def test_webm_duration_from_segment_info(tmp_path):
    header = _ebml(b"\x1a\x45\xdf\xa3", _ebml(b"\x42\x82", b"webm"))
    info = _ebml(
        b"\x15\x49\xa9\x66",
        _ebml(b"\x2a\xd7\xb1", (1_000_000).to_bytes(3, "big"))
        + _ebml(b"\x44\x89", struct.pack(">d", 2500.0)),
    )
    segment = b"\x18\x53\x80\x67\x01\xff\xff\xff\xff\xff\xff\xff" + info
    path = tmp_path / "clip.webm"
    path.write_bytes(header + segment)
    result = validate(path, **LIMITS)
    assert result.kind == "webm"
    assert result.duration == pytest.approx(2.5)


def test_corrupt_audio_is_refused(tmp_path):
    path = tmp_path / "hong.wav"
    path.write_bytes(b"RIFF\x10\x00\x00\x00WAVEjunk" + b"\xff" * 20)
    assert refusal(path).code == "corrupt_media"


def test_copy_restricted_pdf_without_open_password_is_accepted(tmp_path):
    from reportlab.lib.pdfencrypt import StandardEncryption

    from digitization.processing.text import extract_pages

    restricted = StandardEncryption("", ownerPassword="nxb-giao-duc", canCopy=0, canModify=0)
    path = make_text_pdf(tmp_path / "sgk.pdf", ["Sách giáo khoa Toán 6"], encrypt=restricted)
    assert validate(path, **LIMITS).page_count == 1
    [page] = extract_pages(path, workers=1, page_timeout=30)
    assert page.text == "Sách giáo khoa Toán 6"
