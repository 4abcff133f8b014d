"""Invite → accept → edit the organisation profile → find it in the directory, in chromium."""

import re

import pytest
from django.core import mail

from tests.factories import TEST_PASSWORD, MembershipFactory, OrganisationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, email: str) -> None:
    page.goto("/account/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(TEST_PASSWORD)
    page.locator("form[action='/account/login/'] button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/$"))


def test_invite_accept_edit_and_find(page, browser, live_server):
    organisation = OrganisationFactory(name="Ruhr Prüftechnik GmbH", slug="ruhr-prueftechnik")
    admin = MembershipFactory(
        organisation=organisation, role="admin", user__email="admin@example.org"
    ).user
    UserFactory(email="neu@example.org", full_name="Nora Neu")
    page.context.add_cookies([{"name": "spin_language", "value": "en", "url": live_server.url}])

    # given the organisation's admin invites a colleague as administrator
    log_in(page, admin.email)
    page.goto("/organisations/ruhr-prueftechnik/")
    page.get_by_role("link", name="Manage members").click()
    page.get_by_label("E-mail address").fill("neu@example.org")
    page.locator("#id_role").select_option("admin")
    page.get_by_role("button", name="Send invitation").click()
    page.get_by_text("neu@example.org").first.wait_for()

    # then an invitation mail with a signed link arrives
    invitation_mails = [m for m in mail.outbox if m.to == ["neu@example.org"]]
    assert len(invitation_mails) == 1
    link = re.search(r"https?://\S+/invitations/\S+/", invitation_mails[0].body).group(0)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]

    # when the colleague logs in (another browser) and accepts
    context = browser.new_context(base_url=live_server.url)
    context.add_cookies([{"name": "spin_language", "value": "en", "url": live_server.url}])
    colleague = context.new_page()
    log_in(colleague, "neu@example.org")
    colleague.goto(path)
    colleague.get_by_role("button", name="Accept the invitation").click()

    # then they can edit the organisation's profile
    colleague.goto("/organisations/ruhr-prueftechnik/")
    colleague.get_by_role("link", name="Edit profile").click()
    colleague.locator("#id_description_de").fill(
        "Wir prüfen Hochvolt-Isolationen mit Teilentladungsmessung."
    )
    colleague.locator("#id_description_en").fill(
        "We test high-voltage insulation with Teilentladungsmessung (partial discharge)."
    )
    colleague.get_by_role("button", name="Save").click()
    colleague.wait_for_url(re.compile(r".*/organisations/ruhr-prueftechnik/$"))
    assert colleague.get_by_text("Teilentladungsmessung").first.is_visible()

    # and anyone finds the organisation in the directory by the new text
    colleague.goto("/organisations/")
    colleague.get_by_role("searchbox", name="Search").fill("Teilentladungsmessung")
    colleague.get_by_role("button", name="Search").click()
    colleague.wait_for_url(re.compile(r".*Teilentladungsmessung.*"))
    assert colleague.get_by_role("link", name="Ruhr Prüftechnik GmbH").is_visible()
    context.close()
