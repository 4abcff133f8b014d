"""Invitations and requests to join through the API, from the organisation's side
(/api/v1/organisations/{organisation_lookup}/invitations/ and …/join-requests/) and from the
person's (/api/v1/invitations/, /api/v1/join-requests/)."""

import datetime as dt

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.utils import timezone

from accounts.models import User
from accounts.services import api_token_create
from notifications.models import Delivery
from partners.models import Invitation, JoinRequest, Membership, Organisation
from partners.services.invitations import invitation_token
from spinportal.models import AuditRecord
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.notifications.fixtures import eager_outbox  # noqa: F401 - a fixture
from tests.partners.factories_people import InvitationFactory, JoinRequestFactory
from tests.security.coverage import api_statuses, cast, changed_tables, db_state

__all__ = ["cast"]

# Endpoints whose permission matrix this module asserts (tests/security/coverage.py).
COVERS = [
    "v1_organisations_invitations_list",
    "v1_organisations_invitations_create",
    "v1_organisations_invitations_retrieve",
    "v1_organisations_invitations_resend_create",
    "v1_organisations_invitations_revoke_create",
    "v1_organisations_join_requests_list",
    "v1_organisations_join_requests_retrieve",
    "v1_organisations_join_requests_approve_create",
    "v1_organisations_join_requests_decline_create",
    "v1_invitations_list",
    "v1_invitations_retrieve",
    "v1_invitations_accept_create",
    "v1_invitations_decline_create",
    "v1_join_requests_list",
    "v1_join_requests_create",
    "v1_join_requests_retrieve",
    "v1_join_requests_withdraw_create",
]

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
API = "/api/v1"
INVITEE_EMAIL = "neu@alpha.example"
OUTSIDERS = ("anonymous", "other", "member")  # who may not manage A's members


def bearer(key: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@pytest.fixture
def world(cast):
    """A's open invitation to a person with an account, and an open request to join A from
    gamma's member; a pending organisation "delta" administered by A's admin."""
    invitee = UserFactory(full_name="Nina Neu", email=INVITEE_EMAIL)
    invitation = InvitationFactory(
        organisation=cast["org_a"], invited_by=cast["admin"], email=INVITEE_EMAIL, role="admin"
    )
    gamma = OrganisationFactory(name="Gamma Wärme eG", slug="gamma")
    requester = MembershipFactory(
        organisation=gamma, user=UserFactory(full_name="Gerd Gamma", email="gerd@gamma.example")
    ).user
    join_request = JoinRequestFactory(
        organisation=cast["org_a"], user=requester, message="Ich leite das Labor."
    )
    delta = OrganisationFactory(
        name="Delta Neugründung", slug="delta", status=Organisation.Status.PENDING
    )
    MembershipFactory(organisation=delta, user=cast["admin"], role="admin")
    return {
        **cast,
        "invitee": invitee,
        "invitation": invitation,
        "gamma": gamma,
        "requester": requester,
        "join_request": join_request,
        "delta": delta,
    }


def invitations_url(slug="alpha", suffix=""):
    return f"{API}/organisations/{slug}/invitations/{suffix}"


def join_requests_url(slug="alpha", suffix=""):
    return f"{API}/organisations/{slug}/join-requests/{suffix}"


# --- The organisation's side: invitations -----------------------------------------------------


def test_invitation_list_matrix(api_client, world):
    assert api_statuses(api_client, world, "get", invitations_url()) == [401, 403, 403, 200, 200]
    # a pending organisation is hidden from those who do not administer it
    url = invitations_url("delta")
    assert api_statuses(api_client, world, "get", url) == [401, 404, 404, 200, 200]
    # by public id as well
    url = invitations_url(str(world["org_a"].public_id))
    assert api_statuses(api_client, world, "get", url, kinds=("other", "admin")) == [403, 200]


def test_invitation_list_contents_and_query_count(api_client, world, django_assert_num_queries):
    for number in range(3):
        InvitationFactory(
            organisation=world["org_a"], invited_by=world["admin"], email=f"z{number}@a.example"
        )
    InvitationFactory(organisation=world["org_a"], email="alt@a.example", status="revoked")
    api_client.force_authenticate(world["admin"])
    # the admin's memberships, the organisation (with sectors and competences), count, page
    with django_assert_num_queries(6):
        response = api_client.get(invitations_url())
    body = response.json()
    assert body["count"] == 4
    assert [row["email"] for row in body["results"]] == [
        INVITEE_EMAIL,
        "z0@a.example",
        "z1@a.example",
        "z2@a.example",
    ]
    invitation = world["invitation"]
    first = body["results"][0]
    assert first == {
        "id": invitation.pk,
        "organisation": {
            "public_id": str(world["org_a"].public_id),
            "slug": "alpha",
            "name": "Alpha Energie GmbH",
        },
        "email": INVITEE_EMAIL,
        "role": "admin",
        "status": "open",
        "invited_by": world["admin"].display_name,
        "sent_at": first["sent_at"],
        "expires_at": first["expires_at"],
        "accepted_at": None,
        "created_at": first["created_at"],
    }
    sent_at = dt.datetime.fromisoformat(first["sent_at"])
    assert sent_at == invitation.sent_at
    assert dt.datetime.fromisoformat(first["expires_at"]) == sent_at + dt.timedelta(days=7)


@pytest.mark.usefixtures("eager_outbox")
def test_invitation_create_matrix_changes_nothing_on_denial(
    api_client, world, mailoutbox, django_capture_on_commit_callbacks
):
    url = invitations_url()
    before = db_state()
    data = {"email": "kollegin@alpha.example", "role": "member"}
    assert api_statuses(api_client, world, "post", url, data, kinds=OUTSIDERS) == [401, 403, 403]
    assert changed_tables(before, db_state()) == []
    with django_capture_on_commit_callbacks(execute=True):
        assert api_statuses(api_client, world, "post", url, data, kinds=("admin",)) == [201]
        data = {"email": "Kollege@Alpha.example"}
        assert api_statuses(api_client, world, "post", url, data, kinds=("staff",)) == [201]
    created = Invitation.objects.filter(status="open").exclude(pk=world["invitation"].pk)
    assert sorted(created.values_list("email", "role", "invited_by")) == [
        ("kollege@alpha.example", "member", world["staff"].pk),
        ("kollegin@alpha.example", "member", world["admin"].pk),
    ]
    assert sorted(mail.to[0] for mail in mailoutbox) == [
        "kollege@alpha.example",
        "kollegin@alpha.example",
    ]
    assert all("/invitations/" in mail.body for mail in mailoutbox)


def test_invitation_create_answers_the_invitation(api_client, world):
    api_client.force_authenticate(world["admin"])
    response = api_client.post(
        invitations_url(), {"email": "chef@alpha.example", "role": "admin"}, format="json"
    )
    assert response.status_code == 201
    invitation = Invitation.objects.get(email="chef@alpha.example")
    body = response.json()
    assert (body["id"], body["email"], body["role"], body["status"]) == (
        invitation.pk,
        "chef@alpha.example",
        "admin",
        "open",
    )
    assert list(AuditRecord.objects.values_list("action", "data")) == [
        ("invitation.create", {"email": "chef@alpha.example", "role": "admin"})
    ]


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({}, {"email": ["This field is required."]}),
        ({"email": "kein-mail"}, {"email": ["Enter a valid email address."]}),
        (
            {"email": "x@alpha.example", "role": "owner"},
            {"role": ['"owner" is not a valid choice.']},
        ),
    ],
)
def test_invitation_create_bad_input_names_the_field(api_client, world, data, errors):
    api_client.force_authenticate(world["admin"])
    before = db_state()
    response = api_client.post(invitations_url(), data, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == errors
    assert changed_tables(before, db_state()) == []


@pytest.mark.parametrize(
    ("email", "detail"),
    [
        ("NEU@alpha.example", "This address already has an open invitation. Resend it instead."),
        ("member", "A person with this e-mail address is already a member."),
    ],
)
def test_inviting_a_member_or_an_invited_address_is_a_conflict(api_client, world, email, detail):
    if email == "member":
        email = world["member"].email.upper()
    api_client.force_authenticate(world["admin"])
    before = db_state()
    response = api_client.post(invitations_url(), {"email": email}, format="json")
    assert response.status_code == 409
    assert response.json() == {"status": 409, "code": "conflict", "detail": detail}
    assert changed_tables(before, db_state()) == []


def test_invitation_retrieve_matrix(api_client, world):
    url = invitations_url(suffix=f"{world['invitation'].pk}/")
    assert api_statuses(api_client, world, "get", url) == [401, 403, 403, 200, 200]
    # A's invitation named under B's organisation, which B's admin manages: not there
    api_client.force_authenticate(world["other"])
    assert api_client.get(invitations_url("beta", f"{world['invitation'].pk}/")).status_code == 404


@pytest.mark.parametrize(("action", "status"), [("resend", "open"), ("revoke", "revoked")])
@pytest.mark.usefixtures("eager_outbox")
def test_invitation_resend_and_revoke_matrix(
    api_client, world, action, status, mailoutbox, django_capture_on_commit_callbacks
):
    invitation = world["invitation"]
    url = invitations_url(suffix=f"{invitation.pk}/{action}/")
    before = db_state()
    assert api_statuses(api_client, world, "post", url, {}, kinds=OUTSIDERS) == [401, 403, 403]
    api_client.force_authenticate(world["other"])
    beta_url = invitations_url("beta", f"{invitation.pk}/{action}/")
    assert api_client.post(beta_url).status_code == 404
    assert changed_tables(before, db_state()) == []

    with django_capture_on_commit_callbacks(execute=True):
        assert api_statuses(api_client, world, "post", url, {}, kinds=("admin",)) == [200]
    invitation.refresh_from_db()
    assert invitation.status == status
    assert AuditRecord.objects.get().action == f"invitation.{action}"
    # a resent invitation is mailed again; a revoked one is not
    assert [mail.to for mail in mailoutbox] == ([[INVITEE_EMAIL]] if action == "resend" else [])
    # and only open invitations can be resent or revoked
    if action == "revoke":
        api_client.force_authenticate(world["admin"])
        response = api_client.post(url)
        assert response.status_code == 409
        assert response.json()["detail"] == "Only open invitations can be revoked."


# --- The organisation's side: requests to join ------------------------------------------------


def test_join_request_list_matrix_and_contents(api_client, world, django_assert_num_queries):
    assert api_statuses(api_client, world, "get", join_requests_url()) == [401, 403, 403, 200, 200]
    assert api_statuses(api_client, world, "get", join_requests_url("delta")) == [
        401,
        404,
        404,
        200,
        200,
    ]
    for _number in range(3):
        JoinRequestFactory(organisation=world["org_a"])
    JoinRequestFactory(organisation=world["org_a"], status="declined")
    # a fresh user object: no memberships cached from the requests above
    api_client.force_authenticate(User.objects.get(pk=world["admin"].pk))
    with django_assert_num_queries(6):
        response = api_client.get(join_requests_url())
    body = response.json()
    assert body["count"] == 4
    join_request = world["join_request"]
    assert body["results"][0] == {
        "id": join_request.pk,
        "organisation": {
            "public_id": str(world["org_a"].public_id),
            "slug": "alpha",
            "name": "Alpha Energie GmbH",
        },
        "person": {
            "id": world["requester"].pk,
            "name": "Gerd Gamma",
            "email": "gerd@gamma.example",
        },
        "message": "Ich leite das Labor.",
        "status": "open",
        "created_at": body["results"][0]["created_at"],
        "decided_at": None,
    }


def test_join_request_retrieve_matrix(api_client, world):
    pk = world["join_request"].pk
    assert api_statuses(api_client, world, "get", join_requests_url(suffix=f"{pk}/")) == [
        401,
        403,
        403,
        200,
        200,
    ]
    api_client.force_authenticate(world["other"])
    assert api_client.get(join_requests_url("beta", f"{pk}/")).status_code == 404


@pytest.mark.parametrize(("action", "status"), [("approve", "approved"), ("decline", "declined")])
def test_join_request_approve_and_decline_matrix(api_client, world, action, status):
    join_request = world["join_request"]
    url = join_requests_url(suffix=f"{join_request.pk}/{action}/")
    before = db_state()
    assert api_statuses(api_client, world, "post", url, {}, kinds=OUTSIDERS) == [401, 403, 403]
    # the requester cannot answer their own request
    api_client.force_authenticate(world["requester"])
    assert api_client.post(url).status_code == 403
    api_client.force_authenticate(world["other"])
    beta_url = join_requests_url("beta", f"{join_request.pk}/{action}/")
    assert api_client.post(beta_url).status_code == 404
    assert changed_tables(before, db_state()) == []

    api_client.force_authenticate(world["admin"])
    response = api_client.post(url)
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["person"]["id"]) == (
        status,
        world["requester"].pk,
    )
    assert response.json()["decided_at"] is not None
    join_request.refresh_from_db()
    assert (join_request.status, join_request.decided_by) == (status, world["admin"])
    is_member = Membership.objects.filter(
        organisation=world["org_a"], user=world["requester"], role="member"
    ).exists()
    assert is_member is (action == "approve")
    # answered once
    response = api_client.post(url)
    assert response.status_code == 409
    assert response.json()["detail"] == "This request has already been answered."


# --- The person's side: invitations -----------------------------------------------------------


def test_own_invitations_matrix(api_client, world, django_assert_num_queries):
    url = f"{API}/invitations/"
    assert api_statuses(api_client, world, "get", url) == [401, 200, 200, 200, 200]
    # nobody of the cast was invited: their lists are empty
    api_client.force_authenticate(world["admin"])
    assert api_client.get(url).json()["count"] == 0
    # the invitee sees theirs, also at a second verified address; not at an unverified one
    second = OrganisationFactory(name="Zweite GmbH", slug="zweite")
    EmailAddress.objects.create(user=world["invitee"], email="nina@privat.example", verified=True)
    EmailAddress.objects.create(user=world["invitee"], email="nina@alt.example", verified=False)
    InvitationFactory(organisation=second, email="Nina@Privat.example")
    InvitationFactory(organisation=second, email="nina@alt.example")
    # expired, revoked: not to be answered
    old = timezone.now() - dt.timedelta(days=8)
    InvitationFactory(organisation=second, email=INVITEE_EMAIL, sent_at=old)
    InvitationFactory(organisation=world["gamma"], email=INVITEE_EMAIL, status="revoked")
    api_client.force_authenticate(world["invitee"])
    with django_assert_num_queries(2):
        response = api_client.get(url)
    assert [(row["organisation"]["slug"], row["email"]) for row in response.json()["results"]] == [
        ("zweite", "Nina@Privat.example"),
        ("alpha", INVITEE_EMAIL),
    ]


def test_own_invitation_retrieve_matrix(api_client, world):
    url = f"{API}/invitations/{world['invitation'].pk}/"
    # not even the organisation's admin or staff: the person's side is the invitee's
    assert api_statuses(api_client, world, "get", url) == [401, 404, 404, 404, 404]
    api_client.force_authenticate(world["invitee"])
    response = api_client.get(url)
    assert (response.status_code, response.json()["role"]) == (200, "admin")


def test_accept_matrix_changes_nothing_on_denial(api_client, world):
    url = f"{API}/invitations/{world['invitation'].pk}/accept/"
    before = db_state()
    assert api_statuses(api_client, world, "post", url, {}) == [401, 404, 404, 404, 404]
    assert changed_tables(before, db_state()) == []

    api_client.force_authenticate(world["invitee"])
    response = api_client.post(url)
    assert response.status_code == 200
    membership = Membership.objects.get(user=world["invitee"])
    assert response.json() == {
        "organisation": {
            "public_id": str(world["org_a"].public_id),
            "slug": "alpha",
            "name": "Alpha Energie GmbH",
        },
        "role": "admin",
        "created_at": response.json()["created_at"],
    }
    assert dt.datetime.fromisoformat(response.json()["created_at"]) == membership.created_at
    world["invitation"].refresh_from_db()
    assert (world["invitation"].status, world["invitation"].accepted_by) == (
        "accepted",
        world["invitee"],
    )
    # used: it is gone from the list
    assert api_client.post(url).status_code == 404


def test_accepting_as_a_member_already_is_a_conflict(api_client, world):
    MembershipFactory(organisation=world["org_a"], user=world["invitee"])
    api_client.force_authenticate(world["invitee"])
    before = db_state()
    response = api_client.post(f"{API}/invitations/{world['invitation'].pk}/accept/")
    assert response.status_code == 409
    assert response.json() == {
        "status": 409,
        "code": "conflict",
        "detail": "You are already a member",
    }
    assert changed_tables(before, db_state()) == []


def test_decline_matrix_changes_nothing_on_denial(api_client, world, client):
    invitation = world["invitation"]
    url = f"{API}/invitations/{invitation.pk}/decline/"
    before = db_state()
    assert api_statuses(api_client, world, "post", url, {}) == [401, 404, 404, 404, 404]
    assert changed_tables(before, db_state()) == []

    api_client.force_authenticate(world["invitee"])
    response = api_client.post(url)
    assert (response.status_code, response.json()["status"]) == (200, "declined")
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.DECLINED
    assert list(AuditRecord.objects.values_list("action", "actor")) == [
        ("invitation.decline", world["invitee"].pk)
    ]
    # the admins' list drops it, and the link in the mail no longer works
    api_client.force_authenticate(world["admin"])
    assert api_client.get(invitations_url()).json()["count"] == 0
    client.force_login(world["invitee"])
    page = client.get(f"/invitations/{invitation_token(invitation)}/")
    assert page.status_code == 410
    assert "This invitation has been declined" in page.text
    assert Membership.objects.filter(user=world["invitee"]).count() == 0


def test_decline_cancels_a_mail_not_yet_sent(api_client, world):
    # the mail goes out after commit; here the commit never comes, so it is still waiting
    api_client.force_authenticate(world["admin"])
    response = api_client.post(invitations_url(), {"email": "zwei@alpha.example"})
    assert response.status_code == 201
    EmailAddress.objects.create(user=world["invitee"], email="zwei@alpha.example", verified=True)
    api_client.force_authenticate(world["invitee"])
    assert api_client.post(f"{API}/invitations/{response.json()['id']}/decline/").status_code == 200
    deliveries = Delivery.objects.filter(to_email="zwei@alpha.example")
    assert list(deliveries.values_list("status", "last_error")) == [("skipped", "cancelled")]


# --- The person's side: requests to join ------------------------------------------------------


def test_own_join_requests_matrix(api_client, world, django_assert_num_queries):
    url = f"{API}/join-requests/"
    assert api_statuses(api_client, world, "get", url) == [401, 200, 200, 200, 200]
    api_client.force_authenticate(world["admin"])
    assert api_client.get(url).json()["count"] == 0
    for organisation in (OrganisationFactory(), OrganisationFactory()):
        JoinRequestFactory(organisation=organisation, user=world["requester"])
    JoinRequestFactory(user=world["requester"], status="withdrawn")
    api_client.force_authenticate(world["requester"])
    with django_assert_num_queries(2):
        response = api_client.get(url)
    rows = response.json()["results"]
    assert len(rows) == 3
    assert {row["person"]["id"] for row in rows} == {world["requester"].pk}
    assert rows[-1]["id"] == world["join_request"].pk


def test_own_join_request_retrieve_matrix(api_client, world):
    url = f"{API}/join-requests/{world['join_request'].pk}/"
    assert api_statuses(api_client, world, "get", url) == [401, 404, 404, 404, 404]
    api_client.force_authenticate(world["requester"])
    assert api_client.get(url).status_code == 200


def test_join_request_create_matrix(api_client, world):
    url = f"{API}/join-requests/"
    data = {"organisation": "alpha", "message": "Hallo"}
    before = db_state()
    # A's people are members already
    assert api_statuses(api_client, world, "post", url, data, kinds=("anonymous", "member")) == [
        401,
        409,
    ]
    assert changed_tables(before, db_state()) == []
    assert api_statuses(api_client, world, "post", url, data, kinds=("other", "staff")) == [
        201,
        201,
    ]
    assert sorted(
        JoinRequest.objects.filter(status="open", message="Hallo").values_list("user", flat=True)
    ) == sorted([world["other"].pk, world["staff"].pk])


def test_join_request_create_answers_the_request_and_tells_the_admins(api_client, world):
    api_client.force_authenticate(world["other_member"])
    response = api_client.post(
        f"{API}/join-requests/", {"organisation": "alpha", "message": " Ich bin Beta. "}
    )
    assert response.status_code == 201
    join_request = JoinRequest.objects.get(user=world["other_member"])
    body = response.json()
    assert (body["id"], body["message"], body["status"], body["organisation"]["slug"]) == (
        join_request.pk,
        "Ich bin Beta.",
        "open",
        "alpha",
    )
    assert list(world["admin"].notifications.values_list("event_type", flat=True)) == [
        "join_request.received"
    ]


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({}, {"organisation": ["This field is required."]}),
        (
            {"organisation": "gibt-es-nicht"},
            {"organisation": ["No active organisation with the slug “gibt-es-nicht”."]},
        ),
        # a pending organisation answers as if it did not exist
        (
            {"organisation": "delta"},
            {"organisation": ["No active organisation with the slug “delta”."]},
        ),
        (
            {"organisation": "beta", "message": "x" * 2001},
            {"message": ["Ensure this field has no more than 2000 characters."]},
        ),
    ],
)
def test_join_request_create_bad_input_names_the_field(api_client, world, data, errors):
    api_client.force_authenticate(world["requester"])
    before = db_state()
    response = api_client.post(f"{API}/join-requests/", data, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == errors
    assert changed_tables(before, db_state()) == []


def test_asking_twice_is_a_conflict(api_client, world):
    api_client.force_authenticate(world["requester"])
    before = db_state()
    response = api_client.post(f"{API}/join-requests/", {"organisation": "alpha"}, format="json")
    assert response.status_code == 409
    assert response.json()["detail"] == (
        "You have already asked to join. The administrators will answer soon."
    )
    assert changed_tables(before, db_state()) == []


def test_withdraw_matrix_changes_nothing_on_denial(api_client, world):
    join_request = world["join_request"]
    url = f"{API}/join-requests/{join_request.pk}/withdraw/"
    before = db_state()
    assert api_statuses(api_client, world, "post", url, {}) == [401, 404, 404, 404, 404]
    assert changed_tables(before, db_state()) == []
    api_client.force_authenticate(world["requester"])
    response = api_client.post(url)
    assert (response.status_code, response.json()["status"]) == (200, "withdrawn")
    join_request.refresh_from_db()
    assert join_request.status == "withdrawn"
    # no longer open: gone from the list
    assert api_client.post(url).status_code == 404


# --- two-factor authentication -----------------------------------------------------------------


def test_mfa_rule_holds_for_organisation_admins(client, settings, world):
    settings.MFA_REQUIRED_FOR_PRIVILEGED = True
    admin = world["admin"]
    client.force_login(admin)
    for method, path in (
        ("get", invitations_url()),
        ("post", invitations_url()),
        ("post", join_requests_url(suffix=f"{world['join_request'].pk}/approve/")),
    ):
        response = getattr(client, method)(path, {"email": "x@alpha.example"})
        assert (response.status_code, response.json()["code"]) == (403, "mfa_required")
    assert Invitation.objects.count() == 1
    assert JoinRequest.objects.get().status == "open"
    _token, key = api_token_create(user=admin, name="members", scope="write")
    assert client.get(invitations_url(), **bearer(key)).status_code == 200
    Authenticator.objects.create(user=admin, type=Authenticator.Type.TOTP, data={"secret": "x"})
    assert client.get(invitations_url()).status_code == 200
    # people without admin rights answer their own invitations without enrolling
    client.force_login(world["invitee"])
    assert client.post(f"{API}/invitations/{world['invitation'].pk}/decline/").status_code == 200
