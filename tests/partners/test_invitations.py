import datetime as dt
import re

import pytest
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from notifications.models import Delivery
from notifications.tasks import sweep_pending_deliveries
from partners.models import Invitation, Membership
from partners.services import invitations
from partners.services.invitations import invitation_token, invitation_url
from spinportal.models import AuditRecord
from tests.factories import TEST_PASSWORD, MembershipFactory, UserFactory
from tests.notifications.fixtures import eager_outbox  # noqa: F401 - a fixture
from tests.partners.factories_people import InvitationFactory

# Endpoints whose permission matrix this module asserts (tests/security/coverage.py).
COVERS = [
    "people:invitation_accept",
]

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_outbox")]


@pytest.fixture(autouse=True)
def _english(client):
    """Pages in English, so that assertions can quote the source strings."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def accept_url(invitation):
    return reverse("people:invitation_accept", kwargs={"token": invitation_token(invitation)})


def link_in(message) -> str:
    return re.search(r"http://testserver(/invitations/[^/\s]+/)", message.body).group(1)


@pytest.fixture
def site_url(settings):
    settings.SITE_URL = "http://testserver"


def test_invite_accept_while_logged_in(
    client, organisation, org_admin, mailoutbox, django_capture_on_commit_callbacks, site_url
):
    # Given an organisation admin and an existing user with the address to invite
    invitee = UserFactory(email="new.colleague@example.org", language="en")
    client.force_login(org_admin)

    # When the admin invites the address
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("people:invitation_create", kwargs={"slug": organisation.slug}),
            {"email": "New.Colleague@example.org", "role": "admin"},
        )

    # Then an invitation and one mail with the signed link exist
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role, invitation.status) == (
        "new.colleague@example.org",
        "admin",
        "open",
    )
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["new.colleague@example.org"]
    # English: the invitee's language (German strings are asserted by msgid until translated)
    assert mail.subject == f"You are invited to join {organisation.name}"
    link = f"http://testserver{link_in(mail)}"
    with translation.override("en"):
        expires = date_format(
            timezone.localtime(invitation.sent_at + dt.timedelta(days=7)), "DATETIME_FORMAT"
        )
    assert mail.body == (
        f"{org_admin.display_name} invites you to join {organisation.name} in the SPIN Portal, "
        "the portal of the Ruhr region's innovation cluster.\n\n"
        f"The invitation link below can be used once and is valid for 7 days, until {expires}. "
        "If you have no account yet, sign up with this e-mail address first.\n\n"
        "If you did not expect this invitation, you can ignore this e-mail.\n\n"
        f"Open in the portal: {link}\n\n"
        "--\n"
        "SPIN Portal · http://testserver\n"
        "Notification settings: http://testserver/notifications/preferences/\n\n"
    )
    assert "List-Unsubscribe" not in mail.extra_headers  # a mandatory mail
    html, mimetype = mail.alternatives[0]
    assert mimetype == "text/html"
    path = link_in(mail)
    assert f'href="http://testserver{path}"' in html

    # When the invitee opens the link logged in and accepts
    client.force_login(invitee)
    assert client.get(path).status_code == 200
    response = client.post(path)

    # Then they are an admin of the organisation and the invitation is used
    assert response.status_code == 302
    assert response.url == reverse("people:my_organisations")
    membership = Membership.objects.get(user=invitee)
    assert (membership.organisation, membership.role) == (organisation, "admin")
    invitation.refresh_from_db()
    assert (invitation.status, invitation.accepted_by) == ("accepted", invitee)
    actions = list(
        AuditRecord.objects.filter(actor=invitee).order_by("pk").values_list("action", flat=True)
    )
    assert actions == ["invitation.accept", "membership.create"]


def test_invitation_link_uses_site_url_and_recipient_language(
    client,
    organisation,
    org_admin,
    mailoutbox,
    django_capture_on_commit_callbacks,
    settings,
):
    # Given a configured public address and an invitee who prefers English
    settings.SITE_URL = "https://portal.example"
    UserFactory(email="english@example.org", language="en")
    client.force_login(org_admin)

    # When the admin invites the English speaker and an unknown address
    with django_capture_on_commit_callbacks(execute=True):
        for email in ("english@example.org", "unknown@example.org"):
            client.post(
                reverse("people:invitation_create", kwargs={"slug": organisation.slug}),
                {"email": email, "role": "member"},
            )

    # Then the links point at SITE_URL and the unknown address gets German, the default
    assert len(mailoutbox) == 2
    assert all("https://portal.example/invitations/" in mail.body for mail in mailoutbox)
    languages = Delivery.objects.order_by("to_email").values_list("to_email", "language")
    assert list(languages) == [("english@example.org", "en"), ("unknown@example.org", "de")]


def test_anonymous_logs_in_and_comes_back_through_next(client, organisation, org_admin):
    # Given an open invitation to an existing account
    invitee = UserFactory(email="invitee@example.org")
    invitation = InvitationFactory(
        organisation=organisation, invited_by=org_admin, email=invitee.email
    )
    path = accept_url(invitation)

    # When an anonymous visitor opens the link
    response = client.get(path)

    # Then the page says whom it is for and links to log in and sign up with ?next
    assert response.status_code == 200
    login_url = response.context["login_url"]
    assert login_url.startswith(reverse("account_login") + "?next=")
    assert response.context["signup_url"].startswith(reverse("account_signup") + "?next=")
    assert b"invitee@example.org" in response.content
    assert Membership.objects.filter(user=invitee).count() == 0

    # When they log in through that link
    response = client.post(login_url, {"login": invitee.email, "password": TEST_PASSWORD})

    # Then they come back to the invitation and can accept it
    assert response.status_code == 302
    assert response.url == path
    response = client.post(path)
    assert response.status_code == 302
    assert Membership.objects.filter(user=invitee, organisation=organisation).count() == 1


def test_anonymous_post_does_not_accept(client, organisation):
    invitation = InvitationFactory(organisation=organisation)
    response = client.post(accept_url(invitation))
    assert response.status_code == 200
    invitation.refresh_from_db()
    assert invitation.status == "open"
    assert Membership.objects.filter(organisation=organisation).count() == 0


def test_expired_invitation(client, organisation):
    invitee = UserFactory(email="late@example.org")
    invitation = InvitationFactory(
        organisation=organisation,
        email=invitee.email,
        sent_at=timezone.now() - dt.timedelta(days=Invitation.VALID_DAYS, seconds=1),
    )
    client.force_login(invitee)
    response = client.post(accept_url(invitation))
    assert response.status_code == 410
    assert response.context["problem"] == "expired"
    assert b"Ask an administrator of" in response.content
    assert Membership.objects.filter(user=invitee).count() == 0


def test_invitation_still_valid_just_before_expiry(client, organisation):
    invitee = UserFactory(email="intime@example.org")
    invitation = InvitationFactory(
        organisation=organisation,
        email=invitee.email,
        sent_at=timezone.now() - dt.timedelta(days=Invitation.VALID_DAYS, seconds=-60),
    )
    client.force_login(invitee)
    assert client.post(accept_url(invitation)).status_code == 302
    assert Membership.objects.filter(user=invitee).count() == 1


def test_expired_signature(client, organisation, monkeypatch):
    invitation = InvitationFactory(organisation=organisation)
    token = invitation_token(invitation)
    later = timezone.now().timestamp() + (Invitation.VALID_DAYS * 86400 + 10)
    monkeypatch.setattr(signing.time, "time", lambda: later)
    response = client.get(reverse("people:invitation_accept", kwargs={"token": token}))
    assert response.status_code == 410
    assert response.context["problem"] == "expired"


def test_used_invitation(client, organisation):
    invitee = UserFactory(email="twice@example.org")
    invitation = InvitationFactory(organisation=organisation, email=invitee.email)
    path = accept_url(invitation)
    client.force_login(invitee)
    assert client.post(path).status_code == 302

    # A second use (also by the same person) is explained, not repeated
    response = client.post(path)
    assert response.status_code == 410
    assert response.context["problem"] == "accepted"
    assert Membership.objects.filter(user=invitee).count() == 1


def test_revoked_invitation(client, organisation, org_admin):
    invitee = UserFactory(email="revoked@example.org")
    invitation = InvitationFactory(organisation=organisation, email=invitee.email)
    path = accept_url(invitation)
    client.force_login(org_admin)
    response = client.post(
        reverse("people:invitation_revoke", kwargs={"slug": organisation.slug, "pk": invitation.pk})
    )
    assert response.status_code == 302

    client.force_login(invitee)
    response = client.post(path)
    assert response.status_code == 410
    assert response.context["problem"] == "revoked"
    assert b"withdrew the invitation" in response.content
    assert Membership.objects.filter(user=invitee).count() == 0
    assert AuditRecord.objects.filter(action="invitation.revoke", actor=org_admin).count() == 1


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        signing.dumps({"invitation": 1, "sent_at": "x"}, salt="another.salt"),
        signing.dumps({"invitation": 999999, "sent_at": "x"}, salt="partners.invitation"),
    ],
)
def test_forged_token(client, user, token):
    client.force_login(user)
    response = client.post(reverse("people:invitation_accept", kwargs={"token": token}))
    assert response.status_code == 400
    assert response.context["problem"] == "forged"
    assert b"This invitation link is not valid" in response.content
    assert Membership.objects.count() == 0


def test_tampered_token(client, organisation):
    invitation = InvitationFactory(organisation=organisation)
    token = invitation_token(invitation)
    tampered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    response = client.get(reverse("people:invitation_accept", kwargs={"token": tampered}))
    assert response.status_code == 400


def test_resend_replaces_the_link(
    client, organisation, org_admin, mailoutbox, django_capture_on_commit_callbacks, site_url
):
    # Given an invitation sent two days ago
    invitee = UserFactory(email="resend@example.org")
    invitation = InvitationFactory(
        organisation=organisation,
        email=invitee.email,
        invited_by=org_admin,
        sent_at=timezone.now() - dt.timedelta(days=2),
    )
    old_path = accept_url(invitation)
    client.force_login(org_admin)

    # When the admin resends it
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse(
                "people:invitation_resend", kwargs={"slug": organisation.slug, "pk": invitation.pk}
            )
        )

    # Then a new mail goes out, the old link is replaced and the new one works
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    new_path = link_in(mailoutbox[0])
    assert new_path != old_path
    client.force_login(invitee)
    response = client.get(old_path)
    assert response.status_code == 410
    assert response.context["problem"] == "superseded"
    assert client.post(new_path).status_code == 302
    assert Membership.objects.filter(user=invitee, organisation=organisation).count() == 1


def test_invitation_for_another_address(client, organisation, other_partner):
    invitation = InvitationFactory(organisation=organisation, email="someone.else@example.org")
    client.force_login(other_partner)
    response = client.post(accept_url(invitation))
    assert response.status_code == 403
    assert response.context["problem"] == "wrong_address"
    assert b"someone.else@example.org" in response.content
    invitation.refresh_from_db()
    assert invitation.status == "open"
    assert Membership.objects.filter(user=other_partner, organisation=organisation).count() == 0


def test_invitation_to_an_unverified_address_is_refused(client, organisation):
    invitee = UserFactory(email="unverified@example.org", verified=False)
    invitation = InvitationFactory(organisation=organisation, email=invitee.email)
    client.force_login(invitee)
    response = client.post(accept_url(invitation))
    assert response.status_code == 403
    assert Membership.objects.filter(user=invitee).count() == 0


def test_inviting_a_member_is_a_field_error(client, organisation, org_admin, org_member):
    client.force_login(org_admin)
    response = client.post(
        reverse("people:invitation_create", kwargs={"slug": organisation.slug}),
        {"email": org_member.email.upper(), "role": "member"},
    )
    assert response.status_code == 200
    assert response.context["invite_form"].errors == {
        "email": ["A person with this e-mail address is already a member."]
    }
    assert Invitation.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"email": "not-an-address", "role": "member"}, "email"),
        ({"email": "ok@example.org", "role": "owner"}, "role"),
    ],
)
def test_invalid_invitation_names_the_field(client, organisation, org_admin, data, field):
    client.force_login(org_admin)
    response = client.post(
        reverse("people:invitation_create", kwargs={"slug": organisation.slug}), data
    )
    assert response.status_code == 200
    assert list(response.context["invite_form"].errors) == [field]
    assert Invitation.objects.count() == 0


def test_second_open_invitation_is_a_field_error(client, organisation, org_admin):
    InvitationFactory(organisation=organisation, email="twice@example.org")
    client.force_login(org_admin)
    response = client.post(
        reverse("people:invitation_create", kwargs={"slug": organisation.slug}),
        {"email": "twice@example.org", "role": "member"},
    )
    assert response.status_code == 200
    assert "email" in response.context["invite_form"].errors
    assert Invitation.objects.count() == 1


def test_already_member_cannot_accept(client, organisation, org_member):
    invitation = InvitationFactory(organisation=organisation, email=org_member.email)
    client.force_login(org_member)
    response = client.post(accept_url(invitation))
    assert response.status_code == 409
    invitation.refresh_from_db()
    assert invitation.status == "open"


def test_accepting_closes_own_open_join_request(client, organisation):
    from tests.partners.factories_people import JoinRequestFactory

    invitee = UserFactory(email="both@example.org")
    join_request = JoinRequestFactory(organisation=organisation, user=invitee)
    invitation = InvitationFactory(organisation=organisation, email=invitee.email)
    client.force_login(invitee)
    assert client.post(accept_url(invitation)).status_code == 302
    join_request.refresh_from_db()
    assert join_request.status == "withdrawn"


def test_revoke_or_resend_of_a_used_invitation_is_refused(client, organisation, org_admin):
    invitation = InvitationFactory(organisation=organisation, status="accepted")
    client.force_login(org_admin)
    for name in ("people:invitation_revoke", "people:invitation_resend"):
        response = client.post(
            reverse(name, kwargs={"slug": organisation.slug, "pk": invitation.pk}), follow=True
        )
        assert response.status_code == 200
        assert [str(m) for m in response.context["messages"]][-1] in (
            "Only open invitations can be revoked.",
            "Only open invitations can be resent.",
        )
    invitation.refresh_from_db()
    assert invitation.status == "accepted"


def test_invitation_of_another_organisation_is_404(client, organisation, org_admin):
    foreign = InvitationFactory()
    client.force_login(org_admin)
    response = client.post(
        reverse("people:invitation_revoke", kwargs={"slug": organisation.slug, "pk": foreign.pk})
    )
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == "open"


def test_membership_factory_other_admin_cannot_invite(client, organisation):
    outsider = MembershipFactory(role="admin").user
    client.force_login(outsider)
    response = client.post(
        reverse("people:invitation_create", kwargs={"slug": organisation.slug}),
        {"email": "x@example.org", "role": "member"},
    )
    assert response.status_code == 403
    assert Invitation.objects.count() == 0


def test_new_person_signs_up_confirms_and_comes_back(client, organisation, mailoutbox):
    # Given an invitation to an address without an account
    invitation = InvitationFactory(organisation=organisation, email="fresh@example.org")
    path = accept_url(invitation)
    signup_url = client.get(path).context["signup_url"]

    # When they sign up through the page's link and confirm their address
    response = client.post(
        signup_url,
        {
            "email": "fresh@example.org",
            "full_name": "Fresh Person",
            "password1": TEST_PASSWORD,
            "password2": TEST_PASSWORD,
        },
    )
    assert response.status_code == 302
    confirm_path = re.search(r"https?://[^/\s]+(/account/confirm-email/\S+)", mailoutbox[-1].body)
    response = client.post(confirm_path.group(1))

    # Then they are logged in and back on the invitation, which they accept
    assert response.status_code == 302
    assert response.url == path
    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 302
    membership = Membership.objects.get(organisation=organisation)
    assert membership.user.email == "fresh@example.org"


def test_invitation_mail_is_written_in_the_services_transaction(organisation, org_admin):
    # Given the outbox has no mail yet (the commit callbacks never run here)
    # When an invitation is created and then resent, both inside their service transactions
    invitation = invitations.invitation_create(
        actor=org_admin, organisation=organisation, email="outbox@example.org"
    )
    first = Delivery.objects.get()
    assert (first.to_email, first.event_type, first.status, first.url) == (
        "outbox@example.org",
        "invitation.received",
        "pending",
        invitation_url(invitation),
    )
    assert first.context == {
        "organisation": organisation.name,
        "inviter": org_admin.display_name,
        "valid_days": 7,
        "expires_at": first.context["expires_at"],
    }
    invitation.sent_at = invitation.sent_at - dt.timedelta(days=1)
    invitation.save(update_fields=["sent_at"])
    invitation = invitations.invitation_resend(actor=org_admin, invitation=invitation)

    # Then the mail with the superseded link is cancelled and one with the new link waits
    second = Delivery.objects.exclude(pk=first.pk).get()
    first.refresh_from_db()
    assert (first.status, second.status) == ("skipped", "pending")

    def sent_at_in(url):
        token = url.rsplit("/", 2)[-2]
        return signing.loads(token, salt=invitations.INVITATION_SALT)["sent_at"]

    assert sent_at_in(first.url) != invitation.sent_at.isoformat()  # the superseded link
    assert sent_at_in(second.url) == invitation.sent_at.isoformat()


def test_revoking_cancels_a_mail_still_in_the_outbox(
    client, organisation, org_admin, mailoutbox, django_capture_on_commit_callbacks
):
    # Given an invitation whose mail has not gone out yet (the broker was unreachable)
    with django_capture_on_commit_callbacks(execute=False):
        invitation = invitations.invitation_create(
            actor=org_admin, organisation=organisation, email="late.mail@example.org"
        )
    client.force_login(org_admin)

    # When the admin revokes it and the sweep runs later
    client.post(
        reverse("people:invitation_revoke", kwargs={"slug": organisation.slug, "pk": invitation.pk})
    )
    Delivery.objects.update(created_at=timezone.now() - dt.timedelta(minutes=5))
    assert sweep_pending_deliveries() == 0

    # Then no mail with a dead link goes out
    assert mailoutbox == []
    assert Delivery.objects.get().status == "skipped"


def test_a_failing_service_leaves_no_mail_behind(organisation, org_admin):
    # When the transaction around an invitation rolls back
    def invite_then_fail():
        with transaction.atomic():
            invitations.invitation_create(
                actor=org_admin, organisation=organisation, email="rollback@example.org"
            )
            raise RuntimeError("later step failed")

    with pytest.raises(RuntimeError, match="later step failed"):
        invite_then_fail()

    # Then neither the invitation nor its mail exist
    assert Invitation.objects.count() == 0
    assert Delivery.objects.count() == 0
