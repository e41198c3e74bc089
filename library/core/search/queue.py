"""Index writes through the task queue: Whoosh allows one writer, so web requests never write.

Saves and deletes inside one transaction are gathered per model and sent as one task when the
transaction commits, so a bulk import of 500 records makes one index task, not 500. The
gathered keys live in the on-commit callback itself: when the transaction rolls back, Django
drops the callback and the keys with it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db import models, transaction

BATCH_SIZE = 500


class _Batch:
    """The index changes of one transaction, sent to the queue when it commits."""

    def __init__(self) -> None:
        self.update: dict[str, set] = defaultdict(set)
        self.remove: dict[str, set] = defaultdict(set)
        self.sent = False

    def add(self, label: str, pks: Iterable, *, remove: bool) -> None:
        keys = {str(pk) for pk in pks}
        target, other = (self.remove, self.update) if remove else (self.update, self.remove)
        target[label] |= keys
        other[label] -= keys

    def __call__(self) -> None:
        from .tasks import search_remove, search_update

        if self.sent:
            return
        self.sent = True

        for task, changes in ((search_update, self.update), (search_remove, self.remove)):
            for label, keys in changes.items():
                ordered = sorted(keys, key=lambda k: (len(k), k))
                for start in range(0, len(ordered), BATCH_SIZE):
                    task.enqueue(label, ordered[start : start + BATCH_SIZE])


def _current_batch() -> _Batch:
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        for entry in reversed(connection.run_on_commit):
            if isinstance(entry[1], _Batch) and not entry[1].sent:
                return entry[1]
        batch = _Batch()
        transaction.on_commit(batch)
        return batch
    # Autocommit: the change is already committed, send it now.
    return _Batch()


def _queue(model: type[models.Model], pks: Iterable, *, remove: bool) -> None:
    batch = _current_batch()
    batch.add(model._meta.label_lower, pks, remove=remove)
    if not transaction.get_connection().in_atomic_block:
        batch()


def flush() -> None:
    """Send the current transaction's gathered index changes now instead of at commit.

    For tests, whose transaction never commits; the callback left behind sends nothing twice.
    """
    connection = transaction.get_connection()
    for entry in connection.run_on_commit:
        if isinstance(entry[1], _Batch):
            entry[1]()


def index_later(model: type[models.Model], pks: Iterable) -> None:
    """Ask the worker to (re)index these objects once the current transaction commits."""
    _queue(model, pks, remove=False)


def unindex_later(model: type[models.Model], pks: Iterable) -> None:
    """Ask the worker to drop these objects from the index once the transaction commits."""
    _queue(model, pks, remove=True)
