import pytest

pytestmark = pytest.mark.django_db


def test_openapi_schema_describes_the_search_api(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert "/api/v1/search/" in schema["paths"]
    names = {p["name"] for p in schema["paths"]["/api/v1/search/"]["get"]["parameters"]}
    assert {"q", "page", "sort"} <= names


def test_api_docs_use_only_local_assets(client):
    body = client.get("/api/v1/docs/").content.decode()
    assert "swagger-ui" in body
    assert "cdn." not in body and "unpkg" not in body and "jsdelivr" not in body
