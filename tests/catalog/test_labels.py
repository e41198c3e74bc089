"""PDF label sheets read back with pdfminer: text, pages and the barcode drawing."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from pdfminer.high_level import extract_pages, extract_text
from pdfminer.layout import LTRect, LTTextContainer

from catalog import labels


def make_items(count: int, title: str = "Tiếng Việt 1 – Tập hai: Cánh Diều") -> list:
    record = SimpleNamespace(title=title)
    return [
        SimpleNamespace(barcode=f"TV{n:06d}", call_number="895.9223 NG-D 2019", record=record)
        for n in range(1, count + 1)
    ]


def pdf_pages(data: bytes) -> list:
    return list(extract_pages(io.BytesIO(data)))


def test_barcode_sheet_prints_library_name_shortened_title_and_code_under_bars():
    data = labels.render_labels(
        make_items(3), kind="barcode", layout="a4-3x8", library_name="Thư viện THCS Nguyễn Du"
    )
    assert data.startswith(b"%PDF")
    text = extract_text(io.BytesIO(data))
    assert "Thư viện THCS Nguyễn Du" in text
    assert "Tiếng Việt 1" in text
    for code in ("TV000001", "TV000002", "TV000003"):
        assert code in text


def decode_code128(bars: list) -> str:
    """Read a Code 128 symbol back from the bar rectangles drawn in the PDF.

    Widths are measured in modules (the narrowest bar); each symbol is bar/space/bar/space/
    bar/space, the stop symbol has a fourth bar. Sets B and C are enough for barcodes."""
    bars = sorted(bars, key=lambda bar: bar.x0)
    module = min(bar.x1 - bar.x0 for bar in bars)
    widths = []
    for index, bar in enumerate(bars):
        widths.append(round((bar.x1 - bar.x0) / module))
        if index + 1 < len(bars):
            widths.append(round((bars[index + 1].x0 - bar.x1) / module))
    by_pattern = {
        "".join(str(" ABCD".index(c.upper())) for c in pattern): value
        for value, pattern in code128_patterns().items()
        if isinstance(value, int)
    }
    symbols = []
    for start in range(0, len(widths) - 7, 6):
        symbols.append(by_pattern["".join(map(str, widths[start : start + 6]))])
    assert "".join(map(str, widths[-7:])) == "2331112", "stop pattern missing"
    *data, check = symbols
    assert check == (data[0] + sum(i * v for i, v in enumerate(data) if i)) % 103
    text, code_set = "", {104: "B", 105: "C"}[data[0]]
    for value in data[1:]:
        if value == 99:
            code_set = "C"
        elif value == 100:
            code_set = "B"
        elif code_set == "B":
            text += chr(value + 32)
        else:
            text += f"{value:02d}"
    return text


def code128_patterns() -> dict:
    from reportlab.graphics.barcode import code128

    return code128._patterns


def test_barcode_drawn_in_the_pdf_decodes_to_the_item_barcode():
    data = labels.render_labels(make_items(1), kind="barcode", layout="a4-3x8")
    (page,) = pdf_pages(data)
    bars = [el for el in page if isinstance(el, LTRect)]
    assert decode_code128(bars) == "TV000001"


def test_barcode_is_drawn_as_bars_above_its_printed_code():
    data = labels.render_labels(make_items(1), kind="barcode", layout="a4-3x8")
    (page,) = pdf_pages(data)
    bars = [el for el in page if isinstance(el, LTRect)]
    assert len(bars) > 10
    code_boxes = [
        el for el in page if isinstance(el, LTTextContainer) and "TV000001" in el.get_text()
    ]
    assert code_boxes
    lowest_bar = min(bar.y0 for bar in bars)
    assert code_boxes[0].y1 <= lowest_bar + 1
    # The bars are under the label's top-left corner area, inside the first 70 x 37 mm label.
    assert max(bar.x1 for bar in bars) < 70 * 72 / 25.4


def test_sheet_of_24_labels_gets_a_second_page_for_the_25th_item():
    data = labels.render_labels(make_items(25), kind="barcode", layout="a4-3x8")
    assert len(pdf_pages(data)) == 2
    assert len(pdf_pages(labels.render_labels(make_items(24), layout="a4-3x8"))) == 1


def test_start_at_skips_labels_already_used_on_the_first_sheet():
    data = labels.render_labels(make_items(3), layout="a4-3x8", start_at=23)
    assert len(pdf_pages(data)) == 2


def test_spine_labels_put_class_author_mark_and_year_on_separate_lines():
    data = labels.render_labels(make_items(2), kind="spine", layout="a4-5x13")
    text = extract_text(io.BytesIO(data))
    assert "895.9223\nNG-D\n2019" in text
    assert len(pdf_pages(data)) == 1


def test_65_spine_labels_fit_one_sheet():
    assert len(pdf_pages(labels.render_labels(make_items(65), kind="spine"))) == 1
    assert len(pdf_pages(labels.render_labels(make_items(66), kind="spine"))) == 2


@pytest.mark.parametrize(
    ("call_number", "lines"),
    [
        ("895.9223 NG-D 2019", ["895.9223", "NG-D", "2019"]),
        ("53(075)/V500L", ["53(075)", "V500L"]),
        ("510 NGUYEN VAN A 2020", ["510", "NGUYEN VAN A", "2020"]),
        ("", []),
    ],
)
def test_call_number_is_split_into_spine_lines(call_number, lines):
    assert labels.split_call_number(call_number) == lines


def test_long_title_is_cut_on_a_word_with_an_ellipsis():
    labels.register_fonts()
    short = labels.shorten("Lịch sử và Địa lí 8 " * 10, labels.FONT, 7, 150)
    assert short.endswith("…")
    assert len(short) < 60


def test_every_layout_fits_on_a4():
    for layout in labels.LAYOUTS.values():
        x, y = layout.origin(layout.per_page - 1)
        assert x >= 0 and y >= 0
        assert x + layout.width * 72 / 25.4 <= 595.3


def test_vietnamese_font_is_dejavu_when_installed():
    if not labels.DEJAVU.exists():
        pytest.skip("DejaVu Sans is not installed")
    assert labels.register_fonts() is True


def test_empty_selection_gives_a_one_page_pdf_saying_so():
    data = labels.render_labels([], kind="barcode")
    assert "Không có bản sách nào" in extract_text(io.BytesIO(data))
