"""The milestone calendar: exact iCalendar text (icalendar's property order), folding,
escaping, who may fetch it."""

import datetime as dt

import icalendar
import pytest
from django.urls import reverse

from projects.ical import milestones_calendar
from projects.models import Project
from projects.selectors.workplan import milestone_list
from tests.projects.factories_workplan import (
    MilestoneFactory,
    as_actor_factory,
    make_cast,
    make_project,
    statuses,
)

pytestmark = pytest.mark.usefixtures("english")

# Endpoints whose permission matrix this module asserts (tests/security/coverage.py).
COVERS = [
    "workplan:calendar",
]


@pytest.fixture
def project(db):
    return make_project(acronym="CAL", slug="cal")


@pytest.fixture
def cast(project, organisation, org_member, other_partner, staff):
    return make_cast(project, organisation, org_member, other_partner, staff)


@pytest.mark.django_db
def test_calendar_text_for_one_milestone(project, organisation, cast):
    milestone = MilestoneFactory(
        project=project,
        kind="deliverable",
        title="Report; part 1, draft",
        due_date=dt.date(2026, 3, 31),
        responsible_organisation=organisation,
    )
    # 23:30 in Berlin on 29 March 2026 (summer time) is 21:30 UTC
    now = dt.datetime(2026, 3, 29, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    text = milestones_calendar(
        project=project,
        milestones=milestone_list(project=project),
        now=now,
        project_url="https://portal.example/projects/cal/workplan/",
    )
    assert text.split("\r\n") == [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//SPIN Portal//Project milestones//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:CAL milestones",
        "X-WR-TIMEZONE:Europe/Berlin",
        "BEGIN:VEVENT",
        "SUMMARY:CAL Deliverable: Report\\; part 1\\, draft",
        "DTSTART;VALUE=DATE:20260331",
        "DTEND;VALUE=DATE:20260401",
        "DTSTAMP:20260329T213000Z",
        f"UID:milestone-{milestone.pk}-{project.public_id}@spin-portal",
        "CATEGORIES:Deliverable",
        f"DESCRIPTION:Status: Open\\nResponsible: {organisation.display_name}",
        "TRANSP:TRANSPARENT",
        "URL:https://portal.example/projects/cal/workplan/",
        "END:VEVENT",
        "END:VCALENDAR",
        "",
    ]


@pytest.mark.django_db
def test_long_and_odd_titles_are_folded_and_read_back_unchanged(project):
    title = "Bericht; Teil 1, Entwurf \\ " + "Ä" * 60
    MilestoneFactory(project=project, title=title, due_date=dt.date(2026, 5, 4))
    text = milestones_calendar(
        project=project,
        milestones=milestone_list(project=project),
        now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )
    lines = text.split("\r\n")
    assert max(len(line.encode()) for line in lines) <= 75  # folded, in octets
    [event] = icalendar.Calendar.from_ical(text).walk("VEVENT")
    assert str(event["SUMMARY"]) == f"CAL Milestone: {title}"
    assert event.decoded("DTSTART") == dt.date(2026, 5, 4)


@pytest.mark.django_db
def test_calendar_feed_matrix_and_headers(client, cast, project):
    MilestoneFactory(project=project, title="Kick-off", due_date=dt.date(2025, 1, 15))
    as_actor = as_actor_factory(client, cast)
    feed = reverse("workplan:calendar", kwargs={"slug": project.slug})
    assert statuses(as_actor, "get", feed) == [200] * 5
    response = as_actor("anonymous").get(feed)
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'inline; filename="cal-milestones.ics"'
    body = response.content.decode()
    assert "SUMMARY:CAL Milestone: Kick-off\r\n" in body
    assert "DTSTART;VALUE=DATE:20250115\r\n" in body
    Project.objects.filter(pk=project.pk).update(visibility=Project.Visibility.CONSORTIUM)
    assert statuses(as_actor, "get", feed) == [404, 404, 200, 200, 200]


@pytest.mark.django_db
def test_uids_are_stable(project):
    MilestoneFactory(project=project)
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    later = dt.datetime(2026, 2, 1, tzinfo=dt.UTC)

    def uids(moment):
        text = milestones_calendar(
            project=project, milestones=milestone_list(project=project), now=moment
        )
        return [line for line in text.split("\r\n") if line.startswith("UID:")]

    assert uids(now) == uids(later)
    assert len(uids(now)) == 1
