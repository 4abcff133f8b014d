"""Rendering of notification and digest e-mails (HTML and text, in the recipient's language)."""

import hashlib
import re

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from notifications.events import get_event
from notifications.models import Notification

UNSUBSCRIBE_SALT = "notifications.unsubscribe"


def unsubscribe_token(*, user_id: int, event_type: str) -> str:
    return signing.dumps({"u": user_id, "e": event_type}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    """Raises signing.BadSignature for a forged or damaged token."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    return int(data["u"]), str(data["e"])


def absolute(url: str) -> str:
    if not url or url.startswith(("http://", "https://")):
        return url
    return settings.SITE_URL + url


def message_id(key: str) -> str:
    """A stable Message-ID per delivery (a resent delivery keeps it, so receivers can drop
    duplicates): a readable part plus a hash, since keys may contain "@" and other characters
    that a Message-ID's left part must not."""
    readable = re.sub(r"[^A-Za-z0-9.-]+", ".", key)[:60].strip(".")
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return f"<{readable}.{digest}@spin-portal>"


def _message(*, to: str, subject: str, text: str, html: str, key: str, unsubscribe: str | None):
    headers = {
        "Message-ID": message_id(key),
        "Auto-Submitted": "auto-generated",
    }
    if unsubscribe:
        headers["List-Unsubscribe"] = f"<{unsubscribe}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = EmailMultiAlternatives(
        subject=subject.strip().replace("\n", " "),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    return message


def render_delivery(delivery, to: str) -> EmailMultiAlternatives:
    """The e-mail of one delivery: an event e-mail or a digest."""
    with translation.override(delivery.language or settings.LANGUAGE_CODE):
        if delivery.kind == delivery.Kind.DIGEST:
            return _render_digest(delivery, to)
        event = get_event(delivery.event_type)
        unsubscribe = None
        if delivery.recipient_id and not event.mandatory:
            unsubscribe = absolute(
                reverse(
                    "notifications:unsubscribe",
                    args=[unsubscribe_token(user_id=delivery.recipient_id, event_type=event.key)],
                )
            )
        context = {
            **delivery.context,
            "event": event,
            "url": absolute(delivery.url),
            "preferences_url": absolute(reverse("notifications:preferences")),
            "unsubscribe_url": unsubscribe,
            "SITE_URL": settings.SITE_URL,
        }
        subject = render_to_string(f"{event.template_base}.subject.txt", context)
        body = render_to_string(f"{event.template_base}.txt", context).strip()
        context["body"] = body
        text = render_to_string("notifications/email/layout.txt", context)
        html = render_to_string("notifications/email/layout.html", context)
        return _message(
            to=to, subject=subject, text=text, html=html, key=delivery.key, unsubscribe=unsubscribe
        )


_DIGEST_ORDER = ("created_at", "id")  # a digest lists its entries oldest first


def digest_items_prefetch() -> Prefetch:
    """The entries of digest deliveries, in digest order: prefetch them for a batch of
    deliveries (one query), and `render_delivery` uses them instead of a query per mail."""
    return Prefetch("digest_items", queryset=Notification.objects.order_by(*_DIGEST_ORDER))


def _digest_items(delivery):
    if "digest_items" in getattr(delivery, "_prefetched_objects_cache", {}):
        return delivery.digest_items.all()
    return delivery.digest_items.order_by(*_DIGEST_ORDER)


def _render_digest(delivery, to: str) -> EmailMultiAlternatives:
    items = []
    for notification in _digest_items(delivery):
        event = get_event(notification.event_type)
        line = render_to_string(
            f"{event.template_base}.subject.txt", {**notification.context, "event": event}
        ).strip()
        items.append({"text": line, "url": absolute(notification.url), "event": event})
    context = {
        "items": items,
        "frequency": delivery.context.get("frequency", "daily"),
        "preferences_url": absolute(reverse("notifications:preferences")),
        "notifications_url": absolute(reverse("notifications:list")),
        "SITE_URL": settings.SITE_URL,
    }
    subject = render_to_string("notifications/email/digest.subject.txt", context)
    text = render_to_string("notifications/email/digest.txt", context)
    html = render_to_string("notifications/email/digest.html", context)
    return _message(
        to=to, subject=subject, text=text, html=html, key=delivery.key, unsubscribe=None
    )
