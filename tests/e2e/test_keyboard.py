"""The main journey with the keyboard alone (Tab, Shift+Tab, Enter, Space, typing), in chromium:
skip link, log in, directory, search, organisation page, contact request. Every element that Tab
reaches must show where the focus is (an outline or a box shadow)."""

import re

import pytest

from matchmaking.models import ContactRequest
from tests.factories import TEST_PASSWORD, MembershipFactory, OrganisationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOCUSED = """() => {
    const element = document.activeElement;
    const style = getComputedStyle(element);
    const box = element.getBoundingClientRect();
    return {
        tag: element.tagName.toLowerCase(),
        id: element.id,
        classes: element.className || '',
        href: element.getAttribute('href') || '',
        type: element.getAttribute('type') || '',
        text: (element.innerText || element.value || '').trim().slice(0, 80),
        outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0,
        shadow: style.boxShadow !== 'none' && style.boxShadow !== '',
        visible: box.width > 0 && box.height > 0,
    };
}"""


def focused(page) -> dict:
    return page.evaluate(FOCUSED)


def assert_visible_focus(focus: dict) -> None:
    assert focus["visible"], f"the focused element is not on screen: {focus}"
    assert focus["outline"] or focus["shadow"], f"the focus is not visible on {focus}"


def tab_to(page, is_target, *, backwards: bool = False, limit: int = 80) -> dict:
    """Presses Tab (or Shift+Tab) until the focused element is the target; on the way every
    focused element must show its focus."""
    key = "Shift+Tab" if backwards else "Tab"
    seen = []
    for _ in range(limit):
        page.keyboard.press(key)
        focus = focused(page)
        assert_visible_focus(focus)
        if is_target(focus):
            return focus
        seen.append(focus["text"] or focus["id"] or focus["href"])
    raise AssertionError(f"{key} never reached the target; focus went through {seen}")


def test_main_journey_with_the_keyboard_only(page, live_server):
    # given a member of one organisation and another organisation to be found
    member = MembershipFactory(
        organisation__name="Anlagenbau Ruhr GmbH", user__full_name="Tara Tastatur"
    ).user
    target = OrganisationFactory(
        name="Institut für Elektrolyse",
        slug="institut-elektrolyse",
        kind="research_institute",
        keywords="Elektrolyse, Wasserstoff",
    )
    page.goto("/")

    # when the first Tab lands on the skip link and Enter follows it
    skip = tab_to(page, lambda f: "skip-link" in f["classes"], limit=1)
    assert skip["href"] == "#main"
    page.keyboard.press("Enter")
    # then the focus is in the main content, and Tab goes on from there
    assert focused(page)["id"] == "main"
    page.keyboard.press("Tab")
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)")
    assert_visible_focus(focused(page))

    # when the visitor goes back up to the log-in link in the header and logs in
    tab_to(page, lambda f: f["href"] == "/account/login/", backwards=True)
    page.keyboard.press("Enter")
    page.wait_for_url("**/account/login/")
    tab_to(page, lambda f: f["id"] == "id_login")
    page.keyboard.type(member.email)
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "id_password"
    page.keyboard.type(TEST_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/account/login/" not in page.url, "the log-in failed"

    # then the header offers the member's menu; they open the directory from the navigation
    tab_to(page, lambda f: f["href"] == "/organisations/")
    page.keyboard.press("Enter")
    page.wait_for_url("**/organisations/")

    # when they search for the competence
    tab_to(page, lambda f: f["id"] == "id_q")
    page.keyboard.type("Elektrolyse")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*q=Elektrolyse.*"))
    result = page.get_by_role("link", name="Institut für Elektrolyse")
    result.wait_for()

    # then they reach the result with Tab and open it with Enter
    tab_to(page, lambda f: f["href"] == "/organisations/institut-elektrolyse/")
    page.keyboard.press("Enter")
    page.wait_for_url("**/organisations/institut-elektrolyse/")

    # when they send a contact request: Enter on the link, type, Space on the button
    tab_to(page, lambda f: "/contact-requests/new/" in f["href"])
    page.keyboard.press("Enter")
    page.wait_for_url("**/contact-requests/new/**")
    tab_to(page, lambda f: f["id"] == "id_message")
    page.keyboard.type("Wir suchen einen Partner für Elektrolyse-Tests.")
    tab_to(page, lambda f: f["tag"] == "button" and f["type"] == "submit")
    page.keyboard.press("Space")
    page.wait_for_url(re.compile(r".*/contact-requests/[0-9a-f-]{36}/$"))

    # then the request exists, from the member's organisation to the one they found
    contact_request = ContactRequest.objects.get()
    assert contact_request.receiver_organisation == target
    assert contact_request.sender_organisation == member.memberships.get().organisation
    assert contact_request.message == "Wir suchen einen Partner für Elektrolyse-Tests."
