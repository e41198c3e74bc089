"""The index tasks: the only code that writes to the search index while the site runs."""

from __future__ import annotations

from django.apps import apps
from django_tasks import task
from haystack import connections
from haystack.exceptions import NotHandled


def _index_for(label: str):
    model = apps.get_model(label)
    try:
        return model, connections["default"].get_unified_index().get_index(model)
    except NotHandled:
        return model, None


@task()
def search_update(label: str, pks: list[str]) -> int:
    """Reindex the given objects; those gone from the database (or from the index's queryset) are removed."""
    model, search_index = _index_for(label)
    if search_index is None:
        return 0
    backend = connections["default"].get_backend()
    objects = list(search_index.index_queryset().filter(pk__in=pks))
    found = {str(obj.pk) for obj in objects}
    if objects:
        backend.update(search_index, objects)
    gone = sorted(set(pks) - found)
    if gone:
        backend.remove_many([f"{label}.{pk}" for pk in gone])
    return len(objects)


@task()
def search_remove(label: str, pks: list[str]) -> int:
    """Drop the given objects from the index."""
    model, search_index = _index_for(label)
    if search_index is None:
        return 0
    connections["default"].get_backend().remove_many([f"{label}.{pk}" for pk in pks])
    return len(pks)


#: Records read, prepared and handed to the writer at a time by `search_update_ranges` (small
#: steps: the writer processes wait for nothing while this one reads).
RANGE_CHUNK = 1000


@task()
def search_update_ranges(label: str, ranges: list[list[int]]) -> int:
    """Reindex the objects whose primary keys fall in these [first, last] ranges, in one
    writer (shared between processes when there are many); objects of the ranges that are
    gone from the index's queryset (deleted records) leave the index.

    Large imports send their committed records this way once the file is read: ranges keep
    the task small however many records it covers.
    """
    model, search_index = _index_for(label)
    if search_index is None:
        return 0
    candidates = [pk for first, last in ranges for pk in range(int(first), int(last) + 1)]
    queryset = search_index.index_queryset()
    backend = connections["default"].get_backend()

    def batches():
        for start in range(0, len(candidates), RANGE_CHUNK):
            chunk = candidates[start : start + RANGE_CHUNK]
            objects = list(queryset.filter(pk__in=chunk).order_by("pk"))
            if objects:
                yield backend.prepare_documents(search_index, objects)

    return backend.write_stream({f"{label}.{pk}" for pk in candidates}, batches())
