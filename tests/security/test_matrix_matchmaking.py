"""Permission matrices of the matchmaking endpoints that had none: publishing and unpublishing,
restoring and rating matches, revealing a forwarded requester, answering and withdrawing contact
requests, messages, abuse reports, blocks, and the API's create, decline and withdraw.

The opportunity and the contact request's receiving side belong to organisation A (its member
created the opportunity, so "member" is the owner; "admin" manages it as organisation admin);
the contact request comes from B's member; "other" is B's admin, who takes no part in it."""

import pytest
from django.urls import reverse

from matchmaking.models import Block, ContactRequest, Forwarding, MatchFeedback
from tests.factories import MembershipFactory
from tests.matchmaking.factories import ContactRequestFactory, MatchFactory, OpportunityFactory
from tests.security.coverage import api_statuses, cast, changed_tables, db_state, page_statuses

__all__ = ["cast"]

COVERS = [
    "matchmaking:opportunity_publish",
    "matchmaking:opportunity_unpublish",
    "matchmaking:match_restore",
    "matchmaking:match_outcome",
    "matchmaking:forwarding_reveal",
    "matchmaking:matches_for_you",
    "matchmaking:contact_request_accept",
    "matchmaking:contact_request_decline",
    "matchmaking:contact_request_withdraw",
    "matchmaking:message_create",
    "matchmaking:abuse_report",
    "matchmaking:block_list",
    "matchmaking:block_delete",
    "v1_contact_requests_create",
    "v1_contact_requests_decline_create",
    "v1_contact_requests_withdraw_create",
]

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(cast):
    third = MembershipFactory(role="admin").user
    opportunity = OpportunityFactory(
        organisation=cast["org_a"], created_by=cast["member"], title="Elektrolyse"
    )
    contact_request = ContactRequestFactory(
        sender=cast["other_member"],
        sender_organisation=cast["org_b"],
        receiver_organisation=cast["org_a"],
    )
    return {**cast, "third": third, "opportunity": opportunity, "request": contact_request}


def opportunity_url(name, world, **kwargs):
    return reverse(
        f"matchmaking:{name}", kwargs={"public_id": world["opportunity"].public_id, **kwargs}
    )


def request_url(name, world):
    return reverse(f"matchmaking:{name}", kwargs={"public_id": world["request"].public_id})


def test_own_lists_need_a_login(client, world):
    for name in ("matchmaking:matches_for_you", "matchmaking:block_list"):
        assert page_statuses(client, world, "get", reverse(name)) == [302, 200, 200, 200, 200]


@pytest.mark.parametrize("name", ["opportunity_publish", "opportunity_unpublish"])
def test_status_changes_are_for_the_owner_side(client, world, name):
    url = opportunity_url(name, world)
    before = db_state()
    assert page_statuses(client, world, "post", url, kinds=("anonymous", "other", "third")) == [
        302,
        403,
        403,
    ]
    assert changed_tables(before, db_state()) == []
    assert page_statuses(client, world, "post", url, kinds=("admin",)) == [302]


@pytest.mark.parametrize(
    ("name", "data"), [("match_restore", {}), ("match_outcome", {"outcome": "meeting"})]
)
def test_match_feedback_matrix(client, world, name, data):
    match = MatchFactory(opportunity=world["opportunity"])
    url = opportunity_url(name, world, slug=match.target_organisation.slug)
    before = db_state()
    assert page_statuses(client, world, "post", url, data, kinds=("anonymous", "other")) == [
        302,
        403,
    ]
    assert changed_tables(before, db_state()) == []
    assert page_statuses(client, world, "post", url, data, kinds=("member",)) == [302]
    assert MatchFeedback.objects.count() == 1


def test_forwarding_reveal_matrix(client, world):
    opportunity = world["opportunity"]
    opportunity.visibility = "office"
    opportunity.save(update_fields=["visibility"])
    forwarding = Forwarding.objects.create(
        opportunity=opportunity, organisation=world["org_b"], forwarded_by=world["staff"]
    )
    url = opportunity_url("forwarding_reveal", world, pk=forwarding.pk)
    before = db_state()
    # B got the opportunity forwarded and sees it, but may not reveal the requester
    assert page_statuses(client, world, "post", url, kinds=("anonymous", "other", "third")) == [
        302,
        403,
        404,
    ]
    assert changed_tables(before, db_state()) == []
    # the owner (and staff, who manage every opportunity) may
    assert page_statuses(client, world, "post", url, kinds=("member", "staff")) == [302, 302]
    forwarding.refresh_from_db()
    assert forwarding.is_identity_revealed is True


@pytest.mark.parametrize(
    ("name", "data", "allowed", "status"),
    [
        ("contact_request_accept", {}, "admin", "accepted"),
        ("contact_request_decline", {"reason": "No"}, "member", "declined"),
        ("contact_request_withdraw", {}, "other_member", "withdrawn"),
    ],
)
def test_answering_a_contact_request(client, world, name, data, allowed, status):
    url = request_url(name, world)
    before = db_state()
    # outsiders and staff do not see it; B's admin neither (only the sender takes part)
    assert page_statuses(client, world, "post", url, data, kinds=("anonymous", "third")) == [
        302,
        404,
    ]
    assert page_statuses(client, world, "post", url, data, kinds=("other", "staff")) == [404, 404]
    assert changed_tables(before, db_state()) == []
    assert page_statuses(client, world, "post", url, data, kinds=(allowed,)) == [302]
    world["request"].refresh_from_db()
    assert world["request"].status == status


def test_messages_and_abuse_reports_only_from_the_two_sides(client, world):
    ContactRequest.objects.filter(pk=world["request"].pk).update(status="accepted")
    before = db_state()
    for name, data in (("message_create", {"text": "Hallo"}), ("abuse_report", {"reason": "X"})):
        url = request_url(name, world)
        assert page_statuses(
            client, world, "post", url, data, kinds=("anonymous", "third", "other", "staff")
        ) == [302, 404, 404, 404], name
    assert changed_tables(before, db_state()) == []
    url = request_url("message_create", world)
    assert page_statuses(client, world, "post", url, {"text": "Hallo"}, kinds=("member",)) == [302]


def test_block_delete_only_ones_own(client, world):
    block = Block.objects.create(user=world["member"], blocked_organisation=world["org_b"])
    url = reverse("matchmaking:block_delete", kwargs={"pk": block.pk})
    before = db_state()
    assert page_statuses(
        client, world, "post", url, kinds=("anonymous", "other", "admin", "staff")
    ) == [
        302,
        404,
        404,
        404,
    ]
    assert changed_tables(before, db_state()) == []
    assert page_statuses(client, world, "post", url, kinds=("member",)) == [302]
    assert Block.objects.count() == 0


def test_api_create_matrix(api_client, world):
    data = {"receiver_organisation": "alpha", "message": "Guten Tag"}
    before = db_state()
    # anonymous is refused, staff belong to no organisation
    assert api_statuses(
        api_client, world, "post", "/api/v1/contact-requests/", data, ("anonymous", "staff")
    ) == [401, 400]
    assert changed_tables(before, db_state()) == []
    assert api_statuses(
        api_client, world, "post", "/api/v1/contact-requests/", data, ("third",)
    ) == [201]


@pytest.mark.parametrize(
    ("suffix", "allowed", "denied_by_role"),
    [("decline/", "member", "other_member"), ("withdraw/", "other_member", "admin")],
)
def test_api_decline_and_withdraw_matrix(api_client, world, suffix, allowed, denied_by_role):
    url = f"/api/v1/contact-requests/{world['request'].public_id}/{suffix}"
    before = db_state()
    assert api_statuses(
        api_client, world, "post", url, {}, ("anonymous", "third", "other", "staff", denied_by_role)
    ) == [401, 404, 404, 404, 403]
    assert changed_tables(before, db_state()) == []
    assert api_statuses(api_client, world, "post", url, {}, (allowed,)) == [200]
