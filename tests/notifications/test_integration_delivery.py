"""E-mail delivery with real components: PostgreSQL, an own redis-server, a Celery worker
process and an SMTP sink. Runs in the services pass (DATABASE_URL and REDIS_URL set)."""

import time

import pytest
from allauth.account.models import EmailAddress
from django.db import transaction
from django.test import Client
from django.urls import reverse

from accounts.models import User
from notifications.models import Delivery
from notifications.services import notify
from notifications.tasks import sweep_pending_deliveries
from tests.factories import MembershipFactory, OrganisationFactory
from tests.notifications.integration import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sink(stack):
    stack.sink.reset()
    return stack.sink


def _people(count: int, prefix: str) -> list[User]:
    users = User.objects.bulk_create(
        User(email=f"{prefix}{i}@example.org", full_name=f"{prefix} {i}", password="!")
        for i in range(count)
    )
    users = list(User.objects.filter(email__startswith=prefix).order_by("pk"))
    EmailAddress.objects.bulk_create(
        EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users
    )
    return users


def _message(user, key: str):
    notify(
        event_type="message.received",
        recipients=[user],
        event_key=key,
        url="/conversations/1/",
        context={"sender": "Anna", "organisation": "STEAG", "excerpt": "Hallo"},
    )


def _sweep_until(condition, *, timeout: float, message: str):
    """Runs the periodic sweep (as beat would) until the condition holds."""

    def swept():
        if condition():
            return True
        sweep_pending_deliveries()
        return condition()

    wait_for(swept, timeout=timeout, interval=2, message=message)


def test_a_killed_worker_loses_nothing_and_doubles_nothing(stack, sink):
    # given 1,000 recipients and 1,000 events, committed in batches
    users = _people(1000, "kill")
    for start in range(0, 1000, 100):
        with transaction.atomic():
            for user in users[start : start + 100]:
                _message(user, key=f"kill-{user.pk}")

    # when the worker is killed with SIGKILL in the middle and started again
    wait_for(lambda: len(sink.snapshot()) >= 300, timeout=60, message="no progress")
    stack.worker.kill()
    at_kill = len(sink.snapshot())
    time.sleep(1)
    assert len(sink.snapshot()) == at_kill  # it is really gone
    stack.worker.start()

    # then, with the sweep running, every e-mail arrives exactly once
    _sweep_until(
        lambda: len({mid for mid, _ in sink.snapshot()}) >= 1000,
        timeout=180,  # ~20 s on an idle machine; headroom for a loaded CI machine
        message="not all 1,000 e-mails arrived",
    )
    time.sleep(3)  # anything duplicated would arrive now
    received = sink.snapshot()
    assert 300 <= at_kill < 1000
    assert len({message_id for message_id, _ in received}) == 1000
    assert len(received) == 1000
    assert sorted(address for _, address in received) == sorted(u.email for u in users)
    assert Delivery.objects.filter(status="sent").count() == 1000


def test_requests_stay_fast_while_redis_is_down_and_nothing_is_lost(stack, sink):
    # given an organisation whose admin is told about every request to join
    organisation = OrganisationFactory()
    admin = MembershipFactory(organisation=organisation, role="admin").user
    EmailAddress.objects.filter(user=admin).update(email=admin.email)
    partners = _people(100, "joiner")
    client = Client()

    # when Redis is down and 100 partners ask to join through the web view
    stack.redis.stop()
    durations = []
    for partner in partners:
        client.force_login(partner)
        started = time.monotonic()
        response = client.post(
            reverse("people:join", kwargs={"slug": organisation.slug}), {"message": "Hallo"}
        )
        durations.append(time.monotonic() - started)
        assert response.status_code == 302
    assert max(durations) < 1.0, f"slowest request {max(durations):.3f} s"
    assert Delivery.objects.filter(event_type="join_request.received").count() == 100
    assert sink.snapshot() == []

    # then, once Redis is back, the sweep delivers all 100
    stack.redis.start()
    _sweep_until(
        lambda: len(sink.snapshot()) >= 100, timeout=90, message="not all 100 were delivered"
    )
    time.sleep(2)
    received = sink.snapshot()
    assert len(received) == 100
    assert len({message_id for message_id, _ in received}) == 100
    assert {address for _, address in received} == {admin.email}
    assert Delivery.objects.filter(status="sent").count() == 100


def test_transient_refusals_are_retried_and_permanent_ones_end_as_dead_letters(stack, sink):
    # given a server that answers 4xx twice for one recipient and always 5xx for another
    flaky, refused = _people(2, "smtp")
    sink.plan[flaky.email] = ["451 4.3.0 Try again later"] * 2
    sink.plan[refused.email] = ["554 5.7.1 Rejected"] * 100

    # when both get an e-mail
    with transaction.atomic():
        _message(flaky, key="flaky")
        _message(refused, key="refused")

    # then the first arrives exactly once after two retries (with backoff in the worker)
    wait_for(
        lambda: Delivery.objects.filter(recipient=flaky, status="sent").exists(),
        timeout=30,
        message="the flaky delivery was not sent",
    )
    # and the second lands in the dead-letter list after 5 tries
    wait_for(
        lambda: Delivery.objects.filter(recipient=refused, status="dead").exists(),
        timeout=60,
        message="the refused delivery did not become a dead letter",
    )
    time.sleep(1)
    assert [address for _, address in sink.snapshot()] == [flaky.email]
    assert (sink.attempts[flaky.email], sink.attempts[refused.email]) == (3, 5)
    flaky_delivery = Delivery.objects.get(recipient=flaky)
    assert (flaky_delivery.status, flaky_delivery.attempts) == ("sent", 2)
    dead = Delivery.objects.get(recipient=refused)
    assert (dead.status, dead.attempts, dead.next_attempt_at) == ("dead", 5, None)
    assert "554" in dead.last_error
