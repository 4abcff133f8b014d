"""Delivery over real SMTP into a local sink (aiosmtpd)."""

import pytest
from aiosmtpd.controller import Controller

from notifications.models import Delivery
from notifications.services import notify
from tests.factories import UserFactory
from tests.notifications.integration import free_port

pytestmark = pytest.mark.django_db


class Sink:
    def __init__(self):
        self.messages = []
        self.sessions = set()
        self.answer = "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if not self.answer.startswith("250"):
            return self.answer
        self.messages.append(envelope)
        self.sessions.add(id(session))
        return self.answer


@pytest.fixture
def smtp_sink(settings):
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    yield sink
    controller.stop()


def _message_event(users, key):
    notify(
        event_type="message.received",
        recipients=users,
        event_key=key,
        context={"sender": "Anna", "organisation": "STEAG", "excerpt": "Hallo"},
    )


def test_fan_out_is_sent_in_one_smtp_session(smtp_sink, django_capture_on_commit_callbacks):
    users = UserFactory.create_batch(25)
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            event_type="project.news",
            recipients=users,
            event_key="news-1",
            url="/projects/diane/",
            context={"project": "DIANE", "title": "Kick-off"},
        )
    # project news defaults to the weekly digest: switch the recipients to immediate mail
    assert len(smtp_sink.messages) == 0

    with django_capture_on_commit_callbacks(execute=True):
        _message_event(users, "message-1")
    assert sorted(m.rcpt_tos[0] for m in smtp_sink.messages) == sorted(u.email for u in users)
    assert len(smtp_sink.sessions) == 1
    assert Delivery.objects.filter(status="sent").count() == 25
    raw = smtp_sink.messages[0].content.decode()
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in raw
    assert "Content-Type: multipart/alternative" in raw


def test_a_message_refused_after_the_final_dot_is_not_left_marked_sent(
    smtp_sink, django_capture_on_commit_callbacks
):
    smtp_sink.answer = "451 4.3.0 try again later"
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        _message_event([user], "message-refused")
    delivery = Delivery.objects.get()
    assert smtp_sink.messages == []
    assert (delivery.status, delivery.attempts, delivery.sent_at) == ("retry", 1, None)
    assert delivery.last_error == "SMTPDataError: (451, b'4.3.0 try again later')"
    assert delivery.next_attempt_at is not None


@pytest.mark.django_db(transaction=True)
def test_a_database_error_after_an_accepted_message_is_retried_and_nothing_is_sent_twice(
    smtp_sink, monkeypatch
):
    """The mark after the server accepted a message fails twice (a dropped connection): it is
    retried on a new connection, the rest of the batch goes on, and a second run of the task
    (what the sweep would do) sends nothing again."""
    from django.db import OperationalError

    from notifications import tasks
    from notifications.tasks import send_email_deliveries

    monkeypatch.setattr(tasks, "DATABASE_RETRY_SECONDS", 0)
    mark, failures = tasks._mark_sent, []

    def flaky_mark(delivery):
        if len(failures) < 2 and len(smtp_sink.messages) == 2:
            failures.append(delivery.pk)
            raise OperationalError("server closed the connection unexpectedly")
        mark(delivery)

    monkeypatch.setattr(tasks, "_mark_sent", flaky_mark)
    users = UserFactory.create_batch(5)
    monkeypatch.setattr("notifications.relay._flush", lambda pending: None)  # sent below
    _message_event(users, "message-db-drop")
    keys = list(Delivery.objects.values_list("key", flat=True))
    assert send_email_deliveries(keys) == {"sent": 5, "failed": 0, "skipped": 0}
    assert len(failures) == 2
    assert len(set(failures)) == 1  # the same mark, retried
    assert sorted(m.rcpt_tos[0] for m in smtp_sink.messages) == sorted(u.email for u in users)
    assert Delivery.objects.filter(status="sent").count() == 5
    # a second run (a redelivered task, the sweep) finds nothing to send
    assert send_email_deliveries(keys) == {"sent": 0, "failed": 0, "skipped": 0}
    assert len(smtp_sink.messages) == 5


def test_a_row_marked_sent_meanwhile_is_not_sent_again(smtp_sink, monkeypatch):
    """The idempotency check before each send: a row that another run marked sent after this
    run claimed it (its claim had gone stale) is left alone."""
    from notifications import tasks
    from notifications.tasks import send_email_deliveries

    users = UserFactory.create_batch(3)
    _message_event(users, "message-marked-meanwhile")
    first, *rest = Delivery.objects.order_by("key")
    claim = tasks._claim

    def claim_then_mark(keys):
        claimed = claim(keys)
        Delivery.objects.filter(pk=first.pk).update(status="sent")
        return claimed

    monkeypatch.setattr("notifications.tasks._claim", claim_then_mark)
    assert send_email_deliveries([first.key, *(d.key for d in rest)]) == {
        "sent": 2,
        "failed": 0,
        "skipped": 0,
    }
    assert sorted(m.rcpt_tos[0] for m in smtp_sink.messages) == sorted(
        d.recipient.email for d in rest
    )


@pytest.mark.django_db(transaction=True)
def test_the_workers_database_connection_terminated_mid_batch_sends_each_mail_once(
    require_postgres, smtp_sink, monkeypatch
):
    """PostgreSQL terminates the worker's connection right after the server accepted the
    third of ten messages (pg_terminate_backend from the SMTP server's thread): every mail
    arrives exactly once and every row is marked sent."""
    import psycopg
    from django.db import connection

    from notifications import tasks
    from notifications.tasks import send_email_deliveries

    users = UserFactory.create_batch(10)
    monkeypatch.setattr("notifications.relay._flush", lambda pending: None)  # sent below
    _message_event(users, "message-terminated")
    keys = list(Delivery.objects.values_list("key", flat=True))
    params = connection.get_connection_params()
    connection.ensure_connection()
    worker_pid = connection.connection.info.backend_pid
    accept = smtp_sink.handle_DATA

    async def accept_then_terminate(server, session, envelope):
        answer = await accept(server, session, envelope)
        if len(smtp_sink.messages) == 3:
            with psycopg.connect(**params, autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", [worker_pid])
        return answer

    smtp_sink.handle_DATA = accept_then_terminate
    monkeypatch.setattr(tasks, "DATABASE_RETRY_SECONDS", 0.05)
    counts = send_email_deliveries(keys)
    assert counts == {"sent": 10, "failed": 0, "skipped": 0}
    received = [m.rcpt_tos[0] for m in smtp_sink.messages]
    assert sorted(received) == sorted(u.email for u in users)  # 10 delivered, 0 duplicates
    assert connection.connection.info.backend_pid != worker_pid  # it did reconnect
    assert Delivery.objects.filter(status="sent").count() == 10
