"""Demo data: three generated Vietnamese resources, loaded once, ready to read."""

from __future__ import annotations

import pytest

from digitization import demo
from digitization.models import DigitalResource, ProcessingStatus
from digitization.processing import ocr

pytestmark = pytest.mark.django_db


def test_demo_resources_are_loaded_once_with_their_control_numbers(media, monkeypatch):
    # The scanned demo page would run Tesseract; that is proved elsewhere, once.
    monkeypatch.setattr(ocr, "tesseract_languages", lambda: set())
    assert demo.load() == len(demo.DEMO)
    assert demo.load() == 0
    resources = DigitalResource.objects.select_related("record")
    assert resources.count() == len(demo.DEMO)
    keys = sorted(r.record.control_number for r in resources)
    assert keys == sorted(spec["key"] for spec in demo.DEMO)
    for resource in resources:
        assert {"001": resource.record.control_number} in resource.record.marc["fields"]
        assert resource.record.links and resource.is_approved
        assert resource.processing_status == ProcessingStatus.READY, resource.processing_error
