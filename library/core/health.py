"""State of the parts the site needs: database, search index, task queue."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.utils import timezone


def database_state() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return {"ok": False, "error": str(exc)}
    return {"ok": True, "vendor": connection.vendor}


def search_state() -> dict[str, Any]:
    from haystack import connections

    try:
        backend = connections["default"].get_backend()
        if not backend.setup_complete:
            backend.setup()
        ix = backend.index.refresh()
        with ix.searcher() as searcher:
            documents = searcher.doc_count()
    except Exception as exc:
        return {"ok": False, "error": str(exc)}
    return {"ok": True, "documents": documents}


def queue_state() -> dict[str, Any]:
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    try:
        ready = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
        oldest = ready.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
        state = {
            "ok": True,
            "ready": ready.count(),
            "running": DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).count(),
            "failed": DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).count(),
            "oldest_ready_seconds": (
                round((timezone.now() - oldest).total_seconds(), 1) if oldest else 0
            ),
        }
    except Exception as exc:
        return {"ok": False, "error": str(exc)}
    return state


def health() -> dict[str, Any]:
    parts = {
        "database": database_state(),
        "search": search_state(),
        "tasks": queue_state(),
    }
    return {"ok": all(part["ok"] for part in parts.values()), **parts}
