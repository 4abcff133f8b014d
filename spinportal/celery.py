"""The Celery app. Without REDIS_URL tasks run in-process (CELERY_TASK_ALWAYS_EAGER)."""

import os

from celery import Celery, signals

from spinportal.health import exit_if_unreachable

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spinportal.settings")

app = Celery("spinportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.worker_init.connect
def _check_services(**kwargs) -> None:
    """A worker with a wrong DATABASE_URL or REDIS_URL stops with one clear line."""
    exit_if_unreachable()
