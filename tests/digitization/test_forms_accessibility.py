"""Upload and edit forms: every aria-describedby points at an element of the page (QA: the
help texts had ids that the inputs did not reference, so screen readers never read them)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from digitization import services

pytestmark = pytest.mark.django_db


def dangling_describedby(html: str) -> list[str]:
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    referenced = [
        ref for refs in re.findall(r'aria-describedby="([^"]+)"', html) for ref in refs.split()
    ]
    return [ref for ref in referenced if ref not in ids]


def test_upload_form_help_texts_are_announced_with_their_inputs(client, librarian):
    client.force_login(librarian)
    html = client.get(reverse("digitization:new")).content.decode()
    assert 'aria-describedby="id_file_helptext"' in html
    assert not dangling_describedby(html)


def test_edit_form_help_texts_are_announced_with_their_inputs(
    client, librarian, media, immediate_tasks, files, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        resource = services.resource_create(
            file=files["pdf"], actor=librarian, metadata={"title": "Giáo án Ngữ văn 7"}
        )
    client.force_login(librarian)
    html = client.get(reverse("digitization:edit", args=[resource.pk])).content.decode()
    assert "aria-describedby" in html
    assert not dangling_describedby(html)
