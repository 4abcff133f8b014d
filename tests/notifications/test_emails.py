"""The wire form of notification e-mails (notifications.emails.message_bytes)."""

import email.policy
from email.parser import BytesParser

import pytest

from notifications.emails import _message, message_bytes

UNSUBSCRIBE = (
    "http://127.0.0.1:8000/notifications/unsubscribe/"
    "eyJ1IjoxLCJlIjoibWVzc2FnZS5yZWNlaXZlZCJ9:1xW0rP:rQDZADAG0FfwlkyHf-asRJ3JSM40HP9E3ST8x7oauW8/"
)


def _parse(raw: bytes):
    return BytesParser(policy=email.policy.default).parsebytes(raw)


def _example(**overrides):
    fields = {
        "to": "anna@example.org",
        "subject": "Ihre tägliche Zusammenfassung aus dem SPIN Portal",
        "text": "Neue Nachricht von Jörg:\n\n„Hallo“ · " + "lang " * 40 + "\n",
        "html": '<p style="color: #0b5cab;">Jörg schrieb: „Hallo“</p>\n' + "<p>x</p>" * 30,
        "key": "email:message.received:1:7",
        "unsubscribe": UNSUBSCRIBE,
    }
    return _message(**{**fields, **overrides})


@pytest.mark.parametrize("unsubscribe", [UNSUBSCRIBE, None])
def test_the_wire_form_says_what_djangos_serializer_says(unsubscribe):
    message = _example(unsubscribe=unsubscribe)
    raw = message_bytes(message)
    ours, django = _parse(raw), _parse(message.message(policy=email.policy.SMTP).as_bytes())

    for header in (
        "Subject",
        "From",
        "To",
        "Message-ID",
        "Auto-Submitted",
        "List-Unsubscribe",
        "List-Unsubscribe-Post",
    ):
        # compat32 folds a long header before its value: " <…>" unfolds to the same address
        assert (ours[header] or "").strip() == (django[header] or "").strip(), header
    assert ours["Subject"] == "Ihre tägliche Zusammenfassung aus dem SPIN Portal"
    assert ours["Date"] is not None
    assert ours.get_content_type() == "multipart/alternative"
    text, html = ours.get_payload()
    assert text.get_content_type() == "text/plain"
    # line breaks are CRLF on the wire (canonical form); the text is the same
    assert text.get_content().replace("\r\n", "\n") == message.body
    assert html.get_content_type() == "text/html"
    assert html.get_content().replace("\r\n", "\n") == message.alternatives[0].content
    assert all(line.endswith(b"\r") for line in raw.split(b"\n")[:-1])  # CRLF throughout
    head, body = raw.split(b"\r\n\r\n", 1)
    assert max(len(line) for line in body.split(b"\r\n")) <= 78  # quoted-printable lines
    assert max(len(line) for line in head.split(b"\r\n")) <= 998  # a URL cannot be folded


def test_a_long_list_unsubscribe_is_folded_not_encoded():
    raw = message_bytes(_example())
    headers = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
    assert f"List-Unsubscribe: \r\n <{UNSUBSCRIBE}>" in headers
    assert "=?utf-8?" not in headers.split("List-Unsubscribe:", 1)[1].split("\r\n", 2)[1]


def test_an_address_that_is_not_ascii_goes_through_djangos_serializer():
    message = _example(to="jörg@bücher.example")
    parsed = _parse(message_bytes(message))
    assert parsed["To"] == "jörg@xn--bcher-kva.example"  # Django's IDNA handling


def test_a_line_break_in_a_header_is_refused():
    message = _example()
    message.extra_headers["X-Injected"] = "a\r\nBcc: victim@example.org"
    with pytest.raises(ValueError, match="linefeed or carriage return"):
        message_bytes(message)
