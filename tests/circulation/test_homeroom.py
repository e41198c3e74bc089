"""Homeroom teachers (giáo viên chủ nhiệm) get their own class's overdue list, and only theirs."""

import pytest
from django.core.management import call_command

from library.accounts.models import PatronCategory
from library.circulation import services
from library.core.models import AuditEntry

from .conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue_6a1(librarian, make_patron, make_item):
    """Two pupils of 6A1 with overdue books, one pupil of 7B2 with an overdue book."""
    an = make_patron(school_class="6A1", full_name="Nguyễn Văn An")
    binh = make_patron(school_class="6A1", full_name="Lê Thị Bình")
    chi = make_patron(school_class="7B2", grade=7, full_name="Trần Chí")
    for pupil in (an, binh, chi):
        services.loan_checkout(actor=librarian, patron=pupil, item=make_item(), at=at(2026, 9, 1))
    return an, binh, chi


@pytest.fixture
def homeroom_6a1(make_patron):
    return make_patron(
        category=PatronCategory.TEACHER,
        homeroom_class="6A1",
        email="gvcn.6a1@example.edu.vn",
        full_name="Cô Hoa",
    )


def test_each_homeroom_teacher_is_mailed_a_link_to_their_class_list_once_a_day(
    settings, overdue_6a1, homeroom_6a1, make_patron, mailoutbox, django_capture_on_commit_callbacks
):
    settings.LIBRARY_BASE_URL = "https://thuvien.truong.edu.vn"
    make_patron(category=PatronCategory.TEACHER, homeroom_class="8C1", email="gv.8c1@example.vn")
    make_patron(category=PatronCategory.TEACHER, email="gv.bo.mon@example.vn")  # no class
    with django_capture_on_commit_callbacks(execute=True):
        assert services.homeroom_overdue_lists_send(at=at(2026, 10, 7)) == 1
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["gvcn.6a1@example.edu.vn"] and "6A1" in mail.subject
    assert "https://thuvien.truong.edu.vn/account/homeroom/6A1/overdues/" in mail.body
    assert "2 cuốn" in mail.body
    # No pupil's name travels by mail: the list is behind the sign-in.
    assert "Nguyễn Văn An" not in mail.body and "Trần Chí" not in mail.body
    entry = AuditEntry.objects.get(action="overdue.homeroom_list")
    assert entry.object_id == str(homeroom_6a1.pk) and entry.details["loans"] == 2

    with django_capture_on_commit_callbacks(execute=True):
        assert services.homeroom_overdue_lists_send(at=at(2026, 10, 7, 15)) == 0
        assert services.homeroom_overdue_lists_send(at=at(2026, 10, 8)) == 1
    assert len(mailoutbox) == 2


def test_no_mail_is_sent_before_the_transaction_commits(overdue_6a1, homeroom_6a1, mailoutbox):
    services.homeroom_overdue_lists_send(at=at(2026, 10, 7))
    assert mailoutbox == []


def test_daily_command_sends_the_homeroom_lists(
    settings, overdue_6a1, homeroom_6a1, mailoutbox, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        call_command("circulation_daily", "--now")
    assert any(m.to == ["gvcn.6a1@example.edu.vn"] for m in mailoutbox)


def test_homeroom_teacher_sees_the_printable_list_of_their_own_class(
    client, overdue_6a1, homeroom_6a1
):
    client.force_login(homeroom_6a1.user)
    response = client.get("/account/homeroom/6A1/overdues/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Nguyễn Văn An" in body and "Lê Thị Bình" in body and "Trần Chí" not in body
    assert "window.print()" in body
    assert AuditEntry.objects.filter(action="patron.list", details__what="overdues:6A1").exists()
    # Their own page links to it.
    assert "/account/homeroom/6A1/overdues/" in client.get("/account/").content.decode()


def test_teacher_cannot_open_another_class_list(client, overdue_6a1, homeroom_6a1):
    client.force_login(homeroom_6a1.user)
    response = client.get("/account/homeroom/7B2/overdues/")
    assert response.status_code == 403 and "Trần Chí" not in response.content.decode()


def test_teacher_without_a_homeroom_class_and_students_are_refused(
    client, overdue_6a1, make_patron
):
    subject_teacher = make_patron(category=PatronCategory.TEACHER)
    client.force_login(subject_teacher.user)
    assert client.get("/account/homeroom/6A1/overdues/").status_code == 403
    pupil = overdue_6a1[0]  # a pupil of 6A1 itself
    client.force_login(pupil.user)
    assert client.get("/account/homeroom/6A1/overdues/").status_code == 403


def test_class_list_needs_sign_in_and_librarians_see_every_class(client, librarian, overdue_6a1):
    response = client.get("/account/homeroom/6A1/overdues/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(librarian)
    assert "Trần Chí" in client.get("/account/homeroom/7B2/overdues/").content.decode()
    overview = client.get("/desk/overdues/").content.decode()
    assert "/account/homeroom/6A1/overdues/" in overview


def test_inactive_homeroom_teacher_is_refused(client, overdue_6a1, homeroom_6a1):
    homeroom_6a1.user.is_active = False
    homeroom_6a1.user.save()
    client.force_login(homeroom_6a1.user)
    response = client.get("/account/homeroom/6A1/overdues/")
    assert response.status_code in (302, 403)
