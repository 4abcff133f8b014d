"""Liveness and readiness probes for load balancers and orchestration."""

import sys

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request):
    """The process is alive. Touches nothing else."""
    return JsonResponse({"status": "ok"})


def check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}".splitlines()[0]
    return None


def check_redis() -> str | None:
    if not settings.REDIS_URL:
        return None
    import redis

    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2
        )
        client.ping()
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}".splitlines()[0]
    return None


SERVICE_SETTINGS = {"database": "DATABASE_URL", "redis": "REDIS_URL"}


def exit_if_unreachable() -> None:
    """Stops the process with one line per unreachable service, instead of the traceback the
    first query or broker call would print (manage.py, the Celery worker, the test suite)."""
    failures = readiness()
    for component, error in failures.items():
        sys.stderr.write(f"{SERVICE_SETTINGS[component]} is not reachable: {error}\n")
    if failures:
        raise SystemExit(1)


def readiness() -> dict[str, str]:
    """Returns {component: error} for every component that is not reachable."""
    failures = {}
    for name, check in (("database", check_database), ("redis", check_redis)):
        error = check()
        if error:
            failures[name] = error
    return failures


@never_cache
def readyz(request):
    failures = readiness()
    checks = {"database": "ok", "redis": "ok" if settings.REDIS_URL else "not configured"}
    checks.update(failures)
    if failures:
        return JsonResponse(
            {"status": "unavailable", "failing": sorted(failures), **checks}, status=503
        )
    return JsonResponse({"status": "ok", **checks})
