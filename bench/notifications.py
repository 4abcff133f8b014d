"""Notifications: fan-out, request-path cost, weekly digest, SMTP throughput. Prints figures.

    .venv/bin/python bench/notifications.py            # SQLite (temp), tasks in-process (eager)
    DATABASE_URL=postgres://…/spinportal_bench_notif REDIS_URL=redis://… \\
        .venv/bin/python bench/notifications.py        # real Celery worker (prefork, 2 processes)

With PostgreSQL and REDIS_URL set (and redis-server installed) the script starts its own
redis-server on a free port and a real worker (`celery -A spinportal worker --pool=prefork
--concurrency=2`) against the given database, so e-mails go through the broker and the worker
into a local aiosmtpd sink. Otherwise it runs on SQLite with tasks in-process and says so.
The sink runs in a child process, so its work does not hold this process's GIL while
notify() is timed (it still shares the machine's CPUs).
The database is migrated; users are created once (`BENCH_USERS`, default 10,000), notification
rows are deleted at the start of every run. A script that prints figures, not a test.
"""

import os
import random
import time

import _common

# PostgreSQL if DATABASE_URL is set, else SQLite in a temporary folder of the run's own
FOLDER = _common.configure("notifications")
_common.ensure_postgres_database(os.environ["DATABASE_URL"])

import logging  # noqa: E402
import shutil  # noqa: E402

import django  # noqa: E402

django.setup()

from allauth.account.models import EmailAddress  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.mail import EmailMessage, get_connection  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import override_settings  # noqa: E402

from accounts.models import User  # noqa: E402
from notifications.models import Delivery, Notification  # noqa: E402
from notifications.services import notify  # noqa: E402
from notifications.tasks import send_digests  # noqa: E402
from spinportal.celery import app  # noqa: E402
from tests.notifications import integration  # noqa: E402

USERS = int(os.environ.get("BENCH_USERS", "10000"))
REQUEST_ROUNDS = int(os.environ.get("BENCH_ROUNDS", "300"))
SMTP_MESSAGES = int(os.environ.get("BENCH_SMTP_MESSAGES", "300"))
TIMEOUT = float(os.environ.get("BENCH_TIMEOUT", "240"))

logging.disable(logging.WARNING)


def seed() -> list[int]:
    call_command("migrate", verbosity=0)
    existing = User.objects.filter(email__startswith="bench-").count()
    if existing < USERS:
        unusable = make_password(None)
        User.objects.bulk_create(
            (
                User(email=f"bench-{i}@example.org", full_name=f"Bench {i}", password=unusable)
                for i in range(existing, USERS)
            ),
            batch_size=2000,
        )
        users = User.objects.filter(email__startswith="bench-").exclude(emailaddress__isnull=False)
        EmailAddress.objects.bulk_create(
            (EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users),
            batch_size=2000,
        )
    Delivery.objects.all().delete()
    Notification.objects.all().delete()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    ids = User.objects.filter(email__startswith="bench-").order_by("pk")
    return list(ids.values_list("pk", flat=True)[:USERS])


def wait(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def fan_out(sink, user_ids: list[int]) -> None:
    recipients = list(User.objects.filter(pk__in=user_ids))
    started = time.monotonic()
    with transaction.atomic():
        notify(
            event_type="message.received",
            recipients=recipients,
            event_key="bench-fan-out",
            url="/conversations/1/",
            context={"sender": "Anna", "organisation": "STEAG", "excerpt": "Hallo"},
        )
    written = time.monotonic() - started
    done = wait(lambda: sink.count("message.received") >= len(user_ids), TIMEOUT)
    total = time.monotonic() - started
    received = sink.count("message.received")
    print(
        f"fan-out to {len(user_ids):,} recipients: outbox written in {written:.2f} s "
        f"(in-app rows + deliveries), all e-mails in the sink after {total:.1f} s "
        f"({received:,} received{'' if done else ', TIMED OUT'}; {received / total:.0f} mails/s)"
    )


def request_path(user_ids: list[int], label: str, first: int = 0) -> None:
    """notify() for one recipient, as a request calls it: in the transaction of the change it
    reports, after that change's own statements (a SELECT stands in for them here, so the
    transaction's BEGIN is theirs, not notify's), then the commit. The relay is in broker
    mode: handing over happens on its thread after commit, and in worker mode the worker sends
    the e-mails of these events meanwhile, as it would in production."""
    users = list(User.objects.filter(pk__in=user_ids[first : first + REQUEST_ROUNDS]))
    timings, calls, cpu, baseline = [], [], [], []
    order = random.Random(first)
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    with override_settings(CELERY_TASK_ALWAYS_EAGER=False):
        for number, user in enumerate(users):
            # case and baseline (the same transaction without notify) in a random order
            for with_notify in order.sample([True, False], 2):
                with transaction.atomic():
                    with connection.cursor() as cursor:
                        cursor.execute("SELECT 1")  # the request's own change
                    started = time.perf_counter()
                    cpu_started = time.thread_time()
                    if with_notify:
                        notify(
                            event_type="contact_request.received",
                            recipients=[user],
                            event_key=f"bench-request-{first + number}",
                            url="/contact-requests/1/",
                            context={
                                "sender_organisation": "STEAG",
                                "opportunity": "X",
                                "message": "Hi",
                            },
                        )
                        calls.append((time.perf_counter() - started) * 1000)
                        cpu.append((time.thread_time() - cpu_started) * 1000)
                elapsed = (time.perf_counter() - started) * 1000
                (timings if with_notify else baseline).append(elapsed)
    app.conf.task_always_eager = eager

    p50, p95 = _common.p50, _common.p95
    print(
        f"adding an event on the request path, {label} ({len(timings)} events, 1 recipient): "
        f"notify() "
        f"p50 {p50(calls):.2f} ms, p95 {p95(calls):.2f} ms; with its own commit "
        f"p50 {p50(timings):.2f} ms, p95 {p95(timings):.2f} ms, next to the same transaction "
        f"without notify() (baseline, interleaved) p50 {p50(baseline):.2f} ms, p95 "
        f"{p95(baseline):.2f} ms; CPU of the calling thread in notify() p50 {p50(cpu):.2f} ms, "
        f"p95 {p95(cpu):.2f} ms (wall minus CPU is waiting: database round trips, or a busy "
        f"machine)"
    )


def weekly_digest(sink, user_ids: list[int], worker_mode: bool) -> None:
    recipients = list(User.objects.filter(pk__in=user_ids))
    with transaction.atomic():
        for number in range(2):  # project news defaults to the weekly digest
            notify(
                event_type="project.news",
                recipients=recipients,
                event_key=f"bench-news-{number}",
                url=f"/projects/diane/news/{number}/",
                context={"project": "DIANE", "title": f"News {number}"},
            )
    started = time.monotonic()
    if worker_mode:
        send_digests.delay("weekly")
    else:
        send_digests("weekly")
    done = wait(lambda: sink.count("digest") >= len(user_ids), TIMEOUT)
    total = time.monotonic() - started
    print(
        f"weekly digest for {len(user_ids):,} users (2 items each): {total:.1f} s until all "
        f"were in the sink ({sink.count('digest'):,} received{'' if done else ', TIMED OUT'})"
    )


def smtp_throughput(sink) -> None:
    messages = [
        EmailMessage(
            subject=f"Bench {i}",
            body="Hallo " * 200,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[f"bench-smtp-{i}@example.org"],
            headers={"Message-ID": f"<smtp-bench-{i}@spin-portal>"},
        )
        for i in range(SMTP_MESSAGES)
    ]
    backend = "django.core.mail.backends.smtp.EmailBackend"
    options = {"host": "127.0.0.1", "port": sink.port, "use_tls": False, "fail_silently": False}

    def batch(chunk) -> None:
        connection = get_connection(backend, **options)
        connection.open()
        connection.send_messages(chunk)
        connection.close()

    def single(chunk) -> None:
        for message in chunk:
            connection = get_connection(backend, **options)
            connection.open()
            connection.send_messages([message])
            connection.close()

    # chunks of 25, each sent both ways, the two ways in a random order per chunk
    spent = {"batch": 0.0, "single": 0.0}
    order = random.Random(3)
    for start in range(0, SMTP_MESSAGES, 25):
        chunk = messages[start : start + 25]
        for name, send in order.sample([("batch", batch), ("single", single)], 2):
            started = time.monotonic()
            send(chunk)
            spent[name] += time.monotonic() - started
    per_batch = SMTP_MESSAGES / spent["batch"]
    per_message = SMTP_MESSAGES / spent["single"]
    print(
        f"SMTP into the local sink, {SMTP_MESSAGES} e-mails each way, interleaved in chunks of "
        f"25: one connection per batch {per_batch:.0f} mails/s, one connection per message "
        f"{per_message:.0f} mails/s ({per_batch / per_message:.1f}x)"
    )


def main() -> None:
    _common.load_average("start")
    print(f"database: {_common.describe_database()}")
    worker_mode = bool(
        connection.vendor == "postgresql"
        and os.environ.get("REDIS_URL")
        and shutil.which("redis-server")
    )
    started = time.monotonic()
    user_ids = seed()
    seconds = time.monotonic() - started
    print(f"seeded {len(user_ids):,} users with verified addresses in {seconds:.1f} s")
    sink = integration.SinkProcess()  # its own process: it does not take this one's GIL
    sink.start()
    redis = worker = None
    overrides = override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=sink.port,
        EMAIL_USE_TLS=False,
        EMAIL_HOST_USER="",
        EMAIL_HOST_PASSWORD="",
    )
    overrides.enable()
    try:
        if worker_mode:
            redis = integration.RedisServer()
            redis.start()
            worker = integration.Worker(
                database_url=os.environ["DATABASE_URL"],
                redis_url=redis.url,
                email_url=sink.url,
                log=FOLDER / "worker.log",
                pool=("--pool=prefork", "--concurrency=2"),
                nice=10,  # as bin/up starts it: requests come first
            )
            worker.start()
            integration.use_broker(app, redis.url)
            print(
                f"mode: PostgreSQL, own redis-server, real Celery worker (prefork, 2 processes, "
                f"nice 10), aiosmtpd sink; {os.cpu_count()} CPUs"
            )
        else:
            app.conf.broker_url = "memory://"
            print(
                f"mode: {connection.vendor}, tasks in-process after commit (eager; no Redis or no "
                f"PostgreSQL), aiosmtpd sink; {os.cpu_count()} CPUs"
            )
        with override_settings(CELERY_TASK_ALWAYS_EAGER=not worker_mode):
            app.conf.task_always_eager = not worker_mode
            fan_out(sink, user_ids)
            sink.reset()
            if worker:
                worker.pause()
                request_path(user_ids, "worker paused", first=0)
                worker.resume()
                request_path(user_ids, "worker sending the e-mails meanwhile", first=REQUEST_ROUNDS)
            else:
                request_path(user_ids, "e-mails sent in-process after each commit")
            Delivery.objects.filter(event_type="contact_request.received").update(status="skipped")
            weekly_digest(sink, user_ids, worker_mode)
            sink.reset()
        smtp_throughput(sink)
    finally:
        overrides.disable()
        if worker:
            worker.stop()
        if redis:
            redis.stop()
        sink.stop()
        _common.load_average("end")


if __name__ == "__main__":
    main()
