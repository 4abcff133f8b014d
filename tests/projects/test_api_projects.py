"""/api/v1/projects/: permission matrix, filters, create and update, consortium, errors, queries."""

import pytest

from accounts.services import api_token_create
from projects.models import Participation, Project
from spinportal.models import AuditRecord
from tests.factories import OrganisationFactory, ProjectFactory
from tests.projects.factories import ACTORS, bulk_projects, consortium_world

pytestmark = pytest.mark.usefixtures("english")

# Endpoints whose permission matrix this module asserts (tests/security/coverage.py).
COVERS = [
    "v1_projects_list",
    "v1_projects_retrieve",
    "v1_projects_create",
    "v1_projects_partial_update",
    "v1_projects_participations_create",
]

LIST = "/api/v1/projects/"


@pytest.fixture
def world(organisation, org_member, other_partner, staff):
    return consortium_world(organisation, org_member, other_partner, staff)


@pytest.fixture
def as_actor(api_client, world):
    _project, users = world

    def login(actor):
        api_client.force_authenticate(users[actor])
        return api_client

    return login


def snapshot(project):
    return (
        Project.objects.filter(pk=project.pk).values_list("title_de", "stage").get(),
        sorted(
            Participation.objects.filter(project=project).values_list(
                "organisation_id", "role", "budget_share"
            )
        ),
        AuditRecord.objects.count(),
    )


# --- Reading ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_retrieve_by_slug_acronym_id_and_public_id(as_actor, world):
    project, _users = world
    for lookup in ("diane", "DIANE", str(project.pk), str(project.public_id)):
        codes = [as_actor(a).get(f"{LIST}{lookup}/").status_code for a in ACTORS]
        assert codes == [200] * 5, lookup
    assert [as_actor(a).get(LIST).status_code for a in ACTORS] == [200] * 5


@pytest.mark.django_db
def test_consortium_only_project_matrix(as_actor, world):
    project, _users = world
    Project.objects.filter(pk=project.pk).update(visibility="consortium")
    codes = [as_actor(a).get(f"{LIST}diane/").status_code for a in ACTORS]
    assert codes == [404, 404, 200, 200, 200]
    assert [as_actor(a).get(LIST).json()["count"] for a in ACTORS] == [0, 0, 1, 1, 1]
    body = as_actor("anonymous").get(f"{LIST}diane/").json()
    assert (body["status"], body["code"]) == (404, "not_found")


@pytest.mark.django_db
def test_detail_hides_finances_and_people_from_outsiders(as_actor, world):
    seen = []
    for actor in ACTORS:
        body = as_actor(actor).get(f"{LIST}diane/").json()
        seen.append(
            (
                body["total_budget"],
                body["participations"][0]["budget_share"],
                len(body["team"]),
                body["can_edit"],
            )
        )
    assert seen == [
        (None, None, 0, False),
        (None, None, 1, False),
        ("2400000.00", "40.00", 1, False),
        ("2400000.00", "40.00", 1, True),
        ("2400000.00", "40.00", 1, True),
    ]


@pytest.mark.django_db
def test_list_shape_and_filters(api_client, world, organisation):
    ProjectFactory(acronym="IDEA-1", stage="idea", funding_programme="Horizont")
    body = api_client.get(LIST, {"stage": "running"}).json()
    assert body["count"] == 1
    row = body["results"][0]
    assert (row["acronym"], row["stage_label"], row["url"]) == (
        "DIANE",
        "Funded and running",
        "http://testserver/projects/diane/",
    )
    assert row["consortium"] == [
        {
            "organisation": organisation.slug,
            "organisation_name": organisation.name,
            "role": "coordinator",
        }
    ]
    assert "total_budget" not in row
    assert api_client.get(LIST, {"organisation": organisation.slug}).json()["count"] == 1
    assert api_client.get(LIST, {"programme": "horizont"}).json()["count"] == 1
    assert api_client.get(LIST, {"search": "idea"}).json()["count"] == 1
    assert api_client.get(LIST, {"competence": "electrolysis"}).json()["count"] == 0
    assert [r["acronym"] for r in api_client.get(LIST, {"sort": "-acronym"}).json()["results"]] == [
        "IDEA-1",
        "DIANE",
    ]


# --- Writing ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_patch_matrix_and_no_change_on_denial(as_actor, world):
    project, _users = world
    before = snapshot(project)
    codes = [
        as_actor(a).patch(f"{LIST}diane/", {"title_de": "Gekapert"}, format="json").status_code
        for a in ACTORS[:3]
    ]
    assert codes == [401, 403, 403]
    assert snapshot(project) == before
    assert as_actor("lead").patch(f"{LIST}diane/", {"title_de": "Neu"}).status_code == 200
    assert as_actor("staff").patch(f"{LIST}diane/", {"title_de": "Neuer"}).status_code == 200
    assert Project.objects.get(pk=project.pk).title_de == "Neuer"
    assert list(AuditRecord.objects.values_list("action", flat=True)) == [
        "project.updated",
        "project.updated",
    ]


@pytest.mark.django_db
def test_create_matrix(as_actor, user, api_client):
    payload = {"acronym": "NEW", "title_de": "Neu"}
    assert as_actor("anonymous").post(LIST, payload, format="json").status_code == 401
    api_client.force_authenticate(user)  # a partner without an organisation
    assert api_client.post(LIST, payload, format="json").status_code == 403
    assert Project.objects.filter(acronym="NEW").count() == 0
    response = as_actor("other_partner").post(LIST, payload, format="json")
    assert response.status_code == 201
    body = response.json()
    assert (body["acronym"], body["slug"], body["can_edit"], body["team"][0]["project_role"]) == (
        "NEW",
        "new-2",  # "new" would shadow /projects/new/
        True,
        "lead",
    )


@pytest.mark.django_db
def test_create_running_project_with_coordinator(api_client, org_admin, organisation):
    api_client.force_authenticate(org_admin)
    response = api_client.post(
        LIST,
        {
            "acronym": "H2",
            "title_de": "Wasserstoff",
            "stage": "running",
            "coordinator": organisation.slug,
            "competences": ["electrolysis"],
            "total_budget": "1000.50",
        },
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["competences"], body["total_budget"], body["consortium"][0]["role"]) == (
        ["electrolysis"],
        "1000.50",
        "coordinator",
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"start_date": "2026-01-01", "end_date": "2025-01-01"}, "end_date"),
        ({"total_budget": "-5"}, "total_budget"),
        ({"total_budget": "lots"}, "total_budget"),
        ({"funding_amount": "2400000.01"}, "funding_amount"),
        ({"funding_amount": "1.001"}, "funding_amount"),
        ({"stage": "flying"}, "stage"),
        ({"acronym": ""}, "acronym"),
        ({"competences": ["no-such-thing"]}, "competences"),
        ({"website": "javascript:alert(1)"}, "website"),
        ({"start_date": "yesterday"}, "start_date"),
    ],
)
def test_patch_errors_name_the_field(as_actor, world, payload, field):
    project, _users = world
    before = snapshot(project)
    response = as_actor("lead").patch(f"{LIST}diane/", payload, format="json")
    assert response.status_code == 400
    body = response.json()
    assert (body["status"], body["code"], list(body["errors"])) == (400, "invalid", [field])
    assert snapshot(project) == before


@pytest.mark.django_db
def test_running_without_coordinator_is_refused(as_actor, world):
    project, _users = world
    Project.objects.filter(pk=project.pk).update(stage="idea")
    Participation.objects.filter(project=project).update(role="partner")
    response = as_actor("lead").patch(f"{LIST}diane/", {"stage": "running"}, format="json")
    assert (response.status_code, list(response.json()["errors"])) == (400, ["stage"])
    response = as_actor("lead").post(
        LIST, {"acronym": "RUN", "title_de": "x", "stage": "running"}, format="json"
    )
    assert (response.status_code, list(response.json()["errors"])) == (400, ["coordinator"])
    assert Project.objects.count() == 1


# --- Consortium -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_add_participation_matrix(as_actor, world):
    project, _users = world
    OrganisationFactory(slug="newcomer")
    before = snapshot(project)
    url = f"{LIST}diane/participations/"
    payload = {"organisation": "newcomer", "role": "partner", "budget_share": "10"}
    codes = [as_actor(a).post(url, payload, format="json").status_code for a in ACTORS[:3]]
    assert codes == [401, 403, 403]
    assert snapshot(project) == before
    response = as_actor("lead").post(url, payload, format="json")
    assert response.status_code == 201
    assert (response.json()["organisation"], response.json()["budget_share"]) == (
        "newcomer",
        "10.00",
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"role": "coordinator"}, "role"),
        ({"budget_share": "100.5"}, "budget_share"),
        ({"budget_share": "60.5"}, "budget_share"),
        ({"budget_share": "-1"}, "budget_share"),
        ({"budget_share": "zehn"}, "budget_share"),
        ({"joined_on": "2025-02-01", "left_on": "2025-01-01"}, "left_on"),
        ({"organisation": "no-such-org"}, "organisation"),
    ],
)
def test_add_participation_errors_name_the_field(as_actor, world, payload, field):
    project, _users = world
    OrganisationFactory(slug="newcomer")
    before = snapshot(project)
    response = as_actor("lead").post(
        f"{LIST}diane/participations/", {"organisation": "newcomer", **payload}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
    assert snapshot(project) == before


@pytest.mark.django_db
def test_patch_participation(as_actor, world):
    project, _users = world
    coordinator = project.participations.get()
    url = f"{LIST}diane/participations/{coordinator.pk}/"
    assert as_actor("member").patch(url, {"budget_share": "50"}, format="json").status_code == 403
    response = as_actor("lead").patch(url, {"budget_share": "50"}, format="json")
    assert (response.status_code, response.json()["budget_share"]) == (200, "50.00")
    demote = as_actor("lead").patch(url, {"role": "partner"}, format="json")
    assert (demote.status_code, list(demote.json()["errors"])) == (400, ["role"])
    foreign = Participation.objects.create(
        project=ProjectFactory(), organisation=OrganisationFactory()
    )
    missing = as_actor("lead").patch(
        f"{LIST}diane/participations/{foreign.pk}/", {"budget_share": "1"}, format="json"
    )
    assert missing.status_code == 404


# --- Tokens -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_read_token_cannot_write(api_client, world):
    project, users = world
    _token, key = api_token_create(user=users["lead"], name="ro", scope="read")
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api_client.get(f"{LIST}diane/").status_code == 200
    response = api_client.patch(f"{LIST}diane/", {"title_de": "x"}, format="json")
    assert response.status_code == 403
    assert (
        api_client.post(LIST, {"acronym": "T", "title_de": "x"}, format="json").status_code == 403
    )
    assert Project.objects.get(pk=project.pk).title_de == project.title_de


@pytest.mark.django_db
def test_put_and_delete_are_not_allowed(as_actor, world):
    assert as_actor("staff").put(f"{LIST}diane/", {}, format="json").status_code == 405
    assert as_actor("staff").delete(f"{LIST}diane/").status_code == 405
    assert Project.objects.count() == 1


# --- Query counts -----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("count", [10, 1000])
def test_api_list_query_count_is_constant(api_client, django_assert_num_queries, count):
    bulk_projects(count, organisations=[OrganisationFactory() for _ in range(3)])
    # count, page, competences, consortium
    with django_assert_num_queries(4):
        response = api_client.get(LIST)
    assert response.status_code == 200
    assert len(response.json()["results"]) == min(count, 20)
    assert len(response.json()["results"][0]["consortium"]) == 3
