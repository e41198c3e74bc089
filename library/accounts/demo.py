"""Demo people: one librarian, one teacher, one student (printed by `make run`)."""

from datetime import date

from django.db import transaction

from .models import Patron, PatronCategory, Role, User

DEMO_LOGINS = [
    # username, password, role, full name
    ("thuthu", "thuthu123", Role.LIBRARIAN, "Nguyễn Thị Thư"),
    ("giaovien", "giaovien123", Role.TEACHER, "Trần Văn Giáo"),
    ("hocsinh", "hocsinh123", Role.STUDENT, "Lê Minh Anh"),
]


@transaction.atomic
def load(stdout=None) -> int:
    created = 0
    for username, password, role, full_name in DEMO_LOGINS:
        if User.objects.filter(username=username).exists():
            continue
        user = User.objects.create_user(
            username=username,
            password=password,
            role=role,
            full_name=full_name,
            is_staff=role == Role.LIBRARIAN,
            is_superuser=role == Role.LIBRARIAN,
            email=f"{username}@example.edu.vn",
        )
        created += 1
        if role == Role.TEACHER:
            Patron.objects.create(
                user=user,
                category=PatronCategory.TEACHER,
                card_barcode="GV0001",
                expires_on=date(2030, 6, 30),
            )
        elif role == Role.STUDENT:
            Patron.objects.create(
                user=user,
                category=PatronCategory.STUDENT,
                school_class="6A1",
                grade=6,
                card_barcode="HS0001",
                student_identifier="0123456789",
                expires_on=date(2027, 6, 30),
            )
    return created
