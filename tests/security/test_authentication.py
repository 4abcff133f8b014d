"""Log-in protections: one log-in (allauth) for portal and admin, rate limits on the shared
cache, no account enumeration."""

import pytest
from allauth.core.internal import ratelimit
from django.core.cache import cache
from django.urls import reverse

from tests.core.test_configuration import PRODUCTION, manage
from tests.factories import TEST_PASSWORD, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db
LOGIN = "/account/login/"


# --- The admin log-in is the allauth log-in -------------------------------------------------


def test_admin_sends_visitors_to_the_portal_login_and_back(client):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain == [
        ("/admin/login/?next=/admin/", 302),
        ("/account/login/?next=%2Fadmin%2F", 302),
    ]
    assert response.status_code == 200

    staff = StaffFactory()
    response = client.post(
        "/account/login/?next=%2Fadmin%2F", {"login": staff.email, "password": TEST_PASSWORD}
    )
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_admin_login_form_cannot_be_used_to_log_in(client):
    staff = StaffFactory()
    response = client.post(
        "/admin/login/", {"username": staff.email, "password": TEST_PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/account/login/?next=%2Fadmin%2F"
    assert "_auth_user_id" not in client.session


def test_admin_login_drops_a_foreign_next(client):
    response = client.get("/admin/login/", {"next": "https://evil.example/"})
    assert response["Location"] == "/account/login/?next=%2Fadmin%2F"


def test_admin_login_for_logged_in_users(client):
    # a partner without staff rights is refused (not sent round in circles)
    client.force_login(UserFactory())
    assert client.get("/admin/login/", {"next": "/admin/"}).status_code == 403
    # staff go where they wanted to go
    client.force_login(StaffFactory())
    response = client.get("/admin/login/", {"next": "/admin/accounts/user/"})
    assert response["Location"] == "/admin/accounts/user/"


def test_admin_login_attempts_count_against_allauth_rate_limits(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/m/key"}
    staff = StaffFactory()
    url = client.get("/admin/login/", {"next": "/admin/"})["Location"]
    for _ in range(3):
        client.post(url, {"login": staff.email, "password": "wrong"})
    response = client.post(url, {"login": staff.email, "password": TEST_PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert response.context["form"].errors == {
        "__all__": [
            "Zu viele fehlgeschlagene Anmeldeversuche. Bitte versuchen Sie es später erneut."
        ]
    }


# --- Rate limits on the shared cache ----------------------------------------------------------


def _blocked_then_released_by_clearing_the_cache(client) -> None:
    UserFactory(email="anna@example.org")
    client.post(LOGIN, {"login": "anna@example.org", "password": "wrong"})
    # given the failed attempt is counted, the right password is refused too
    response = client.post(LOGIN, {"login": "anna@example.org", "password": TEST_PASSWORD})
    assert "_auth_user_id" not in client.session
    assert response.status_code == 200
    # when the default cache is emptied, the limit is gone: the counter lived there
    cache.clear()
    response = client.post(LOGIN, {"login": "anna@example.org", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_allauth_rate_limits_use_the_default_cache(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "1/m/key"}
    assert ratelimit.cache is cache
    _blocked_then_released_by_clearing_the_cache(client)


def test_failed_logins_are_counted_in_redis(client, settings, require_redis):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "1/m/key"}
    assert settings.CACHES["default"]["BACKEND"] == "spinportal.cache.FailSoftRedisCache"
    _blocked_then_released_by_clearing_the_cache(client)


def test_with_redis_url_the_default_cache_is_redis():
    # a fresh production process: settings only, nothing connects
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])",
        REDIS_URL="redis://127.0.0.1:6379/0",
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "spinportal.cache.FailSoftRedisCache"


# --- No account enumeration -------------------------------------------------------------------


def test_login_gives_the_same_answer_for_unknown_address_and_wrong_password(client):
    UserFactory(email="anna@example.org")
    unknown = client.post(LOGIN, {"login": "nobody@example.org", "password": "wrong-password"})
    wrong = client.post(LOGIN, {"login": "anna@example.org", "password": "wrong-password"})
    assert unknown.status_code == wrong.status_code == 200
    assert (
        unknown.context["form"].errors
        == wrong.context["form"].errors
        == {"__all__": ["Die E-Mail-Adresse und/oder das Passwort sind leider falsch."]}
    )


def test_password_reset_gives_the_same_answer_for_known_and_unknown_addresses(client, mailoutbox):
    UserFactory(email="anna@example.org")
    known = client.post(reverse("account_reset_password"), {"email": "anna@example.org"})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    assert (
        (known.status_code, known["Location"])
        == (
            unknown.status_code,
            unknown["Location"],
        )
        == (302, reverse("account_reset_password_done"))
    )
    # the known address gets the reset link; the unknown one a note that there is no account
    # (allauth's ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS) — the page itself reveals nothing
    assert [m.to for m in mailoutbox][0] == ["anna@example.org"]
    assert "password/reset/key/" in mailoutbox[0].body
    assert all("password/reset/key/" not in m.body for m in mailoutbox[1:])


def test_signup_gives_the_same_answer_for_new_and_taken_addresses(client, mailoutbox):
    UserFactory(email="taken@example.org")
    form = {"full_name": "Erika Mustermann", "password1": TEST_PASSWORD, "password2": TEST_PASSWORD}
    taken = client.post(reverse("account_signup"), {**form, "email": "taken@example.org"})
    client.logout()
    new = client.post(reverse("account_signup"), {**form, "email": "new@example.org"})
    assert (
        (taken.status_code, taken["Location"])
        == (new.status_code, new["Location"])
        == (
            302,
            reverse("account_email_verification_sent"),
        )
    )
    assert sorted(m.to[0] for m in mailoutbox) == ["new@example.org", "taken@example.org"]


def test_enumeration_prevention_is_switched_on(settings):
    assert settings.ACCOUNT_PREVENT_ENUMERATION is True
