"""The English catalogue: complete, compiled, and what the pages show once English is chosen."""

from __future__ import annotations

import datetime
import re
from html import unescape
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

LC_MESSAGES = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"
PO_PATH = LC_MESSAGES / "django.po"
MO_PATH = LC_MESSAGES / "django.mo"

# Placeholders Python, Django templates and str.format use, and HTML tags.
PLACEHOLDER = re.compile(r"%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%[sdifr]|\{[^{}]*\}|<[^>]+>")
# Letters only Vietnamese spelling uses (ASCII letters, digits and punctuation are shared).
VIETNAMESE_LETTER = re.compile(
    r"[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]",
    re.IGNORECASE,
)


def catalogue_entries(catalogue) -> dict[tuple[str | None, str], object]:
    """(context, msgid) -> msgstr or the plural forms, leaving out the header."""
    entries = {}
    for entry in catalogue:
        if not entry.msgid:
            continue
        key = (entry.msgctxt, entry.msgid)
        if entry.msgid_plural:
            entries[key] = (
                entry.msgid_plural,
                tuple(entry.msgstr_plural[n] for n in sorted(entry.msgstr_plural)),
            )
        else:
            entries[key] = entry.msgstr
    return entries


@pytest.fixture(scope="module")
def po():
    return polib.pofile(str(PO_PATH))


# -- the catalogue files ------------------------------------------------------------------------


def test_committed_mo_holds_exactly_the_translations_of_the_po(po):
    mo = polib.mofile(str(MO_PATH))
    current = [e for e in po if not e.obsolete and "fuzzy" not in e.flags]
    assert catalogue_entries(mo) == catalogue_entries(current), (
        "django.mo is out of date: compile library/locale/en/LC_MESSAGES/django.po again"
    )


def test_every_entry_of_the_po_is_translated_and_none_is_fuzzy(po):
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, f"{len(untranslated)} untranslated, e.g. {untranslated[:5]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy, e.g. {fuzzy[:5]}"
    assert not po.metadata_is_fuzzy
    assert po.metadata["Language"] == "en"


def test_translations_keep_every_placeholder_and_html_tag_of_the_source(po):
    wrong = []
    for entry in po:
        if entry.msgid_plural:
            pairs = [
                (entry.msgid, entry.msgstr_plural[0]),
                (entry.msgid_plural, entry.msgstr_plural[1]),
            ]
        else:
            pairs = [(entry.msgid, entry.msgstr)]
        for source, translated in pairs:
            if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(translated)):
                wrong.append(source)
    assert not wrong


def test_plural_entries_have_both_english_forms(po):
    assert po.metadata["Plural-Forms"].startswith("nplurals=2;")
    for entry in po:
        if entry.msgid_plural:
            assert sorted(entry.msgstr_plural) == [0, 1], entry.msgid
    with translation.override("en"):
        assert translation.ngettext("%(n)s kết quả", "%(n)s kết quả", 1) % {"n": 1} == "1 result"
        assert translation.ngettext("%(n)s kết quả", "%(n)s kết quả", 3) % {"n": 3} == "3 results"


def test_django_loads_the_english_catalogue():
    with translation.override("en"):
        assert translation.gettext("Trang chủ") == "Home"
        assert translation.gettext("Quầy mượn trả") == "Circulation desk"
    with translation.override("vi"):
        assert translation.gettext("Trang chủ") == "Trang chủ"


# -- pages in English ---------------------------------------------------------------------------


def nav_text(html: str, user=None) -> str:
    """The visible text of the main navigation, without the signed-in person's own name."""
    match = re.search(r'<nav class="main-nav".*?</nav>', html, re.DOTALL)
    assert match, "the page has no main navigation"
    text = unescape(re.sub(r"<[^>]+>", " ", match.group(0)))
    if user is not None:
        text = text.replace(str(user), "")
    return " ".join(text.split())


def choose_english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def make_public_record(actor):
    from catalog import services
    from catalog.marc.build import SimpleRecordInput, build_record

    marc = build_record(
        SimpleRecordInput(
            title="Toán 6 – Tập một",
            authors=["Hà Huy Khoái"],
            publisher="Giáo dục Việt Nam",
            place="Hà Nội",
            year=2021,
            classification_scheme="ddc",
            classification="510.712",
            keywords=["Toán học"],
            grade_levels=[6],
            mon_hoc=["Toán"],
            textbook_series="Kết nối tri thức với cuộc sống",
            pages=128,
        ),
        "textbook",
        entered=datetime.date(2024, 8, 1),
    )
    record = services.record_save(marc=marc, actor=actor)
    location = services.location_get_or_create(code="SGK", name="Kho sách giáo khoa")
    item_type = services.item_type_get_or_create(code="SGK", name="Sách giáo khoa")
    services.item_create(record=record, actor=actor, location=location, item_type=item_type)
    return record


def index_record(record) -> None:
    from haystack import connections

    from catalog.search_indexes import RecordIndex

    index = RecordIndex()
    connections["default"].get_backend().update(
        index, list(index.index_queryset().filter(pk=record.pk))
    )


VISITOR_NAV = {"Home", "Sign in"}
LIBRARIAN_NAV = {
    "Home",
    "Cataloguing",
    "Digital learning resources",
    "Administration",
    "Change password",
    "Sign out",
}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "heading"),
    [
        ("/", "Find books, textbooks and digital learning resources"),
        ("/accounts/login/", "Sign in"),
    ],
)
def test_visitor_who_chose_english_sees_english_pages_and_navigation(client, url, heading):
    choose_english(client)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert heading in html
    nav = nav_text(html)
    for label in VISITOR_NAV:
        assert label in nav
    assert not VIETNAMESE_LETTER.search(nav), nav
    assert "Trang chủ" not in html and "Đăng nhập" not in html


@pytest.mark.django_db
def test_search_page_in_english(client, librarian, search_index):
    record = make_public_record(librarian)
    index_record(record)
    choose_english(client)
    response = client.get("/search/", {"q": "toan"})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "1 result" in html
    assert "6 – Tập một" in html  # the data stays as catalogued (the match is highlighted)
    nav = nav_text(html)
    for label in VISITOR_NAV:
        assert label in nav
    assert not VIETNAMESE_LETTER.search(nav), nav
    assert "Tìm kiếm" not in html and "kết quả" not in html


@pytest.mark.django_db
def test_public_record_page_in_english(client, librarian):
    record = make_public_record(librarian)
    choose_english(client)
    response = client.get(reverse("catalog:record_public", args=[record.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Copies in the library" in html
    assert "Call number" in html
    assert "Copies available: 1 of 1" in html
    nav = nav_text(html)
    assert "Home" in nav and "Sign in" in nav
    assert not VIETNAMESE_LETTER.search(nav), nav
    assert "Ký hiệu xếp giá" not in html and "Bản sách trong thư viện" not in html


@pytest.mark.django_db
def test_circulation_desk_in_english_for_a_librarian(client, librarian):
    client.force_login(librarian)
    choose_english(client)
    response = client.get(reverse("circulation:desk"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    nav = nav_text(html, librarian)
    for label in LIBRARIAN_NAV | {"Circulation desk"}:
        assert label in nav, label
    assert not VIETNAMESE_LETTER.search(nav), nav
    for vietnamese in ("Quầy mượn trả", "Mượn sách", "Trả sách", "Biên mục", "Đăng xuất"):
        assert vietnamese not in html


@pytest.mark.django_db
def test_english_choice_is_remembered_after_signing_in(client, librarian):
    choose_english(client)
    client.force_login(librarian)
    html = client.get("/").content.decode()
    assert "Sign out" in nav_text(html, librarian)


# -- Vietnamese by default ----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("accept_language", [None, "fr-FR,fr;q=0.9", "en-US,en;q=0.9"])
def test_visitor_who_has_not_chosen_english_gets_vietnamese(client, accept_language):
    # An English-language phone still gets Vietnamese until English is chosen on the site.
    headers = {"HTTP_ACCEPT_LANGUAGE": accept_language} if accept_language else {}
    html = client.get("/", **headers).content.decode()
    assert '<html lang="vi">' in html
    nav = nav_text(html)
    assert "Trang chủ" in nav and "Đăng nhập" in nav
    assert "Home" not in nav and "Sign in" not in nav


@pytest.mark.django_db
def test_librarian_with_no_preference_gets_the_desk_in_vietnamese(client, librarian):
    client.force_login(librarian)
    html = client.get(reverse("circulation:desk")).content.decode()
    assert '<html lang="vi">' in html
    nav = nav_text(html, librarian)
    assert "Quầy mượn trả" in nav and "Biên mục" in nav
    assert "Circulation desk" not in html


@pytest.mark.django_db
def test_switching_back_to_vietnamese(client):
    choose_english(client)
    client.post(reverse("set_language"), {"language": "vi", "next": "/"})
    assert "Trang chủ" in nav_text(client.get("/").content.decode())
