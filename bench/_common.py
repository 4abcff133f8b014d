"""What every script in bench/ shares: its own temporary folder, the database it says it uses,
the load average, interleaved rounds, status checks, API throttles really off, and a worker
process that times requests through Django's test Client against one database.

Import this module before Django is set up; `configure()` prepares the environment and
`setup()` starts Django. A benchmark prints figures; it asserts nothing about time, but it
fails loudly (exit status 1, with the counts) on any answer it did not expect.
"""

import atexit
import hashlib
import json
import math
import multiprocessing
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
for entry in (str(ROOT), str(BENCH)):
    if entry not in sys.path:
        sys.path.insert(0, entry)


# --- own temporary folders ----------------------------------------------------------------------


def temporary_folder(name: str) -> Path:
    """A new folder of this run's own (tempfile.mkdtemp), removed when the process ends, unless
    BENCH_KEEP=1. Nothing else on the machine is ever deleted."""
    folder = Path(tempfile.mkdtemp(prefix=f"spin-bench-{name}-"))
    if os.environ.get("BENCH_KEEP") != "1":
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def configure(name: str, *, settings_module: str = "spinportal.settings_test") -> Path:
    """The environment of an in-process run, before `setup()`: PostgreSQL when DATABASE_URL
    is set, otherwise a fresh SQLite file in the run's own folder; media in that folder too;
    API throttles off (API_THROTTLES=0, read by the settings before DRF copies them)."""
    folder = temporary_folder(name)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module)
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/db.sqlite3"
    os.environ["MEDIA_ROOT"] = str(folder / "media")
    os.environ["PRIVATE_MEDIA_ROOT"] = str(folder / "private-media")
    os.environ["API_THROTTLES"] = "0"
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"  # the test Client's host
    return folder


def setup() -> None:
    import logging

    import django

    django.setup()
    # one log line per request would cost more than some of the requests measured
    logging.getLogger("spinportal.request").setLevel(logging.WARNING)
    logging.getLogger("celery").setLevel(logging.WARNING)  # seed_demo's in-process tasks


def sibling_database_url(url: str, suffix: str, folder: Path) -> str:
    """A second database next to `url` (same server, name + suffix) or a SQLite file in
    `folder`, for a same-run baseline at another size."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "sqlite":
        return f"sqlite:///{folder}/db{suffix}.sqlite3"
    return urllib.parse.urlunsplit(parts._replace(path=parts.path.rstrip("/") + suffix))


def ensure_postgres_database(url: str) -> bool:
    """Creates the PostgreSQL database of `url` if it is missing; True if it created it."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        return False
    name = parts.path.lstrip("/")
    if name == "spinportal_ci" or name.startswith("spinportal_test"):
        raise SystemExit(f"refusing to use the database {name!r}: it belongs to CI and tests")
    import psycopg

    admin = urllib.parse.urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return False
        connection.execute(f'CREATE DATABASE "{name}"')
    print(f"created database {name}")
    return True


def drop_postgres_database(url: str) -> None:
    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    if name == "spinportal_ci" or name.startswith("spinportal_test"):
        raise SystemExit(f"refusing to drop the database {name!r}")
    import psycopg

    admin = urllib.parse.urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def describe_database(url: str | None = None) -> str:
    """Which database a run used, in one line (the server's version for PostgreSQL)."""
    if url is not None:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme == "sqlite":
            return f"SQLite {parts.path}"
        return f"PostgreSQL database {parts.path.lstrip('/')} on {parts.hostname}:{parts.port}"
    from django.db import connection

    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
        return (
            f"PostgreSQL {version}, database {settings['NAME']} on "
            f"{settings['HOST'] or 'localhost'}:{settings['PORT'] or 5432}"
        )
    return f"{connection.vendor} {settings['NAME']}"


def analyze() -> None:
    """Fresh planner statistics after a bulk seed (PostgreSQL only)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


# --- the machine ----------------------------------------------------------------------------------


def load_average(when: str) -> str:
    one, five, fifteen = os.getloadavg()
    line = (
        f"load average at {when}: {one:.2f} {five:.2f} {fifteen:.2f} "
        f"(1/5/15 min; {os.cpu_count()} cores)"
    )
    print(line, flush=True)
    return line


# --- figures ---------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    """Nearest rank: the smallest value with at least `fraction` of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def p50(values: list[float]) -> float:
    return statistics.median(values)


def p95(values: list[float]) -> float:
    return percentile(values, 0.95)


def rounds_in_random_order(cases: list, rounds: int, seed: int = 1):
    """Every case once per round, in a new random order each round: case and baseline see the
    same moments of a shared machine. Yields (round, case)."""
    generator = random.Random(seed)
    for number in range(rounds):
        order = list(cases)
        generator.shuffle(order)
        for case in order:
            yield number, case


def timing_table(rows: list[tuple[str, list[float]]], width: int = 44) -> None:
    print(f"  {'request':{width}} {'n':>5} {'p50 ms':>9} {'p95 ms':>9}")
    for label, values in rows:
        if not values:
            print(f"  {label:{width}}     0  (no expected answer)")
            continue
        print(f"  {label:{width}} {len(values):5d} {p50(values):9.1f} {p95(values):9.1f}")


def ratio_line(label: str, case: list[float], baseline: list[float], goal: str = "") -> str:
    text = (
        f"  {label}: p50 {p50(case) / p50(baseline):.2f}×, p95 {p95(case) / p95(baseline):.2f}×"
        f" ({p50(case):.1f} ÷ {p50(baseline):.1f} ms)"
    )
    if goal:
        text += f"; goal {goal}"
    print(text)
    return text


# --- status checks ------------------------------------------------------------------------------


class StatusCheck:
    """Counts every answer that is not the expected one; `exit_if_any()` fails the run."""

    def __init__(self) -> None:
        self.checked = 0
        self.unexpected: Counter[tuple[str, str]] = Counter()

    def check(
        self, label: str, status: int, expected: tuple[int, ...] = (200,), location: str = ""
    ):
        self.checked += 1
        if status in expected and not is_login_redirect(status, location):
            return True
        answer = str(status)
        if status in (301, 302, 303, 307, 308):
            answer += f" → {location}"
        self.unexpected[(label, answer)] += 1
        return False

    def exit_if_any(self, quiet: bool = False) -> None:
        if not self.unexpected:
            if not quiet:
                print(f"statuses: all {self.checked} answers as expected")
            return
        total = sum(self.unexpected.values())
        print(f"\nFAILED: {total} of {self.checked} answers were not the expected status:")
        for (label, answer), count in sorted(self.unexpected.items()):
            print(f"  {count:6d} × {answer:40} {label}")
        raise SystemExit(1)


def is_login_redirect(status: int, location: str) -> bool:
    """A redirect to the log-in page: the request was not made as the member it meant to be."""
    return status in (301, 302, 303, 307, 308) and "/account/login/" in location


def assert_throttles_off(paths: list[str]) -> None:
    """Every API view behind `paths` has no throttle classes (they would answer 429 after
    120 anonymous requests a minute and make the figures those of the 429 page)."""
    from django.urls import resolve
    from rest_framework.views import APIView

    on = [] if not APIView.throttle_classes else [f"APIView: {APIView.throttle_classes}"]
    for path in paths:
        view = getattr(resolve(urllib.parse.urlsplit(path).path).func, "cls", None)
        if view is not None and view.throttle_classes:
            on.append(f"{path}: {view.throttle_classes}")
    if on:
        raise SystemExit("API throttles are still on: " + "; ".join(on))


# --- a worker process that times requests -----------------------------------------------------


class RequestWorker:
    """A child process with Django set up against one database, timing requests made through
    the test Client (all middleware) on command. Case and baseline can so live in two
    databases of different sizes and still be interleaved request by request; the children
    take turns, so they do not compete for the CPU."""

    def __init__(self, name: str, database_url: str, folder: Path, urlconf: str = "baselines"):
        self.name = name
        context = multiprocessing.get_context("spawn")
        self.pipe, child = context.Pipe()
        environment = {
            "DATABASE_URL": database_url,
            "MEDIA_ROOT": str(folder / f"media-{name}"),
            "PRIVATE_MEDIA_ROOT": str(folder / f"private-media-{name}"),
            "API_THROTTLES": "0",
            "DJANGO_ALLOWED_HOSTS": "testserver",
            "DJANGO_SETTINGS_MODULE": os.environ.get(
                "DJANGO_SETTINGS_MODULE", "spinportal.settings_test"
            ),
        }
        self.process = context.Process(
            target=_serve, args=(child, environment, urlconf), name=f"bench-{name}", daemon=True
        )
        self.process.start()
        child.close()

    def call(self, command: str, **arguments):
        self.pipe.send((command, arguments))
        ok, value = self.pipe.recv()
        if not ok:
            raise SystemExit(f"worker {self.name}: {command} failed:\n{value}")
        return value

    def stop(self) -> None:
        if self.process.is_alive():
            self.pipe.send(("stop", {}))
            self.process.join(timeout=30)
        if self.process.is_alive():
            self.process.terminate()


def _serve(pipe, environment: dict[str, str], urlconf: str) -> None:
    import traceback

    os.environ.pop("REDIS_URL", None)  # a cache of its own (local memory) for each database
    os.environ.update(environment)
    setup()
    from django.test import override_settings

    override_settings(ROOT_URLCONF=urlconf).enable()
    server = _Server()
    while True:
        command, arguments = pipe.recv()
        if command == "stop":
            pipe.send((True, None))
            return
        try:
            pipe.send((True, getattr(server, command)(**arguments)))
        except Exception:
            pipe.send((False, traceback.format_exc()))


class _Server:
    """The commands a RequestWorker answers (run in the child)."""

    def __init__(self) -> None:
        self.clients: dict = {}

    def _client(self, name: str):
        from django.test import Client

        if name not in self.clients:
            self.clients[name] = Client(HTTP_ACCEPT_LANGUAGE="de")
        return self.clients[name]

    def seed(self, **options) -> dict:
        from django.core.management import call_command

        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        with open(os.devnull, "w") as quiet:
            call_command("seed_demo", quiet_logins=True, stdout=quiet, **options)
        analyze()
        return {"seconds": time.perf_counter() - started}

    def describe(self) -> str:
        return describe_database()

    def encoder(self) -> str:
        from baselines import ENCODER

        return ENCODER

    def count(self, model: str, **filters) -> int:
        from django.apps import apps

        return apps.get_model(model).objects.filter(**filters).count()

    def login(self, client: str, email: str) -> None:
        from accounts.models import User

        self._client(client).force_login(User.objects.get(email=email))

    def check_throttles(self, paths: list[str]) -> None:
        assert_throttles_off(paths)

    def get(self, client: str, path: str, params: dict | None = None) -> tuple:
        """(status, Location, milliseconds, digest of the body) of one GET, timed around the
        test Client; the digest is taken after the clock stopped."""
        started = time.perf_counter()
        response = self._client(client).get(path, params or {})
        elapsed = (time.perf_counter() - started) * 1000
        digest = hashlib.blake2b(response.content, digest_size=16).hexdigest()
        return response.status_code, response.get("Location", ""), elapsed, digest

    def body(self, client: str, path: str, params: dict | None = None) -> tuple[int, bytes]:
        response = self._client(client).get(path, params or {})
        return response.status_code, response.content

    def queries(self, client: str, path: str, params: dict | None = None, rounds: int = 5):
        """Per SQL query of the request, in order: (label, median ms over `rounds`), timed by
        an execute wrapper (the test utilities' capture rounds to whole milliseconds)."""
        from django.db import connection

        timings: list[list[float]] = []
        labels: list[str] = []
        for _ in range(rounds):
            captured: list[tuple[str, float]] = []

            def timed(execute, sql, parameters, many, context, captured=captured):
                started = time.perf_counter()
                try:
                    return execute(sql, parameters, many, context)
                finally:
                    captured.append((sql, (time.perf_counter() - started) * 1000))

            with connection.execute_wrapper(timed):
                self._client(client).get(path, params or {})
            labels = [query_label(sql) for sql, _elapsed in captured]
            timings.append([elapsed for _sql, elapsed in captured])
        if any(len(row) != len(labels) for row in timings):
            return [("(the number of queries changed between rounds)", 0.0)]
        return [
            (label, statistics.median(row[index] for row in timings))
            for index, label in enumerate(labels)
        ]


def query_label(sql: str) -> str:
    """A short name for a query of the directory page, for the breakdown."""
    if "_prefetch_related_val_" in sql:
        for name in ("sectors", "competences", "participations"):
            if name.rstrip("s") in sql:
                return f"prefetch {name}"
        return "prefetch"
    selected = sql.split(" FROM ")[0]
    for word in ("kind", "city", "sector", "competence"):
        if f'"{word}" AS' in selected or f'partners_{word}"."id"' in selected:
            return f"facet {word}"
    if selected.startswith("SELECT COUNT(*)"):
        return "count"
    if "django_session" in sql:
        return "session"
    if '"accounts_user"' in selected:
        return "user"
    if selected == 'SELECT "partners_organisation"."id" AS "pk"':
        return "search matches"
    return "page" if '"public_id"' in selected else " ".join(selected.split())[:44]


# --- interleaved cases --------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Case:
    """One request to time: through `worker`'s test Client named `client`."""

    label: str
    worker: RequestWorker
    path: str
    params: dict | None = None
    client: str = "anonymous"
    expected: tuple[int, ...] = (200,)

    def get(self) -> tuple:
        return self.worker.call("get", client=self.client, path=self.path, params=self.params)


def measure(cases: list[Case], rounds: int, check: StatusCheck, warm_up: int = 2):
    """Warm-up (and a first status check, which stops the run before any timing), then
    `rounds` rounds, each case once per round in a random order. Returns the milliseconds of
    the expected answers and the body digests of all answers, per label, in round order."""
    for case in cases:
        for _ in range(warm_up):
            status, location, _elapsed, _digest = case.get()
            check.check(f"{case.label} (warm-up)", status, case.expected, location)
    check.exit_if_any(quiet=True)
    timings: dict[str, list[float]] = {case.label: [] for case in cases}
    digests: dict[str, list[str]] = {case.label: [] for case in cases}
    started = time.monotonic()
    for _number, case in rounds_in_random_order(cases, rounds):
        status, location, elapsed, digest = case.get()
        if check.check(case.label, status, case.expected, location):
            timings[case.label].append(elapsed)
        digests[case.label].append(digest)
    print(
        f"{rounds} rounds × {len(cases)} cases in {time.monotonic() - started:.0f} s, "
        f"random order in every round"
    )
    return timings, digests


def assert_same_answers(api: Case, baseline: Case, digests: dict[str, list[str]]) -> None:
    """The API and its hand-written baseline answered the same bytes in every round."""
    pairs = list(zip(digests[api.label], digests[baseline.label], strict=True))
    different = sum(a != b for a, b in pairs)
    if different:
        _status, api_body = api.worker.call(
            "body", client=api.client, path=api.path, params=api.params
        )
        _status, base_body = baseline.worker.call(
            "body", client=baseline.client, path=baseline.path, params=baseline.params
        )
        raise SystemExit(
            f"FAILED: the baseline's JSON differs from the API's in {different} of {len(pairs)} "
            f"rounds, so their ratio would mean nothing. First difference: "
            f"{first_difference(api_body, base_body)}\n"
            f"Change bench/baselines.py to write what the API now writes."
        )
    print(f"  {api.label} and {baseline.label}: byte-identical JSON in all {len(pairs)} rounds")


def first_difference(api: bytes, baseline: bytes) -> str:
    """Where two JSON answers first differ, for the error message."""
    try:
        left, right = json.loads(api), json.loads(baseline)
    except ValueError as error:
        return f"not JSON: {error}"

    def walk(a, b, where: str) -> str | None:
        if type(a) is not type(b):
            return f"{where}: API {a!r:.120} ≠ baseline {b!r:.120}"
        if isinstance(a, dict):
            if list(a) != list(b):
                return f"{where}: keys API {list(a)} ≠ baseline {list(b)}"
            for key in a:
                found = walk(a[key], b[key], f"{where}.{key}")
                if found:
                    return found
            return None
        if isinstance(a, list):
            if len(a) != len(b):
                return f"{where}: {len(a)} items in the API ≠ {len(b)} in the baseline"
            for index, (x, y) in enumerate(zip(a, b, strict=True)):
                found = walk(x, y, f"{where}[{index}]")
                if found:
                    return found
            return None
        return None if a == b else f"{where}: API {a!r:.120} ≠ baseline {b!r:.120}"

    found = walk(left, right, "$")
    if found:
        return found
    index = next(
        (i for i, (x, y) in enumerate(zip(api, baseline, strict=False)) if x != y),
        min(len(api), len(baseline)),
    )
    return (
        f"same data, other bytes at offset {index}: API {api[index - 20 : index + 20]!r} ≠ "
        f"baseline {baseline[index - 20 : index + 20]!r}"
    )
