"""Index writes through the task queue: Whoosh allows one writer, so web requests never write.

Saves and deletes inside one transaction are gathered per model and sent as one task when the
transaction commits, so a bulk import of 500 records makes one index task, not 500.
"""

from __future__ import annotations

import functools
import threading
from collections import defaultdict
from collections.abc import Iterable

from django.db import models, transaction

BATCH_SIZE = 500

_local = threading.local()


def _pending() -> dict[str, dict[str, set]]:
    if not hasattr(_local, "pending"):
        _local.pending = {"update": defaultdict(set), "remove": defaultdict(set)}
    return _local.pending


def _flush() -> None:
    from .tasks import search_remove, search_update

    pending = _pending()
    _local.pending = {"update": defaultdict(set), "remove": defaultdict(set)}
    _local.flush = None
    for label, pks in pending["update"].items():
        ordered = sorted(pks, key=str)
        for start in range(0, len(ordered), BATCH_SIZE):
            search_update.enqueue(label, [str(pk) for pk in ordered[start : start + BATCH_SIZE]])
    for label, pks in pending["remove"].items():
        ordered = sorted(pks, key=str)
        for start in range(0, len(ordered), BATCH_SIZE):
            search_remove.enqueue(label, [str(pk) for pk in ordered[start : start + BATCH_SIZE]])


def _schedule() -> None:
    # One flush per outermost transaction. No "already scheduled" flag: a rolled-back
    # transaction drops its callbacks, and a stale flag would silence indexing for good.
    connection = transaction.get_connection()
    current = getattr(_local, "flush", None)
    if (
        current is not None
        and connection.in_atomic_block
        and any(entry[1] is current for entry in connection.run_on_commit)
    ):
        return
    _local.flush = functools.partial(_flush)
    transaction.on_commit(_local.flush)


def index_later(model: type[models.Model], pks: Iterable) -> None:
    """Ask the worker to (re)index these objects once the current transaction commits."""
    pending = _pending()
    label = model._meta.label_lower
    pending["update"][label].update(pks)
    pending["remove"][label].difference_update(pending["update"][label])
    _schedule()


def unindex_later(model: type[models.Model], pks: Iterable) -> None:
    """Ask the worker to drop these objects from the index once the transaction commits."""
    pending = _pending()
    label = model._meta.label_lower
    pending["remove"][label].update(pks)
    pending["update"][label].difference_update(pending["remove"][label])
    _schedule()
