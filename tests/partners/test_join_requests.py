import pytest
from django.urls import reverse

from notifications.models import Notification
from partners.models import JoinRequest, Membership
from spinportal.models import AuditRecord
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.notifications.fixtures import eager_outbox  # noqa: F401 - a fixture
from tests.partners.factories_people import JoinRequestFactory

# Endpoints whose permission matrix this module asserts (tests/security/coverage.py).
COVERS = [
    "people:join_request_approve",
    "people:join_request_decline",
]

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_outbox")]


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def join_url(organisation):
    return reverse("people:join", kwargs={"slug": organisation.slug})


def decide_url(name, join_request):
    return reverse(
        f"people:join_request_{name}",
        kwargs={"slug": join_request.organisation.slug, "pk": join_request.pk},
    )


def test_request_notifies_admins(
    client, organisation, org_admin, org_member, other_partner, mailoutbox,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    # Given a second admin who prefers English
    second_admin = MembershipFactory(
        organisation=organisation, role="admin", user=UserFactory(language="en")
    ).user
    client.force_login(other_partner)

    # When a partner of another organisation asks to join
    assert client.get(join_url(organisation)).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(join_url(organisation), {"message": "I run the H2 lab."})

    # Then an open request exists and each admin (not the member) got one mail
    assert response.status_code == 302
    assert response.url == reverse("people:my_organisations")
    join_request = JoinRequest.objects.get()
    assert (join_request.user, join_request.status, join_request.message) == (
        other_partner,
        "open",
        "I run the H2 lab.",
    )
    assert sorted(mail.to[0] for mail in mailoutbox) == sorted(
        [org_admin.email, second_admin.email]
    )
    english = next(mail for mail in mailoutbox if mail.to == [second_admin.email])
    assert english.subject == (
        f"{other_partner.display_name} asks to join {organisation.display_name}"
    )
    body = english.body.split("--\n")[0]
    assert body == (
        f"{other_partner.display_name} ({other_partner.email}) would like to join "
        f"{organisation.display_name} in the SPIN Portal. As an administrator of the "
        "organisation you can approve or decline the request on the members page.\n\n"
        "Their message:\n"
        "I run the H2 lab.\n\n"
        f"Open in the portal: http://127.0.0.1:8000/organisations/{organisation.slug}/members/\n\n"
    )
    # and each admin finds it in the notification centre, linking to the members page
    assert sorted(
        Notification.objects.filter(event_type="join_request.received").values_list(
            "recipient_id", "url"
        )
    ) == sorted(
        (admin.pk, f"/organisations/{organisation.slug}/members/")
        for admin in (org_admin, second_admin)
    )
    assert (
        AuditRecord.objects.filter(action="join_request.create", actor=other_partner).count() == 1
    )


def test_second_request_is_refused(client, organisation, other_partner):
    JoinRequestFactory(organisation=organisation, user=other_partner)
    client.force_login(other_partner)
    response = client.get(join_url(organisation))
    assert response.status_code == 200
    assert response.context["open_request"] is not None
    response = client.post(join_url(organisation), {"message": "again"})
    assert response.status_code == 200
    assert JoinRequest.objects.count() == 1


def test_message_too_long_names_the_field(client, organisation, other_partner):
    client.force_login(other_partner)
    response = client.post(join_url(organisation), {"message": "x" * 2001})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["message"]
    assert JoinRequest.objects.count() == 0


def test_member_is_sent_to_my_organisations(client, organisation, org_member):
    client.force_login(org_member)
    response = client.post(join_url(organisation), {"message": ""})
    assert response.status_code == 302
    assert response.url == reverse("people:my_organisations")
    assert JoinRequest.objects.count() == 0


def test_join_permissions(client, other_partner, staff):
    pending = OrganisationFactory(status="pending")
    # Anonymous: log in first
    response = client.get(join_url(pending))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    # A pending organisation does not exist for outsiders
    client.force_login(other_partner)
    assert client.post(join_url(pending)).status_code == 404
    # Staff see it but nobody can join before approval
    client.force_login(staff)
    assert client.post(join_url(pending)).status_code == 403
    assert JoinRequest.objects.count() == 0


def test_approve(
    client, organisation, org_admin, other_partner, mailoutbox, django_capture_on_commit_callbacks
):
    # Given an open request
    join_request = JoinRequestFactory(organisation=organisation, user=other_partner)
    client.force_login(org_admin)

    # When an admin approves it
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(decide_url("approve", join_request))

    # Then the requester is a member and is told so
    assert response.status_code == 302
    membership = Membership.objects.get(user=other_partner, organisation=organisation)
    assert membership.role == "member"
    join_request.refresh_from_db()
    assert (join_request.status, join_request.decided_by) == ("approved", org_admin)
    assert [mail.to for mail in mailoutbox] == [[other_partner.email]]
    # in German, the requester's language
    assert mailoutbox[0].subject == f"Sie sind jetzt Mitglied von {organisation.display_name}"
    assert mailoutbox[0].body.split("--\n")[0] == (
        f"Die Administratoren von {organisation.display_name} haben Ihre Anfrage genehmigt. "
        "Sie sind jetzt Mitglied.\n\n"
        "Im Portal öffnen: http://127.0.0.1:8000/people/me/organisations/\n\n"
    )
    actions = set(AuditRecord.objects.filter(actor=org_admin).values_list("action", flat=True))
    assert actions == {"join_request.approve", "membership.create"}


def test_decline(
    client, organisation, org_admin, other_partner, mailoutbox, django_capture_on_commit_callbacks
):
    join_request = JoinRequestFactory(organisation=organisation, user=other_partner)
    client.force_login(org_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(decide_url("decline", join_request))
    assert response.status_code == 302
    join_request.refresh_from_db()
    assert join_request.status == "declined"
    assert Membership.objects.filter(user=other_partner, organisation=organisation).count() == 0
    assert len(mailoutbox) == 1
    assert mailoutbox[0].subject == (
        f"Ihre Beitrittsanfrage an {organisation.display_name} wurde abgelehnt"
    )
    assert mailoutbox[0].body.split("--\n")[0] == (
        f"Die Administratoren von {organisation.display_name} haben Ihre Beitrittsanfrage "
        "abgelehnt. Falls Sie dies für einen Irrtum halten, wenden Sie sich direkt an die "
        "Organisation.\n\n"
        "Im Portal öffnen: http://127.0.0.1:8000/people/me/organisations/\n\n"
    )
    assert AuditRecord.objects.filter(action="join_request.decline", actor=org_admin).count() == 1


def test_deciding_twice_is_refused(client, organisation, org_admin, other_partner):
    join_request = JoinRequestFactory(organisation=organisation, user=other_partner)
    client.force_login(org_admin)
    client.post(decide_url("decline", join_request))
    response = client.post(decide_url("approve", join_request), follow=True)
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [
        "The request has been declined.",
        "This request has already been answered.",
    ]
    assert Membership.objects.filter(user=other_partner, organisation=organisation).count() == 0


@pytest.mark.parametrize("action", ["approve", "decline"])
@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("other_partner", 403), ("org_member", 403), ("staff", 302)],
)
def test_decide_permission_matrix(request, client, organisation, org_admin, action, who, status):
    requester = UserFactory()
    join_request = JoinRequestFactory(organisation=organisation, user=requester)
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    response = client.post(decide_url(action, join_request))
    assert response.status_code == status
    join_request.refresh_from_db()
    if who == "staff":
        assert join_request.status == ("approved" if action == "approve" else "declined")
    else:
        assert join_request.status == "open"
        assert Membership.objects.filter(user=requester).count() == 0
        assert AuditRecord.objects.filter(action__startswith="join_request.").count() == 0


def test_withdraw(client, organisation, other_partner):
    join_request = JoinRequestFactory(organisation=organisation, user=other_partner)
    client.force_login(other_partner)
    url = reverse("people:join_request_withdraw", kwargs={"pk": join_request.pk})
    assert client.post(url).status_code == 302
    join_request.refresh_from_db()
    assert join_request.status == "withdrawn"


def test_withdraw_someone_elses_request_is_404(client, organisation, other_partner, user):
    join_request = JoinRequestFactory(organisation=organisation, user=other_partner)
    client.force_login(user)
    url = reverse("people:join_request_withdraw", kwargs={"pk": join_request.pk})
    assert client.post(url).status_code == 404
    join_request.refresh_from_db()
    assert join_request.status == "open"
