import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_login_and_logout(client, student):
    response = client.post(
        reverse("accounts:login"),
        {"username": "hocsinh_test", "password": "mat-khau-hoc-sinh"},
    )
    assert response.status_code == 302
    assert client.get(reverse("home")).context["user"] == student
    client.post(reverse("accounts:logout"))
    assert not client.get(reverse("home")).context["user"].is_authenticated


def test_wrong_password_says_what_to_check_in_vietnamese(client, student):
    response = client.post(
        reverse("accounts:login"), {"username": "hocsinh_test", "password": "sai"}
    )
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.content.decode()


def test_repeated_failed_logins_are_throttled(client, student, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": "hocsinh_test", "password": "sai"})
    response = client.post(
        reverse("accounts:login"),
        {"username": "hocsinh_test", "password": "mat-khau-hoc-sinh"},
    )
    assert response.status_code == 429
    assert "Tạm khóa đăng nhập" in response.content.decode()


def test_password_change_requires_login_and_works(client, teacher):
    url = reverse("accounts:password_change")
    assert client.get(url).status_code == 302
    client.force_login(teacher)
    response = client.post(
        url,
        {
            "old_password": "mat-khau-giao-vien",
            "new_password1": "Mật-khẩu-mới-2026",
            "new_password2": "Mật-khẩu-mới-2026",
        },
    )
    assert response.status_code == 302
    teacher.refresh_from_db()
    assert teacher.check_password("Mật-khẩu-mới-2026")


def test_roles(librarian, teacher, student):
    assert librarian.is_librarian
    assert not teacher.is_librarian and not student.is_librarian
    assert teacher.patron.category == "teacher"
    assert student.patron.grade == 7


def test_admin_is_for_librarians_only(client, librarian, student):
    client.force_login(student)
    assert client.get("/admin/").status_code == 302
    client.force_login(librarian)
    assert client.get("/admin/").status_code == 200
