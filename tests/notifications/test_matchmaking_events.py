import pytest
from django.db import transaction

from matchmaking.services.contact_requests import (
    contact_request_accept,
    contact_request_create,
    message_create,
)
from notifications.models import Delivery, Notification
from tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def test_contact_request_accept_and_message_notify_the_other_side_in_the_same_transaction(
    django_capture_on_commit_callbacks, mailoutbox
):
    sender_org, receiver_org = OrganisationFactory(), OrganisationFactory()
    sender = MembershipFactory(organisation=sender_org, user__language="en").user
    receiver = MembershipFactory(organisation=receiver_org, user__language="en").user
    colleague = MembershipFactory(organisation=receiver_org, user__language="en").user

    # a rolled-back request leaves no notification behind
    def create_then_fail():
        with transaction.atomic():
            contact_request_create(
                actor=sender,
                receiver_organisation=receiver_org,
                message="Hallo, wir suchen Prüfstände.",
            )
            raise RuntimeError("rollback")

    with pytest.raises(RuntimeError):
        create_then_fail()
    assert Notification.objects.count() == 0

    # the receiving organisation's members are told of a new request
    with django_capture_on_commit_callbacks(execute=True):
        request = contact_request_create(
            actor=sender,
            receiver_organisation=receiver_org,
            message="Hallo, wir suchen Prüfstände.",
        )
    received = Notification.objects.filter(event_type="contact_request.received")
    assert sorted(received.values_list("recipient_id", flat=True)) == sorted(
        [receiver.pk, colleague.pk]
    )
    assert sorted(m.to[0] for m in mailoutbox) == sorted([receiver.email, colleague.email])

    # the sender learns of the acceptance; a message goes to the one who accepted
    with django_capture_on_commit_callbacks(execute=True):
        request = contact_request_accept(actor=receiver, contact_request=request)
        message_create(actor=sender, contact_request=request, text="Wann passt es Ihnen?")
    assert list(
        Notification.objects.filter(event_type="contact_request.accepted").values_list(
            "recipient_id", flat=True
        )
    ) == [sender.pk]
    message = Notification.objects.get(event_type="message.received")
    assert message.recipient == receiver
    assert message.context["excerpt"] == "Wann passt es Ihnen?"
    assert Delivery.objects.filter(status="sent").count() == 4
