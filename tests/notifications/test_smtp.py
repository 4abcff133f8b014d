"""Delivery over real SMTP into a local sink (aiosmtpd)."""

import socket

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


def test_the_smtp_socket_sends_without_nagle_delay(
    smtp_sink, monkeypatch, django_capture_on_commit_callbacks
):
    """The body and the final "." go out as two writes; with Nagle's algorithm on, the "."
    would wait ~40 ms for the server's delayed ACK."""
    from notifications import tasks

    flags = []
    send = tasks._send

    def spy(connection, message, *, mark_sent):
        sock = connection.connection.sock
        flags.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
        send(connection, message, mark_sent=mark_sent)

    monkeypatch.setattr(tasks, "_send", spy)
    users = UserFactory.create_batch(3)
    with django_capture_on_commit_callbacks(execute=True):
        _message_event(users, "message-nodelay")
    assert len(smtp_sink.messages) == 3
    assert len(flags) == 3
    assert all(flags)


def test_envelope_addresses_match_the_backends(settings, monkeypatch):
    from django.core.mail import get_connection

    from notifications import tasks
    from notifications.tasks import _envelope_address

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    backend = get_connection()
    monkeypatch.setattr(tasks, "_envelope_cache", {})
    prep_address, prepared = backend.prep_address, []

    def counting_prep_address(address, *args, **kwargs):
        prepared.append(address)
        return prep_address(address, *args, **kwargs)

    monkeypatch.setattr(backend, "prep_address", counting_prep_address)
    plain = (
        "anna@example.org",
        "o'neil+tag@sub.example.co.uk",
        "Anna@Example.ORG",  # mixed case: kept as it is, as the backend keeps it
        "first.last@xn--bcher-kva.example",
    )
    parsed = (
        "SPIN Portal <portal@spin.example>",
        "joerg@bücher.example",
        "a@b",  # no dot in the domain: not the plain form
    )
    for address in (*plain, *parsed):
        # the second call of each is answered by the cache (or again by the plain path)
        for _call in range(2):
            assert _envelope_address(backend, address) == prep_address(address)
    # the plain addresses never reached the backend, the others once each
    assert prepared == list(parsed)
    with pytest.raises(ValueError, match="Invalid address"):
        _envelope_address(backend, "anna@example.org\r\nRCPT TO:<victim@example.org>")


def test_the_row_is_marked_sent_right_after_the_final_dot_and_before_the_reply(
    smtp_sink, monkeypatch, django_capture_on_commit_callbacks
):
    """The order that keeps a killed worker from losing an e-mail (see tasks._send)."""
    import smtplib

    from notifications import tasks

    events = []
    send, getreply, marker = smtplib.SMTP.send, smtplib.SMTP.getreply, tasks._sent_marker

    def spy_send(self, data):
        raw = data.encode() if isinstance(data, str) else data
        command = raw.split(b" ", 1)[0].strip().lower()
        if raw == b".\r\n":
            events.append(".")
        elif command in (b"ehlo", b"mail", b"rcpt", b"data", b"quit"):
            events.append(command.decode())
        else:
            events.append("body")
        return send(self, data)

    def spy_getreply(self):
        events.append("reply")
        return getreply(self)

    def spy_marker(delivery):
        mark = marker(delivery)

        def marked():
            events.append("mark")
            mark()
            status = Delivery.objects.values_list("status", flat=True).get(pk=delivery.pk)
            events.append(f"row {status}")

        return marked

    monkeypatch.setattr(smtplib.SMTP, "send", spy_send)
    monkeypatch.setattr(smtplib.SMTP, "getreply", spy_getreply)
    monkeypatch.setattr(tasks, "_sent_marker", spy_marker)
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        _message_event([user], "message-order")
    assert len(smtp_sink.messages) == 1
    # after the DATA command and its reply: the body, the ".", the mark, the acceptance
    assert events[events.index("data") :] == [
        "data",
        "reply",
        "body",
        ".",
        "mark",
        "row sent",
        "reply",
        "quit",
        "reply",
    ]
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.last_error) == ("sent", "")
    assert delivery.sent_at is not None


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


def test_a_mark_the_database_refuses_raises_a_database_error(require_postgres):
    """The mark goes to libpq directly on PostgreSQL: its errors still surface, as Django's
    DatabaseError, and leave the row as it was."""
    import contextlib

    from django.db import DatabaseError, connection, transaction

    from notifications import tasks

    user = UserFactory()
    _message_event([user], "message-mark-refused")
    delivery = Delivery.objects.get()
    refused = pytest.raises(DatabaseError, match=f"could not mark delivery {delivery.pk} sent")
    with refused, transaction.atomic():
        mark = tasks._sent_marker(delivery)
        with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
            cursor.execute("SELECT 1 / 0")  # the transaction is now aborted
        mark()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.sent_at) == ("pending", None)
