"""Project admin: CSV export and audit rows for consortium and team changes."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from projects.models import Participation, TeamMember
from spinportal.models import AuditRecord
from tests.factories import OrganisationFactory, ProjectFactory, StaffFactory, UserFactory


@pytest.fixture
def superuser_client(client):
    superuser = StaffFactory(is_superuser=True)
    client.force_login(superuser)
    return client, superuser


def _inline_management(prefix, total, initial):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


@pytest.mark.django_db
def test_inline_consortium_and_team_changes_are_audited(superuser_client):
    client, superuser = superuser_client
    project = ProjectFactory(acronym="ADM", title_de="Admin")
    organisation = OrganisationFactory()
    person = UserFactory()
    data = {
        "acronym": "ADM",
        "slug": project.slug,
        "title_de": "Admin",
        "stage": "idea",
        "visibility": "public",
        **_inline_management("participations", 1, 0),
        "participations-0-organisation": organisation.pk,
        "participations-0-role": "coordinator",
        "participations-0-budget_share": "50",
        **_inline_management("team", 1, 0),
        "team-0-user": person.pk,
        "team-0-role": "lead",
        **_inline_management("work_packages", 0, 0),
        **_inline_management("milestones", 0, 0),
    }
    url = reverse("admin:projects_project_change", args=[project.pk])
    response = client.post(url, data)
    assert response.status_code == 302
    assert Participation.objects.get().budget_share == Decimal("50.00")
    assert TeamMember.objects.get().role == "lead"
    actions = sorted(AuditRecord.objects.filter(actor=superuser).values_list("action", flat=True))
    assert actions == [
        "participation.added_in_admin",
        "project.changed_in_admin",
        "team_member.added_in_admin",
    ]


@pytest.mark.django_db
def test_csv_export_quotes_formulas(superuser_client):
    client, _superuser = superuser_client
    project = ProjectFactory(acronym="=CMD", title_de="Formel", total_budget=Decimal("12.50"))
    Participation.objects.create(
        project=project, organisation=OrganisationFactory(name="Koord GmbH"), role="coordinator"
    )
    response = client.post(
        reverse("admin:projects_project_changelist"),
        {"action": "export_csv", "_selected_action": [project.pk]},
    )
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["public_id", "acronym", "title_de"]
    assert (rows[1][1], rows[1][9], rows[1][12]) == ("'=CMD", "12.50", "Koord GmbH")
