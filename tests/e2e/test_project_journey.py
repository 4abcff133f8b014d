"""A project lead's journey through the real pages in chromium: create a project, build the
consortium. The steps are functions so that later parts (work plan, news, documents) can extend
the journey: each takes the Playwright page and leaves it on the project's detail page."""

import re

import pytest

from projects.models import Participation, Project, TeamMember
from tests.factories import TEST_PASSWORD, MembershipFactory, OrganisationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, email: str) -> None:
    page.goto("/account/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(TEST_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/$"))


def create_project(page, *, acronym: str, title: str, coordinator: str) -> None:
    """From the project list to the new project's page, as its lead."""
    page.goto("/projects/")
    page.locator("a[href='/projects/new/']").first.click()
    page.locator("#id_acronym").fill(acronym)
    page.locator("#id_title_de").fill(title)
    page.locator("#id_summary_de").fill("Ein Projekt aus dem Browsertest.")
    page.locator("#id_stage").select_option("running")
    page.locator("#id_start_date").fill("2026-01-01")
    page.locator("#id_end_date").fill("2028-12-31")
    page.locator("#id_total_budget").fill("1000000")
    page.locator("#id_funding_amount").fill("750000")
    page.locator("#id_coordinator").select_option(label=coordinator)
    page.locator("form.project-form button[type=submit]").click()
    page.wait_for_url(f"**/projects/{acronym.lower()}/")


def add_partner(page, *, organisation: str, role: str, budget_share: str) -> None:
    """From the project page to the consortium page and back."""
    page.locator("a[href$='/consortium/']").first.click()
    form = page.locator("form.participation-form")
    form.locator("#id_organisation").fill(organisation)
    form.locator("#id_role").select_option(role)
    form.locator("#id_budget_share").fill(budget_share)
    form.locator("button[type=submit]").click()


def test_lead_creates_project_and_builds_consortium(page, live_server):
    # given an organisation admin and another active organisation in the portal
    coordinator = OrganisationFactory(name="Fachhochschule Dortmund", slug="fh-dortmund")
    OrganisationFactory(name="Siemens AG", slug="siemens")
    lead = MembershipFactory(organisation=coordinator, role="admin").user
    log_in(page, lead.email)

    # when they create a funded and running project with their organisation as coordinator
    create_project(
        page,
        acronym="KV-BATT-Tech",
        title="Hochvolt-Batterietechnik",
        coordinator="Fachhochschule Dortmund",
    )

    # then they are its lead and the project page shows it with its coordinator
    project = Project.objects.get(acronym="KV-BATT-Tech")
    assert list(TeamMember.objects.filter(project=project).values_list("user", "role")) == [
        (lead.pk, "lead")
    ]
    assert "KV-BATT-Tech" in page.locator("h1").inner_text()
    consortium = page.locator("table.consortium-table")
    assert "Fachhochschule Dortmund" in consortium.inner_text()

    # when they add Siemens with a share that would exceed 100 %
    add_partner(page, organisation="siemens", role="partner", budget_share="120")

    # then the share is refused with the field named, and nothing was saved
    assert page.locator("#id_budget_share").get_attribute("aria-invalid") == "true"
    assert Participation.objects.filter(project=project).count() == 1

    # when they correct the share
    page.locator("#id_budget_share").fill("25")
    page.locator("form.participation-form button[type=submit]").click()
    page.wait_for_url(f"**/projects/{project.slug}/consortium/")

    # then Siemens is a partner with its share, and the public page lists it
    row = page.locator("table.consortium-table tr", has_text="Siemens AG")
    assert "25" in row.inner_text()
    assert Participation.objects.get(project=project, organisation__slug="siemens").role == (
        "partner"
    )
    page.goto(f"/projects/{project.slug}/")
    assert "Siemens AG" in page.locator("table.consortium-table").inner_text()

    # the work-plan part continues the journey here: milestones, news, documents
