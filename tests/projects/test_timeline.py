"""The timeline SVG: bars, markers by state, today line, text labels, escaping."""

import datetime as dt
import re

import pytest

from projects.models import Project
from projects.selectors.workplan import project_workplan_context
from projects.timeline import add_months, project_months
from tests.projects.factories_workplan import MilestoneFactory, WorkPackageFactory, make_project

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def project(db):
    return make_project(acronym="TL", slug="tl")


def svg_for(project, today):
    return str(project_workplan_context(project=project, user=None, today=today)["timeline_svg"])


@pytest.mark.django_db
def test_timeline_has_bars_markers_today_and_labels(project):
    # given two work packages and one milestone in each state
    WorkPackageFactory(project=project, number=1, title="Analysis", start_month=1, end_month=12)
    WorkPackageFactory(project=project, number=2, title="Pilot", start_month=13, end_month=36)
    MilestoneFactory(project=project, title="Kick-off", due_date=dt.date(2025, 2, 1), status="done")
    MilestoneFactory(project=project, title="Concept", due_date=dt.date(2025, 12, 1))
    MilestoneFactory(project=project, title="Pilot live", due_date=dt.date(2026, 9, 1))
    # when the timeline is drawn on 1 January 2026
    svg = svg_for(project, dt.date(2026, 1, 1))
    # then it is an accessible image with a title and a description
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" class="timeline-svg" role="img"')
    assert f'aria-labelledby="timeline-title-{project.pk} timeline-desc-{project.pk}"' in svg
    assert f'<title id="timeline-title-{project.pk}">Timeline of TL</title>' in svg
    assert (
        f'<desc id="timeline-desc-{project.pk}">TL runs from 01/01/2025 to 31/12/2027 '
        "(36 months). 2 work packages, 3 milestones, 1 of them overdue. "
        "Today is 01/01/2026.</desc>"
    ) in svg
    # bars with text labels and month spans; the second starts where the first ends
    bars = re.findall(r'<g class="timeline-bar">.*?</g>', svg)
    assert len(bars) == 2
    assert ">WP1 Analysis</text>" in bars[0]
    assert ">M1–M12</text>" in bars[0]
    assert ">WP2 Pilot</text>" in bars[1]
    assert ">M13–M36</text>" in bars[1]
    first_end = re.search(r'<rect x="([\d.]+)" y="\d+" width="([\d.]+)"', bars[0])
    second_start = re.search(r'<rect x="([\d.]+)"', bars[1])
    assert float(first_end[1]) + float(first_end[2]) == pytest.approx(float(second_start[1]), 0.2)
    # one marker shape per state, each with its status word
    done = re.search(r'<g class="timeline-milestone timeline-done">.*?</g>', svg)[0]
    assert "<circle" in done
    assert "01/02/2025 · done</text>" in done
    overdue = re.search(r'<g class="timeline-milestone timeline-overdue">.*?</g>', svg)[0]
    assert "<polygon" in overdue
    assert ">!</text>" in overdue
    assert "01/12/2025 · overdue</text>" in overdue
    open_ = re.search(r'<g class="timeline-milestone timeline-open">.*?</g>', svg)[0]
    assert "<polygon" in open_
    assert "01/09/2026 · open</text>" in open_
    # today is a labelled dashed line
    today = re.search(r'<g class="timeline-today">.*?</g>', svg)[0]
    assert 'stroke-dasharray="5 4"' in today
    assert ">Today, 01/01/2026</text>" in today
    # and the legend explains the shapes in words
    assert re.search(
        r'<g class="timeline-legend">.*>done</text>.*>open</text>.*>overdue</text>', svg
    )
    assert "style=" not in svg
    assert "<style" not in svg


@pytest.mark.django_db
def test_timeline_escapes_titles(project):
    WorkPackageFactory(project=project, title='<script>alert("x")</script>')
    svg = svg_for(project, dt.date(2026, 1, 1))
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg


@pytest.mark.django_db
def test_no_today_line_outside_the_project_and_no_svg_without_dates(project):
    assert 'class="timeline-today"' not in svg_for(project, dt.date(2030, 1, 1))
    Project.objects.filter(pk=project.pk).update(end_date=None)
    project.refresh_from_db()
    assert svg_for(project, dt.date(2026, 1, 1)) == ""


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (dt.date(2025, 1, 1), dt.date(2027, 12, 31), 36),
        (dt.date(2025, 1, 15), dt.date(2026, 1, 14), 12),
        (dt.date(2025, 1, 15), dt.date(2026, 1, 15), 13),
        (dt.date(2025, 3, 1), dt.date(2025, 3, 1), 1),
    ],
)
def test_project_months(start, end, months):
    assert project_months(start, end) == months


def test_add_months_keeps_the_day_within_the_month():
    assert add_months(dt.date(2025, 1, 31), 1) == dt.date(2025, 2, 28)
    assert add_months(dt.date(2025, 11, 15), 3) == dt.date(2026, 2, 15)
