import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from partners.models import Membership
from partners.services.memberships import (
    membership_leave,
    membership_remove,
    membership_role_change,
)
from spinportal.models import AuditRecord
from tests.factories import MembershipFactory, OrganisationFactory
from tests.partners.factories_people import InvitationFactory, JoinRequestFactory

# Endpoints whose permission matrix this module asserts (tests/security/coverage.py).
COVERS = [
    "people:members",
    "people:invitation_create",
    "people:invitation_resend",
    "people:invitation_revoke",
    "people:membership_role",
    "people:membership_remove",
    "people:join_request_approve",
]

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def membership_of(user, organisation):
    return Membership.objects.get(user=user, organisation=organisation)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- Leaving ----------------------------------------------------------------------------------


def test_member_leaves(client, organisation, org_admin, org_member):
    client.force_login(org_member)
    response = client.post(reverse("people:leave", kwargs={"slug": organisation.slug}))
    assert response.status_code == 302
    assert response.url == reverse("people:my_organisations")
    assert Membership.objects.filter(user=org_member).count() == 0
    record = AuditRecord.objects.get(action="membership.leave")
    assert (record.actor, record.data) == (org_member, {"role": "member"})


def test_last_admin_cannot_leave(client, organisation, org_admin, org_member):
    client.force_login(org_admin)
    response = client.post(reverse("people:leave", kwargs={"slug": organisation.slug}), follow=True)
    assert response.status_code == 200
    assert messages_of(response) == [
        f"You are the last administrator of {organisation.display_name}. "
        "Make another member an administrator first."
    ]
    assert membership_of(org_admin, organisation).role == "admin"
    assert AuditRecord.objects.count() == 0


def test_admin_leaves_when_another_admin_remains(client, organisation, org_admin):
    MembershipFactory(organisation=organisation, role="admin")
    client.force_login(org_admin)
    assert (
        client.post(reverse("people:leave", kwargs={"slug": organisation.slug})).status_code == 302
    )
    assert Membership.objects.filter(organisation=organisation, role="admin").count() == 1


def test_leave_needs_post_and_a_membership(client, organisation, org_member, other_partner):
    client.force_login(org_member)
    url = reverse("people:leave", kwargs={"slug": organisation.slug})
    assert client.get(url).status_code == 405
    client.force_login(other_partner)
    assert client.post(url).status_code == 404
    assert Membership.objects.filter(organisation=organisation).count() == 1


def test_leave_service_refuses_someone_elses_membership(organisation, org_admin, org_member):
    with pytest.raises(PermissionDenied):
        membership_leave(user=org_admin, membership=membership_of(org_member, organisation))
    assert Membership.objects.filter(user=org_member).count() == 1


def test_my_organisations_lists_memberships_and_requests(client, organisation, org_admin):
    other = OrganisationFactory(name="Zeta Forschung")
    JoinRequestFactory(organisation=other, user=org_admin)
    client.force_login(org_admin)
    response = client.get(reverse("people:my_organisations"))
    assert response.status_code == 200
    assert [m.organisation for m in response.context["memberships"]] == [organisation]
    assert [r.organisation for r in response.context["join_requests"]] == [other]


def test_my_organisations_needs_login(client):
    response = client.get(reverse("people:my_organisations"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


# --- Roles and removal --------------------------------------------------------------------


def role_url(membership):
    return reverse(
        "people:membership_role",
        kwargs={"slug": membership.organisation.slug, "pk": membership.pk},
    )


def remove_url(membership):
    return reverse(
        "people:membership_remove",
        kwargs={"slug": membership.organisation.slug, "pk": membership.pk},
    )


def test_promote_and_demote(client, organisation, org_admin, org_member):
    # Given a member promoted to admin
    client.force_login(org_admin)
    member = membership_of(org_member, organisation)
    assert client.post(role_url(member), {"role": "admin"}).status_code == 302
    assert membership_of(org_member, organisation).role == "admin"

    # When the first admin steps down to member
    response = client.post(role_url(membership_of(org_admin, organisation)), {"role": "member"})

    # Then that is allowed because another admin remains, and both changes are audited
    assert response.status_code == 302
    assert membership_of(org_admin, organisation).role == "member"
    records = AuditRecord.objects.filter(action="membership.role_change").order_by("pk")
    assert [(r.actor, r.data) for r in records] == [
        (org_admin, {"previous_role": "member", "role": "admin"}),
        (org_admin, {"previous_role": "admin", "role": "member"}),
    ]


def test_last_admin_cannot_be_demoted(client, organisation, org_admin):
    client.force_login(org_admin)
    response = client.post(
        role_url(membership_of(org_admin, organisation)), {"role": "member"}, follow=True
    )
    assert response.status_code == 200
    assert messages_of(response) == [
        "The last administrator cannot become a member. Appoint another administrator first."
    ]
    assert membership_of(org_admin, organisation).role == "admin"
    assert AuditRecord.objects.count() == 0


def test_last_admin_cannot_be_demoted_by_staff_either(organisation, org_admin, staff):
    with pytest.raises(ValidationError) as error:
        membership_role_change(
            actor=staff, membership=membership_of(org_admin, organisation), role="member"
        )
    assert list(error.value.message_dict) == ["role"]
    assert error.value.error_dict["role"][0].code == "last_admin"
    assert membership_of(org_admin, organisation).role == "admin"


def test_invalid_role_is_refused(client, organisation, org_admin, org_member):
    client.force_login(org_admin)
    response = client.post(
        role_url(membership_of(org_member, organisation)), {"role": "owner"}, follow=True
    )
    assert response.status_code == 200
    assert messages_of(response) == [
        "Select a valid choice. owner is not one of the available choices."
    ]
    assert membership_of(org_member, organisation).role == "member"


def test_remove_member(client, organisation, org_admin, org_member):
    client.force_login(org_admin)
    assert client.post(remove_url(membership_of(org_member, organisation))).status_code == 302
    assert Membership.objects.filter(user=org_member).count() == 0
    record = AuditRecord.objects.get(action="membership.remove")
    assert (record.actor, record.data) == (org_admin, {"role": "member", "user": org_member.pk})


def test_last_admin_cannot_be_removed(organisation, org_admin, staff):
    with pytest.raises(ValidationError):
        membership_remove(actor=staff, membership=membership_of(org_admin, organisation))
    assert Membership.objects.filter(user=org_admin).count() == 1


def test_membership_of_another_organisation_is_404(client, organisation, org_admin, other_partner):
    foreign = Membership.objects.get(user=other_partner)
    client.force_login(org_admin)
    url = reverse("people:membership_remove", kwargs={"slug": organisation.slug, "pk": foreign.pk})
    assert client.post(url).status_code == 404
    assert Membership.objects.filter(pk=foreign.pk).count() == 1


# --- Permission matrix of the member management pages ------------------------------------------

USERS = ["anonymous", "other_partner", "org_member", "org_admin", "staff"]


def login(client, request, who):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))


@pytest.mark.parametrize(
    ("who", "status"),
    list(zip(USERS, [302, 403, 403, 200, 200], strict=True)),
)
def test_members_page_matrix(request, client, organisation, org_admin, org_member, who, status):
    login(client, request, who)
    response = client.get(reverse("people:members", kwargs={"slug": organisation.slug}))
    assert response.status_code == status
    if status == 200:
        assert [m.user for m in response.context["members"]] == [org_admin, org_member]


@pytest.mark.parametrize(
    ("who", "status"),
    list(zip(USERS, [302, 404, 404, 200, 200], strict=True)),
)
def test_members_page_of_pending_organisation(request, client, who, status):
    pending = OrganisationFactory(status="pending")
    MembershipFactory(organisation=pending, role="admin")
    # The fixtures' organisation admin administers *another* organisation here, hence 404.
    login(client, request, who)
    if who == "org_admin":
        user = MembershipFactory(organisation=pending, role="admin").user
        client.force_login(user)
    response = client.get(reverse("people:members", kwargs={"slug": pending.slug}))
    assert response.status_code == status


def test_members_page_unknown_organisation(client, staff):
    client.force_login(staff)
    assert client.get(reverse("people:members", kwargs={"slug": "nope"})).status_code == 404


@pytest.mark.parametrize(
    ("who", "status"),
    list(zip(USERS, [302, 403, 403, 302, 302], strict=True)),
)
def test_member_actions_matrix(request, client, organisation, org_admin, org_member, who, status):
    # Given one of everything an admin can act on
    second = MembershipFactory(organisation=organisation, role="member")
    third = MembershipFactory(organisation=organisation, role="member")
    invitation = InvitationFactory(organisation=organisation)
    to_revoke = InvitationFactory(organisation=organisation)
    join_request = JoinRequestFactory(organisation=organisation)
    slug = organisation.slug
    posts = [
        (
            reverse("people:invitation_create", kwargs={"slug": slug}),
            {"email": "n@example.org", "role": "member"},
        ),
        (reverse("people:invitation_resend", kwargs={"slug": slug, "pk": invitation.pk}), {}),
        (reverse("people:invitation_revoke", kwargs={"slug": slug, "pk": to_revoke.pk}), {}),
        (role_url(second), {"role": "admin"}),
        (remove_url(third), {}),
        (
            reverse("people:join_request_approve", kwargs={"slug": slug, "pk": join_request.pk}),
            {},
        ),
    ]
    sent_at = invitation.sent_at
    login(client, request, who)

    # When the user tries each action
    statuses = [client.post(url, data).status_code for url, data in posts]

    # Then admins and staff act; everyone else is refused with nothing changed
    assert statuses == [status] * len(posts)
    invitation.refresh_from_db()
    to_revoke.refresh_from_db()
    join_request.refresh_from_db()
    changed = [
        organisation.invitations.filter(email="n@example.org").exists(),
        invitation.sent_at != sent_at,
        to_revoke.status == "revoked",
        Membership.objects.get(pk=second.pk).role == "admin",
        not Membership.objects.filter(pk=third.pk).exists(),
        join_request.status == "approved",
    ]
    expected = status == 302 and who != "anonymous"
    assert changed == [expected] * len(posts)
    assert AuditRecord.objects.exists() is expected


def test_members_page_query_count(client, organisation, org_admin, django_assert_num_queries):
    for _ in range(5):
        MembershipFactory(organisation=organisation)
        InvitationFactory(organisation=organisation)
        JoinRequestFactory(organisation=organisation)
    client.force_login(org_admin)
    url = reverse("people:members", kwargs={"slug": organisation.slug})
    client.get(url)
    # session, user, organisation, admin ids, members, invitations, join requests
    with django_assert_num_queries(7):
        assert client.get(url).status_code == 200
