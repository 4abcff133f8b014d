"""Delivery of outbox rows. Every task is idempotent: a row is claimed with a conditional
UPDATE, so a redelivered or duplicated task finds nothing left to send."""

import contextlib
import datetime as dt
import logging
import random
import smtplib

from celery import shared_task
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from notifications.models import Delivery, Notification

logger = logging.getLogger(__name__)

BATCH_SIZE = 100
STALE_CLAIM = dt.timedelta(minutes=10)
RELAY_GRACE = dt.timedelta(seconds=30)


def backoff(attempt: int) -> dt.timedelta:
    """Exponential backoff with full jitter: ~30 s, 1 min, 2 min, 4 min … (capped at 1 h)."""
    base = min(30 * 2 ** (attempt - 1), 3600)
    return dt.timedelta(seconds=base / 2 + random.uniform(0, base / 2))  # noqa: S311


def _claim(keys: list[str]) -> list[Delivery]:
    now = timezone.now()
    claimable = Q(status__in=[Delivery.Status.PENDING, Delivery.Status.RETRY]) | Q(
        status=Delivery.Status.SENDING, claimed_at__lt=now - STALE_CLAIM
    )
    claimed = []
    for key in keys:
        updated = Delivery.objects.filter(claimable, key=key).update(
            status=Delivery.Status.SENDING, claimed_at=now
        )
        if updated:
            claimed.append(key)
    return list(Delivery.objects.filter(key__in=claimed).select_related("recipient"))


def _recipient_address(delivery: Delivery) -> str | None:
    from notifications.services import verified_address

    if delivery.recipient_id is None:
        return delivery.to_email
    if not delivery.recipient.is_active:
        return None
    return verified_address(delivery.recipient)


def _fail(delivery: Delivery, error: Exception) -> None:
    delivery.attempts += 1
    delivery.last_error = f"{type(error).__name__}: {error}"[:2000]
    if delivery.attempts >= Delivery.MAX_ATTEMPTS:
        delivery.status = Delivery.Status.DEAD
        delivery.next_attempt_at = None
        logger.error(
            "delivery %s is dead after %d attempts: %s",
            delivery.key,
            delivery.attempts,
            delivery.last_error,
        )
    else:
        delivery.status = Delivery.Status.RETRY
        delivery.next_attempt_at = timezone.now() + backoff(delivery.attempts)
    delivery.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def send_email_deliveries(keys: list[str]) -> dict[str, int]:
    """Sends the given outbox rows over one SMTP connection."""
    from notifications.emails import render_delivery

    deliveries = _claim(keys)
    counts = {"sent": 0, "failed": 0, "skipped": 0}
    if not deliveries:
        return counts
    connection = get_connection(fail_silently=False)
    opened = False
    retry_soonest = None
    try:
        for delivery in deliveries:
            address = _recipient_address(delivery)
            if not address:
                Delivery.objects.filter(pk=delivery.pk).update(
                    status=Delivery.Status.SKIPPED, last_error="no verified address"
                )
                counts["skipped"] += 1
                continue
            try:
                if not opened:
                    connection.open()
                    opened = True
                message = render_delivery(delivery, address)
                message.connection = connection
                message.send()
            except (TimeoutError, smtplib.SMTPException, OSError) as error:
                _fail(delivery, error)
                counts["failed"] += 1
                if delivery.status == Delivery.Status.RETRY:
                    when = delivery.next_attempt_at
                    retry_soonest = when if retry_soonest is None else min(retry_soonest, when)
                # a broken connection is reopened for the next message
                with contextlib.suppress(Exception):
                    connection.close()
                opened = False
                continue
            Delivery.objects.filter(pk=delivery.pk).update(
                status=Delivery.Status.SENT, sent_at=timezone.now(), last_error=""
            )
            counts["sent"] += 1
    finally:
        if opened:
            with contextlib.suppress(Exception):
                connection.close()
    if retry_soonest is not None:
        transaction.on_commit(lambda: _schedule_retry(retry_soonest))
    return counts


def _schedule_retry(when: dt.datetime) -> None:
    try:
        sweep_pending_deliveries.apply_async(eta=when)
    except Exception:
        logger.warning("could not schedule a retry; the periodic sweep will")


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def sweep_pending_deliveries() -> int:
    """Periodic: queues every delivery that is due (relay missed it, retry time reached, or a
    worker died holding it)."""
    now = timezone.now()
    due = (
        Delivery.objects.filter(
            Q(status=Delivery.Status.PENDING, created_at__lt=now - RELAY_GRACE)
            | Q(
                status=Delivery.Status.PENDING,
                next_attempt_at__isnull=False,
                next_attempt_at__lte=now,
            )
            | Q(status=Delivery.Status.RETRY, next_attempt_at__lte=now)
            | Q(status=Delivery.Status.SENDING, claimed_at__lt=now - STALE_CLAIM)
        )
        .order_by("created_at")
        .values_list("key", flat=True)
    )
    keys = list(due[:10_000])
    for start in range(0, len(keys), BATCH_SIZE):
        send_email_deliveries.delay(keys[start : start + BATCH_SIZE])
    return len(keys)


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def send_digests(frequency: str) -> int:
    """Beat, every morning (daily) or Monday morning (weekly), Europe/Berlin: one e-mail per
    user summarising the pending digest entries. The delivery key carries the date, and the
    entries are attached in the same transaction, so nothing is summarised twice."""
    today = timezone.localdate()
    user_ids = (
        Notification.objects.filter(digest=frequency, digest_delivery__isnull=True)
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    keys = []
    for user_id in list(user_ids):
        with transaction.atomic():
            delivery, created = Delivery.objects.get_or_create(
                key=f"digest:{frequency}:{today.isoformat()}:{user_id}",
                defaults={
                    "kind": Delivery.Kind.DIGEST,
                    "recipient_id": user_id,
                    "context": {"frequency": frequency},
                },
            )
            if not created and delivery.status not in (
                Delivery.Status.PENDING,
                Delivery.Status.RETRY,
            ):
                continue  # today's digest already went out; new entries wait for the next one
            attached = Notification.objects.filter(
                recipient_id=user_id, digest=frequency, digest_delivery__isnull=True
            ).update(digest_delivery=delivery)
            if created:
                language = (
                    User.objects.filter(pk=user_id).values_list("language", flat=True).first()
                )
                Delivery.objects.filter(pk=delivery.pk).update(language=language or "de")
            if created or attached:
                keys.append(delivery.key)
    for start in range(0, len(keys), BATCH_SIZE):
        send_email_deliveries.delay(keys[start : start + BATCH_SIZE])
    return len(keys)
