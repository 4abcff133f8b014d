"""Notifications' part of the person's data export and account deletion (accounts/privacy.py).
Their own notifications, deliveries and preferences are deleted with the account (CASCADE);
notifications others received about the person's actions lose the person's name."""

from accounts.privacy import PrivacyHook, model_rows, register, rows, scrub
from notifications.models import Delivery, Notification, Preference


def _export(user) -> dict[str, list]:
    return {
        "notifications": rows(
            Notification.objects.filter(recipient=user),
            ["event_type", "url", "context", "created_at", "read_at"],
        ),
        "emails_sent": rows(
            Delivery.objects.filter(recipient=user),
            ["kind", "to_email", "event_type", "status", "created_at", "sent_at"],
        ),
        "notification_preferences": model_rows(
            Preference.objects.filter(user=user), exclude={"id", "user"}
        ),
    }


def _erase(user, identifiers: set[str]) -> None:
    for notification in Notification.objects.filter(actor=user):
        notification.context = scrub(notification.context, identifiers)
        notification.save(update_fields=["context"])


register(PrivacyHook(export=_export, erase=_erase))
