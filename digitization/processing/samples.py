"""Generated Vietnamese documents for tests, demo data and benchmarks (deterministic)."""

from __future__ import annotations

import random
from pathlib import Path

from digitization.exceptions import DigitizationError

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_PATH = FONT_DIR / "DejaVuSans.ttf"
FONT_BOLD_PATH = FONT_DIR / "DejaVuSans-Bold.ttf"
FONT_NAME = "DejaVuSans"

SENTENCES = {
    "Toán": [
        "Phân số là số viết được dưới dạng a trên b, trong đó a và b là các số nguyên, b khác 0.",
        "Hai phân số bằng nhau khi tích chéo của chúng bằng nhau.",
        "Muốn cộng hai phân số cùng mẫu, ta cộng các tử và giữ nguyên mẫu.",
        "Trong tam giác vuông, bình phương cạnh huyền bằng tổng bình phương hai cạnh góc vuông.",
        "Số nguyên tố là số tự nhiên lớn hơn 1 chỉ có hai ước là 1 và chính nó.",
        "Diện tích hình chữ nhật bằng chiều dài nhân với chiều rộng cùng đơn vị đo.",
        "Học sinh lớp 6 làm quen với tập hợp, số tự nhiên và các phép tính.",
        "Đồ thị của hàm số bậc nhất là một đường thẳng.",
    ],
    "Ngữ văn": [
        "Truyện Kiều của Nguyễn Du là kiệt tác của văn học trung đại Việt Nam.",
        "Ca dao là tiếng hát tâm tình của người lao động qua nhiều thế hệ.",
        "Bài thơ Sang thu của Hữu Thỉnh ghi lại khoảnh khắc giao mùa tinh tế.",
        "Văn bản nghị luận trình bày luận điểm, lí lẽ và bằng chứng thuyết phục.",
        "Tiếng Việt giàu đẹp, có sáu thanh điệu: ngang, huyền, sắc, hỏi, ngã, nặng.",
        "Em hãy viết đoạn văn khoảng 200 chữ nêu cảm nghĩ về người thầy.",
        "Dế Mèn phiêu lưu kí của Tô Hoài là tác phẩm quen thuộc với thiếu nhi.",
    ],
    "Lịch sử": [
        "Năm 938, Ngô Quyền đánh tan quân Nam Hán trên sông Bạch Đằng.",
        "Chiến thắng Điện Biên Phủ năm 1954 chấn động địa cầu.",
        "Nhà Lý dời đô từ Hoa Lư ra Thăng Long vào năm 1010.",
        "Ngày 2 tháng 9 năm 1945, Chủ tịch Hồ Chí Minh đọc Tuyên ngôn Độc lập.",
        "Hai Bà Trưng khởi nghĩa chống ách đô hộ của nhà Hán năm 40.",
        "Văn Miếu – Quốc Tử Giám là trường đại học đầu tiên của nước ta.",
    ],
    "Khoa học tự nhiên": [
        "Tế bào là đơn vị cấu tạo và chức năng cơ bản của cơ thể sống.",
        "Nước sôi ở 100 độ C dưới áp suất khí quyển tiêu chuẩn.",
        "Quang hợp giúp cây xanh tạo ra chất hữu cơ và giải phóng khí oxygen.",
        "Lực hấp dẫn giữa Trái Đất và Mặt Trăng gây ra hiện tượng thủy triều.",
        "Nguyên tử gồm hạt nhân mang điện dương và lớp vỏ electron mang điện âm.",
        "Dòng điện chạy qua dây dẫn làm dây dẫn nóng lên.",
    ],
    "Địa lí": [
        "Việt Nam nằm ở rìa phía đông của bán đảo Đông Dương.",
        "Đồng bằng sông Cửu Long là vựa lúa lớn nhất cả nước.",
        "Dãy Hoàng Liên Sơn có đỉnh Phan-xi-păng cao nhất Đông Dương.",
        "Khí hậu nước ta là khí hậu nhiệt đới gió mùa ẩm.",
    ],
    "Tiếng Anh": [
        "Học sinh luyện nghe và nói tiếng Anh qua các đoạn hội thoại ngắn.",
        "Bài học hôm nay: thì hiện tại đơn và thì hiện tại tiếp diễn.",
    ],
}

ALL_SENTENCES = [s for group in SENTENCES.values() for s in group]


def make_vietnamese_paragraphs(n: int, seed: int = 0, *, sentences_per_paragraph: int = 4):
    """``n`` deterministic paragraphs of real Vietnamese school sentences."""
    rng = random.Random(seed)
    subjects = list(SENTENCES)
    paragraphs = []
    for _ in range(n):
        subject = rng.choice(subjects)
        pool = SENTENCES[subject] + ALL_SENTENCES
        paragraphs.append(" ".join(rng.choice(pool) for _ in range(sentences_per_paragraph)))
    return paragraphs


def _require_font(path: Path = FONT_PATH) -> Path:
    if not path.exists():
        raise DigitizationError(
            f"Thiếu phông chữ {path} (gói fonts-dejavu-core) nên không tạo được tệp mẫu "
            "tiếng Việt. Hãy cài gói này rồi chạy lại."
        )
    return path


def _register_font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT_NAME, str(_require_font())))
    return FONT_NAME


def make_text_pdf(
    out_path: str | Path,
    pages: list[str],
    title: str = "Tài liệu mẫu",
    *,
    font_size: float = 11,
    encrypt: str | None = None,
) -> Path:
    """A PDF with one text page per item of ``pages`` (wrapped, diacritics intact)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import simpleSplit
    from reportlab.pdfgen import canvas

    font = _register_font()
    out_path = Path(out_path)
    c = canvas.Canvas(str(out_path), pagesize=A4, encrypt=encrypt, pageCompression=1)
    c.setTitle(title)
    c.setAuthor("Thư viện số")
    width, height = A4
    margin = 56
    leading = font_size * 1.45
    for text in pages:
        y = height - margin
        c.setFont(font, font_size)
        for paragraph in text.split("\n"):
            for line in simpleSplit(paragraph, font, font_size, width - 2 * margin) or [""]:
                if y < margin:
                    break
                c.drawString(margin, y, line)
                y -= leading
            y -= leading / 2
        c.showPage()
    c.save()
    return out_path


def make_textbook_pdf(out_path: str | Path, n_pages: int, *, seed: int = 0, title=None) -> Path:
    """A textbook-like PDF: each page has a heading ``Trang N`` and a few paragraphs."""
    pages = []
    for number in range(1, n_pages + 1):
        paragraphs = make_vietnamese_paragraphs(5, seed=seed * 100_003 + number)
        pages.append(f"Trang {number}\n" + "\n".join(paragraphs))
    return make_text_pdf(out_path, pages, title=title or "Sách giáo khoa mẫu")


def make_scanned_page_image(
    out_path: str | Path,
    text: str,
    *,
    dpi: int = 200,
    font_size_pt: float = 14,
    size_mm: tuple[float, float] = (210, 297),
    fmt: str | None = None,
):
    """A white A4 page at ``dpi`` with ``text`` drawn in black, like a clean scan."""
    from PIL import Image, ImageDraw, ImageFont

    width = round(size_mm[0] / 25.4 * dpi)
    height = round(size_mm[1] / 25.4 * dpi)
    font_px = round(font_size_pt / 72 * dpi)
    font = ImageFont.truetype(str(_require_font()), font_px)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    margin = round(dpi * 0.8)
    y = margin
    max_width = width - 2 * margin
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}".strip()
            if draw.textlength(candidate, font=font) <= max_width:
                line = candidate
                continue
            draw.text((margin, y), line, font=font, fill=0)
            y += round(font_px * 1.5)
            line = word
        if line:
            draw.text((margin, y), line, font=font, fill=0)
        y += round(font_px * 2)
        if y > height - margin:
            break
    out_path = Path(out_path)
    image.save(out_path, format=fmt, dpi=(dpi, dpi))
    return out_path


def make_lesson_plan_pdf(out_path: str | Path, *, subject: str = "Toán", grade: int = 6) -> Path:
    """A two-page lesson plan (kế hoạch bài dạy) in the usual GDPT 2018 layout."""
    sentences = SENTENCES.get(subject, ALL_SENTENCES)
    first = (
        f"KẾ HOẠCH BÀI DẠY – Môn {subject}, lớp {grade}\n"
        "I. MỤC TIÊU\n"
        "1. Kiến thức: " + sentences[0] + "\n"
        "2. Năng lực: tư duy và lập luận, giao tiếp và hợp tác, giải quyết vấn đề.\n"
        "3. Phẩm chất: chăm chỉ, trung thực, trách nhiệm.\n"
        "II. THIẾT BỊ DẠY HỌC VÀ HỌC LIỆU\n"
        "Sách giáo khoa, phiếu học tập, máy chiếu, bài giảng điện tử."
    )
    second = (
        "III. TIẾN TRÌNH DẠY HỌC\n"
        "Hoạt động 1: Mở đầu (5 phút). Giáo viên nêu câu hỏi gợi mở.\n"
        "Hoạt động 2: Hình thành kiến thức mới (20 phút). " + " ".join(sentences[1:3]) + "\n"
        "Hoạt động 3: Luyện tập (15 phút). Học sinh làm bài theo nhóm.\n"
        "Hoạt động 4: Vận dụng (5 phút). Giao bài tập về nhà."
    )
    return make_text_pdf(out_path, [first, second], title=f"Kế hoạch bài dạy {subject} {grade}")
