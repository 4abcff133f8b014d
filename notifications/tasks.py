"""Delivery of outbox rows. Every task is idempotent: a row is claimed with a conditional
UPDATE, so a redelivered or duplicated task finds nothing left to send."""

import contextlib
import datetime as dt
import email.policy
import logging
import random
import re
import smtplib
import urllib.error
import urllib.request

from allauth.account.models import EmailAddress
from celery import shared_task
from django.conf import settings
from django.core.mail import get_connection
from django.db import connection, transaction
from django.db.models import CharField, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from accounts.models import User
from notifications.models import Delivery, Notification, WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)

BATCH_SIZE = 100
DIGEST_CHUNK = 500
STALE_CLAIM = dt.timedelta(minutes=10)
RELAY_GRACE = dt.timedelta(seconds=30)


def _stale_claim() -> dt.timedelta:
    """A row claimed longer ago than this belongs to a worker that died (tests shorten it)."""
    seconds = getattr(settings, "NOTIFICATIONS_STALE_CLAIM_SECONDS", None)
    return STALE_CLAIM if seconds is None else dt.timedelta(seconds=seconds)


def _relay_grace() -> dt.timedelta:
    """How long the sweep leaves a fresh pending row to the relay (tests shorten it)."""
    seconds = getattr(settings, "NOTIFICATIONS_RELAY_GRACE_SECONDS", None)
    return RELAY_GRACE if seconds is None else dt.timedelta(seconds=seconds)


def backoff(attempt: int) -> dt.timedelta:
    """Exponential backoff with jitter: ~30 s, 1 min, 2 min, 4 min … (capped at 1 h).

    The first step is `NOTIFICATIONS_BACKOFF_BASE_SECONDS` (30 unless set; tests shorten it)."""
    first = float(getattr(settings, "NOTIFICATIONS_BACKOFF_BASE_SECONDS", 30))
    base = min(first * 2 ** (attempt - 1), 3600)
    return dt.timedelta(seconds=base / 2 + random.uniform(0, base / 2))  # noqa: S311


def _claim(keys: list[str]) -> list[Delivery]:
    now = timezone.now()
    claimable = Q(status__in=[Delivery.Status.PENDING, Delivery.Status.RETRY]) | Q(
        status=Delivery.Status.SENDING, claimed_at__lt=now - _stale_claim()
    )
    claimed = []
    # One transaction for the batch (one commit, not one per row); sorted, so that two tasks
    # with overlapping keys lock rows in the same order. A concurrent claimer waits for the
    # row lock and then finds the row no longer claimable.
    with transaction.atomic():
        for key in sorted(set(keys)):
            updated = Delivery.objects.filter(claimable, key=key).update(
                status=Delivery.Status.SENDING, claimed_at=now
            )
            if updated:
                claimed.append(key)
    return list(Delivery.objects.filter(key__in=claimed).select_related("recipient"))


def _recipient_address(delivery: Delivery, addresses: dict[int, str]) -> str | None:
    if delivery.recipient_id is None:
        return delivery.to_email
    if not delivery.recipient.is_active:
        return None
    return addresses.get(delivery.recipient_id)


def _verified_addresses(deliveries: list[Delivery]) -> dict[int, str]:
    """{user_id: primary verified address} for a batch, in one query; mail goes nowhere else."""
    user_ids = {d.recipient_id for d in deliveries if d.recipient_id is not None}
    if not user_ids:
        return {}
    return dict(
        EmailAddress.objects.filter(user_id__in=user_ids, primary=True, verified=True).values_list(
            "user_id", "email"
        )
    )


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
    addresses = _verified_addresses(deliveries)
    mail = get_connection(fail_silently=False)
    opened = False
    retry_times: list[dt.datetime] = []
    try:
        for delivery in deliveries:
            address = _recipient_address(delivery, addresses)
            if not address:
                Delivery.objects.filter(pk=delivery.pk).update(
                    status=Delivery.Status.SKIPPED, last_error="no verified address"
                )
                counts["skipped"] += 1
                continue
            try:
                if not opened:
                    mail.open()
                    opened = True
                message = render_delivery(delivery, address)
                _send(mail, message, on_accepting=lambda d=delivery: _mark_sent(d))
            except (TimeoutError, smtplib.SMTPException, OSError) as error:
                _fail(delivery, error)
                counts["failed"] += 1
                if delivery.status == Delivery.Status.RETRY:
                    when = delivery.next_attempt_at
                    retry_times.append(when)
                # a broken connection is reopened for the next message
                with contextlib.suppress(Exception):
                    mail.close()
                opened = False
                continue
            counts["sent"] += 1
    finally:
        if opened:
            with contextlib.suppress(Exception):
                mail.close()
    if retry_times:
        transaction.on_commit(lambda: _schedule_retries(retry_times))
    return counts


def _mark_sent(delivery: Delivery) -> None:
    """Marks the row sent. On PostgreSQL the commit does not wait for the WAL flush
    (synchronous_commit off, for this transaction only): other sessions see it at once and a
    killed worker cannot undo it; only a crash of the database server itself within a fraction
    of a second could lose the mark, and then the e-mail would be sent again. Waiting for
    the disk on every e-mail would cost more than the sending itself."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.SENT, sent_at=timezone.now(), last_error=""
        )


def _send(connection, message, *, on_accepting) -> None:
    """Sends one message, recording it as sent at the last safe moment.

    Over SMTP the row is marked sent after the message body went out but *before* the final
    "." that makes the server accept it (RFC 1047). A worker killed before that commit leaves
    the server with an aborted transaction and the row claimed, so it is sent again later; one
    killed after it has sent the "." a moment later or not at all. The window for a duplicate
    (server accepted, row not yet marked) is thereby closed; what remains is a few microseconds
    between the commit and writing three bytes. If the server then refuses, the caller records
    the failure as usual. Other backends (tests, console) send and then mark.
    """
    smtp = getattr(connection, "connection", None)
    if not isinstance(smtp, smtplib.SMTP):
        connection.send_messages([message])
        on_accepting()
        return
    from_address = connection.prep_address(message.from_email)
    recipients = [connection.prep_address(a) for a in message.recipients()]
    body = message.message(policy=email.policy.SMTP).as_bytes()
    smtp.ehlo_or_helo_if_needed()
    code, reply = smtp.mail(from_address)
    if code != 250:
        smtp.rset()
        raise smtplib.SMTPSenderRefused(code, reply, from_address)
    refused = {}
    for recipient in recipients:
        code, reply = smtp.rcpt(recipient)
        if code not in (250, 251):
            refused[recipient] = (code, reply)
    if len(refused) == len(recipients):
        smtp.rset()
        raise smtplib.SMTPRecipientsRefused(refused)
    code, reply = smtp.docmd("data")
    if code != 354:
        smtp.rset()
        raise smtplib.SMTPDataError(code, reply)
    quoted = re.sub(rb"(?m)^\.", b"..", body)
    if not quoted.endswith(b"\r\n"):
        quoted += b"\r\n"
    smtp.send(quoted)
    on_accepting()
    smtp.send(b".\r\n")
    code, reply = smtp.getreply()
    if code != 250:
        raise smtplib.SMTPDataError(code, reply)


def _schedule_retries(times: list[dt.datetime]) -> None:
    """A sweep when the first retry is due and one when the last is (jitter spreads them), so
    retries do not wait for the periodic sweep; that one remains the safety net."""
    for when in sorted({min(times), max(times)}):
        _schedule_retry(when)


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
            Q(status=Delivery.Status.PENDING, created_at__lt=now - _relay_grace())
            | Q(
                status=Delivery.Status.PENDING,
                next_attempt_at__isnull=False,
                next_attempt_at__lte=now,
            )
            | Q(status=Delivery.Status.RETRY, next_attempt_at__lte=now)
            | Q(status=Delivery.Status.SENDING, claimed_at__lt=now - _stale_claim())
        )
        .order_by("created_at")
        .values_list("key", flat=True)
    )
    keys = list(due[:10_000])
    for start in range(0, len(keys), BATCH_SIZE):
        send_email_deliveries.delay(keys[start : start + BATCH_SIZE])
    return len(keys) + _sweep_webhooks(now)


def _sweep_webhooks(now: dt.datetime) -> int:
    ids = list(
        WebhookDelivery.objects.filter(
            Q(status=Delivery.Status.PENDING, created_at__lt=now - _relay_grace())
            | Q(status=Delivery.Status.RETRY, next_attempt_at__lte=now)
            | Q(status=Delivery.Status.SENDING, claimed_at__lt=now - _stale_claim())
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:10_000]
    )
    for start in range(0, len(ids), WEBHOOK_BATCH_SIZE):
        send_webhook_deliveries.delay(ids[start : start + WEBHOOK_BATCH_SIZE])
    return len(ids)


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def send_digests(frequency: str) -> int:
    """Beat, every morning (daily) or Monday morning (weekly), Europe/Berlin: one e-mail per
    user summarising the pending digest entries. The delivery key carries the date, and the
    entries are attached in the same transaction, so nothing is summarised twice.

    Works in chunks of DIGEST_CHUNK users with a handful of statements each (bulk insert of
    the digest rows, one UPDATE attaching all entries), not a transaction per user."""
    today = timezone.localdate().isoformat()
    prefix = f"digest:{frequency}:{today}:"
    user_ids = sorted(
        Notification.objects.filter(digest=frequency, digest_delivery__isnull=True)
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    keys = []
    for start in range(0, len(user_ids), DIGEST_CHUNK):
        chunk = user_ids[start : start + DIGEST_CHUNK]
        with transaction.atomic():
            languages = dict(User.objects.filter(pk__in=chunk).values_list("pk", "language"))
            Delivery.objects.bulk_create(
                [
                    Delivery(
                        key=f"{prefix}{user_id}",
                        kind=Delivery.Kind.DIGEST,
                        recipient_id=user_id,
                        language=languages.get(user_id) or "de",
                        context={"frequency": frequency},
                    )
                    for user_id in chunk
                ],
                ignore_conflicts=True,
            )
            # today's digest that already went out is left alone: new entries wait
            open_digests = Delivery.objects.filter(
                key__in=[f"{prefix}{user_id}" for user_id in chunk],
                status__in=[Delivery.Status.PENDING, Delivery.Status.RETRY],
            )
            open_users = list(open_digests.values_list("recipient_id", flat=True))
            Notification.objects.filter(
                recipient_id__in=open_users, digest=frequency, digest_delivery__isnull=True
            ).update(
                digest_delivery_id=Subquery(
                    Delivery.objects.filter(
                        key=Concat(Value(prefix), Cast(OuterRef("recipient_id"), CharField()))
                    ).values("pk")[:1]
                )
            )
            keys.extend(f"{prefix}{user_id}" for user_id in open_users)
    for start in range(0, len(keys), BATCH_SIZE):
        send_email_deliveries.delay(keys[start : start + BATCH_SIZE])
    return len(keys)


# --- Webhooks ----------------------------------------------------------------------------------

WEBHOOK_BATCH_SIZE = 20
WEBHOOK_TIMEOUT = 5


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not an instruction: following it could lead a signed request
    anywhere (and past the https/localhost rule)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def _post(endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> int:
    """POSTs the signed payload; returns the HTTP status (raises on network errors)."""
    from notifications.webhooks import body_bytes, signature_header

    body = body_bytes(delivery.payload)
    now = timezone.now()
    timestamp = int(now.timestamp())
    request = urllib.request.Request(  # noqa: S310 - the scheme is validated (https/local http)
        endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "SPIN-Portal-Webhooks/1",
            "X-Spin-Event-Id": str(delivery.event_id),
            "X-Spin-Event-Type": delivery.event_type,
            "X-Spin-Timestamp": str(timestamp),
            "X-Spin-Signature": signature_header(
                secrets_=endpoint.signing_secrets(now), timestamp=timestamp, body=body
            ),
        },
    )
    try:
        with _opener.open(request, timeout=WEBHOOK_TIMEOUT) as response:
            response.read(1024)
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _claim_webhooks(ids: list[int]) -> list[WebhookDelivery]:
    now = timezone.now()
    claimable = Q(status__in=[Delivery.Status.PENDING, Delivery.Status.RETRY]) | Q(
        status=Delivery.Status.SENDING, claimed_at__lt=now - _stale_claim()
    )
    with transaction.atomic():  # see _claim
        claimed = [
            pk
            for pk in sorted(set(ids))
            if WebhookDelivery.objects.filter(claimable, pk=pk).update(
                status=Delivery.Status.SENDING, claimed_at=now
            )
        ]
    return list(
        WebhookDelivery.objects.filter(pk__in=claimed).select_related("endpoint").order_by("pk")
    )


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def send_webhook_deliveries(ids: list[int]) -> dict[str, int]:
    """POSTs the given webhook deliveries. 2xx is delivered; anything else (or a network error)
    is retried with backoff up to MAX_ATTEMPTS, then dead. Each failure counts against the
    endpoint; DISABLE_AFTER_FAILURES in a row disable it and tell its owners."""
    from notifications.webhooks import PING, webhook_disable

    counts = {"sent": 0, "failed": 0, "skipped": 0}
    retry_times: list[dt.datetime] = []
    for delivery in _claim_webhooks(ids):
        endpoint = delivery.endpoint
        if not endpoint.is_active and delivery.event_type != PING:
            WebhookDelivery.objects.filter(pk=delivery.pk).update(
                status=Delivery.Status.SKIPPED, last_error="webhook disabled"
            )
            counts["skipped"] += 1
            continue
        status_code, error = None, ""
        try:
            status_code = _post(endpoint, delivery)
        except (TimeoutError, OSError, ValueError) as exc:  # URLError is an OSError
            error = f"{type(exc).__name__}: {exc}"[:2000]
        now = timezone.now()
        if status_code is not None and 200 <= status_code < 300:
            WebhookDelivery.objects.filter(pk=delivery.pk).update(
                status=Delivery.Status.SENT,
                delivered_at=now,
                response_status=status_code,
                attempts=F("attempts") + 1,
                last_error="",
                next_attempt_at=None,
            )
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=0)
            counts["sent"] += 1
            continue
        counts["failed"] += 1
        attempts = delivery.attempts + 1
        dead = attempts >= WebhookDelivery.MAX_ATTEMPTS
        next_attempt = None if dead else now + backoff(attempts)
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.DEAD if dead else Delivery.Status.RETRY,
            attempts=attempts,
            response_status=status_code,
            last_error=error or f"HTTP {status_code}",
            next_attempt_at=next_attempt,
        )
        if next_attempt is not None:
            retry_times.append(next_attempt)
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
            consecutive_failures=F("consecutive_failures") + 1
        )
        failures = (
            WebhookEndpoint.objects.filter(pk=endpoint.pk)
            .values_list("consecutive_failures", flat=True)
            .first()
        )
        if failures is not None and failures >= WebhookEndpoint.DISABLE_AFTER_FAILURES:
            webhook_disable(endpoint_id=endpoint.pk, now=now)
    if retry_times:
        transaction.on_commit(lambda: _schedule_retries(retry_times))
    return counts
