import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.urls import reverse

from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _login_and_reauthenticate(client, user) -> None:
    client.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD})
    # allauth asks for the password again before security settings change
    response = client.post(reverse("account_reauthenticate"), {"password": TEST_PASSWORD})
    assert response.status_code == 302


def _current_code(secret: str) -> str:
    import time

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_totp_enrolment_then_login_asks_for_code(client):
    # given a logged-in user enrols TOTP
    user = UserFactory(email="anna@example.org")
    _login_and_reauthenticate(client, user)
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    secret = client.session["mfa.totp.secret"]
    response = client.post(reverse("mfa_activate_totp"), {"code": _current_code(secret)})
    assert response.status_code == 302
    assert set(Authenticator.objects.filter(user=user).values_list("type", flat=True)) == {
        "totp",
        "recovery_codes",
    }

    # when they log in again, the password alone is not enough
    client.logout()
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session

    # a wrong code is refused, the right one logs in
    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    response = client.post(reverse("mfa_authenticate"), {"code": _current_code(secret)})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk


def test_recovery_code_logs_in_once(client):
    user = UserFactory(email="anna@example.org")
    _login_and_reauthenticate(client, user)
    client.get(reverse("mfa_activate_totp"))
    secret = client.session["mfa.totp.secret"]
    client.post(reverse("mfa_activate_totp"), {"code": _current_code(secret)})
    recovery = Authenticator.objects.get(user=user, type="recovery_codes").wrap()
    code = recovery.get_unused_codes()[0]
    client.logout()

    client.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD})
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk

    client.logout()
    client.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD})
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
