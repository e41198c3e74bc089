"""Writing the audit log: one call per change or sensitive read, inside the caller's transaction."""

from __future__ import annotations

from typing import Any

from django.db import models

from .models import AuditEntry


def audit(actor: Any, action: str, obj: models.Model | None = None, **details: Any) -> AuditEntry:
    """Record that `actor` did `action` on `obj`; details must be JSON-serialisable."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    if user is not None:
        label = getattr(user, "full_name", "") or user.get_username()
    elif actor is None or not getattr(actor, "is_authenticated", True):
        label = "anonymous"
    else:
        label = str(actor)
    entry = AuditEntry(
        actor=user,
        actor_label=label[:200],
        action=action,
        details=details,
    )
    if obj is not None:
        entry.object_type = obj._meta.label_lower
        entry.object_id = str(obj.pk)
        entry.object_repr = str(obj)[:300]
    entry.save()
    return entry
