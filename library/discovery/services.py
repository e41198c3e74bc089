"""Writes of the search app: repairing the index against the database."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from haystack import connections

from library.core.audit import audit
from library.core.search.tasks import search_update


@dataclass
class IndexDifference:
    label: str
    in_database: int
    in_index: int
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.missing and not self.extra


def index_compare() -> list[IndexDifference]:
    """For each indexed model: objects missing from the index and documents with no object."""
    backend = connections["default"].get_backend()
    out = []
    for model, search_index in connections["default"].get_unified_index().get_indexes().items():
        label = model._meta.label_lower
        in_db = {str(pk) for pk in search_index.index_queryset().values_list("pk", flat=True)}
        in_index = backend.indexed_ids(label)
        out.append(
            IndexDifference(
                label=label,
                in_database=len(in_db),
                in_index=len(in_index),
                missing=sorted(in_db - in_index),
                extra=sorted(in_index - in_db),
            )
        )
    return out


def index_repair(*, actor=None, dry_run: bool = False) -> list[IndexDifference]:
    """Index what the database has and the index lacks; drop documents whose object is gone."""
    differences = index_compare()
    if dry_run:
        return differences
    backend = connections["default"].get_backend()
    with transaction.atomic():
        for diff in differences:
            if diff.ok:
                continue
            for start in range(0, len(diff.missing), 500):
                search_update.call(diff.label, diff.missing[start : start + 500])
            if diff.extra:
                backend.remove_many([f"{diff.label}.{pk}" for pk in diff.extra])
            audit(
                actor,
                "search.index_repaired",
                None,
                label=diff.label,
                added=len(diff.missing),
                removed=len(diff.extra),
            )
    return differences
