from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser

from library.core.access import (
    ANONYMOUS,
    AccessLevel,
    ViewerKind,
    can_view,
    viewer_for,
    visible_levels,
)


def partner(active=True):
    return SimpleNamespace(is_partner_node=True, is_active=active, code="thcs-b")


LEVELS = [AccessLevel.PUBLIC, AccessLevel.SCHOOL, AccessLevel.PARTNERS, AccessLevel.STAFF]


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", [True, False, False, False]),
        ("student", [True, True, True, False]),
        ("teacher", [True, True, True, False]),
        ("partner", [True, False, True, False]),
        ("librarian", [True, True, True, True]),
    ],
)
def test_each_viewer_sees_exactly_its_levels(who, expected, request):
    subject = {
        "anonymous": lambda: AnonymousUser(),
        "partner": partner,
    }.get(who, lambda: request.getfixturevalue(who))()
    assert [can_view(subject, level) for level in LEVELS] == expected


def test_inactive_user_is_treated_as_anonymous(student):
    student.is_active = False
    assert viewer_for(student) == ANONYMOUS
    assert not can_view(student, AccessLevel.SCHOOL)


def test_inactive_partner_sees_only_public():
    assert visible_levels(partner(active=False)) == ("public",)


def test_none_is_anonymous():
    assert viewer_for(None).kind == ViewerKind.ANONYMOUS
    assert can_view(None, "public")


def test_unknown_level_is_staff_only(librarian, student):
    assert can_view(librarian, "secret")
    assert not can_view(student, "secret")


def test_superuser_without_role_is_librarian(db, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "x")
    assert viewer_for(admin).kind == ViewerKind.LIBRARIAN


def test_visible_levels_of_a_member_exclude_staff(teacher):
    assert "staff" not in visible_levels(teacher)
    assert set(visible_levels(teacher)) == {"public", "school", "partners"}
