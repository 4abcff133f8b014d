import pytest
from django.urls import reverse

from spinportal import health


def test_healthz_answers_without_touching_the_database(client):
    # no django_db mark: any database access would raise
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_reports_database_and_redis(client, settings):
    settings.REDIS_URL = ""
    response = client.get(reverse("readyz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "not configured"}


@pytest.mark.django_db
def test_readyz_names_an_unreachable_redis(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get(reverse("readyz"))
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["failing"] == ["redis"]
    assert body["database"] == "ok"
    assert body["redis"].startswith("ConnectionError")


@pytest.mark.django_db
def test_readyz_names_a_failing_database(client, settings, monkeypatch):
    settings.REDIS_URL = ""
    monkeypatch.setattr(health, "check_database", lambda: "OperationalError: connection refused")
    response = client.get(reverse("readyz"))
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "failing": ["database"],
        "database": "OperationalError: connection refused",
        "redis": "not configured",
    }


@pytest.mark.django_db
def test_readyz_with_real_redis(client, require_redis):
    response = client.get(reverse("readyz"))
    assert response.status_code == 200
    assert response.json()["redis"] == "ok"
