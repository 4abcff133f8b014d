"""Delivery of outbox rows. Every task is idempotent: a row is claimed with a conditional
UPDATE, so a redelivered or duplicated task finds nothing left to send."""

import contextlib
import datetime as dt
import logging
import random
import re
import smtplib
import socket
import urllib.error
import urllib.request
from collections.abc import Callable

from allauth.account.models import EmailAddress
from celery import shared_task
from django.conf import settings
from django.core.mail import get_connection
from django.db import DatabaseError, connection, transaction
from django.db.models import CharField, F, OuterRef, Q, Subquery, Value, prefetch_related_objects
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from accounts.models import User
from notifications.models import Delivery, Notification, WebhookDelivery, WebhookEndpoint
from spinportal.db import logged_statement

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
    delivery.sent_at = None  # refused after the final ".": the mark is taken back
    delivery.save(update_fields=["attempts", "last_error", "status", "next_attempt_at", "sent_at"])


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def send_email_deliveries(keys: list[str]) -> dict[str, int]:
    """Sends the given outbox rows over one SMTP connection."""
    from notifications.emails import digest_items_prefetch, render_delivery

    deliveries = _claim(keys)
    counts = {"sent": 0, "failed": 0, "skipped": 0}
    if not deliveries:
        return counts
    addresses = _verified_addresses(deliveries)
    digests = [d for d in deliveries if d.kind == Delivery.Kind.DIGEST]
    if digests:  # the entries of all digests in the batch in one query
        prefetch_related_objects(digests, digest_items_prefetch())
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
                    _no_delay(mail)
                    opened = True
                message = render_delivery(delivery, address)
                _send(mail, message, mark_sent=_sent_marker(delivery))
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


def _no_delay(mail) -> None:
    """Switches Nagle's algorithm off on the SMTP socket. `_send` writes the body and then the
    final ".": two small writes before waiting for the reply. With Nagle on, the "." waits for
    the server to acknowledge the body, and servers delay that acknowledgement (40 ms on
    Linux): that wait, not the work, capped a worker at ~20 mails/s."""
    sock = getattr(getattr(mail, "connection", None), "sock", None)
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def _sent_marker(delivery: Delivery) -> Callable[[], None]:
    """A function that marks the row sent in one statement that commits at once (autocommit,
    as in the worker). `_send` calls it right after writing the final "." of the message, so
    everything that can be done beforehand is done here: the statement and its parameters are
    ready, and on PostgreSQL the call hands them to libpq at once (Django's cursor would take
    tens of microseconds to get there), then waits for the result.

    On PostgreSQL the commit also does not wait for the WAL flush (synchronous_commit off, set
    by `set_config(..., true)` for this statement's transaction only): other sessions see the
    mark at once and a killed worker cannot undo it; only a crash of the database server
    itself within a fraction of a second could lose the mark, and then the e-mail would be
    sent again. Waiting for the disk on every e-mail would cost more than the sending itself.
    """
    sent_at = timezone.now()
    table = connection.ops.quote_name(Delivery._meta.db_table)
    if connection.vendor == "postgresql":
        from psycopg import generators, pq  # psycopg is pinned (requirements.txt)

        sql = (
            f"UPDATE {table} SET status = $1, sent_at = $2, last_error = '' WHERE id = $3 "  # noqa: S608
            f"AND set_config('synchronous_commit', 'off', true) IS NOT NULL"
        ).encode()
        params = [Delivery.Status.SENT.encode(), sent_at.isoformat().encode(), b"%d" % delivery.pk]
        connection.ensure_connection()
        raw = connection.connection

        def mark() -> None:
            with logged_statement(connection, sql.decode()):
                raw.pgconn.send_query_params(sql, params)  # on its way now; the rest is waiting
                results = raw.wait(generators.execute(raw.pgconn))
            for result in results:
                if result.status != pq.ExecStatus.COMMAND_OK:
                    error = result.error_message.decode("utf-8", "replace")
                    raise DatabaseError(f"could not mark delivery {delivery.pk} sent: {error}")

        return mark

    sql = f"UPDATE {table} SET status = %s, sent_at = %s, last_error = '' WHERE id = %s"  # noqa: S608
    params = [
        Delivery.Status.SENT,
        connection.ops.adapt_datetimefield_value(sent_at),
        delivery.pk,
    ]

    def mark() -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)

    return mark


def _send(connection, message, *, mark_sent) -> None:
    """Sends one message and calls `mark_sent` at the moment the server can accept it.

    Over SMTP the server accepts a message when it reads the final "." after the body
    (RFC 5321, 4.1.1.4). `mark_sent` is called right after that "." is written and before the
    reply is read: the row is marked sent within microseconds of the acceptance, and the reply
    (a round trip) is awaited afterwards; if the server refuses, the caller records the
    failure and the row is no longer marked sent.

    Exactly once is impossible between two systems (the SMTP server and the database), so
    there is a window, and it is made as small as it can be and put on the safe side:
    - killed before the ".": the server discards the message; the row stays claimed and is
      sent again after the stale-claim time;
    - killed between the "." and the mark leaving for the database (a few microseconds of
      Python, no waiting): the message was accepted and is sent again, a duplicate with the
      same Message-ID; nothing is lost;
    - killed after that: the database commits the mark (a statement that has arrived is
      executed whether or not its client still lives) and nothing is sent again.
    Marking before the "." instead would turn the database round trip, a large share of a
    worker's time per mail, into a window in which a killed worker loses the e-mail.
    Other backends (tests, console) send and then mark.
    """
    from notifications.emails import message_bytes

    smtp = getattr(connection, "connection", None)
    if not isinstance(smtp, smtplib.SMTP):
        connection.send_messages([message])
        mark_sent()
        return
    from_address = _envelope_address(connection, message.from_email)
    recipients = [_envelope_address(connection, a) for a in message.recipients()]
    body = message_bytes(message)
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
    smtp.send(b".\r\n")
    mark_sent()
    code, reply = smtp.getreply()
    if code != 250:
        raise smtplib.SMTPDataError(code, reply)


_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")


_envelope_cache: dict[tuple[type, str], str] = {}


def _envelope_address(connection, address: str) -> str:
    """The SMTP envelope form of an address. A plain ASCII address (what verified addresses
    are) is its own envelope form; anything else (display name, non-ASCII domain, line
    breaks) goes through the backend's `prep_address`, whose parsing costs ~0.1 ms a call,
    and the sender's, the same for every mail, is remembered."""
    if _PLAIN_ADDRESS.fullmatch(address):
        return address
    key = (type(connection), address)
    prepared = _envelope_cache.get(key)
    if prepared is None:
        prepared = connection.prep_address(address)  # raises ValueError for a bad address
        if len(_envelope_cache) < 64:
            _envelope_cache[key] = prepared
    return prepared


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
    """Claims the webhook deliveries among `ids` (see _claim_ids) and returns them."""
    claimed = _claim_ids(WebhookDelivery, "id", ids)
    if not claimed:
        return []
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
