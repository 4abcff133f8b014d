"""The two-factor requirement holds for every request the session authenticates (issue 13).

An Authorization header that is not a valid Bearer token changes nothing: the session user is
still the one the API sees, so they are still refused until they enrol; a malformed or unknown
Bearer token is refused with a 401 and never falls back to the session.
"""

import json

import pytest
from allauth.mfa.models import Authenticator
from django.utils import translation

from accounts.authentication import BearerTokenAuthentication, carries_bearer_token
from accounts.services import api_token_create
from partners.models import Organisation
from spinportal.models import AuditRecord
from tests.factories import MembershipFactory, StaffFactory

pytestmark = pytest.mark.django_db
MESSAGE = (
    "Staff and organisation administrators must use two-factor authentication. "
    "Please set up an authenticator app to continue."
)
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}
NOT_A_BEARER_TOKEN = [
    "Basic dXNlckBleGFtcGxlLm9yZzpwYXNzd29yZA==",
    "Token 0123456789abcdef",
    "Digest username=staff",
    "",
    "spin_abc",
]
MALFORMED_OR_UNKNOWN_BEARER = ["Bearer", "Bearer invalid", "bearer invalid", "Bearer a b"]


@pytest.fixture(autouse=True)
def _mfa_required(settings):
    settings.MFA_REQUIRED_FOR_PRIVILEGED = True


@pytest.fixture
def organisation_and_admin():
    membership = MembershipFactory(role="admin", organisation__city="Dortmund")
    return membership.organisation, membership.user


@pytest.fixture(params=["staff", "organisation admin"])
def privileged(request, organisation_and_admin):
    organisation, admin = organisation_and_admin
    return organisation, StaffFactory() if request.param == "staff" else admin


def _url(organisation) -> str:
    return f"/api/v1/organisations/{organisation.public_id}/"


def _call(client, method, organisation, authorization):
    headers = {**ENGLISH, "HTTP_AUTHORIZATION": authorization}
    if method == "get":
        return client.get(_url(organisation), **headers)
    return client.patch(
        _url(organisation),
        json.dumps({"city": "Hagen"}),
        content_type="application/json",
        **headers,
    )


@pytest.mark.parametrize("authorization", NOT_A_BEARER_TOKEN)
@pytest.mark.parametrize("method", ["get", "patch"])
def test_other_schemes_beside_the_session_are_refused_until_enrolment(
    client, privileged, method, authorization
):
    organisation, user = privileged
    client.force_login(user)

    response = _call(client, method, organisation, authorization)

    assert response.status_code == 403
    assert response.json() == {"status": 403, "code": "mfa_required", "detail": MESSAGE}
    organisation.refresh_from_db()
    assert organisation.city == "Dortmund"
    assert AuditRecord.objects.count() == 0


@pytest.mark.parametrize("authorization", MALFORMED_OR_UNKNOWN_BEARER)
@pytest.mark.parametrize("method", ["get", "patch"])
def test_a_bad_bearer_token_beside_the_session_is_a_401(client, privileged, method, authorization):
    organisation, user = privileged
    client.force_login(user)

    response = _call(client, method, organisation, authorization)

    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
    organisation.refresh_from_db()
    assert organisation.city == "Dortmund"
    assert AuditRecord.objects.count() == 0


@pytest.mark.parametrize("with_session", [False, True])
def test_a_valid_bearer_token_is_the_way_around(client, organisation_and_admin, with_session):
    organisation, admin = organisation_and_admin
    _token, key = api_token_create(user=admin, name="ci", scope="write")
    if with_session:
        client.force_login(admin)

    assert _call(client, "get", organisation, f"Bearer {key}").status_code == 200
    response = _call(client, "patch", organisation, f"Bearer {key}")

    assert response.status_code == 200
    organisation.refresh_from_db()
    assert organisation.city == "Hagen"
    assert AuditRecord.objects.filter(action="organisation.updated").count() == 1


def test_the_same_session_works_after_enrolment(client, organisation_and_admin):
    organisation, admin = organisation_and_admin
    Authenticator.objects.create(user=admin, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client.force_login(admin)

    response = _call(client, "patch", organisation, "Basic dXNlcjpwYXNz")

    assert response.status_code == 200
    assert Organisation.objects.get(pk=organisation.pk).city == "Hagen"


@pytest.mark.parametrize("authorization", MALFORMED_OR_UNKNOWN_BEARER)
def test_a_bearer_header_never_falls_through_to_the_session(rf, authorization):
    # The middleware's exemption rests on this: whatever follows "Bearer", the token class
    # decides (a user or an exception), never None, which would hand over to the session.
    request = rf.get("/api/v1/me/", HTTP_AUTHORIZATION=authorization)
    assert carries_bearer_token(request) is True
    with translation.override("en"), pytest.raises(Exception, match="Invalid"):
        BearerTokenAuthentication().authenticate(request)


@pytest.mark.parametrize("authorization", NOT_A_BEARER_TOKEN)
def test_other_schemes_are_not_bearer_tokens(rf, authorization):
    request = rf.get("/api/v1/me/", HTTP_AUTHORIZATION=authorization)
    assert carries_bearer_token(request) is False
    assert BearerTokenAuthentication().authenticate(request) is None
