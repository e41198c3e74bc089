"""Pages and file endpoints: who may see what, headers, counters, the reader and its search."""

from __future__ import annotations

import pytest
from django.urls import reverse

from digitization import services
from digitization.models import AppraisalStatus, DigitalResource, FileRole, ProcessingStatus

pytestmark = pytest.mark.django_db

FILE_URLS = ["detail", "reader", "page_image", "cover", "download"]
STAFF_URLS = ["status", "status_json"]


def _url(name, resource):
    if name == "page_image":
        return reverse("digitization:page_image", args=[resource.pk, 1])
    return reverse(f"digitization:{name}", args=[resource.pk])


@pytest.fixture
def make_resource(
    media, immediate_tasks, files, librarian, django_capture_on_commit_callbacks, tmp_path
):
    made = {}

    def make(*, level="public", approved=True, licence="cc_by", key="pdf"):
        source = files[key]
        if source in made:  # same bytes twice would be a duplicate: copy with a marker
            copy = tmp_path / f"{level}-{licence}-{approved}-{source.name}"
            copy.write_bytes(source.read_bytes() + f"\n% {copy.name}\n".encode())
            source = copy
        made[source] = True
        with django_capture_on_commit_callbacks(execute=True):
            resource = services.resource_create(
                file=source,
                actor=librarian,
                metadata={"title": f"Tài liệu {level}", "access_level": level, "licence": licence},
                approved=approved,
            )
        resource.refresh_from_db()
        return resource

    return make


def _login(client, user):
    if user is not None:
        client.force_login(user)


# Who may open an approved resource's pages and files, by access level; drafts are staff-only.
MAY_READ = {
    "public": {"anonymous", "student", "teacher", "librarian"},
    "school": {"student", "teacher", "librarian"},
    "partners": {"student", "teacher", "librarian"},
    "staff": {"librarian"},
    "draft": {"librarian"},
}


def test_every_file_url_checks_access_for_each_role_and_level(
    client, make_resource, student, teacher, librarian
):
    resources = {level: make_resource(level=level) for level in ("public", "school", "partners")}
    resources["staff"] = make_resource(level="staff")
    resources["draft"] = make_resource(level="public", approved=False)
    people = {"anonymous": None, "student": student, "teacher": teacher, "librarian": librarian}
    for who, user in people.items():
        client.logout()
        _login(client, user)
        for name, resource in resources.items():
            expected = 200 if who in MAY_READ[name] else 404
            for url in FILE_URLS:
                response = client.get(_url(url, resource))
                assert response.status_code == expected, (who, name, url)
            for url in STAFF_URLS:
                response = client.get(_url(url, resource))
                if who == "librarian":
                    assert response.status_code == 200, (who, name, url)
                elif who == "anonymous":
                    assert response.url.startswith("/accounts/login/"), (who, name, url)
                else:
                    assert response.status_code == 404, (who, name, url)


def test_staff_pages_are_404_for_readers(client, make_resource, student, librarian):
    resource = make_resource(level="public")
    for name in STAFF_URLS:
        assert client.get(_url(name, resource)).url.startswith("/accounts/login/")
    client.force_login(student)
    for name in STAFF_URLS:
        assert client.get(_url(name, resource)).status_code == 404
    assert client.get(reverse("digitization:new")).status_code == 404
    assert client.post(reverse("digitization:reprocess", args=[resource.pk])).status_code == 404
    response = client.post(
        reverse("digitization:appraisal", args=[resource.pk]), {"action": "reject", "reason": "x"}
    )
    assert response.status_code == 404
    resource.refresh_from_db()
    assert resource.appraisal_status == AppraisalStatus.APPROVED
    client.force_login(librarian)
    data = client.get(_url("status_json", resource)).json()
    assert data["status"] == "ready" and data["finished"] and data["page_count"] == 3


def test_files_have_real_type_disposition_and_nosniff(client, make_resource, files):
    resource = make_resource(level="public")
    download = client.get(_url("download", resource))
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment")
    assert 'filename="toan6.pdf"' in download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == files["pdf"].read_bytes()

    image = client.get(_url("page_image", resource) + "?w=480")
    assert image["Content-Type"] == "image/jpeg"
    assert image["Content-Disposition"].startswith("inline")
    assert image["X-Content-Type-Options"] == "nosniff"
    assert b"".join(image.streaming_content).startswith(b"\xff\xd8")
    cover = client.get(_url("cover", resource))
    assert cover["Content-Type"] == "image/jpeg"


def test_media_is_not_under_a_public_url(client, make_resource, settings):
    resource = make_resource(level="public")
    original = resource.files.get(role=FileRole.ORIGINAL)
    assert client.get(settings.MEDIA_URL + original.file.name).status_code == 404


def test_download_refused_when_licence_forbids_but_reading_allowed(
    client, make_resource, student, librarian
):
    resource = make_resource(level="school", licence="all_rights_reserved")
    client.force_login(student)
    response = client.get(_url("download", resource))
    assert response.status_code == 403
    assert "không cho phép tải về" in response.content.decode()
    assert client.get(_url("reader", resource)).status_code == 200
    detail = client.get(_url("detail", resource)).content.decode()
    assert reverse("digitization:download", args=[resource.pk]) not in detail
    resource.refresh_from_db()
    assert resource.download_count == 0
    client.force_login(librarian)
    assert client.get(_url("download", resource)).status_code == 200


def test_views_and_downloads_are_counted(client, make_resource):
    resource = make_resource(level="public")
    client.get(_url("detail", resource))
    client.get(_url("detail", resource))
    b"".join(client.get(_url("download", resource)).streaming_content)
    resource.refresh_from_db()
    assert resource.view_count == 2 and resource.download_count == 1


def test_reader_search_is_accent_insensitive_and_highlights(client, make_resource):
    resource = make_resource(level="public")
    response = client.get(_url("reader", resource), {"q": "phan so", "page": 2})
    html = response.content.decode()
    assert 'href="?page=2&amp;q=phan%20so"' in html
    assert "<mark>Phân số</mark>" in html or "<mark>Phân</mark> <mark>số</mark>" in html
    assert "Trang 2" in html


def test_reader_hits_name_the_pages_holding_every_word(client, make_resource):
    resource = make_resource(level="public")
    response = client.get(_url("reader", resource), {"q": "so nguyen to"})
    hits = response.context["hits"]
    assert [hit.number for hit in hits] == [3]
    assert "<mark>" in hits[0].snippet


def test_reader_clamps_page_numbers(client, make_resource):
    resource = make_resource(level="public")
    response = client.get(_url("reader", resource), {"page": "99"})
    assert response.context["number"] == 3
    assert client.get(reverse("digitization:page_image", args=[resource.pk, 4])).status_code == 404


def test_audio_page_has_a_player_and_streams_with_ranges(client, make_resource):
    resource = make_resource(level="public", key="wav")
    html = client.get(_url("detail", resource)).content.decode()
    media_url = reverse("digitization:media", args=[resource.pk])
    assert f'<audio controls preload="metadata" src="{media_url}"' in html
    response = client.get(media_url, HTTP_RANGE="bytes=0-99")
    assert response.status_code == 206
    assert response["Content-Type"] == "audio/wav"
    assert response["Content-Range"].startswith("bytes 0-99/")
    assert len(response.content) == 100


def test_upload_form_creates_resource_and_shows_its_status(
    client, librarian, files, media, immediate_tasks
):
    client.force_login(librarian)
    page = client.get(reverse("digitization:new"))
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.content.decode()
    with open(files["pdf"], "rb") as fh:
        response = client.post(
            reverse("digitization:new"),
            {
                "file": fh,
                "title": "Toán 6 – tải lên",
                "resource_type": "sgk_dien_tu",
                "grade_levels": ["6"],
                "mon_hoc": ["toan"],
                "licence": "cc_by",
                "access_level": "school",
                "approved": "on",
            },
        )
    resource = DigitalResource.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("digitization:status", args=[resource.pk])
    assert resource.is_approved and resource.grade_levels == [6]


def test_upload_form_shows_refusal_in_vietnamese(client, librarian, tmp_path, media):
    client.force_login(librarian)
    bad = tmp_path / "hong.pdf"
    bad.write_bytes(b"%PDF-1.4\nkhong phai pdf")
    with open(bad, "rb") as fh:
        response = client.post(
            reverse("digitization:new"),
            {"file": fh, "resource_type": "other", "licence": "cc_by", "access_level": "school"},
        )
    assert response.status_code == 200
    assert "PDF bị cắt cụt" in response.content.decode()
    assert not DigitalResource.objects.exists()


def test_appraisal_actions_from_the_status_page(client, make_resource, librarian):
    resource = make_resource(level="public", approved=False)
    client.force_login(librarian)
    url = reverse("digitization:appraisal", args=[resource.pk])
    client.post(url, {"action": "reject", "reason": ""})
    resource.refresh_from_db()
    assert resource.appraisal_status == AppraisalStatus.DRAFT
    client.post(url, {"action": "reject", "reason": "Thiếu nguồn"})
    resource.refresh_from_db()
    assert resource.appraisal_status == AppraisalStatus.REJECTED
    client.post(url, {"action": "approve"})
    resource.refresh_from_db()
    assert resource.appraisal_status == AppraisalStatus.APPROVED
    status = client.get(reverse("digitization:status", args=[resource.pk])).content.decode()
    assert "<progress" in status


def test_reprocess_button_requeues(client, make_resource, librarian):
    resource = make_resource(level="public")
    client.force_login(librarian)
    response = client.post(reverse("digitization:reprocess", args=[resource.pk]))
    assert response.status_code == 302
    resource.refresh_from_db()
    # The immediate backend ran it again at once; nothing was lost.
    assert resource.processing_status in (ProcessingStatus.PENDING, ProcessingStatus.READY)
    assert resource.files.filter(role=FileRole.ORIGINAL).count() == 1


def test_edit_form_shows_current_values_and_saves_through_the_service(
    client, make_resource, librarian
):
    resource = make_resource(level="school")
    url = reverse("digitization:edit", args=[resource.pk])
    client.force_login(librarian)
    page = client.get(url)
    form = page.context["form"]
    assert form["title"].value() == "Tài liệu school"
    assert form["access_level"].value() == "school" and form["licence"].value() == "cc_by"
    html = page.content.decode()
    assert '<label for="id_title">Nhan đề</label>' in html
    assert "<legend>Môn học</legend>" in html and "<legend>Khối lớp</legend>" in html

    response = client.post(
        url,
        {
            "title": "Toán 6 – Tập hai",
            "authors": "Hà Huy Khoái; Nguyễn Cao Cường",
            "resource_type": "sgk_dien_tu",
            "grade_levels": ["6"],
            "mon_hoc": ["toan"],
            "textbook_series": "canh_dieu",
            "licence": "all_rights_reserved",
            "access_level": "public",
            "year": "2022",
            "publisher": "NXB Đại học Sư phạm",
            "description": "",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("digitization:status", args=[resource.pk])
    resource.refresh_from_db()
    assert resource.title == "Toán 6 – Tập hai" and resource.access_level == "public"
    assert resource.textbook_series == "canh_dieu" and resource.grade_levels == [6]
    assert resource.record.year == 2022 and resource.record.textbook_series == "Cánh Diều"
    assert resource.authors == ["Hà Huy Khoái", "Nguyễn Cao Cường"]


def test_edit_form_explains_what_to_fix_and_changes_nothing(client, make_resource, librarian):
    resource = make_resource(level="school")
    client.force_login(librarian)
    response = client.post(
        reverse("digitization:edit", args=[resource.pk]),
        {"title": "", "resource_type": "other", "licence": "cc_by", "access_level": "zzz"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "title" in form.errors and "access_level" in form.errors
    resource.refresh_from_db()
    assert resource.title == "Tài liệu school" and resource.access_level == "school"


def test_edit_form_is_for_librarians_only(client, make_resource, student, teacher, librarian):
    resource = make_resource(level="public")
    url = reverse("digitization:edit", args=[resource.pk])
    assert url not in client.get(_url("detail", resource)).content.decode()
    assert client.get(url).url.startswith("/accounts/login/")
    for user in (student, teacher):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.post(url, {"title": "Đổi", "access_level": "staff"}).status_code == 404
    resource.refresh_from_db()
    assert resource.title == "Tài liệu public" and resource.access_level == "public"
    client.force_login(librarian)
    assert url in client.get(_url("detail", resource)).content.decode()


def test_audio_stream_checks_access_like_every_other_file(client, make_resource, student):
    resource = make_resource(level="school", key="wav")
    url = reverse("digitization:media", args=[resource.pk])
    assert client.get(url, HTTP_RANGE="bytes=0-9").status_code == 404
    assert client.get(_url("download", resource)).status_code == 404
    client.force_login(student)
    response = client.get(url, HTTP_RANGE="bytes=0-9")
    assert response.status_code == 206 and response["X-Content-Type-Options"] == "nosniff"
