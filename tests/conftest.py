"""Shared fixtures. Tests that need PostgreSQL, Redis or chromium skip with a reason, except
under CI=true, where a missing service fails the run instead of hiding tests."""

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


def _require(condition: bool, reason: str) -> None:
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI=true but {reason}")
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
