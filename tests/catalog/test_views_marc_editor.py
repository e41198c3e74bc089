"""The MARC editor: rows of tag/indicators/subfields, messages next to the field, no JS needed."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from catalog import services
from catalog.forms import parse_subfields
from catalog.models import Record

from .test_views_helpers import make_items, make_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, librarian):
    client.force_login(librarian)
    return client


def posted_rows(html: str) -> dict:
    """The editor's form as the browser would post it (inputs and textareas)."""
    data = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html):
        data[name] = value
    for name, value in re.findall(r'<textarea name="([^"]+)"[^>]*>([^<]*)</textarea>', html):
        data[name] = value
    import html as html_lib

    return {key: html_lib.unescape(value) for key, value in data.items()}


def rows_as_list(data: dict) -> list[tuple]:
    total = int(data["rows"])
    return [
        (
            data.get(f"row-{n}-tag", ""),
            data.get(f"row-{n}-ind1", ""),
            data.get(f"row-{n}-ind2", ""),
            data.get(f"row-{n}-value", ""),
        )
        for n in range(total)
    ]


def set_rows(data: dict, rows: list[tuple]) -> dict:
    data = {k: v for k, v in data.items() if not k.startswith("row-")}
    for n, (tag, ind1, ind2, value) in enumerate(rows):
        data.update(
            {
                f"row-{n}-tag": tag,
                f"row-{n}-ind1": ind1,
                f"row-{n}-ind2": ind2,
                f"row-{n}-value": value,
            }
        )
    data["rows"] = str(len(rows))
    return data


def test_subfield_text_is_parsed_into_codes_and_values():
    assert parse_subfields("$a Toán 6 : $b sách giáo khoa / $c Hà Huy Khoái") == [
        ("a", "Toán 6 :"),
        ("b", "sách giáo khoa /"),
        ("c", "Hà Huy Khoái"),
    ]
    assert parse_subfields("$aGiá 25$ $b x") == [("a", "Giá 25$"), ("b", "x")]
    assert parse_subfields("Toán 6") is None


def test_editor_shows_one_row_per_field_with_indicators_and_subfields(signed_in, librarian):
    record = make_record(librarian)
    html = signed_in.get(reverse("catalog:record_marc", args=[record.pk])).content.decode()
    data = posted_rows(html)
    rows = rows_as_list(data)
    tags = [row[0] for row in rows if row[0]]
    assert tags[:2] == ["008", "020"] or "245" in tags
    title = next(row for row in rows if row[0] == "245")
    assert title[1] == "1" and title[2] == "0"
    assert title[3].startswith("$a Toán 6")
    assert len(data["leader"]) == 24


def test_saving_unchanged_editor_rows_keeps_every_field(signed_in, librarian):
    record = make_record(librarian)
    before = services.record_marc(record).as_dict()
    html = signed_in.get(reverse("catalog:record_marc", args=[record.pk])).content.decode()
    response = signed_in.post(
        reverse("catalog:record_marc", args=[record.pk]), {**posted_rows(html), "save": "1"}
    )
    assert response.status_code == 302
    record.refresh_from_db()
    after = services.record_marc(record).as_dict()
    assert after["fields"] == before["fields"]


def test_editor_change_regenerates_the_columns(signed_in, librarian):
    record = make_record(librarian)
    data = posted_rows(
        signed_in.get(reverse("catalog:record_marc", args=[record.pk])).content.decode()
    )
    rows = [row for row in rows_as_list(data) if row[0]]
    rows = [(t, i1, i2, "$a Toán 6 – Tập hai" if t == "245" else v) for t, i1, i2, v in rows]
    rows.append(("653", "#", "#", "$a Hình học"))
    response = signed_in.post(
        reverse("catalog:record_marc", args=[record.pk]), {**set_rows(data, rows), "save": "1"}
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.title == "Toán 6 – Tập hai"
    assert "Hình học" in record.subjects


def test_editor_messages_sit_next_to_the_faulty_fields(signed_in, librarian):
    record = make_record(librarian)
    data = posted_rows(
        signed_in.get(reverse("catalog:record_marc", args=[record.pk])).content.decode()
    )
    rows = [row for row in rows_as_list(data) if row[0] and row[0] != "245"]
    rows += [
        ("24", "#", "#", "$a Nhãn sai"),
        ("650", "X", "#", "$a Chỉ thị sai"),
        ("020", "#", "#", "$a 978-604-0-25124-0"),
        ("500", "#", "#", "Không có mã trường con"),
    ]
    response = signed_in.post(
        reverse("catalog:record_marc", args=[record.pk]), {**set_rows(data, rows), "save": "1"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Thiếu trường 245" in html
    rows_html = re.findall(r'<tr class="marc-row has-error">(.*?)</tr>', html, re.S)
    assert len(rows_html) == 4
    assert "Nhãn trường «24» sai" in rows_html[0]
    assert "hỉ thị 1" in rows_html[1]
    assert "ISBN" in rows_html[2] and "sai số kiểm tra" in rows_html[2]
    assert "bắt đầu bằng mã trường con" in rows_html[3]
    assert 'aria-invalid="true"' in rows_html[0]
    record.refresh_from_db()
    assert record.title.startswith("Toán 6")  # nothing saved


def test_add_rows_button_adds_blank_rows_without_saving(signed_in, librarian):
    record = make_record(librarian)
    data = posted_rows(
        signed_in.get(reverse("catalog:record_marc", args=[record.pk])).content.decode()
    )
    before = int(data["rows"])
    data["row-0-value"] = data["row-0-value"]
    response = signed_in.post(
        reverse("catalog:record_marc", args=[record.pk]), {**data, "add_rows": "1"}
    )
    assert response.status_code == 200
    assert int(posted_rows(response.content.decode())["rows"]) > before - 3
    assert response.content.decode().count('class="marc-row') >= before + 2


def test_deleting_a_row_with_its_checkbox_removes_the_field(signed_in, librarian):
    record = make_record(librarian)
    data = posted_rows(
        signed_in.get(reverse("catalog:record_marc", args=[record.pk])).content.decode()
    )
    rows = rows_as_list(data)
    index = next(n for n, row in enumerate(rows) if row[0] == "653")
    data[f"row-{index}-delete"] = "on"
    signed_in.post(reverse("catalog:record_marc", args=[record.pk]), {**data, "save": "1"})
    marc = services.record_marc(Record.objects.get(pk=record.pk))
    assert len(marc.get_fields("653")) == 1


def test_new_record_from_the_marc_editor(signed_in):
    data = posted_rows(signed_in.get(reverse("catalog:record_new_marc")).content.decode())
    rows = [("100", "1", "#", "$a Tô Hoài"), ("245", "1", "0", "$a Dế Mèn phiêu lưu ký")]
    response = signed_in.post(
        reverse("catalog:record_new_marc"), {**set_rows(data, rows), "save": "1"}
    )
    assert response.status_code == 302
    record = Record.objects.get()
    assert record.title == "Dế Mèn phiêu lưu ký"
    assert record.main_author == "Tô Hoài"


def test_item_add_edit_and_delete_pages(signed_in, librarian):
    from catalog.models import Item, Location

    record = make_record(librarian)
    location = Location.objects.create(code="TK", name="Kho tham khảo")
    url = reverse("catalog:item_add", args=[record.pk])
    response = signed_in.post(
        url,
        {
            "one-barcode": "tv 900001",
            "one-location": location.pk,
            "one-price": "32000",
            "one-accession_number": "ĐKCB-1",
        },
    )
    assert response.status_code == 302
    item = Item.objects.get()
    assert item.barcode == "TV900001" and item.price == 32000
    response = signed_in.post(url, {"many-count": "2", "many-location": location.pk})
    assert Item.objects.count() == 3

    response = signed_in.post(
        reverse("catalog:item_add", args=[record.pk]), {"one-barcode": "TV900001"}
    )
    assert "đã dùng cho bản sách khác" in response.content.decode()

    edit = reverse("catalog:item_edit", args=[item.pk])
    form = signed_in.get(edit).context["form"]
    data = {name: form.initial.get(name) or "" for name in form.fields}
    data.update({"call_number": "510 HÀ-K 2021", "status": "damaged", "location": location.pk})
    response = signed_in.post(edit, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    item.refresh_from_db()
    assert item.call_number == "510 HÀ-K 2021" and item.status == "damaged"

    signed_in.post(reverse("catalog:item_delete", args=[item.pk]))
    assert not Item.objects.filter(pk=item.pk).exists()


def test_item_on_loan_cannot_be_deleted(signed_in, librarian):
    record = make_record(librarian)
    (item,) = make_items(librarian, record, ["on_loan"])
    response = signed_in.post(reverse("catalog:item_delete", args=[item.pk]), follow=True)
    assert "đang được mượn" in response.content.decode()
    item.refresh_from_db()


@pytest.mark.parametrize("language", ["vi", "en"])
def test_duplicate_barcode_error_sits_on_the_barcode_field_in_either_language(
    signed_in, librarian, language
):
    from django.conf import settings

    record = make_record(librarian)
    services.item_create(record=record, actor=librarian, barcode="TV900002")
    signed_in.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = signed_in.post(
        reverse("catalog:item_add", args=[record.pk]), {"one-barcode": "TV900002"}
    )
    form = response.context["form"]
    assert form.errors.get("barcode"), form.errors
    assert not form.non_field_errors()
