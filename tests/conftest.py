"""Shared fixtures.

Tests that need PostgreSQL or Redis skip with a reason when DATABASE_URL / REDIS_URL do not
point at them. CI runs the suite a second time with both set and SPIN_REQUIRE_SERVICES=1, where a
skip would hide a failure, so it fails instead. Browser tests fail under CI=true when chromium is
missing (.ci/run installs it)."""

import os
import shutil

import psycopg
import pytest
from django.conf import settings

from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    StaffFactory,
    UserFactory,
)

IN_CI = os.environ.get("CI", "").lower() == "true"
REQUIRE_SERVICES = os.environ.get("SPIN_REQUIRE_SERVICES") == "1"


def pytest_sessionstart(session):
    """A wrong DATABASE_URL or REDIS_URL ends the run with one clear line per service, not a
    traceback per test. The test database does not exist yet: the server is asked through its
    maintenance database, as the test runner will when it creates it (psycopg directly: the
    suite blocks Django's database access outside tests)."""
    from django.db import connection

    from spinportal.health import check_redis

    failures = []
    if os.environ.get("DATABASE_URL") and connection.vendor == "postgresql":
        try:
            params = {**connection.get_connection_params(), "dbname": "postgres"}
            psycopg.connect(**params).close()
        except psycopg.Error as error:
            failures.append(f"DATABASE_URL is not reachable: {type(error).__name__}: {error}")
    if os.environ.get("REDIS_URL") and (error := check_redis()):
        failures.append(f"REDIS_URL is not reachable: {error}")
    if failures:
        pytest.exit("\n".join(line.splitlines()[0] for line in failures), returncode=1)


def _require(condition: bool, reason: str, *, strict: bool = REQUIRE_SERVICES) -> None:
    if condition:
        return
    if strict:
        pytest.fail(f"this run must not skip, but the test {reason}")
    pytest.skip(reason)


@pytest.fixture
def require_postgres():
    _require(
        settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
        "needs PostgreSQL: set DATABASE_URL=postgres://…",
    )


@pytest.fixture
def require_redis():
    _require(bool(settings.REDIS_URL), "needs Redis: set REDIS_URL=redis://…")


def chromium_path() -> str | None:
    return (
        os.environ.get("CHROMIUM_PATH")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_matching_index():
    """The matching engine caches its index per process; each test starts without it."""
    from matchmaking.engine import reset_index

    reset_index()


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def staff(db):
    return StaffFactory()


@pytest.fixture
def organisation(db):
    return OrganisationFactory()


@pytest.fixture
def org_admin(db, organisation):
    return MembershipFactory(organisation=organisation, role="admin").user


@pytest.fixture
def org_member(db, organisation):
    return MembershipFactory(organisation=organisation, role="member").user


@pytest.fixture
def other_partner(db):
    """A partner of another organisation."""
    return MembershipFactory(role="admin").user


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


# --- Browser: Playwright driving Debian's chromium against live_server -------------------------
# One session-wide browser for every directory (a second sync_playwright in the same process
# fails). Playwright's sync API runs an event loop in this thread; the ORM calls made by the
# test itself stay synchronous and safe, so Django's async-safety guard is relaxed for them.


@pytest.fixture(scope="session")
def browser():
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    path = chromium_path()
    _require(path is not None, "needs chromium (apt-get install chromium)", strict=IN_CI)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=path,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, settings):
    settings.ALLOWED_HOSTS = ["*"]
    context = browser.new_context(locale="de-DE", base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def english(settings):
    """Pages and messages in English (the default language is German): for tests asserting
    English text, as `pytestmark = pytest.mark.usefixtures("english")`."""
    settings.LANGUAGE_CODE = "en"
