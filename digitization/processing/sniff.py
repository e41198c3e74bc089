"""Real file type from the file's bytes (magic numbers), never from its name.

A small signature table rather than a library: the formats we accept are few, and we need
distinctions generic sniffers do not make (M4A audio vs MP4 video by the ``ftyp`` brand,
WebM vs other Matroska by the EBML DocType, Ogg audio vs Ogg video, CSV vs plain text).
"""

from __future__ import annotations

import codecs
import csv
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

HEAD_BYTES = 64 * 1024


@dataclass(frozen=True)
class Sniffed:
    kind: str  # "pdf", "jpeg", "png", ..., or "unknown"
    media_type: str
    extension: str  # canonical, with the dot: ".pdf"
    category: str = "unknown"  # document | image | audio | video | archive | data | unknown

    @property
    def known(self) -> bool:
        return self.kind != "unknown"


UNKNOWN = Sniffed("unknown", "application/octet-stream", ".bin", "unknown")

_KINDS = {
    "pdf": Sniffed("pdf", "application/pdf", ".pdf", "document"),
    "jpeg": Sniffed("jpeg", "image/jpeg", ".jpg", "image"),
    "png": Sniffed("png", "image/png", ".png", "image"),
    "tiff": Sniffed("tiff", "image/tiff", ".tif", "image"),
    "gif": Sniffed("gif", "image/gif", ".gif", "image"),
    "webp": Sniffed("webp", "image/webp", ".webp", "image"),
    "zip": Sniffed("zip", "application/zip", ".zip", "archive"),
    "mp3": Sniffed("mp3", "audio/mpeg", ".mp3", "audio"),
    "m4a": Sniffed("m4a", "audio/mp4", ".m4a", "audio"),
    "mp4": Sniffed("mp4", "video/mp4", ".mp4", "video"),
    "mov": Sniffed("mov", "video/quicktime", ".mov", "video"),
    "ogg": Sniffed("ogg", "audio/ogg", ".ogg", "audio"),
    "ogv": Sniffed("ogv", "video/ogg", ".ogv", "video"),
    "webm": Sniffed("webm", "video/webm", ".webm", "video"),
    "mkv": Sniffed("mkv", "video/x-matroska", ".mkv", "video"),
    "wav": Sniffed("wav", "audio/wav", ".wav", "audio"),
    "flac": Sniffed("flac", "audio/flac", ".flac", "audio"),
    "csv": Sniffed("csv", "text/csv", ".csv", "data"),
    "text": Sniffed("text", "text/plain", ".txt", "data"),
}

_AUDIO_MP4_BRANDS = {b"M4A ", b"M4B ", b"M4P ", b"F4A ", b"F4B "}


def kind_info(kind: str) -> Sniffed:
    return _KINDS.get(kind, UNKNOWN)


def sniff(path: str | Path) -> Sniffed:
    with open(path, "rb") as fh:
        head = fh.read(HEAD_BYTES)
    return sniff_bytes(head)


def sniff_bytes(head: bytes) -> Sniffed:
    kind = _binary_kind(head)
    if kind is None:
        kind = _text_kind(head)
    return _KINDS[kind] if kind else UNKNOWN


def _binary_kind(head: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "tiff"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav"
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "zip"
    if head.startswith(b"fLaC"):
        return "flac"
    if head.startswith(b"OggS"):
        # The first page carries the codec header of the first stream.
        return "ogv" if b"\x80theora" in head[:512] else "ogg"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "webm" if b"webm" in head[:64] else "mkv"
    if head[4:8] == b"ftyp":
        return _mp4_kind(head)
    if head.startswith(b"ID3") or _is_mpeg_audio_frame(head):
        return "mp3"
    # Readers accept a PDF header anywhere in the first KiB (some generators prepend junk).
    if b"%PDF-" in head[:1024]:
        return "pdf"
    return None


def _mp4_kind(head: bytes) -> str:
    size = int.from_bytes(head[0:4], "big")
    major = head[8:12]
    brands = {major} | {head[i : i + 4] for i in range(16, min(size, 64), 4)}
    if major in _AUDIO_MP4_BRANDS:
        return "m4a"
    if major == b"qt  ":
        return "mov"
    if brands & _AUDIO_MP4_BRANDS and b"vide" not in head:
        return "m4a"
    return "mp4"


def _is_mpeg_audio_frame(head: bytes) -> bool:
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    version = (head[1] >> 3) & 0x03
    layer = (head[1] >> 1) & 0x03
    bitrate = head[2] >> 4
    rate = (head[2] >> 2) & 0x03
    # layer 0 is reserved (and is ADTS AAC); 0xF bitrate and rate 3 are invalid.
    return version != 1 and layer != 0 and bitrate != 0x0F and rate != 0x03


def _text_kind(head: bytes) -> str | None:
    if not head or b"\x00" in head:
        return None
    text = _decode_text(head)
    if text is None:
        return None
    lines = [line for line in text.splitlines() if line.strip()]
    if len(head) == HEAD_BYTES and len(lines) > 1:
        lines.pop()  # probably cut in the middle
    lines = lines[:20]
    if len(lines) >= 1 and _looks_like_csv(lines):
        return "csv"
    return "text"


def _decode_text(head: bytes) -> str | None:
    if head.startswith(codecs.BOM_UTF8):
        head = head[len(codecs.BOM_UTF8) :]
    try:
        # The head may cut a multi-byte character in two: drop up to 3 trailing bytes.
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:
            return _decode_legacy(head)
        text = head[: exc.start].decode("utf-8")
    printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
    return text if printable >= 0.97 * max(len(text), 1) else None


def _decode_legacy(head: bytes) -> str | None:
    # Legacy Vietnamese 8-bit text (TCVN3, VNI, windows-1258): no control bytes but high bytes.
    controls = sum(b < 0x20 and b not in (0x09, 0x0A, 0x0D) for b in head)
    if controls > 0.01 * len(head):
        return None
    return head.decode("latin-1")


def _looks_like_csv(lines: list[str]) -> bool:
    sample = "\n".join(lines)
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        return False
    rows = list(csv.reader(lines, dialect))
    widths = Counter(len(row) for row in rows)
    width, count = widths.most_common(1)[0]
    return width >= 2 and count >= 0.8 * len(rows)
