"""Contact requests: sending from a match, an opportunity or an organisation page, the spam
limits, answering, who sees contact data when, blocks, abuse reports, the list's queries."""

import pytest
from django.urls import reverse

from matchmaking.models import AbuseReport, Block, ContactRequest, MatchFeedback
from matchmaking.services.contact_requests import contact_request_create
from spinportal.models import AuditRecord
from tests.factories import MembershipFactory, OrganisationFactory
from tests.matchmaking.factories import ContactRequestFactory, MatchFactory
from tests.matchmaking.factories_pages import login_as, opportunity_of, owner_of

pytestmark = pytest.mark.usefixtures("english")

# Endpoints whose permission matrix this module asserts (tests/security/coverage.py).
COVERS = [
    "matchmaking:contact_request_detail",
    "matchmaking:contact_request_list",
    "matchmaking:contact_request_create",
]


@pytest.fixture
def sender():
    """A partner of one organisation, with a phone number only shown after acceptance."""
    return MembershipFactory(
        user__phone="+49 231 111", user__show_email=False, user__show_phone=False
    ).user


@pytest.fixture
def receiver_organisation():
    return OrganisationFactory(name="Empfänger GmbH")


@pytest.fixture
def receiver(receiver_organisation):
    return MembershipFactory(
        organisation=receiver_organisation,
        user__phone="+49 201 222",
        user__show_email=False,
        user__show_phone=False,
    ).user


@pytest.fixture
def contact_request(sender, receiver, receiver_organisation):
    return ContactRequestFactory(
        sender=sender,
        sender_organisation=sender.memberships.get().organisation,
        receiver_organisation=receiver_organisation,
    )


@pytest.fixture
def users(sender, receiver, receiver_organisation, other_partner, staff):
    colleague = MembershipFactory(organisation=receiver_organisation).user
    return {
        "anonymous": None,
        "other_partner": other_partner,
        "receiver_colleague": colleague,
        "sender": sender,
        "receiver": receiver,
        "staff": staff,
    }


def url(name, contact_request=None):
    if contact_request is None:
        return reverse(f"matchmaking:{name}")
    return reverse(f"matchmaking:{name}", kwargs={"public_id": contact_request.public_id})


ACTORS = ["anonymous", "other_partner", "receiver_colleague", "sender", "receiver", "staff"]


def statuses(client, users, method, path, data=None, actors=ACTORS):
    result = []
    for actor in actors:
        login_as(client, users, actor)
        response = client.post(path, data or {}) if method == "post" else client.get(path)
        result.append(response.status_code)
    return result


# --- Permission matrix ------------------------------------------------------------------------


@pytest.mark.django_db
def test_detail_matrix(client, users, contact_request):
    # staff do not read partners' conversations in the portal (abuse reports reach the admin)
    assert statuses(client, users, "get", url("contact_request_detail", contact_request)) == [
        302,
        404,
        200,
        200,
        200,
        404,
    ]


@pytest.mark.django_db
def test_list_matrix(client, users, contact_request):
    assert statuses(client, users, "get", url("contact_request_list")) == [302] + [200] * 5


@pytest.mark.django_db
def test_accept_is_for_the_receiving_organisation_only(client, users, contact_request):
    path = url("contact_request_accept", contact_request)
    assert statuses(client, users, "post", path, actors=["anonymous", "other_partner"]) == [
        302,
        404,
    ]
    # the sender sees the request but may not accept it
    login_as(client, users, "sender")
    assert client.post(path).status_code == 403
    contact_request.refresh_from_db()
    assert contact_request.status == "open"
    assert AuditRecord.objects.count() == 0
    # any member of the receiving organisation may answer
    login_as(client, users, "receiver_colleague")
    client.post(path)
    contact_request.refresh_from_db()
    assert contact_request.status == "accepted"
    assert contact_request.answered_by == users["receiver_colleague"]


@pytest.mark.django_db
def test_decline_with_reason(client, users, contact_request):
    login_as(client, users, "receiver")
    client.post(url("contact_request_decline", contact_request), {"reason": "Kein Bedarf."})
    contact_request.refresh_from_db()
    assert (contact_request.status, contact_request.decline_reason) == ("declined", "Kein Bedarf.")
    login_as(client, users, "sender")
    assert (
        "Kein Bedarf."
        in client.get(url("contact_request_detail", contact_request)).content.decode()
    )


@pytest.mark.django_db
def test_answered_request_cannot_be_answered_again(client, users, contact_request):
    login_as(client, users, "receiver")
    client.post(url("contact_request_decline", contact_request))
    response = client.post(url("contact_request_accept", contact_request), follow=True)
    contact_request.refresh_from_db()
    assert contact_request.status == "declined"
    assert "no longer open" in response.content.decode()


@pytest.mark.django_db
def test_sender_withdraws(client, users, contact_request):
    path = url("contact_request_withdraw", contact_request)
    login_as(client, users, "receiver")
    client.post(path)
    contact_request.refresh_from_db()
    assert contact_request.status == "open"
    login_as(client, users, "sender")
    client.post(path)
    contact_request.refresh_from_db()
    assert contact_request.status == "withdrawn"


# --- Contact data -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_contact_data_only_after_acceptance_for_both_sides(client, users, contact_request):
    sender, receiver = users["sender"], users["receiver"]
    detail = url("contact_request_detail", contact_request)
    # given an open request: neither side sees the other's e-mail or phone
    login_as(client, users, "receiver")
    html = client.get(detail).content.decode()
    assert sender.email not in html
    assert sender.phone not in html
    login_as(client, users, "sender")
    assert receiver.phone not in client.get(detail).content.decode()
    # when the receiver accepts
    login_as(client, users, "receiver")
    client.post(url("contact_request_accept", contact_request))
    # then both see the other's e-mail and phone, although they chose not to show them
    html = client.get(detail).content.decode()
    assert sender.email in html
    assert sender.phone in html
    login_as(client, users, "sender")
    html = client.get(detail).content.decode()
    assert receiver.email in html
    assert receiver.phone in html


# --- Sending ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_send_from_an_opportunity_records_the_match_outcome(client, sender):
    # given a published request of another organisation that matched the sender's
    owner_organisation = OrganisationFactory()
    opportunity = opportunity_of(owner_of(owner_organisation), owner_organisation)
    sender_organisation = sender.memberships.get().organisation
    MatchFactory(opportunity=opportunity, target_organisation=sender_organisation)
    client.force_login(sender)
    # when the sender writes to it
    response = client.post(
        url("contact_request_create") + f"?opportunity={opportunity.public_id}",
        {"message": "Wir haben genau das im Angebot."},
    )
    # then a request goes to the owning organisation and the outcome becomes "contacted"
    contact_request = ContactRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("contact_request_detail", contact_request)
    assert contact_request.receiver_organisation == owner_organisation
    assert contact_request.sender_organisation == sender_organisation
    assert contact_request.opportunity == opportunity
    feedback = MatchFeedback.objects.get()
    assert (feedback.organisation, feedback.outcome) == (sender_organisation, "contacted")
    # and acceptance moves it on to "conversation"
    receiver = owner_of(owner_organisation)
    client.force_login(receiver)
    client.post(url("contact_request_accept", contact_request))
    feedback.refresh_from_db()
    assert feedback.outcome == "conversation"


@pytest.mark.django_db
def test_send_from_an_organisation_page(client, sender, receiver_organisation):
    client.force_login(sender)
    page = url("contact_request_create") + f"?organisation={receiver_organisation.slug}"
    assert client.get(page).status_code == 200
    client.post(page, {"message": "Hallo!"})
    assert ContactRequest.objects.get().opportunity is None


@pytest.mark.django_db
def test_create_page_matrix(client, users, receiver_organisation):
    page = url("contact_request_create") + f"?organisation={receiver_organisation.slug}"
    # a member of the receiving organisation gets the form, the service refuses on sending
    assert statuses(client, users, "get", page) == [302, 200, 200, 200, 200, 200]


@pytest.mark.django_db
def test_create_page_for_hidden_or_missing_opportunity_is_404(client, sender, organisation):
    hidden = opportunity_of(owner_of(organisation), organisation, status="draft")
    client.force_login(sender)
    for public_id in [hidden.public_id, "00000000-0000-0000-0000-000000000000"]:
        response = client.get(url("contact_request_create") + f"?opportunity={public_id}")
        assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("message", "error"),
    [("   ", "This field is required."), ("x" * 5001, "At most 5,000 characters")],
)
def test_bad_message_is_refused(client, sender, receiver_organisation, message, error):
    client.force_login(sender)
    response = client.post(
        url("contact_request_create") + f"?organisation={receiver_organisation.slug}",
        {"message": message},
    )
    assert response.status_code == 400
    assert error in " ".join(response.context["form"].errors["message"])
    assert ContactRequest.objects.count() == 0


@pytest.mark.django_db
def test_request_to_own_organisation_is_refused(client, sender):
    client.force_login(sender)
    own = sender.memberships.get().organisation
    response = client.post(
        url("contact_request_create") + f"?organisation={own.slug}", {"message": "Hallo"}
    )
    assert response.status_code == 400
    assert "your own organisation" in response.content.decode()
    assert ContactRequest.objects.count() == 0


@pytest.mark.django_db
def test_duplicate_open_request_is_refused(sender, receiver_organisation):
    contact_request_create(actor=sender, receiver_organisation=receiver_organisation, message="A")
    with pytest.raises(Exception, match="already exists"):
        contact_request_create(
            actor=sender, receiver_organisation=receiver_organisation, message="B"
        )
    assert ContactRequest.objects.count() == 1


@pytest.mark.django_db
def test_a_new_request_is_possible_once_the_old_one_is_answered(sender, receiver_organisation):
    first = contact_request_create(
        actor=sender, receiver_organisation=receiver_organisation, message="A"
    )
    ContactRequest.objects.filter(pk=first.pk).update(status="declined")
    contact_request_create(actor=sender, receiver_organisation=receiver_organisation, message="B")
    assert ContactRequest.objects.count() == 2


@pytest.mark.django_db
def test_at_most_twenty_open_requests_per_user(client, sender):
    # given 20 open requests of the sender
    for organisation in OrganisationFactory.create_batch(20):
        contact_request_create(actor=sender, receiver_organisation=organisation, message="Hi")
    # when they send the 21st
    client.force_login(sender)
    target = OrganisationFactory()
    response = client.post(
        url("contact_request_create") + f"?organisation={target.slug}", {"message": "Hi"}
    )
    # then it is refused and nothing is saved
    assert response.status_code == 400
    assert "20 open contact requests" in response.content.decode()
    assert ContactRequest.objects.count() == 20
    # and withdrawing one makes room again
    ContactRequest.objects.filter(pk=ContactRequest.objects.first().pk).update(status="withdrawn")
    client.post(url("contact_request_create") + f"?organisation={target.slug}", {"message": "Hi"})
    assert ContactRequest.objects.filter(receiver_organisation=target).count() == 1


# --- Blocks and abuse reports -----------------------------------------------------------------


@pytest.mark.django_db
def test_block_stops_new_requests_and_hides_old_ones(client, users, contact_request):
    sender_organisation = contact_request.sender_organisation
    # when the receiver blocks the sender's organisation
    login_as(client, users, "receiver")
    client.post(url("block_list"), {"organisation": sender_organisation.slug})
    assert Block.objects.get().blocked_organisation == sender_organisation
    # then the request disappears from the receiver's list
    assert list(client.get(url("contact_request_list")).context["page"].object_list) == []
    # and the sender's organisation can no longer write to them
    ContactRequest.objects.update(status="declined")
    login_as(client, users, "sender")
    response = client.post(
        url("contact_request_create")
        + f"?organisation={contact_request.receiver_organisation.slug}",
        {"message": "Noch einmal"},
    )
    assert response.status_code == 400
    assert "does not accept contact requests from you" in response.content.decode()
    assert ContactRequest.objects.count() == 1
    # when the block is lifted, the request is back
    login_as(client, users, "receiver")
    client.post(reverse("matchmaking:block_delete", kwargs={"pk": Block.objects.get().pk}))
    assert Block.objects.count() == 0


@pytest.mark.django_db
def test_abuse_report_by_a_participant(client, users, contact_request):
    path = url("abuse_report", contact_request)
    assert statuses(client, users, "post", path, {"reason": "Spam"}, ["other_partner"]) == [404]
    login_as(client, users, "receiver")
    client.post(path, {"reason": "Werbung, keine Kooperation."})
    report = AbuseReport.objects.get()
    assert (report.reporter, report.reason) == (users["receiver"], "Werbung, keine Kooperation.")


# --- List -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_list_directions(client, users, contact_request):
    ContactRequestFactory(
        sender=users["receiver"], sender_organisation=contact_request.receiver_organisation
    )
    login_as(client, users, "receiver")
    incoming = client.get(url("contact_request_list"), {"direction": "in"}).context["page"]
    outgoing = client.get(url("contact_request_list"), {"direction": "out"}).context["page"]
    assert [r.pk for r in incoming.object_list] == [contact_request.pk]
    assert len(outgoing.object_list) == 1
    assert outgoing.object_list[0].pk != contact_request.pk


@pytest.mark.django_db
def test_list_query_count(client, receiver, receiver_organisation, django_assert_num_queries):
    ContactRequestFactory.create_batch(5, receiver_organisation=receiver_organisation)
    client.force_login(receiver)
    # session, user, member organisations, count, rows (one join), open outgoing count
    with django_assert_num_queries(6):
        response = client.get(url("contact_request_list"))
    assert len(response.context["page"].object_list) == 5
    ContactRequestFactory.create_batch(5, receiver_organisation=receiver_organisation)
    with django_assert_num_queries(6):
        client.get(url("contact_request_list"))


@pytest.mark.django_db
def test_partner_without_active_organisation_is_told_why(client, receiver_organisation):
    # given a partner whose only organisation still waits for approval
    pending = MembershipFactory(organisation=OrganisationFactory(status="pending")).user
    client.force_login(pending)
    # when they try to send a request
    response = client.post(
        url("contact_request_create") + f"?organisation={receiver_organisation.slug}",
        {"message": "Hallo"},
    )
    # then it is refused with a visible reason
    assert response.status_code == 400
    assert "Choose the organisation you are writing for." in response.content.decode()
    assert ContactRequest.objects.count() == 0
