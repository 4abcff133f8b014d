"""Webhooks through outages: backoff without disabling, ordering per endpoint, deliveries kept
while disabled. A fake clock (django.utils.timezone.now) stands in for the passing time; the
receiver is a real HTTP server in a thread."""

import datetime as dt
from collections import Counter

import pytest
from django.utils import timezone

from notifications.models import Notification, WebhookDelivery, WebhookEndpoint
from notifications.services import notify
from notifications.tasks import (
    _claim_webhook,
    send_webhook_deliveries,
    sweep_pending_deliveries,
)
from notifications.webhooks import event_id_for, webhook_ping, webhook_update
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db
DOWN = [503] * 1000  # the receiver's answers while it is down


class Clock:
    def __init__(self):
        self.now = timezone.now()

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(timezone, "now", clock)
    return clock


@pytest.fixture
def owner():
    return MembershipFactory(role="admin").user


@pytest.fixture
def endpoint(owner, http_receiver):
    return WebhookEndpoint.objects.create(
        organisation=owner.memberships.get().organisation,
        url=http_receiver.url,
        event_types=["project.news"],
        secret="whsec_reliability",
    )


def _publish(endpoint, number, capture):
    with capture(execute=True):
        notify(
            event_type="project.news",
            recipients=[],
            event_key=f"news-{number}",
            url=f"/projects/diane/news/{number}/",
            context={"project": "DIANE", "title": f"News {number}"},
            organisation_ids=[endpoint.organisation_id],
        )


def _down(receiver, is_down: bool) -> None:
    with receiver.lock:
        receiver.statuses = list(DOWN) if is_down else []


def _received_numbers(receiver) -> list[int]:
    """The event numbers of the accepted requests, in the order they arrived."""
    ids = {str(event_id_for(f"project.news:news-{n}")): n for n in range(100)}
    return [ids[r["json"]["id"]] for r in receiver.delivered()]


def _run_for(clock, *, minutes: float, step_seconds: float = 5) -> None:
    """Lets time pass with the periodic sweep running (and the retries it picks up)."""
    for _ in range(int(minutes * 60 / step_seconds)):
        clock.advance(seconds=step_seconds)
        sweep_pending_deliveries()


def test_a_60_second_outage_during_15_events_delays_them_in_order_and_loses_none(
    clock, endpoint, http_receiver, django_capture_on_commit_callbacks
):
    # given a receiver that is down for 60 s while 15 events happen, one every 4 s
    _down(http_receiver, True)
    start = clock.now
    for number in range(15):
        _publish(endpoint, number, django_capture_on_commit_callbacks)
        clock.advance(seconds=2)
        sweep_pending_deliveries()
        clock.advance(seconds=2)
    while clock.now < start + dt.timedelta(seconds=60):
        clock.advance(seconds=5)
        sweep_pending_deliveries()
    failed_during_outage = len(http_receiver.requests)

    # when it is up again and time goes on
    _down(http_receiver, False)
    _run_for(clock, minutes=10)

    # then every event arrived exactly once, in order; only the first was retried
    assert _received_numbers(http_receiver) == list(range(15))
    assert Counter(r["json"]["id"] for r in http_receiver.delivered()).most_common(1)[0][1] == 1
    assert 2 <= failed_during_outage <= 4
    assert {r["json"]["id"] for r in http_receiver.requests[:failed_during_outage]} == {
        str(event_id_for("project.news:news-0"))
    }
    assert WebhookDelivery.objects.filter(status="sent").count() == 15
    assert WebhookDelivery.objects.count() == 15
    endpoint.refresh_from_db()
    assert (endpoint.is_active, endpoint.disabled_at) == (True, None)
    assert (endpoint.consecutive_failures, endpoint.failing_since) == (0, None)
    assert Notification.objects.filter(event_type="webhook.disabled").count() == 0


def test_later_events_wait_while_an_earlier_one_is_retried(
    clock, endpoint, http_receiver, django_capture_on_commit_callbacks
):
    http_receiver.statuses = [500, 500]
    for number in range(3):
        _publish(endpoint, number, django_capture_on_commit_callbacks)
    # only the first event was tried; the others wait behind it
    assert [r["status"] for r in http_receiver.requests] == [500]
    assert list(WebhookDelivery.objects.order_by("pk").values_list("status", flat=True)) == [
        "retry",
        "pending",
        "pending",
    ]
    # a task that names the later ones sends nothing (they are not first in line)
    later = list(WebhookDelivery.objects.filter(status="pending").values_list("pk", flat=True))
    assert send_webhook_deliveries(later) == {"sent": 0, "failed": 0}

    _run_for(clock, minutes=5)
    assert [r["status"] for r in http_receiver.requests] == [500, 500, 200, 200, 200]
    assert _received_numbers(http_receiver) == [0, 1, 2]


def test_a_dead_delivery_does_not_hold_up_the_ones_after_it(
    clock, endpoint, http_receiver, django_capture_on_commit_callbacks
):
    http_receiver.statuses = [500] * WebhookDelivery.MAX_ATTEMPTS
    for number in range(3):
        _publish(endpoint, number, django_capture_on_commit_callbacks)
    _run_for(clock, minutes=20, step_seconds=15)
    statuses = dict(WebhookDelivery.objects.values_list("payload__data__title", "status"))
    assert statuses == {"News 0": "dead", "News 1": "sent", "News 2": "sent"}
    assert _received_numbers(http_receiver) == [1, 2]
    assert len(http_receiver.requests) == WebhookDelivery.MAX_ATTEMPTS + 2


def test_each_endpoint_has_its_own_line(
    clock, owner, endpoint, http_receiver, django_capture_on_commit_callbacks
):
    # a second endpoint of the organisation is not held up by the first one's retries
    other = WebhookEndpoint.objects.create(
        organisation=endpoint.organisation,
        url=http_receiver.url + "/other",
        event_types=["project.news"],
        secret="s",
    )
    http_receiver.statuses = [500]
    _publish(endpoint, 0, django_capture_on_commit_callbacks)
    _publish(endpoint, 1, django_capture_on_commit_callbacks)
    assert list(
        WebhookDelivery.objects.filter(endpoint=other).values_list("status", flat=True)
    ) == ["sent", "sent"]
    assert list(
        WebhookDelivery.objects.filter(endpoint=endpoint)
        .order_by("pk")
        .values_list("status", flat=True)
    ) == ["retry", "pending"]


def test_a_head_is_claimed_once(clock, endpoint, django_capture_on_commit_callbacks):
    # the relay's tasks never ran (as if the broker was away)
    with django_capture_on_commit_callbacks(execute=False):
        for number in range(2):
            notify(
                event_type="project.news",
                recipients=[],
                event_key=f"news-{number}",
                url="/",
                context={"project": "DIANE", "title": "x"},
                organisation_ids=[endpoint.organisation_id],
            )
    first, second = WebhookDelivery.objects.order_by("pk")
    assert _claim_webhook(second.pk) is None  # not first in line
    assert _claim_webhook(first.pk).pk == first.pk
    assert _claim_webhook(first.pk) is None  # a second worker finds it taken
    assert _claim_webhook(second.pk) is None  # still behind the one being sent
    # a worker that died holding it: after the stale-claim time it is claimable again
    clock.advance(minutes=11)
    assert _claim_webhook(first.pk).pk == first.pk


def test_a_day_long_outage_disables_once_keeps_events_and_re_enabling_sends_them_in_order(
    clock, owner, endpoint, http_receiver, django_capture_on_commit_callbacks, mailoutbox
):
    # given a receiver that stays down, with an event every hour
    _down(http_receiver, True)
    number = 0
    for _hour in range(23):
        _publish(endpoint, number, django_capture_on_commit_callbacks)
        number += 1
        _run_for(clock, minutes=60, step_seconds=300)
    endpoint.refresh_from_db()
    assert endpoint.is_active is True  # 23 hours of failures: still trying
    for _hour in range(3):
        _publish(endpoint, number, django_capture_on_commit_callbacks)
        number += 1
        with django_capture_on_commit_callbacks(execute=True):
            _run_for(clock, minutes=60, step_seconds=300)

    # then it is disabled and the owner was told exactly once
    endpoint.refresh_from_db()
    assert endpoint.is_active is False
    assert endpoint.disabled_at - endpoint.failing_since >= dt.timedelta(hours=24)
    assert list(
        Notification.objects.filter(event_type="webhook.disabled").values_list(
            "recipient_id", flat=True
        )
    ) == [owner.pk]
    assert [m.to for m in mailoutbox] == [[owner.email]]

    # and events from now on are kept, none is sent, none skipped
    tried = len(http_receiver.requests)
    kept_from = number
    for _ in range(3):
        _publish(endpoint, number, django_capture_on_commit_callbacks)
        number += 1
        _run_for(clock, minutes=30, step_seconds=300)
    assert len(http_receiver.requests) == tried
    assert WebhookDelivery.objects.filter(status="skipped").count() == 0
    assert WebhookDelivery.objects.count() == number
    open_before = list(
        WebhookDelivery.objects.filter(status__in=["pending", "retry"])
        .order_by("created_at", "pk")
        .values_list("payload__data__title", flat=True)
    )
    assert open_before[-3:] == [f"News {n}" for n in range(kept_from, number)]

    # when the owner enables it again with the receiver up
    _down(http_receiver, False)
    with django_capture_on_commit_callbacks(execute=True):
        webhook_update(
            actor=owner,
            endpoint=endpoint,
            url=endpoint.url,
            event_types=endpoint.event_types,
            is_active=True,
        )

    # then the kept ones (after any still waiting for a retry) arrive at once, in order
    arrived = [r["json"]["data"]["title"] for r in http_receiver.delivered()]
    assert arrived == open_before
    assert WebhookDelivery.objects.filter(status__in=["pending", "retry"]).count() == 0
    assert Notification.objects.filter(event_type="webhook.disabled").count() == 1
    endpoint.refresh_from_db()
    assert (endpoint.is_active, endpoint.failing_since, endpoint.disabled_at) == (
        True,
        None,
        None,
    )


def test_a_ping_reaches_a_disabled_endpoint_and_does_not_release_the_kept_events(
    clock, owner, endpoint, http_receiver, django_capture_on_commit_callbacks
):
    WebhookEndpoint.objects.update(is_active=False)
    _publish(endpoint, 0, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        webhook_ping(actor=owner, endpoint=endpoint)
    assert [r["json"]["type"] for r in http_receiver.requests] == ["webhook.ping"]
    assert WebhookDelivery.objects.get(event_type="project.news").status == "pending"


@pytest.mark.django_db(transaction=True)
def test_two_workers_on_one_backlog_send_each_event_once_in_order(
    require_postgres, endpoint, http_receiver, django_capture_on_commit_callbacks
):
    import threading

    from django.db import connection

    # given 10 events whose tasks never ran (the broker was away)
    with django_capture_on_commit_callbacks(execute=False):
        for number in range(10):
            notify(
                event_type="project.news",
                recipients=[],
                event_key=f"news-{number}",
                url="/",
                context={"project": "DIANE", "title": f"News {number}"},
                organisation_ids=[endpoint.organisation_id],
            )
    ids = list(WebhookDelivery.objects.values_list("pk", flat=True))

    # when two workers get all of them at the same moment
    barrier = threading.Barrier(2)

    def worker():
        try:
            barrier.wait()
            send_webhook_deliveries(ids)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    # then each event was sent once, in order
    titles = [r["json"]["data"]["title"] for r in http_receiver.requests]
    assert titles == [f"News {n}" for n in range(10)]
    assert WebhookDelivery.objects.filter(status="sent").count() == 10
