"""Webhook delivery through a real Celery worker (PostgreSQL, own redis-server)."""

import hashlib
import hmac
import time
from collections import Counter

import pytest
from django.db import transaction

from notifications.models import WebhookDelivery, WebhookEndpoint
from notifications.services import notify
from tests.factories import OrganisationFactory
from tests.notifications.integration import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_receiver_that_fails_then_recovers_gets_each_event_once_signed(stack, http_receiver):
    # given a webhook whose receiver fails twice before it recovers
    organisation = OrganisationFactory()
    WebhookEndpoint.objects.create(
        organisation=organisation,
        url=http_receiver.url,
        event_types=["project.news"],
        secret="whsec_integration",
    )
    http_receiver.statuses = [500, 503]

    # when 20 events the organisation may see happen
    with transaction.atomic():
        for number in range(20):
            notify(
                event_type="project.news",
                recipients=[],
                event_key=f"news-{number}",
                url=f"/projects/diane/news/{number}/",
                context={"project": "DIANE", "title": f"News {number}"},
                organisation_ids=[organisation.pk],
            )

    # then each event arrives exactly once with a 2xx, correctly signed
    wait_for(
        lambda: WebhookDelivery.objects.filter(status="sent").count() == 20,
        timeout=60,
        message="not all webhook deliveries were sent",
    )
    time.sleep(1)
    delivered = http_receiver.delivered()
    assert Counter(r["json"]["id"] for r in delivered) == Counter(
        str(d) for d in WebhookDelivery.objects.values_list("event_id", flat=True)
    )
    assert len(delivered) == 20
    # in order: the later events waited while the first one was retried
    assert [r["json"]["data"]["title"] for r in delivered] == [f"News {n}" for n in range(20)]
    assert len(http_receiver.requests) == 22  # the two failures were retried
    for request in delivered:
        timestamp = request["headers"]["X-Spin-Timestamp"]
        expected = hmac.new(
            b"whsec_integration", f"{timestamp}.".encode() + request["body"], hashlib.sha256
        ).hexdigest()
        assert request["headers"]["X-Spin-Signature"] == f"sha256={expected}"
        assert request["headers"]["X-Spin-Event-Id"] == request["json"]["id"]
    assert WebhookEndpoint.objects.get().consecutive_failures == 0
