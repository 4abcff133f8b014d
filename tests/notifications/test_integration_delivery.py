"""E-mail delivery with real components: PostgreSQL, an own redis-server, a Celery worker
process and an SMTP sink. Runs in the services pass (DATABASE_URL and REDIS_URL set)."""

import datetime as dt
import subprocess
import sys
import time
from collections import Counter

import pytest
from aiosmtpd.controller import Controller
from allauth.account.models import EmailAddress
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from notifications.emails import message_id
from notifications.models import Delivery
from notifications.services import notify
from notifications.tasks import sweep_pending_deliveries
from spinportal.cache import BREAKER_SECONDS
from spinportal.config import redis_cache_settings
from tests.factories import MembershipFactory, OrganisationFactory
from tests.notifications.integration import ROOT, Worker, wait_for

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


def test_a_killed_worker_loses_nothing_and_doubles_only_what_it_could_not_mark(stack, sink):
    """SIGKILL to the worker and its two pool processes during 1,000 e-mails. Nothing is lost.
    A message the server accepted in the instant before its row was marked is sent again
    after the stale-claim time (SMTP and the database cannot agree exactly once): at most one
    per killed pool process, with the same Message-ID so that receivers can drop it, and
    exactly those found accepted-but-unmarked at the kill."""
    # given 1,000 recipients and 1,000 events, committed in batches
    users = _people(1000, "kill")
    for start in range(0, 1000, 100):
        with transaction.atomic():
            for user in users[start : start + 100]:
                _message(user, key=f"kill-{user.pk}")

    # when the worker is killed with SIGKILL in the middle and started again
    wait_for(lambda: len(sink.snapshot()) >= 300, timeout=60, message="no progress")
    stack.worker.kill()
    killed_at = time.monotonic()
    at_kill = sink.snapshot()
    time.sleep(1)
    assert len(sink.snapshot()) == len(at_kill)  # it is really gone
    marked = {
        message_id(key)
        for key in Delivery.objects.filter(status="sent").values_list("key", flat=True)
    }
    unmarked = {mid for mid, _ in at_kill} - marked  # accepted, the mark not yet written
    stack.worker.start()

    # then, with the sweep running, every e-mail arrives
    _sweep_until(
        lambda: len({mid for mid, _ in sink.snapshot()}) >= 1000,
        timeout=180,  # ~20 s on an idle machine; headroom for a loaded CI machine
        message="not all 1,000 e-mails arrived",
    )
    resumed_within = time.monotonic() - killed_at
    time.sleep(3)  # anything duplicated would arrive now
    received = sink.snapshot()
    assert 300 <= len(at_kill) < 1000
    assert len({message_id for message_id, _ in received}) == 1000  # none lost
    assert sorted(set(received)) == sorted(
        {(message_id(f"email:message.received:kill-{u.pk}:{u.pk}"), u.email) for u in users}
    )
    duplicates = Counter(mid for mid, _ in received) - Counter({mid for mid, _ in received})
    assert set(duplicates) == unmarked  # exactly the accepted-but-unmarked ones, once each
    assert all(count == 1 for count in duplicates.values())
    assert len(unmarked) <= 2  # one in-flight message per killed pool process at most
    assert Delivery.objects.filter(status="sent").count() == 1000
    assert resumed_within < 60, f"the killed worker's mails took {resumed_within:.0f} s"


@pytest.mark.parametrize("fault", ["stopped", "stalled"])
def test_requests_answer_while_redis_is_down_or_stalled_and_nothing_is_lost(
    stack, sink, settings, fault
):
    """Redis is cache, rate-limit store and broker (the production settings: database
    sessions, the fail-soft cache). Stopped or SIGSTOPped during 100 logged-in writes and 100
    API reads: no request fails, none waits long, and every e-mail arrives once afterwards."""
    settings.CACHES = {"default": redis_cache_settings(stack.redis.url)}
    cache.clear()
    organisation = OrganisationFactory()
    admin = MembershipFactory(organisation=organisation, role="admin").user
    EmailAddress.objects.filter(user=admin).update(email=admin.email)
    partners = _people(100, f"joiner-{fault}")
    client = Client()

    # when Redis fails and 100 partners ask to join through the web view, reading the API too
    stack.redis.stop() if fault == "stopped" else stack.redis.pause()
    try:
        durations, statuses = [], Counter()
        for partner in partners:
            client.force_login(partner)
            started = time.monotonic()
            response = client.post(
                reverse("people:join", kwargs={"slug": organisation.slug}), {"message": "Hallo"}
            )
            statuses[response.status_code] += 1
            statuses[client.get("/api/v1/me/").status_code] += 1
            durations.append(time.monotonic() - started)
    finally:
        stack.redis.start() if fault == "stopped" else stack.redis.resume()
    assert statuses == {302: 100, 200: 100}
    durations.sort()
    p50, p95, slowest = durations[49], durations[94], durations[-1]
    print(f"redis {fault}: p50 {p50:.3f} s, p95 {p95:.3f} s, max {slowest:.3f} s")
    # one cache timeout (0.5 s) opens the breaker for BREAKER_SECONDS; everything else answers
    # at once. So at most one slow request per breaker period (more periods pass when a
    # loaded machine makes every request slower), and none waits for more than one timeout.
    assert durations[-1] < 1.5, f"slowest request {durations[-1]:.3f} s"
    slow = sum(duration >= 0.4 for duration in durations)
    periods = int(sum(durations) / BREAKER_SECONDS) + 1
    assert slow <= periods, f"{slow} requests waited for the cache in {periods} breaker periods"
    assert p50 < 0.3, f"p50 {p50:.3f} s"
    assert Delivery.objects.filter(event_type="join_request.received").count() == 100

    # then, once Redis is back, the relay's late hand-overs and the sweep deliver all 100
    _sweep_until(
        lambda: len(sink.snapshot()) >= 100, timeout=90, message="not all 100 were delivered"
    )
    time.sleep(2)
    received = sink.snapshot()
    assert len(received) == 100
    assert len({message_id for message_id, _ in received}) == 100
    assert {address for _, address in received} == {admin.email}
    assert Delivery.objects.filter(status="sent").count() == 100


def test_the_workers_database_connections_terminated_mid_batch_double_nothing(stack, sink):
    """PostgreSQL ends every connection of the worker's processes three times while it sends
    300 e-mails: each arrives exactly once, and the batches go on without waiting for the
    stale-claim time."""
    users = _people(300, "terminated")
    started = time.monotonic()
    with transaction.atomic():
        for user in users:
            _message(user, key=f"terminated-{user.pk}")
    for threshold in (50, 120, 200):
        wait_for(lambda t=threshold: len(sink.snapshot()) >= t, timeout=60, message="no progress")
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            assert cursor.fetchone()[0] >= 1
    wait_for(lambda: len(sink.snapshot()) >= 300, timeout=60, message="not all 300 arrived")
    elapsed = time.monotonic() - started
    time.sleep(2)
    received = sink.snapshot()
    assert len(received) == 300
    assert len({message_id for message_id, _ in received}) == 300
    assert Delivery.objects.filter(status="sent").count() == 300
    assert elapsed < 30, f"took {elapsed:.1f} s: a batch waited for its claim to go stale"


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


def test_an_smtp_server_refusing_connections_for_30_s_loses_and_doubles_nothing(stack, sink):
    """The mail server is unreachable (connection refused) for 30 s while 20 e-mails are due;
    with a 5 s first backoff (5, 10, 20 s …) they all arrive once it is back."""
    stack.worker.stop()
    stack.worker.env["NOTIFICATIONS_BACKOFF_BASE_SECONDS"] = "5"
    stack.worker.start()
    try:
        users = _people(20, "refused")
        sink.controller.stop()  # nothing listens on the port: connection refused
        outage_started = time.monotonic()
        with transaction.atomic():
            for user in users:
                _message(user, key=f"refused-{user.pk}")
        wait_for(
            lambda: Delivery.objects.filter(key__contains="refused-", status="retry").count() == 20,
            timeout=30,
            message="the deliveries were not set to retry",
        )
        time.sleep(max(0.0, 30 - (time.monotonic() - outage_started)))
        sink.controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
        sink.controller.start()
        _sweep_until(lambda: len(sink.snapshot()) >= 20, timeout=120, message="not all 20 arrived")
        time.sleep(2)
        received = sink.snapshot()
        assert len(received) == 20
        assert len({message_id for message_id, _ in received}) == 20
        assert Delivery.objects.filter(key__contains="refused-", status="sent").count() == 20
        assert Delivery.objects.filter(status="dead").count() == 0
    finally:
        stack.worker.stop()
        del stack.worker.env["NOTIFICATIONS_BACKOFF_BASE_SECONDS"]
        stack.worker.start()


def test_two_beats_sweeping_the_same_rows_send_each_mail_once(stack, sink, monkeypatch):
    """Beat restarted (or run twice by mistake): two sweeps queue the same 200 due rows; the
    workers' claims let each e-mail out once."""
    monkeypatch.setattr("notifications.relay._flush", lambda pending: None)  # left to sweeps
    users = _people(200, "twobeats")
    with transaction.atomic():
        for user in users:
            _message(user, key=f"twobeats-{user.pk}")
    Delivery.objects.filter(key__contains="twobeats-").update(
        created_at=timezone.now() - dt.timedelta(minutes=5)  # past the relay's grace time
    )
    stack.worker.pause()  # both sweeps queue before any worker takes a task
    try:
        assert sweep_pending_deliveries() == 200
        assert sweep_pending_deliveries() == 200  # still pending: every row queued twice
    finally:
        stack.worker.resume()
    wait_for(lambda: len(sink.snapshot()) >= 200, timeout=60, message="not all 200 arrived")
    time.sleep(2)
    received = sink.snapshot()
    assert len(received) == 200
    assert len({message_id for message_id, _ in received}) == 200


WEB_PROCESS_SCRIPT = """
import sys
import django
django.setup()
from django.db import transaction
from accounts.models import User
from notifications.services import notify
users = list(User.objects.filter(email__startswith="shared").order_by("pk"))
half = users[int(sys.argv[1]) :: 2]
for start in range(0, len(half), 25):
    with transaction.atomic():
        for user in half[start : start + 25]:
            notify(
                event_type="message.received",
                recipients=[user],
                event_key=f"shared-{user.pk}",
                url="/conversations/1/",
                context={"sender": "Anna", "organisation": "STEAG", "excerpt": "Hallo"},
            )
"""


def test_two_web_and_two_worker_processes_share_500_events_once_each(stack, sink):
    """Two web processes record 250 events each (their relays hand them to the broker) while
    two worker processes (the stack's and a second one, each a prefork pool) send them."""
    users = _people(500, "shared")
    second = Worker(
        database_url=stack.worker.env["DATABASE_URL"],
        redis_url=stack.worker.env["REDIS_URL"],
        email_url=stack.worker.env["EMAIL_URL"],
        log=stack.worker.log.with_name("second-worker.log"),
    )
    second.start()
    try:
        web = [
            subprocess.Popen(
                [sys.executable, "-c", WEB_PROCESS_SCRIPT, str(index)],
                cwd=ROOT,
                env={**stack.worker.env},
            )
            for index in (0, 1)
        ]
        for process in web:
            assert process.wait(timeout=120) == 0
        wait_for(lambda: len(sink.snapshot()) >= 500, timeout=90, message="not all 500 arrived")
        time.sleep(2)
    finally:
        second.stop()
    received = sink.snapshot()
    assert len(received) == 500
    assert sorted(address for _, address in received) == sorted(u.email for u in users)
    assert Delivery.objects.filter(key__contains="shared-", status="sent").count() == 500
