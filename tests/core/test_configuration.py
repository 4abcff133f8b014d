"""Start-up behaviour with good and bad configuration, checked in fresh processes."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "x" * 20 + "-a-long-and-random-production-secret-key-for-tests",
    "DJANGO_ALLOWED_HOSTS": "portal.spin.example",
    "SITE_URL": "https://portal.spin.example",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("DJANGO_") and k not in {"DATABASE_URL", "REDIS_URL"}
    }
    clean["DJANGO_SETTINGS_MODULE"] = "spinportal.settings"
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_refuses_to_start_without_secret_key_when_debug_is_off():
    result = manage("check", DJANGO_DEBUG="0")
    assert result.returncode == 1
    assert result.stderr == (
        "Configuration error: DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.\n"
    )


def test_deploy_check_is_clean_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "System check identified no issues (0 silenced).\n"


def test_unsupported_database_url_gives_one_line():
    result = manage("check", DJANGO_DEBUG="1", DATABASE_URL="mysql://root@localhost/spin")
    assert result.returncode == 1
    assert result.stderr == (
        "Configuration error: DATABASE_URL has unsupported scheme 'mysql'; "
        "use postgres://user@host:5432/name or sqlite:///path.\n"
    )


def test_bad_redis_url_gives_one_line():
    result = manage("check", DJANGO_DEBUG="1", REDIS_URL="http://localhost:6379")
    assert result.returncode == 1
    assert result.stderr == (
        "Configuration error: REDIS_URL must start with redis://, rediss:// or unix://.\n"
    )


def test_unreachable_database_gives_one_line():
    result = manage(
        "check_services",
        DJANGO_DEBUG="1",
        DATABASE_URL="postgres://postgres@127.0.0.1:1/spinportal",
    )
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("DATABASE_URL is not reachable: OperationalError: ")


def test_unreachable_redis_gives_one_line():
    result = manage("check_services", DJANGO_DEBUG="1", REDIS_URL="redis://127.0.0.1:1/0")
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("REDIS_URL is not reachable: ConnectionError: ")


@pytest.mark.django_db
def test_redis_is_cache_and_broker_when_configured(require_redis, settings):
    from django.core.cache import cache

    from spinportal.celery import app

    assert settings.CACHES["default"]["BACKEND"] == "spinportal.cache.FailSoftRedisCache"
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; from spinportal.celery import app; "
        "print(settings.SESSION_ENGINE, app.conf.task_always_eager)",
        DJANGO_DEBUG="1",
        REDIS_URL=settings.REDIS_URL,
    )
    assert result.stdout.split() == ["django.contrib.sessions.backends.db", "False"]
    assert app.conf.broker_url == settings.REDIS_URL
    cache.set("spin-test-key", {"value": 42}, 30)
    assert cache.get("spin-test-key") == {"value": 42}


@pytest.mark.django_db
def test_postgresql_is_used_when_configured(require_postgres):
    from django.db import connection

    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SHOW TIMEZONE")
        assert cursor.fetchone()[0] == "UTC"


def test_embedded_defaults_without_services():
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; from spinportal.celery import app; "
        "print(settings.DATABASES['default']['ENGINE'], settings.CACHES['default']['BACKEND'], "
        "app.conf.task_always_eager, settings.EMAIL_BACKEND)",
        DJANGO_DEBUG="1",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "django.core.cache.backends.locmem.LocMemCache",
        "True",
        "django.core.mail.backends.console.EmailBackend",
    ]


def test_manage_py_without_any_configuration_uses_development_defaults():
    result = manage("check")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "System check identified no issues (0 silenced).\n"
