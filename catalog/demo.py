"""Demo catalogue: stores, item types and about thirty Vietnamese school-library records.

Records carry 001 "DEMO-nnn" / 003 "THUVIENSO-DEMO"; a record already there is left alone, so
running `demo_load` again changes nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from catalog.marc.build import SimpleRecordInput, build_record
from catalog.marc.isbn import isbn13_check_digit
from catalog.models import ItemType, Location, Record

DEMO_AGENCY = "THUVIENSO-DEMO"
ACTOR = "demo_load"
ENTERED = dt.date(2025, 8, 15)

LOCATIONS = [
    ("SGK", "Kho sách giáo khoa"),
    ("TK", "Kho tham khảo"),
    ("PD", "Phòng đọc"),
]
ITEM_TYPES = [
    # code, name, reference_only
    ("SGK", "Sách giáo khoa", False),
    ("STK", "Sách tham khảo", False),
    ("SGV", "Sách giáo viên", False),
    ("BTC", "Báo - tạp chí", True),
]

GDVN = ("Nhà xuất bản Giáo dục Việt Nam", "Hà Nội")
KNTT = "Kết nối tri thức với cuộc sống"
CTST = "Chân trời sáng tạo"


def _isbn(body: str) -> str:
    """A checksum-valid Vietnamese (978-604) ISBN for demo data."""
    first12 = ("978604" + body)[:12].ljust(12, "0")
    return first12 + isbn13_check_digit(first12)


def _textbook(
    n, title, grade, mon, ddc, authors, pages, price, *, series=KNTT, scheme="ddc", tpl="textbook"
):
    return {
        "n": n,
        "template": tpl,
        "input": SimpleRecordInput(
            title=title,
            authors=authors,
            publisher=GDVN[0],
            place=GDVN[1],
            year=2021 + (grade - 6) % 3 if grade >= 6 else 2020,
            isbn=_isbn(f"0{n:05d}"),
            pages=pages,
            classification_scheme=scheme,
            classification=ddc,
            keywords=[mon, "Sách giáo khoa", f"Lớp {grade}"],
            grade_levels=[grade],
            mon_hoc=[mon],
            textbook_series=series,
            series=series,
        ),
        "location": "SGK",
        "item_type": "SGV" if tpl == "teachers_guide" else "SGK",
        "copies": 3,
        "price": price,
        "source": "Ngân sách nhà trường",
    }


def _book(n, title, authors, publisher, place, year, ddc, pages, price, keywords, **extra):
    return {
        "n": n,
        "template": extra.pop("tpl", "reference"),
        "input": SimpleRecordInput(
            title=title,
            authors=authors,
            publisher=publisher,
            place=place,
            year=year,
            isbn=_isbn(f"1{n:05d}"),
            pages=pages,
            classification_scheme=extra.pop("scheme", "ddc"),
            classification=ddc,
            keywords=keywords,
            subjects=extra.pop("subjects", []),
            grade_levels=extra.pop("grades", []),
            notes=extra.pop("notes", ""),
            subtitle=extra.pop("subtitle", ""),
        ),
        "location": extra.pop("location", "TK"),
        "item_type": extra.pop("item_type", "STK"),
        "copies": extra.pop("copies", 2),
        "price": price,
        "source": extra.pop("source", "Mua"),
    }


RECORDS = [
    _textbook(
        1, "Toán 6. Tập một", 6, "Toán", "510", ["Hà Huy Khoái", "Nguyễn Huy Đoan"], 128, 21000
    ),
    _textbook(
        2, "Toán 6. Tập hai", 6, "Toán", "510", ["Hà Huy Khoái", "Nguyễn Huy Đoan"], 108, 19000
    ),
    _textbook(3, "Ngữ văn 6. Tập một", 6, "Ngữ văn", "807", ["Bùi Mạnh Hùng"], 132, 22000),
    _textbook(4, "Ngữ văn 7. Tập một", 7, "Ngữ văn", "807", ["Bùi Mạnh Hùng"], 136, 23000),
    _textbook(5, "Ngữ văn 7. Tập hai", 7, "Ngữ văn", "807", ["Bùi Mạnh Hùng"], 124, 21000),
    _textbook(6, "Khoa học tự nhiên 6", 6, "Khoa học tự nhiên", "500", ["Vũ Văn Hùng"], 196, 32000),
    _textbook(
        7, "Lịch sử và Địa lí 6", 6, "Lịch sử và Địa lí", "959.7", ["Vũ Minh Giang"], 180, 30000
    ),
    _textbook(
        8, "Lịch sử và Địa lí 7", 7, "Lịch sử và Địa lí", "959.7", ["Vũ Minh Giang"], 176, 30000
    ),
    _textbook(
        9, "Lịch sử và Địa lí 8", 8, "Lịch sử và Địa lí", "959.7", ["Vũ Minh Giang"], 184, 31000
    ),
    _textbook(10, "Tin học 6", 6, "Tin học", "004", ["Nguyễn Chí Công"], 96, 15000),
    _textbook(11, "Công nghệ 6", 6, "Công nghệ", "640", ["Lê Huy Hoàng"], 72, 13000),
    _textbook(
        12, "Giáo dục công dân 7", 7, "Giáo dục công dân", "170", ["Nguyễn Thị Toan"], 64, 12000
    ),
    _textbook(13, "Toán 8. Tập một", 8, "Toán", "510", ["Hà Huy Khoái"], 132, 22000),
    _textbook(
        14, "Tiếng Anh 6. Global Success", 6, "Tiếng Anh", "428", ["Hoàng Văn Vân"], 140, 36000
    ),
    _textbook(
        15,
        "Toán 6. Tập một",
        6,
        "Toán",
        "51(075)",
        ["Trần Nam Dũng"],
        124,
        20000,
        series=CTST,
        scheme="19-class",
    ),
    _textbook(
        16,
        "Ngữ văn 6. Tập một",
        6,
        "Ngữ văn",
        "8(V)(075)",
        ["Nguyễn Thị Hồng Nam"],
        128,
        21000,
        series=CTST,
        scheme="19-class",
    ),
    _textbook(
        17,
        "Toán 6. Sách giáo viên",
        6,
        "Toán",
        "510.71",
        ["Hà Huy Khoái"],
        160,
        30000,
        tpl="teachers_guide",
    ),
    _textbook(
        18,
        "Ngữ văn 7. Sách giáo viên",
        7,
        "Ngữ văn",
        "807.1",
        ["Bùi Mạnh Hùng"],
        176,
        32000,
        tpl="teachers_guide",
    ),
    _book(
        19,
        "Truyện Kiều",
        ["Nguyễn Du"],
        "Nhà xuất bản Văn học",
        "Hà Nội",
        2019,
        "895.9221",
        260,
        65000,
        ["Thơ", "Văn học trung đại", "Truyện thơ Nôm"],
        grades=[9],
        notes="Đào Duy Anh khảo đính và chú thích.",
    ),
    _book(
        20,
        "Dế Mèn phiêu lưu ký",
        ["Tô Hoài"],
        "Nhà xuất bản Kim Đồng",
        "Hà Nội",
        2020,
        "895.92234",
        144,
        45000,
        ["Truyện thiếu nhi", "Văn học hiện đại"],
        grades=[4, 5, 6],
    ),
    _book(
        21,
        "Tắt đèn",
        ["Ngô Tất Tố"],
        "Nhà xuất bản Văn học",
        "Hà Nội",
        2018,
        "895.92233",
        192,
        52000,
        ["Tiểu thuyết", "Văn học hiện thực"],
        grades=[8],
    ),
    _book(
        22,
        "Số đỏ",
        ["Vũ Trọng Phụng"],
        "Nhà xuất bản Văn học",
        "Hà Nội",
        2017,
        "895.92233",
        248,
        58000,
        ["Tiểu thuyết", "Trào phúng"],
    ),
    _book(
        23,
        "Lão Hạc",
        ["Nam Cao"],
        "Nhà xuất bản Kim Đồng",
        "Hà Nội",
        2021,
        "895.92233",
        96,
        30000,
        ["Truyện ngắn", "Văn học hiện thực"],
        grades=[8],
    ),
    _book(
        24,
        "Đất rừng phương Nam",
        ["Đoàn Giỏi"],
        "Nhà xuất bản Kim Đồng",
        "Hà Nội",
        2019,
        "895.92234",
        312,
        85000,
        ["Truyện thiếu nhi", "Nam Bộ"],
        grades=[6, 7],
    ),
    _book(
        25,
        "Cho tôi xin một vé đi tuổi thơ",
        ["Nguyễn Nhật Ánh"],
        "Nhà xuất bản Trẻ",
        "Thành phố Hồ Chí Minh",
        2018,
        "895.92234",
        220,
        80000,
        ["Truyện dài", "Tuổi thơ"],
    ),
    _book(
        26,
        "Nhật ký Đặng Thùy Trâm",
        ["Đặng Thùy Trâm"],
        "Nhà xuất bản Hội Nhà văn",
        "Hà Nội",
        2005,
        "895.92283",
        296,
        70000,
        ["Nhật ký", "Chiến tranh"],
    ),
    _book(
        27,
        "Từ điển tiếng Việt",
        ["Hoàng Phê"],
        "Nhà xuất bản Hồng Đức",
        "Hà Nội",
        2021,
        "495.9223",
        1600,
        450000,
        ["Từ điển", "Tiếng Việt"],
        location="PD",
        copies=1,
        subjects=["Tiếng Việt -- Từ điển"],
    ),
    _book(
        28,
        "Đại Việt sử ký toàn thư",
        ["Ngô Sĩ Liên"],
        "Nhà xuất bản Khoa học xã hội",
        "Hà Nội",
        2011,
        "959.701",
        1104,
        390000,
        ["Lịch sử Việt Nam", "Sử liệu"],
        location="PD",
        copies=1,
        subjects=["Việt Nam -- Lịch sử"],
    ),
    _book(
        29,
        "Toán học và Tuổi trẻ",
        [],
        "Nhà xuất bản Giáo dục Việt Nam",
        "Hà Nội",
        2024,
        "510.5",
        40,
        15000,
        ["Toán học", "Tạp chí"],
        tpl="periodical",
        location="PD",
        item_type="BTC",
        copies=2,
        source="Đặt mua",
    ),
    _book(
        30,
        "Thiếu niên Tiền phong",
        [],
        "Trung ương Đoàn TNCS Hồ Chí Minh",
        "Hà Nội",
        2024,
        "059.9597",
        16,
        5000,
        ["Báo thiếu nhi"],
        tpl="periodical",
        location="PD",
        item_type="BTC",
        copies=2,
        source="Đặt mua",
    ),
]


def _defaults() -> tuple[dict[str, Location], dict[str, ItemType], int]:
    created = 0
    locations = {}
    for code, name in LOCATIONS:
        locations[code], new = Location.objects.get_or_create(code=code, defaults={"name": name})
        created += new
    item_types = {}
    for code, name, reference_only in ITEM_TYPES:
        item_types[code], new = ItemType.objects.get_or_create(
            code=code, defaults={"name": name, "reference_only": reference_only}
        )
        created += new
    return locations, item_types, created


@transaction.atomic
def load(stdout=None) -> int:
    """Create what is missing of the demo catalogue; return how many objects were created."""
    from dataclasses import replace

    from catalog.services import item_create, record_save

    locations, item_types, created = _defaults()
    existing = set(
        Record.objects.filter(control_number_identifier=DEMO_AGENCY).values_list(
            "control_number", flat=True
        )
    )
    for spec in RECORDS:
        control = f"DEMO-{spec['n']:03d}"
        if control in existing:
            continue
        data = replace(spec["input"], control_number=control, control_number_identifier=DEMO_AGENCY)
        marc = build_record(data, spec["template"], entered=ENTERED)
        record = record_save(marc=marc, actor=ACTOR)
        created += 1
        for copy in range(spec["copies"]):
            item_create(
                record=record,
                actor=ACTOR,
                location=locations[spec["location"]],
                item_type=item_types[spec["item_type"]],
                price=Decimal(spec["price"]),
                acquired_on=dt.date(2024, 8, 20) + dt.timedelta(days=copy),
                acquisition_source=spec["source"],
                accession_number=f"DEMO-{spec['n']:03d}-{copy + 1}",
            )
            created += 1
    if stdout is not None:
        stdout.write(f"catalog: {created} đối tượng mới (biểu ghi, bản sách, kho, loại tài liệu)")
    return created
