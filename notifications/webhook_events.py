"""Webhook events: their ids, signed bodies and their fan-out into the outbox.

Fan-out is permission-neutral on purpose: the caller of `notify(..., organisation_ids=...)`
(or `publish_webhook_event`) names the organisations entitled to see the event's object, and
only their endpoints receive it. The callers already decide who may see what; a second copy of
those rules here would drift.

Signature: `X-Spin-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">` with the value
of `X-Spin-Timestamp`. For 24 hours after a rotation the header carries two comma-separated
signatures (new secret first, then the previous one); a receiver accepts any that matches.

The endpoints' management (services) is in webhooks.py; this module sits below it and below
the delivery tasks, which both use it.
"""

import hashlib
import hmac
import json
import secrets
import uuid
from collections.abc import Iterable

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from notifications import relay
from notifications.events import EVENTS
from notifications.models import WebhookDelivery, WebhookEndpoint

PING = "webhook.ping"
# Deliveries not yet sent or dead: a later event to the same endpoint waits behind them.
WEBHOOK_OPEN = (
    WebhookDelivery.Status.PENDING,
    WebhookDelivery.Status.SENDING,
    WebhookDelivery.Status.RETRY,
)
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
    """Writes one delivery per endpoint subscribed to `event_type` and owned by one of
    `organisation_ids`, in the caller's transaction; they are sent after commit. A disabled
    endpoint gets its row too: it is held and sent, in order, once the endpoint is enabled."""
    organisation_ids = list(organisation_ids)
    if endpoints is None:
        if not organisation_ids:
            return []
        endpoints = [
            endpoint
            for endpoint in WebhookEndpoint.objects.filter(organisation_id__in=organisation_ids)
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
    active = {endpoint.pk for endpoint in endpoints if endpoint.is_active}
    relay.after_commit(
        keys=[d.pk for d in stored if d.endpoint_id in active or event_type == PING],
        task=relay.WEBHOOK,
    )
    return stored
