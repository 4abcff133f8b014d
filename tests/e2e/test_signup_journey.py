"""Sign up, verify the e-mail address and log in through the real pages in chromium."""

import re

import pytest
from django.core import mail

from accounts.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-browser-passphrase-2026"


def test_sign_up_verify_and_log_in(page, live_server):
    # given a visitor on the German home page
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "de"

    # when they sign up through the form
    page.get_by_role("link", name="Registrieren").first.click()
    page.get_by_label("Vollständiger Name").fill("Erika Mustermann")
    page.get_by_label("E-Mail-Adresse", exact=False).first.fill("erika@example.org")
    page.locator("#id_password1").fill(PASSWORD)
    page.get_by_label("Passwort (Wiederholung)").fill(PASSWORD)
    page.get_by_role("button", name="Registrieren").click()

    # then they are asked to confirm their address, and a mail with a link arrives
    page.wait_for_url("**/account/confirm-email/")
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/account/confirm-email/\S+/", mail.outbox[0].body).group(0)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]

    # when they open the link and confirm
    page.goto(path)
    page.get_by_role("button", name="Bestätigen").click()

    # then they are logged in: the user menu shows their first name
    page.wait_for_url(live_server.url + "/")
    user_menu = page.get_by_role("button", name="Erika")
    assert user_menu.is_visible()

    # when they log out and log in again with their password
    user_menu.click()
    page.get_by_role("button", name="Abmelden").click()
    page.wait_for_url(live_server.url + "/")
    assert page.get_by_role("button", name="Erika").count() == 0
    page.goto("/account/login/")
    page.get_by_label("E-Mail").fill("erika@example.org")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()

    # then they are back, logged in
    page.wait_for_url(live_server.url + "/")
    assert page.get_by_role("button", name="Erika").is_visible()
    assert User.objects.get(email="erika@example.org").full_name == "Erika Mustermann"
