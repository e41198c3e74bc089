"""The main navigation leads every role to its pages (QA: search, desk and 'my books' were
reachable only by typing their address)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def nav_links(html: str) -> dict[str, str]:
    """href -> visible text of the links in the main navigation."""
    nav = re.search(r'<nav class="main-nav".*?</nav>', html, re.DOTALL)
    assert nav, "the page has no main navigation"
    return {
        href: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", text)).strip()
        for href, text in re.findall(r'<a href="([^"]+)">(.*?)</a>', nav.group(0), re.DOTALL)
    }


def test_visitor_finds_search_in_the_navigation(client):
    links = nav_links(client.get("/").content.decode())
    assert links.get(reverse("discovery:search")) == "Tìm kiếm"
    assert reverse("circulation:desk") not in links
    assert reverse("circulation:account") not in links


@pytest.mark.parametrize("who", ["student", "teacher"])
def test_reader_with_a_card_finds_their_books_in_the_navigation(client, request, who):
    client.force_login(request.getfixturevalue(who))
    links = nav_links(client.get("/").content.decode())
    assert links.get(reverse("circulation:account")) == "Sách của tôi"
    assert reverse("discovery:search") in links
    assert reverse("circulation:desk") not in links
    assert reverse("digitization:list") not in links


def test_librarian_finds_desk_catalogue_and_resource_list_in_the_navigation(client, librarian):
    client.force_login(librarian)
    for url in ("/", reverse("catalog:record_list")):
        links = nav_links(client.get(url).content.decode())
        assert links.get(reverse("circulation:desk")) == "Quầy mượn trả", url
        assert links.get(reverse("digitization:list")) == "Học liệu số", url
        assert "/catalog/" in links
        # A librarian without a library card has no 'my books' page to go to.
        assert reverse("circulation:account") not in links


def test_desk_pages_show_the_desk_link_once(client, librarian):
    client.force_login(librarian)
    html = client.get(reverse("circulation:desk")).content.decode()
    nav = re.search(r'<nav class="main-nav".*?</nav>', html, re.DOTALL).group(0)
    assert nav.count(f'href="{reverse("circulation:desk")}"') == 1


def test_english_navigation_has_the_new_links_translated(client, student):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    client.force_login(student)
    links = nav_links(client.get("/").content.decode())
    assert links.get(reverse("discovery:search")) == "Search"
    assert links.get(reverse("circulation:account")) == "My books"


def test_every_page_names_a_local_icon_so_browsers_do_not_ask_for_a_missing_favicon(client):
    html = client.get("/").content.decode()
    icon = re.search(r'<link rel="icon" href="([^"]+)"', html)
    assert icon and icon.group(1).startswith("/static/")
    from django.contrib.staticfiles import finders

    assert finders.find(icon.group(1).removeprefix("/static/"))


def test_brand_mark_is_a_local_picture_not_an_emoji_that_phones_without_the_font_show_as_a_box(
    client,
):
    html = client.get("/").content.decode()
    brand = re.search(r'<a class="brand".*?</a>', html, re.DOTALL).group(0)
    assert "📚" not in brand
    assert re.search(r'<img class="brand-mark" src="/static/[^"]+" alt=""', brand)
