"""The real type comes from the bytes: every file here is saved under a misleading name."""

from __future__ import annotations

import io
import struct
import wave
import zipfile

import pytest
from PIL import Image

from digitization.processing.samples import make_text_pdf
from digitization.processing.sniff import sniff, sniff_bytes


def _image_bytes(fmt: str, **kwargs) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, format=fmt, **kwargs)
    return buffer.getvalue()


def _wav_bytes() -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\x00\x00" * 800)
    return buffer.getvalue()


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("a.txt", "xin chào")
    return buffer.getvalue()


def _ftyp(major: bytes, *compatible: bytes) -> bytes:
    body = major + b"\x00\x00\x02\x00" + b"".join(compatible)
    return struct.pack(">I", 8 + len(body)) + b"ftyp" + body + b"\x00" * 64


def _mp3_frames() -> bytes:
    # MPEG-1 Layer III, 128 kbit/s, 44.1 kHz: 417-byte frames.
    return (b"\xff\xfb\x90\x00" + b"\x00" * 413) * 4


BUILDERS = {
    "jpeg": lambda: _image_bytes("JPEG"),
    "png": lambda: _image_bytes("PNG"),
    "tiff": lambda: _image_bytes("TIFF"),
    "gif": lambda: _image_bytes("GIF"),
    "webp": lambda: _image_bytes("WEBP"),
    "zip": _zip_bytes,
    "wav": _wav_bytes,
    "mp3": _mp3_frames,
    "m4a": lambda: _ftyp(b"M4A ", b"M4A ", b"mp42", b"isom"),
    "mp4": lambda: _ftyp(b"isom", b"isom", b"iso2", b"avc1", b"mp41"),
    "flac": lambda: b"fLaC\x00\x00\x00\x22" + b"\x00" * 64,
    "ogg": lambda: b"OggS\x00\x02" + b"\x00" * 22 + b"\x01\x1e\x01vorbis" + b"\x00" * 40,
    "ogv": lambda: b"OggS\x00\x02" + b"\x00" * 22 + b"\x01\x2a\x80theora" + b"\x00" * 40,
    "webm": lambda: b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm" + b"\x00" * 32,
    "csv": lambda: "tệp;nhan đề;tác giả\na.pdf;Toán 6;Nguyễn Văn A\n".encode(),
    "text": lambda: "Xin chào các em học sinh lớp 6.\nHôm nay học bài mới.\n".encode(),
}


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_each_kind_sniffed_from_bytes_whatever_the_name(tmp_path, kind):
    path = tmp_path / "tai-lieu.pdf"  # every file pretends to be a PDF
    path.write_bytes(BUILDERS[kind]())
    assert sniff(path).kind == kind


def test_pdf_sniffed_even_when_named_as_an_image(tmp_path):
    path = make_text_pdf(tmp_path / "anh.jpg", ["Trang một"])
    sniffed = sniff(path)
    assert (sniffed.kind, sniffed.media_type, sniffed.extension) == (
        "pdf",
        "application/pdf",
        ".pdf",
    )


def test_csv_with_bom_and_comma_is_csv():
    assert sniff_bytes("\ufefffile,title\na.pdf,Ngữ văn 7\n".encode()).kind == "csv"


def test_binary_garbage_is_unknown():
    assert sniff_bytes(bytes(range(256)) * 4).kind == "unknown"
    assert not sniff_bytes(b"").known


def test_media_types_distinguish_audio_from_video():
    assert sniff_bytes(BUILDERS["m4a"]()).media_type == "audio/mp4"
    assert sniff_bytes(BUILDERS["mp4"]()).media_type == "video/mp4"
    assert sniff_bytes(BUILDERS["webm"]()).category == "video"
