import pytest

from accounts.models import User
from notifications.models import Notification, Preference, WebhookDelivery, WebhookEndpoint
from notifications.services import notify
from spinportal.models import AuditRecord
from tests.factories import OrganisationFactory, UserFactory

# Endpoints whose permission matrix this module asserts (tests/security/coverage.py).
COVERS = [
    "v1_webhooks_list",
    "v1_webhooks_retrieve",
    "v1_webhooks_create",
    "v1_webhooks_partial_update",
    "v1_webhooks_destroy",
    "v1_webhooks_deliveries_list",
    "v1_webhooks_ping_create",
    "v1_webhooks_rotate_secret_create",
]

pytestmark = pytest.mark.django_db

KINDS = ["anonymous", "other_partner", "member", "admin", "staff"]


@pytest.fixture(autouse=True)
def _english(api_client):
    api_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def people(other_partner, org_member, org_admin, staff):
    return dict(zip(KINDS, [None, other_partner, org_member, org_admin, staff], strict=True))


@pytest.fixture
def endpoint(organisation):
    return WebhookEndpoint.objects.create(
        organisation=organisation,
        url="https://hooks.example.org/spin",
        event_types=["project.news"],
        secret="whsec_original",
    )


def _event(user, key="1"):
    return notify(
        event_type="project.news",
        recipients=[user],
        event_key=key,
        url="/projects/diane/",
        context={"project": "DIANE", "title": "Kick-off"},
    )


def _as(api_client, user):
    api_client.force_authenticate(user)
    return api_client


# --- notifications -----------------------------------------------------------------------------


def test_notifications_are_own_and_filterable(api_client, user, django_assert_num_queries):
    for key in range(3):
        _event(user, key=str(key))
    _event(UserFactory(), key="other")
    Notification.objects.filter(event_key="project.news:0").update(read_at="2026-01-01T00:00Z")
    _as(api_client, user)
    # count, page of notifications with their actors
    with django_assert_num_queries(2):
        response = api_client.get("/api/v1/notifications/")
    assert response.status_code == 200
    assert response.json()["count"] == 3
    first = response.json()["results"][0]
    assert {k: first[k] for k in ("event_type", "text", "url", "actor", "is_read")} == {
        "event_type": "project.news",
        "text": "DIANE: Kick-off",
        "url": "/projects/diane/",
        "actor": None,
        "is_read": False,
    }
    unread = api_client.get("/api/v1/notifications/?unread=true").json()
    assert unread["count"] == 2
    assert api_client.get("/api/v1/notifications/?unread=perhaps").status_code == 400


def test_mark_one_and_all_read(api_client, user, other_partner):
    mine = [_event(user, key=str(k))[0] for k in range(3)]
    foreign = _event(other_partner, key="x")[0]
    _as(api_client, user)
    response = api_client.post(f"/api/v1/notifications/{mine[0].pk}/read/")
    assert (response.status_code, response.json()["is_read"]) == (200, True)
    # someone else's notification does not exist for this user
    assert api_client.post(f"/api/v1/notifications/{foreign.pk}/read/").status_code == 404
    foreign.refresh_from_db()
    assert foreign.read_at is None
    response = api_client.post("/api/v1/notifications/read-all/")
    assert response.json() == {"marked": 2}
    assert Notification.objects.filter(recipient=user, read_at__isnull=True).count() == 0


def test_notifications_need_authentication(api_client):
    response = api_client.get("/api/v1/notifications/")
    assert response.status_code == 401
    assert response.json()["status"] == 401
    assert api_client.get("/api/v1/notification-preferences/").status_code == 401


# --- preferences -------------------------------------------------------------------------------


def test_preferences_list_and_update(api_client, user):
    _as(api_client, user)
    rows = api_client.get("/api/v1/notification-preferences/").json()
    by_type = {row["event_type"]: row for row in rows}
    assert "organisation.pending" not in by_type  # staff only
    assert by_type["project.news"] == {
        "event_type": "project.news",
        "label": "News from your project",
        "frequency": "weekly",
        "is_mandatory": False,
    }
    response = api_client.patch(
        "/api/v1/notification-preferences/project.news/", {"frequency": "off"}, format="json"
    )
    assert (response.status_code, response.json()["frequency"]) == (200, "off")
    assert Preference.objects.get(user=user).frequency == "off"
    response = api_client.put(
        "/api/v1/notification-preferences/project.news/", {"frequency": "daily"}, format="json"
    )
    assert Preference.objects.get(user=user).frequency == "daily"


def test_preferences_refuse_mandatory_off_and_unknown(api_client, user):
    _as(api_client, user)
    response = api_client.put(
        "/api/v1/notification-preferences/invitation.received/", {"frequency": "off"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "frequency": ["Security-relevant: always sent immediately."]
    }
    bad = api_client.put(
        "/api/v1/notification-preferences/project.news/", {"frequency": "hourly"}, format="json"
    )
    assert (bad.status_code, list(bad.json()["errors"])) == (400, ["frequency"])
    missing = api_client.put(
        "/api/v1/notification-preferences/organisation.pending/", {"frequency": "off"}
    )
    assert missing.status_code == 404
    assert Preference.objects.count() == 0


# --- webhooks ----------------------------------------------------------------------------------


def _codes(api_client, people, method, url, data=None, kinds=KINDS):
    codes = []
    for kind in kinds:
        api_client.force_authenticate(people[kind])
        codes.append(getattr(api_client, method)(url, data or {}, format="json").status_code)
    return codes


def test_webhook_read_matrix(api_client, people, endpoint):
    base = f"/api/v1/webhooks/{endpoint.pk}/"
    assert _codes(api_client, people, "get", base) == [401, 404, 404, 200, 200]
    assert _codes(api_client, people, "get", f"{base}deliveries/") == [401, 404, 404, 200, 200]
    counts = []
    for kind in KINDS[1:]:
        api_client.force_authenticate(people[kind])
        counts.append(api_client.get("/api/v1/webhooks/").json()["count"])
    assert counts == [0, 0, 1, 1]


@pytest.mark.parametrize(
    ("suffix", "method", "allowed"),
    [
        ("ping/", "post", 202),
        ("rotate-secret/", "post", 200),
        ("", "patch", 200),
        ("", "delete", 204),
    ],
)
def test_webhook_write_matrix_changes_nothing_on_denial(
    api_client, people, endpoint, suffix, method, allowed
):
    url = f"/api/v1/webhooks/{endpoint.pk}/{suffix}"
    data = {"is_active": False}
    assert _codes(api_client, people, method, url, data, kinds=KINDS[:3]) == [401, 404, 404]
    endpoint.refresh_from_db()
    assert (endpoint.secret, endpoint.is_active) == ("whsec_original", True)
    assert WebhookDelivery.objects.count() == 0
    assert AuditRecord.objects.filter(action__startswith="webhook.").count() == 0
    for kind in ("admin", "staff"):
        if not WebhookEndpoint.objects.filter(pk=endpoint.pk).exists():
            endpoint = WebhookEndpoint.objects.create(
                organisation=endpoint.organisation, url=endpoint.url, secret="s", event_types=[]
            )
            url = f"/api/v1/webhooks/{endpoint.pk}/{suffix}"
        api_client.force_authenticate(people[kind])
        response = getattr(api_client, method)(url, data, format="json")
        assert response.status_code == allowed


def test_webhook_create_matrix(api_client, people, organisation):
    data = {
        "organisation": organisation.slug,
        "url": "https://hooks.example.org/",
        "event_types": ["project.news"],
    }
    assert _codes(api_client, people, "post", "/api/v1/webhooks/", data) == [
        401,
        403,
        403,
        201,
        201,
    ]
    assert WebhookEndpoint.objects.count() == 2
    assert set(
        AuditRecord.objects.filter(action="webhook.create").values_list("actor_id", flat=True)
    ) == {people["admin"].pk, people["staff"].pk}


def test_webhook_create_returns_the_secret_once(api_client, org_admin, organisation):
    _as(api_client, org_admin)
    response = api_client.post(
        "/api/v1/webhooks/",
        {
            "organisation": organisation.slug,
            "url": "https://hooks.example.org/",
            "event_types": ["project.news", "join_request.received"],
        },
        format="json",
    )
    assert response.status_code == 201
    endpoint = WebhookEndpoint.objects.get()
    assert response.json() == {
        "id": endpoint.pk,
        "organisation": organisation.slug,
        "url": "https://hooks.example.org/",
        "event_types": ["join_request.received", "project.news"],
        "is_active": True,
        "consecutive_failures": 0,
        "disabled_at": None,
        "created_at": response.json()["created_at"],
        "secret": endpoint.secret,
    }
    assert "secret" not in api_client.get(f"/api/v1/webhooks/{endpoint.pk}/").json()
    rotated = api_client.post(f"/api/v1/webhooks/{endpoint.pk}/rotate-secret/").json()
    endpoint.refresh_from_db()
    assert rotated == {"secret": endpoint.secret}


def test_webhook_create_validation(api_client, org_admin, organisation):
    _as(api_client, org_admin)
    pending = OrganisationFactory(status="pending")
    response = api_client.post(
        "/api/v1/webhooks/",
        {
            "organisation": pending.slug,
            "url": "http://hooks.example.org/",
            "event_types": ["organisation.pending"],
        },
        format="json",
    )
    assert response.status_code == 400
    assert sorted(response.json()["errors"]) == ["event_types.0", "organisation"]
    response = api_client.post(
        "/api/v1/webhooks/",
        {
            "organisation": organisation.slug,
            "url": "http://hooks.example.org/",
            "event_types": ["project.news"],
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "url": ["Use an https:// address (http:// only to localhost for development)."]
    }
    assert WebhookEndpoint.objects.count() == 0


def test_webhook_lists_query_counts(api_client, org_admin, endpoint, django_assert_num_queries):
    for i in range(5):
        WebhookDelivery.objects.create(
            endpoint=endpoint,
            event_id=f"00000000-0000-0000-0000-00000000000{i}",
            event_type="project.news",
            payload={},
        )
    _as(api_client, User.objects.get(pk=org_admin.pk))
    # admin organisations, count, page of webhooks with their organisations
    with django_assert_num_queries(3):
        assert api_client.get("/api/v1/webhooks/").json()["count"] == 1
    _as(api_client, User.objects.get(pk=org_admin.pk))
    # admin organisations, webhook, count, page of deliveries
    with django_assert_num_queries(4):
        response = api_client.get(f"/api/v1/webhooks/{endpoint.pk}/deliveries/")
    assert response.json()["count"] == 5
    assert response.json()["results"][0]["status"] == "pending"
