"""An iCalendar (RFC 5545) feed of a project's milestones, built with the `icalendar` library
(escaping, folding at 75 octets, line ends).

Milestones are all-day events (DTSTART;VALUE=DATE, DTEND the day after): a due date is a calendar
day in Europe/Berlin, not an instant, so it stays on the same day in every client. DTSTAMP is
UTC. UIDs depend only on the milestone and the project, so clients update events instead of
duplicating them.
"""

import datetime as dt

import icalendar
from django.utils.translation import gettext as _

PRODID = "-//SPIN Portal//Project milestones//EN"
UID_DOMAIN = "spin-portal"


def milestone_uid(milestone, project) -> str:
    return f"milestone-{milestone.pk}-{project.public_id}@{UID_DOMAIN}"


def _event(milestone, project, *, stamp: dt.datetime, project_url: str) -> icalendar.Event:
    details = [f"{_('Status')}: {milestone.get_status_display()}"]
    if milestone.work_package_id:
        details.append(f"{_('Work package')}: {milestone.work_package}")
    if milestone.responsible_organisation_id:
        details.append(f"{_('Responsible')}: {milestone.responsible_organisation.display_name}")
    event = icalendar.Event()
    event.add("uid", milestone_uid(milestone, project))
    event.add("dtstamp", stamp)
    event.add("dtstart", milestone.due_date)
    event.add("dtend", milestone.due_date + dt.timedelta(days=1))
    event.add("summary", f"{project.acronym} {milestone.get_kind_display()}: {milestone.title}")
    event.add("description", "\n".join(details))
    event.add("transp", "TRANSPARENT")
    event.add("categories", [milestone.get_kind_display()])
    if project_url:
        event.add("url", project_url)
    return event


def milestones_calendar(*, project, milestones, now: dt.datetime, project_url: str = "") -> str:
    """The VCALENDAR text (CRLF line ends) for `milestones` of `project`."""
    calendar = icalendar.Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", PRODID)
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", _("%(acronym)s milestones") % {"acronym": project.acronym})
    # All-day events reference no zone (no VTIMEZONE needed); clients that show a calendar's
    # zone read this one.
    calendar.add("x-wr-timezone", "Europe/Berlin")
    stamp = now.astimezone(dt.UTC)
    for milestone in milestones:
        calendar.add_component(_event(milestone, project, stamp=stamp, project_url=project_url))
    return calendar.to_ical().decode()
