"""The search page and its autocomplete endpoint: read the request, call the selectors."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from . import selectors


def _page_number(value) -> int:
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return 1


def _params_without(request: HttpRequest, *names: str) -> list[tuple[str, str]]:
    return [(k, v) for k, values in request.GET.lists() for v in values if k not in names]


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """Anyone may search; what they find is limited to what they may see."""
    q = request.GET.get("q", "").strip()
    if q and request.GET.get("page") is None and not request.GET.get("exact"):
        target = selectors.direct_hit_url(q)
        if target:
            return redirect(target)
    filters = selectors.clean_filters(request.GET, request.user)
    result = selectors.search(
        request.user,
        q,
        filters=filters,
        sort=request.GET.get("sort", "relevance"),
        page=_page_number(request.GET.get("page")),
        year_from=request.GET.get("year_from"),
        year_to=request.GET.get("year_to"),
    )
    base = _params_without(request, "page")
    facet_links = []
    for facet in result.facets:
        links = []
        for value in facet.values:
            if value.selected:
                params = [(k, v) for k, v in base if not (k == facet.name and v == value.value)]
            else:
                params = [*base, (facet.name, value.value)]
            links.append((value, "?" + urlencode(params)))
        facet_links.append((facet, links))
    context = {
        "result": result,
        "q": q,
        "facet_links": facet_links,
        "shelf": selectors.shelf_neighbours(q) if q else [],
        "sorts": selectors.SORT_LABELS.items(),
        "hidden_params": [(k, v) for k, v in base if k not in ("q", "sort")],
        "page_query": urlencode(base),
        "suggestion_query": urlencode([(k, v) for k, v in base if k != "q"]),
    }
    return render(request, "discovery/search.html", context)


@require_GET
def autocomplete(request: HttpRequest) -> JsonResponse:
    """Titles and authors for the search box as the user types (public data only for guests)."""
    items = selectors.autocomplete(request.user, request.GET.get("q", ""))
    return JsonResponse(
        {
            "results": [
                {"kind": i["kind"], "value": i["value"], "html": str(i["html"])} for i in items
            ]
        }
    )
