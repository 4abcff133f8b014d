"""The organisation directory: search (SQLite fallback), filters, facets, sorting, query counts."""

import pytest
from django.urls import reverse

from partners.models import Competence, Organisation, Sector
from partners.selectors.organisations import (
    OrganisationFilters,
    organisation_facets,
    organisation_list,
    organisation_search,
)
from tests.factories import MembershipFactory, OrganisationFactory
from tests.partners.factories_organisations import bulk_organisations

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def cluster(db):
    """Three active organisations, one pending one."""
    hydrogen = Competence.objects.get(slug="hydrogen")
    electrolysis = Competence.objects.get(slug="electrolysis")
    steel = Sector.objects.get(slug="steel")
    energy = Sector.objects.get(slug="energy-supply")
    stahl = OrganisationFactory(
        name="Ruhr Stahl AG",
        slug="ruhr-stahl",
        kind="large_enterprise",
        city="Duisburg",
        keywords="Hochofen, Direktreduktion",
    )
    stahl.sectors.set([steel])
    stahl.competences.set([electrolysis])
    werke = OrganisationFactory(
        name="Stadtwerke Bochum",
        slug="stadtwerke-bochum",
        kind="public_body",
        city="Bochum",
        description_de="Wir betreiben Wärmespeicher und Netze.",
    )
    werke.sectors.set([energy])
    labor = OrganisationFactory(
        name="Elektrolyse Labor", slug="elektrolyse-labor", kind="startup", city="Bochum"
    )
    labor.competences.set([hydrogen])
    OrganisationFactory(name="Wartende Elektrolyse GmbH", slug="wartend", status="pending")
    return {"stahl": stahl, "werke": werke, "labor": labor}


def names(queryset):
    return [organisation.name for organisation in queryset]


@pytest.mark.django_db
def test_anonymous_list_shows_active_organisations_by_name(cluster):
    assert names(organisation_list(visible_to=None)) == [
        "Elektrolyse Labor",
        "Ruhr Stahl AG",
        "Stadtwerke Bochum",
    ]


@pytest.mark.django_db
def test_admin_of_pending_organisation_sees_it_in_the_list(cluster, user):
    MembershipFactory(
        user=user, organisation=Organisation.objects.get(slug="wartend"), role="admin"
    )
    assert "Wartende Elektrolyse GmbH" in names(organisation_list(visible_to=user))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("stahl", ["Ruhr Stahl AG"]),  # name
        ("direktreduktion", ["Ruhr Stahl AG"]),  # keyword
        ("Wärmespeicher", ["Stadtwerke Bochum"]),  # description
        ("electrolysis", ["Ruhr Stahl AG"]),  # competence name (English)
        ("PEM", ["Ruhr Stahl AG"]),  # competence synonym
        ("wasserstoff", ["Elektrolyse Labor"]),  # competence name (German)
        ("elektrolyse", ["Elektrolyse Labor", "Ruhr Stahl AG"]),  # name ranks above competence
        ("ruhr stahl", ["Ruhr Stahl AG"]),  # all words must match
        ("stahl bochum", []),
        ("   ", ["Elektrolyse Labor", "Ruhr Stahl AG", "Stadtwerke Bochum"]),
    ],
)
def test_search_fallback(cluster, query, expected):
    assert names(organisation_list(visible_to=None, search=query)) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"kind": "startup"}, ["Elektrolyse Labor"]),
        ({"city": "bochum"}, ["Elektrolyse Labor", "Stadtwerke Bochum"]),
        ({"sector": "steel"}, ["Ruhr Stahl AG"]),
        ({"competence": "electrolysis"}, ["Ruhr Stahl AG"]),
        # a broader concept includes its narrower ones
        ({"competence": "hydrogen"}, ["Elektrolyse Labor", "Ruhr Stahl AG"]),
        ({"competence": "hydrogen", "city": "Duisburg"}, ["Ruhr Stahl AG"]),
        ({"competence": "no-such-thing"}, []),
    ],
)
def test_filters(cluster, filters, expected):
    result = organisation_list(visible_to=None, filters=OrganisationFilters(**filters))
    assert names(result) == expected


@pytest.mark.django_db
def test_sorting(cluster):
    assert names(organisation_list(visible_to=None, sort="-name"))[0] == "Stadtwerke Bochum"
    assert names(organisation_list(visible_to=None, sort="city")) == [
        "Elektrolyse Labor",
        "Stadtwerke Bochum",
        "Ruhr Stahl AG",
    ]


@pytest.mark.django_db
def test_facets_count_matches_of_the_other_filters(cluster):
    facets = organisation_facets(visible_to=None, filters=OrganisationFilters(city="Bochum"))
    # the city facet ignores the chosen city, the others count the Bochum organisations only
    assert [(row["value"], row["count"]) for row in facets["city"]] == [
        ("Bochum", 2),
        ("Duisburg", 1),
    ]
    assert [(row["value"], row["count"]) for row in facets["kind"]] == [
        ("public_body", 1),
        ("startup", 1),
    ]
    assert [(row["value"], row["count"]) for row in facets["sector"]] == [("energy-supply", 1)]
    assert [(row["value"], row["count"]) for row in facets["competence"]] == [("hydrogen", 1)]


@pytest.mark.django_db
def test_search_found_once_serves_list_and_facets(cluster, django_assert_num_queries):
    # given the matches of a search, found in one query
    with django_assert_num_queries(1):
        matches = organisation_search(visible_to=None, search="elektrolyse")
    # then list and facets give what they give for the text, without searching again
    with django_assert_num_queries(4):  # page, 2 prefetches, the facets (one UNION ALL)
        found = names(organisation_list(visible_to=None, search=matches))
        facets = organisation_facets(visible_to=None, search=matches)
    assert found == names(organisation_list(visible_to=None, search="elektrolyse"))
    assert found == ["Elektrolyse Labor", "Ruhr Stahl AG"]
    assert facets == organisation_facets(visible_to=None, search="elektrolyse")
    assert [(row["value"], row["count"]) for row in facets["kind"]] == [
        ("large_enterprise", 1),
        ("startup", 1),
    ]
    assert [(row["value"], row["count"]) for row in facets["city"]] == [
        ("Bochum", 1),
        ("Duisburg", 1),
    ]


@pytest.mark.django_db
def test_directory_page_filters_and_shows_counts(client, cluster):
    response = client.get(reverse("organisations:directory"), {"q": "elektrolyse"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "2 organisations" in html
    assert "Elektrolyse Labor" in html
    assert "Wartende" not in html
    assert '<option value="startup">Start-up (1)</option>' in html


@pytest.mark.django_db
def test_directory_htmx_request_gets_the_results_only(client, cluster):
    response = client.get(
        reverse("organisations:directory"), {"kind": "startup"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert "<html" not in html
    assert "1 organisation" in html


@pytest.mark.django_db
def test_directory_paginates(client, db):
    bulk_organisations(45)
    response = client.get(reverse("organisations:directory"), {"page": 3})
    page = response.context["page"]
    assert (page.number, len(page.object_list), page.paginator.count) == (3, 5, 45)
    assert client.get(reverse("organisations:directory"), {"page": "x"}).status_code == 200


# Anonymous: page, 2 prefetches, the 4 facets (one UNION ALL; the count is read off the kind
# facet). A partner adds session, user, admin ids.
DIRECTORY_QUERIES = {"anonymous": 4, "partner": 7}
# A search adds the one query that finds its matches (page and facets reuse them).
SEARCH_QUERIES = 1
# While the directory is unchanged, the search's matches and the facets come from the cache.
CACHED_QUERIES = 1


@pytest.mark.django_db
@pytest.mark.parametrize("count", [10, 1000])
@pytest.mark.parametrize("who", ["anonymous", "partner"])
@pytest.mark.parametrize("search", ["", "bulk"])
def test_directory_query_count_is_constant(
    client, django_assert_num_queries, other_partner, count, who, search
):
    bulk_organisations(count)
    if who == "partner":
        client.force_login(other_partner)
    expected = DIRECTORY_QUERIES[who] + (SEARCH_QUERIES if search else 0)
    with django_assert_num_queries(expected):
        response = client.get(reverse("organisations:directory"), {"q": search, "page": 1})
    assert response.status_code == 200
    # other_partner's own (active) organisation is listed too, but does not match "bulk"
    assert response.context["page"].paginator.count == (count if search else count + 1)
    # then the same page again: page and prefetches only (and a partner's session, user, ids)
    with django_assert_num_queries(DIRECTORY_QUERIES[who] - CACHED_QUERIES):
        again = client.get(reverse("organisations:directory"), {"q": search, "page": 1})
    assert again.context["page"].paginator.count == response.context["page"].paginator.count
    assert [o.pk for o in again.context["page"]] == [o.pk for o in response.context["page"]]


@pytest.mark.django_db
@pytest.mark.parametrize("count", [10, 1000])
def test_detail_query_count_is_constant(
    client, django_assert_num_queries, organisation, org_member, count
):
    # given an organisation with members, sub-units and competences
    bulk_organisations(count, parent=organisation)
    for _ in range(3):
        MembershipFactory(organisation=organisation)
    organisation.competences.set(Competence.objects.all()[:5])
    client.force_login(org_member)
    # then: session, user, organisation, 2 prefetches, memberships, members, units, projects,
    # and the one query that decides which projects the viewer may see (consortium and team)
    with django_assert_num_queries(10):
        response = client.get(reverse("organisations:detail", kwargs={"slug": organisation.slug}))
    assert response.status_code == 200


@pytest.mark.django_db
def test_directory_pages_link_to_each_other_keeping_the_filters(client):
    # given more organisations than fit on a page (20)
    bulk_organisations(25)
    url = reverse("organisations:directory")
    # when the first page is shown, filtered
    first = client.get(url, {"kind": "sme"}).content.decode()
    # then it links to the next page only, with the filter kept (includes/pagination.html)
    assert "Page 1 of 2" in first
    assert 'href="?kind=sme&amp;page=2" rel="next"' in first
    assert 'rel="prev"' not in first
    second = client.get(url, {"kind": "sme", "page": 2}).content.decode()
    assert "Page 2 of 2" in second
    assert 'href="?kind=sme&amp;page=1" rel="prev"' in second
    assert 'rel="next"' not in second


@pytest.mark.django_db
def test_cached_search_and_facets_follow_every_change(client, cluster):
    # given a search and its facets, cached by the first request
    first = client.get(reverse("organisations:directory"), {"q": "elektrolyse"})
    assert names(first.context["page"]) == ["Elektrolyse Labor", "Ruhr Stahl AG"]
    # when a new organisation matches and another loses the competence it matched through
    OrganisationFactory(name="Elektrolyse Nord", city="Herne")
    cluster["stahl"].competences.set([])
    # then the next request sees both changes, in the list, the count and the facets
    again = client.get(reverse("organisations:directory"), {"q": "elektrolyse"})
    assert names(again.context["page"]) == ["Elektrolyse Labor", "Elektrolyse Nord"]
    assert again.context["page"].paginator.count == 2
    assert dict(again.context["form"].fields["city"].choices)["Herne"] == "Herne (1)"
