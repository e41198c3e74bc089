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
