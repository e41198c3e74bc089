"""Printable PDF label sheets: Code 128 barcode labels and spine labels on A4 label stock.

`render_labels(items, kind=..., layout=..., library_name=..., start_at=1)` returns the PDF bytes.
Items are anything with `barcode`, `call_number` and `record.title` (an `Item`, or a stand-in
in tests). Vietnamese text is drawn with DejaVu Sans; when that font is missing, reportlab's own
Vera is used instead, which lacks most Vietnamese letters (a warning is logged).
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext_lazy
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

logger = logging.getLogger(__name__)

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
DEJAVU_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
FONT = "LabelSans"
FONT_BOLD = "LabelSans-Bold"

KIND_BARCODE = "barcode"
KIND_SPINE = "spine"
KINDS = (KIND_BARCODE, KIND_SPINE)


@dataclass(frozen=True)
class Layout:
    """One A4 label sheet: `cols` x `rows` labels of `width` x `height` mm, laid out from the
    top-left corner at (`left`, `top`) mm with `col_gap`/`row_gap` mm between labels."""

    code: str
    name: str  # translatable (lazy)
    cols: int
    rows: int
    width: float
    height: float
    left: float
    top: float
    col_gap: float = 0.0
    row_gap: float = 0.0

    @property
    def per_page(self) -> int:
        return self.cols * self.rows

    def origin(self, slot: int) -> tuple[float, float]:
        """Bottom-left corner (points) of label `slot` (0-based, row by row) on its page."""
        row, col = divmod(slot % self.per_page, self.cols)
        x = (self.left + col * (self.width + self.col_gap)) * mm
        y_top = self.top + row * (self.height + self.row_gap)
        y = A4[1] - (y_top + self.height) * mm
        return x, y


LAYOUTS: dict[str, Layout] = {
    layout.code: layout
    for layout in (
        Layout("a4-3x8", gettext_lazy("A4, 3 × 8 = 24 nhãn 70 × 37 mm"), 3, 8, 70, 37, 0, 0.5),
        Layout("a4-3x7", gettext_lazy("A4, 3 × 7 = 21 nhãn 70 × 42,3 mm"), 3, 7, 70, 42.3, 0, 0.35),
        Layout(
            "a4-4x10",
            gettext_lazy("A4, 4 × 10 = 40 nhãn 48,5 × 25,4 mm"),
            4,
            10,
            48.5,
            25.4,
            8,
            21.5,
        ),
        Layout(
            "a4-5x13",
            gettext_lazy("A4, 5 × 13 = 65 nhãn 38 × 21 mm"),
            5,
            13,
            38,
            21,
            4.75,
            10.7,
            2.5,
            0.2,
        ),
    )
}
DEFAULT_LAYOUT = {KIND_BARCODE: "a4-3x8", KIND_SPINE: "a4-5x13"}

_fonts_ready = False
_font_fallback = False


def register_fonts() -> bool:
    """Register the label fonts once; returns True when DejaVu Sans (Vietnamese) is used."""
    global _fonts_ready, _font_fallback
    if _fonts_ready:
        return not _font_fallback
    if DEJAVU.exists():
        pdfmetrics.registerFont(TTFont(FONT, str(DEJAVU)))
        bold = DEJAVU_BOLD if DEJAVU_BOLD.exists() else DEJAVU
        pdfmetrics.registerFont(TTFont(FONT_BOLD, str(bold)))
    else:
        # Vera ships with reportlab but has no glyphs for most Vietnamese letters (ơ, ư, ạ...).
        logger.warning(
            "DejaVu Sans not found at %s: labels use reportlab's Vera, which lacks Vietnamese "
            "letters (apt-get install fonts-dejavu-core)",
            DEJAVU,
        )
        pdfmetrics.registerFont(TTFont(FONT, "Vera.ttf"))
        pdfmetrics.registerFont(TTFont(FONT_BOLD, "VeraBd.ttf"))
        _font_fallback = True
    _fonts_ready = True
    return not _font_fallback


def shorten(text: str, font: str, size: float, max_width: float) -> str:
    """`text` cut on a word boundary with an ellipsis so that it fits `max_width` points."""
    text = " ".join((text or "").split())
    if pdfmetrics.stringWidth(text, font, size) <= max_width:
        return text
    words = text.split(" ")
    while words:
        candidate = " ".join(words) + "…"
        if pdfmetrics.stringWidth(candidate, font, size) <= max_width:
            return candidate
        if len(words) == 1:
            break
        words.pop()
    word = words[0] if words else text
    while word and pdfmetrics.stringWidth(word + "…", font, size) > max_width:
        word = word[:-1]
    return word + "…" if word else ""


_YEAR = re.compile(r"^(1[5-9]|20)\d\d$")


def split_call_number(call_number: str) -> list[str]:
    """Spine lines of a call number: classification / author mark / year (and anything else).

    "895.9223 NG-D 2019" -> ["895.9223", "NG-D", "2019"]; a call number written with slashes or
    line breaks ("53(075)/V500L") is split on them too.
    """
    text = (call_number or "").strip()
    if not text:
        return []
    parts = [part for part in re.split(r"[\s/|]+", text) if part]
    if len(parts) <= 3:
        return parts
    # Keep the classification first and the year last; join the middle as the author mark.
    if _YEAR.match(parts[-1]):
        return [parts[0], " ".join(parts[1:-1]), parts[-1]]
    return [parts[0], " ".join(parts[1:])]


def _title_of(item) -> str:
    record = getattr(item, "record", None)
    return getattr(record, "title", "") or ""


def _draw_barcode_label(
    pdf: canvas.Canvas, item, x: float, y: float, layout: Layout, library_name: str
) -> None:
    w, h = layout.width * mm, layout.height * mm
    pad = min(2.5 * mm, w * 0.06)
    inner = w - 2 * pad
    small = max(5.0, min(7.0, h / 6))
    top = y + h - pad

    pdf.setFont(FONT_BOLD, small)
    pdf.drawCentredString(x + w / 2, top - small, shorten(library_name, FONT_BOLD, small, inner))
    pdf.setFont(FONT, small)
    pdf.drawCentredString(
        x + w / 2, top - 2.1 * small, shorten(_title_of(item), FONT, small, inner)
    )

    code_size = max(6.0, min(9.0, h / 4.5))
    text_y = y + pad
    bar_bottom = text_y + code_size + 1
    bar_height = max(4 * mm, top - 2.5 * small - bar_bottom)
    barcode = Code128(item.barcode, barHeight=bar_height, humanReadable=False, quiet=False)
    # Narrow bars of at least ~0.19 mm scan reliably on office printers; shrink only to fit.
    bar_width = min(0.33 * mm, inner / max(barcode.width / barcode.barWidth, 1))
    barcode = Code128(
        item.barcode, barWidth=bar_width, barHeight=bar_height, humanReadable=False, quiet=False
    )
    barcode.drawOn(pdf, x + (w - barcode.width) / 2, bar_bottom)
    pdf.setFont(FONT, code_size)
    pdf.drawCentredString(x + w / 2, text_y, item.barcode)


def _draw_spine_label(pdf: canvas.Canvas, item, x: float, y: float, layout: Layout) -> None:
    w, h = layout.width * mm, layout.height * mm
    lines = split_call_number(item.call_number) or [item.barcode]
    pad = 1.5 * mm
    size = min(12.0, (h - 2 * pad) / (len(lines) * 1.2))
    leading = size * 1.2
    block = leading * len(lines)
    first = y + (h + block) / 2 - size
    for index, line in enumerate(lines):
        font = FONT_BOLD if index == 0 else FONT
        pdf.setFont(font, size)
        pdf.drawCentredString(
            x + w / 2, first - index * leading, shorten(line, font, size, w - 2 * pad)
        )


def render_labels(
    items: Iterable,
    *,
    kind: str = KIND_BARCODE,
    layout: str | Layout | None = None,
    library_name: str = "",
    start_at: int = 1,
    outline: bool = False,
) -> bytes:
    """A PDF of one label per item; `start_at` (1-based) skips labels already used on the
    first sheet. `outline` draws the label edges (for checking alignment on plain paper)."""
    if kind not in KINDS:
        raise ValueError(f"unknown label kind {kind!r}")
    if layout is None:
        layout = DEFAULT_LAYOUT[kind]
    sheet = layout if isinstance(layout, Layout) else LAYOUTS[layout]
    register_fonts()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    pdf.setTitle("Nhãn mã vạch" if kind == KIND_BARCODE else "Nhãn gáy sách")
    pdf.setCreator("Thư viện số")
    slot = max(0, min(start_at - 1, sheet.per_page - 1))
    drawn = 0
    for item in items:
        if drawn and slot % sheet.per_page == 0:
            pdf.showPage()
        x, y = sheet.origin(slot)
        if outline:
            pdf.setLineWidth(0.2)
            pdf.rect(x, y, sheet.width * mm, sheet.height * mm)
        if kind == KIND_BARCODE:
            _draw_barcode_label(pdf, item, x, y, sheet, library_name)
        else:
            _draw_spine_label(pdf, item, x, y, sheet)
        slot += 1
        drawn += 1
    if not drawn:
        pdf.setFont(FONT, 12)
        pdf.drawString(20 * mm, A4[1] - 30 * mm, "Không có bản sách nào được chọn.")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def layout_choices() -> Sequence[tuple[str, str]]:
    return [(code, layout.name) for code, layout in LAYOUTS.items()]
