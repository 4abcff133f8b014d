"""Project services called directly: races that reach the database, slugs, permissions."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum

from projects.models import Participation, Project, TeamMember
from projects.services import consortium
from projects.services import projects as services
from spinportal.models import AuditRecord
from tests.factories import OrganisationFactory, ProjectFactory


@pytest.mark.django_db
def test_acronym_taken_between_check_and_insert_names_the_field(org_admin, monkeypatch):
    # given another request that took the acronym after our check (simulated: no check)
    ProjectFactory(acronym="RACE", slug="race-1")

    def without_duplicate_check(project):
        project.acronym = project.acronym.strip()

    monkeypatch.setattr(services, "_validate_project", without_duplicate_check)
    # when the insert hits the unique constraint
    with pytest.raises(ValidationError) as error:
        services.project_create(actor=org_admin, acronym="RACE", title_de="Rennen")
    # then the error names the acronym and nothing was half-saved
    assert list(error.value.message_dict) == ["acronym"]
    assert Project.objects.count() == 1
    assert TeamMember.objects.count() == 0
    assert AuditRecord.objects.count() == 0


@pytest.mark.django_db
def test_second_coordinator_from_a_race_becomes_a_validation_error(staff, monkeypatch):
    project = ProjectFactory()
    Participation.objects.create(
        project=project, organisation=OrganisationFactory(), role="coordinator"
    )
    monkeypatch.setattr(consortium, "_validate_participation", lambda participation, project: None)
    with pytest.raises(ValidationError) as error:
        consortium.participation_add(
            actor=staff, project=project, organisation=OrganisationFactory(), role="coordinator"
        )
    assert list(error.value.message_dict) == ["organisation"]
    assert project.participations.count() == 1


@pytest.mark.django_db
def test_slugs_avoid_collisions_and_reserved_words(org_admin):
    first = services.project_create(actor=org_admin, acronym="A B", title_de="Eins")
    second = services.project_create(actor=org_admin, acronym="A-B", title_de="Zwei")
    reserved = services.project_create(actor=org_admin, acronym="New", title_de="Drei")
    assert (first.slug, second.slug, reserved.slug) == ("a-b", "a-b-2", "new-2")


@pytest.mark.django_db
def test_services_check_rights_themselves(user, other_partner):
    project = ProjectFactory()
    with pytest.raises(PermissionDenied):
        services.project_create(actor=user, acronym="X", title_de="X")
    with pytest.raises(PermissionDenied):
        services.project_update(actor=other_partner, project=project, title_de="Gekapert")
    with pytest.raises(PermissionDenied):
        consortium.participation_add(
            actor=other_partner, project=project, organisation=OrganisationFactory()
        )
    assert Project.objects.get(pk=project.pk).title_de == project.title_de
    assert AuditRecord.objects.count() == 0


@pytest.mark.django_db
def test_acronym_rename_moves_the_slug(org_admin):
    project = services.project_create(actor=org_admin, acronym="OLD", title_de="Alt")
    project = services.project_update(actor=org_admin, project=project, acronym="NEW-ONE")
    assert project.slug == "new-one"


@pytest.mark.django_db
def test_demo_projects_have_consortia_teams_and_shares():
    from demo.seed import seed_cluster

    seed_cluster()
    seed_cluster()  # idempotent
    project = Project.objects.get(acronym="KV-BATT-Tech")
    consortium = sorted(
        project.participations.values_list("organisation__name", "role", "budget_share")
    )
    assert consortium == [
        ("Fachhochschule Dortmund", "coordinator", Decimal("40.00")),
        ("Siemens AG", "partner", Decimal("25.00")),
        ("Weißgerber Engineering GmbH", "partner", Decimal("35.00")),
    ]
    assert list(
        project.team.filter(role="lead")
        .values_list("user__email", flat=True)
        .order_by("user__email")
    ) == ["anna.schmidt@demo.spin.example", "thomas.weissgerber@demo.spin.example"]
    assert project.is_demo
    for acronym in ("DIANE", "Fit4eChange", "KV-BATT-Tech"):
        shares = Participation.objects.filter(project__acronym=acronym).aggregate(
            total=Sum("budget_share")
        )["total"]
        assert shares == Decimal("100.00"), acronym
        assert (
            Participation.objects.filter(project__acronym=acronym, role="coordinator").count() == 1
        )
