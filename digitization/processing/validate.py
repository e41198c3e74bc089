"""Validation before anything else: real type, size, and the traps of each format.

Every refusal raises ``RejectedFile`` with a stable ``code`` and a Vietnamese message.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
import stat
import struct
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image, UnidentifiedImageError

from digitization.exceptions import RejectedFile

from .sniff import Sniffed, sniff

# A4 at 600 dpi is ~35 Mpx, A3 at 600 dpi ~70 Mpx: anything far beyond is a trap, not a scan.
MAX_IMAGE_PIXELS = 90_000_000
# Pillow warns above its limit and raises above twice the limit; we refuse at the limit itself
# (checked from the header) and also set Pillow's own guard for every other code path.
Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS

ZIP_MAX_ENTRIES = 2000
ZIP_MAX_TOTAL_UNCOMPRESSED = 4 * 1024**3
ZIP_MAX_RATIO = 100
# Ratios are only meaningful for entries of some size: a small CSV compresses very well.
ZIP_RATIO_MIN_SIZE = 1024 * 1024

PDF_EOF_WINDOW = 4096
PDFIUM_ERR_PASSWORD = 4
PDFIUM_ERR_SECURITY = 6

ACCEPTED_KINDS = frozenset(
    {
        "pdf",
        "jpeg",
        "png",
        "tiff",
        "gif",
        "webp",
        "zip",
        "mp3",
        "m4a",
        "mp4",
        "ogg",
        "ogv",
        "webm",
        "wav",
        "flac",
        "csv",
        "text",
    }
)


@dataclass(frozen=True)
class Validated:
    kind: str
    media_type: str
    sha256: str
    size: int
    page_count: int | None = None
    duration: float | None = None  # seconds, for audio and video
    extension: str = ""
    category: str = ""


def validate(
    path: str | Path,
    *,
    max_bytes: int,
    max_pages: int,
    allowed_kinds: set[str] | frozenset[str] | None = None,
    max_image_pixels: int = MAX_IMAGE_PIXELS,
) -> Validated:
    """Check one uploaded file; return its facts or raise ``RejectedFile``."""
    path = Path(path)
    size = path.stat().st_size
    if size == 0:
        raise RejectedFile("empty_file")
    if size > max_bytes:
        raise RejectedFile("too_large", size=_human_size(size), limit=_human_size(max_bytes))
    sniffed = sniff(path)
    if not sniffed.known or sniffed.kind not in ACCEPTED_KINDS:
        raise RejectedFile("unknown_type", detail=sniffed.kind)
    if allowed_kinds is not None and sniffed.kind not in allowed_kinds:
        raise RejectedFile(
            "type_mismatch", actual=sniffed.kind.upper(), expected=", ".join(sorted(allowed_kinds))
        )

    page_count = duration = None
    if sniffed.kind == "pdf":
        page_count = check_pdf(path, max_pages=max_pages)
    elif sniffed.category == "image":
        page_count = check_image(path, max_pages=max_pages, max_pixels=max_image_pixels)
    elif sniffed.kind == "zip":
        with _open_zip(path) as zf:
            check_zip(zf)
    elif sniffed.category in ("audio", "video"):
        duration = media_duration(path, sniffed)

    return Validated(
        kind=sniffed.kind,
        media_type=sniffed.media_type,
        sha256=file_sha256(path),
        size=size,
        page_count=page_count,
        duration=duration,
        extension=sniffed.extension,
        category=sniffed.category,
    )


def file_sha256(path: str | Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _human_size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


# --- PDF -----------------------------------------------------------------------------------


def check_pdf(path: Path, *, max_pages: int) -> int:
    """Return the page count of a PDF that opens without a password."""
    # pdfium quietly rebuilds a broken xref, so a half-uploaded file would open with its first
    # pages only; a missing %%EOF near the end is the reliable sign of truncation.
    with open(path, "rb") as fh:
        fh.seek(max(0, path.stat().st_size - PDF_EOF_WINDOW))
        tail = fh.read()
    if b"%%EOF" not in tail:
        raise RejectedFile("truncated_pdf")
    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        if exc.err_code in (PDFIUM_ERR_PASSWORD, PDFIUM_ERR_SECURITY):
            raise RejectedFile("encrypted_pdf", detail=str(exc)) from exc
        raise RejectedFile("corrupt_pdf", detail=str(exc)) from exc
    try:
        pages = len(pdf)
        if pages == 0:
            raise RejectedFile("no_pages")
        if pages > max_pages:
            raise RejectedFile("too_many_pages", pages=pages, limit=max_pages)
        # The first page must load: a file of garbage with a valid-looking trailer fails here.
        try:
            pdf[0].close()
        except pdfium.PdfiumError as exc:
            raise RejectedFile("corrupt_pdf", detail=str(exc)) from exc
        return pages
    finally:
        pdf.close()


# --- Images --------------------------------------------------------------------------------


def check_image(path: Path, *, max_pages: int, max_pixels: int = MAX_IMAGE_PIXELS) -> int:
    """Return the number of frames (pages of a TIFF) of a sound, reasonably sized image."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(path) as im:
                frames = getattr(im, "n_frames", 1)
                if im.format == "TIFF" and frames > max_pages:
                    raise RejectedFile("too_many_pages", pages=frames, limit=max_pages)
                for index in range(frames if im.format == "TIFF" else 1):
                    im.seek(index)
                    _check_pixels(im.size, max_pixels)
                im.verify()
            # verify() leaves the image unusable; decoding for real catches truncated data.
            with Image.open(path) as im:
                for index in range(frames if im.format == "TIFF" else 1):
                    im.seek(index)
                    im.load()
        except RejectedFile:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise RejectedFile(
                "decompression_bomb", pixels="?", limit=f"{max_pixels:,}", detail=str(exc)
            ) from exc
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
            raise RejectedFile("corrupt_image", detail=str(exc)) from exc
    return frames if frames and frames > 1 else 1


def _check_pixels(size: tuple[int, int], max_pixels: int) -> None:
    pixels = size[0] * size[1]
    if pixels > max_pixels:
        raise RejectedFile("decompression_bomb", pixels=f"{pixels:,}", limit=f"{max_pixels:,}")


# --- ZIP -----------------------------------------------------------------------------------

_DRIVE = re.compile(r"^[A-Za-z]:")


def _open_zip(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise RejectedFile("corrupt_zip", detail=str(exc)) from exc


def safe_member_name(name: str) -> str:
    """The member's normalised relative path, or ``RejectedFile('zip_traversal')``."""
    unified = name.replace("\\", "/")
    if (
        not unified
        or "\x00" in unified
        or unified.startswith("/")
        or _DRIVE.match(unified)
        or ".." in unified.split("/")
    ):
        raise RejectedFile("zip_traversal", name=name)
    normalised = posixpath.normpath(unified)
    if normalised.startswith(("../", "/")) or normalised == "..":
        raise RejectedFile("zip_traversal", name=name)
    return normalised


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    mode = info.external_attr >> 16
    return info.create_system == 3 and stat.S_ISLNK(mode)


def check_zip(
    zf: zipfile.ZipFile,
    *,
    max_entries: int = ZIP_MAX_ENTRIES,
    max_total: int = ZIP_MAX_TOTAL_UNCOMPRESSED,
    max_ratio: int = ZIP_MAX_RATIO,
) -> list[zipfile.ZipInfo]:
    """Refuse traversal, symlinks, encryption, nesting and bombs; return the file entries."""
    infos = zf.infolist()
    if len(infos) > max_entries:
        raise RejectedFile("zip_bomb", reason=f"{len(infos)} tệp, tối đa {max_entries}")
    total = 0
    files = []
    for info in infos:
        safe_member_name(info.filename)
        if _is_symlink(info):
            raise RejectedFile("zip_traversal", name=info.filename)
        if info.is_dir():
            continue
        if info.flag_bits & 0x1:
            raise RejectedFile("encrypted_zip")
        total += info.file_size
        if total > max_total:
            raise RejectedFile("zip_bomb", reason=f"giải nén ra hơn {_human_size(max_total)}")
        if info.file_size >= ZIP_RATIO_MIN_SIZE:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > max_ratio:
                raise RejectedFile("zip_bomb", reason=f"{info.filename} nén tỉ lệ {ratio:.0f}:1")
        if _is_nested_zip(zf, info):
            raise RejectedFile("nested_zip", name=info.filename)
        files.append(info)
    return files


def _is_nested_zip(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    if info.filename.lower().endswith((".zip", ".jar", ".7z", ".rar")):
        return True
    try:
        with zf.open(info) as member:
            head = member.read(4)
    except (zipfile.BadZipFile, OSError, NotImplementedError, RuntimeError) as exc:
        raise RejectedFile("corrupt_zip", detail=str(exc)) from exc
    return head in (b"PK\x03\x04", b"PK\x05\x06")


# --- Audio and video -----------------------------------------------------------------------


def media_duration(path: Path, sniffed: Sniffed) -> float | None:
    """Duration in seconds; ``None`` when the container does not record it (live WebM)."""
    if sniffed.kind in ("webm", "mkv"):
        try:
            return webm_duration(path)
        except (ValueError, struct.error, OSError) as exc:
            raise RejectedFile("corrupt_media", detail=str(exc)) from exc
    from tinytag import TinyTag, TinyTagException

    # tinytag picks its parser by the file name; give it the name of the sniffed type.
    hint = "media.ogg" if sniffed.kind == "ogv" else f"media{sniffed.extension}"
    try:
        with open(path, "rb") as fh:
            tag = TinyTag.get(filename=hint, file_obj=fh, tags=False, image=False)
    except (TinyTagException, OSError, ValueError, struct.error, IndexError) as exc:
        raise RejectedFile("corrupt_media", detail=str(exc)) from exc
    if tag.duration is None and sniffed.category == "audio":
        raise RejectedFile("corrupt_media", detail="no duration")
    return float(tag.duration) if tag.duration is not None else None


_EBML_SEGMENT = 0x18538067
_EBML_INFO = 0x1549A966
_EBML_TIMECODE_SCALE = 0x2AD7B1
_EBML_DURATION = 0x4489
_EBML_HEADER = 0x1A45DFA3


def _read_vint(fh, *, keep_marker: bool) -> tuple[int, int]:
    first = fh.read(1)
    if not first:
        raise ValueError("unexpected end of EBML")
    b = first[0]
    length = 1
    mask = 0x80
    while length <= 8 and not b & mask:
        mask >>= 1
        length += 1
    if length > 8:
        raise ValueError("invalid EBML length")
    value = b if keep_marker else b & (mask - 1)
    for byte in fh.read(length - 1):
        value = (value << 8) | byte
    return value, length


def webm_duration(path: Path) -> float | None:
    """Segment > Info > Duration x TimecodeScale (ns), from a WebM/Matroska file."""
    with open(path, "rb") as fh:
        element, _ = _read_vint(fh, keep_marker=True)
        if element != _EBML_HEADER:
            raise ValueError("not EBML")
        size, _ = _read_vint(fh, keep_marker=False)
        fh.seek(size, 1)
        element, _ = _read_vint(fh, keep_marker=True)
        if element != _EBML_SEGMENT:
            raise ValueError("no Segment")
        _read_vint(fh, keep_marker=False)  # may be "unknown size" in live streams
        # Info comes before clusters; give up after a few top-level elements.
        for _ in range(16):
            element, _ = _read_vint(fh, keep_marker=True)
            size, _ = _read_vint(fh, keep_marker=False)
            if element != _EBML_INFO:
                fh.seek(size, 1)
                continue
            end = fh.tell() + size
            scale, duration = 1_000_000, None
            while fh.tell() < end:
                child, _ = _read_vint(fh, keep_marker=True)
                child_size, _ = _read_vint(fh, keep_marker=False)
                data = fh.read(child_size)
                if child == _EBML_TIMECODE_SCALE:
                    scale = int.from_bytes(data, "big")
                elif child == _EBML_DURATION:
                    duration = struct.unpack(">f" if child_size == 4 else ">d", data)[0]
            return duration * scale / 1e9 if duration is not None else None
    return None
