import pytest

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_search_and_queue(client, search_index):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True
    assert body["database"]["ok"] and body["search"]["ok"] and body["tasks"]["ok"]
    assert body["search"]["documents"] == 0
    assert body["tasks"]["ready"] == 0


def test_healthz_says_which_part_is_broken(client, settings, tmp_path):
    from haystack import connections

    blocked = tmp_path / "not-a-dir"
    blocked.write_text("x")
    settings.HAYSTACK_CONNECTIONS = {
        "default": {**settings.HAYSTACK_CONNECTIONS["default"], "PATH": str(blocked / "ix")}
    }
    connections.reload("default")
    try:
        response = client.get("/healthz")
    finally:
        connections.reload("default")
    assert response.status_code == 503
    assert response.json()["search"]["ok"] is False
    assert response.json()["database"]["ok"] is True
