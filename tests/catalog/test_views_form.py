"""The simple cataloguing form writes a valid MARC21 record and its copies."""

from __future__ import annotations

import io

import pymarc
import pytest
from django.urls import reverse

from catalog import services
from catalog.models import Item, ItemType, Location, Record

from .test_views_helpers import make_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, librarian):
    client.force_login(librarian)
    return client


@pytest.fixture
def location():
    return Location.objects.create(code="SGK", name="Kho sách giáo khoa")


def form_data(**changes):
    data = {
        "template": "textbook",
        "title": "Ngữ văn 7 – Tập một",
        "subtitle": "Sách giáo khoa",
        "authors": "Bùi Mạnh Hùng\nNguyễn Thị Ngân Hoa",
        "publisher": "Giáo dục Việt Nam",
        "place": "Hà Nội",
        "year": "2022",
        "isbn": "978-604-0-31234-3",
        "edition": "",
        "pages": "136",
        "classification_scheme": "ddc",
        "classification": "807.12",
        "subjects": "Ngữ văn; Văn học",
        "grade_levels": ["7"],
        "mon_hoc": ["Ngữ văn"],
        "textbook_series": "Kết nối tri thức với cuộc sống",
        "language": "vie",
        "notes": "Sách dùng cho năm học 2022–2023",
        "item_count": "0",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def reread(record: Record) -> pymarc.Record:
    """The stored record written as ISO 2709 and read back by pymarc alone."""
    raw = services.record_marc(record).as_marc()
    (again,) = list(pymarc.MARCReader(io.BytesIO(raw), to_unicode=True, force_utf8=True))
    return again


def test_form_writes_a_valid_marc21_record_that_pymarc_reads_back(signed_in):
    from catalog.marc.isbn import isbn13_check_digit

    isbn = "978604031234" + isbn13_check_digit("978604031234")
    response = signed_in.post(
        reverse("catalog:record_new") + "?template=textbook", form_data(isbn=isbn)
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    record = Record.objects.get()
    assert response["Location"] == reverse("catalog:record_detail", args=[record.pk])
    marc = reread(record)
    assert len(str(marc.leader)) == 24
    assert str(marc.leader)[6:8] == "am"
    f008 = marc["008"].data
    assert len(f008) == 40 and f008[35:38] == "vie"
    assert marc["020"]["a"] == isbn
    assert marc["041"]["a"] == "vie"
    assert marc["082"]["a"] == "807.12"
    assert marc["100"]["a"].startswith("Bùi Mạnh Hùng")
    assert marc["245"]["a"].startswith("Ngữ văn 7 – Tập một")
    assert marc["245"]["b"].startswith("Sách giáo khoa")
    assert marc["264"]["b"].startswith("Giáo dục Việt Nam")
    assert marc["300"]["a"].startswith("136")
    assert [f["a"] for f in marc.get_fields("653")] == ["Ngữ văn", "Văn học"]
    assert marc.get_fields("521") and marc.get_fields("658")
    assert [f["a"] for f in marc.get_fields("700")] == ["Nguyễn Thị Ngân Hoa"]
    # Columns regenerated from that MARC.
    assert record.title.startswith("Ngữ văn 7 – Tập một")
    assert record.grade_levels == [7]
    assert record.mon_hoc == ["Ngữ văn"]
    assert record.textbook_series == "Kết nối tri thức với cuộc sống"
    assert record.languages[0] == "vie"


def test_form_adds_copies_in_the_same_step(signed_in, location):
    item_type = ItemType.objects.create(code="SGK", name="Sách giáo khoa")
    response = signed_in.post(
        reverse("catalog:record_new"),
        form_data(
            isbn="",
            item_count="3",
            item_location=str(location.pk),
            item_type=str(item_type.pk),
            item_price="25000",
        ),
    )
    assert response.status_code == 302
    items = list(Item.objects.order_by("barcode"))
    assert len(items) == 3
    assert len({item.barcode for item in items}) == 3
    assert all(item.location == location and item.price == 25000 for item in items)
    assert items[0].call_number.startswith("807.12")


def test_bad_isbn_checksum_is_refused_with_a_message_naming_the_isbn_field(signed_in):
    response = signed_in.post(reverse("catalog:record_new"), form_data(isbn="978-604-0-31234-0"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "ISBN «978-604-0-31234-0» sai chữ số kiểm tra" in html
    assert '<a href="#id_isbn">ISBN</a>' in html
    assert not Record.objects.exists()


def test_missing_title_and_bad_year_are_explained_in_vietnamese(signed_in):
    response = signed_in.post(
        reverse("catalog:record_new"), form_data(title="", year="20x1", isbn="")
    )
    html = response.content.decode()
    assert "Hãy nhập nhan đề chính" in html
    assert "Năm xuất bản phải là bốn chữ số" in html
    assert not Record.objects.exists()


def test_other_textbook_series_needs_its_name(signed_in):
    response = signed_in.post(
        reverse("catalog:record_new"),
        form_data(isbn="", textbook_series="__other__", textbook_series_other=""),
    )
    assert "hãy ghi tên bộ sách" in response.content.decode()


@pytest.mark.parametrize("template", ["textbook", "reference", "teachers_guide", "periodical"])
def test_each_template_opens_the_form(signed_in, template):
    response = signed_in.get(reverse("catalog:record_new") + f"?template={template}")
    assert response.status_code == 200
    assert f'name="template" value="{template}"' in response.content.decode()


def test_mon_hoc_choices_follow_the_gdpt_2018_programme(signed_in):
    html = signed_in.get(reverse("catalog:record_new")).content.decode()
    for subject in (
        "Khoa học tự nhiên",
        "Lịch sử và Địa lí",
        "Giáo dục kinh tế và pháp luật",
        "Hoạt động trải nghiệm, hướng nghiệp",
        "Tin học",
        "Công nghệ",
    ):
        assert subject in html


def test_record_made_by_the_form_reopens_in_the_form_prefilled(signed_in, librarian):
    record = make_record(librarian, title="Khoa học tự nhiên 6")
    response = signed_in.get(reverse("catalog:record_edit", args=[record.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="Khoa học tự nhiên 6"' in html
    assert "Hà Huy Khoái" in html


def test_editing_in_the_form_keeps_control_number_and_changes_the_marc(signed_in, librarian):
    record = make_record(librarian, title="Khoa học tự nhiên 6", control_number="KHTN6-001")
    response = signed_in.get(reverse("catalog:record_edit", args=[record.pk]))
    form = response.context["form"]
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if isinstance(value, list):
            data[name] = [str(v) for v in value]
        elif value is not None:
            data[name] = str(value)
    data["title"] = "Khoa học tự nhiên 6 – Tập hai"
    response = signed_in.post(reverse("catalog:record_edit", args=[record.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    record.refresh_from_db()
    assert record.title.startswith("Khoa học tự nhiên 6 – Tập hai")
    assert record.control_number == "KHTN6-001"
    assert Record.objects.count() == 1


def test_record_not_made_by_the_form_opens_in_the_marc_editor(signed_in, librarian):
    record = make_record(librarian)
    marc = services.record_marc(record)
    marc.add_field(
        pymarc.Field(
            tag="246",
            indicators=pymarc.Indicators("3", " "),
            subfields=[pymarc.Subfield("a", "Toán sáu")],
        )
    )
    services.record_save(marc=marc, record=record, actor=librarian)
    response = signed_in.get(reverse("catalog:record_edit", args=[record.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("catalog:record_marc", args=[record.pk])


def test_record_detail_shows_marc_tags_indicators_and_subfields(signed_in, librarian):
    record = make_record(librarian)
    html = signed_in.get(reverse("catalog:record_detail", args=[record.pk])).content.decode()
    assert '<th scope="row">245</th>' in html
    assert "$a</b> Toán 6" in html
    assert "<code>1</code>" in html  # 245 first indicator


def test_record_list_filters_by_title_author_and_isbn(signed_in, librarian):
    make_record(librarian, title="Toán 6 – Tập một", isbn="978-604-0-25124-4")
    make_record(
        librarian,
        title="Truyện Kiều",
        authors=["Nguyễn Du"],
        isbn="",
        mon_hoc=[],
        textbook_series="",
        template="reference",
    )
    url = reverse("catalog:record_list")
    assert "Truyện Kiều" in signed_in.get(url + "?q=Kiều").content.decode()
    assert "Toán 6" not in signed_in.get(url + "?q=Kiều").content.decode()
    assert "Truyện Kiều" in signed_in.get(url + "?q=Nguyễn Du").content.decode()
    by_isbn = signed_in.get(url + "?q=978-604-0-25124-4").content.decode()
    assert "Toán 6" in by_isbn and "Truyện Kiều" not in by_isbn


def test_record_list_pages_by_25(signed_in, librarian):
    for n in range(27):
        make_record(librarian, title=f"Sách số {n:02d}", isbn="")
    url = reverse("catalog:record_list")
    first = signed_in.get(url)
    assert first.context["page"].paginator.num_pages == 2
    assert len(first.context["page"].object_list) == 25
    assert len(signed_in.get(url + "?page=2").context["page"].object_list) == 2


def test_delete_is_refused_with_a_message_while_a_copy_is_on_loan(signed_in, librarian):
    from .test_views_helpers import make_items

    record = make_record(librarian)
    make_items(librarian, record, ["on_loan"])
    response = signed_in.post(reverse("catalog:record_delete", args=[record.pk]), follow=True)
    record.refresh_from_db()
    assert record.deleted_at is None
    assert "đang được mượn" in response.content.decode()


def test_delete_then_restore_a_record(signed_in, librarian):
    record = make_record(librarian)
    response = signed_in.post(reverse("catalog:record_delete", args=[record.pk]))
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.deleted_at is not None
    signed_in.post(reverse("catalog:record_restore", args=[record.pk]))
    record.refresh_from_db()
    assert record.deleted_at is None
