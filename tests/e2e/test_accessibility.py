"""axe-core (WCAG 2.1 A/AA) over every page type, in German and English, in chromium.

axe-core comes from npm, pinned in tests/a11y/package.json: `npm ci --prefix tests/a11y`.
The pages keep their strict Content-Security-Policy: axe is evaluated through the DevTools
protocol (page.evaluate), which the policy does not govern, so no `bypass_csp` is needed and
the pages are checked exactly as they are served.
"""

import io
import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from tests.conftest import IN_CI, _require

# serialized_rollback: the seed needs the sectors and competences that migrations load.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

AXE_PATH = Path(__file__).resolve().parents[1] / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
# A11Y_SCREENSHOTS=dir saves a full-page screenshot of every page checked, to look at.
SCREENSHOTS = os.environ.get("A11Y_SCREENSHOTS", "")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
RUN_AXE = """tags => axe.run(document, {
    runOnly: {type: 'tag', values: tags},
    resultTypes: ['violations'],
}).then(result => result.violations.map(v => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + n.failureSummary),
})))"""


@pytest.fixture(scope="module")
def axe_source() -> str:
    _require(
        AXE_PATH.is_file(),
        "needs axe-core from npm: npm ci --prefix tests/a11y",
        strict=IN_CI,
    )
    return AXE_PATH.read_text(encoding="utf-8")


class Auditor:
    """Opens pages in one browser context and collects axe's violations per page."""

    def __init__(self, browser, live_server, language: str, axe_source: str):
        self.live_server = live_server
        self.axe_source = axe_source
        self.context = browser.new_context(
            locale=f"{language}-DE" if language == "de" else "en-GB",
            base_url=live_server.url,
        )
        self.context.add_cookies(
            [
                {
                    "name": settings.LANGUAGE_COOKIE_NAME,
                    "value": language,
                    "url": live_server.url,
                }
            ]
        )
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.language = language
        self.violations: list[str] = []
        self.checked: list[str] = []

    def log_in(self, user) -> None:
        """A session made by Django's test client, handed to the browser as its cookie."""
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        session_cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        self.context.clear_cookies(name=settings.SESSION_COOKIE_NAME)
        self.context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": session_cookie,
                    "url": self.live_server.url,
                }
            ]
        )

    def log_out(self) -> None:
        self.context.clear_cookies(name=settings.SESSION_COOKIE_NAME)

    def visit(self, name: str, path: str) -> None:
        response = self.page.goto(path)
        assert response is not None
        assert response.status == 200, f"{name}: {path} answered {response.status}"
        self.check(name)

    def check(self, name: str) -> None:
        page = self.page
        page.wait_for_load_state("load")
        expected_language = self.language
        assert page.locator("html").get_attribute("lang") == expected_language, name
        page.evaluate(self.axe_source)
        if SCREENSHOTS:
            slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
            page.screenshot(path=f"{SCREENSHOTS}/{slug}-{self.language}.png", full_page=True)
        for violation in page.evaluate(RUN_AXE, WCAG_TAGS):
            nodes = "\n      ".join(violation["nodes"])
            self.violations.append(
                f"[{self.language}] {name} ({page.url}): {violation['id']} "
                f"({violation['impact']}) {violation['help']}\n      {nodes}"
            )
        self.checked.append(name)

    def submit_without_browser_validation(self, button_selector: str) -> None:
        """Submits a form as a user whose browser did not stop them, to see the server's errors."""
        self.page.evaluate("document.querySelectorAll('form').forEach(f => f.noValidate = true)")
        with self.page.expect_navigation():
            self.page.locator(button_selector).first.click()
        errors = self.page.locator(".is-invalid, .invalid-feedback, .errorlist, .alert-danger")
        assert errors.count(), f"{self.page.url} shows no error"


@pytest.fixture
def cluster(db):
    """The demo cluster with matches, one accepted contact request with a conversation and
    notifications for the member who sent it."""
    from accounts.models import User
    from demo.seed import seed_cluster
    from matchmaking.models import Opportunity
    from matchmaking.services.contact_requests import (
        contact_request_accept,
        contact_request_create,
        message_create,
    )
    from partners.models import Organisation
    from projects.models import Project

    seed_cluster()
    call_command("recompute_matches", stdout=io.StringIO())  # in-process in tests
    member = User.objects.get(email="jonas.becker@demo.spin.example")
    admin = User.objects.get(email="anna.schmidt@demo.spin.example")
    siemens_admin = User.objects.get(email="markus.weber@demo.spin.example")
    siemens = Organisation.objects.get(slug="siemens")
    contact_request = contact_request_create(
        actor=member,
        receiver_organisation=siemens,
        message="Wir würden gern über Netzanschlüsse für unseren Prüfstand sprechen.",
    )
    contact_request = contact_request_accept(actor=siemens_admin, contact_request=contact_request)
    message_create(actor=siemens_admin, contact_request=contact_request, text="Gern, wann?")
    message_create(actor=member, contact_request=contact_request, text="Dienstag um 10 Uhr?")
    # a second, open request that the member received
    contact_request_create(
        actor=siemens_admin,
        receiver_organisation=Organisation.objects.get(slug="fh-dortmund"),
        message="Haben Sie Kapazität im Hochvoltlabor?",
    )
    own_opportunity = (
        Opportunity.objects.filter(
            organisation__slug="fh-dortmund", status="published", matches__isnull=False
        )
        .distinct()
        .first()
    )
    assert own_opportunity is not None, "the demo data should give FH Dortmund a matched offer"
    return {
        "member": member,
        "admin": admin,
        "contact_request": contact_request,
        "opportunity": own_opportunity,
        "project": Project.objects.order_by("pk").first(),
    }


@pytest.mark.parametrize("language", ["de", "en"])
def test_every_page_type_has_no_wcag_21_aa_violation(
    browser, live_server, settings, axe_source, cluster, language
):
    settings.ALLOWED_HOSTS = ["*"]
    auditor = Auditor(browser, live_server, language, axe_source)
    page = auditor.page
    opportunity = cluster["opportunity"]
    contact_request = cluster["contact_request"]

    # given an anonymous visitor
    auditor.visit("home (anonymous)", "/")
    auditor.visit("organisation directory", "/organisations/")
    auditor.visit("organisation directory (search)", "/organisations/?q=Wasserstoff")
    auditor.visit("organisation page", "/organisations/fh-dortmund/")
    auditor.visit("project list", "/projects/")
    auditor.visit("project page", f"/projects/{cluster['project'].slug}/")
    auditor.visit("log-in", "/account/login/")
    auditor.visit("password reset", "/account/password/reset/")
    auditor.visit("sign-up", "/account/signup/")
    page.locator("#id_email").fill("not-an-address")
    auditor.submit_without_browser_validation("form[action$='/signup/'] button[type=submit]")
    auditor.check("sign-up with errors")
    page.goto("/account/login/")
    page.locator("#id_login").fill("nobody@example.org")
    page.locator("#id_password").fill("wrong password")
    auditor.submit_without_browser_validation("form[action$='/login/'] button[type=submit]")
    auditor.check("log-in with errors")

    # when a member of an organisation is logged in
    auditor.log_in(cluster["member"])
    auditor.visit("home (member)", "/")
    auditor.visit("people directory", "/people/")
    auditor.visit("opportunity list", "/opportunities/")
    auditor.visit("opportunity page", f"/opportunities/{opportunity.public_id}/")
    auditor.visit("matches for you", "/opportunities/for-you/")
    auditor.visit("contact requests", "/contact-requests/")
    auditor.visit("conversation", f"/contact-requests/{contact_request.public_id}/")
    auditor.visit("new contact request", "/contact-requests/new/?organisation=siemens")
    auditor.visit("notifications", "/notifications/")
    auditor.visit("notification preferences", "/notifications/preferences/")
    auditor.visit("e-mail addresses", "/account/email/")
    auditor.visit("password change", "/account/password/change/")
    auditor.visit("two-factor authentication", "/account/2fa/")
    auditor.visit("API tokens", "/account/tokens/")
    auditor.visit("profile", "/account/profile/")
    auditor.visit("my organisations", "/people/me/organisations/")
    auditor.visit("opportunity form", "/opportunities/new/")
    auditor.submit_without_browser_validation("form.opportunity-form button[type=submit]")
    auditor.check("opportunity form with errors")

    # when an organisation's administrator looks at its offer and edits its profile wrongly
    auditor.log_in(cluster["admin"])
    auditor.visit("opportunity page with matches", f"/opportunities/{opportunity.public_id}/")
    assert page.locator(".match-list > li").count(), "the opportunity page should list matches"
    auditor.visit("organisation form", "/organisations/fh-dortmund/edit/")
    page.locator("#id_name").fill("")
    page.locator("#id_website").fill("no web address")
    auditor.submit_without_browser_validation("main form[method=post] button[type=submit]")
    auditor.check("organisation form with errors")
    auditor.visit("organisation members", "/organisations/fh-dortmund/members/")
    auditor.context.close()

    # then axe finds nothing on any of them
    assert len(auditor.checked) >= 32
    assert not auditor.violations, (
        f"{len(auditor.violations)} WCAG 2.1 A/AA violations:\n" + "\n".join(auditor.violations)
    )
