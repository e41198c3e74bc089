"""Shared fixtures: people in each role, a clean search index, the browser."""

from __future__ import annotations

import os
import shutil

import pytest

from library.accounts.models import Patron, PatronCategory, Role, User


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Django's real hasher costs ~0.4 s of CPU per password; tests need only correctness."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def librarian(db) -> User:
    return User.objects.create_user(
        username="thuthu_test",
        password="mat-khau-thu-thu",
        role=Role.LIBRARIAN,
        full_name="Phạm Thị Thủ Thư",
        is_staff=True,
    )


@pytest.fixture
def teacher(db) -> User:
    user = User.objects.create_user(
        username="giaovien_test", password="mat-khau-giao-vien", role=Role.TEACHER
    )
    Patron.objects.create(user=user, category=PatronCategory.TEACHER, card_barcode="GVT001")
    return user


@pytest.fixture
def student(db) -> User:
    user = User.objects.create_user(
        username="hocsinh_test",
        password="mat-khau-hoc-sinh",
        role=Role.STUDENT,
        full_name="Đỗ Văn Đức",
    )
    Patron.objects.create(
        user=user,
        category=PatronCategory.STUDENT,
        card_barcode="HST001",
        school_class="7A2",
        grade=7,
        student_identifier="7900000001",
    )
    return user


@pytest.fixture
def search_index(settings, tmp_path):
    """An empty Whoosh index of its own for the test; writes happen at once (no queue)."""
    from haystack import connections

    path = tmp_path / "whoosh"
    settings.HAYSTACK_CONNECTIONS = {
        "default": {**settings.HAYSTACK_CONNECTIONS["default"], "PATH": str(path)}
    }
    connections.reload("default")
    backend = connections["default"].get_backend()
    backend.setup()
    yield backend
    connections.reload("default")
    shutil.rmtree(path, ignore_errors=True)


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright (never a downloaded browser)."""
    if not CHROMIUM:
        pytest.skip("chromium is not installed (apt-get install chromium): browser tests skipped")
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop in this thread; Django's ORM in the test thread
    # is still synchronous code, so allow it.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()
