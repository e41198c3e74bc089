"""Lending fixtures: records, copies, patrons, a fixed clock."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest

from catalog.models import Item, ItemStatus, ItemType, Location, Record
from library.accounts.models import Patron, PatronCategory, Role, User

VN = ZoneInfo("Asia/Ho_Chi_Minh")
_seq = itertools.count(1)


def at(year, month, day, hour=9):
    return dt.datetime(year, month, day, hour, tzinfo=VN)


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """Lending tests create many users; password hashing is not what they test (each PBKDF2
    hash costs about a second on a busy machine). Sign-in itself is tested in tests/accounts."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def now():
    # Wednesday 7 October 2026, 09:00 in Hà Nội.
    return at(2026, 10, 7)


@pytest.fixture
def location(db):
    return Location.objects.create(code="KHO-A", name="Kho mở A")


@pytest.fixture
def book_type(db):
    return ItemType.objects.create(code="SACH", name="Sách")


@pytest.fixture
def make_record(db):
    def make(title="Toán 6", **kwargs):
        return Record.objects.create(marc={}, title=title, title_sort=title.lower(), **kwargs)

    return make


@pytest.fixture
def make_item(db, make_record, location, book_type):
    def make(record=None, barcode=None, **kwargs):
        kwargs.setdefault("location", location)
        kwargs.setdefault("item_type", book_type)
        return Item.objects.create(
            record=record or make_record(),
            barcode=barcode or f"TV{next(_seq):06d}",
            **kwargs,
        )

    return make


@pytest.fixture
def make_patron(db):
    def make(category=PatronCategory.STUDENT, grade=6, school_class="6A1", email="", **kwargs):
        n = next(_seq)
        user = User.objects.create_user(
            username=f"bandoc{n}",
            password="x",
            role=Role.STUDENT if category == PatronCategory.STUDENT else Role.TEACHER,
            full_name=kwargs.pop("full_name", f"Bạn đọc {n}"),
            email=email,
        )
        if category != PatronCategory.STUDENT:
            grade, school_class = None, ""
        return Patron.objects.create(
            user=user,
            category=category,
            grade=grade,
            school_class=school_class,
            card_barcode=kwargs.pop("card_barcode", f"HS{n:05d}"),
            **kwargs,
        )

    return make


@pytest.fixture
def item(make_item):
    return make_item(price=50000)


@pytest.fixture
def patron(make_patron):
    return make_patron(email="hs@example.edu.vn")


__all__ = ["ItemStatus", "at"]
