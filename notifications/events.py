"""The registry of event types. Adding an event type is one `declare(...)` call in catalog.py
plus its two templates in templates/notifications/email/ (dots become underscores):
<key>.subject.txt (the e-mail subject, also the line in the notification centre and in
digests) and <key>.txt (the e-mail text; the HTML part wraps it in layout.html)."""

from dataclasses import dataclass

from django.utils.functional import Promise


class Frequency:
    IMMEDIATE = "immediate"
    DAILY = "daily"
    WEEKLY = "weekly"
    OFF = "off"
    CHOICES = (IMMEDIATE, DAILY, WEEKLY, OFF)


@dataclass(frozen=True)
class EventType:
    key: str
    label: Promise | str
    default_frequency: str = Frequency.IMMEDIATE
    mandatory: bool = False  # security mails (invitations, …) cannot be turned off or delayed
    audience: str = "partners"  # who may receive it: "partners" or "staff"

    @property
    def template_base(self) -> str:
        return f"notifications/email/{self.key.replace('.', '_')}"


EVENTS: dict[str, EventType] = {}


def declare(key: str, label, **options) -> EventType:
    if key in EVENTS:
        raise ValueError(f"Event type {key!r} is declared twice.")
    event = EventType(key=key, label=label, **options)
    EVENTS[key] = event
    return event


def get_event(key: str) -> EventType:
    try:
        return EVENTS[key]
    except KeyError:
        raise ValueError(
            f"Unknown event type {key!r}; declare it in notifications/catalog.py."
        ) from None
