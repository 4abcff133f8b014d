"""Settings for the Celery worker that the integration tests start: the test settings with
short retry, grace and stale-claim times, so that recoveries happen within seconds."""

import os

from spinportal.settings_test import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
NOTIFICATIONS_BACKOFF_BASE_SECONDS = float(
    os.environ.get("NOTIFICATIONS_BACKOFF_BASE_SECONDS", "0.2")
)
NOTIFICATIONS_RELAY_GRACE_SECONDS = 2
NOTIFICATIONS_STALE_CLAIM_SECONDS = 10
# A real worker: tasks it queues (retries with an ETA, sweeps) go through the broker.
CELERY_TASK_ALWAYS_EAGER = False
