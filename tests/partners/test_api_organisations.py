"""/api/v1/organisations/ and /api/v1/competences/."""

import pytest
from rest_framework.renderers import JSONRenderer

from accounts.services import api_token_create
from partners.api.organisations import LIST_VALUES, OrganisationSerializer, organisation_rows
from partners.models import Competence, Organisation, Sector
from partners.selectors.organisations import organisation_list
from spinportal.models import AuditRecord
from tests.factories import OrganisationFactory
from tests.partners.factories_organisations import bulk_organisations

pytestmark = pytest.mark.usefixtures("english")

# Endpoints whose permission matrix this module asserts (tests/security/coverage.py).
COVERS = [
    "v1_organisations_list",
    "v1_organisations_retrieve",
    "v1_organisations_partial_update",
]

LIST = "/api/v1/organisations/"
ACTORS = ["anonymous", "other_partner", "member", "admin", "staff"]


@pytest.fixture
def as_actor(api_client, org_admin, org_member, other_partner, staff):
    users = {
        "anonymous": None,
        "other_partner": other_partner,
        "member": org_member,
        "admin": org_admin,
        "staff": staff,
    }

    def login(actor):
        api_client.force_authenticate(users[actor])
        return api_client

    return login


@pytest.mark.django_db
def test_list_and_retrieve_matrix_for_active_organisation(as_actor, organisation):
    for lookup in (organisation.slug, str(organisation.public_id)):
        codes = [as_actor(a).get(f"{LIST}{lookup}/").status_code for a in ACTORS]
        assert codes == [200] * 5
    assert [as_actor(a).get(LIST).status_code for a in ACTORS] == [200] * 5


@pytest.mark.django_db
def test_pending_organisation_matrix(as_actor, organisation):
    Organisation.objects.filter(pk=organisation.pk).update(status="pending")
    codes = [as_actor(a).get(f"{LIST}{organisation.slug}/").status_code for a in ACTORS]
    assert codes == [404, 404, 404, 200, 200]
    counts = [as_actor(a).get(LIST).json()["count"] for a in ACTORS]
    # other_partner's own organisation is active: one more row for everyone
    assert counts == [1, 1, 1, 2, 2]


@pytest.mark.django_db
def test_patch_matrix_and_no_change_on_denial(as_actor, organisation):
    url = f"{LIST}{organisation.slug}/"
    codes = [as_actor(a).patch(url, {"city": "Hagen"}).status_code for a in ACTORS[:3]]
    assert codes == [401, 403, 403]
    organisation.refresh_from_db()
    assert organisation.city == "Dortmund"
    assert AuditRecord.objects.count() == 0
    assert as_actor("admin").patch(url, {"city": "Hagen"}).status_code == 200
    assert as_actor("staff").patch(url, {"city": "Essen"}).status_code == 200
    organisation.refresh_from_db()
    assert organisation.city == "Essen"
    assert list(AuditRecord.objects.values_list("action", flat=True)) == [
        "organisation.updated",
        "organisation.updated",
    ]


@pytest.mark.django_db
def test_patch_updates_lists_and_returns_detail(api_client, organisation, org_admin):
    api_client.force_authenticate(org_admin)
    response = api_client.patch(
        f"{LIST}{organisation.public_id}/",
        {"competences": ["electrolysis", "fuel-cells"], "sectors": ["steel"], "name": "Neu AG"},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Neu AG"
    assert body["competences"] == ["electrolysis", "fuel-cells"]
    assert body["sectors"] == ["steel"]
    record = AuditRecord.objects.get()
    assert record.data["fields"] == ["name", "sectors", "competences"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": ""}, "name"),
        ({"postcode": "12"}, "postcode"),
        ({"website": "ftp:/x"}, "website"),
        ({"email": "a@"}, "email"),
        ({"competences": ["no-such-competence"]}, "competences"),
        ({"kind": "alien"}, "kind"),
        ({"latitude": "123.0"}, "latitude"),
        ({"parent": "no-such-org"}, "parent"),
    ],
)
def test_patch_errors_name_the_field(api_client, organisation, org_admin, payload, field):
    api_client.force_authenticate(org_admin)
    response = api_client.patch(f"{LIST}{organisation.slug}/", payload, format="json")
    assert response.status_code == 400
    body = response.json()
    assert (body["status"], body["code"], list(body["errors"])) == (400, "invalid", [field])
    assert AuditRecord.objects.count() == 0
    assert Organisation.objects.get(pk=organisation.pk).name == organisation.name


@pytest.mark.django_db
def test_patch_duplicate_and_similar_names(api_client, organisation, org_admin):
    OrganisationFactory(name="Emschergenossenschaft e.V.")
    api_client.force_authenticate(org_admin)
    url = f"{LIST}{organisation.slug}/"
    duplicate = api_client.patch(url, {"name": "EMSCHERGENOSSENSCHAFT E.V."}, format="json")
    assert duplicate.status_code == 400
    assert "already registered" in duplicate.json()["errors"]["name"][0]
    similar = api_client.patch(url, {"name": "Emschergenossenschaft GmbH"}, format="json")
    assert similar.status_code == 400
    assert "“Emschergenossenschaft e.V.”" in similar.json()["errors"]["name"][0]
    confirmed = api_client.patch(
        url, {"name": "Emschergenossenschaft GmbH", "confirm_similar_name": True}, format="json"
    )
    assert confirmed.status_code == 200


@pytest.mark.django_db
def test_read_token_cannot_patch(api_client, organisation, org_admin):
    _token, key = api_token_create(user=org_admin, name="ro", scope="read")
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api_client.get(f"{LIST}{organisation.slug}/").status_code == 200
    response = api_client.patch(f"{LIST}{organisation.slug}/", {"city": "Hagen"}, format="json")
    assert response.status_code == 403
    assert Organisation.objects.get(pk=organisation.pk).city == "Dortmund"


@pytest.mark.django_db
def test_write_token_can_patch(api_client, organisation, org_admin):
    _token, key = api_token_create(user=org_admin, name="rw", scope="write")
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    response = api_client.patch(f"{LIST}{organisation.slug}/", {"city": "Hagen"}, format="json")
    assert response.status_code == 200


@pytest.mark.django_db
def test_put_and_delete_are_not_allowed(api_client, organisation, org_admin):
    api_client.force_authenticate(org_admin)
    assert api_client.put(f"{LIST}{organisation.slug}/", {}).status_code == 405
    assert api_client.delete(f"{LIST}{organisation.slug}/").status_code == 405
    assert Organisation.objects.filter(pk=organisation.pk).exists()


@pytest.mark.django_db
def test_list_filters_and_search(api_client, db):
    stahl = OrganisationFactory(name="Hütte Stahl AG", city="Duisburg", kind="large_enterprise")
    stahl.competences.set([Competence.objects.get(slug="battery-cells")])
    OrganisationFactory(name="Netz GmbH", city="Essen")

    def slugs(**params):
        return [row["slug"] for row in api_client.get(LIST, params).json()["results"]]

    assert slugs(kind="large_enterprise") == [stahl.slug]
    assert slugs(city="duisburg") == [stahl.slug]
    assert slugs(competence="energy-storage") == [stahl.slug]
    assert slugs(search="stahl") == [stahl.slug]
    assert slugs(sector="steel") == []


@pytest.mark.django_db
def test_retrieve_sanitises_description(api_client):
    organisation = OrganisationFactory(description_en="Hi <img src=x onerror=alert(1)> **b**")
    body = api_client.get(f"{LIST}{organisation.slug}/").json()
    assert body["description_html"] == "<p>Hi  <strong>b</strong></p>"
    assert body["description_en"] == "Hi <img src=x onerror=alert(1)> **b**"


@pytest.mark.django_db
@pytest.mark.parametrize("count", [10, 1000])
def test_list_query_count_is_constant(api_client, django_assert_num_queries, count):
    bulk_organisations(count)
    # count, page, sectors and competences (one UNION ALL)
    with django_assert_num_queries(3):
        response = api_client.get(LIST, {"page_size": 100})
    assert response.status_code == 200
    assert len(response.json()["results"]) == min(count, 100)


@pytest.mark.django_db
def test_competence_tree(api_client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = api_client.get("/api/v1/competences/")
    tree = response.json()
    assert response.status_code == 200
    roots = [node["slug"] for node in tree]
    assert roots[:2] == ["hydrogen", "energy-storage"]
    storage = tree[1]
    assert storage["name"] == "Energy storage"
    battery = storage["children"][0]
    assert battery["slug"] == "battery-storage"
    assert [child["slug"] for child in battery["children"]] == [
        "high-voltage-storage",
        "battery-cells",
    ]
    assert "lithium-ion" in battery["synonyms"]
    assert sum(1 for _ in Competence.objects.all()) == _count_nodes(tree)


def _count_nodes(nodes):
    return sum(1 + _count_nodes(node["children"]) for node in nodes)


@pytest.mark.django_db
def test_list_rows_equal_the_serializer(rf):
    # given organisations with and without a logo, sectors and competences
    with_logo = OrganisationFactory(name="Alpha")
    with_logo.logo_thumbnail.name = "logos/alpha-thumb.png"
    with_logo.save(update_fields=["logo_thumbnail"])
    with_logo.sectors.set(Sector.objects.order_by("-position")[:2])
    with_logo.competences.set(Competence.objects.order_by("-position")[:3])
    OrganisationFactory(name="Beta", kind=Organisation.Kind.UNIVERSITY, website="")
    request = rf.get(LIST)
    organisations = organisation_list(visible_to=None)
    # when the list writes them from values()
    rows = organisation_rows(
        list(organisations.prefetch_related(None).values(*LIST_VALUES)), request
    )
    # then the JSON is the serializer's, byte for byte
    expected = OrganisationSerializer(organisations, many=True, context={"request": request}).data
    assert JSONRenderer().render(rows) == JSONRenderer().render(expected)
    assert [row["name"] for row in rows] == ["Alpha", "Beta"]
    assert rows[0]["logo_thumbnail"] == "http://testserver/media/logos/alpha-thumb.png"
    assert len(rows[0]["sectors"]) == 2
    assert len(rows[0]["competences"]) == 3
