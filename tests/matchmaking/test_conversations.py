"""Conversations: only the two sides of an accepted request write and read messages."""

import pytest
from django.urls import reverse

from matchmaking.models import Message
from tests.factories import MembershipFactory
from tests.matchmaking.factories import ContactRequestFactory, MessageFactory

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def sender():
    return MembershipFactory().user


@pytest.fixture
def receiver():
    return MembershipFactory().user


@pytest.fixture
def accepted(sender, receiver):
    return ContactRequestFactory(
        sender=sender,
        sender_organisation=sender.memberships.get().organisation,
        receiver_organisation=receiver.memberships.get().organisation,
        status="accepted",
        answered_by=receiver,
    )


def messages_url(contact_request):
    return reverse("matchmaking:message_create", kwargs={"public_id": contact_request.public_id})


def detail_url(contact_request):
    return reverse(
        "matchmaking:contact_request_detail", kwargs={"public_id": contact_request.public_id}
    )


@pytest.mark.django_db
def test_both_sides_exchange_messages(client, sender, receiver, accepted):
    # when each side writes
    client.force_login(sender)
    assert client.post(messages_url(accepted), {"text": "Wann passt es Ihnen?"}).status_code == 302
    client.force_login(receiver)
    client.post(messages_url(accepted), {"text": "Dienstag um 10 Uhr."})
    # then both messages are in the conversation, oldest first
    html = client.get(detail_url(accepted)).content.decode()
    assert html.index("Wann passt es Ihnen?") < html.index("Dienstag um 10 Uhr.")
    assert list(Message.objects.values_list("author", flat=True)) == [sender.pk, receiver.pk]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "actor", ["anonymous", "stranger", "staff"], ids=["anonymous", "stranger", "staff"]
)
def test_outsiders_cannot_write(client, accepted, staff, actor):
    if actor == "stranger":
        client.force_login(MembershipFactory().user)
    elif actor == "staff":
        client.force_login(staff)
    response = client.post(messages_url(accepted), {"text": "Hallo"})
    assert response.status_code == (302 if actor == "anonymous" else 404)
    assert Message.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["open", "declined", "expired", "withdrawn"])
def test_no_messages_before_acceptance(client, sender, accepted, status):
    accepted.status = status
    accepted.save()
    client.force_login(sender)
    response = client.post(messages_url(accepted), {"text": "Hallo"})
    assert response.status_code == 400
    assert "once the contact request is accepted" in response.content.decode()
    assert Message.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "error"), [("  ", "This field is required."), ("x" * 5001, "At most 5,000")]
)
def test_empty_or_overlong_message_is_refused(client, sender, accepted, text, error):
    client.force_login(sender)
    response = client.post(messages_url(accepted), {"text": text})
    assert response.status_code == 400
    assert error in " ".join(response.context["message_form"].errors["text"])
    assert Message.objects.count() == 0


@pytest.mark.django_db
def test_conversation_page_query_count(client, sender, accepted, django_assert_num_queries):
    MessageFactory.create_batch(5, contact_request=accepted)
    client.force_login(sender)
    # session, user, member organisations, contact request (joined), messages (joined), block
    with django_assert_num_queries(6):
        response = client.get(detail_url(accepted))
    assert len(response.context["messages_list"]) == 5
    MessageFactory.create_batch(5, contact_request=accepted)
    with django_assert_num_queries(6):
        client.get(detail_url(accepted))
