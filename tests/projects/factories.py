"""Factories and bulk helpers for project tests (the work-plan tests may import them)."""

import datetime as dt
from decimal import Decimal

import factory

from partners.models import Competence, Organisation
from projects.models import Participation, ParticipationRequest, Project, TeamMember
from tests.factories import OrganisationFactory, ProjectFactory, UserFactory


class TeamMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamMember

    project = factory.SubFactory(ProjectFactory)
    user = factory.SubFactory(UserFactory)
    role = TeamMember.Role.MEMBER


class ParticipationRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ParticipationRequest

    project = factory.SubFactory(ProjectFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Participation.Role.PARTNER
    requested_by = factory.SubFactory(UserFactory)


def bulk_projects(
    count: int, *, prefix: str = "BULK", organisations: list[Organisation] | None = None, **fields
) -> list[Project]:
    """`count` public running projects, each with two competences and a consortium of the
    given organisations (the first coordinates), in a handful of queries."""
    projects = Project.objects.bulk_create(
        Project(
            acronym=f"{prefix}-{number:05d}",
            slug=f"{prefix.lower()}-{number:05d}",
            title_de=f"Projekt {number}",
            title_en=f"Project {number}",
            summary_de="Zusammenfassung",
            summary_en="Summary",
            stage=Project.Stage.RUNNING,
            start_date=dt.date(2024, 1, 1),
            end_date=dt.date(2026, 12, 31),
            funding_programme="Programm A" if number % 2 else "Programm B",
            total_budget=Decimal("1000000.00"),
            funding_amount=Decimal("750000.00"),
            **fields,
        )
        for number in range(count)
    )
    competences = list(Competence.objects.order_by("id")[:2])
    Project.competences.through.objects.bulk_create(
        Project.competences.through(project_id=p.pk, competence_id=c.pk)
        for p in projects
        for c in competences
    )
    if organisations:
        Participation.objects.bulk_create(
            Participation(
                project=p,
                organisation=o,
                role=Participation.Role.COORDINATOR if index == 0 else Participation.Role.PARTNER,
                budget_share=Decimal("30.00"),
            )
            for p in projects
            for index, o in enumerate(organisations)
        )
    return projects


ACTORS = ["anonymous", "other_partner", "member", "lead", "staff"]


def consortium_world(organisation, org_member, other_partner, staff, **project_fields):
    """A public running project coordinated by `organisation`, led by one of its people.

    Returns (project, users) where users maps each of ACTORS to a user (None for anonymous).
    """
    from tests.factories import MembershipFactory

    fields = {
        "stage": Project.Stage.RUNNING,
        "visibility": Project.Visibility.PUBLIC,
        "start_date": dt.date(2025, 1, 1),
        "end_date": dt.date(2027, 12, 31),
        "total_budget": Decimal("2400000.00"),
        "funding_amount": Decimal("1800000.00"),
        "funding_programme": "Demo-Programm",
        **project_fields,
    }
    project = ProjectFactory(acronym="DIANE", slug="diane", **fields)
    Participation.objects.create(
        project=project,
        organisation=organisation,
        role=Participation.Role.COORDINATOR,
        budget_share=Decimal("40.00"),
    )
    lead = MembershipFactory(organisation=organisation, role="member").user
    TeamMember.objects.create(project=project, user=lead, role=TeamMember.Role.LEAD)
    users = {
        "anonymous": None,
        "other_partner": other_partner,
        "member": org_member,
        "lead": lead,
        "staff": staff,
    }
    return project, users
