from .import_jobs import ImportAction, ImportJob, ImportJobStatus, MatchRule
from .items import Item, ItemStatus, ItemType, Location
from .records import Record, RecordIsbn, RecordSource

__all__ = [
    "ImportAction",
    "ImportJob",
    "ImportJobStatus",
    "MatchRule",
    "Item",
    "ItemStatus",
    "ItemType",
    "Location",
    "Record",
    "RecordIsbn",
    "RecordSource",
]
