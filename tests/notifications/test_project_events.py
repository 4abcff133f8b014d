import datetime as dt

import pytest
from django.utils import timezone

from notifications.models import Notification
from projects.models import Milestone, ParticipationRequest
from projects.notifications import milestone_deadlines
from projects.services.consortium import (
    participation_request_accept,
    participation_request_create,
)
from projects.services.content import news_post_create
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    ParticipationFactory,
    ProjectFactory,
)
from tests.projects.factories import TeamMemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def project_world():
    project = ProjectFactory(
        acronym="DIANE", start_date=dt.date(2024, 1, 1), end_date=dt.date(2030, 12, 31)
    )
    coordinator = OrganisationFactory()
    ParticipationFactory(project=project, organisation=coordinator, role="coordinator")
    lead = MembershipFactory(organisation=coordinator).user
    TeamMemberFactory(project=project, user=lead, role="lead")
    colleague = MembershipFactory(organisation=coordinator).user
    outsider = MembershipFactory().user
    return project, coordinator, lead, colleague, outsider


def recipients(event_type):
    return sorted(
        Notification.objects.filter(event_type=event_type).values_list("recipient_id", flat=True)
    )


def test_news_reaches_the_consortium_but_not_the_author_or_outsiders(project_world):
    project, _coordinator, lead, colleague, outsider = project_world
    news_post_create(
        actor=lead,
        project=project,
        title="Kick-off",
        text="Los geht's",
        published_at=timezone.now(),
    )
    assert recipients("project.news") == [colleague.pk]
    assert Notification.objects.get().context == {"project": "DIANE", "title": "Kick-off"}


def test_participation_request_tells_the_leads_and_the_answer_the_requester(project_world):
    project, _coordinator, lead, _colleague, _outsider = project_world
    joining = OrganisationFactory()
    requester = MembershipFactory(organisation=joining, role="admin").user
    request = participation_request_create(
        actor=requester, project=project, organisation=joining, message="Wir möchten mitmachen"
    )
    assert recipients("participation_request.received") == [lead.pk]

    participation_request_accept(actor=lead, participation_request=request)
    assert recipients("participation_request.answered") == [requester.pk]
    answered = Notification.objects.get(event_type="participation_request.answered")
    assert answered.context["accepted"] is True
    assert ParticipationRequest.objects.get().status == "accepted"


def test_milestone_deadlines_are_told_once_to_the_responsible_team(project_world):
    project, coordinator, lead, colleague, outsider = project_world
    TeamMemberFactory(project=project, user=colleague, role="member")
    today = dt.date(2026, 11, 24)
    Milestone.objects.create(
        project=project,
        title="Prototyp",
        due_date=today + dt.timedelta(7),
        responsible_organisation=coordinator,
    )
    Milestone.objects.create(
        project=project,
        title="Bericht",
        due_date=today - dt.timedelta(1),
        responsible_organisation=coordinator,
    )
    Milestone.objects.create(
        project=project,
        title="Fertig",
        due_date=today - dt.timedelta(3),
        responsible_organisation=coordinator,
        status="done",
    )

    assert milestone_deadlines(today=today) == 2
    assert milestone_deadlines(today=today) == 2  # runs again: nothing new is written
    assert recipients("milestone.due") == sorted([lead.pk, colleague.pk])
    assert recipients("milestone.overdue") == sorted([lead.pk, colleague.pk])
    assert Notification.objects.count() == 4
    assert outsider.notifications.count() == 0
