"""`/api/v1/search/`: the search page as JSON, in the shape partners rely on (DESIGN.md)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors


class SearchApi(APIView):
    """GET ?q=&page=&sort=&<facet>=…: results the caller may see, facets and a suggestion."""

    renderer_classes = [JSONRenderer]

    class InputSerializer(serializers.Serializer):
        q = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")
        page = serializers.IntegerField(required=False, min_value=1, max_value=500, default=1)
        sort = serializers.ChoiceField(
            choices=list(selectors.SORT_LABELS), required=False, default="relevance"
        )
        year_from = serializers.IntegerField(required=False, min_value=1, max_value=9999)
        year_to = serializers.IntegerField(required=False, min_value=1, max_value=9999)

    @extend_schema(parameters=[InputSerializer], responses=OpenApiTypes.OBJECT)
    def get(self, request):
        params = self.InputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        result = selectors.search(
            request.user,
            data["q"],
            filters=selectors.clean_filters(request.query_params, request.user),
            sort=data["sort"],
            page=data["page"],
            year_from=data.get("year_from"),
            year_to=data.get("year_to"),
        )
        body = {
            "count": result.count,
            "page": result.page,
            "num_pages": result.num_pages,
            "results": [_result(r) for r in result.results],
            "facets": {
                f.name: [{"value": v.value, "label": v.label, "count": v.count} for v in f.values]
                for f in result.facets
            },
        }
        if result.suggestion:
            body["suggestion"] = result.suggestion
        return Response(body)


def _result(entry: dict) -> dict:
    out = {
        "kind": entry["kind"],
        "id": entry["id"],
        "title": entry["title"],
        "url": entry["url"],
        "authors": entry.get("authors", []),
        "year": entry.get("year"),
        "type": entry.get("type", ""),
    }
    if entry.get("snippet"):
        out["snippet"] = str(entry["snippet"])
    if entry["kind"] == "record":
        out["availability"] = {
            "available": entry["items_available"],
            "total": entry["items_total"],
            "locations": entry["locations"],
            "call_numbers": entry["call_numbers"],
        }
    else:
        out["pages"] = [p["number"] for p in entry.get("pages", [])]
        if entry.get("pages"):
            out["page"] = entry.get("snippet_page") or entry["pages"][0]["number"]
            out["page_urls"] = [p["url"] for p in entry["pages"]]
    return out
