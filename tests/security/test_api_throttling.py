"""API throttling: one bucket per token, per browser session user, per anonymous address."""

import pytest

from accounts.services import api_token_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
ORGANISATIONS = "/api/v1/organisations/"


@pytest.fixture
def low_rates(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": "3/min", "user": "2/min", "anon": "2/min"},
    }


def _bearer(key: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def _assert_throttled(response) -> None:
    assert response.status_code == 429
    wait = int(response["Retry-After"])
    assert 1 <= wait <= 60
    assert response.json() == {
        "status": 429,
        "code": "throttled",
        "detail": f"Die Anfrage wurde gedrosselt. Erwarte Verfügbarkeit in {wait} Sekunden.",
    }


def test_each_token_has_its_own_budget(api_client, low_rates):
    # given two tokens of the same user
    user = UserFactory()
    _first, first_key = api_token_create(user=user, name="erp", scope="read")
    _second, second_key = api_token_create(user=user, name="crm", scope="read")

    # when the first spends its budget
    statuses = [api_client.get(ORGANISATIONS, **_bearer(first_key)).status_code for _ in range(3)]
    refused = api_client.get(ORGANISATIONS, **_bearer(first_key))

    # then it is refused with 429 and Retry-After, and the second token still works
    assert statuses == [200, 200, 200]
    _assert_throttled(refused)
    assert api_client.get(ORGANISATIONS, **_bearer(second_key)).status_code == 200


def test_token_budget_is_not_shared_with_the_browser_session(client, api_client, low_rates):
    user = UserFactory()
    _token, key = api_token_create(user=user, name="erp", scope="read")
    for _ in range(3):
        api_client.get(ORGANISATIONS, **_bearer(key))
    _assert_throttled(api_client.get(ORGANISATIONS, **_bearer(key)))

    client.force_login(user)
    assert [client.get(ORGANISATIONS).status_code for _ in range(3)] == [200, 200, 429]
    _assert_throttled(client.get(ORGANISATIONS))


def test_anonymous_clients_are_throttled_per_address(client, low_rates):
    here = {"REMOTE_ADDR": "203.0.113.7"}
    statuses = [client.get(ORGANISATIONS, **here).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    _assert_throttled(client.get(ORGANISATIONS, **here))
    assert client.get(ORGANISATIONS, REMOTE_ADDR="203.0.113.8").status_code == 200


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client(client, settings, low_rates):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for _ in range(2):
        client.get(ORGANISATIONS, HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy)
    _assert_throttled(client.get(ORGANISATIONS, HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy))
    # another client behind the same proxy has its own budget
    response = client.get(ORGANISATIONS, HTTP_X_FORWARDED_FOR="203.0.113.8", **proxy)
    assert response.status_code == 200


def test_throttle_classes_are_the_portals():
    from django.conf import settings

    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] == [
        "accounts.throttling.TokenRateThrottle",
        "accounts.throttling.SessionUserRateThrottle",
        "accounts.throttling.AnonRateThrottle",
    ]
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] == {
        "token": "600/min",
        "user": "600/min",
        "anon": "120/min",
    }
