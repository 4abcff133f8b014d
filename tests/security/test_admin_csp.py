"""The admin works under the portal's Content-Security-Policy (nonces, no 'unsafe-inline').

Chromium reports every blocked script, style or image as a console error starting with
"Refused to"; a page that needs 'unsafe-inline' would leave such lines.
"""

import pytest
from django.conf import settings as django_settings
from django.test import Client

from tests.factories import MembershipFactory, OrganisationFactory, StaffFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in_as(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def test_admin_pages_raise_no_csp_violation(page, live_server, settings):
    settings.MFA_REQUIRED_FOR_PRIVILEGED = False
    superuser = StaffFactory(is_superuser=True)
    organisation = OrganisationFactory()
    member = MembershipFactory(organisation=organisation, role="admin").user
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text or "Refused to" in message.text
            else None
        ),
    )
    _log_in_as(page, live_server, superuser)

    pages = [
        "/admin/",
        "/admin/partners/organisation/",
        "/admin/partners/organisation/add/",
        f"/admin/partners/organisation/{organisation.pk}/change/",
        f"/admin/accounts/user/{member.pk}/change/",
        f"/admin/accounts/user/{member.pk}/password/",
        "/admin/accounts/user/add/",
        "/admin/projects/project/add/",
        "/admin/matchmaking/opportunity/add/",
        "/admin/accounts/apitoken/add/",
        "/admin/spinportal/auditrecord/",
    ]
    for path in pages:
        response = page.goto(path)
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
    # the admin's own scripts ran: the changelist's "select all" checkbox works
    page.goto("/admin/partners/organisation/")
    page.locator("#action-toggle").check()
    assert page.locator("input.action-select").first.is_checked()

    assert violations == []

    # the listener does see violations: an inline script injected into the page is refused
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.injected = 1'; document.body.appendChild(s); }"
    )
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.injected") is None
    assert len(violations) == 1
