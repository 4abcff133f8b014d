"""One form for every e-mail address (issue 13): `jonaſ.becker@…` is `jonas.becker@…`."""

import importlib

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.urls import reverse
from django.utils import translation

from accounts.emails import normalise_email
from accounts.models import User
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
LONG_S = "jona\u017f.becker@example.org"  # "ſ", which Django's validator takes for an "s"
SIGNUP = {
    "full_name": "Jonas Becker",
    "password1": TEST_PASSWORD,
    "password2": TEST_PASSWORD,
}


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        (LONG_S, "jonas.becker@example.org"),
        ("Jonas.Becker@Example.ORG", "jonas.becker@example.org"),
        ("  jonas.becker@example.org ", "jonas.becker@example.org"),
        ("\u212aarl@example.org", "karl@example.org"),  # Kelvin sign
        ("\uff4aonas@example.org", "jonas@example.org"),  # full-width j
        ("jonas@exämple.org", "jonas@exämple.org"),
    ],
)
def test_normal_form(typed, stored):
    assert normalise_email(typed) == stored


def test_the_settings_name_the_adapter_and_the_login_form(settings):
    assert settings.ACCOUNT_ADAPTER == "accounts.adapter.AccountAdapter"
    assert settings.ACCOUNT_FORMS["login"] == "accounts.forms.login.LoginForm"


def test_signup_with_a_look_alike_of_an_existing_address_creates_no_account(client, mailoutbox):
    UserFactory(email="jonas.becker@example.org")

    response = client.post(reverse("account_signup"), {**SIGNUP, "email": LONG_S})

    # the answer for an existing address (enumeration prevention): the owner gets a mail
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert list(User.objects.values_list("email", flat=True)) == ["jonas.becker@example.org"]
    assert [m.to for m in mailoutbox] == [["jonas.becker@example.org"]]


def test_without_enumeration_prevention_the_email_field_names_the_collision(client, settings):
    settings.ACCOUNT_PREVENT_ENUMERATION = False
    UserFactory(email="jonas.becker@example.org")

    response = client.post(reverse("account_signup"), {**SIGNUP, "email": LONG_S})

    assert response.status_code == 200
    with translation.override("en"):
        assert response.context["form"].errors == {
            "email": ["A user is already registered with this email address."]
        }
    assert User.objects.count() == 1


def test_a_new_address_is_stored_in_its_normal_form(client):
    response = client.post(reverse("account_signup"), {**SIGNUP, "email": "Jona\u017f@Example.org"})
    assert response.status_code == 302
    user = User.objects.get()
    assert user.email == "jonas@example.org"
    assert EmailAddress.objects.get(user=user).email == "jonas@example.org"


def test_letters_that_fold_to_no_plain_letter_are_refused(client):
    response = client.post(
        reverse("account_signup"),
        {**SIGNUP, "email": "jona\u0131@example.org"},  # dotless i
    )
    assert response.status_code == 200
    with translation.override("en"):
        assert response.context["form"].errors == {"email": ["Enter a valid email address."]}
    assert User.objects.count() == 0


def test_login_looks_the_address_up_in_its_normal_form(client):
    user = UserFactory(email="jonas.becker@example.org")
    response = client.post(reverse("account_login"), {"login": LONG_S, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk


def test_adding_a_look_alike_of_ones_own_address_is_refused(client, mailoutbox):
    user = UserFactory(email="jonas.becker@example.org")
    client.force_login(user)

    response = client.post(reverse("account_email"), {"action_add": "", "email": LONG_S})

    assert response.status_code == 200
    with translation.override("en"):
        assert response.context["form"].errors == {
            "email": ["This email address is already associated with this account."]
        }
    assert EmailAddress.objects.filter(user=user).count() == 1
    assert mailoutbox == []


def test_an_added_address_is_stored_in_its_normal_form(client):
    user = UserFactory(email="jonas.becker@example.org")
    client.force_login(user)
    response = client.post(
        reverse("account_email"), {"action_add": "", "email": "Jona\u017f@Example.org"}
    )
    assert response.status_code == 302
    assert set(EmailAddress.objects.filter(user=user).values_list("email", flat=True)) == {
        "jonas.becker@example.org",
        "jonas@example.org",
    }


def test_the_manager_and_the_admin_form_store_the_normal_form():
    assert User.objects.create_user(email=LONG_S, full_name="J").email == "jonas.becker@example.org"
    user = User(email="Karl@Example.org", full_name="K")
    user.clean()
    assert user.email == "karl@example.org"


def test_the_migration_normalises_stored_addresses_and_keeps_collisions(capsys):
    migration = importlib.import_module("accounts.migrations.0003_normalise_emails")
    first = UserFactory(email="x@example.org")
    second = UserFactory(email="y@example.org")
    third = UserFactory(email="z@example.org")
    # as they could be stored before: by allauth (lower case only) or by the admin
    User.objects.filter(pk=first.pk).update(email=LONG_S)
    User.objects.filter(pk=second.pk).update(email="Anna@Example.org")
    User.objects.filter(pk=third.pk).update(email="jonas.becker@example.org")
    EmailAddress.objects.filter(user=first).update(email=LONG_S)
    EmailAddress.objects.filter(user=second).update(email="Anna@Example.org")
    EmailAddress.objects.filter(user=third).update(email="jonas.becker@example.org")

    migration.forwards(apps, None)

    emails = dict(User.objects.values_list("pk", "email"))
    assert emails == {
        first.pk: LONG_S,  # its normal form belongs to the third account: kept, and named
        second.pk: "anna@example.org",
        third.pk: "jonas.becker@example.org",
    }
    assert EmailAddress.objects.get(user=second).email == "anna@example.org"
    assert EmailAddress.objects.get(user=first).email == LONG_S  # verified elsewhere too
    assert f"User {first.pk}" in capsys.readouterr().out
