"""Writes on notifications. `notify` is the one entry point for every event in the portal."""

import hashlib
from collections.abc import Iterable

from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from notifications import relay
from notifications.emails import absolute
from notifications.events import EVENTS, Frequency, get_event
from notifications.models import Delivery, Notification, Preference
from notifications.webhook_events import publish_webhook_event
from spinportal.audit import audit


def frequencies_for(*, users: Iterable[User], event_type: str) -> dict[int, str]:
    """{user_id: frequency} for one event type: stored preferences, else the event default."""
    event = get_event(event_type)
    user_ids = [u.pk for u in users]
    if event.mandatory:
        return dict.fromkeys(user_ids, Frequency.IMMEDIATE)
    stored = dict(
        Preference.objects.filter(user_id__in=user_ids, event_type=event_type).values_list(
            "user_id", "frequency"
        )
    )
    return {uid: stored.get(uid, event.default_frequency) for uid in user_ids}


def notify(
    *,
    event_type: str,
    recipients: Iterable[User],
    event_key: str,
    actor: User | None = None,
    url: str = "",
    context: dict | None = None,
    organisation_ids: Iterable[int] = (),
    webhook_data: dict | None = None,
) -> list[Notification]:
    """Records an event for its recipients, in the caller's transaction (transactional outbox).

    Writes one in-app notification per recipient and, by their preferences, an e-mail delivery
    (immediately) or a digest entry. Nothing talks to the broker here: deliveries are handed to
    Celery after commit by the relay, and the periodic sweep catches anything left behind.
    Calling it twice for the same `event_key` adds nothing.

    `organisation_ids` names the organisations entitled to see the event's object: their
    webhooks subscribed to the event type get a delivery of `webhook_data` (default: the link
    and the context). The caller decides entitlement; pass nothing and no webhook hears of it.
    """
    get_event(event_type)  # an unknown event type is an error here, not in a worker
    organisation_ids = list(organisation_ids)
    if organisation_ids:
        publish_webhook_event(
            event_type=event_type,
            event_key=event_key,
            organisation_ids=organisation_ids,
            data=webhook_data
            if webhook_data is not None
            else {"url": absolute(url), **(context or {})},
        )
    recipients = {u.pk: u for u in recipients if u is not None and u.is_active}
    if actor is not None:
        recipients.pop(actor.pk, None)  # nobody is told about their own action
    if not recipients:
        return []
    context = context or {}
    key = f"{event_type}:{event_key}"
    actor = actor if actor is not None and actor.is_authenticated else None

    def notification(**row) -> Notification:  # this event's notification, for one recipient
        return Notification(
            event_type=event_type, event_key=key, actor=actor, url=url, context=context, **row
        )

    frequencies = frequencies_for(users=recipients.values(), event_type=event_type)
    stored = _insert_new_notifications(
        [
            notification(
                recipient_id=uid,
                digest=frequencies[uid]
                if frequencies[uid] in (Frequency.DAILY, Frequency.WEEKLY)
                else "",
            )
            for uid in sorted(recipients)
        ]
    )
    deliveries = [
        Delivery(
            key=f"email:{key}:{notification.recipient_id}",
            recipient_id=notification.recipient_id,
            notification_id=notification.pk,
            language=recipients[notification.recipient_id].language,
            event_type=event_type,
            context=context,
            url=url,
        )
        for notification in stored
        if frequencies[notification.recipient_id] == Frequency.IMMEDIATE
    ]
    if deliveries:
        Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
        relay.after_commit(keys=[d.key for d in deliveries])
    return stored


def _insert_new_notifications(notifications: list[Notification]) -> list[Notification]:
    """Inserts the notifications of one event that do not exist yet (recipient and event key
    are unique) and returns those, read back with their ids. A concurrent notify() of the same
    event is absorbed by the unique constraint (ignore_conflicts), and its deliveries by their
    unique keys, so nothing is recorded twice."""
    if not notifications:
        return []
    event_key = notifications[0].event_key
    recipient_ids = [n.recipient_id for n in notifications]
    existing = set(
        Notification.objects.filter(
            event_key=event_key, recipient_id__in=recipient_ids
        ).values_list("recipient_id", flat=True)
    )
    new = [n for n in notifications if n.recipient_id not in existing]
    if not new:
        return []
    Notification.objects.bulk_create(new, ignore_conflicts=True)
    return list(
        Notification.objects.filter(
            event_key=event_key, recipient_id__in=[n.recipient_id for n in new]
        ).order_by("recipient_id")
    )


def email_to_address(
    *, event_type: str, email: str, event_key: str, language: str, url: str, context: dict
) -> None:
    """An e-mail to an address that may have no account yet (invitations), via the outbox."""
    get_event(event_type)
    # The address as a hash: the key's column holds 220 characters, an address may have 254.
    address = hashlib.sha256(email.lower().encode()).hexdigest()
    key = f"email:{event_type}:{event_key}:{address}"
    Delivery.objects.update_or_create(
        key=key,
        defaults={
            "to_email": email,
            "language": language,
            "event_type": event_type,
            "context": context,
            "url": url,
            "status": Delivery.Status.PENDING,
            "attempts": 0,
            "next_attempt_at": None,
            "sent_at": None,
        },
    )
    relay.after_commit(keys=[key])


def email_to_address_cancel(*, event_type: str, event_key: str) -> int:
    """Skips address e-mails of `event_type` whose event key starts with `event_key` and that
    have not gone out yet (e.g. the mail with an invitation link that was revoked)."""
    return Delivery.objects.filter(
        key__startswith=f"email:{event_type}:{event_key}",
        status__in=[Delivery.Status.PENDING, Delivery.Status.RETRY],
    ).update(status=Delivery.Status.SKIPPED, last_error="cancelled", next_attempt_at=None)


def verified_address(user: User) -> str | None:
    """The user's primary e-mail address if it is verified; mail goes nowhere else."""
    address = (
        EmailAddress.objects.filter(user=user, primary=True, verified=True)
        .values_list("email", flat=True)
        .first()
    )
    return address


@transaction.atomic
def notification_mark_read(*, user: User, notification: Notification) -> Notification:
    if notification.recipient_id != user.pk:
        raise PermissionDenied("Users can only mark their own notifications.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notification_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def preference_set(*, user: User, event_type: str, frequency: str) -> Preference | None:
    """Sets how often the user gets e-mail about an event type. Mandatory events stay on."""
    event = get_event(event_type)
    if frequency not in Frequency.CHOICES:
        raise ValueError(f"Unknown frequency {frequency!r}.")
    if event.mandatory:
        Preference.objects.filter(user=user, event_type=event_type).delete()
        return None
    preference, _created = Preference.objects.update_or_create(
        user=user, event_type=event_type, defaults={"frequency": frequency}
    )
    return preference


def preferences_for(user: User) -> list[tuple[str, object, str, bool]]:
    """[(event_type, label, frequency, mandatory)] for every event the user may receive."""
    stored = dict(Preference.objects.filter(user=user).values_list("event_type", "frequency"))
    rows = []
    for key, event in EVENTS.items():
        if event.audience == "staff" and not user.is_staff:
            continue
        frequency = (
            Frequency.IMMEDIATE if event.mandatory else stored.get(key, event.default_frequency)
        )
        rows.append((key, event.label, frequency, event.mandatory))
    return rows


@transaction.atomic
def delivery_retry(*, actor: User, deliveries) -> int:
    """Puts dead-letter deliveries back into the outbox (staff action in the admin)."""
    keys = []
    # a fresh queryset: the admin's select_related (a nullable FK, an outer join) cannot be
    # locked FOR UPDATE on PostgreSQL
    dead = Delivery.objects.filter(pk__in=deliveries.values("pk"), status=Delivery.Status.DEAD)
    for delivery in dead.select_for_update().order_by("pk"):
        delivery.status = Delivery.Status.PENDING
        delivery.attempts = 0
        delivery.next_attempt_at = None
        delivery.last_error = ""
        delivery.save(update_fields=["status", "attempts", "next_attempt_at", "last_error"])
        audit(actor=actor, action="delivery.retry", target=delivery)
        keys.append(delivery.key)
    relay.after_commit(keys=keys)
    return len(keys)
