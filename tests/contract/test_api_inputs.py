"""Query parameters mean what the schema says: a page size or filter the API cannot read is a
400 naming it, not a default or a filter silently dropped; a partial update may leave out what
it does not change."""

import pytest

from tests.factories import MembershipFactory, OrganisationFactory
from tests.matchmaking.factories import OpportunityFactory

pytestmark = pytest.mark.django_db

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.mark.parametrize("page_size", ["abc", "0", "-5", "1.5", "null", "²"])
def test_a_page_size_that_is_no_positive_whole_number_is_refused(api_client, page_size):
    response = api_client.get(f"/api/v1/organisations/?page_size={page_size}", **ENGLISH)
    assert response.status_code == 400
    assert response.json()["errors"] == {"page_size": ["A positive whole number is expected."]}


def test_a_page_size_above_the_maximum_is_cut_to_it(api_client):
    OrganisationFactory.create_batch(3)
    response = api_client.get("/api/v1/organisations/?page_size=5000")
    assert response.status_code == 200
    assert len(response.json()["results"]) == 3


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/api/v1/opportunities/?status=AAA", "status"),
        ("/api/v1/opportunities/?kind=offers", "kind"),
        ("/api/v1/opportunities/?mine=maybe", "mine"),
        ("/api/v1/contact-requests/?status=AAA", "status"),
        ("/api/v1/contact-requests/?direction=sideways", "direction"),
    ],
)
def test_an_unknown_filter_value_is_refused(api_client, org_member, url, parameter):
    api_client.force_authenticate(org_member)
    response = api_client.get(url, **ENGLISH)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [parameter]


def test_mine_false_lists_everyone_s_opportunities(api_client, organisation, org_member):
    # "false" was read as a filter switched on: a non-empty string
    own = OpportunityFactory(organisation=organisation, created_by=org_member)
    other = OpportunityFactory()
    api_client.force_authenticate(org_member)

    def ids(query):
        response = api_client.get(f"/api/v1/opportunities/?{query}")
        assert response.status_code == 200
        return {item["id"] for item in response.json()["results"]}

    assert ids("mine=false") == ids("") == {str(own.public_id), str(other.public_id)}
    assert ids("mine=true") == {str(own.public_id)}


def test_a_partial_update_of_a_preference_may_leave_out_the_frequency(api_client, user):
    api_client.force_authenticate(user)
    url = "/api/v1/notification-preferences/contact_request.received/"
    before = api_client.get(url).json()
    response = api_client.patch(url, {}, format="json")
    assert response.status_code == 200
    assert response.json() == before


def test_an_empty_filter_is_no_filter(api_client, org_member):
    MembershipFactory(user=org_member)
    api_client.force_authenticate(org_member)
    for url in ("/api/v1/opportunities/?status=&kind=&q=", "/api/v1/contact-requests/?status="):
        assert api_client.get(url).status_code == 200
