"""GDPR: a copy of one's data, and deleting one's account."""

import json

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.urls import reverse
from django.utils import translation

from accounts.models import ApiToken, User
from accounts.privacy import account_delete, user_data_export
from accounts.services import api_token_create
from matchmaking.models import ContactRequest, Message, Opportunity
from notifications.models import Notification
from partners.models import Membership
from spinportal.audit import audit
from spinportal.models import AuditRecord
from tests.factories import (
    TEST_PASSWORD,
    MembershipFactory,
    OrganisationFactory,
    StaffFactory,
    UserFactory,
)
from tests.matchmaking.factories import ContactRequestFactory, MessageFactory, OpportunityFactory

pytestmark = pytest.mark.django_db
PRIVACY = "/account/privacy/"
EXPORT = "/account/privacy/export/"
DELETE = "/account/privacy/delete/"


@pytest.fixture
def anna():
    """A member of FH Dortmund with something in every corner of the portal."""
    user = UserFactory(
        email="anna@example.org", full_name="Anna Schmidt", phone="+49 231 1234", position="Prof."
    )
    EmailAddress.objects.create(user=user, email="anna.private@example.org", verified=False)
    fh = OrganisationFactory(name="FH Dortmund", slug="fh-dortmund")
    MembershipFactory(user=user, organisation=fh, role="member")
    MembershipFactory(organisation=fh, role="admin")
    werk = OrganisationFactory(name="Werk Ruhr", slug="werk-ruhr")
    bernd = MembershipFactory(organisation=werk, role="admin").user
    OpportunityFactory(organisation=fh, created_by=user, title="Wasserstoff-Speicher")
    accepted = ContactRequestFactory(
        sender=user,
        sender_organisation=fh,
        receiver_organisation=werk,
        status=ContactRequest.Status.ACCEPTED,
        message="Guten Tag, hier ist Anna Schmidt.",
    )
    MessageFactory(contact_request=accepted, author=user, text="Mein Vorschlag: Dienstag.")
    MessageFactory(contact_request=accepted, author=bernd, text="Dienstag passt.")
    ContactRequestFactory(
        sender=user, sender_organisation=fh, receiver_organisation=OrganisationFactory()
    )
    Notification.objects.create(
        recipient=user, event_type="contact_request.accepted", event_key="a:1", url="/x/"
    )
    Notification.objects.create(
        recipient=bernd,
        actor=user,
        event_type="contact_request.received",
        event_key="r:1",
        context={"sender": "Anna Schmidt", "organisation": "FH Dortmund"},
    )
    api_token_create(user=user, name="ERP", scope="read")
    Authenticator.objects.create(user=user, type="totp", data={"secret": "TOPSECRETTOTP"})
    audit(actor=user, action="profile.update", target=user)
    return user


def test_export_contains_the_persons_data_and_no_secrets(client, anna):
    client.force_login(anna)
    response = client.get(EXPORT)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="spin-portal-data-')
    assert response["Cache-Control"] == "no-store"
    data = json.loads(response.content)

    assert set(data) == {
        "format_version", "exported_at", "profile", "email_addresses", "memberships",
        "project_team_memberships", "join_requests", "opportunities_created",
        "contact_requests_sent", "messages_sent", "notifications", "emails_sent",
        "notification_preferences",
        "api_tokens", "two_factor_authenticators", "actions_recorded",
    }  # fmt: skip
    assert data["profile"]["email"] == "anna@example.org"
    assert data["profile"]["phone"] == "+49 231 1234"
    assert [a["email"] for a in data["email_addresses"]] == [
        "anna.private@example.org",
        "anna@example.org",
    ]
    assert [(m["organisation__name"], m["role"]) for m in data["memberships"]] == [
        ("FH Dortmund", "member")
    ]
    assert [o["title"] for o in data["opportunities_created"]] == ["Wasserstoff-Speicher"]
    assert len(data["contact_requests_sent"]) == 2
    # only her own messages, not Bernd's answer
    assert [m["text"] for m in data["messages_sent"]] == ["Mein Vorschlag: Dienstag."]
    assert [n["event_type"] for n in data["notifications"]] == ["contact_request.accepted"]
    assert [(t["name"], t["scope"]) for t in data["api_tokens"]] == [("ERP", "read")]
    assert [a["type"] for a in data["two_factor_authenticators"]] == ["totp"]
    assert [r["action"] for r in data["actions_recorded"]] == ["profile.update", "api_token.create"]

    text = response.content.decode()
    token = ApiToken.objects.get(user=anna)
    assert token.key_hash not in text
    assert "TOPSECRETTOTP" not in text
    assert anna.password not in text
    assert "password" not in text


def test_export_needs_login(client):
    response = client.get(EXPORT)
    assert response.status_code == 302
    assert response["Location"] == f"/account/login/?next={EXPORT}"


def test_privacy_page_offers_export_and_deletion(client, anna):
    client.force_login(anna)
    response = client.get(PRIVACY)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="{EXPORT}"' in html
    assert f'action="{DELETE}"' in html
    assert response.context["deletion_blockers"] == []


def test_deletion_needs_the_password_and_changes_nothing_without_it(client, anna):
    client.force_login(anna)
    response = client.post(DELETE, {"password": "wrong"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response.context["form"].errors == {"password": ["The password is not correct."]}
    anna.refresh_from_db()
    assert (anna.is_active, anna.email, anna.deleted_at) == (True, "anna@example.org", None)


def test_deletion_by_get_is_not_possible(client, anna):
    client.force_login(anna)
    assert client.get(DELETE).status_code == 405


def test_delete_account_removes_personal_data_and_keeps_shared_records(client, anna):
    # given Anna's conversation with Werk Ruhr and the records around her
    bernd = User.objects.get(memberships__organisation__slug="werk-ruhr")
    conversation = ContactRequest.objects.get(status="accepted")
    open_request = ContactRequest.objects.get(status="open")
    client.force_login(anna)

    # when she deletes her account with her password
    response = client.post(DELETE, {"password": TEST_PASSWORD})

    # then she is logged out and her personal data is gone
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert "_auth_user_id" not in client.session
    anna.refresh_from_db()
    assert anna.email == f"deleted-{anna.pk}@deleted.invalid"
    assert (anna.full_name, anna.phone, anna.position, anna.expertise) == ("", "", "", "")
    assert (anna.is_active, anna.has_usable_password()) == (False, False)
    assert anna.deleted_at is not None
    with translation.override("en"):
        assert anna.display_name == "Deleted account"
    assert EmailAddress.objects.filter(user=anna).count() == 0
    assert Membership.objects.filter(user=anna).count() == 0
    assert Notification.objects.filter(recipient=anna).count() == 0
    assert ApiToken.objects.filter(user=anna).count() == 0
    assert Authenticator.objects.filter(user=anna).count() == 0

    # and the organisation's data and the other side's conversation are intact
    assert Opportunity.objects.get(title="Wasserstoff-Speicher").organisation.slug == (
        "fh-dortmund"
    )
    assert list(
        Message.objects.filter(contact_request=conversation)
        .order_by("id")
        .values_list("author_id", "text")
    ) == [(anna.pk, "Mein Vorschlag: Dienstag."), (bernd.pk, "Dienstag passt.")]
    open_request.refresh_from_db()
    assert open_request.status == "withdrawn"
    # Bernd's notification no longer names her
    assert Notification.objects.get(recipient=bernd).context == {
        "sender": "[deleted account]",
        "organisation": "FH Dortmund",
    }
    # the audit trail keeps the actions, not the name
    labels = set(AuditRecord.objects.values_list("target_label", flat=True))
    assert not [label for label in labels if "Anna" in label or "anna@" in label]
    assert AuditRecord.objects.filter(action="account.delete", actor=None).count() == 1

    # and she cannot log in any more
    response = client.post(
        reverse("account_login"), {"login": "anna@example.org", "password": TEST_PASSWORD}
    )
    assert "_auth_user_id" not in client.session


def test_other_sessions_end_too(client, anna):
    other_device = client.__class__()
    other_device.force_login(anna)
    client.force_login(anna)
    client.post(DELETE, {"password": TEST_PASSWORD})
    response = other_device.get(PRIVACY)
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")


def test_deleted_person_is_gone_from_directory_search_and_export(client, anna):
    staff = StaffFactory()
    client.force_login(staff)
    assert "Anna Schmidt" in client.get("/people/", {"q": "Anna"}).content.decode()
    account_delete(user=anna)

    assert "Anna Schmidt" not in client.get("/people/", {"q": "Anna"}).content.decode()
    assert client.get(f"/people/{anna.pk}/").status_code == 404
    export = client.get("/people/export.csv").content.decode()
    assert "anna@example.org" not in export
    assert "Anna Schmidt" not in export
    page = client.get("/organisations/fh-dortmund/").content.decode()
    assert "Anna Schmidt" not in page


def test_conversation_shows_the_deleted_author_anonymously(client, anna):
    werk_admin = User.objects.get(memberships__organisation__slug="werk-ruhr")
    conversation = ContactRequest.objects.get(status="accepted")
    account_delete(user=anna)
    client.force_login(werk_admin)
    html = client.get(
        f"/contact-requests/{conversation.public_id}/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Mein Vorschlag: Dienstag." in html
    assert "Guten Tag, hier ist [deleted account]." in html
    assert "<strong>Deleted account</strong>" in html
    assert "Anna" not in html


def test_last_admin_must_hand_over_first(client):
    # given the only admin of an organisation
    admin = MembershipFactory(organisation=OrganisationFactory(name="Werk Ruhr"), role="admin").user
    client.force_login(admin)
    with translation.override("en"):
        assert client.get(PRIVACY, HTTP_ACCEPT_LANGUAGE="en").context["deletion_blockers"] == [
            "You are the last administrator of Werk Ruhr. Make another member an administrator "
            "first, then delete your account."
        ]

    # when they try to delete the account
    response = client.post(DELETE, {"password": TEST_PASSWORD}, HTTP_ACCEPT_LANGUAGE="en")

    # then they get a clear error and nothing changed
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "You are the last administrator of Werk Ruhr. Make another member an administrator "
        "first, then delete your account."
    ]
    admin.refresh_from_db()
    assert (admin.is_active, admin.deleted_at) == (True, None)
    assert Membership.objects.filter(user=admin).count() == 1

    # once there is a second admin, deletion works
    MembershipFactory(organisation=admin.memberships.get().organisation, role="admin")
    assert client.post(DELETE, {"password": TEST_PASSWORD}).status_code == 302


def test_export_service_for_a_new_user_is_empty_but_complete(db):
    user = UserFactory(verified=False)
    data = user_data_export(user=user)
    assert data["email_addresses"] == []
    assert data["memberships"] == []
    assert data["api_tokens"] == []
