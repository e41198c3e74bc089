import datetime as dt
import io
from pathlib import Path

import pytest
from openpyxl import Workbook

from library.accounts import services
from library.accounts.exceptions import ImportFileError
from library.accounts.models import Patron
from library.core.models import AuditEntry

pytestmark = pytest.mark.django_db
FILES = Path(__file__).parent / "files"


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    # The librarian/student fixtures hash passwords; the import is what these tests are about.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_csv_class_list_imports_good_rows_and_rejects_bad_ones_with_reasons(librarian):
    report = services.patron_import(
        actor=librarian, data=(FILES / "lop6.csv").read_bytes(), filename="lop6.csv"
    )
    assert report.created == 2
    reasons = dict(report.rejected)
    assert "dd/mm/yyyy" in reasons[3]  # 31/02/2014 does not exist
    assert "12 chữ số" in reasons[4]
    assert "Trùng" in reasons[5] and "dòng 2" in reasons[5]
    assert "họ và tên" in reasons[7]
    an = Patron.objects.get(student_identifier="0101000001")
    assert an.user.full_name == "Nguyễn Văn An" and an.grade == 6 and an.school_class == "6A1"
    assert an.date_of_birth == dt.date(2014, 9, 5) and an.citizen_id == "001214000001"
    assert an.guardian_phone == "0912345678" and an.consent_contact
    # Contact without the guardian's consent is not kept.
    em = Patron.objects.get(student_identifier="0101000005")
    assert em.guardian_phone == "" and report.warnings[0][0] == 6
    assert AuditEntry.objects.filter(action="patron.import").exists()


def _xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_reimport_updates_changed_rows_matched_on_identifier_or_card(librarian, student):
    header = ["Họ và tên", "Ngày sinh", "Lớp", "Mã định danh học sinh", "Mã thẻ"]
    data = _xlsx(
        [
            header,
            ["Đỗ Văn Đức", dt.datetime(2013, 4, 2), "8A2", "7900000001", None],
            ["Mai Lan", "02/02/2013", "8A1", None, "HST999"],
        ]
    )
    report = services.patron_import(actor=librarian, data=data, filename="lop8.xlsx")
    assert (report.created, report.updated, report.rejected) == (1, 1, [])
    student.patron.refresh_from_db()
    assert student.patron.school_class == "8A2" and student.patron.grade == 8
    assert Patron.objects.get(card_barcode="HST999").user.full_name == "Mai Lan"
    again = services.patron_import(actor=librarian, data=data, filename="lop8.xlsx")
    assert again.unchanged == 2


def test_broken_xlsx_and_unknown_format_are_refused(librarian):
    with pytest.raises(ImportFileError, match="Excel"):
        services.patron_import(actor=librarian, data=b"PK\x03\x04broken", filename="lop.xlsx")
    with pytest.raises(ImportFileError, match="csv"):
        services.patron_import(actor=librarian, data=b"x", filename="lop.pdf")
    with pytest.raises(ImportFileError, match="tiêu đề"):
        services.patron_import(actor=librarian, data=b"a,b\n1,2\n", filename="lop.csv")


def test_import_page_is_for_librarians(client, librarian, student):
    client.force_login(student)
    assert client.get("/accounts/patrons/import/").status_code == 403
    client.force_login(librarian)
    with open(FILES / "lop6.csv", "rb") as fh:
        page = client.post("/accounts/patrons/import/", {"file": fh}).content.decode()
    assert "từ chối 4 dòng" in page and "12 chữ số" in page


def test_patron_page_views_and_changes_are_audited(client, librarian, student):
    patron = student.patron
    client.force_login(librarian)
    assert client.get(f"/accounts/patrons/{patron.pk}/").status_code == 200
    assert AuditEntry.objects.filter(action="patron.view", object_id=str(patron.pk)).count() == 1
    client.post(
        f"/accounts/patrons/{patron.pk}/",
        {
            "school_class": "7A2",
            "grade": 7,
            "consent_reading_history": "on",
            "consent_given_by": "Mẹ",
        },
    )
    patron.refresh_from_db()
    assert patron.consent_reading_history and patron.consent_recorded_at
    change = AuditEntry.objects.get(action="patron.change")
    assert "consent_reading_history" in change.details["fields"]


def test_withdrawing_contact_consent_erases_the_contact(librarian, student):
    patron = student.patron
    services.patron_update(
        actor=librarian, patron=patron, consent_contact=True, guardian_phone="0912345678"
    )
    services.patron_update(actor=librarian, patron=patron, consent_contact=False)
    patron.refresh_from_db()
    assert patron.guardian_phone == ""


@pytest.mark.parametrize("who", ["student", "teacher"])
def test_patron_data_is_for_librarians_only(client, request, who, student):
    client.force_login(request.getfixturevalue(who))
    assert client.get("/accounts/patrons/").status_code == 403
    assert client.get(f"/accounts/patrons/{student.patron.pk}/").status_code == 403
    assert client.get("/accounts/patrons/cards.pdf").status_code == 403


def test_cards_pdf_for_a_class(client, librarian, student):
    client.force_login(librarian)
    response = client.get("/accounts/patrons/cards.pdf?lop=7A2")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
