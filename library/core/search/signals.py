"""Haystack signal processor that queues index writes instead of doing them in the request."""

from __future__ import annotations

from django.db.models import signals
from haystack import connections
from haystack.exceptions import NotHandled
from haystack.signals import BaseSignalProcessor

from .queue import index_later, unindex_later


def _is_indexed(model) -> bool:
    try:
        connections["default"].get_unified_index().get_index(model)
    except NotHandled:
        return False
    return True


def _dependents(model) -> list[tuple[type, str]]:
    """Indexed models whose documents show data of `model` (an index's `reindex_on`)."""
    label = model._meta.label_lower
    found = []
    for index in connections["default"].get_unified_index().get_indexes().values():
        attr = getattr(index, "reindex_on", {}).get(label)
        if attr:
            found.append((index.get_model(), attr))
    return found


def _follow(instance, path: str):
    """`instance.a.b` for the dotted path "a.b"; None when a link on the way is empty."""
    value = instance
    for name in path.split("."):
        value = getattr(value, name, None)
        if value is None:
            return None
    return value


def _queue_dependents(sender, instance) -> None:
    for model, attr in _dependents(sender):
        pk = _follow(instance, attr)
        if pk is not None:
            index_later(model, [pk])


class QueuedSignalProcessor(BaseSignalProcessor):
    def setup(self):
        signals.post_save.connect(self.handle_save)
        signals.post_delete.connect(self.handle_delete)

    def teardown(self):
        signals.post_save.disconnect(self.handle_save)
        signals.post_delete.disconnect(self.handle_delete)

    def handle_save(self, sender, instance, **kwargs):
        if kwargs.get("raw"):
            return
        if not _is_indexed(sender):
            _queue_dependents(sender, instance)
            return
        index_later(sender, [instance.pk])

    def handle_delete(self, sender, instance, **kwargs):
        if not _is_indexed(sender):
            _queue_dependents(sender, instance)
            return
        unindex_later(sender, [instance.pk])
