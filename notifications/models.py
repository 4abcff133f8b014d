import datetime as dt
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One event for one recipient: the in-app entry and the source of its e-mail.

    `event_key` identifies the event (e.g. "contact_request.received:42"); with the recipient it
    is unique, so writing the same event twice (a retried request, a redelivered task) adds
    nothing.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    event_type = models.CharField(_("event type"), max_length=64)
    event_key = models.CharField(_("event key"), max_length=200)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("triggered by"),
    )
    url = models.CharField(_("link"), max_length=500, blank=True)
    context = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    digest = models.CharField(
        _("digest"),
        max_length=8,
        blank=True,
        help_text=_("daily or weekly when the recipient gets this in a digest"),
    )
    digest_delivery = models.ForeignKey(
        "Delivery",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="digest_items",
        verbose_name=_("digest e-mail"),
    )

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "event_key"], name="one_notification_per_event_and_recipient"
            )
        ]
        indexes = [
            models.Index(
                fields=["recipient", "created_at"],
                condition=Q(read_at__isnull=True),
                name="unread_notifications",
            ),
            models.Index(
                fields=["digest", "recipient"],
                condition=Q(digest_delivery__isnull=True) & ~Q(digest=""),
                name="pending_digest_items",
            ),
        ]

    def __str__(self):
        return f"{self.event_type} → {self.recipient}"


class Delivery(models.Model):
    """An e-mail to send: the outbox row, written in the transaction of the change.

    `key` is unique per event, recipient and channel, so a task that runs twice finds the row
    already sent and sends nothing.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        RETRY = "retry", _("Waiting for retry")
        SENT = "sent", _("Sent")
        DEAD = "dead", _("Failed (dead letter)")
        SKIPPED = "skipped", _("Skipped")

    class Kind(models.TextChoices):
        EMAIL = "email", _("E-mail")
        DIGEST = "digest", _("Digest e-mail")

    MAX_ATTEMPTS = 5

    key = models.CharField(_("key"), max_length=220, unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind, default=Kind.EMAIL)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("recipient"),
        help_text=_("Empty for mail to an address without an account (invitations)."),
    )
    to_email = models.EmailField(_("address"), blank=True)
    language = models.CharField(_("language"), max_length=8, default="de")
    event_type = models.CharField(_("event type"), max_length=64, blank=True)
    context = models.JSONField(_("details"), default=dict, blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    notification = models.OneToOneField(
        Notification,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="delivery",
        verbose_name=_("notification"),
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("e-mail delivery")
        verbose_name_plural = _("e-mail deliveries")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return self.key


class Preference(models.Model):
    """How often a user wants e-mail about one event type (in-app entries always appear)."""

    class Frequency(models.TextChoices):
        IMMEDIATE = "immediate", _("Immediately")
        DAILY = "daily", _("Daily digest")
        WEEKLY = "weekly", _("Weekly digest")
        OFF = "off", _("No e-mail")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name=_("user"),
    )
    event_type = models.CharField(_("event type"), max_length=64)
    frequency = models.CharField(_("e-mail"), max_length=10, choices=Frequency)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "event_type"], name="one_preference_per_event")
        ]

    def __str__(self):
        return f"{self.user}: {self.event_type} = {self.frequency}"


def validate_webhook_url(value: str) -> None:
    """https anywhere; plain http only to this machine (development receivers)."""
    parts = urlsplit(value)
    host = (parts.hostname or "").lower()
    if parts.username or parts.password:
        raise ValidationError(_("The address must not contain a user name or password."))
    if parts.scheme == "https" and host:
        return
    if parts.scheme == "http" and host in LOCAL_HOSTS:
        return
    raise ValidationError(
        _("Use an https:// address (http:// only to localhost for development)."),
        code="insecure_url",
    )


LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


class WebhookEndpoint(models.Model):
    """An organisation's receiver for portal events.

    The secret is stored as is because every delivery is signed with it (HMAC needs the key);
    the portal shows it once, on creation and on rotation. Rotation keeps the previous secret
    valid for `SECRET_GRACE`: deliveries then carry two signatures, so a receiver can switch
    without losing events.
    """

    SECRET_GRACE = dt.timedelta(hours=24)

    organisation = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.CASCADE,
        related_name="webhooks",
        verbose_name=_("organisation"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    url = models.URLField(_("target URL"), max_length=500, validators=[validate_webhook_url])
    event_types = models.JSONField(_("event types"), default=list)
    secret = models.CharField(_("secret"), max_length=80)
    previous_secret = models.CharField(_("previous secret"), max_length=80, blank=True)
    previous_secret_expires_at = models.DateTimeField(
        _("previous secret valid until"), null=True, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)
    consecutive_failures = models.PositiveIntegerField(_("consecutive failures"), default=0)
    failing_since = models.DateTimeField(
        _("failing since"),
        null=True,
        blank=True,
        help_text=_("The first failure since the last successful delivery."),
    )
    disabled_at = models.DateTimeField(_("disabled"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["organisation_id", "created_at", "id"]

    def __str__(self):
        return self.url

    def signing_secrets(self, now: dt.datetime) -> list[str]:
        secrets = [self.secret]
        if (
            self.previous_secret
            and self.previous_secret_expires_at
            and self.previous_secret_expires_at > now
        ):
            secrets.append(self.previous_secret)
        return secrets


class WebhookDelivery(models.Model):
    """One event for one endpoint: the outbox row, unique per endpoint and event id, so the
    same event is never queued (nor, with the claim in the task, sent) twice.

    Rows of a disabled endpoint stay pending (held) until it is enabled again. An endpoint
    receives its events in order (`created_at`, then id): the task attempts only the oldest
    open row of each endpoint, see `notifications.tasks.webhook_heads`."""

    Status = Delivery.Status
    MAX_ATTEMPTS = Delivery.MAX_ATTEMPTS

    endpoint = models.ForeignKey(
        WebhookEndpoint,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("webhook"),
    )
    event_id = models.UUIDField(_("event id"))
    event_type = models.CharField(_("event type"), max_length=64)
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"), max_length=8, choices=Delivery.Status, default=Delivery.Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(_("response status"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event_id"], name="one_webhook_delivery_per_event"
            )
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due"),
            models.Index(fields=["endpoint", "-created_at"], name="webhook_delivery_log"),
        ]

    def __str__(self):
        return f"{self.event_type} → {self.endpoint_id}"
