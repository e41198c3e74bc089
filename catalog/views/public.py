"""The public record page: what the library holds and whether a copy is on the shelf."""

from __future__ import annotations

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from catalog.models import Item, ItemStatus, Record
from library.accounts.models import Patron

# Copies that no longer belong to the collection are not shown to readers.
HIDDEN_STATUSES = (ItemStatus.WITHDRAWN, ItemStatus.LOST)


def record_notes(record: Record) -> list[str]:
    """The record's notes (5XX $a) without 521, which the page already shows as grades."""
    notes = []
    for entry in (record.marc or {}).get("fields", []):
        for tag, value in entry.items():
            if tag.startswith("5") and tag != "521" and isinstance(value, dict):
                notes.extend(
                    text.strip()
                    for pair in value.get("subfields", [])
                    for code, text in pair.items()
                    if code == "a" and text.strip()
                )
    return notes


def record_links(record: Record) -> list[dict]:
    """856 links as {url, text}, whatever shape the mapping stored them in."""
    links = []
    for link in record.links or []:
        if isinstance(link, str):
            url, text = link, ""
        elif isinstance(link, list | tuple) and link:
            url, text = str(link[0]), str(link[1]) if len(link) > 1 else ""
        elif isinstance(link, dict):
            url = link.get("url") or link.get("u") or ""
            text = link.get("text") or link.get("label") or link.get("y") or link.get("z") or ""
        else:
            continue
        if url.startswith(("http://", "https://")):
            links.append({"url": url, "text": text or url})
    return links


@require_GET
def record_public(request, pk: int):
    record = get_object_or_404(
        Record.objects.prefetch_related(
            Prefetch(
                "items",
                queryset=Item.objects.exclude(status__in=HIDDEN_STATUSES).select_related(
                    "location", "item_type"
                ),
            )
        ),
        pk=pk,
    )
    if record.deleted_at is not None:
        return render(request, "catalog/record_gone.html", {"record": record}, status=410)
    items = list(record.items.all())
    available = sum(1 for item in items if item.status == ItemStatus.AVAILABLE)
    reading_room = sum(1 for item in items if item.status == ItemStatus.REFERENCE_ONLY)
    context = {
        "record": record,
        "items": items,
        "available": available,
        "reading_room": reading_room,
        "links": record_links(record),
        "notes": record_notes(record),
        "is_librarian": getattr(request.user, "is_librarian", False),
        # A reader with a library card may reserve a title that has lendable copies.
        "can_hold": bool(items)
        and reading_room < len(items)
        and request.user.is_authenticated
        and Patron.objects.filter(user=request.user).exists(),
    }
    return render(request, "catalog/record_public.html", context)
