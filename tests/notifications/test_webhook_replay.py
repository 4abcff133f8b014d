"""Replaying a time range of a webhook's events: the service, the page, the API and the admin."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from notifications.models import WebhookDelivery, WebhookEndpoint
from notifications.webhooks import event_id_for, webhook_replay
from spinportal.models import AuditRecord
from tests.security.coverage import changed_tables, db_state

# Endpoints whose permission matrix this module asserts (tests/security/coverage.py).
COVERS = ["v1_webhooks_replay_create"]

pytestmark = pytest.mark.django_db

KINDS = ["anonymous", "other_partner", "member", "admin", "staff"]


@pytest.fixture
def people(other_partner, org_member, org_admin, staff):
    return dict(zip(KINDS, [None, other_partner, org_member, org_admin, staff], strict=True))


@pytest.fixture
def endpoint(organisation, http_receiver):
    return WebhookEndpoint.objects.create(
        organisation=organisation,
        url=http_receiver.url,
        event_types=["project.news"],
        secret="whsec_replay",
    )


@pytest.fixture
def history(endpoint):
    """Six events, one an hour, 6 … 1 hours ago, all delivered; the middle one dead; and a
    ping 3 hours ago."""
    now = timezone.now()
    rows = {}
    for hours in range(6, 0, -1):
        event_id = event_id_for(f"project.news:{hours}")
        payload = {"id": str(event_id), "type": "project.news", "data": {"hours": hours}}
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint,
            event_id=event_id,
            event_type="project.news",
            payload=payload,
            status="dead" if hours == 3 else "sent",
            attempts=5 if hours == 3 else 1,
        )
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            created_at=now - dt.timedelta(hours=hours)
        )
        rows[hours] = delivery
    ping = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event_id=event_id_for("webhook.ping:x"),
        event_type="webhook.ping",
        payload={},
        status="sent",
    )
    WebhookDelivery.objects.filter(pk=ping.pk).update(created_at=now - dt.timedelta(hours=3))
    return rows


def _ago(**delta) -> dt.datetime:
    return timezone.now() - dt.timedelta(**delta)


def test_replay_sends_exactly_the_events_of_the_range_again_in_order(
    org_admin, endpoint, history, http_receiver, django_capture_on_commit_callbacks
):
    # when the owner replays 4.5 to 1.5 hours ago
    with django_capture_on_commit_callbacks(execute=True):
        count = webhook_replay(
            actor=org_admin,
            endpoint=endpoint,
            since=_ago(hours=4, minutes=30),
            until=_ago(hours=1, minutes=30),
        )

    # then the events of 4, 3 (the dead one) and 2 hours ago arrive again, oldest first, with
    # their original ids and payloads; the ping is not replayed
    assert count == 3
    assert [r["json"] for r in http_receiver.requests] == [
        history[hours].payload for hours in (4, 3, 2)
    ]
    assert [r["headers"]["X-Spin-Event-Id"] for r in http_receiver.requests] == [
        str(history[hours].event_id) for hours in (4, 3, 2)
    ]
    statuses = dict(
        WebhookDelivery.objects.filter(event_type="project.news").values_list(
            "payload__data__hours", "attempts"
        )
    )
    assert statuses == {6: 1, 5: 1, 4: 1, 3: 1, 2: 1, 1: 1}  # replayed: a fresh first attempt
    assert WebhookDelivery.objects.filter(status="sent").count() == 7
    record = AuditRecord.objects.get(action="webhook.replay")
    assert (record.actor, record.target_id, record.data["count"]) == (
        org_admin,
        str(endpoint.pk),
        3,
    )


def test_replaying_a_range_twice_before_it_is_sent_queues_nothing_twice(
    org_admin, endpoint, history, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        first = webhook_replay(
            actor=org_admin, endpoint=endpoint, since=_ago(hours=7), until=_ago()
        )
        second = webhook_replay(
            actor=org_admin, endpoint=endpoint, since=_ago(hours=7), until=_ago()
        )
    assert (first, second) == (6, 0)
    assert WebhookDelivery.objects.filter(status="pending").count() == 6


def test_replay_to_a_disabled_endpoint_is_kept_until_it_is_enabled(
    org_admin, endpoint, history, http_receiver, django_capture_on_commit_callbacks
):
    WebhookEndpoint.objects.update(is_active=False)
    endpoint.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            webhook_replay(actor=org_admin, endpoint=endpoint, since=_ago(hours=7), until=_ago())
            == 6
        )
    assert http_receiver.requests == []
    assert WebhookDelivery.objects.filter(status="pending").count() == 6


@pytest.mark.parametrize(
    ("since", "until", "errors"),
    [
        (
            {"hours": 1},
            {"hours": 2},
            {"until": ["The end must not be before the start."]},
        ),
        (
            {"days": 40},
            {"days": 8},
            {"until": ["Replay at most 31 days at a time."]},
        ),
        (
            {"hours": 1},
            {"hours": -1},
            {"until": ["The time must not be in the future."]},
        ),
        (
            {"hours": -3},
            {"hours": -2},
            {
                "since": ["The time must not be in the future."],
                "until": [
                    "The time must not be in the future.",
                    "The end must not be before the start.",
                ],
            },
        ),
    ],
)
def test_bad_ranges_are_refused_naming_the_field(
    org_admin, endpoint, history, since, until, errors
):
    before = db_state()
    with translation.override("en"), pytest.raises(ValidationError) as error:
        webhook_replay(actor=org_admin, endpoint=endpoint, since=_ago(**since), until=_ago(**until))
    assert error.value.message_dict == errors
    assert changed_tables(before, db_state()) == []


def test_exactly_31_days_may_be_replayed(org_admin, endpoint, history):
    until = _ago(minutes=1)
    assert (
        webhook_replay(
            actor=org_admin, endpoint=endpoint, since=until - dt.timedelta(days=31), until=until
        )
        == 6
    )


# --- the page --------------------------------------------------------------------------------


def _form(since, until):
    return {"since": since.strftime("%Y-%m-%dT%H:%M"), "until": until.strftime("%Y-%m-%dT%H:%M")}


def test_the_owner_replays_on_the_page(
    client, org_admin, endpoint, history, http_receiver, django_capture_on_commit_callbacks
):
    client.force_login(org_admin)
    url = reverse("notifications:webhook_detail", args=[endpoint.pk])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert list(page.context["replay_form"].fields) == ["since", "until"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            _form(timezone.localtime() - dt.timedelta(hours=7), timezone.localtime()),
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 302
    assert response["Location"] == url
    followed = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert [str(m) for m in followed.context["messages"]] == ["6 events are sent again."]
    assert len(http_receiver.requests) == 6


def test_a_bad_range_on_the_page_shows_field_errors_and_changes_nothing(
    client, org_admin, endpoint, history
):
    client.force_login(org_admin)
    url = reverse("notifications:webhook_detail", args=[endpoint.pk])
    now = timezone.localtime()
    before = db_state()
    for data, errors in [
        (
            _form(now - dt.timedelta(hours=1), now - dt.timedelta(hours=2)),
            {"until": ["The end must not be before the start."]},
        ),
        (
            _form(now - dt.timedelta(days=40), now),
            {"until": ["Replay at most 31 days at a time."]},
        ),
        (
            _form(now, now + dt.timedelta(days=1)),
            {"until": ["The time must not be in the future."]},
        ),
        ({"since": "yesterday", "until": ""}, None),
    ]:
        response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200
        form = response.context["replay_form"]
        if errors is None:
            assert sorted(form.errors) == ["since", "until"]
        else:
            assert form.errors == errors
    after = db_state()
    after.pop("sessions.Session", None)
    assert changed_tables(before, after) == []


def test_page_replay_matrix_another_organisation_gets_404_and_nothing_changes(
    client, people, endpoint, history, django_capture_on_commit_callbacks
):
    url = reverse("notifications:webhook_detail", args=[endpoint.pk])
    now = timezone.localtime()
    data = _form(now - dt.timedelta(hours=7), now)
    before = db_state()
    codes = []
    for kind in KINDS[:3]:
        client.logout()
        if people[kind] is not None:
            client.force_login(people[kind])
        codes.append(client.post(url, data).status_code)
    assert codes == [302, 404, 404]
    assert changed_tables(before, db_state()) == []
    assert WebhookDelivery.objects.filter(status="pending").count() == 0

    # the owner and staff may
    for kind, expected in (("admin", 6), ("staff", 0)):
        client.force_login(people[kind])
        with django_capture_on_commit_callbacks(execute=False):
            assert client.post(url, data).status_code == 302
        assert AuditRecord.objects.filter(
            action="webhook.replay", actor=people[kind], data__count=expected
        ).exists()


# --- the API ---------------------------------------------------------------------------------


def _codes(api_client, people, url, data, kinds):
    codes = []
    for kind in kinds:
        api_client.force_authenticate(people[kind])
        codes.append(api_client.post(url, data, format="json").status_code)
    return codes


def test_api_replay_matrix(
    api_client, people, endpoint, history, django_capture_on_commit_callbacks
):
    url = f"/api/v1/webhooks/{endpoint.pk}/replay/"
    data = {"since": _ago(hours=7).isoformat(), "until": _ago().isoformat()}
    before = db_state()
    assert _codes(api_client, people, url, data, KINDS[:3]) == [401, 404, 404]
    assert changed_tables(before, db_state()) == []
    with django_capture_on_commit_callbacks(execute=False):
        assert _codes(api_client, people, url, data, ["admin", "staff"]) == [202, 202]
    api_client.force_authenticate(people["admin"])
    with django_capture_on_commit_callbacks(execute=False):
        response = api_client.post(url, data, format="json")
    assert (response.status_code, response.json()) == (202, {"queued": 0})


def test_api_replay_refuses_a_bad_range_naming_the_field(api_client, org_admin, endpoint, history):
    api_client.force_authenticate(org_admin)
    url = f"/api/v1/webhooks/{endpoint.pk}/replay/"
    before = db_state()
    response = api_client.post(
        url,
        {"since": _ago(days=40).isoformat(), "until": _ago().isoformat()},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"until": ["Replay at most 31 days at a time."]}
    response = api_client.post(url, {"since": "soon"}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert sorted(response.json()["errors"]) == ["since", "until"]
    assert changed_tables(before, db_state()) == []


# --- the admin -------------------------------------------------------------------------------


def test_staff_send_selected_deliveries_again_from_the_admin(
    client, endpoint, history, http_receiver, django_capture_on_commit_callbacks
):
    from tests.factories import UserFactory

    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    chosen = [history[5].pk, history[3].pk]  # a delivered one and the dead one
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:notifications_webhookdelivery_changelist"),
            {"action": "retry_deliveries", "_selected_action": chosen},
        )
    assert response.status_code == 302
    assert [r["json"]["data"]["hours"] for r in http_receiver.requests] == [5, 3]
    assert AuditRecord.objects.filter(action="webhook_delivery.retry", actor=staff).count() == 2
