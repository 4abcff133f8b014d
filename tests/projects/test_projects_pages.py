"""Project pages: list, detail, my projects, create, edit: permission matrix, filters, queries."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from partners.models import Competence
from projects.models import Participation, Project, TeamMember
from spinportal.models import AuditRecord
from tests.factories import MembershipFactory, OrganisationFactory, ProjectFactory
from tests.projects.factories import ACTORS, bulk_projects, consortium_world

pytestmark = pytest.mark.usefixtures("english")

# Endpoints whose permission matrix this module asserts (tests/security/coverage.py).
COVERS = [
    "projects:list",
    "projects:detail",
    "projects:edit",
    "projects:create",
    "projects:mine",
]


@pytest.fixture
def world(organisation, org_member, other_partner, staff):
    return consortium_world(organisation, org_member, other_partner, staff)


@pytest.fixture
def as_actor(client, world):
    _project, users = world

    def login(actor):
        client.logout()
        if users[actor] is not None:
            client.force_login(users[actor])
        return client

    return login


def statuses(as_actor, method, url, data=None, actors=ACTORS):
    result = []
    for actor in actors:
        client = as_actor(actor)
        response = client.post(url, data or {}) if method == "post" else client.get(url)
        result.append(response.status_code)
    return result


def edit_data(project, **changes):
    data = {
        "acronym": project.acronym,
        "title_de": project.title_de,
        "title_en": project.title_en,
        "summary_de": "",
        "summary_en": "",
        "description": "",
        "stage": project.stage,
        "start_date": project.start_date.isoformat() if project.start_date else "",
        "end_date": project.end_date.isoformat() if project.end_date else "",
        "funding_programme": project.funding_programme,
        "funding_reference": "",
        "total_budget": str(project.total_budget or ""),
        "funding_amount": str(project.funding_amount or ""),
        "website": "",
        "visibility": project.visibility,
    }
    data.update(changes)
    return data


# --- Who sees what ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_public_project_list_and_detail_for_everyone(as_actor, world):
    project, _users = world
    assert statuses(as_actor, "get", reverse("projects:list")) == [200] * 5
    detail = reverse("projects:detail", kwargs={"slug": project.slug})
    assert statuses(as_actor, "get", detail) == [200] * 5


@pytest.mark.django_db
def test_consortium_only_project_is_404_outside_the_consortium(as_actor, world):
    project, _users = world
    Project.objects.filter(pk=project.pk).update(visibility="consortium")
    detail = reverse("projects:detail", kwargs={"slug": project.slug})
    assert statuses(as_actor, "get", detail) == [404, 404, 200, 200, 200]
    counts = [
        as_actor(actor).get(reverse("projects:list")).context["page"].paginator.count
        for actor in ACTORS
    ]
    assert counts == [0, 0, 1, 1, 1]


@pytest.mark.django_db
def test_detail_shows_finances_and_team_only_to_whom_it_may(as_actor, world):
    project, users = world
    detail = reverse("projects:detail", kwargs={"slug": project.slug})
    seen = []
    for actor in ACTORS:
        html = as_actor(actor).get(detail).content.decode()
        seen.append(
            (
                "2,400,000.00 €" in html,
                "40.00 %" in html,
                users["lead"].full_name in html,
                "Organisation" in html and "Coordinator" in html,
            )
        )
    # anonymous: no people, no figures; other partners: people but no figures
    assert seen == [
        (False, False, False, True),
        (False, False, True, True),
        (True, True, True, True),
        (True, True, True, True),
        (True, True, True, True),
    ]


@pytest.mark.django_db
def test_detail_offers_edit_only_to_lead_and_staff(as_actor, world):
    project, _users = world
    detail = reverse("projects:detail", kwargs={"slug": project.slug})
    edit = reverse("projects:edit", kwargs={"slug": project.slug})
    offered = [edit in as_actor(actor).get(detail).content.decode() for actor in ACTORS]
    assert offered == [False, False, False, True, True]


@pytest.mark.django_db
def test_detail_merges_workplan_context_and_renders_markdown_sanitised(client, world, monkeypatch):
    project, _users = world
    # rendered when saved, also when only the description is saved
    project.description = "**bold** <script>alert(1)</script> [x](javascript:alert(1))"
    project.save(update_fields=["description"])
    calls = []

    def fake_context(*, project, user):
        calls.append((project.pk, user.is_authenticated))
        return {"workplan_marker": "wp-42"}

    monkeypatch.setattr("projects.views.projects.project_workplan_context", fake_context)
    response = client.get(reverse("projects:detail", kwargs={"slug": project.slug}))
    assert response.context["workplan_marker"] == "wp-42"
    assert calls == [(project.pk, False)]
    html = response.content.decode()
    assert "<strong>bold</strong>" in html
    assert "<script>alert" not in html
    assert "javascript:" not in html


@pytest.mark.django_db
def test_unknown_project_is_404(client):
    assert client.get(reverse("projects:detail", kwargs={"slug": "nope"})).status_code == 404


@pytest.mark.django_db
def test_edit_page_matrix(as_actor, world):
    project, _users = world
    url = reverse("projects:edit", kwargs={"slug": project.slug})
    assert statuses(as_actor, "get", url) == [302, 403, 403, 200, 200]


@pytest.mark.django_db
def test_edit_denied_changes_nothing(as_actor, world):
    project, _users = world
    url = reverse("projects:edit", kwargs={"slug": project.slug})
    data = edit_data(project, title_de="Gekapert")
    assert statuses(as_actor, "post", url, data, actors=ACTORS[:3]) == [302, 403, 403]
    project.refresh_from_db()
    assert project.title_de != "Gekapert"
    assert AuditRecord.objects.count() == 0


@pytest.mark.django_db
def test_edit_of_consortium_only_project_is_404_for_outsiders(as_actor, world):
    project, _users = world
    Project.objects.filter(pk=project.pk).update(visibility="consortium")
    url = reverse("projects:edit", kwargs={"slug": project.slug})
    assert statuses(as_actor, "get", url) == [302, 404, 403, 200, 200]


@pytest.mark.django_db
def test_lead_edits_project_and_it_is_audited(as_actor, world):
    project, users = world
    url = reverse("projects:edit", kwargs={"slug": project.slug})
    competence = Competence.objects.get(slug="electrolysis")
    response = as_actor("lead").post(
        url,
        edit_data(
            project,
            title_de="Neuer Titel",
            total_budget="3000000.50",
            competences=[competence.pk],
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    project.refresh_from_db()
    assert (project.title_de, project.total_budget) == ("Neuer Titel", Decimal("3000000.50"))
    assert list(project.competences.values_list("slug", flat=True)) == ["electrolysis"]
    record = AuditRecord.objects.get()
    assert (record.action, record.actor, record.data["fields"]) == (
        "project.updated",
        users["lead"],
        ["title_de", "total_budget", "competences"],
    )


@pytest.mark.django_db
def test_german_decimal_comma_is_accepted(as_actor, world, settings):
    settings.LANGUAGE_CODE = "de"
    project, _users = world
    url = reverse("projects:edit", kwargs={"slug": project.slug})
    response = as_actor("lead").post(url, edit_data(project, funding_amount="1234567,89"))
    assert response.status_code == 302
    assert Project.objects.get(pk=project.pk).funding_amount == Decimal("1234567.89")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"start_date": "2026-01-01", "end_date": "2025-12-31"}, "end_date"),
        ({"total_budget": "-1"}, "total_budget"),
        ({"total_budget": "viel"}, "total_budget"),
        ({"funding_amount": "-0.01"}, "funding_amount"),
        ({"funding_amount": "9999999.00"}, "funding_amount"),
        ({"acronym": ""}, "acronym"),
        ({"stage": "flying"}, "stage"),
        ({"website": "javascript:alert(1)"}, "website"),
    ],
)
def test_edit_refuses_bad_input_naming_the_field(as_actor, world, changes, field):
    project, _users = world
    url = reverse("projects:edit", kwargs={"slug": project.slug})
    response = as_actor("lead").post(url, edit_data(project, **changes))
    assert response.status_code == 400
    assert list(response.context["form"].errors) == [field]
    assert AuditRecord.objects.count() == 0
    assert Project.objects.get(pk=project.pk).title_de == project.title_de


@pytest.mark.django_db
def test_edit_refuses_duplicate_acronym(as_actor, world):
    project, _users = world
    ProjectFactory(acronym="Fit4eChange", slug="fit4echange")
    url = reverse("projects:edit", kwargs={"slug": project.slug})
    response = as_actor("lead").post(url, edit_data(project, acronym="FIT4ECHANGE"))
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["acronym"]


@pytest.mark.django_db
def test_running_project_without_coordinator_is_refused(as_actor, world):
    # given a project in preparation without a coordinator
    project, _users = world
    Project.objects.filter(pk=project.pk).update(stage="preparation")
    Participation.objects.filter(project=project).update(role="partner")
    project.refresh_from_db()
    url = reverse("projects:edit", kwargs={"slug": project.slug})

    # when the lead marks it funded and running
    response = as_actor("lead").post(url, edit_data(project, stage="running"))

    # then the stage is refused and nothing changed
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["stage"]
    assert Project.objects.get(pk=project.pk).stage == "preparation"


# --- Create -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_create_page_matrix(as_actor):
    url = reverse("projects:create")
    # the consortium member and the lead belong to an organisation, other_partner too
    assert statuses(as_actor, "get", url) == [302, 200, 200, 200, 200]


@pytest.mark.django_db
def test_partner_without_organisation_cannot_create(client, user):
    client.force_login(user)
    assert client.get(reverse("projects:create")).status_code == 403
    assert client.post(reverse("projects:create"), {"acronym": "X"}).status_code == 403
    assert Project.objects.count() == 0


@pytest.mark.django_db
def test_organisation_admin_creates_a_running_project_and_becomes_lead(
    client, org_admin, organisation
):
    client.force_login(org_admin)
    response = client.post(
        reverse("projects:create"),
        {
            "acronym": "H2-Ruhr",
            "title_de": "Wasserstoff an der Ruhr",
            "stage": "running",
            "start_date": "2026-01-01",
            "end_date": "2028-12-31",
            "total_budget": "1000000",
            "funding_amount": "800000",
            "visibility": "public",
            "coordinator": organisation.pk,
        },
    )
    assert response.status_code == 302
    project = Project.objects.get(acronym="H2-Ruhr")
    assert response["Location"] == reverse("projects:detail", kwargs={"slug": "h2-ruhr"})
    assert list(project.team.values_list("user", "role")) == [(org_admin.pk, "lead")]
    assert list(project.participations.values_list("organisation", "role")) == [
        (organisation.pk, "coordinator")
    ]
    assert sorted(AuditRecord.objects.values_list("action", flat=True)) == [
        "participation.added",
        "project.created",
        "team_member.added",
    ]


@pytest.mark.django_db
def test_create_running_without_coordinator_names_the_field(client, org_admin):
    client.force_login(org_admin)
    response = client.post(
        reverse("projects:create"),
        {"acronym": "NOCO", "title_de": "Ohne", "stage": "running", "visibility": "public"},
    )
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["coordinator"]
    assert Project.objects.count() == 0
    assert AuditRecord.objects.count() == 0


@pytest.mark.django_db
def test_member_cannot_name_a_foreign_organisation_as_coordinator(client, org_member):
    foreign = OrganisationFactory()
    client.force_login(org_member)
    response = client.post(
        reverse("projects:create"),
        {
            "acronym": "X1",
            "title_de": "X",
            "stage": "idea",
            "visibility": "public",
            "coordinator": foreign.pk,
        },
    )
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["coordinator"]
    assert Project.objects.count() == 0


# --- List: search, filters, sorting -----------------------------------------------------------


@pytest.mark.django_db
def test_list_search_filters_and_sorting(client):
    # given three public projects with different stages, programmes, competences and partners
    steel = OrganisationFactory(name="Stahlwerk AG", slug="stahlwerk")
    electrolysis = Competence.objects.get(slug="electrolysis")
    alpha = ProjectFactory(
        acronym="ALPHA",
        stage="running",
        funding_programme="EFRE",
        title_de="Wasserstoff im Stahl",
        start_date=dt.date(2024, 1, 1),
    )
    alpha.competences.set([electrolysis])
    Participation.objects.create(project=alpha, organisation=steel, role="coordinator")
    ProjectFactory(
        acronym="BETA", stage="idea", funding_programme="Horizont", start_date=dt.date(2025, 1, 1)
    )
    ProjectFactory(
        acronym="GAMMA", stage="running", funding_programme="EFRE", start_date=dt.date(2023, 1, 1)
    )

    def acronyms(**params):
        response = client.get(reverse("projects:list"), params)
        assert response.status_code == 200
        return [p.acronym for p in response.context["page"].object_list]

    assert acronyms() == ["ALPHA", "BETA", "GAMMA"]
    assert acronyms(stage="running") == ["ALPHA", "GAMMA"]
    assert acronyms(programme="EFRE", sort="-acronym") == ["GAMMA", "ALPHA"]
    assert acronyms(competence="electrolysis") == ["ALPHA"]
    assert acronyms(competence="hydrogen") == ["ALPHA"]  # the broader concept includes it
    assert acronyms(organisation="stahlwerk") == ["ALPHA"]
    assert acronyms(q="wasserstoff stahl") == ["ALPHA"]
    assert acronyms(q="nichts") == []
    assert acronyms(sort="start") == ["BETA", "ALPHA", "GAMMA"]
    assert acronyms(stage="bogus") == []


@pytest.mark.django_db
def test_list_paginates_by_twenty(client):
    bulk_projects(45)
    page = client.get(reverse("projects:list"), {"page": 3}).context["page"]
    assert (page.number, len(page.object_list), page.paginator.num_pages) == (3, 5, 3)


@pytest.mark.django_db
def test_htmx_request_gets_the_results_only(client):
    ProjectFactory(acronym="ALPHA")
    response = client.get(reverse("projects:list"), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert "ALPHA" in response.content.decode()


# --- My projects ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_my_projects_matrix_and_content(as_actor, world):
    project, _users = world
    ProjectFactory(acronym="OTHER")
    url = reverse("projects:mine")
    assert statuses(as_actor, "get", url) == [302, 200, 200, 200, 200]
    mine = {
        actor: [p.acronym for p in as_actor(actor).get(url).context["projects"]]
        for actor in ACTORS[1:]
    }
    assert mine == {"other_partner": [], "member": ["DIANE"], "lead": ["DIANE"], "staff": []}
    lead_row = as_actor("lead").get(url).context["projects"][0]
    assert (lead_row.my_team_role, [p.role for p in lead_row.my_organisations]) == (
        "lead",
        ["coordinator"],
    )


# --- Query counts -----------------------------------------------------------------------------


def _partners(count=3):
    return [OrganisationFactory() for _ in range(count)]


@pytest.mark.django_db
@pytest.mark.parametrize("count", [10, 1000])
def test_list_query_count_is_constant(client, django_assert_num_queries, count):
    bulk_projects(count, organisations=_partners())
    # count, page rows, competences, consortium, competence and programme choices
    with django_assert_num_queries(6):
        response = client.get(reverse("projects:list"))
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 10 if count == 10 else 20


@pytest.mark.django_db
@pytest.mark.parametrize("count", [10, 1000])
def test_list_query_count_for_a_logged_in_partner(
    client, django_assert_num_queries, count, org_member
):
    bulk_projects(count, organisations=_partners())
    client.force_login(org_member)
    # session + user, memberships, the user's projects (team roles and participations of the
    # user's organisations, one UNION), then the six of the anonymous list
    with django_assert_num_queries(10):
        assert client.get(reverse("projects:list")).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("count", [10, 1000])
def test_detail_query_count_is_constant(client, django_assert_num_queries, count, organisation):
    projects = bulk_projects(count, organisations=[organisation, *_partners(4)])
    lead = MembershipFactory(organisation=organisation).user
    TeamMember.objects.create(project=projects[0], user=lead, role="lead")
    client.force_login(lead)
    url = reverse("projects:detail", kwargs={"slug": projects[0].slug})
    # session + user, the user's memberships, the user's projects (one UNION), the project
    # (with its open requests counted), competences, consortium, team; then the work plan's
    # four (work packages, milestones, news, documents with their latest version)
    with django_assert_num_queries(12):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["participations"]) == 5


# --- Organisation page partial ----------------------------------------------------------------


@pytest.mark.django_db
def test_organisation_projects_partial_lists_visible_projects_with_roles(world, organisation):
    from django.template.loader import render_to_string

    from projects.selectors.projects import project_participations_for_organisation

    # given a public project (coordinator), a hidden one and one the organisation left
    project, users = world
    hidden = ProjectFactory(acronym="HIDDEN", visibility="consortium")
    Participation.objects.create(project=hidden, organisation=organisation, role="partner")
    old = ProjectFactory(acronym="OLD")
    Participation.objects.create(
        project=old, organisation=organisation, role="subcontractor", left_on=dt.date(2024, 3, 1)
    )

    def rows(user):
        return [
            (p.project.acronym, p.role)
            for p in project_participations_for_organisation(organisation=organisation, user=user)
        ]

    # then outsiders see the public ones, the organisation's people all of them
    assert rows(None) == [("DIANE", "coordinator"), ("OLD", "subcontractor")]
    assert rows(users["other_partner"]) == [("DIANE", "coordinator"), ("OLD", "subcontractor")]
    assert rows(users["member"]) == [
        ("DIANE", "coordinator"),
        ("HIDDEN", "partner"),
        ("OLD", "subcontractor"),
    ]
    html = render_to_string(
        "projects/includes/organisation_projects.html",
        {
            "project_participations": project_participations_for_organisation(
                organisation=organisation, user=None
            )
        },
    )
    assert 'href="/projects/diane/"' in html
    assert "Coordinator" in html
    assert "left on" in html
    assert "HIDDEN" not in html
