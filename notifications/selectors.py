from notifications.models import Notification, WebhookDelivery, WebhookEndpoint
from notifications.permissions import visible_webhooks_q


def notification_list(*, user, unread_only: bool = False):
    notifications = Notification.objects.filter(recipient=user).select_related("actor")
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications.order_by("-created_at", "-id")


def unread_count(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def webhook_list(*, user):
    """Webhooks the user may see and manage: their organisations' (all for staff)."""
    return (
        WebhookEndpoint.objects.filter(visible_webhooks_q(user))
        .select_related("organisation")
        .order_by("organisation__name", "created_at", "id")
    )


def webhook_deliveries(*, endpoint):
    return WebhookDelivery.objects.filter(endpoint=endpoint).order_by("-created_at", "-id")
