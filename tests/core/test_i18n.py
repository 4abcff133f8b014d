import datetime as dt

import pytest
from django.urls import reverse
from django.utils import formats, translation

from accounts.services import api_token_create

pytestmark = pytest.mark.django_db


def test_german_is_the_default(client):
    response = client.get(reverse("home"))
    assert response["Content-Language"] == "de"
    html = response.content.decode()
    assert '<html lang="de">' in html
    assert "Zum Hauptinhalt springen" in html


def test_browser_language_english_is_honoured(client):
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert response["Content-Language"] == "en"
    assert "Skip to main content" in response.content.decode()


def test_language_switch_sets_cookie_and_keeps_the_page(client):
    # given a visitor on the imprint in German
    assert "Impressum" in client.get(reverse("imprint")).content.decode()

    # when they switch to English
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("imprint")})

    # then they stay on the same page, in English, without a language prefix in the URL
    assert response.status_code == 302
    assert response["Location"] == "/impressum/"
    assert response.cookies["spin_language"].value == "en"
    page = client.get(reverse("imprint")).content.decode()
    assert '<html lang="en">' in page
    assert "<h1>Imprint</h1>" in page

    client.post(reverse("set_language"), {"language": "de", "next": "/"})
    assert "<h1>Impressum</h1>" in client.get(reverse("imprint")).content.decode()


def test_dates_are_localised_in_berlin_time(client, user):
    token, _key = api_token_create(user=user, name="t", scope="read")
    # 23:30 UTC on 31 December is already 1 January in Berlin
    token.created_at = dt.datetime(2025, 12, 31, 23, 30, tzinfo=dt.UTC)
    token.save(update_fields=["created_at"])
    client.force_login(user)
    assert "01.01.2026 00:30" in client.get(reverse("accounts:api_tokens")).content.decode()
    client.cookies["spin_language"] = "en"
    assert "01/01/2026 00:30" in client.get(reverse("accounts:api_tokens")).content.decode()


def test_numbers_are_localised():
    with translation.override("de"):
        assert formats.number_format(1234567.5, 2, use_l10n=True, force_grouping=True) == (
            "1.234.567,50"
        )
    with translation.override("en"):
        assert formats.number_format(1234567.5, 2, use_l10n=True, force_grouping=True) == (
            "1,234,567.50"
        )
