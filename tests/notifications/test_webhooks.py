import datetime as dt
import hashlib
import hmac

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from notifications.models import Notification, WebhookDelivery, WebhookEndpoint
from notifications.services import notify
from notifications.tasks import send_webhook_deliveries, sweep_pending_deliveries
from notifications.webhooks import (
    DISABLE_AFTER_FAILURES,
    event_id_for,
    webhook_create,
    webhook_delete,
    webhook_ping,
    webhook_rotate_secret,
)
from spinportal.models import AuditRecord
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db
TEST_SECRET = "whsec_test"


def _endpoint(organisation, url="https://hooks.example.org/spin", events=("project.news",), **kw):
    return WebhookEndpoint.objects.create(
        organisation=organisation,
        url=url,
        event_types=list(events),
        secret=TEST_SECRET,
        **kw,
    )


def _news(key="1", organisation_ids=(), recipients=()):
    return notify(
        event_type="project.news",
        recipients=recipients,
        event_key=key,
        url="/projects/diane/news/1/",
        context={"project": "DIANE", "title": "Kick-off"},
        organisation_ids=organisation_ids,
    )


def _valid(request, secret=TEST_SECRET) -> bool:
    timestamp = request["headers"]["X-Spin-Timestamp"]
    expected = hmac.new(
        secret.encode(), f"{timestamp}.".encode() + request["body"], hashlib.sha256
    ).hexdigest()
    signatures = request["headers"]["X-Spin-Signature"].split(",")
    return f"sha256={expected}" in signatures


def test_fan_out_reaches_only_entitled_subscribed_endpoints_and_holds_for_disabled_ones(
    django_capture_on_commit_callbacks,
):
    # given endpoints of an entitled organisation, another organisation, and variations
    entitled, other = OrganisationFactory(), OrganisationFactory()
    subscribed = _endpoint(entitled)
    _endpoint(entitled, events=["message.received"])  # not subscribed to news
    disabled = _endpoint(entitled, is_active=False)
    _endpoint(other)  # not entitled to see the object

    # when the event is recorded twice (a retried request)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _news(organisation_ids=[entitled.pk])
        _news(organisation_ids=[entitled.pk])

    # then one delivery waits for each subscribed endpoint: the disabled one's is kept, and
    # only the active one's is handed to the worker
    held = WebhookDelivery.objects.get(endpoint=disabled)
    assert (held.status, held.attempts) == ("pending", 0)
    assert len(callbacks) == 2
    delivery = WebhookDelivery.objects.get(endpoint=subscribed)
    assert (delivery.endpoint, delivery.status, delivery.event_type) == (
        subscribed,
        "pending",
        "project.news",
    )
    assert delivery.event_id == event_id_for("project.news:1")
    assert delivery.payload == {
        "id": str(delivery.event_id),
        "type": "project.news",
        "created": delivery.payload["created"],
        "data": {
            "url": "http://127.0.0.1:8000/projects/diane/news/1/",
            "project": "DIANE",
            "title": "Kick-off",
        },
    }


def test_without_organisation_ids_no_webhook_hears_of_it():
    organisation = OrganisationFactory()
    _endpoint(organisation)
    _news(organisation_ids=[])
    assert WebhookDelivery.objects.count() == 0


def test_delivery_is_signed_and_sent_once(http_receiver, django_capture_on_commit_callbacks):
    organisation = OrganisationFactory()
    _endpoint(organisation, url=http_receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        _news(organisation_ids=[organisation.pk])

    [request] = http_receiver.requests
    delivery = WebhookDelivery.objects.get()
    assert request["json"]["id"] == str(delivery.event_id)
    assert request["json"]["type"] == "project.news"
    assert request["headers"]["X-Spin-Event-Id"] == str(delivery.event_id)
    assert request["headers"]["Content-Type"] == "application/json"
    assert _valid(request)
    assert request["headers"]["X-Spin-Signature"].count("sha256=") == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.response_status, delivery.attempts) == ("sent", 200, 1)
    # a redelivered task sends nothing twice
    assert send_webhook_deliveries([delivery.pk]) == {"sent": 0, "failed": 0}
    assert len(http_receiver.requests) == 1


def test_failures_are_retried_with_backoff_then_dead(
    http_receiver, django_capture_on_commit_callbacks
):
    organisation = OrganisationFactory()
    endpoint = _endpoint(organisation, url=http_receiver.url)
    http_receiver.statuses = [500, 503]
    with django_capture_on_commit_callbacks(execute=True):
        _news(organisation_ids=[organisation.pk])
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("retry", 1, 500)
    assert delivery.next_attempt_at > timezone.now()
    assert sweep_pending_deliveries() == 0  # not due yet

    # when the retry time comes twice: the second 5xx, then success
    for _ in range(2):
        WebhookDelivery.objects.update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
        assert sweep_pending_deliveries() == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("sent", 3, 200)
    assert [r["status"] for r in http_receiver.requests] == [500, 503, 200]
    assert len({r["json"]["id"] for r in http_receiver.requests}) == 1
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 0

    # and a receiver that never recovers leaves a dead letter after 5 attempts
    http_receiver.statuses = [500] * 5
    with django_capture_on_commit_callbacks(execute=True):
        _news(key="2", organisation_ids=[organisation.pk])
    for _ in range(4):
        WebhookDelivery.objects.filter(status="retry").update(
            next_attempt_at=timezone.now() - dt.timedelta(seconds=1)
        )
        sweep_pending_deliveries()
    dead = WebhookDelivery.objects.get(event_id=event_id_for("project.news:2"))
    assert (dead.status, dead.attempts, dead.next_attempt_at) == ("dead", 5, None)


def test_connection_refused_is_a_failure(django_capture_on_commit_callbacks):
    organisation = OrganisationFactory()
    _endpoint(organisation, url="http://127.0.0.1:9/hook")  # discard port: nobody listens
    with django_capture_on_commit_callbacks(execute=True):
        _news(organisation_ids=[organisation.pk])
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.response_status) == ("retry", None)
    assert delivery.last_error.startswith("URLError")


def test_failures_in_a_row_do_not_disable_an_endpoint_but_a_day_of_them_does(
    http_receiver, django_capture_on_commit_callbacks, mailoutbox
):
    admin = MembershipFactory(role="admin").user
    organisation = admin.memberships.get().organisation
    MembershipFactory(organisation=organisation, role="member")
    # given an endpoint that failed 50 times in a row, the first time 23 hours ago
    endpoint = _endpoint(
        organisation,
        url=http_receiver.url,
        consecutive_failures=50,
        failing_since=timezone.now() - dt.timedelta(hours=23),
    )
    http_receiver.statuses = [500, 500]
    with django_capture_on_commit_callbacks(execute=True):
        _news(organisation_ids=[organisation.pk])
    # then one more failure only counts
    endpoint.refresh_from_db()
    assert (endpoint.is_active, endpoint.consecutive_failures) == (True, 51)
    assert Notification.objects.filter(event_type="webhook.disabled").count() == 0

    # when the streak has lasted 24 hours and the next attempt fails too
    WebhookEndpoint.objects.update(failing_since=timezone.now() - dt.timedelta(hours=24))
    WebhookDelivery.objects.update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        sweep_pending_deliveries()
    endpoint.refresh_from_db()
    assert (endpoint.is_active, endpoint.consecutive_failures) == (False, 52)
    assert endpoint.disabled_at is not None
    assert list(
        Notification.objects.filter(event_type="webhook.disabled").values_list(
            "recipient_id", flat=True
        )
    ) == [admin.pk]
    assert [m.to for m in mailoutbox] == [[admin.email]]
    assert mailoutbox[0].subject == "Ein Webhook wurde deaktiviert"
    assert mailoutbox[0].body.split("--\n")[0] == (
        f"Der Webhook von {organisation.display_name} an {http_receiver.url} ist seit 24 "
        "Stunden ohne einen einzigen Erfolg fehlgeschlagen (52 Versuche) und wurde deaktiviert. "
        "Neue Ereignisse werden aufbewahrt: Prüfen Sie den Empfänger und aktivieren Sie den "
        "Webhook dann im Portal wieder; sie werden dann der Reihe nach gesendet. Zuvor "
        "fehlgeschlagene Ereignisse können Sie auf der Seite des Webhooks erneut senden.\n\n"
        f"Im Portal öffnen: http://127.0.0.1:8000/notifications/webhooks/{endpoint.pk}/\n\n"
    )
    # the pending retry is kept, not skipped, and not sent to a disabled webhook
    WebhookDelivery.objects.update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
    assert sweep_pending_deliveries() == 0
    assert WebhookDelivery.objects.get().status == "retry"
    assert len(http_receiver.requests) == 2


def test_a_success_ends_the_failure_streak(http_receiver, django_capture_on_commit_callbacks):
    organisation = OrganisationFactory()
    endpoint = _endpoint(
        organisation,
        url=http_receiver.url,
        consecutive_failures=3,
        failing_since=timezone.now() - dt.timedelta(hours=30),
    )
    with django_capture_on_commit_callbacks(execute=True):
        _news(organisation_ids=[organisation.pk])
    endpoint.refresh_from_db()
    assert (endpoint.is_active, endpoint.consecutive_failures, endpoint.failing_since) == (
        True,
        0,
        None,
    )


def test_the_disable_threshold_is_a_setting(
    settings, http_receiver, django_capture_on_commit_callbacks
):
    settings.NOTIFICATIONS_WEBHOOK_DISABLE_AFTER_HOURS = 2
    organisation = OrganisationFactory()
    endpoint = _endpoint(
        organisation,
        url=http_receiver.url,
        failing_since=timezone.now() - dt.timedelta(hours=2, minutes=1),
        consecutive_failures=DISABLE_AFTER_FAILURES - 1,
    )
    http_receiver.statuses = [500]
    with django_capture_on_commit_callbacks(execute=True):
        _news(organisation_ids=[organisation.pk])
    endpoint.refresh_from_db()
    assert (endpoint.is_active, endpoint.consecutive_failures) == (False, DISABLE_AFTER_FAILURES)


def test_one_failure_after_a_quiet_day_does_not_disable(
    http_receiver, django_capture_on_commit_callbacks
):
    """The streak began a day ago, but the endpoint has failed only once since (nothing was
    sent meanwhile): that is not a day-long outage."""
    organisation = OrganisationFactory()
    endpoint = _endpoint(
        organisation,
        url=http_receiver.url,
        failing_since=timezone.now() - dt.timedelta(hours=30),
        consecutive_failures=1,
    )
    http_receiver.statuses = [500]
    with django_capture_on_commit_callbacks(execute=True):
        _news(organisation_ids=[organisation.pk])
    endpoint.refresh_from_db()
    assert (endpoint.is_active, endpoint.consecutive_failures) == (True, 2)
    assert Notification.objects.filter(event_type="webhook.disabled").count() == 0


def test_redirects_are_not_followed(django_capture_on_commit_callbacks, http_receiver):
    http_receiver.statuses = [302]
    organisation = OrganisationFactory()
    _endpoint(organisation, url=http_receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        _news(organisation_ids=[organisation.pk])
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.response_status) == ("retry", 302)


def test_rotation_signs_with_both_secrets_during_the_grace_period(
    http_receiver, django_capture_on_commit_callbacks
):
    admin = MembershipFactory(role="admin").user
    organisation = admin.memberships.get().organisation
    with django_capture_on_commit_callbacks(execute=True):
        endpoint, first_secret = webhook_create(
            actor=admin,
            organisation=organisation,
            url=http_receiver.url,
            event_types=["project.news"],
        )
        second_secret = webhook_rotate_secret(actor=admin, endpoint=endpoint)
        _news(organisation_ids=[organisation.pk])
    [request] = http_receiver.requests
    assert first_secret != second_secret
    assert _valid(request, first_secret)
    assert _valid(request, second_secret)

    # after the grace period only the new secret signs
    WebhookEndpoint.objects.update(
        previous_secret_expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        _news(key="2", organisation_ids=[organisation.pk])
    assert _valid(http_receiver.requests[1], second_secret)
    assert not _valid(http_receiver.requests[1], first_secret)
    actions = list(
        AuditRecord.objects.filter(actor=admin).order_by("pk").values_list("action", flat=True)
    )
    assert actions == ["webhook.create", "webhook.rotate_secret"]


def test_ping_reaches_only_that_webhook(http_receiver, django_capture_on_commit_callbacks):
    admin = MembershipFactory(role="admin").user
    organisation = admin.memberships.get().organisation
    endpoint = _endpoint(organisation, url=http_receiver.url, events=["message.received"])
    _endpoint(organisation, url="https://other.example.org/", events=["message.received"])
    with django_capture_on_commit_callbacks(execute=True):
        webhook_ping(actor=admin, endpoint=endpoint)
        webhook_ping(actor=admin, endpoint=endpoint)
    assert [r["json"]["type"] for r in http_receiver.requests] == ["webhook.ping"] * 2
    assert len({r["json"]["id"] for r in http_receiver.requests}) == 2
    assert WebhookDelivery.objects.filter(endpoint=endpoint, status="sent").count() == 2
    assert WebhookDelivery.objects.exclude(endpoint=endpoint).count() == 0


@pytest.mark.parametrize(
    ("url", "is_valid"),
    [
        ("https://hooks.example.org/spin", True),
        ("http://localhost:8080/hook", True),
        ("http://127.0.0.1/hook", True),
        ("http://hooks.example.org/spin", False),
        ("ftp://hooks.example.org/", False),
        ("https://user:secret@hooks.example.org/", False),
    ],
)
def test_url_rule(url, is_valid):
    admin = MembershipFactory(role="admin").user
    organisation = admin.memberships.get().organisation
    if is_valid:
        webhook_create(
            actor=admin, organisation=organisation, url=url, event_types=["project.news"]
        )
        assert WebhookEndpoint.objects.count() == 1
    else:
        with pytest.raises(ValidationError) as error:
            webhook_create(
                actor=admin, organisation=organisation, url=url, event_types=["project.news"]
            )
        assert list(error.value.message_dict) == ["url"]
        assert WebhookEndpoint.objects.count() == 0


def test_only_known_partner_events_can_be_subscribed():
    admin = MembershipFactory(role="admin").user
    organisation = admin.memberships.get().organisation
    for events in ([], ["organisation.pending"], ["nonsense"]):
        with pytest.raises(ValidationError) as error:
            webhook_create(
                actor=admin,
                organisation=organisation,
                url="https://hooks.example.org/",
                event_types=events,
            )
        assert list(error.value.message_dict) == ["event_types"]
    assert WebhookEndpoint.objects.count() == 0


def test_delete_leaves_an_audit_row():
    admin = MembershipFactory(role="admin").user
    endpoint = _endpoint(admin.memberships.get().organisation)
    pk = endpoint.pk
    webhook_delete(actor=admin, endpoint=endpoint)
    assert WebhookEndpoint.objects.count() == 0
    record = AuditRecord.objects.get(action="webhook.delete")
    assert (record.actor, record.target_id, record.data) == (
        admin,
        str(pk),
        {"url": "https://hooks.example.org/spin"},
    )


def test_nobody_else_manages_an_organisations_webhooks():
    organisation = OrganisationFactory()
    member = MembershipFactory(organisation=organisation, role="member").user
    outsider = UserFactory()
    for user in (member, outsider):
        with pytest.raises(PermissionDenied):
            webhook_create(
                actor=user,
                organisation=organisation,
                url="https://hooks.example.org/",
                event_types=["project.news"],
            )
    assert WebhookEndpoint.objects.count() == 0
