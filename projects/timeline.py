"""The work-plan timeline as an inline SVG, built on the server.

Readable without colour: every work package and milestone has a text label, milestone states
have different marker shapes (done: circle, open: diamond, overdue: triangle) and a status word,
and today's date is a labelled dashed line. Styling uses presentation attributes only (the
CSP forbids style attributes and elements).
"""

import calendar
import datetime as dt

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

WIDTH = 960
LABEL_WIDTH = 300
RIGHT_MARGIN = 110
TOP = 44
ROW = 30
BAR_HEIGHT = 16
PLOT_WIDTH = WIDTH - LABEL_WIDTH - RIGHT_MARGIN
FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif" font-size="12"'
COLOURS = {
    "bar": "#0b5cab",
    "done": "#146c43",
    "open": "#0b5cab",
    "overdue": "#b02a37",
    "today": "#6f4e00",
    "grid": "#c9d3de",
    "text": "#1c2430",
}


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def project_months(start: dt.date, end: dt.date) -> int:
    """The project's duration in months; month 1 begins on the start date."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return months + 1 if end.day >= start.day else months


def _truncate(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def _short_date(day: dt.date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def _marker(state: str, x: float, y: float) -> str:
    colour = COLOURS[state]
    if state == "done":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="7" fill="{colour}" stroke="{colour}"/>'
    if state == "overdue":
        points = f"{x:.1f},{y - 8:.1f} {x + 8:.1f},{y + 7:.1f} {x - 8:.1f},{y + 7:.1f}"
        return (
            f'<polygon points="{points}" fill="{colour}" stroke="{colour}"/>'
            f'<text x="{x:.1f}" y="{y + 5:.1f}" text-anchor="middle" fill="#ffffff" '
            f'font-size="10" font-weight="700">!</text>'
        )
    points = f"{x:.1f},{y - 8:.1f} {x + 8:.1f},{y:.1f} {x:.1f},{y + 8:.1f} {x - 8:.1f},{y:.1f}"
    return f'<polygon points="{points}" fill="#ffffff" stroke="{colour}" stroke-width="2"/>'


def state_label(state: str) -> str:
    return {"done": _("done"), "open": _("open"), "overdue": _("overdue")}[state]


def timeline_svg(*, project, work_packages, milestones, today: dt.date) -> SafeString:
    """An accessible SVG timeline, or "" when the project has no start and end dates.

    `milestones` need a `state` attribute ("done", "open", "overdue"); see
    projects.selectors.workplan.milestone_state.
    """
    start, end = project.start_date, project.end_date
    if start is None or end is None:
        return mark_safe("")
    total_days = (end - start).days + 1
    months = project_months(start, end)

    def x_of(day: dt.date) -> float:
        offset = min(max((day - start).days, 0), total_days)
        return LABEL_WIDTH + offset / total_days * PLOT_WIDTH

    rows = len(work_packages) + len(milestones)
    height = TOP + max(rows, 1) * ROW + 70
    title_id = f"timeline-title-{project.pk}"
    desc_id = f"timeline-desc-{project.pk}"
    overdue = sum(1 for m in milestones if m.state == "overdue")
    description = _(
        "%(acronym)s runs from %(start)s to %(end)s (%(months)d months). "
        "%(packages)d work packages, %(milestones)d milestones, %(overdue)d of them overdue. "
        "Today is %(today)s."
    ) % {
        "acronym": project.acronym,
        "start": _short_date(start),
        "end": _short_date(end),
        "months": months,
        "packages": len(work_packages),
        "milestones": len(milestones),
        "overdue": overdue,
        "today": _short_date(today),
    }
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline-svg" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'aria-labelledby="{title_id} {desc_id}" {FONT} fill="{COLOURS["text"]}">',
        f'<title id="{title_id}">'
        f"{escape(_('Timeline of %(acronym)s') % {'acronym': project.acronym})}</title>",
        f'<desc id="{desc_id}">{escape(description)}</desc>',
    ]

    # Grid: a line and a label every six project months, and at the end.
    plot_bottom = TOP + max(rows, 1) * ROW
    grid_months = sorted({*range(1, months + 1, 6), months})
    parts.append('<g class="timeline-grid">')
    for month in grid_months:
        x = x_of(add_months(start, month - 1))
        parts.append(
            f'<line x1="{x:.1f}" y1="{TOP - 6}" x2="{x:.1f}" y2="{plot_bottom}" '
            f'stroke="{COLOURS["grid"]}" stroke-width="1"/>'
            f'<text x="{x:.1f}" y="{TOP - 10}" text-anchor="middle">'
            f"{escape(_('M%(month)d') % {'month': month})}</text>"
        )
    parts.append("</g>")

    y = TOP
    parts.append('<g class="timeline-work-packages">')
    for package in work_packages:
        bar_start = x_of(add_months(start, package.start_month - 1))
        bar_end = x_of(add_months(start, package.end_month))
        label = f"WP{package.number} {package.title}"
        span = _("M%(start)d–M%(end)d") % {"start": package.start_month, "end": package.end_month}
        lead = package.lead_organisation
        tooltip = f"{label}, {span}" + (
            ", " + _("lead: %(organisation)s") % {"organisation": lead.display_name} if lead else ""
        )
        parts.append(
            f'<g class="timeline-bar"><title>{escape(tooltip)}</title>'
            f'<text x="8" y="{y + 15}">{escape(_truncate(label, 44))}</text>'
            f'<rect x="{bar_start:.1f}" y="{y + 3}" width="{max(bar_end - bar_start, 2):.1f}" '
            f'height="{BAR_HEIGHT}" rx="3" fill="{COLOURS["bar"]}"/>'
            f'<text x="{bar_end + 6:.1f}" y="{y + 15}">{escape(span)}</text></g>'
        )
        y += ROW
    parts.append("</g>")

    parts.append('<g class="timeline-milestones">')
    for milestone in milestones:
        x = x_of(milestone.due_date)
        # Late in the period the date label goes to the left of the marker, inside the image.
        right_side = x < LABEL_WIDTH + PLOT_WIDTH * 0.7
        label_x, anchor = (x + 12, "start") if right_side else (x - 12, "end")
        label = f"{milestone.get_kind_display()}: {milestone.title}"
        status = state_label(milestone.state)
        tooltip = _("%(label)s, due %(date)s, %(status)s") % {
            "label": label,
            "date": _short_date(milestone.due_date),
            "status": status,
        }
        parts.append(
            f'<g class="timeline-milestone timeline-{milestone.state}">'
            f"<title>{escape(tooltip)}</title>"
            f'<text x="8" y="{y + 15}">{escape(_truncate(label, 44))}</text>'
            f"{_marker(milestone.state, x, y + 11)}"
            f'<text x="{label_x:.1f}" y="{y + 15}" text-anchor="{anchor}" '
            f'fill="{COLOURS[milestone.state]}" '
            f'font-weight="600">{escape(_short_date(milestone.due_date))} · '
            f"{escape(status)}</text></g>"
        )
        y += ROW
    parts.append("</g>")

    if start <= today <= end:
        x = x_of(today)
        parts.append(
            f'<g class="timeline-today"><line x1="{x:.1f}" y1="{TOP - 4}" x2="{x:.1f}" '
            f'y2="{plot_bottom + 4}" stroke="{COLOURS["today"]}" stroke-width="2" '
            f'stroke-dasharray="5 4"/>'
            f'<text x="{x:.1f}" y="{plot_bottom + 18}" text-anchor="middle" '
            f'fill="{COLOURS["today"]}" font-weight="700">'
            f"{escape(_('Today, %(date)s') % {'date': _short_date(today)})}</text></g>"
        )

    # Legend: the shapes with words, so that colour is never the only cue.
    legend_y = plot_bottom + 46
    parts.append(f'<g class="timeline-legend"><text x="8" y="{legend_y + 4}">')
    parts.append(f"{escape(_('Legend:'))}</text>")
    legend_x = 80
    for state in ("done", "open", "overdue"):
        parts.append(_marker(state, legend_x, legend_y))
        parts.append(
            f'<text x="{legend_x + 12}" y="{legend_y + 4}">{escape(state_label(state))}</text>'
        )
        legend_x += 110
    parts.append(
        f'<rect x="{legend_x - 8}" y="{legend_y - 6}" width="24" height="12" rx="3" '
        f'fill="{COLOURS["bar"]}"/><text x="{legend_x + 22}" y="{legend_y + 4}">'
        f"{escape(_('work package'))}</text></g>"
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text above is escaped
