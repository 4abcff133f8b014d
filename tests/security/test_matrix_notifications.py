"""Permission matrices of one's own things: notifications (pages and API), e-mail preferences,
API tokens, /api/v1/me/ and the PUT of webhooks. A notification or token of someone else answers
404 as if missing, and a refused write changes nothing."""

import pytest
from django.urls import reverse

from accounts.services import api_token_create
from notifications.models import Notification, WebhookEndpoint
from tests.security.coverage import (
    api_statuses,
    cast,
    changed_tables,
    db_state,
    page_statuses,
)

__all__ = ["cast"]

COVERS = [
    "notifications:list",
    "notifications:unread_badge",
    "notifications:mark_read",
    "notifications:mark_all_read",
    "notifications:preferences",
    "accounts:api_tokens",
    "accounts:api_token_revoke",
    "v1_me_retrieve",
    "v1_notifications_list",
    "v1_notifications_retrieve",
    "v1_notifications_read_create",
    "v1_notifications_read_all_create",
    "v1_notification_preferences_list",
    "v1_notification_preferences_retrieve",
    "v1_notification_preferences_update",
    "v1_notification_preferences_partial_update",
    "v1_webhooks_update",
]

LOGGED_IN = [302, 200, 200, 200, 200]

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(cast):
    notification = Notification.objects.create(
        recipient=cast["member"], event_type="project.news", event_key="project.news:1", url="/"
    )
    token, _key = api_token_create(user=cast["member"], name="CI", scope="read")
    endpoint = WebhookEndpoint.objects.create(
        organisation=cast["org_a"], url="https://hooks.example.org/", secret="s", event_types=[]
    )
    return {**cast, "notification": notification, "token": token, "endpoint": endpoint}


def test_own_pages_need_a_login(client, world):
    for name in ("notifications:list", "notifications:unread_badge", "notifications:preferences"):
        assert page_statuses(client, world, "get", reverse(name)) == LOGGED_IN, name
    assert page_statuses(client, world, "get", reverse("accounts:api_tokens")) == LOGGED_IN


def test_someone_elses_notification_and_token_are_404(client, world):
    read = reverse("notifications:mark_read", kwargs={"pk": world["notification"].pk})
    revoke = reverse("accounts:api_token_revoke", kwargs={"pk": world["token"].pk})
    before = db_state()
    for url in (read, revoke):
        denied = page_statuses(client, world, "post", url, kinds=("anonymous", "other", "admin"))
        assert denied == [302, 404, 404], url
        assert page_statuses(client, world, "post", url, kinds=("staff",)) == [404]
    # marking all read touches only one's own: the member's notification stays unread
    url = reverse("notifications:mark_all_read")
    assert page_statuses(client, world, "post", url, kinds=("anonymous", "other", "admin")) == [
        302,
        302,
        302,
    ]
    assert changed_tables(before, db_state()) == []
    assert page_statuses(client, world, "post", read, kinds=("member",)) == [302]
    assert page_statuses(client, world, "post", revoke, kinds=("member",)) == [302]
    world["notification"].refresh_from_db()
    world["token"].refresh_from_db()
    assert world["notification"].read_at is not None
    assert world["token"].revoked_at is not None


def test_api_own_resources_need_a_login(api_client, world):
    for url in ("/api/v1/me/", "/api/v1/notifications/", "/api/v1/notification-preferences/"):
        assert api_statuses(api_client, world, "get", url) == [401, 200, 200, 200, 200], url
    url = "/api/v1/notification-preferences/project.news/"
    assert api_statuses(api_client, world, "get", url) == [401, 200, 200, 200, 200]


def test_api_someone_elses_notification_is_404(api_client, world):
    url = f"/api/v1/notifications/{world['notification'].pk}/"
    assert api_statuses(api_client, world, "get", url) == [401, 404, 200, 404, 404]
    before = db_state()
    assert api_statuses(
        api_client, world, "post", url + "read/", {}, ("anonymous", "other", "admin", "staff")
    ) == [401, 404, 404, 404]
    assert api_statuses(
        api_client, world, "post", "/api/v1/notifications/read-all/", {}, ("anonymous", "other")
    ) == [401, 200]
    assert changed_tables(before, db_state()) == []
    assert api_statuses(api_client, world, "post", url + "read/", {}, ("member",)) == [200]


def test_api_preferences_change_only_ones_own(api_client, world):
    url = "/api/v1/notification-preferences/project.news/"
    data = {"frequency": "off"}
    for method in ("put", "patch"):
        assert api_statuses(api_client, world, method, url, data, ("anonymous",)) == [401]
    before = db_state()
    assert api_statuses(api_client, world, "put", url, data, ("other",)) == [200]
    assert changed_tables(before, db_state()) == ["notifications.Preference"]
    # the member's own preference is untouched by the other user's change
    assert api_statuses(api_client, world, "get", url, None, ("member",)) == [200]
    api_client.force_authenticate(world["member"])
    assert api_client.get(url).json()["frequency"] != "off"


def test_api_webhook_put_matrix(api_client, world):
    url = f"/api/v1/webhooks/{world['endpoint'].pk}/"
    data = {"url": "https://evil.example.org/", "event_types": ["project.news"], "is_active": True}
    before = db_state()
    assert api_statuses(api_client, world, "put", url, data, ("anonymous", "other", "member")) == [
        401,
        404,
        404,
    ]
    assert changed_tables(before, db_state()) == []
    assert api_statuses(api_client, world, "put", url, data, ("admin", "staff")) == [200, 200]
