"""Load test against the production-like stack (`make up`: gunicorn with 2 workers, a Celery
worker and beat, PostgreSQL, Redis) with 10,000 organisations: 50 logged-in members browse the
directory, organisations, projects and matches and send contact requests for 60 s.

    .venv/bin/python bench/load.py                  # creates, seeds and starts everything
    .venv/bin/python bench/load.py --no-seed        # the database is seeded already
    .venv/bin/python bench/load.py --base http://127.0.0.1:8031 --no-seed   # a stack you run

Prints requests/s and p50/p95/p99 per page next to /healthz measured the same way (by the same
users, in the same run), the number of 5xx answers, and checks that every contact request sent
produced its notifications and e-mail deliveries (after the Celery worker drained them).
A script that prints figures, not a test. Traffic goes to the loopback address only; the run is
bounded (--seconds, at most 300).

The users are plain members (`seed_demo --people`): sessions are made on the server side, so
the log-in's rate limit is not what is measured. The client speaks plain HTTP to gunicorn and
sends `X-Forwarded-Proto: https` like the TLS proxy in front of it in production would.
"""

import argparse
import http.client
import os
import random
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
SNAPSHOT = Path(tempfile.gettempdir()) / "spinportal-load-src"
WORDS = ["Energie", "Wasserstoff", "Stahl", "Speicher", "Netz", "Prozess", "Sensor", "Batterie"]


def stack_environment(port: int) -> dict[str, str]:
    environment = dict(os.environ)
    defaults = {
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/spinportal_load",
        "REDIS_URL": "redis://127.0.0.1:6379/11",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "load-" + secrets.token_urlsafe(40),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": f"https://127.0.0.1:{port}",
        "LOG_LEVEL": "INFO",  # the request log gives the time spent inside Django
        "WEB_CONCURRENCY": "2",
    }
    for name, value in defaults.items():
        environment.setdefault(name, value)
    environment["PORT"] = str(port)
    environment["DJANGO_SETTINGS_MODULE"] = "spinportal.settings"
    return environment


def snapshot(environment: dict[str, str]) -> Path:
    """The committed code (git archive HEAD) in a directory of its own, so that the run is not
    disturbed by edits in progress in the work tree; it shares the work tree's .venv."""
    if SNAPSHOT.exists():
        subprocess.run(["rm", "-rf", str(SNAPSHOT)], check=True)
    SNAPSHOT.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "archive", "--format=tar", "HEAD"], cwd=ROOT, check=True, capture_output=True
    )
    subprocess.run(["tar", "-x", "-C", str(SNAPSHOT)], input=archive.stdout, check=True)
    (SNAPSHOT / ".venv").symlink_to(ROOT / ".venv")
    subprocess.run(
        [PYTHON, "manage.py", "compile_translations"],
        cwd=SNAPSHOT,
        env={**environment, "DJANGO_DEBUG": "1"},
        check=True,
        capture_output=True,
    )
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, check=True, capture_output=True
    )
    print(f"code: commit {commit.stdout.decode().strip()} exported to {SNAPSHOT}")
    return SNAPSHOT


def ensure_database(database_url: str) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(database_url)
    name = parts.path.lstrip("/")
    admin_url = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url.replace("postgres://", "postgresql://", 1)) as connection:
        connection.autocommit = True
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


SEED = """
from django.db import transaction
from django.core.management import call_command
from demo.seed import seed_cluster, seed_synthetic
seed_cluster()
print(seed_synthetic(organisations={organisations}, people={people}))
# What `seed_demo` does: profiles and matches rebuilt (Celery chunk tasks, in-process here).
with transaction.atomic():
    call_command("recompute_matches")
"""


def seed(source: Path, environment: dict[str, str], organisations: int, people: int) -> None:
    """`seed_demo --organisations N --people N --quiet-logins`, idempotent."""
    started = time.monotonic()
    manage = [PYTHON, "manage.py"]
    migrate = [*manage, "migrate", "--noinput", "-v0"]
    subprocess.run(migrate, cwd=source, env=environment, check=True)
    code = SEED.format(organisations=organisations, people=people)
    subprocess.run([*manage, "shell", "-c", code], cwd=source, env=environment, check=True)
    print(f"seeded in {time.monotonic() - started:.0f} s")


def start_stack(source: Path, environment: dict[str, str], log_path: Path) -> subprocess.Popen:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = log_path.open("w")
    process = subprocess.Popen(
        ["bash", "bin/up"],
        cwd=source,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    print(f"make up (bin/up) started, pid {process.pid}, log in {log_path}")
    return process


def stop_stack(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


class Client:
    """One user's cookies over plain HTTP connections to the loopback server."""

    def __init__(self, host: str, port: int, cookies: dict[str, str]):
        self.host = host
        self.port = port
        self.cookies = dict(cookies)

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, str, float]:
        headers = {
            "Host": f"{self.host}:{self.port}",
            "X-Forwarded-Proto": "https",
            "Accept-Language": "de",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"https://{self.host}:{self.port}{path}"
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
        started = time.perf_counter()
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            connection.request(method, path, body=data, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            elapsed = time.perf_counter() - started
            for header in response.headers.get_all("Set-Cookie") or []:
                cookie = SimpleCookie()
                cookie.load(header)
                for name, morsel in cookie.items():
                    self.cookies[name] = morsel.value
            return response.status, text, elapsed
        finally:
            connection.close()


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        self.errors: dict[str, int] = defaultdict(int)
        self.server_errors: list[str] = []

    def add(self, label: str, status: int, elapsed: float, path: str) -> None:
        with self.lock:
            self.times[label].append(elapsed)
            self.statuses[label][status] += 1
            if status >= 500:
                self.server_errors.append(f"{status} {path}")

    def error(self, label: str) -> None:
        with self.lock:
            self.errors[label] += 1


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def user_loop(client, recorder, deadline, rng, plan, max_contacts) -> None:
    """Closed loop without think time: one request (or form round trip) after the other."""
    sent = 0
    targets = list(plan["targets"])
    rng.shuffle(targets)
    actions = [
        ("directory", 14),
        ("directory search", 14),
        ("organisation page", 14),
        ("project list", 8),
        ("project page", 8),
        ("matches for you", 10),
        ("opportunity list", 8),
        ("contact request", 8),
        ("/healthz", 10),
    ]
    labels, weights = zip(*actions, strict=True)

    def timed(label, method, path, body=None):
        try:
            status, text, elapsed = client.request(method, path, body)
        except (OSError, http.client.HTTPException):
            recorder.error(label)
            return 0, ""
        recorder.add(label, status, elapsed, path)
        return status, text

    while time.monotonic() < deadline:
        label = rng.choices(labels, weights)[0]
        if label == "directory":
            timed(label, "GET", f"/organisations/?page={rng.randint(1, 100)}")
        elif label == "directory search":
            query = urllib.parse.quote(rng.choice(WORDS))
            timed(label, "GET", f"/organisations/?q={query}&page={rng.randint(1, 3)}")
        elif label == "organisation page":
            timed(label, "GET", f"/organisations/synthetic-{rng.randint(1, plan['count']):06d}/")
        elif label == "project list":
            timed(label, "GET", "/projects/")
        elif label == "project page":
            timed(label, "GET", f"/projects/{rng.choice(plan['projects'])}/")
        elif label == "matches for you":
            timed(label, "GET", "/opportunities/for-you/")
        elif label == "opportunity list":
            timed(label, "GET", "/opportunities/")
        elif label == "/healthz":
            timed(label, "GET", "/healthz")
        elif label == "contact request" and sent < max_contacts and targets:
            target = targets.pop()
            path = f"/contact-requests/new/?organisation={target}"
            status, page = timed("contact form", "GET", path)
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
            if status != 200 or token is None:
                continue
            body = {
                "csrfmiddlewaretoken": token.group(1),
                "message": f"Lasttest: Interesse an einer Zusammenarbeit ({secrets.token_hex(4)}).",
            }
            status, _ = timed("contact request (POST)", "POST", path, body)
            if status == 302:
                sent += 1


def prepare_users(count: int, organisations: int):
    """Sessions for plain members, their previous load-test requests removed."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.db.models import Count

    from accounts.models import User
    from matchmaking.models import ContactRequest
    from partners.models import Membership, Organisation
    from projects.models import Project

    users = list(
        User.objects.filter(
            email__startswith="synthetic-",
            is_active=True,
            is_staff=False,
            memberships__role=Membership.Role.MEMBER,
            memberships__organisation__status=Organisation.Status.ACTIVE,
        )
        .exclude(memberships__role=Membership.Role.ADMIN)
        .distinct()
        .order_by("email")[:count]
    )
    if len(users) < count:
        sys.exit(f"only {len(users)} synthetic members: seed with --people {count}")
    ContactRequest.objects.filter(sender__in=users).delete()
    store = import_module(settings.SESSION_ENGINE).SessionStore
    sessions = []
    for user in users:
        session = store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.save()
        sessions.append(session.session_key)
    # receivers with members, so that every request has someone to notify
    targets = list(
        Organisation.objects.filter(status=Organisation.Status.ACTIVE)
        .annotate(members=Count("memberships"))
        .filter(members__gt=0)
        .values_list("slug", flat=True)
    )
    own = {
        user.pk: set(user.memberships.values_list("organisation__slug", flat=True))
        for user in users
    }
    projects = list(
        Project.objects.filter(visibility="public").values_list("slug", flat=True)[:200]
    ) or ["diane"]
    plans = [
        {
            "targets": [slug for slug in targets if slug not in own[user.pk]],
            "projects": projects,
            "count": organisations,
        }
        for user in users
    ]
    return users, sessions, plans


def check_notifications(users, started_at, wait_seconds: int) -> None:
    from django.db.models import Q

    from matchmaking.models import ContactRequest
    from notifications.models import Delivery, Notification

    requests = list(
        ContactRequest.objects.filter(sender__in=users, created_at__gte=started_at).select_related(
            "receiver_organisation"
        )
    )
    expected = 0
    keys = []
    for contact_request in requests:
        members = (
            contact_request.receiver_organisation.memberships.filter(user__is_active=True)
            .exclude(user=contact_request.sender)
            .values("user")
            .distinct()
            .count()
        )
        expected += members
        keys.append(f"contact_request.received:{contact_request.pk}")
    notifications = Notification.objects.filter(event_key__in=keys)
    immediate = notifications.filter(digest="")
    deadline = time.monotonic() + wait_seconds
    open_states = [Delivery.Status.PENDING, Delivery.Status.SENDING, Delivery.Status.RETRY]
    while time.monotonic() < deadline:
        if not Delivery.objects.filter(notification__in=immediate, status__in=open_states):
            break
        time.sleep(1)
    deliveries = Delivery.objects.filter(notification__in=immediate)
    by_status = defaultdict(int)
    for status in deliveries.values_list("status", flat=True):
        by_status[status] += 1
    missing = immediate.filter(Q(delivery__isnull=True)).count()
    found = notifications.count()
    print(
        f"\ncontact requests sent: {len(requests)}; notifications expected {expected}, "
        f"found {found}; immediate e-mails {immediate.count()}, deliveries {deliveries.count()} "
        f"({', '.join(f'{k} {v}' for k, v in sorted(by_status.items())) or 'none'}), "
        f"notifications without delivery {missing}"
    )
    lost = expected - found + missing + sum(by_status[s] for s in open_states)
    print("no lost notification" if lost == 0 else f"LOST OR UNDELIVERED: {lost}")


def report(recorder: Recorder, seconds: float) -> None:
    total = sum(len(v) for v in recorder.times.values())
    print(f"\n{total} requests in {seconds:.1f} s: {total / seconds:.1f} requests/s\n")
    print(
        f"{'page':<24}{'n':>7}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'max ms':>9}  statuses"
    )
    order = sorted(recorder.times, key=lambda label: (label == "/healthz", label))
    for label in order:
        values = recorder.times[label]
        statuses = ", ".join(f"{k}×{v}" for k, v in sorted(recorder.statuses[label].items()))
        if recorder.errors.get(label):
            statuses += f", connection errors×{recorder.errors[label]}"
        print(
            f"{label:<24}{len(values):>7}{len(values) / seconds:>8.1f}"
            f"{statistics.median(values) * 1000:>9.0f}{percentile(values, 0.95) * 1000:>9.0f}"
            f"{percentile(values, 0.99) * 1000:>9.0f}{max(values) * 1000:>9.0f}  {statuses}"
        )
    print(f"\n5xx answers: {len(recorder.server_errors)}")
    for line in recorder.server_errors[:20]:
        print(f"  {line}")


SERVER_PAGES = [
    ("GET", r"/organisations/", "directory (both)"),
    ("GET", r"/organisations/[^/]+/", "organisation page"),
    ("GET", r"/contact-requests/new/", "contact form"),
    ("POST", r"/contact-requests/new/", "contact request (POST)"),
    ("GET", r"/projects/", "project list"),
    ("GET", r"/projects/[^/]+/", "project page"),
    ("GET", r"/opportunities/for-you/", "matches for you"),
    ("GET", r"/opportunities/", "opportunity list"),
    ("GET", r"/healthz", "/healthz"),
]


def report_server_side(log_path: Path, since: float) -> None:
    """Time inside Django per page from the request log (RequestLogMiddleware): the rest of the
    client's figure is waiting for one of the two workers."""
    line_pattern = re.compile(r"spinportal\.request (GET|POST) (\S+) (\d+) ([\d.]+)ms")
    times: dict[str, list[float]] = defaultdict(list)
    with log_path.open(encoding="utf-8", errors="replace") as log:
        log.seek(since)
        for line in log:
            match = line_pattern.search(line)
            if not match:
                continue
            method, path, _status, milliseconds = match.groups()
            for page_method, pattern, label in SERVER_PAGES:
                if method == page_method and re.fullmatch(pattern, path):
                    times[label].append(float(milliseconds))
                    break
    if not times:
        print("\n(no request log lines found for the server-side times)")
        return
    print(f"\ntime inside Django (request log)\n{'page':<24}{'n':>7}{'p50 ms':>9}{'p95 ms':>9}")
    for label, values in sorted(times.items(), key=lambda item: (item[0] == "/healthz", item[0])):
        print(
            f"{label:<24}{len(values):>7}{statistics.median(values):>9.1f}"
            f"{percentile(values, 0.95):>9.1f}"
        )


def wait_until_up(host: str, port: int, seconds: int) -> None:
    deadline = time.monotonic() + seconds
    client = Client(host, port, {})
    while time.monotonic() < deadline:
        try:
            if client.request("GET", "/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    sys.exit(f"the stack did not answer /healthz on {host}:{port} within {seconds} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="", help="a running stack (loopback only)")
    parser.add_argument("--port", type=int, default=8031)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--organisations", type=int, default=10_000)
    parser.add_argument("--contacts-per-user", type=int, default=15)
    parser.add_argument("--no-seed", action="store_true")
    parser.add_argument(
        "--work-tree",
        action="store_true",
        help="run the work tree as it is instead of a snapshot of the last commit",
    )
    args = parser.parse_args()
    seconds = min(args.seconds, 300)

    port = args.port
    host = "127.0.0.1"
    if args.base:
        parts = urllib.parse.urlsplit(args.base)
        if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            sys.exit("loopback only")
        host, port = parts.hostname, parts.port or 80
    environment = stack_environment(port)
    os.environ.update(environment)
    source = ROOT if args.work_tree else snapshot(environment)
    sys.path.insert(0, str(source))

    if not args.base:
        ensure_database(environment["DATABASE_URL"])
    if not args.no_seed:
        seed(source, environment, args.organisations, args.users)

    import django

    django.setup()
    from django.conf import settings
    from django.utils import timezone

    stack = None
    if not args.base:
        stack = start_stack(source, environment, ROOT / "bench" / "results" / "load-stack.log")
    try:
        wait_until_up(host, port, 180)
        users, sessions, plans = prepare_users(args.users, args.organisations)
        print(
            f"{len(users)} members, {seconds:.0f} s, closed loop without think time, "
            f"against {host}:{port} (gunicorn workers: {environment.get('WEB_CONCURRENCY')})"
        )
        recorder = Recorder()
        log_path = ROOT / "bench" / "results" / "load-stack.log"
        log_offset = log_path.stat().st_size if stack is not None else None
        started_at = timezone.now()
        deadline = time.monotonic() + seconds
        threads = []
        for index, (session_key, plan) in enumerate(zip(sessions, plans, strict=True)):
            client = Client(host, port, {settings.SESSION_COOKIE_NAME: session_key})
            rng = random.Random(index)
            thread = threading.Thread(
                target=user_loop,
                args=(client, recorder, deadline, rng, plan, args.contacts_per_user),
                daemon=True,
            )
            threads.append(thread)
        began = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=seconds + 120)
        report(recorder, time.monotonic() - began)
        if log_offset is not None:
            report_server_side(log_path, log_offset)
        check_notifications(users, started_at, wait_seconds=120)
    finally:
        if stack is not None:
            stop_stack(stack)


if __name__ == "__main__":
    main()
