"""Webhooks for integrations: the endpoints' registration, secrets, pings, disabling,
retries and replays (services). Events, their signed bodies and the fan-out into the outbox
are in webhook_events.py (re-exported here for the callers of this module)."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from notifications import permissions, relay
from notifications.models import WebhookDelivery, WebhookEndpoint, validate_webhook_url
from notifications.services import notify
from notifications.webhook_events import (  # noqa: F401 - re-exported
    PING,
    WEBHOOK_OPEN,
    body_bytes,
    event_id_for,
    new_secret,
    publish_webhook_event,
    sign,
    signature_header,
    subscribable_events,
)
from partners.models import Organisation
from partners.selectors.people import organisation_admin_users
from spinportal.audit import audit

# A sustained outage: this many failed attempts in a row, over the disable period (tasks.py).
DISABLE_AFTER_FAILURES = 10


# --- Services ----------------------------------------------------------------------------------


def _require_manager(actor: User, organisation: Organisation) -> None:
    if not permissions.can_manage_webhooks(actor, organisation):
        raise PermissionDenied(_("Only the organisation's administrators manage its webhooks."))


def _clean(*, url: str, event_types: list[str]) -> list[str]:
    errors = {}
    try:
        validate_webhook_url(url)
    except ValidationError as error:
        errors["url"] = error.messages
    allowed = {key for key, _label in subscribable_events()}
    event_types = sorted(set(event_types))
    if not event_types:
        errors["event_types"] = [_("Choose at least one event type.")]
    elif unknown := [e for e in event_types if e not in allowed]:
        errors["event_types"] = [
            _("Unknown event type: %(types)s.") % {"types": ", ".join(unknown)}
        ]
    if errors:
        raise ValidationError(errors)
    return event_types


@transaction.atomic
def webhook_create(
    *, actor: User, organisation: Organisation, url: str, event_types: list[str]
) -> tuple[WebhookEndpoint, str]:
    """Registers a webhook; returns it with its secret, which is shown only this once."""
    _require_manager(actor, organisation)
    event_types = _clean(url=url, event_types=event_types)
    secret = new_secret()
    endpoint = WebhookEndpoint.objects.create(
        organisation=organisation,
        created_by=actor,
        url=url,
        event_types=event_types,
        secret=secret,
    )
    audit(actor=actor, action="webhook.create", target=endpoint, url=url, events=event_types)
    return endpoint, secret


@transaction.atomic
def webhook_update(
    *, actor: User, endpoint: WebhookEndpoint, url: str, event_types: list[str], is_active: bool
) -> WebhookEndpoint:
    """Changes address, events or state. Enabling a disabled webhook clears its failures and
    sends the deliveries held meanwhile, in order."""
    _require_manager(actor, endpoint.organisation)
    event_types = _clean(url=url, event_types=event_types)
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    enabled = is_active and not endpoint.is_active
    if enabled:
        endpoint.consecutive_failures = 0
        endpoint.failing_since = None
        endpoint.disabled_at = None
    endpoint.url, endpoint.event_types, endpoint.is_active = url, event_types, is_active
    endpoint.save()
    if enabled:
        # the owner says the receiver works again: waiting retries need not wait any longer
        endpoint.deliveries.filter(status=WebhookDelivery.Status.RETRY).update(
            next_attempt_at=timezone.now()
        )
        _wake(endpoint)
    audit(
        actor=actor,
        action="webhook.update",
        target=endpoint,
        url=url,
        events=event_types,
        is_active=is_active,
    )
    return endpoint


@transaction.atomic
def webhook_delete(*, actor: User, endpoint: WebhookEndpoint) -> None:
    _require_manager(actor, endpoint.organisation)
    audit(actor=actor, action="webhook.delete", target=endpoint, url=endpoint.url)
    endpoint.delete()


@transaction.atomic
def webhook_rotate_secret(*, actor: User, endpoint: WebhookEndpoint) -> str:
    """A new secret, returned once; the previous one stays valid for SECRET_GRACE."""
    _require_manager(actor, endpoint.organisation)
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    secret = new_secret()
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = timezone.now() + WebhookEndpoint.SECRET_GRACE
    endpoint.secret = secret
    endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at"])
    audit(actor=actor, action="webhook.rotate_secret", target=endpoint)
    return secret


@transaction.atomic
def webhook_ping(*, actor: User, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """Queues a test event to this webhook only (sent even if the webhook is disabled)."""
    _require_manager(actor, endpoint.organisation)
    stamp = timezone.now()
    [delivery] = publish_webhook_event(
        event_type=PING,
        event_key=f"{endpoint.pk}:{stamp.isoformat()}",
        organisation_ids=[endpoint.organisation_id],
        data={"webhook": endpoint.pk, "message": "ping"},
        endpoints=[endpoint],
    )
    return delivery


def webhook_disable(
    *, endpoint_id: int, now: dt.datetime, failing_since_before: dt.datetime
) -> bool:
    """Disables a webhook that has failed without a single success since before
    `failing_since_before`, at least DISABLE_AFTER_FAILURES times in a row (so that one
    failure after a quiet day does not count as a day of failures), and tells its
    organisation's admins (and its creator). Its deliveries are held, not dropped.
    Idempotent: only the call that flips it notifies."""

    with transaction.atomic():
        flipped = WebhookEndpoint.objects.filter(
            pk=endpoint_id,
            is_active=True,
            failing_since__lte=failing_since_before,
            consecutive_failures__gte=DISABLE_AFTER_FAILURES,
        ).update(is_active=False, disabled_at=now)
        if not flipped:
            return False
        endpoint = WebhookEndpoint.objects.select_related("organisation", "created_by").get(
            pk=endpoint_id
        )
        recipients = list(organisation_admin_users(organisation_id=endpoint.organisation_id))
        if endpoint.created_by is not None:
            recipients.append(endpoint.created_by)
        notify(
            event_type="webhook.disabled",
            recipients=recipients,
            event_key=f"{endpoint.pk}:{now.isoformat()}",
            url=reverse("notifications:webhook_detail", args=[endpoint.pk]),
            context={
                "target": endpoint.url,
                "organisation": endpoint.organisation.display_name,
                "failures": endpoint.consecutive_failures,
                "hours": round((now - endpoint.failing_since).total_seconds() / 3600),
            },
        )
        return True


def _wake(endpoint: WebhookEndpoint) -> None:
    """After commit, queues the endpoint's oldest open delivery; the task sends it and then
    the ones after it, in order (the sweep would, later)."""

    first = (
        endpoint.deliveries.filter(status__in=WEBHOOK_OPEN)
        .exclude(event_type=PING)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
        .first()
    )
    if first is not None:
        relay.after_commit(keys=[first], task=relay.WEBHOOK)


REPLAY_MAX_RANGE = dt.timedelta(days=31)
# what a replay sends again; open deliveries (pending, sending, retry) are on their way anyway
FINISHED = (
    WebhookDelivery.Status.SENT,
    WebhookDelivery.Status.DEAD,
    WebhookDelivery.Status.SKIPPED,
)


def _requeue(deliveries) -> int:
    """Puts finished deliveries back into the outbox with a fresh set of attempts: the same
    row, so the same event id and payload (receivers deduplicate by the id)."""
    return deliveries.filter(status__in=FINISHED).update(
        status=WebhookDelivery.Status.PENDING,
        attempts=0,
        next_attempt_at=None,
        claimed_at=None,
        delivered_at=None,
        response_status=None,
        last_error="",
    )


@transaction.atomic
def webhook_replay(
    *, actor: User, endpoint: WebhookEndpoint, since: dt.datetime, until: dt.datetime
) -> int:
    """Sends the events created in [since, until] to the webhook again, in event order, and
    returns how many. A disabled webhook receives them once it is enabled."""
    _require_manager(actor, endpoint.organisation)
    now = timezone.now()
    errors = {}
    for field, value in (("since", since), ("until", until)):
        if value > now:
            errors[field] = [_("The time must not be in the future.")]
    if until < since:
        errors.setdefault("until", []).append(_("The end must not be before the start."))
    elif until - since > REPLAY_MAX_RANGE:
        errors.setdefault("until", []).append(
            _("Replay at most %(days)d days at a time.") % {"days": REPLAY_MAX_RANGE.days}
        )
    if errors:
        raise ValidationError(errors)
    count = _requeue(
        endpoint.deliveries.exclude(event_type=PING).filter(
            created_at__gte=since, created_at__lte=until
        )
    )
    audit(
        actor=actor,
        action="webhook.replay",
        target=endpoint,
        since=since.isoformat(),
        until=until.isoformat(),
        count=count,
    )
    if count and endpoint.is_active:
        _wake(endpoint)
    return count


@transaction.atomic
def webhook_delivery_retry(*, actor: User, deliveries) -> int:
    """Sends the selected webhook deliveries again, dead or already sent (staff action in the
    admin); each endpoint's in event order."""
    selected = WebhookDelivery.objects.filter(pk__in=deliveries.values("pk"), status__in=FINISHED)
    requeued = []
    for delivery in selected.order_by("pk"):
        if _requeue(WebhookDelivery.objects.filter(pk=delivery.pk)):  # not taken meanwhile
            audit(actor=actor, action="webhook_delivery.retry", target=delivery)
            requeued.append(delivery)
    for endpoint in WebhookEndpoint.objects.filter(
        pk__in={d.endpoint_id for d in requeued}, is_active=True
    ):
        _wake(endpoint)
    return len(requeued)
