"""Checks the database and Redis before start-up and fails with one clear line."""

import sys

from django.conf import settings
from django.core.management.base import BaseCommand

from spinportal.health import readiness


class Command(BaseCommand):
    help = "Exits with one line per unreachable service (DATABASE_URL, REDIS_URL)."

    def handle(self, *args, **options):
        failures = readiness()
        names = {"database": "DATABASE_URL", "redis": "REDIS_URL"}
        for component, error in failures.items():
            self.stderr.write(f"{names[component]} is not reachable: {error}")
        if failures:
            sys.exit(1)
        self.stdout.write(
            f"Services reachable: database ({settings.DATABASES['default']['ENGINE']})"
            + (", redis" if settings.REDIS_URL else "")
        )
