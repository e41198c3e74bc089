"""Who sees which resource (the one policy of library.core.access), licences and counters."""

from __future__ import annotations

import pytest

from catalog.models import Record
from digitization.models import (
    AppraisalStatus,
    DigitalResource,
    Licence,
    ProcessingStatus,
    Resource,
)
from library.core.access import ANONYMOUS, Viewer, ViewerKind

pytestmark = pytest.mark.django_db

PARTNER = Viewer(ViewerKind.PARTNER, partner_code="thcs-ben-thanh")


def _resource(level: str, status=AppraisalStatus.APPROVED, *, deleted=False) -> DigitalResource:
    from django.utils import timezone

    record = Record.objects.create(
        marc={}, title=f"{level} {status}", deleted_at=timezone.now() if deleted else None
    )
    return DigitalResource.objects.create(
        record=record, access_level=level, appraisal_status=status
    )


@pytest.fixture
def levels(db):
    made = {level: _resource(level) for level in ("public", "school", "partners", "staff")}
    made["draft"] = _resource("public", AppraisalStatus.DRAFT)
    made["submitted"] = _resource("public", AppraisalStatus.SUBMITTED)
    made["rejected"] = _resource("public", AppraisalStatus.REJECTED)
    made["withdrawn"] = _resource("public", deleted=True)
    return made


def _visible(who, levels) -> set[str]:
    pks = set(Resource.objects.visible_to(who).values_list("pk", flat=True))
    return {name for name, resource in levels.items() if resource.pk in pks}


def test_anonymous_sees_approved_public_only(levels):
    assert _visible(None, levels) == {"public"}
    assert _visible(ANONYMOUS, levels) == {"public"}


def test_members_see_public_school_and_partner_levels(levels, student, teacher):
    assert _visible(student, levels) == {"public", "school", "partners"}
    assert _visible(teacher, levels) == {"public", "school", "partners"}


def test_partner_nodes_see_public_and_partner_levels(levels):
    assert _visible(PARTNER, levels) == {"public", "partners"}


def test_staff_see_every_live_resource_whatever_its_appraisal(levels, librarian):
    assert _visible(librarian, levels) == set(levels) - {"withdrawn"}


def test_inactive_member_is_anonymous(levels, student):
    student.is_active = False
    student.save()
    assert _visible(student, levels) == {"public"}


@pytest.mark.parametrize(
    "licence, allowed",
    [
        (Licence.ALL_RIGHTS_RESERVED, False),
        (Licence.CC_BY, True),
        (Licence.CC_BY_NC_ND if hasattr(Licence, "CC_BY_NC_ND") else Licence.CC_BY_ND, True),
        (Licence.CC0, True),
        (Licence.PUBLIC_DOMAIN, True),
    ],
)
def test_licence_decides_download(licence, allowed):
    assert DigitalResource(licence=licence).allows_download is allowed


def test_progress_percent():
    resource = DigitalResource(progress_done=3, progress_total=12)
    assert resource.progress_percent == 25
    assert DigitalResource(processing_status=ProcessingStatus.READY).progress_percent == 100
