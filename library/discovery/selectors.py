"""Reads for search: one results page (hits, facets, counts, suggestion), autocomplete,
direct hits (an ISBN or a barcode typed alone) and shelf neighbours of a call number."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.utils.translation import gettext_lazy as _
from whoosh import query as wq

from library.core.access import AccessLevel, viewer_for, visible_levels

from . import engine
from .highlight import highlight, snippet, terms_pattern
from .query import ParsedQuery, parse_query
from .suggest import suggestion

PER_PAGE = 20
FEW_RESULTS = 3
MAX_PAGE = 500
FACETS = (
    "kind",
    "record_type",
    "resource_type",
    "mon_hoc",
    "grade_levels",
    "textbook_series",
    "series",
    "languages",
    "year_facet",
    "locations",
    "availability",
    "source_node",
    "access_level",
)
STAFF_FACETS = ("access_level",)
FACET_TITLES = {
    "kind": _("Loại kết quả"),
    "record_type": _("Dạng tài liệu"),
    "resource_type": _("Loại học liệu"),
    "mon_hoc": _("Môn học"),
    "grade_levels": _("Khối lớp"),
    "textbook_series": _("Bộ sách"),
    "series": _("Tùng thư"),
    "languages": _("Ngôn ngữ"),
    "year_facet": _("Năm xuất bản"),
    "locations": _("Kho, vị trí"),
    "availability": _("Tình trạng"),
    "source_node": _("Trường nguồn"),
    "access_level": _("Mức truy cập"),
}
KIND_LABELS = {
    "record": _("Sách, tài liệu"),
    "resource": _("Học liệu số"),
    "page": _("Trang trong học liệu"),
}
AVAILABILITY_LABELS = {"available": _("Có sẵn ngay"), "unavailable": _("Đã cho mượn hết")}
RECORD_TYPE_LABELS = {
    "book": _("Sách"),
    "serial": _("Báo, tạp chí"),
    "manuscript": _("Bản thảo"),
    "music": _("Âm nhạc"),
    "sound": _("Âm thanh"),
    "map": _("Bản đồ"),
    "video": _("Video"),
    "image": _("Hình ảnh"),
    "computer file": _("Tệp máy tính"),
    "kit": _("Bộ tài liệu"),
    "mixed": _("Tài liệu hỗn hợp"),
    "object": _("Hiện vật"),
    "other": _("Khác"),
}
LANGUAGE_LABELS = {"vie": _("Tiếng Việt"), "eng": _("Tiếng Anh"), "fre": _("Tiếng Pháp")}
SORT_LABELS = {
    "relevance": _("Phù hợp nhất"),
    "title": _("Nhan đề (A–Z)"),
    "newest": _("Mới nhất"),
    "borrowed": _("Mượn nhiều nhất"),
}
_BARCODE_RE = re.compile(r"^[A-Za-z]{0,6}\d{3,}[A-Za-z0-9-]*$")
_ISBN_RE = re.compile(r"^(?:97[89][-\s]?)?[\d][\d\s-]{7,}[\dXx]$")


def _choice_labels(name: str) -> dict[str, str]:
    try:
        from digitization.models import choices
    except ImportError:  # pragma: no cover - digitization is installed with the site
        return {}
    source = {
        "mon_hoc": "MonHoc",
        "resource_type": "ResourceType",
        "textbook_series": "TextbookSeries",
    }.get(name)
    enum = getattr(choices, source, None) if source else None
    return dict(enum.choices) if enum else {}


def facet_label(name: str, value: str) -> str:
    if name == "kind":
        return str(KIND_LABELS.get(value, value))
    if name == "availability":
        return str(AVAILABILITY_LABELS.get(value, value))
    if name == "access_level":
        return str(dict(AccessLevel.choices).get(value, value))
    if name == "languages":
        return str(LANGUAGE_LABELS.get(value, value))
    if name == "record_type":
        return str(RECORD_TYPE_LABELS.get(value, value))
    if name == "grade_levels":
        return str(_("Lớp %(n)s") % {"n": value})
    return str(_choice_labels(name).get(value, value))


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class Facet:
    name: str
    title: str
    values: list[FacetValue]


@dataclass
class SearchPage:
    query: str
    parsed: ParsedQuery
    sort: str
    page: int
    count: int
    results: list[dict] = field(default_factory=list)
    facets: list[Facet] = field(default_factory=list)
    filters: dict[str, list[str]] = field(default_factory=dict)
    year_from: int | None = None
    year_to: int | None = None
    suggestion: str | None = None
    kind_counts: dict[str, int] = field(default_factory=dict)

    @property
    def num_pages(self) -> int:
        return max(1, min(MAX_PAGE, math.ceil(self.count / PER_PAGE)))

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def clean_filters(params, who) -> dict[str, list[str]]:
    """Facet choices from request parameters; staff-only facets are ignored for others."""
    staff = viewer_for(who).is_staff
    filters = {}
    for name in FACETS:
        if name in STAFF_FACETS and not staff:
            continue
        values = [v.strip()[:200] for v in params.getlist(name) if v.strip()][:20]
        if values:
            filters[name] = values
    return filters


def _int_or_none(value) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 10000 else None


def _record_result(fields: dict) -> dict:
    pk = fields.get("django_id")
    authors = [a for a in (fields.get("authors_display") or "").split("\n") if a]
    return {
        "kind": "record",
        "id": int(pk) if pk and pk.isdigit() else pk,
        "title": fields.get("display_title") or "",
        "url": fields.get("url") or f"/records/{pk}/",
        "authors": authors,
        "year": fields.get("year"),
        "type": fields.get("record_type") or "",
        "cover": fields.get("cover") or "",
        "items_total": fields.get("items_total") or 0,
        "items_available": fields.get("items_available") or 0,
        "locations": [v for v in (fields.get("locations") or "").split("\n") if v],
        "call_numbers": [v for v in (fields.get("call_numbers") or "").split("\n") if v],
        "_snippet_text": fields.get("notes") or fields.get("text") or "",
    }


def _group(hits, pattern, q_text: str, *, shown: slice) -> list[dict]:
    """Records stay as they are; a resource and its pages become one entry.

    Titles are highlighted and snippets cut only for the entries in `shown` (the page).
    """
    results: list[dict] = []
    groups: dict[str, dict] = {}
    for hit in hits:
        fields = hit.fields
        kind = fields.get("kind")
        if kind not in ("resource", "page"):
            results.append(_record_result(fields))
            continue
        rid = fields.get("resource_id") or fields.get("django_id")
        entry = groups.get(rid)
        if entry is None:
            entry = {
                "kind": "resource",
                "id": int(rid) if str(rid).isdigit() else rid,
                "title": fields.get("display_title") or "",
                "url": f"/resources/{rid}/",
                "authors": [a for a in (fields.get("authors_display") or "").split("\n") if a],
                "year": fields.get("year"),
                "type": fields.get("resource_type") or "",
                "cover": fields.get("cover") or "",
                "access_level": fields.get("access_level") or "",
                "_snippet_text": "",
                "pages": [],
                "resource_matched": False,
            }
            groups[rid] = entry
            results.append(entry)
        if kind == "resource":
            entry["resource_matched"] = True
            entry["title"] = fields.get("display_title") or entry["title"]
            if not entry["_snippet_text"]:
                entry["_snippet_text"] = fields.get("text") or ""
        elif kind == "page" and not entry["_snippet_text"]:
            entry["_snippet_text"] = fields.get("page_text") or ""
            entry["snippet_page"] = fields.get("page_number")
    for entry in results:
        if entry["kind"] == "resource" and not entry["resource_matched"]:
            entry["kind"] = "page"
    page = results[shown]
    for entry in page:
        text = entry.pop("_snippet_text")
        entry["title_html"] = highlight(entry["title"], pattern)
        entry["snippet"] = snippet(text, pattern) if pattern or entry["kind"] == "page" else ""
    return page


def _reader_url(rid, number: int, q_text: str) -> str:
    params = {"page": number}
    if q_text:
        params["q"] = q_text
    return f"/resources/{rid}/read/?{urlencode(params)}"


def _group_count(matched, kind_counts: dict[str, int]) -> int:
    """Records plus distinct resources (a resource and its pages count once)."""
    other = sum(n for kind, n in kind_counts.items() if kind not in ("resource", "page"))
    if not (kind_counts.get("resource") or kind_counts.get("page")):
        return other
    return other + engine.distinct_values(matched, "resource_id")


def search(
    who,
    q: str,
    *,
    filters: dict[str, list[str]] | None = None,
    sort: str = "relevance",
    page: int = 1,
    year_from=None,
    year_to=None,
) -> SearchPage:
    """One page of results that `who` may see, with facet counts, for the search box text `q`."""
    parsed = parse_query(q)
    sort = sort if sort in engine.SORTS else "relevance"
    page = max(1, min(MAX_PAGE, page))
    filters = filters or {}
    year_from, year_to = _int_or_none(year_from), _int_or_none(year_to)
    result = SearchPage(
        query=q, parsed=parsed, sort=sort, page=page, count=0, filters=filters,
        year_from=year_from, year_to=year_to,
    )  # fmt: skip
    if parsed.is_empty and not filters and not (year_from or year_to):
        return result
    with engine.searching() as s:
        _fill(s, result, who, parsed, filters, sort, page, year_from, year_to, q)
    return result


def _fill(s, result, who, parsed, filters, sort, page, year_from, year_to, q) -> None:
    staff = viewer_for(who).is_staff
    whoosh_q = engine.build_query(
        s.schema,
        parsed,
        levels=visible_levels(who),
        filters=filters,
        year_from=year_from,
        year_to=year_to,
    )
    facet_names = [f for f in FACETS if staff or f not in STAFF_FACETS]
    pattern = terms_pattern(parsed.positive_text)
    wanted = page * PER_PAGE
    # Pages of one resource collapse into one entry: ask for enough hits to fill the page.
    limit = wanted * 4 + 20
    while True:
        # One scored pass: the hits for this page and every match for the counts.
        hits, matched = engine.run(s, whoosh_q, limit=limit, sort=sort)
        if len(hits) < limit or limit > 4000:
            break
        kinds = {h.fields.get("kind") for h in hits}
        if not kinds & {"resource", "page"}:
            break  # records only: one hit per result, the page is full
        grouped_ids = {h.fields.get("resource_id") or h.fields.get("django_id") for h in hits}
        if len(grouped_ids) >= wanted:
            break
        limit *= 4
    counts = engine.facet_counts(matched, facet_names)
    result.kind_counts = dict(counts["kind"])
    result.count = _group_count(matched, result.kind_counts)
    grouped = _group(hits, pattern, q, shown=slice(wanted - PER_PAGE, wanted))
    result.results = grouped
    resource_ids = [str(r["id"]) for r in result.results if r["kind"] in ("resource", "page")]
    if resource_ids:
        pages = engine.pages_of(matched, resource_ids)
        for entry in result.results:
            if entry["kind"] in ("resource", "page"):
                numbers = pages.get(str(entry["id"]), [])
                entry["pages"] = [
                    {"number": n, "url": _reader_url(entry["id"], n, q)} for n in numbers
                ]

    for name in facet_names:
        selected = set(filters.get(name, []))
        values = [
            FacetValue(value, facet_label(name, value), n, value in selected)
            for value, n in counts[name].items()
        ]
        if not values:
            continue
        if name == "year_facet":
            values.sort(key=lambda v: v.value, reverse=True)
        else:
            values.sort(key=lambda v: (-v.count, v.label))
        result.facets.append(Facet(name, str(FACET_TITLES[name]), values[:30]))

    words = list(parsed.words)
    if words and (result.count < FEW_RESULTS or any(w.isascii() for w in words)):
        # Only restoring marks (a dictionary lookup) or, when few results came back,
        # correcting misspellings; nothing for an accented query with plenty of hits.
        result.suggestion = suggestion(s, words, few_results=result.count < FEW_RESULTS)


def autocomplete(who, prefix: str, *, limit: int = 8) -> list[dict]:
    """Titles and authors starting with what was typed (folded, so "toan l" finds "Toán lớp")."""
    tokens = engine._tokens(engine._FOLD, prefix or "")
    if not tokens or len(tokens[-1]) < 1 or len(prefix) > 200:
        return []
    with engine.searching() as s:
        return _autocomplete(s, who, tokens, limit)


def _autocomplete(s, who, tokens: list[str], limit: int) -> list[dict]:
    access = engine.access_clause(visible_levels(who))
    kinds = wq.Or([wq.Term("kind", "record"), wq.Term("kind", "resource")])
    out: list[dict] = []
    seen: set[str] = set()
    for name, label in (("title", "title"), ("authors", "author")):
        if name not in s.schema:
            continue
        parts: list[wq.Query] = [wq.Term(name, t) for t in tokens[:-1]]
        parts.append(wq.Prefix(name, tokens[-1]))
        q = wq.And([*parts, access, kinds])
        pattern = terms_pattern([" ".join(tokens)])
        for hit in s.search(q, limit=limit * 2):
            if label == "title":
                values = [hit.get("display_title") or ""]
            else:
                values = (hit.get("authors_display") or "").split("\n")
            for value in values:
                folded = " ".join(engine._tokens(engine._FOLD, value))
                if not value or folded in seen:
                    continue
                if label == "author" and not _starts_words(folded, tokens):
                    continue
                seen.add(folded)
                out.append({"kind": label, "value": value, "html": highlight(value, pattern)})
            if len(out) >= limit:
                break
    return out[:limit]


def _starts_words(folded: str, tokens: list[str]) -> bool:
    words = folded.split()
    return all(any(w.startswith(t) for w in words) for t in tokens)


def direct_hit_url(q: str) -> str | None:
    """An ISBN or an item barcode typed alone leads straight to its record."""
    from catalog.marc.isbn import to_isbn13
    from catalog.models import Item, Record

    text = (q or "").strip()
    if not text or len(text) > 40:
        return None
    if _ISBN_RE.match(text):
        isbn = to_isbn13(text)
        if isbn:
            record = (
                Record.objects.discoverable().filter(isbn_rows__isbn=isbn).order_by("-year").first()
            )
            if record:
                return record.get_absolute_url()
    if " " not in text and _BARCODE_RE.match(text):
        item = (
            Item.objects.filter(barcode__iexact=text, record__deleted_at__isnull=True)
            .select_related("record")
            .first()
        )
        if item:
            return item.record.get_absolute_url()
    return None


def shelf_neighbours(q: str, *, span: int = 5) -> list[dict]:
    """When `q` is a call number on the shelves, the copies beside it, in shelf order."""
    from catalog.models import Item, ItemStatus

    text = " ".join((q or "").split())
    if not text or len(text) > 100 or not any(ch.isdigit() for ch in text):
        return []
    shelf = Item.objects.filter(record__deleted_at__isnull=True).exclude(
        status=ItemStatus.WITHDRAWN
    )
    if not shelf.filter(call_number__iexact=text).exists():
        return []
    fields = ("call_number", "record_id", "record__title", "location__name")
    before = list(
        shelf.filter(call_number__lt=text)
        .order_by("-call_number", "-barcode")
        .values(*fields)[: span * 3]
    )
    here_after = list(
        shelf.filter(call_number__gte=text)
        .order_by("call_number", "barcode")
        .values(*fields)[: span * 3 + 1]
    )
    rows = list(reversed(_distinct_records(before, span))) + _distinct_records(here_after, span + 1)
    return [
        {
            "call_number": row["call_number"],
            "title": row["record__title"],
            "url": f"/records/{row['record_id']}/",
            "location": row["location__name"] or "",
            "current": row["call_number"].lower() == text.lower(),
        }
        for row in rows
    ]


def _distinct_records(rows, limit: int) -> list[dict]:
    seen, out = set(), []
    for row in rows:
        if row["record_id"] in seen:
            continue
        seen.add(row["record_id"])
        out.append(row)
        if len(out) >= limit:
            break
    return out
