"""Fixtures shared with other apps' tests that assert notification mails."""

import pytest


def eager_outbox_mode(settings):
    from spinportal.celery import app

    previous = app.conf.task_always_eager
    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def eager_outbox(settings):
    """Outbox mails are sent in-process after commit (as without Redis), also in the services
    pass, so tests can assert them with `mailoutbox`."""
    yield from eager_outbox_mode(settings)
