import pytest
from django.urls import reverse

from notifications.models import WebhookDelivery, WebhookEndpoint
from spinportal.models import AuditRecord
from tests.factories import OrganisationFactory

# Endpoints whose permission matrix this module asserts (tests/security/coverage.py).
COVERS = [
    "notifications:webhooks",
    "notifications:webhook_create",
    "notifications:webhook_detail",
    "notifications:webhook_edit",
    "notifications:webhook_delete",
    "notifications:webhook_rotate",
    "notifications:webhook_ping",
]

pytestmark = pytest.mark.django_db

KINDS = ["anonymous", "other_partner", "member", "admin", "staff"]


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def endpoint(organisation):
    return WebhookEndpoint.objects.create(
        organisation=organisation,
        url="https://hooks.example.org/spin",
        event_types=["project.news"],
        secret="whsec_original",
    )


@pytest.fixture
def people(other_partner, org_member, org_admin, staff):
    return {
        "anonymous": None,
        "other_partner": other_partner,
        "member": org_member,
        "admin": org_admin,
        "staff": staff,
    }


def _statuses(client, people, method, url, data=None):
    codes = []
    for kind in KINDS:
        client.logout()
        if people[kind] is not None:
            client.force_login(people[kind])
        response = getattr(client, method)(url, data or {})
        codes.append(response.status_code)
    return codes


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("notifications:webhook_detail", [302, 404, 404, 200, 200]),
        ("notifications:webhook_edit", [302, 404, 404, 200, 200]),
        ("notifications:webhook_delete", [302, 404, 404, 200, 200]),
        ("notifications:webhook_rotate", [302, 405, 405, 405, 405]),
        ("notifications:webhook_ping", [302, 405, 405, 405, 405]),
    ],
)
def test_get_matrix(client, people, endpoint, name, expected):
    assert _statuses(client, people, "get", reverse(name, args=[endpoint.pk])) == expected


def test_list_and_create_matrix(client, people, endpoint):
    assert _statuses(client, people, "get", reverse("notifications:webhooks")) == [
        302,
        200,
        200,
        200,
        200,
    ]
    # the member administers nothing, the other partner administers their own organisation
    assert _statuses(client, people, "get", reverse("notifications:webhook_create")) == [
        302,
        200,
        403,
        200,
        200,
    ]


def test_list_shows_only_own_organisations_webhooks(client, people, endpoint):
    WebhookEndpoint.objects.create(
        organisation=OrganisationFactory(), url="https://x.example/", secret="s", event_types=[]
    )
    seen = {}
    for kind in ("other_partner", "member", "admin", "staff"):
        client.force_login(people[kind])
        response = client.get(reverse("notifications:webhooks"))
        seen[kind] = len(response.context["endpoints"])
    assert seen == {"other_partner": 0, "member": 0, "admin": 1, "staff": 2}


@pytest.mark.parametrize(
    ("name", "admin_status"),
    [
        ("notifications:webhook_rotate", 200),
        ("notifications:webhook_ping", 302),
        ("notifications:webhook_delete", 302),
    ],
)
def test_post_matrix_changes_nothing_on_denial(client, people, endpoint, name, admin_status):
    url = reverse(name, args=[endpoint.pk])
    for kind, expected in zip(KINDS[:3], [302, 404, 404], strict=True):
        client.logout()
        if people[kind] is not None:
            client.force_login(people[kind])
        assert client.post(url).status_code == expected
    endpoint.refresh_from_db()
    assert endpoint.secret == "whsec_original"
    assert WebhookDelivery.objects.count() == 0
    assert AuditRecord.objects.filter(action__startswith="webhook.").count() == 0

    for kind in ("admin", "staff"):
        if not WebhookEndpoint.objects.filter(pk=endpoint.pk).exists():
            endpoint = WebhookEndpoint.objects.create(
                organisation=endpoint.organisation, url=endpoint.url, secret="s", event_types=[]
            )
            url = reverse(name, args=[endpoint.pk])
        client.force_login(people[kind])
        assert client.post(url).status_code == admin_status


def test_create_shows_the_secret_once(client, org_admin, organisation):
    client.force_login(org_admin)
    response = client.post(
        reverse("notifications:webhook_create"),
        {
            "organisation": organisation.pk,
            "url": "https://hooks.example.org/spin",
            "event_types": ["project.news", "message.received"],
        },
    )
    assert response.status_code == 201
    endpoint = WebhookEndpoint.objects.get()
    assert response.context["secret"] == endpoint.secret
    assert endpoint.secret in response.content.decode()
    assert (endpoint.created_by, endpoint.event_types) == (
        org_admin,
        ["message.received", "project.news"],
    )
    # the detail page never shows it again
    detail = client.get(reverse("notifications:webhook_detail", args=[endpoint.pk]))
    assert endpoint.secret not in detail.content.decode()
    assert AuditRecord.objects.filter(action="webhook.create", actor=org_admin).count() == 1


def test_an_admin_cannot_create_for_another_organisation(client, org_admin):
    foreign = OrganisationFactory()
    client.force_login(org_admin)
    response = client.post(
        reverse("notifications:webhook_create"),
        {"organisation": foreign.pk, "url": "https://h.example/", "event_types": ["project.news"]},
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["organisation"]
    assert WebhookEndpoint.objects.count() == 0


def test_http_to_another_host_is_refused_on_the_form(client, org_admin, organisation):
    client.force_login(org_admin)
    response = client.post(
        reverse("notifications:webhook_create"),
        {
            "organisation": organisation.pk,
            "url": "http://hooks.example.org/",
            "event_types": ["project.news"],
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "url": ["Use an https:// address (http:// only to localhost for development)."]
    }


def test_edit_re_enables_a_disabled_webhook(client, org_admin, endpoint):
    WebhookEndpoint.objects.update(is_active=False, consecutive_failures=10)
    client.force_login(org_admin)
    response = client.post(
        reverse("notifications:webhook_edit", args=[endpoint.pk]),
        {"url": "https://new.example.org/", "event_types": ["message.received"], "is_active": "on"},
    )
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.event_types, endpoint.is_active) == (
        "https://new.example.org/",
        ["message.received"],
        True,
    )
    assert (endpoint.consecutive_failures, endpoint.disabled_at) == (0, None)


def test_list_and_detail_query_counts(client, org_admin, organisation, django_assert_num_queries):
    endpoints = [
        WebhookEndpoint.objects.create(
            organisation=organisation, url=f"https://h{i}.example/", secret="s", event_types=[]
        )
        for i in range(3)
    ]
    client.force_login(org_admin)
    # session, user, admin organisations, webhooks with their organisation
    with django_assert_num_queries(4):
        client.get(reverse("notifications:webhooks"))
    for i in range(5):
        WebhookDelivery.objects.create(
            endpoint=endpoints[0],
            event_id=f"00000000-0000-0000-0000-00000000000{i}",
            event_type="project.news",
            payload={},
        )
    # session, user, admin organisations, webhook, its deliveries
    with django_assert_num_queries(5):
        response = client.get(reverse("notifications:webhook_detail", args=[endpoints[0].pk]))
    assert len(response.context["deliveries"]) == 5
