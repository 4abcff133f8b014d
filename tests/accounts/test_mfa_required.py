"""Staff and organisation admins must enrol TOTP before they use the portal."""

import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.services import api_token_create
from tests.factories import TEST_PASSWORD, MembershipFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db
ACTIVATE = "/account/2fa/totp/activate/"
MESSAGE = (
    "Staff and organisation administrators must use two-factor authentication. "
    "Please set up an authenticator app to continue."
)
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def _mfa_required(settings):
    settings.MFA_REQUIRED_FOR_PRIVILEGED = True


@pytest.fixture
def organisation_admin():
    return MembershipFactory(role="admin").user


def _with_totp(user):
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    return user


@pytest.mark.parametrize("path", ["/", "/organisations/", "/admin/", "/account/tokens/"])
@pytest.mark.parametrize("kind", ["staff", "organisation admin"])
def test_privileged_users_without_totp_are_led_to_enrol(client, organisation_admin, kind, path):
    user = StaffFactory() if kind == "staff" else organisation_admin
    client.force_login(user)
    response = client.get(path, **ENGLISH)
    assert response.status_code == 302
    assert response["Location"] == ACTIVATE
    assert [str(m) for m in get_messages(response.wsgi_request)] == [MESSAGE]


@pytest.mark.parametrize("kind", ["staff", "organisation admin"])
def test_privileged_users_with_totp_go_on(client, organisation_admin, kind):
    user = StaffFactory() if kind == "staff" else organisation_admin
    client.force_login(_with_totp(user))
    assert client.get("/organisations/").status_code == 200


def test_members_and_partners_without_admin_rights_are_not_asked(client):
    member = MembershipFactory(role="member").user
    client.force_login(member)
    assert client.get("/organisations/").status_code == 200
    client.force_login(UserFactory())
    assert client.get("/organisations/").status_code == 200


def test_anonymous_visitors_are_not_asked(client):
    assert client.get("/organisations/").status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/account/2fa/", 200),
        ("get", "/account/2fa/totp/activate/", 302),  # to reauthentication: force_login is old
        ("get", "/account/reauthenticate/", 200),
        ("post", "/i18n/setlang/", 302),
        ("get", "/healthz", 200),
        ("get", "/readyz", 200),
        ("get", "/static/css/portal.css", 200),
        ("post", "/account/logout/", 302),
    ],
)
def test_enrolment_logout_language_and_health_stay_reachable(client, method, path, status):
    client.force_login(StaffFactory())
    data = {"language": "en", "next": "/"} if "setlang" in path else {}
    response = getattr(client, method)(path, data)
    assert response.status_code == status
    assert response.get("Location") != ACTIVATE


def test_session_api_calls_get_403_in_the_api_error_format(client):
    client.force_login(StaffFactory())
    response = client.get("/api/v1/organisations/", **ENGLISH)
    assert response.status_code == 403
    assert response.json() == {"status": 403, "code": "mfa_required", "detail": MESSAGE}


def test_api_tokens_are_not_affected(api_client):
    staff = StaffFactory()
    _token, key = api_token_create(user=staff, name="ci", scope="read")
    response = api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    assert response.json()["is_staff"] is True


def test_htmx_fragments_are_refused_not_replaced_by_the_activation_page(client):
    client.force_login(StaffFactory())
    response = client.get(reverse("notifications:unread_badge"), HTTP_HX_REQUEST="true", **ENGLISH)
    assert response.status_code == 403
    assert response.content.decode() == MESSAGE


def test_switched_off_by_the_setting(client, settings):
    settings.MFA_REQUIRED_FOR_PRIVILEGED = False
    client.force_login(StaffFactory())
    assert client.get("/organisations/").status_code == 200


def test_becoming_an_organisation_admin_requires_enrolment(client):
    # given a member who goes about their business
    membership = MembershipFactory(role="member")
    client.force_login(membership.user)
    assert client.get("/organisations/").status_code == 200

    # when they are made an admin of their organisation, the next page asks for enrolment
    membership.role = "admin"
    membership.save(update_fields=["role"])
    assert client.get("/organisations/")["Location"] == ACTIVATE


def test_staff_logs_in_enrols_and_goes_on(client):
    # given a staff member logs in with their password
    staff = StaffFactory()
    response = client.post(
        reverse("account_login"), {"login": staff.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302

    # then every page leads to enrolment, which is reachable right after the log-in
    assert client.get("/")["Location"] == ACTIVATE
    # allauth asks for the password again before a security setting changes
    response = client.get(ACTIVATE)
    assert response["Location"] == f"/account/reauthenticate/?next={ACTIVATE.replace('/', '%2F')}"
    response = client.post(
        "/account/reauthenticate/", {"password": TEST_PASSWORD, "next": ACTIVATE}
    )
    assert response["Location"] == ACTIVATE
    response = client.get(ACTIVATE)
    assert response.status_code == 200

    # when they activate TOTP with a current code
    secret = client.session["mfa.totp.secret"]
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    response = client.post(ACTIVATE, {"code": code})
    assert response.status_code == 302

    # then they go on to the portal and the admin
    assert client.get("/").status_code == 200
    assert client.get("/admin/").status_code == 200
