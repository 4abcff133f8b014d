import re

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from accounts.models import User
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SIGNUP = {
    "full_name": "Erika Mustermann",
    "email": "erika@example.org",
    "password1": TEST_PASSWORD,
    "password2": TEST_PASSWORD,
}


def _confirmation_link(mail) -> str:
    match = re.search(r"https?://[^\s]+/account/confirm-email/[^\s]+/", mail.body)
    assert match, mail.body
    return match.group(0)


def test_signup_sends_verification_mail_and_login_is_blocked_until_verified(client, mailoutbox):
    # given a new visitor signs up
    response = client.post(reverse("account_signup"), SIGNUP)

    # then the account exists, is unverified, and a verification mail was sent
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="erika@example.org")
    assert user.full_name == "Erika Mustermann"
    assert user.language == "de"
    assert EmailAddress.objects.get(user=user).verified is False
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["erika@example.org"]
    assert mailoutbox[0].subject.startswith("[SPIN] ")

    # when the unverified user tries to log in, they are sent to verification again
    client.logout()
    response = client.post(
        reverse("account_login"), {"login": "erika@example.org", "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session


def test_verification_link_confirms_and_logs_in(client, mailoutbox):
    client.post(reverse("account_signup"), SIGNUP)
    link = _confirmation_link(mailoutbox[0])
    path = link.split("://", 1)[1].split("/", 1)[1]

    # GET shows a confirmation page (no state change on GET)
    response = client.get("/" + path)
    assert response.status_code == 200
    assert EmailAddress.objects.get(email="erika@example.org").verified is False

    response = client.post("/" + path)
    assert response.status_code == 302
    assert EmailAddress.objects.get(email="erika@example.org").verified is True
    assert int(client.session["_auth_user_id"]) == User.objects.get(email=SIGNUP["email"]).pk


def test_verified_user_logs_in_and_out(client):
    user = UserFactory(email="anna@example.org")
    response = client.post(
        reverse("account_login"), {"login": "ANNA@example.org", "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert int(client.session["_auth_user_id"]) == user.pk

    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_wrong_password_names_the_problem_without_logging_in(client):
    UserFactory(email="anna@example.org")
    response = client.post(
        reverse("account_login"), {"login": "anna@example.org", "password": "wrong"}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert response.context["form"].errors == {
        "__all__": ["Die E-Mail-Adresse und/oder das Passwort sind leider falsch."]
    }


def test_signup_with_missing_name_gives_field_error_and_creates_nothing(client, mailoutbox):
    response = client.post(reverse("account_signup"), {**SIGNUP, "full_name": ""})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["full_name"]
    assert User.objects.count() == 0
    assert mailoutbox == []


def test_signup_with_existing_address_does_not_reveal_the_account(client, mailoutbox):
    UserFactory(email="erika@example.org")
    response = client.post(reverse("account_signup"), SIGNUP)
    # Enumeration prevention: the same answer as for a new address; the owner gets a mail.
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert User.objects.filter(email="erika@example.org").count() == 1
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["erika@example.org"]


def test_password_reset_mail_and_change(client, mailoutbox):
    UserFactory(email="anna@example.org")
    response = client.post(reverse("account_reset_password"), {"email": "anna@example.org"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    link = re.search(r"https?://\S+/account/password/reset/key/\S+/", mailoutbox[0].body)
    assert link
    path = "/" + link.group(0).split("://", 1)[1].split("/", 1)[1]
    response = client.get(path)
    assert response.status_code == 302  # allauth moves the key into the session
    new_password = "another-long-passphrase-77"
    response = client.post(
        response["Location"], {"password1": new_password, "password2": new_password}
    )
    assert response.status_code == 302
    assert User.objects.get(email="anna@example.org").check_password(new_password)


def test_failed_logins_are_rate_limited_per_address(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/m/key"}
    UserFactory(email="anna@example.org")
    url = reverse("account_login")
    for _ in range(3):
        client.post(url, {"login": "anna@example.org", "password": "wrong"})

    # even the right password is refused now, with a message saying why
    response = client.post(url, {"login": "anna@example.org", "password": TEST_PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert response.context["form"].errors == {
        "__all__": [
            "Zu viele fehlgeschlagene Anmeldeversuche. Bitte versuchen Sie es später erneut."
        ]
    }


def test_login_page_is_rate_limited_per_ip(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login": "2/m/ip"}
    UserFactory(email="anna@example.org")
    statuses = [
        client.post(
            reverse("account_login"), {"login": "anna@example.org", "password": "wrong"}
        ).status_code
        for _ in range(3)
    ]
    assert statuses == [200, 200, 429]


def test_change_email_adds_unverified_address_and_sends_mail(client, mailoutbox):
    user = UserFactory(email="anna@example.org")
    client.force_login(user)
    response = client.post(
        reverse("account_email"), {"action_add": "", "email": "anna.new@example.org"}
    )
    assert response.status_code == 302
    assert list(
        EmailAddress.objects.filter(user=user).order_by("email").values_list("email", "verified")
    ) == [("anna.new@example.org", False), ("anna@example.org", True)]
    assert [m.to for m in mailoutbox] == [["anna.new@example.org"]]
