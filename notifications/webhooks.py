"""Webhooks for integrations: registration (services), fan-out into the outbox, signing.

Fan-out is permission-neutral on purpose: the caller of `notify(..., organisation_ids=...)`
(or `publish_webhook_event`) names the organisations entitled to see the event's object, and
only their endpoints receive it. The callers already decide who may see what; a second copy of
those rules here would drift.

Signature: `X-Spin-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">` with the value
of `X-Spin-Timestamp`. For 24 hours after a rotation the header carries two comma-separated
signatures (new secret first, then the previous one); a receiver accepts any that matches.
"""

import datetime as dt
import hashlib
import hmac
import json
import secrets
import uuid
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from notifications import permissions, relay
from notifications.events import EVENTS
from notifications.models import WebhookDelivery, WebhookEndpoint, validate_webhook_url
from partners.models import Organisation
from spinportal.audit import audit

PING = "webhook.ping"
EVENT_NAMESPACE = uuid.UUID("6f1c2a1e-8c57-4a55-9f0c-5d1b3d9b6a10")


def subscribable_events() -> list[tuple[str, object]]:
    """(key, label) of the event types an organisation can subscribe to."""
    return [
        (key, event.label)
        for key, event in EVENTS.items()
        if event.audience == "partners" and key != "webhook.disabled"
    ]


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def event_id_for(event_key: str) -> uuid.UUID:
    """The same event (same type and key) always has the same id: receivers can deduplicate,
    and a repeated `notify` queues nothing twice (unique endpoint + event id)."""
    return uuid.uuid5(EVENT_NAMESPACE, event_key)


def body_bytes(payload: dict) -> bytes:
    return json.dumps(payload, cls=DjangoJSONEncoder, separators=(",", ":")).encode()


def sign(*, secret: str, timestamp: int, body: bytes) -> str:
    message = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(*, secrets_: Iterable[str], timestamp: int, body: bytes) -> str:
    return ",".join(f"sha256={sign(secret=s, timestamp=timestamp, body=body)}" for s in secrets_)


def publish_webhook_event(
    *,
    event_type: str,
    event_key: str,
    organisation_ids: Iterable[int],
    data: dict,
    endpoints=None,
) -> list[WebhookDelivery]:
    """Writes one delivery per active endpoint subscribed to `event_type` and owned by one of
    `organisation_ids`, in the caller's transaction; they are sent after commit."""
    organisation_ids = list(organisation_ids)
    if endpoints is None:
        if not organisation_ids:
            return []
        endpoints = [
            endpoint
            for endpoint in WebhookEndpoint.objects.filter(
                organisation_id__in=organisation_ids, is_active=True
            )
            if event_type in endpoint.event_types
        ]
    if not endpoints:
        return []
    event_id = event_id_for(f"{event_type}:{event_key}")
    payload = {
        "id": str(event_id),
        "type": event_type,
        "created": timezone.now().isoformat(),
        "data": data,
    }
    deliveries = [
        WebhookDelivery(
            endpoint=endpoint, event_id=event_id, event_type=event_type, payload=payload
        )
        for endpoint in endpoints
    ]
    WebhookDelivery.objects.bulk_create(deliveries, ignore_conflicts=True)
    stored = list(
        WebhookDelivery.objects.filter(
            event_id=event_id,
            endpoint__in=endpoints,
            status=WebhookDelivery.Status.PENDING,
            attempts=0,
        )
    )
    relay.after_commit(keys=[d.pk for d in stored], task=relay.WEBHOOK)
    return stored


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
    """Changes address, events or state. Enabling a disabled webhook clears its failures."""
    _require_manager(actor, endpoint.organisation)
    event_types = _clean(url=url, event_types=event_types)
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    if is_active and not endpoint.is_active:
        endpoint.consecutive_failures = 0
        endpoint.disabled_at = None
    endpoint.url, endpoint.event_types, endpoint.is_active = url, event_types, is_active
    endpoint.save()
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


def webhook_disable(*, endpoint_id: int, now: dt.datetime) -> bool:
    """Disables a webhook that keeps failing and tells its organisation's admins (and its
    creator). Idempotent: only the call that flips it notifies."""
    from notifications.services import notify
    from partners.selectors.people import organisation_admin_users

    with transaction.atomic():
        flipped = WebhookEndpoint.objects.filter(pk=endpoint_id, is_active=True).update(
            is_active=False, disabled_at=now
        )
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
            },
        )
        return True


@transaction.atomic
def webhook_delivery_retry(*, actor: User, deliveries) -> int:
    """Puts dead webhook deliveries back into the outbox (staff action in the admin)."""
    ids = []
    dead = WebhookDelivery.objects.filter(
        pk__in=deliveries.values("pk"), status=WebhookDelivery.Status.DEAD
    )
    for delivery in dead.select_for_update().order_by("pk"):
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=WebhookDelivery.Status.PENDING, attempts=0, next_attempt_at=None, last_error=""
        )
        audit(actor=actor, action="webhook_delivery.retry", target=delivery)
        ids.append(delivery.pk)
    relay.after_commit(keys=ids, task=relay.WEBHOOK)
    return len(ids)
