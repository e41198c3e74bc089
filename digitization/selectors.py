"""Reads of the digitisation app: who may open what, and search inside one resource."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.http import Http404
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from library.core.access import viewer_for
from library.core.vietnamese import fold

from .models import DigitalResource, FileRole, Page, ProcessingStatus

SNIPPET_RADIUS = 90
MAX_HITS = 200


def resource_for(who: Any, pk: int) -> DigitalResource:
    """The resource if `who` may open it; otherwise 404, so restricted ones are never revealed."""
    try:
        return DigitalResource.objects.visible_to(who).select_related("record").get(pk=pk)
    except DigitalResource.DoesNotExist:
        raise Http404 from None


def resource_for_staff(who: Any, pk: int) -> DigitalResource:
    """Staff pages (status, appraisal) exist only for librarians: anyone else gets a 404."""
    if not viewer_for(who).is_staff:
        raise Http404
    return resource_for(who, pk)


def can_download(who: Any, resource: DigitalResource) -> bool:
    """Open to `who` (checked by the caller) and the licence allows copies; staff always may."""
    return viewer_for(who).is_staff or resource.allows_download


def resource_file(resource: DigitalResource, role: str):
    return resource.files.filter(role=role).first()


def resource_original(resource: DigitalResource):
    return resource_file(resource, FileRole.ORIGINAL)


def resource_thumbnail(resource: DigitalResource):
    return resource_file(resource, FileRole.THUMBNAIL)


def resources_for_staff(*, status: str | None = None):
    queryset = DigitalResource.objects.live().select_related("record", "created_by")
    if status:
        queryset = queryset.filter(processing_status=status)
    return queryset


def resource_status(resource: DigitalResource) -> dict:
    """What the status page polls: JSON-serialisable processing state."""
    resource.refresh_from_db()
    return {
        "id": resource.pk,
        "status": resource.processing_status,
        "status_label": str(ProcessingStatus(resource.processing_status).label),
        "step": resource.processing_step,
        "done": resource.progress_done,
        "total": resource.progress_total,
        "percent": resource.progress_percent,
        "error": resource.processing_error,
        "warning": resource.processing_warning,
        "page_count": resource.page_count,
        "finished": resource.processing_status in (ProcessingStatus.READY, ProcessingStatus.FAILED),
    }


# --- search inside a resource --------------------------------------------------------------


def query_terms(q: str) -> list[str]:
    """Folded words of a query: "phân số" and "phan so" give the same terms."""
    return [term for term in re.findall(r"\w+", fold(q or "")) if term]


def _folded_with_map(text: str) -> tuple[str, list[int]]:
    # Fold character by character so every folded position points back into the original.
    chars: list[str] = []
    origin: list[int] = []
    for index, ch in enumerate(text):
        folded = fold(ch)
        chars.append(folded)
        origin.extend([index] * len(folded))
    return "".join(chars), origin


def _term_pattern(terms: list[str]) -> re.Pattern:
    alternatives = "|".join(re.escape(t) for t in sorted(set(terms), key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def match_spans(text: str, terms: list[str]) -> list[tuple[int, int]]:
    """Spans of the original text whose folded words equal one of the terms."""
    if not terms or not text:
        return []
    folded, origin = _folded_with_map(text)
    spans = []
    for match in _term_pattern(terms).finditer(folded):
        start, end = match.span()
        if end > start:
            spans.append((origin[start], origin[end - 1] + 1))
    return spans


def highlight(
    text: str, terms: list[str], spans: list[tuple[int, int]] | None = None
) -> SafeString:
    """The text as HTML with each matched word in <mark>, matched without tone marks too."""
    spans = match_spans(text, terms) if spans is None else spans
    out, position = [], 0
    for start, end in spans:
        out.append(escape(text[position:start]))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        position = end
    out.append(escape(text[position:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece is escaped above


@dataclass(frozen=True)
class PageHit:
    number: int
    count: int
    snippet: SafeString


def _snippet(text: str, spans: list[tuple[int, int]]) -> SafeString:
    first_start, _first_end = spans[0]
    start = max(0, first_start - SNIPPET_RADIUS)
    end = min(len(text), first_start + SNIPPET_RADIUS)
    # Cut at spaces, not inside a word.
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < first_start else start
    if end < len(text):
        space = text.rfind(" ", first_start, end)
        end = space if space > first_start else end
    inside = [(s - start, e - start) for s, e in spans if s >= start and e <= end]
    body = highlight(text[start:end].replace("\n", " "), [], inside)
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(text) else ""
    return mark_safe(f"{prefix}{body}{suffix}")  # noqa: S308 - body is escaped


def resource_page_hits(resource: DigitalResource, q: str) -> list[PageHit]:
    """Pages holding every word of `q` (accent-insensitive), in page order, with a snippet."""
    terms = query_terms(q)
    if not terms:
        return []
    hits = []
    wanted = set(terms)
    for number, text in (
        Page.objects.filter(resource=resource).order_by("number").values_list("number", "text")
    ):
        spans = match_spans(text, terms)
        if not spans:
            continue
        found = {fold(text[s:e]) for s, e in spans}
        if not wanted <= found:
            continue
        hits.append(PageHit(number=number, count=len(spans), snippet=_snippet(text, spans)))
        if len(hits) >= MAX_HITS:
            break
    return hits


def resource_page(resource: DigitalResource, number: int) -> Page | None:
    return Page.objects.filter(resource=resource, number=number).first()
