"""Delivery over real SMTP into a local sink (aiosmtpd)."""

import socket

import pytest
from aiosmtpd.controller import Controller

from notifications.models import Delivery
from notifications.services import notify
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


class Sink:
    def __init__(self):
        self.messages = []
        self.sessions = set()

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        self.sessions.add(id(session))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
        notify(
            event_type="message.received",
            recipients=users,
            event_key="message-1",
            context={"sender": "Anna", "organisation": "STEAG", "excerpt": "Hallo"},
        )
    assert sorted(m.rcpt_tos[0] for m in smtp_sink.messages) == sorted(u.email for u in users)
    assert len(smtp_sink.sessions) == 1
    assert Delivery.objects.filter(status="sent").count() == 25
    raw = smtp_sink.messages[0].content.decode()
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in raw
    assert "Content-Type: multipart/alternative" in raw
