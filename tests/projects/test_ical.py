"""The milestone calendar: exact iCalendar text, folding, escaping, who may fetch it."""

import datetime as dt

import pytest
from django.urls import reverse

from projects.ical import escape_text, fold, milestones_calendar
from projects.models import Project
from projects.selectors.workplan import milestone_list
from tests.projects.factories_workplan import (
    MilestoneFactory,
    as_actor_factory,
    make_cast,
    make_project,
    statuses,
)

# Endpoints whose permission matrix this module asserts (tests/security/coverage.py).
COVERS = [
    "workplan:calendar",
]

BERLIN = [
    "BEGIN:VTIMEZONE",
    "TZID:Europe/Berlin",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "TZNAME:CEST",
    "DTSTART:19700329T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "TZNAME:CET",
    "DTSTART:19701025T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
]


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


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
        *BERLIN,
        "BEGIN:VEVENT",
        f"UID:milestone-{milestone.pk}-{project.public_id}@spin-portal",
        "DTSTAMP:20260329T213000Z",
        "DTSTART;VALUE=DATE:20260331",
        "DTEND;VALUE=DATE:20260401",
        "SUMMARY:CAL Deliverable: Report\\; part 1\\, draft",
        f"DESCRIPTION:Status: Open\\nResponsible: {organisation.display_name}",
        "TRANSP:TRANSPARENT",
        "CATEGORIES:Deliverable",
        "URL:https://portal.example/projects/cal/workplan/",
        "END:VEVENT",
        "END:VCALENDAR",
        "",
    ]


def test_escaping_and_folding():
    assert escape_text("a\\b;c,d\ne") == "a\\\\b\\;c\\,d\\ne"
    line = "SUMMARY:" + "Ä" * 60  # 8 + 120 octets
    folded = fold(line)
    parts = folded.split("\r\n")
    # 74, not 75: the next two-octet character would straddle the fold
    assert [len(part.encode()) for part in parts] == [74, 55]
    assert parts[1].startswith(" ")
    assert "".join(part.removeprefix(" ") for part in parts) == line  # no character split
    assert fold("SHORT:line") == "SHORT:line"


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
