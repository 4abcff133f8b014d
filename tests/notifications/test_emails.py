"""The notification e-mail as Django's backend sends it (notifications.emails._message)."""

import email.policy
import re
from email.parser import BytesParser

import pytest

from notifications.emails import _message, message_id

UNSUBSCRIBE = "http://127.0.0.1:8000/notifications/unsubscribe/token/"


def _parse(message):
    return BytesParser(policy=email.policy.default).parsebytes(message.message().as_bytes())


def _example(**overrides):
    fields = {
        "to": "anna@example.org",
        "subject": "Ihre tägliche Zusammenfassung\naus dem SPIN Portal",
        "text": "Neue Nachricht von Jörg: „Hallo“\n",
        "html": "<p>Jörg schrieb: „Hallo“</p>\n",
        "key": "email:message.received:1:7",
        "unsubscribe": UNSUBSCRIBE,
    }
    return _message(**{**fields, **overrides})


def test_the_message_carries_a_stable_message_id_and_one_click_unsubscribe():
    parsed = _parse(_example())
    assert parsed["Message-ID"] == message_id("email:message.received:1:7")
    assert parsed["Message-ID"] == _parse(_example())["Message-ID"]  # the same when resent
    assert parsed["Subject"] == "Ihre tägliche Zusammenfassung aus dem SPIN Portal"
    assert parsed["List-Unsubscribe"] == f"<{UNSUBSCRIBE}>"
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert parsed["Auto-Submitted"] == "auto-generated"
    text, html = parsed.get_payload()
    assert (text.get_content_type(), html.get_content_type()) == ("text/plain", "text/html")
    assert text.get_content() == "Neue Nachricht von Jörg: „Hallo“\n"


def test_a_mandatory_message_has_no_unsubscribe_header():
    assert _parse(_example(unsubscribe=None))["List-Unsubscribe"] is None


def test_message_ids_of_keys_with_odd_characters_are_valid():
    value = message_id("email:invitation:jörg@bücher.example:<x>")
    assert re.fullmatch(
        r"<email\.invitation\.j\.rg\.b\.cher\.example\.x\.[0-9a-f]{16}@spin-portal>", value
    )


def test_a_line_break_in_a_header_is_refused():
    message = _example()
    message.extra_headers["X-Injected"] = "a\r\nBcc: victim@example.org"
    with pytest.raises(ValueError, match="linefeed|carriage return|newline"):
        message.message().as_bytes()
