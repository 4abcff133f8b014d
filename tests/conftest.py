"""Shared fixtures.

Tests that need PostgreSQL or Redis skip with a reason when DATABASE_URL / REDIS_URL do not
point at them. CI runs the suite a second time with both set and SPIN_REQUIRE_SERVICES=1, where a
skip would hide a failure, so it fails instead. Browser tests fail under CI=true when chromium is
missing (.ci/run installs it)."""

import os
import shutil

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
