import datetime as dt
import smtplib

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from notifications.models import Delivery, Notification, Preference
from notifications.services import notify, preference_set
from notifications.tasks import send_digests, send_email_deliveries, sweep_pending_deliveries
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CONTEXT = {
    "sender_organisation": "Fraunhofer IMS",
    "opportunity": "HV-Prüfstand",
    "message": "Guten Tag!",
}


def _notify(recipients, key="1", context=None, **kwargs):
    return notify(
        event_type="contact_request.received",
        recipients=recipients,
        event_key=key,
        url="/contact-requests/1/",
        context=context or CONTEXT,
        **kwargs,
    )


def test_event_writes_notification_and_sends_one_mail_after_commit(
    django_capture_on_commit_callbacks,
):
    user = UserFactory(email="anna@example.org")
    # given an event inside a transaction: nothing is sent before the commit
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _notify([user])
        assert mail.outbox == []
    assert Notification.objects.get().recipient == user
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.key) == (
        "pending",
        f"email:contact_request.received:1:{user.pk}",
    )

    # when the transaction commits
    for callback in callbacks:
        callback()

    # then exactly one e-mail went out, in German, with text and HTML and unsubscribe headers
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["anna@example.org"]
    assert message.subject == "Kontaktanfrage von Fraunhofer IMS"
    assert "http://127.0.0.1:8000/contact-requests/1/" in message.body
    assert message.alternatives[0].mimetype == "text/html"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["List-Unsubscribe"].startswith(
        "<http://127.0.0.1:8000/notifications/unsubscribe/"
    )
    delivery.refresh_from_db()
    assert delivery.status == "sent"


def test_mail_is_in_the_recipients_language(django_capture_on_commit_callbacks):
    user = UserFactory(language="en")
    with django_capture_on_commit_callbacks(execute=True):
        _notify([user])
    assert mail.outbox[0].subject == "Contact request from Fraunhofer IMS"


def test_the_same_event_twice_adds_nothing(django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        _notify([user])
        _notify([user])
    assert Notification.objects.count() == 1
    assert Delivery.objects.count() == 1
    assert len(mail.outbox) == 1


def test_a_redelivered_task_sends_nothing_twice(django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        _notify([user])
    key = Delivery.objects.get().key
    assert send_email_deliveries(keys=[key]) == {"sent": 0, "failed": 0, "skipped": 0}
    assert len(mail.outbox) == 1


def test_the_actor_is_not_told_about_their_own_action(django_capture_on_commit_callbacks):
    actor, other = UserFactory(), UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        _notify([actor, other], actor=actor)
    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [other.pk]


def test_unverified_addresses_get_no_mail(django_capture_on_commit_callbacks):
    user = UserFactory(verified=False)
    with django_capture_on_commit_callbacks(execute=True):
        _notify([user])
    assert mail.outbox == []
    assert Delivery.objects.get().status == "skipped"
    assert Notification.objects.count() == 1  # still visible in the portal


def test_preference_off_keeps_the_in_app_entry_only(django_capture_on_commit_callbacks):
    user = UserFactory()
    preference_set(user=user, event_type="contact_request.received", frequency="off")
    with django_capture_on_commit_callbacks(execute=True):
        _notify([user])
    assert Notification.objects.count() == 1
    assert Delivery.objects.count() == 0
    assert mail.outbox == []


def test_mandatory_events_cannot_be_turned_off():
    user = UserFactory()
    assert preference_set(user=user, event_type="invitation.received", frequency="off") is None
    assert Preference.objects.count() == 0


def test_daily_digest_summarises_once(django_capture_on_commit_callbacks):
    user = UserFactory(email="anna@example.org")
    preference_set(user=user, event_type="contact_request.received", frequency="daily")
    with django_capture_on_commit_callbacks(execute=True):
        _notify([user], key="1")
        _notify([user], key="2", context={**CONTEXT, "sender_organisation": "STEAG"})
    assert mail.outbox == []
    assert Delivery.objects.count() == 0

    # when the morning digest runs (twice, as after a beat restart)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_digests("daily") == 1
        assert send_digests("daily") == 0

    # then one e-mail lists both events, and nothing is left for the next digest
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Ihre tägliche Zusammenfassung aus dem SPIN Portal"
    assert "Kontaktanfrage von Fraunhofer IMS" in mail.outbox[0].body
    assert "Kontaktanfrage von STEAG" in mail.outbox[0].body
    assert Notification.objects.filter(digest_delivery__isnull=True).count() == 0


class FlakySMTP:
    """An e-mail backend that fails with a transient 4xx a given number of times."""

    failures = 0
    sent: list = []

    def __init__(self, *args, **kwargs):
        pass

    def open(self):
        return True

    def close(self):
        pass

    def send_messages(self, messages):
        if FlakySMTP.failures > 0:
            FlakySMTP.failures -= 1
            raise smtplib.SMTPDataError(451, b"try again later")
        FlakySMTP.sent.extend(messages)
        return len(messages)


@pytest.fixture
def flaky_smtp(settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_outbox.FlakySMTP"
    FlakySMTP.sent = []
    return FlakySMTP


def test_transient_failures_are_retried_with_backoff_then_delivered_once(
    flaky_smtp, django_capture_on_commit_callbacks
):
    user = UserFactory()
    flaky_smtp.failures = 2
    with django_capture_on_commit_callbacks(execute=True):
        _notify([user])
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("retry", 1)
    assert "451" in delivery.last_error
    assert delivery.next_attempt_at > timezone.now()

    # the sweep ignores it until its retry time
    assert sweep_pending_deliveries() == 0
    Delivery.objects.update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
    assert sweep_pending_deliveries() == 1  # eager: sends right away, fails a second time
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("retry", 2)

    Delivery.objects.update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
    sweep_pending_deliveries()
    delivery.refresh_from_db()
    assert delivery.status == "sent"
    assert len(flaky_smtp.sent) == 1


def test_after_five_failures_the_delivery_is_dead_and_staff_can_retry(
    flaky_smtp, client, django_capture_on_commit_callbacks
):
    user = UserFactory()
    flaky_smtp.failures = 100
    with django_capture_on_commit_callbacks(execute=True):
        _notify([user])
    for _ in range(4):
        Delivery.objects.update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
        sweep_pending_deliveries()
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("dead", 5, None)
    assert sweep_pending_deliveries() == 0

    # when staff retry it from the admin's dead-letter list and the server recovered
    flaky_smtp.failures = 0
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:notifications_delivery_changelist"),
            {"action": "retry_deliveries", "_selected_action": [delivery.pk]},
        )
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == "sent"
    assert len(flaky_smtp.sent) == 1


def test_sweep_sends_what_the_relay_missed(django_capture_on_commit_callbacks):
    user = UserFactory()
    # the commit callbacks never run: as if the relay could not reach the broker
    with django_capture_on_commit_callbacks(execute=False):
        _notify([user])
    assert sweep_pending_deliveries() == 0  # still within the relay's grace period
    Delivery.objects.update(created_at=timezone.now() - dt.timedelta(minutes=1))
    assert sweep_pending_deliveries() == 1
    assert len(mail.outbox) == 1


def test_a_batch_is_claimed_and_read_in_three_queries_then_one_per_mail(
    django_capture_on_commit_callbacks, django_assert_num_queries
):
    users = UserFactory.create_batch(4)
    unverified = UserFactory(verified=False)
    with django_capture_on_commit_callbacks(execute=False):
        _notify([*users, unverified])
    keys = list(Delivery.objects.values_list("key", flat=True))
    # claim (one statement), read the rows with their recipients, read the verified
    # addresses; then per mail the idempotency check and the mark (a skip: one statement)
    with django_assert_num_queries(3 + 2 * 4 + 1):
        counts = send_email_deliveries(keys=keys)
    assert counts == {"sent": 4, "failed": 0, "skipped": 1}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in users)
    assert Delivery.objects.get(recipient=unverified).status == "skipped"
    assert set(Delivery.objects.exclude(recipient=unverified).values_list("status", flat=True)) == {
        "sent"
    }


def test_only_claimable_rows_are_claimed(django_capture_on_commit_callbacks):
    fresh, stale, done, retry = UserFactory.create_batch(4)
    with django_capture_on_commit_callbacks(execute=False):
        _notify([fresh, stale, done, retry])
    now = timezone.now()
    Delivery.objects.filter(recipient=fresh).update(status="sending", claimed_at=now)
    Delivery.objects.filter(recipient=stale).update(
        status="sending", claimed_at=now - dt.timedelta(hours=1)
    )
    Delivery.objects.filter(recipient=done).update(status="sent", sent_at=now)
    Delivery.objects.filter(recipient=retry).update(status="retry")
    keys = list(Delivery.objects.values_list("key", flat=True))

    # a row another worker is sending, or that went out, is left alone; a stale claim (its
    # worker died) and a retry are sent
    assert send_email_deliveries(keys=keys) == {"sent": 2, "failed": 0, "skipped": 0}
    assert sorted(m.to[0] for m in mail.outbox) == sorted([stale.email, retry.email])
    assert Delivery.objects.get(recipient=fresh).status == "sending"
    assert send_email_deliveries(keys=keys) == {"sent": 0, "failed": 0, "skipped": 0}


def test_notify_is_five_statements_and_returns_new_rows(
    django_assert_num_queries,
):
    user, other = UserFactory(), UserFactory()
    # preferences, the notifications that exist, the INSERT ... ON CONFLICT DO NOTHING of the
    # new ones, reading them back with their ids, the deliveries
    with django_assert_num_queries(5):
        stored = _notify([user])
    assert [(n.pk, n.recipient_id) for n in stored] == list(
        Notification.objects.values_list("pk", "recipient_id")
    )
    assert Delivery.objects.get().notification_id == stored[0].pk

    # the same event again: nothing is inserted, so no delivery statement either; a new
    # recipient of it gets their own rows, and only theirs are returned
    with django_assert_num_queries(2):
        assert _notify([user]) == []
    stored = _notify([user, other])
    assert [n.recipient_id for n in stored] == [other.pk]
    assert Delivery.objects.filter(recipient=other, notification=stored[0]).exists()
    assert Notification.objects.count() == 2


def test_a_mandatory_event_reads_no_preferences(django_assert_num_queries):
    user = UserFactory()
    with django_assert_num_queries(4):
        notify(
            event_type="invitation.received",
            recipients=[user],
            event_key="invite-1",
            url="/invitations/1/",
            context={"organisation": "STEAG", "inviter": "Anna"},
        )
    assert Delivery.objects.get().recipient == user


def test_digests_of_a_batch_read_their_entries_in_one_query(django_assert_num_queries, monkeypatch):
    users = UserFactory.create_batch(3)
    for user in users:
        preference_set(user=user, event_type="contact_request.received", frequency="daily")
    _notify(users, key="1")
    _notify(users, key="2", context={**CONTEXT, "sender_organisation": "STEAG"})
    queued = []
    monkeypatch.setattr(send_email_deliveries, "delay", queued.extend)
    assert send_digests("daily") == 3
    keys = list(Delivery.objects.filter(kind="digest").values_list("key", flat=True))
    assert sorted(queued) == sorted(keys)
    # claim, rows, addresses, the entries of all three digests; per mail the idempotency
    # check and the mark
    with django_assert_num_queries(4 + 2 * 3):
        sent = send_email_deliveries(keys=keys)
    assert sent == {"sent": 3, "failed": 0, "skipped": 0}
    assert len(mail.outbox) == 3
    for message in mail.outbox:
        body = message.body
        assert body.index("Fraunhofer IMS") < body.index("STEAG")  # oldest entry first


def test_notify_writes_every_field_by_preference_and_returns_the_stored_rows(
    django_capture_on_commit_callbacks,
):
    # given recipients with each kind of preference
    actor = UserFactory()
    immediate, daily, off = UserFactory(language="en"), UserFactory(), UserFactory()
    preference_set(user=daily, event_type="contact_request.received", frequency="daily")
    preference_set(user=off, event_type="contact_request.received", frequency="off")
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=False):
        stored = _notify([immediate, daily, off, actor], key="42", actor=actor)
    # then one notification each, the actor left out, in recipient order
    assert [n.recipient_id for n in stored] == sorted([immediate.pk, daily.pk, off.pk])
    rows = {
        n.recipient_id: n
        for n in Notification.objects.filter(pk__in=[n.pk for n in stored]).order_by("pk")
    }
    for notification in stored:
        row = rows[notification.recipient_id]
        assert (row.pk, row.event_type, row.event_key, row.actor_id, row.url, row.context) == (
            notification.pk,
            "contact_request.received",
            "contact_request.received:42",
            actor.pk,
            "/contact-requests/1/",
            CONTEXT,
        )
        assert (row.read_at, row.digest_delivery_id) == (None, None)
        assert before <= row.created_at <= timezone.now()
        assert row.digest == notification.digest
        # the returned objects carry what was stored
        assert (
            notification.event_type,
            notification.event_key,
            notification.actor_id,
            notification.url,
            notification.context,
            notification.created_at,
        ) == (row.event_type, row.event_key, row.actor_id, row.url, row.context, row.created_at)
    assert {r: rows[r].digest for r in rows} == {immediate.pk: "", daily.pk: "daily", off.pk: ""}
    # and one e-mail delivery, only for the immediate recipient, in their language
    delivery = Delivery.objects.get()
    assert (
        delivery.key,
        delivery.kind,
        delivery.recipient_id,
        delivery.notification_id,
        delivery.to_email,
        delivery.language,
        delivery.event_type,
        delivery.context,
        delivery.url,
        delivery.status,
        delivery.attempts,
        delivery.next_attempt_at,
        delivery.claimed_at,
        delivery.last_error,
        delivery.sent_at,
    ) == (
        f"email:contact_request.received:42:{immediate.pk}",
        "email",
        immediate.pk,
        rows[immediate.pk].pk,
        "",
        "en",
        "contact_request.received",
        CONTEXT,
        "/contact-requests/1/",
        "pending",
        0,
        None,
        None,
        "",
        None,
    )


def test_a_mandatory_event_is_mailed_whatever_a_stored_preference_says(
    django_capture_on_commit_callbacks,
):
    # given a preference "off" stored for a mandatory event (the service never stores one,
    # but an older row or the admin could)
    user = UserFactory()
    Preference.objects.create(user=user, event_type="invitation.received", frequency="off")
    with django_capture_on_commit_callbacks(execute=False):
        (stored,) = notify(
            event_type="invitation.received",
            recipients=[user],
            event_key="invite-9",
            url="/invitations/9/",
            context={"organisation": "STEAG", "inviter": "Anna"},
        )
    # then it is mailed at once, not put in a digest
    assert stored.digest == Notification.objects.get().digest == ""
    assert list(Delivery.objects.values_list("key", "notification_id")) == [
        (f"email:invitation.received:invite-9:{user.pk}", stored.pk)
    ]
