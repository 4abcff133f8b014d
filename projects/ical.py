"""An iCalendar (RFC 5545) feed of a project's milestones, written by hand.

Milestones are all-day events (DTSTART;VALUE=DATE, DTEND the day after): a due date is a calendar
day in Europe/Berlin, not an instant, so it stays on the same day in every client. DTSTAMP is
UTC. UIDs depend only on the milestone and the project, so clients update events instead of
duplicating them. Lines are folded at 75 octets without splitting UTF-8 characters.
"""

import datetime as dt

from django.utils.translation import gettext as _

CRLF = "\r\n"
PRODID = "-//SPIN Portal//Project milestones//EN"
UID_DOMAIN = "spin-portal"

# Europe/Berlin since 1996 (EU rules): referenced by X-WR-TIMEZONE for clients that show it.
VTIMEZONE_BERLIN = [
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


def escape_text(value: str) -> str:
    """TEXT value escaping: backslash, semicolon, comma, newlines."""
    return (
        str(value)
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\r", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Folds a content line into chunks of at most 75 octets (continuations start with a
    space, which counts towards the 75)."""
    encoded = line.encode()
    if len(encoded) <= 75:
        return line
    chunks, current, limit = [], b"", 75
    for char in line:
        piece = char.encode()
        if len(current) + len(piece) > limit:
            chunks.append(current.decode())
            current, limit = b"", 74
        current += piece
    chunks.append(current.decode())
    return (CRLF + " ").join(chunks)


def _date(day: dt.date) -> str:
    return day.strftime("%Y%m%d")


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def milestone_uid(milestone, project) -> str:
    return f"milestone-{milestone.pk}-{project.public_id}@{UID_DOMAIN}"


def milestones_calendar(*, project, milestones, now: dt.datetime, project_url: str = "") -> str:
    """The VCALENDAR text (CRLF line ends) for `milestones` of `project`."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(_('%(acronym)s milestones') % {'acronym': project.acronym})}",
        "X-WR-TIMEZONE:Europe/Berlin",
        *VTIMEZONE_BERLIN,
    ]
    stamp = _utc(now)
    for milestone in milestones:
        details = [
            f"{_('Status')}: {milestone.get_status_display()}",
        ]
        if milestone.work_package_id:
            details.append(f"{_('Work package')}: {milestone.work_package}")
        if milestone.responsible_organisation_id:
            details.append(f"{_('Responsible')}: {milestone.responsible_organisation.display_name}")
        event = [
            "BEGIN:VEVENT",
            f"UID:{milestone_uid(milestone, project)}",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{_date(milestone.due_date)}",
            f"DTEND;VALUE=DATE:{_date(milestone.due_date + dt.timedelta(days=1))}",
            "SUMMARY:"
            + escape_text(f"{project.acronym} {milestone.get_kind_display()}: {milestone.title}"),
            "DESCRIPTION:" + escape_text("\n".join(details)),
            "TRANSP:TRANSPARENT",
            f"CATEGORIES:{escape_text(milestone.get_kind_display())}",
        ]
        if project_url:
            event.append(f"URL:{project_url}")
        event.append("END:VEVENT")
        lines.extend(event)
    lines.append("END:VCALENDAR")
    return CRLF.join(fold(line) for line in lines) + CRLF
