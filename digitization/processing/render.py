"""Page images and thumbnails: pypdfium2 renders at the target scale, Pillow encodes.

Rendering straight at the scale of the wanted width avoids drawing a full-size bitmap only to
shrink it; pdfium anti-aliases, so the result needs no supersampling.
"""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image, ImageOps

from digitization.exceptions import ProcessingFailed

# Hard ceiling so a bogus page size or a huge requested width cannot exhaust memory.
MAX_RENDER_PIXELS = 40_000_000


def _open(pdf_path: str | Path) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(str(pdf_path))
    except pdfium.PdfiumError as exc:
        raise ProcessingFailed(detail=str(exc)) from exc


def render_page(
    pdf_path: str | Path, number: int, *, width: int | None = None, dpi: float | None = None
) -> Image.Image:
    """Page ``number`` (1-based) as an RGB image ``width`` pixels wide (or at ``dpi``)."""
    pdf = _open(pdf_path)
    try:
        if not 1 <= number <= len(pdf):
            raise ProcessingFailed(detail=f"page {number} out of range 1..{len(pdf)}")
        page = pdf[number - 1]
        try:
            page_w, page_h = page.get_size()
            if width:
                scale = width / page_w
            elif dpi:
                scale = dpi / 72
            else:
                scale = 1.0
            if page_w * page_h * scale * scale > MAX_RENDER_PIXELS:
                scale = (MAX_RENDER_PIXELS / (page_w * page_h)) ** 0.5
            bitmap = page.render(scale=scale, rev_byteorder=True)
            image = bitmap.to_pil().convert("RGB")
            bitmap.close()
        finally:
            page.close()
    except pdfium.PdfiumError as exc:
        raise ProcessingFailed(detail=str(exc)) from exc
    finally:
        pdf.close()
    if width and image.width != width:
        # Rounding of the page box may leave us a pixel off.
        height = max(1, round(image.height * width / image.width))
        image = image.resize((width, height), Image.Resampling.LANCZOS)
    return image


def _save(image: Image.Image, out_path: Path, quality: int) -> Path:
    out_path = Path(out_path)
    fmt = "WEBP" if out_path.suffix.lower() == ".webp" else "JPEG"
    if fmt == "JPEG":
        image.save(out_path, fmt, quality=quality, optimize=False, progressive=False)
    else:
        image.save(out_path, fmt, quality=quality, method=4)
    return out_path


def save_thumbnail(
    pdf_path: str | Path,
    out_path: str | Path,
    *,
    width: int = 300,
    number: int = 1,
    quality: int = 80,
) -> Path:
    """Thumbnail of one page as JPEG, or WebP when ``out_path`` ends in .webp."""
    return _save(render_page(pdf_path, number, width=width), Path(out_path), quality)


def image_thumbnail(
    image_path: str | Path, out_path: str | Path, width: int = 300, *, quality: int = 80
) -> Path:
    """Thumbnail of an image file (first frame), at most ``width`` pixels wide."""
    with Image.open(image_path) as im:
        # JPEG can decode at 1/2, 1/4, 1/8 size directly: much faster for big scans.
        im.draft("RGB", (width, max(1, round(im.height * width / im.width))))
        image = ImageOps.exif_transpose(im)
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGBA")
            background = Image.new("RGB", image.size, "white")
            background.paste(image, mask=image.getchannel("A"))
            image = background
        image = image.convert("RGB")
    if image.width > width:
        height = max(1, round(image.height * width / image.width))
        image = image.resize((width, height), Image.Resampling.LANCZOS)
    return _save(image, Path(out_path), quality)
