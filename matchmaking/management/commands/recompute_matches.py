"""Rebuilds every matching profile and every stored list, as Celery chunk tasks that all
workers share (in-process when there is no broker)."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand

from matchmaking.engine import rebuild
from matchmaking.tasks import rebuild_signature


class Command(BaseCommand):
    help = "Recomputes the matching profiles and the matches of every published opportunity."

    def handle(self, *args, **options):
        started = time.monotonic()
        organisations = sum(len(c) for c in rebuild.organisation_chunks())
        rebuild_signature().apply_async()
        if settings.CELERY_TASK_ALWAYS_EAGER:
            self.stdout.write(
                f"Recomputed the profiles of {organisations} organisations and the matches "
                f"of every published opportunity in {time.monotonic() - started:.1f} s."
            )
        else:
            self.stdout.write(
                f"Queued the rebuild of {organisations} organisations' profiles and then of "
                "every published opportunity's matches; the workers share the chunks."
            )
