"""Work packages and milestones: permission matrix, validation naming the field, overdue flags."""

import datetime as dt

import pytest
from django.urls import reverse

from projects.models import Milestone, Project, WorkPackage
from projects.selectors.workplan import milestone_list, project_workplan_context
from spinportal.models import AuditRecord
from tests.factories import OrganisationFactory
from tests.projects.factories_workplan import (
    MilestoneFactory,
    WorkPackageFactory,
    as_actor_factory,
    make_cast,
    make_project,
    statuses,
)

pytestmark = pytest.mark.usefixtures("english")

# Endpoints whose permission matrix this module asserts (tests/security/coverage.py).
COVERS = [
    "workplan:overview",
    "workplan:work_package_new",
    "workplan:work_package_edit",
    "workplan:work_package_delete",
    "workplan:milestone_new",
    "workplan:milestone_edit",
    "workplan:milestone_delete",
]


@pytest.fixture
def project(db):
    # 2025-01-01 to 2027-12-31: 36 months
    return make_project(acronym="PLAN", slug="plan")


@pytest.fixture
def cast(project, organisation, org_member, other_partner, staff):
    return make_cast(project, organisation, org_member, other_partner, staff)


@pytest.fixture
def as_actor(client, cast):
    return as_actor_factory(client, cast)


@pytest.fixture
def package(project, organisation, cast):
    return WorkPackageFactory(
        project=project, number=1, title="Requirements", lead_organisation=organisation
    )


@pytest.fixture
def milestone(project, package):
    return MilestoneFactory(project=project, work_package=package, title="Concept ready")


def url(name, project, **kwargs):
    return reverse(f"workplan:{name}", kwargs={"slug": project.slug, **kwargs})


@pytest.mark.django_db
def test_overview_matrix(as_actor, project, milestone):
    assert statuses(as_actor, "get", url("overview", project)) == [200] * 5
    Project.objects.filter(pk=project.pk).update(visibility=Project.Visibility.CONSORTIUM)
    assert statuses(as_actor, "get", url("overview", project)) == [404, 404, 200, 200, 200]


@pytest.mark.django_db
def test_unknown_project_is_404(as_actor, db):
    missing = reverse("workplan:overview", kwargs={"slug": "no-such-project"})
    assert statuses(as_actor, "get", missing) == [404] * 5


@pytest.mark.django_db
def test_edit_pages_matrix(as_actor, project, package, milestone):
    expected = [302, 403, 403, 200, 200]
    for page in [
        url("work_package_new", project),
        url("work_package_edit", project, pk=package.pk),
        url("work_package_delete", project, pk=package.pk),
        url("milestone_new", project),
        url("milestone_edit", project, pk=milestone.pk),
        url("milestone_delete", project, pk=milestone.pk),
    ]:
        assert statuses(as_actor, "get", page) == expected, page


@pytest.mark.django_db
def test_work_package_of_another_project_is_404(as_actor, project, cast):
    other = WorkPackageFactory(project=make_project(acronym="X", slug="x"))
    edit = url("work_package_edit", project, pk=other.pk)
    assert statuses(as_actor, "get", edit, actors=["lead", "staff"]) == [404, 404]


def package_data(**fields):
    return {"number": 2, "title": "Prototype", "start_month": 6, "end_month": 24, **fields}


@pytest.mark.django_db
def test_denied_work_plan_writes_change_nothing(as_actor, project, package, milestone):
    actors = ["anonymous", "other_partner", "member"]
    writes = [
        (url("work_package_new", project), package_data()),
        (url("work_package_edit", project, pk=package.pk), package_data(number=1)),
        (url("work_package_delete", project, pk=package.pk), {}),
        (url("milestone_new", project), {"kind": "milestone", "title": "X", "due_date": ""}),
        (url("milestone_delete", project, pk=milestone.pk), {}),
    ]
    for page, data in writes:
        assert statuses(as_actor, "post", page, data, actors=actors) == [302, 403, 403], page
    assert list(WorkPackage.objects.values_list("number", "title")) == [(1, "Requirements")]
    assert list(Milestone.objects.values_list("title", flat=True)) == ["Concept ready"]
    assert AuditRecord.objects.count() == 0


@pytest.mark.django_db
def test_lead_adds_a_work_package(as_actor, project, organisation):
    response = as_actor("lead").post(
        url("work_package_new", project), package_data(lead_organisation=organisation.pk)
    )
    assert response.status_code == 302
    assert response["Location"] == url("overview", project)
    package = WorkPackage.objects.get()
    assert (package.number, package.start_month, package.end_month, package.lead_organisation) == (
        2,
        6,
        24,
        organisation,
    )
    assert AuditRecord.objects.get().action == "work_package.created"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        (
            {"start_month": 12, "end_month": 6},
            {"end_month": ["The end month must not be before the start month."]},
        ),
        (
            {"end_month": 40},
            {"end_month": ["The project lasts 36 months; month 40 is outside its duration."]},
        ),
        (
            {"start_month": 37, "end_month": 37},
            {
                "start_month": ["The project lasts 36 months; month 37 is outside its duration."],
                "end_month": ["The project lasts 36 months; month 37 is outside its duration."],
            },
        ),
        ({"number": 1}, {"number": ["This project already has a work package 1."]}),
        ({"start_month": 0}, {"start_month": ["Ensure this value is greater than or equal to 1."]}),
    ],
)
def test_work_package_months_are_checked(as_actor, project, package, fields, errors):
    response = as_actor("lead").post(url("work_package_new", project), package_data(**fields))
    assert response.status_code == 200
    assert response.context["form"].errors == errors
    assert WorkPackage.objects.count() == 1
    assert AuditRecord.objects.count() == 0


@pytest.mark.django_db
def test_work_package_lead_must_be_in_the_consortium(as_actor, project, cast):
    # the form offers only consortium organisations; the service says why for the API
    outsider = OrganisationFactory()
    response = as_actor("lead").post(
        url("work_package_new", project), package_data(lead_organisation=outsider.pk)
    )
    assert response.context["form"].errors == {
        "lead_organisation": [
            "Select a valid choice. That choice is not one of the available choices."
        ]
    }
    assert WorkPackage.objects.count() == 0


def milestone_data(**fields):
    return {
        "kind": "deliverable",
        "title": "Test report",
        "due_date": "2026-09-30",
        "status": "open",
        **fields,
    }


@pytest.mark.django_db
def test_lead_adds_and_completes_a_milestone(as_actor, project, package, organisation):
    client = as_actor("lead")
    response = client.post(
        url("milestone_new", project),
        milestone_data(work_package=package.pk, responsible_organisation=organisation.pk),
    )
    assert response.status_code == 302
    milestone = Milestone.objects.get()
    assert (milestone.kind, milestone.due_date, milestone.work_package) == (
        "deliverable",
        dt.date(2026, 9, 30),
        package,
    )
    response = client.post(
        url("milestone_edit", project, pk=milestone.pk), milestone_data(status="done")
    )
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert milestone.status == "done"
    assert list(AuditRecord.objects.order_by("id").values_list("action", flat=True)) == [
        "milestone.created",
        "milestone.updated",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("due_date", ["2024-12-31", "2028-01-01"])
def test_milestone_outside_the_project_period_is_refused(as_actor, project, due_date):
    response = as_actor("lead").post(
        url("milestone_new", project), milestone_data(due_date=due_date)
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "due_date": ["The due date must lie within the project period (01/01/2025 to 31/12/2027)."]
    }
    assert Milestone.objects.count() == 0


@pytest.mark.django_db
def test_deleting_a_work_package_keeps_its_milestones(as_actor, project, package, milestone):
    response = as_actor("lead").post(url("work_package_delete", project, pk=package.pk))
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert milestone.work_package is None


@pytest.mark.django_db
def test_overdue_flags(project):
    today = dt.date(2026, 7, 1)
    MilestoneFactory(project=project, title="past open", due_date=dt.date(2026, 6, 30))
    MilestoneFactory(
        project=project, title="past done", due_date=dt.date(2026, 6, 1), status="done"
    )
    MilestoneFactory(
        project=project, title="future late", due_date=dt.date(2026, 9, 1), status="late"
    )
    MilestoneFactory(project=project, title="due today", due_date=today)
    flags = {m.title: m.is_overdue for m in milestone_list(project=project, today=today)}
    assert flags == {
        "past open": True,
        "past done": False,
        "future late": True,
        "due today": False,
    }


@pytest.mark.django_db
def test_workplan_context_for_the_detail_page(project, cast, package, milestone):
    context = project_workplan_context(
        project=project, user=cast["anonymous"], today=dt.date(2026, 7, 1)
    )
    assert sorted(context) == [
        "can_contribute",
        "documents",
        "is_consortium_member",
        "milestones",
        "news_posts",
        "overdue_milestone_count",
        "timeline_svg",
        "work_packages",
    ]
    assert context["work_packages"] == [package]
    assert [(m.title, m.state) for m in context["milestones"]] == [("Concept ready", "overdue")]
    assert context["overdue_milestone_count"] == 1
    assert (context["can_contribute"], context["is_consortium_member"]) == (False, False)
    assert context["timeline_svg"].startswith("<svg")


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 20])
def test_overview_query_count_is_constant(client, project, cast, django_assert_num_queries, count):
    for number in range(1, count + 1):
        WorkPackageFactory(project=project, number=number, lead_organisation=None)
        MilestoneFactory(project=project)
    # project, work packages, milestones, news, documents
    with django_assert_num_queries(5):
        response = client.get(url("overview", project))
    assert response.status_code == 200
