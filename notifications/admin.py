from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from notifications.models import (
    Delivery,
    Notification,
    Preference,
    WebhookDelivery,
    WebhookEndpoint,
)
from notifications.services import delivery_retry
from notifications.webhooks import webhook_delivery_retry


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "event_type", "recipient", "read_at", "digest"]
    list_filter = ["event_type", "digest", ("read_at", admin.EmptyFieldListFilter)]
    search_fields = ["event_key", "recipient__email", "event_type"]
    list_select_related = ["recipient"]
    raw_id_fields = ["recipient", "actor", "digest_delivery"]
    date_hierarchy = "created_at"


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """The dead-letter list: filter by status "Failed (dead letter)" and retry."""

    list_display = [
        "created_at",
        "kind",
        "event_type",
        "recipient",
        "to_email",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "last_error",
    ]
    list_filter = ["status", "kind", "event_type"]
    search_fields = ["key", "recipient__email", "to_email", "last_error"]
    list_select_related = ["recipient"]
    raw_id_fields = ["recipient", "notification"]
    readonly_fields = ["key", "attempts", "claimed_at", "sent_at", "last_error", "created_at"]
    actions = ["retry_deliveries"]

    @admin.action(description=_("Retry the selected failed deliveries"))
    def retry_deliveries(self, request, queryset):
        count = delivery_retry(actor=request.user, deliveries=queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d delivery queued again.", "%(count)d deliveries queued again.", count
            )
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "event_type", "frequency"]
    list_filter = ["event_type", "frequency"]
    search_fields = ["user__email", "event_type"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    """Staff replay a time range of a webhook's events on its page in the portal (the same
    form as its owners), or pick single deliveries under "webhook deliveries"."""

    list_display = [
        "url",
        "organisation",
        "is_active",
        "consecutive_failures",
        "failing_since",
        "disabled_at",
    ]
    list_filter = ["is_active"]
    search_fields = ["url", "organisation__name"]
    list_select_related = ["organisation"]
    raw_id_fields = ["organisation", "created_by"]
    exclude = ["secret", "previous_secret"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """Webhook dead letters: filter by status "Failed (dead letter)" and retry; or pick an
    endpoint and a date and send its deliveries again (a replay)."""

    list_display = [
        "created_at",
        "event_type",
        "endpoint",
        "status",
        "attempts",
        "response_status",
        "last_error",
    ]
    list_filter = ["status", "event_type", "endpoint"]
    search_fields = ["event_id", "endpoint__url"]
    list_select_related = ["endpoint"]
    raw_id_fields = ["endpoint"]
    date_hierarchy = "created_at"
    actions = ["retry_deliveries"]

    @admin.action(description=_("Send the selected failed or delivered deliveries again"))
    def retry_deliveries(self, request, queryset):
        count = webhook_delivery_retry(actor=request.user, deliveries=queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d delivery queued again.", "%(count)d deliveries queued again.", count
            )
            % {"count": count},
            messages.SUCCESS,
        )
