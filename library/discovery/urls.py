from django.urls import path

from . import api, views

app_name = "discovery"

urlpatterns = [
    path("search/", views.search, name="search"),
    path("search/autocomplete/", views.autocomplete, name="autocomplete"),
    path("api/v1/search/", api.SearchApi.as_view(), name="api-search"),
]
