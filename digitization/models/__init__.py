from .choices import (
    DOWNLOADABLE_LICENCES,
    GRADE_CHOICES,
    AppraisalStatus,
    FileRole,
    Licence,
    MonHoc,
    ProcessingStatus,
    ResourceType,
    TextbookSeries,
)
from .resources import DigitalFile, DigitalResource, DigitalResourceQuerySet, Page

# The name used across the project for "a digitised resource".
Resource = DigitalResource

__all__ = [
    "DOWNLOADABLE_LICENCES",
    "GRADE_CHOICES",
    "AppraisalStatus",
    "DigitalFile",
    "DigitalResource",
    "DigitalResourceQuerySet",
    "FileRole",
    "Licence",
    "MonHoc",
    "Page",
    "ProcessingStatus",
    "Resource",
    "ResourceType",
    "TextbookSeries",
]
