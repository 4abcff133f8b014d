import pytest

from notifications.models import Notification
from partners.models import Organisation
from partners.services.organisations import (
    organisation_approve,
    organisation_register,
    organisation_reject,
)
from tests.factories import MembershipFactory, OrganisationFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_registration_tells_staff_and_approval_tells_the_admins(
    django_capture_on_commit_callbacks, mailoutbox
):
    staff = StaffFactory()
    founder = UserFactory(language="en")
    # given a partner registers an organisation
    with django_capture_on_commit_callbacks(execute=True):
        organisation = organisation_register(
            actor=founder,
            name="H2 Ruhr Solutions GmbH",
            kind="startup",
            postcode="44801",
            city="Bochum",
        )
    assert list(Notification.objects.values_list("recipient_id", "event_type")) == [
        (staff.pk, "organisation.pending")
    ]

    # when staff approve it
    with django_capture_on_commit_callbacks(execute=True):
        organisation_approve(actor=staff, organisation=organisation)

    # then its admin is told, by mail too (a mandatory event)
    approved = Notification.objects.get(event_type="organisation.approved")
    assert approved.recipient == founder
    assert approved.url == f"/organisations/{organisation.slug}/"
    assert [m.subject for m in mailoutbox if m.to == [founder.email]] == [
        "H2 Ruhr Solutions GmbH is now active in the SPIN Portal"
    ]


def test_rejection_tells_the_admins_the_reason(django_capture_on_commit_callbacks, mailoutbox):
    staff = StaffFactory()
    organisation = OrganisationFactory(status=Organisation.Status.PENDING)
    admin = MembershipFactory(organisation=organisation, role="admin", user__language="en").user
    with django_capture_on_commit_callbacks(execute=True):
        organisation_reject(actor=staff, organisation=organisation, reason="Not in the Ruhr.")
    notification = Notification.objects.get(recipient=admin)
    assert notification.context == {"organisation": organisation.name, "reason": "Not in the Ruhr."}
    assert "Reason: Not in the Ruhr." in mailoutbox[-1].body
