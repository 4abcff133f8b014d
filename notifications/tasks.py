"""Delivery of outbox rows. Every task is idempotent: a row is claimed with a conditional
UPDATE, so a redelivered or duplicated task finds nothing left to send."""

import contextlib
import datetime as dt
import logging
import random
import smtplib
import time
import urllib.error
import urllib.request
from collections.abc import Callable

from allauth.account.models import EmailAddress
from celery import shared_task
from django.conf import settings
from django.core.mail import get_connection
from django.db import DatabaseError, connection, transaction
from django.db.models import (
    CharField,
    DateTimeField,
    Exists,
    F,
    OuterRef,
    Q,
    Subquery,
    Value,
    prefetch_related_objects,
)
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone

from accounts.models import User
from notifications.emails import digest_items_prefetch, render_delivery
from notifications.models import Delivery, Notification, WebhookDelivery, WebhookEndpoint
from notifications.webhook_events import PING, WEBHOOK_OPEN, body_bytes, signature_header
from notifications.webhooks import webhook_disable

logger = logging.getLogger(__name__)

BATCH_SIZE = 100
DIGEST_CHUNK = 500
# Claims of a running batch are renewed every third of this (see _renew_claim): a claim older
# than this belongs to a worker that died, and the sweep (every 20 s) resumes its rows.
STALE_CLAIM = dt.timedelta(seconds=40)
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
    """Claims the e-mail deliveries among `keys` (see _claim_ids) and returns them."""
    claimed = _claim_ids(Delivery, "key", keys)
    if not claimed:
        return []
    return list(Delivery.objects.filter(pk__in=claimed).select_related("recipient").order_by("key"))


def _claim_ids(model, field: str, values: list) -> list[int]:
    """Marks the claimable rows of `model` (Delivery or WebhookDelivery) whose `field` is
    among `values` as being sent, in one statement, and returns their ids.

    Claimable: pending, waiting for a retry, or claimed so long ago that the claimer must have
    died. A concurrent claimer of the same rows waits for their locks and then finds them no
    longer claimable (PostgreSQL re-checks the condition on the locked row), so every row is
    claimed once. On PostgreSQL the rows are locked in id order, so that two tasks with
    overlapping values cannot deadlock; SQLite has a single writer anyway.
    """
    values = sorted(set(values))
    if not values:
        return []
    now = timezone.now()
    ops = connection.ops
    table = ops.quote_name(model._meta.db_table)
    column = ops.quote_name(model._meta.get_field(field).column)
    claimable = "(status IN (%s, %s) OR (status = %s AND claimed_at < %s))"
    claimable_params = [
        Delivery.Status.PENDING,
        Delivery.Status.RETRY,
        Delivery.Status.SENDING,
        ops.adapt_datetimefield_value(now - _stale_claim()),
    ]
    set_params = [Delivery.Status.SENDING, ops.adapt_datetimefield_value(now)]
    if connection.vendor == "postgresql":
        sql = (
            f"WITH claimable AS (SELECT id FROM {table} WHERE {column} = ANY(%s) AND {claimable} "  # noqa: S608 (fixed names)
            f"ORDER BY id FOR UPDATE) "
            f"UPDATE {table} AS claimed SET status = %s, claimed_at = %s FROM claimable "
            f"WHERE claimed.id = claimable.id RETURNING claimed.id"
        )
        params = [values, *claimable_params, *set_params]
    else:
        placeholders = ", ".join(["%s"] * len(values))
        sql = (
            f"UPDATE {table} SET status = %s, claimed_at = %s "  # noqa: S608 (fixed names)
            f"WHERE {column} IN ({placeholders}) AND {claimable} RETURNING id"
        )
        params = [*set_params, *values, *claimable_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


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
    """Records a failed attempt: a retry after a backoff, or dead after MAX_ATTEMPTS. Safe to
    run again after a database error (the instance changes only once the row has)."""
    attempts = delivery.attempts + 1
    fields = {"attempts": attempts, "last_error": f"{type(error).__name__}: {error}"[:2000]}
    if attempts >= Delivery.MAX_ATTEMPTS:
        fields |= {"status": Delivery.Status.DEAD, "next_attempt_at": None}
        logger.error("delivery %s is dead after %d attempts: %s", delivery.key, attempts, error)
    else:
        fields |= {
            "status": Delivery.Status.RETRY,
            "next_attempt_at": timezone.now() + backoff(attempts),
        }
    Delivery.objects.filter(pk=delivery.pk).update(**fields)
    for name, value in fields.items():
        setattr(delivery, name, value)


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def send_email_deliveries(keys: list[str]) -> dict[str, int]:
    """Sends the given outbox rows through Django's e-mail backend, over one connection.

    Each message is handed to `send_messages` and then marked sent. The delivery key (and the
    Message-ID made from it) is the idempotency key: before each send the row is re-read, so a
    message whose mark landed meanwhile (a duplicated task, a mark retried by a previous run)
    is never sent again. If the database fails right after the server accepted a message, the
    mark is retried on a fresh connection (`_mark_sent`) instead of the task dying and the
    sweep sending the accepted message a second time; the rest of the batch goes on.
    """
    deliveries = _claim(keys)
    counts = {"sent": 0, "failed": 0, "skipped": 0}
    if not deliveries:
        return counts
    addresses = _verified_addresses(deliveries)
    digests = [d for d in deliveries if d.kind == Delivery.Kind.DIGEST]
    if digests:  # the entries of all digests in the batch in one query
        prefetch_related_objects(digests, digest_items_prefetch())
    mail = get_connection(fail_silently=False)
    retry_times: list[dt.datetime] = []
    claim_renewed = timezone.now()
    try:
        for position, delivery in enumerate(deliveries):
            if timezone.now() - claim_renewed > _stale_claim() / 3:
                _renew_claim(deliveries[position:])
                claim_renewed = timezone.now()
            address = _recipient_address(delivery, addresses)
            if not address:
                _database_write(
                    lambda d=delivery: Delivery.objects.filter(pk=d.pk).update(
                        status=Delivery.Status.SKIPPED, last_error="no verified address"
                    )
                )
                counts["skipped"] += 1
                continue
            if _already_sent(delivery):
                continue
            try:
                mail.open()  # once: an open connection is kept across send_messages calls
                mail.send_messages([render_delivery(delivery, address)])
            except (TimeoutError, smtplib.SMTPException, OSError, ValueError) as error:
                _database_write(lambda d=delivery, e=error: _fail(d, e))
                counts["failed"] += 1
                if delivery.status == Delivery.Status.RETRY:
                    retry_times.append(delivery.next_attempt_at)
                # a broken connection is reopened for the next message
                with contextlib.suppress(Exception):
                    mail.close()
                continue
            _database_write(lambda d=delivery: _mark_sent(d))
            counts["sent"] += 1
    finally:
        with contextlib.suppress(Exception):
            mail.close()
    if retry_times:
        transaction.on_commit(lambda: _schedule_retries(retry_times))
    return counts


# How often, and how long in all, a write after an accepted message is retried when the
# database connection fails (a dropped connection, a failover, a restarted server).
DATABASE_RETRIES = 8
DATABASE_RETRY_SECONDS = 0.25


def _database_write(write: Callable[[], object]):
    """Runs `write` (autocommit, as in the worker); on a database error closes the connection
    and retries on a new one, with a growing pause (0.25 s, 0.5 s, … ≈ 1 min in all). Only
    when the database stays away longer does the error end the task; the rows of the batch
    stay claimed and the sweep resumes them after the stale-claim time."""
    for attempt in range(DATABASE_RETRIES):
        try:
            return write()
        except DatabaseError:
            if attempt == DATABASE_RETRIES - 1 or connection.in_atomic_block:
                raise
            logger.warning("database write failed; retrying on a new connection", exc_info=True)
            connection.close()
            time.sleep(DATABASE_RETRY_SECONDS * 2**attempt)


def _mark_sent(delivery: Delivery) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.SENT, sent_at=timezone.now(), last_error=""
    )


def _already_sent(delivery: Delivery) -> bool:
    """True if the row is no longer ours to send (another run marked it meanwhile)."""
    return _database_write(
        lambda: not Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.SENDING).exists()
    )


def _renew_claim(deliveries: list[Delivery]) -> None:
    """Keeps a long batch's rows claimed, so that the stale-claim time can be short: a claim
    not renewed for that long belongs to a worker that died."""
    _database_write(
        lambda: Delivery.objects.filter(
            pk__in=[d.pk for d in deliveries], status=Delivery.Status.SENDING
        ).update(claimed_at=timezone.now())
    )


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
    """Queues the webhook deliveries that are due and first in line for their endpoint."""
    ids = list(
        webhook_heads(now)
        .filter(
            Q(status=Delivery.Status.PENDING, created_at__lt=now - _relay_grace())
            | Q(status=Delivery.Status.RETRY, next_attempt_at__lte=now)
            | Q(status=Delivery.Status.SENDING, claimed_at__lt=now - _stale_claim())
        )
        .order_by("created_at", "pk")
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


# Deliveries one task sends in a row to endpoints that keep accepting them; after that the
# sweep takes over, so that one busy endpoint does not hold a worker for long.
WEBHOOK_DRAIN_LIMIT = 100


def _disable_after() -> dt.timedelta:
    """How long an endpoint fails without a single success before it is disabled."""
    return dt.timedelta(hours=getattr(settings, "NOTIFICATIONS_WEBHOOK_DISABLE_AFTER_HOURS", 24))


def webhook_heads(now: dt.datetime):
    """The webhook deliveries that may be attempted at `now`: for each active endpoint the
    oldest open one (by event time, then id), if it is due, and every due ping.

    Ordering per endpoint: a later event waits while an earlier one is pending or retrying;
    once that is sent or dead the next one goes. Pings neither wait nor hold anything up, and
    go out even to a disabled endpoint (they test it); other rows of a disabled one are held.
    """
    earlier_open = (
        WebhookDelivery.objects.filter(endpoint=OuterRef("endpoint"), status__in=WEBHOOK_OPEN)
        .exclude(event_type=PING)
        .filter(
            Q(created_at__lt=OuterRef("created_at"))
            | Q(created_at=OuterRef("created_at"), pk__lt=OuterRef("pk"))
        )
    )
    due = (
        Q(status=Delivery.Status.PENDING)
        | Q(status=Delivery.Status.RETRY, next_attempt_at__lte=now)
        | Q(status=Delivery.Status.SENDING, claimed_at__lt=now - _stale_claim())
    )
    in_line = Q(event_type=PING) | (Q(endpoint__is_active=True) & ~Exists(earlier_open))
    return WebhookDelivery.objects.filter(due & in_line)


def _claim_webhook(delivery_id: int) -> WebhookDelivery | None:
    """Claims one delivery if it is first in line (see webhook_heads and _claim_ids), right
    before it is sent: a claim never ages while other deliveries are being sent.

    Selecting the head and claiming it are two statements; that is safe for several workers:
    a row is a head only once every earlier row of its endpoint is sent or dead, so workers
    can only race for the same head, and the conditional claim gives it to one of them.
    """
    if not webhook_heads(timezone.now()).filter(pk=delivery_id).exists():
        return None
    if not _claim_ids(WebhookDelivery, "id", [delivery_id]):
        return None
    return WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)


def _next_in_line(endpoint_id: int) -> int | None:
    """The endpoint's next delivery once the previous one is sent or dead."""
    return (
        webhook_heads(timezone.now())
        .filter(endpoint_id=endpoint_id)
        .exclude(event_type=PING)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
        .first()
    )


def _attempt(delivery: WebhookDelivery) -> Delivery.Status:
    """POSTs one claimed delivery and records the outcome: sent, retry or dead."""
    endpoint = delivery.endpoint
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
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
            consecutive_failures=0, failing_since=None
        )
        return Delivery.Status.SENT
    attempts = delivery.attempts + 1
    dead = attempts >= WebhookDelivery.MAX_ATTEMPTS
    delivery.next_attempt_at = None if dead else now + backoff(attempts)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.DEAD if dead else Delivery.Status.RETRY,
        attempts=attempts,
        response_status=status_code,
        last_error=error or f"HTTP {status_code}",
        next_attempt_at=delivery.next_attempt_at,
    )
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        consecutive_failures=F("consecutive_failures") + 1,
        failing_since=Coalesce(F("failing_since"), Value(now, output_field=DateTimeField())),
    )
    # a short outage only delays the events (backoff, in order); a sustained one disables
    webhook_disable(endpoint_id=endpoint.pk, now=now, failing_since_before=now - _disable_after())
    return Delivery.Status.DEAD if dead else Delivery.Status.RETRY


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def send_webhook_deliveries(ids: list[int]) -> dict[str, int]:
    """POSTs those of the given webhook deliveries that are first in line for their endpoint.
    2xx is delivered; anything else (or a network error) is retried with backoff up to
    MAX_ATTEMPTS, then dead. When one is sent or dead, the endpoint's next one follows in the
    same task. An endpoint that fails without a success for a day (the setting
    NOTIFICATIONS_WEBHOOK_DISABLE_AFTER_HOURS) is disabled and its owners are told; its
    deliveries are held until it is enabled again."""
    counts = {"sent": 0, "failed": 0}
    retry_times: list[dt.datetime] = []
    candidates = sorted(set(ids))
    while candidates:
        delivery = _claim_webhook(candidates.pop(0))
        if delivery is None:  # not first in line, not due, or another worker has it
            continue
        outcome = _attempt(delivery)
        counts["sent" if outcome == Delivery.Status.SENT else "failed"] += 1
        if outcome == Delivery.Status.RETRY:
            retry_times.append(delivery.next_attempt_at)
        elif sum(counts.values()) < WEBHOOK_DRAIN_LIMIT:
            following = _next_in_line(delivery.endpoint_id)
            if following is not None and following not in candidates:
                candidates.append(following)
    if retry_times:
        transaction.on_commit(lambda: _schedule_retries(retry_times))
    return counts
