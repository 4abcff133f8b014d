"""/api/v1/contact-requests/ with accept/decline/withdraw and the conversation's messages:
permission matrix, bad input, hidden opportunities, contact data, query counts."""

import pytest

from matchmaking.models import ContactRequest, Message
from spinportal.models import AuditRecord
from tests.factories import MembershipFactory, OrganisationFactory
from tests.matchmaking.factories import ContactRequestFactory, MessageFactory
from tests.matchmaking.factories_pages import opportunity_of, owner_of

pytestmark = pytest.mark.usefixtures("english")

# Endpoints whose permission matrix this module asserts (tests/security/coverage.py).
COVERS = [
    "v1_contact_requests_list",
    "v1_contact_requests_retrieve",
    "v1_contact_requests_accept_create",
    "v1_contact_requests_messages_list",
    "v1_contact_requests_messages_create",
]

LIST = "/api/v1/contact-requests/"
ACTORS = ["anonymous", "other_partner", "receiver_colleague", "sender", "receiver", "staff"]


@pytest.fixture
def sender():
    return MembershipFactory(user__phone="+49 231 1", user__show_email=False).user


@pytest.fixture
def receiver_organisation():
    return OrganisationFactory()


@pytest.fixture
def receiver(receiver_organisation):
    return MembershipFactory(organisation=receiver_organisation, user__phone="+49 201 2").user


@pytest.fixture
def contact_request(sender, receiver_organisation, receiver):
    return ContactRequestFactory(
        sender=sender,
        sender_organisation=sender.memberships.get().organisation,
        receiver_organisation=receiver_organisation,
    )


@pytest.fixture
def users(sender, receiver, receiver_organisation, other_partner, staff):
    return {
        "anonymous": None,
        "other_partner": other_partner,
        "receiver_colleague": MembershipFactory(organisation=receiver_organisation).user,
        "sender": sender,
        "receiver": receiver,
        "staff": staff,
    }


def fresh(user):
    return type(user).objects.get(pk=user.pk)


def statuses(api_client, users, method, url, data=None, actors=ACTORS):
    result = []
    for actor in actors:
        api_client.force_authenticate(users[actor] and fresh(users[actor]))
        response = getattr(api_client, method)(url, data or {}, format="json")
        result.append(response.status_code)
    return result


def item(contact_request, suffix=""):
    return f"{LIST}{contact_request.public_id}/{suffix}"


@pytest.mark.django_db
def test_read_matrix(api_client, users, contact_request):
    assert statuses(api_client, users, "get", LIST) == [401, 200, 200, 200, 200, 200]
    assert statuses(api_client, users, "get", item(contact_request)) == [
        401,
        404,
        200,
        200,
        200,
        404,
    ]


@pytest.mark.django_db
def test_accept_matrix_and_no_change_on_denial(api_client, users, contact_request):
    url = item(contact_request, "accept/")
    assert statuses(api_client, users, "post", url, actors=ACTORS[:2] + ["sender", "staff"]) == [
        401,
        404,
        403,
        404,
    ]
    contact_request.refresh_from_db()
    assert contact_request.status == "open"
    assert AuditRecord.objects.count() == 0
    assert statuses(api_client, users, "post", url, actors=["receiver"]) == [200]
    # a second answer is refused
    assert statuses(api_client, users, "post", url, actors=["receiver_colleague"]) == [400]


@pytest.mark.django_db
def test_decline_with_reason(api_client, receiver, contact_request):
    api_client.force_authenticate(receiver)
    response = api_client.post(
        item(contact_request, "decline/"), {"reason": "Kein Bedarf."}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "declined"
    assert response.json()["decline_reason"] == "Kein Bedarf."


@pytest.mark.django_db
def test_withdraw_by_sender_only(api_client, users, contact_request):
    url = item(contact_request, "withdraw/")
    assert statuses(api_client, users, "post", url, actors=["receiver", "sender"]) == [403, 200]
    contact_request.refresh_from_db()
    assert contact_request.status == "withdrawn"


@pytest.mark.django_db
def test_contact_data_appear_after_acceptance(api_client, sender, receiver, contact_request):
    # given an open request: the sender's e-mail and phone are hidden from the receiver
    api_client.force_authenticate(receiver)
    body = api_client.get(item(contact_request)).json()
    assert body["sender"] == {"name": sender.display_name, "email": None, "phone": None}
    assert body["direction"] == "in"
    # when the receiver accepts
    body = api_client.post(item(contact_request, "accept/")).json()
    # then both sides see each other's contact data
    assert body["sender"] == {
        "name": sender.display_name,
        "email": sender.email,
        "phone": "+49 231 1",
    }
    api_client.force_authenticate(sender)
    body = api_client.get(item(contact_request)).json()
    assert body["direction"] == "out"
    assert body["answered_by"] == {
        "name": receiver.display_name,
        "email": receiver.email,
        "phone": "+49 201 2",
    }


@pytest.mark.django_db
def test_create(api_client, sender, receiver_organisation):
    api_client.force_authenticate(sender)
    response = api_client.post(
        LIST,
        {"receiver_organisation": receiver_organisation.slug, "message": "Guten Tag"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["status"] == "open"
    assert ContactRequest.objects.get().sender == sender


@pytest.mark.django_db
def test_create_about_a_hidden_opportunity_leaks_nothing(api_client, sender, organisation):
    # given a draft of another organisation and an id that does not exist
    draft = opportunity_of(owner_of(organisation), organisation, status="draft")
    api_client.force_authenticate(sender)

    def attempt(opportunity_id):
        return api_client.post(
            LIST,
            {
                "receiver_organisation": organisation.slug,
                "opportunity": str(opportunity_id),
                "message": "Hallo",
            },
            format="json",
        )

    hidden = attempt(draft.public_id)
    missing = attempt("00000000-0000-0000-0000-000000000000")
    # then both answers are identical
    assert hidden.status_code == missing.status_code == 400
    assert hidden.json() == missing.json()
    assert hidden.json()["errors"] == {"opportunity": ["No such opportunity."]}
    assert ContactRequest.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"message": ""}, "message", "This field may not be blank."),
        ({"message": "x" * 5001}, "message", "no more than 5000 characters"),
        ({"receiver_organisation": "gibt-es-nicht"}, "receiver_organisation", "No such"),
        ({"receiver_organisation": "OWN"}, "receiver_organisation", "your own organisation"),
    ],
)
def test_bad_input_is_refused(api_client, sender, receiver_organisation, data, field, message):
    own = sender.memberships.get().organisation
    body = {"receiver_organisation": receiver_organisation.slug, "message": "Hallo", **data}
    if body["receiver_organisation"] == "OWN":
        body["receiver_organisation"] = own.slug
    api_client.force_authenticate(sender)
    response = api_client.post(LIST, body, format="json")
    assert response.status_code == 400
    assert message in " ".join(response.json()["errors"][field])
    assert ContactRequest.objects.count() == 0


@pytest.mark.django_db
def test_duplicate_and_over_limit_are_refused(api_client, sender, receiver_organisation):
    api_client.force_authenticate(sender)
    data = {"receiver_organisation": receiver_organisation.slug, "message": "Hallo"}
    assert api_client.post(LIST, data, format="json").status_code == 201
    duplicate = api_client.post(LIST, data, format="json")
    assert duplicate.status_code == 400
    assert "already exists" in duplicate.json()["errors"]["non_field_errors"][0]
    for organisation in OrganisationFactory.create_batch(19):
        data = {"receiver_organisation": organisation.slug, "message": "Hallo"}
        assert api_client.post(LIST, data, format="json").status_code == 201
    data = {"receiver_organisation": OrganisationFactory().slug, "message": "Hallo"}
    over = api_client.post(LIST, data, format="json")
    assert over.status_code == 400
    assert "20 open contact requests" in over.json()["errors"]["non_field_errors"][0]
    assert ContactRequest.objects.count() == 20


# --- Messages ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_messages_matrix(api_client, users, contact_request):
    ContactRequest.objects.filter(pk=contact_request.pk).update(status="accepted")
    url = item(contact_request, "messages/")
    assert statuses(api_client, users, "get", url) == [401, 404, 200, 200, 200, 404]
    assert statuses(api_client, users, "post", url, {"text": "Hallo"}) == [
        401,
        404,
        201,
        201,
        201,
        404,
    ]
    assert Message.objects.count() == 3


@pytest.mark.django_db
def test_messages_before_acceptance_are_refused(api_client, sender, contact_request):
    api_client.force_authenticate(sender)
    response = api_client.post(item(contact_request, "messages/"), {"text": "Hallo"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "text": ["The conversation opens once the contact request is accepted."]
    }
    assert Message.objects.count() == 0


@pytest.mark.django_db
def test_read_token_cannot_accept(api_client, receiver, contact_request):
    from accounts.services import api_token_create

    _token, key = api_token_create(user=receiver, name="lesen", scope="read")
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api_client.post(item(contact_request, "accept/")).status_code == 403
    contact_request.refresh_from_db()
    assert contact_request.status == "open"


# --- Query counts -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_list_query_count(api_client, receiver, receiver_organisation, django_assert_num_queries):
    ContactRequestFactory.create_batch(5, receiver_organisation=receiver_organisation)
    # memberships, count, rows (sender, organisations, opportunity and answerer joined)
    api_client.force_authenticate(fresh(receiver))
    with django_assert_num_queries(3):
        assert api_client.get(LIST).json()["count"] == 5
    ContactRequestFactory.create_batch(5, receiver_organisation=receiver_organisation)
    api_client.force_authenticate(fresh(receiver))
    with django_assert_num_queries(3):
        assert api_client.get(LIST).json()["count"] == 10


@pytest.mark.django_db
def test_messages_query_count(api_client, sender, contact_request, django_assert_num_queries):
    ContactRequest.objects.filter(pk=contact_request.pk).update(status="accepted")
    MessageFactory.create_batch(5, contact_request=contact_request)
    # memberships, contact request, messages (authors joined)
    api_client.force_authenticate(fresh(sender))
    with django_assert_num_queries(3):
        assert len(api_client.get(item(contact_request, "messages/")).json()) == 5
