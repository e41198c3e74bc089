"""Demo học liệu số: a Toán 6 chapter, a lesson plan and a scanned page, processed at once."""

from __future__ import annotations

import tempfile
from pathlib import Path

from pymarc import Field

from catalog.services import record_marc, record_save
from library.core.access import AccessLevel

from .models import DigitalResource
from .processing import samples
from .services import resource_create, resource_process

TOAN6_PAGES = [
    "Chương I. Tập hợp các số tự nhiên\nBài 1. Tập hợp\n"
    "Học sinh lớp 6 làm quen với tập hợp, số tự nhiên và các phép tính. "
    "Người ta thường đặt tên tập hợp bằng chữ cái in hoa, ví dụ A = {0; 1; 2; 3}.",
    "Bài 2. Cách ghi số tự nhiên\nTrong hệ thập phân, mỗi chữ số ở một vị trí có giá trị "
    "gấp mười lần chữ số ở vị trí liền sau. Số La Mã dùng các chữ I, V, X, L, C, D, M.",
    "Bài 3. Thứ tự trong tập hợp các số tự nhiên\nTrên tia số, điểm biểu diễn số nhỏ hơn "
    "nằm bên trái điểm biểu diễn số lớn hơn.",
    "Bài 4. Phép cộng và phép trừ số tự nhiên\nPhép cộng có tính chất giao hoán và kết hợp. "
    "Muốn cộng hai phân số cùng mẫu, ta cộng các tử và giữ nguyên mẫu.",
    "Bài 5. Phép nhân và phép chia số tự nhiên\nSố nguyên tố là số tự nhiên lớn hơn 1 chỉ có "
    "hai ước là 1 và chính nó. Diện tích hình chữ nhật bằng chiều dài nhân chiều rộng.",
    "Luyện tập chung\nBài tập 1. Viết tập hợp các số tự nhiên nhỏ hơn 10.\n"
    "Bài tập 2. Tính nhanh: 25 + 37 + 75 + 63.\nBài tập 3. Tìm các số nguyên tố nhỏ hơn 30.",
]

GIAO_AN_PAGES = [
    "GIÁO ÁN NGỮ VĂN 7\nBài: Bài thơ Sang thu (Hữu Thỉnh)\nI. Mục tiêu\n"
    "Học sinh cảm nhận khoảnh khắc giao mùa tinh tế từ cuối hạ sang đầu thu.",
    "II. Tiến trình dạy học\nHoạt động 1: Khởi động – nghe bài hát về mùa thu Hà Nội.\n"
    "Hoạt động 2: Đọc hiểu văn bản, tìm hình ảnh hương ổi, sương chùng chình.\n"
    "Hoạt động 3: Luyện tập – viết đoạn văn khoảng 200 chữ nêu cảm nghĩ.",
]

SCAN_TEXT = (
    "LỊCH SỬ VIỆT NAM\nNăm 938, Ngô Quyền đánh tan quân Nam Hán trên sông Bạch Đằng.\n"
    "Nhà Lý dời đô từ Hoa Lư ra Thăng Long vào năm 1010."
)

DEMO = [
    {
        "key": "demo-hls-toan6",
        "file": "toan6-chuong1.pdf",
        "metadata": {
            "title": "Toán 6 – Chương I. Tập hợp các số tự nhiên",
            "authors": ["Hà Huy Khoái", "Nguyễn Cao Cường"],
            "resource_type": "sgk_dien_tu",
            "grade_levels": [6],
            "mon_hoc": ["toan"],
            "textbook_series": "ket_noi",
            "licence": "cc_by_nc",
            "access_level": AccessLevel.PUBLIC,
            "publisher": "Nhà xuất bản Giáo dục Việt Nam",
            "year": 2021,
        },
    },
    {
        "key": "demo-hls-giaoan",
        "file": "giao-an-sang-thu.pdf",
        "metadata": {
            "title": "Giáo án Ngữ văn 7: Sang thu",
            "authors": ["Trần Văn Giáo"],
            "resource_type": "bai_giang",
            "grade_levels": [7],
            "mon_hoc": ["ngu_van"],
            "licence": "all_rights_reserved",
            "access_level": AccessLevel.SCHOOL,
            "year": 2024,
        },
    },
    {
        "key": "demo-hls-scan",
        "file": "lich-su-trang-quet.png",
        "metadata": {
            "title": "Lịch sử Việt Nam – trang sách quét",
            "resource_type": "tai_lieu_tham_khao",
            "grade_levels": [6, 7],
            "mon_hoc": ["lich_su"],
            "licence": "public_domain",
            "access_level": AccessLevel.PUBLIC,
        },
    },
]


def _make(spec: dict, directory: Path) -> Path:
    path = directory / spec["file"]
    if spec["key"] == "demo-hls-toan6":
        samples.make_text_pdf(path, TOAN6_PAGES, title=spec["metadata"]["title"])
    elif spec["key"] == "demo-hls-giaoan":
        samples.make_text_pdf(path, GIAO_AN_PAGES, title=spec["metadata"]["title"])
    else:
        samples.make_scanned_page_image(path, SCAN_TEXT, dpi=150, fmt="PNG")
    return path


def load(stdout=None) -> int:
    """Create the demo resources that do not exist yet (by their control number)."""
    created = 0
    with tempfile.TemporaryDirectory() as tmp:
        for spec in DEMO:
            if DigitalResource.objects.filter(record__control_number=spec["key"]).exists():
                continue
            resource = resource_create(
                file=_make(spec, Path(tmp)),
                actor=None,
                metadata=spec["metadata"],
                approved=True,
                process=False,
            )
            # The control number goes into 001 and through record_save, like any MARC change.
            marc = record_marc(resource.record)
            marc.add_ordered_field(Field(tag="001", data=spec["key"]))
            record_save(marc=marc, record=resource.record, actor=None)
            resource = resource_process(resource_id=resource.pk)
            created += 1
            if stdout is not None:
                stdout.write(
                    f"  học liệu số {resource.pk}: {resource.title} "
                    f"({resource.get_processing_status_display()})"
                )
    return created
