"""Scanned page images (JPEG, PNG, TIFF incl. multi-page) assembled into one PDF.

img2pdf embeds JPEG (and JPEG 2000, CCITT G4 TIFF, most PNG) data as-is: no re-encoding, so
no generation loss and no time spent compressing. Images it cannot embed directly (alpha
channel, 16-bit, palette transparency, GIF/WebP) are converted losslessly by Pillow first.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path

import img2pdf
from PIL import Image, ImageOps, UnidentifiedImageError

from digitization.exceptions import RejectedFile

# Scanners without DPI metadata: img2pdf would assume 96 dpi and make a metre-wide page.
ASSUMED_DPI = 200
A4_PT = (595.28, 841.89)
_PASS_THROUGH_FORMATS = {"JPEG", "PNG", "TIFF", "JPEG2000"}
_PASS_THROUGH_MODES = {"1", "L", "RGB", "CMYK"}


def _layout(img_w_px: int, img_h_px: int, ndpi: tuple[float, float]):
    dpi_x, dpi_y = ndpi
    if not dpi_x or not dpi_y or (round(dpi_x), round(dpi_y)) in {(96, 96), (72, 72), (1, 1)}:
        # Metadata missing (img2pdf's default) or the usual screen placeholder values.
        dpi_x = dpi_y = ASSUMED_DPI
    width = img_w_px * 72 / dpi_x
    height = img_h_px * 72 / dpi_y
    # Keep pages between A6 and A2-ish; scale anything outside to fit an A4 page.
    long_side, short_side = max(width, height), min(width, height)
    if long_side > 2 * A4_PT[1] or long_side < A4_PT[1] / 2.5 or short_side < 72:
        target_w, target_h = A4_PT if height >= width else A4_PT[::-1]
        factor = min(target_w / width, target_h / height)
        width, height = width * factor, height * factor
    return width, height, width, height


def _needs_conversion(path: Path) -> bool:
    with Image.open(path) as im:
        if im.format not in _PASS_THROUGH_FORMATS:
            return True
        for index in range(getattr(im, "n_frames", 1)):
            im.seek(index)
            if im.mode not in _PASS_THROUGH_MODES and not (
                im.mode == "P" and "transparency" not in im.info
            ):
                return True
    return False


def _converted_frames(path: Path) -> Iterable[bytes]:
    with Image.open(path) as im:
        for index in range(getattr(im, "n_frames", 1)):
            im.seek(index)
            frame = ImageOps.exif_transpose(im) if index == 0 else im.copy()
            if frame.mode in ("RGBA", "LA", "PA") or "transparency" in frame.info:
                frame = frame.convert("RGBA")
                background = Image.new("RGB", frame.size, "white")
                background.paste(frame, mask=frame.getchannel("A"))
                frame = background
            elif frame.mode not in ("1", "L", "RGB"):
                frame = frame.convert("L" if frame.mode.startswith(("I", "F")) else "RGB")
            buffer = io.BytesIO()
            dpi = im.info.get("dpi")
            frame.save(buffer, format="PNG", dpi=dpi if dpi else (ASSUMED_DPI, ASSUMED_DPI))
            yield buffer.getvalue()


def images_to_pdf(paths: list[str | Path], out_path: str | Path) -> Path:
    """One PDF page per image (per frame of a multi-page TIFF), in the given order."""
    if not paths:
        raise ValueError("images_to_pdf needs at least one image")
    inputs: list[str | bytes] = []
    for path in map(Path, paths):
        try:
            if _needs_conversion(path):
                inputs.extend(_converted_frames(path))
            else:
                inputs.append(str(path))
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
            raise RejectedFile("corrupt_image", detail=f"{path.name}: {exc}") from exc
    out_path = Path(out_path)
    try:
        data = img2pdf.convert(*inputs, layout_fun=_layout)
    except (img2pdf.ImageOpenError, img2pdf.AlphaChannelError, ValueError, OSError) as exc:
        raise RejectedFile("corrupt_image", detail=str(exc)) from exc
    out_path.write_bytes(data)
    return out_path
