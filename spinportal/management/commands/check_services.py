"""Checks the database and Redis before start-up and fails with one clear line."""

from django.conf import settings
from django.core.management.base import BaseCommand

from spinportal.health import exit_if_unreachable


class Command(BaseCommand):
    help = "Exits with one line per unreachable service (DATABASE_URL, REDIS_URL)."

    def handle(self, *args, **options):
        exit_if_unreachable()
        self.stdout.write(
            f"Services reachable: database ({settings.DATABASES['default']['ENGINE']})"
            + (", redis" if settings.REDIS_URL else "")
        )
