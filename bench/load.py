"""Load test of the production-like stack (`make up`: gunicorn with 2 workers × 4 threads, a
Celery worker and beat, PostgreSQL, Redis) with logged-in members, every status checked.

    .venv/bin/python bench/load.py --organisations 300 --users 20 --seconds 60    # small
    .venv/bin/python bench/load.py                       # the issue's: 10,000 organisations, 50
    .venv/bin/python bench/load.py --base http://127.0.0.1:8000 --no-seed    # a stack you run

Without --base the script starts the stack itself, as `make up` does (bin/up), from a copy of
the last commit (git archive HEAD; --work-tree runs the work tree as it is) in a temporary
folder of its own, with its own redis-server on a free port, on a free port itself, against
DATABASE_URL (default postgres://postgres@127.0.0.1:5432/spinportal_load, created if missing),
seeded with `seed_demo --organisations N --people P` (idempotent; --no-seed skips it). It
differs from `make up` in two settings: API_THROTTLES=0, so that the API phase measures the
API rather than 429s, and TRUSTED_PROXY_COUNT=1, so that each member's requests carry their
own client address (X-Forwarded-For, as from the TLS proxy in front of production) and 50
log-ins are not refused by the log-in limit of one address. With --base, DATABASE_URL must
be the running stack's database (members are chosen and notifications checked there).

The members (`seed_demo --people`) log in through the log-in form, as people do; every member
page must then answer 200: a redirect to the log-in page counts as a failure, as does every
status other than the expected one and every connection error. Then, within --seconds (at
most 300) of measuring, phase after phase of --phase-seconds each:

1. closed loop: the members browse without think time (directory, searches, organisation and
   project pages, matches, opportunities, contact requests) with /healthz among their
   requests as the same-run baseline;
2. API list (page_size=50) ÷ /healthz, like wrk: --connections keep-alive connections in a
   closed loop, alternating between the two every 2 s; requests/s of each and their ratio
   (with `wrk` installed, wrk measures the same way too);
3. open loop at fixed offered rates (--rates, default 20 and 40 requests/s): requests are sent
   at their scheduled times whether or not earlier ones have finished, and latency counts from
   the scheduled time, so a stalled server shows as latency instead of as fewer requests;
4. the capacity: the offered rate steps up (--steps) until the p95 of the member pages passes
   500 ms. 3. and 4. run together from the lowest rate up, so that no overloaded phase comes
   before a lighter one.

Then the time inside Django per page (the stack's request log), and the check that every
contact request sent produced its notifications and e-mail deliveries once the Celery worker
drained them. Any failure makes the exit status 1. Traffic goes to the loopback address only;
every loop is bounded in time. A script that prints figures, not a test.
"""

import argparse
import concurrent.futures
import http.client
import math
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from http.cookies import SimpleCookie
from pathlib import Path

import _common

ROOT = _common.ROOT
PYTHON = str(ROOT / ".venv" / "bin" / "python")
WORDS = ["Energie", "Wasserstoff", "Stahl", "Speicher", "Netz", "Prozess", "Sensor", "Batterie"]
LOGIN = "/account/login/"
TARGET_P95_MS = 500
# the member pages of the open loop, with /healthz as the baseline
OPEN_MIX = [
    ("directory", 15),
    ("directory search", 15),
    ("organisation page", 15),
    ("project list", 10),
    ("project page", 10),
    ("matches for you", 10),
    ("opportunity list", 10),
    ("/healthz", 15),
]
CLOSED_MIX = [*OPEN_MIX, ("contact request", 8)]


# --- the stack ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stack_environment(port: int, redis_url: str, run: Path) -> dict[str, str]:
    environment = dict(os.environ)
    environment.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/spinportal_load")
    environment.update(
        {
            "REDIS_URL": redis_url,
            "DJANGO_DEBUG": "0",
            # the stack's own key: members log in through it, nothing is signed outside it
            "DJANGO_SECRET_KEY": "load-" + secrets.token_urlsafe(40),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SITE_URL": f"https://127.0.0.1:{port}",
            "LOG_LEVEL": "INFO",  # the request log gives the time spent inside Django
            "WEB_CONCURRENCY": environment.get("WEB_CONCURRENCY", "2"),
            "API_THROTTLES": "0",
            "TRUSTED_PROXY_COUNT": "1",
            "MEDIA_ROOT": str(run / "media"),
            "PRIVATE_MEDIA_ROOT": str(run / "private-media"),
            "PORT": str(port),
            "DJANGO_SETTINGS_MODULE": "spinportal.settings",
        }
    )
    return environment


def snapshot(run: Path, environment: dict[str, str]) -> Path:
    """The committed code (git archive HEAD) in the run's own folder, so that edits in progress
    in the work tree do not disturb the run; it shares the work tree's .venv."""
    source = run / "src"
    source.mkdir()
    archive = subprocess.run(
        ["git", "archive", "--format=tar", "HEAD"], cwd=ROOT, check=True, capture_output=True
    )
    subprocess.run(["tar", "-x", "-C", str(source)], input=archive.stdout, check=True)
    (source / ".venv").symlink_to(ROOT / ".venv")
    subprocess.run(
        [PYTHON, "manage.py", "compile_translations"],
        cwd=source,
        env={**environment, "DJANGO_DEBUG": "1"},
        check=True,
        capture_output=True,
    )
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, check=True, capture_output=True
    )
    print(f"code: commit {commit.stdout.decode().strip()} exported to {source}")
    return source


def start_redis(run: Path) -> tuple[subprocess.Popen, str]:
    if not shutil.which("redis-server"):
        sys.exit("redis-server is not installed (apt-get install redis-server), or set --redis-url")
    port = free_port()
    process = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--dir",
            str(run),
        ],
        stdout=(run / "redis.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            print(f"redis-server of this run on port {port}, pid {process.pid}")
            return process, f"redis://127.0.0.1:{port}/0"
        except OSError:
            time.sleep(0.1)
    process.terminate()
    sys.exit("redis-server did not start")


def seed(source: Path, environment: dict[str, str], organisations: int, people: int) -> None:
    """`seed_demo --organisations N --people P`, idempotent, tasks in-process (REDIS_URL unset
    for it, so that the worker does not rebuild matches during the measurement)."""
    started = time.monotonic()
    seeding = {key: value for key, value in environment.items() if key != "REDIS_URL"}
    manage = [PYTHON, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=source, env=seeding, check=True)
    options = [f"--organisations={organisations}", f"--people={people}", "--quiet-logins"]
    subprocess.run(
        [*manage, "seed_demo", *options],
        cwd=source,
        env={**seeding, "LOG_LEVEL": "WARNING"},
        check=True,
    )
    print(f"seeded (seed_demo {' '.join(options)}) in {time.monotonic() - started:.0f} s")


def start_stack(source: Path, environment: dict[str, str], log_path: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        ["bash", "bin/up"],
        cwd=source,
        env=environment,
        stdout=log_path.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    print(f"make up (bin/up) started, pid {process.pid}, log in {log_path}")
    return process


def stop_process_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def wait_until_up(host: str, port: int, seconds: int, stack: subprocess.Popen | None) -> None:
    deadline = time.monotonic() + seconds
    client = Client(host, port, "")
    while time.monotonic() < deadline:
        if stack is not None and stack.poll() is not None:
            sys.exit(f"the stack stopped (exit {stack.returncode}) before it answered /healthz")
        try:
            if client.request("GET", "/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    sys.exit(f"the stack did not answer /healthz on {host}:{port} within {seconds} s")


# --- the client ----------------------------------------------------------------------------------


class Client:
    """One member's cookies and client address over plain HTTP to the loopback server, which
    sees the headers of the TLS proxy in front of it in production."""

    def __init__(self, host: str, port: int, address: str):
        self.host = host
        self.port = port
        self.address = address  # a header only: all traffic goes to the loopback server
        self.cookies: dict[str, str] = {}
        self.lock = threading.Lock()

    def headers(self) -> dict[str, str]:
        headers = {
            "Host": f"{self.host}:{self.port}",
            "X-Forwarded-Proto": "https",
            "Accept-Language": "de",
        }
        if self.address:
            headers["X-Forwarded-For"] = self.address
        with self.lock:
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return headers

    def request(self, method: str, path: str, body: dict | None = None, timeout: float = 60):
        """(status, Location, body text, seconds) of one request on a new connection."""
        headers = self.headers()
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"https://{self.host}:{self.port}{path}"
        started = time.perf_counter()
        connection = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            connection.request(method, path, body=data, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            elapsed = time.perf_counter() - started
            for header in response.headers.get_all("Set-Cookie") or []:
                cookie = SimpleCookie()
                cookie.load(header)
                with self.lock:
                    for name, morsel in cookie.items():
                        if morsel.value:
                            self.cookies[name] = morsel.value
                        else:
                            self.cookies.pop(name, None)
            return response.status, response.getheader("Location", ""), text, elapsed
        finally:
            connection.close()


def log_in(client: Client, email: str, password: str, deadline: float) -> str:
    """Through the log-in form; '' when logged in, else what went wrong. A refusal by the
    log-in rate limit (429) is waited out until `deadline`."""
    while True:
        status, _location, page, _elapsed = client.request("GET", LOGIN)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or token is None:
            return f"log-in form answered {status}"
        body = {"login": email, "password": password, "csrfmiddlewaretoken": token.group(1)}
        status, location, _page, _elapsed = client.request("POST", LOGIN, body)
        if status == 429 and time.monotonic() < deadline:
            time.sleep(5)
            continue
        if status != 302 or LOGIN in location or not location:
            return f"log-in answered {status} {location}".strip()
        status, location, _page, _elapsed = client.request("GET", "/opportunities/for-you/")
        if status != 200:
            return f"a member page after the log-in answered {status} {location}".strip()
        return ""


# --- recording --------------------------------------------------------------------------------


EXPECTED = {"contact request (POST)": (302,)}


class Recorder:
    """Latencies and every status per label; anything unexpected is a failure."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[str, Counter] = defaultdict(Counter)
        self.failures: Counter[tuple[str, str]] = Counter()

    def add(self, label: str, status: int, location: str, seconds: float) -> bool:
        expected = EXPECTED.get(label, (200,))
        good = status in expected and not _common.is_login_redirect(status, location)
        if label == "contact request (POST)" and good:
            good = location.startswith("/contact-requests/")
        with self.lock:
            self.times[label].append(seconds)
            self.statuses[label][status] += 1
            if not good:
                answer = f"{status} → {location}" if location else str(status)
                if _common.is_login_redirect(status, location):
                    answer += " (log-in page: not logged in)"
                self.failures[(label, answer)] += 1
        return good

    def error(self, label: str, error: Exception) -> None:
        with self.lock:
            self.statuses[label]["error"] += 1
            self.failures[(label, f"connection error: {type(error).__name__}")] += 1

    def member_pages(self) -> list[float]:
        return [t for label, values in self.times.items() if label != "/healthz" for t in values]


def timed(client: Client, recorder: Recorder, label: str, method: str, path: str, body=None):
    try:
        status, location, text, elapsed = client.request(method, path, body)
    except (OSError, http.client.HTTPException) as error:
        recorder.error(label, error)
        return 0, "", ""
    recorder.add(label, status, location, elapsed)
    return status, location, text


def choose_path(label: str, rng: random.Random, plan: dict) -> str:
    if label == "directory":
        return f"/organisations/?page={rng.randint(1, plan['pages'])}"
    if label == "directory search":
        query = urllib.parse.quote(rng.choice(WORDS))
        return f"/organisations/?q={query}&page={rng.randint(1, 3)}"
    if label == "organisation page":
        return f"/organisations/{rng.choice(plan['organisations'])}/"
    if label == "project list":
        return "/projects/"
    if label == "project page":
        return f"/projects/{rng.choice(plan['projects'])}/"
    if label == "matches for you":
        return "/opportunities/for-you/"
    if label == "opportunity list":
        return "/opportunities/"
    return "/healthz"


def report(title: str, recorder: Recorder, seconds: float) -> None:
    total = sum(len(v) for v in recorder.times.values())
    print(f"\n{title}: {total} answers in {seconds:.1f} s, {total / seconds:.1f} per second")
    print(
        f"  {'page':<24}{'n':>7}{'per s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'max ms':>9}  statuses"
    )
    order = sorted(recorder.times, key=lambda label: (label == "/healthz", label))
    for label in order:
        values = recorder.times[label]
        statuses = ", ".join(
            f"{k}×{v}" for k, v in sorted(recorder.statuses[label].items(), key=str)
        )
        print(
            f"  {label:<24}{len(values):>7}{len(values) / seconds:>8.1f}"
            f"{statistics.median(values) * 1000:>9.0f}{_common.p95(values) * 1000:>9.0f}"
            f"{_common.percentile(values, 0.99) * 1000:>9.0f}{max(values) * 1000:>9.0f}"
            f"  {statuses}"
        )
    pages = recorder.member_pages()
    if pages and recorder.times.get("/healthz"):
        print(
            f"  member pages p95 {_common.p95(pages) * 1000:.0f} ms, /healthz p95 "
            f"{_common.p95(recorder.times['/healthz']) * 1000:.0f} ms (same run)"
        )
    report_failures(recorder)


def report_failures(recorder: Recorder) -> None:
    if recorder.failures:
        print(f"  FAILURES: {sum(recorder.failures.values())}")
        for (label, answer), count in sorted(recorder.failures.items()):
            print(f"    {count:6d} × {label}: {answer}")


# --- phase 1: closed loop ---------------------------------------------------------------------


def closed_loop(clients, plans, seconds: float, max_contacts: int) -> Recorder:
    recorder = Recorder()
    deadline = time.monotonic() + seconds
    labels, weights = zip(*CLOSED_MIX, strict=True)

    def user(index: int) -> None:
        client, plan = clients[index], plans[index]
        rng = random.Random(index)
        targets = list(plan["targets"])
        rng.shuffle(targets)
        sent = 0
        while time.monotonic() < deadline:
            label = rng.choices(labels, weights)[0]
            if label != "contact request":
                timed(client, recorder, label, "GET", choose_path(label, rng, plan))
                continue
            if sent >= max_contacts or not targets:
                continue
            path = f"/contact-requests/new/?organisation={targets.pop()}"
            status, _location, page = timed(client, recorder, "contact form", "GET", path)
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
            if status != 200 or token is None:
                continue
            body = {
                "csrfmiddlewaretoken": token.group(1),
                "message": f"Lasttest: Interesse an einer Zusammenarbeit ({secrets.token_hex(4)}).",
            }
            timed(client, recorder, "contact request (POST)", "POST", path, body)
            sent += 1

    threads = [threading.Thread(target=user, args=(i,), daemon=True) for i in range(len(clients))]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    report(
        f"1. closed loop, {len(clients)} members without think time",
        recorder,
        time.monotonic() - began,
    )
    return recorder


# --- phase 2: API list ÷ /healthz, like wrk ---------------------------------------------------


def api_versus_healthz(host: str, port: int, seconds: float, connections: int, run: Path):
    """Keep-alive connections in a closed loop, all switching between the two paths every
    WINDOW seconds, so both see the same moments of the machine."""
    window = 2.0
    paths = {"API list page_size=50": "/api/v1/organisations/?page_size=50", "/healthz": "/healthz"}
    labels = list(paths)
    counts: Counter[str] = Counter()
    spent: Counter[str] = Counter()
    recorder = Recorder()
    began = time.monotonic()
    deadline = began + seconds
    headers = {"Host": f"{host}:{port}", "X-Forwarded-Proto": "https", "Accept-Language": "de"}
    lock = threading.Lock()

    def which(moment: float) -> str | None:
        number = int((moment - began) // window)
        return labels[number % 2] if moment < deadline else None

    def loop() -> None:
        connection = http.client.HTTPConnection(host, port, timeout=30)
        try:
            while (label := which(time.monotonic())) is not None:
                started = time.perf_counter()
                try:
                    connection.request("GET", paths[label], headers=headers)
                    response = connection.getresponse()
                    response.read()
                except (OSError, http.client.HTTPException) as error:
                    recorder.error(label, error)
                    connection.close()
                    connection = http.client.HTTPConnection(host, port, timeout=30)
                    continue
                elapsed = time.perf_counter() - started
                recorder.add(label, response.status, response.getheader("Location", ""), elapsed)
                # counted in the window it was sent in
                if response.status == 200:
                    with lock:
                        counts[label] += 1
                if response.will_close:
                    connection.close()
                    connection = http.client.HTTPConnection(host, port, timeout=30)
        finally:
            connection.close()

    threads = [threading.Thread(target=loop, daemon=True) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    # time per path: whole windows, and the share of the last one
    elapsed = min(time.monotonic(), deadline) - began
    full, rest = divmod(elapsed, window)
    for number in range(int(full)):
        spent[labels[number % 2]] += window
    spent[labels[int(full) % 2]] += rest
    rates = {label: counts[label] / spent[label] for label in labels if spent[label]}
    print(
        f"\n2. API list ÷ /healthz, {connections} keep-alive connections, closed loop, "
        f"alternating every {window:.0f} s for {elapsed:.0f} s (Python client)"
    )
    for label in labels:
        values = recorder.times.get(label, [])
        if values:
            print(
                f"  {label:<24} {rates.get(label, 0):8.1f} answers/s   p50 "
                f"{statistics.median(values) * 1000:6.1f} ms   "
                f"p95 {_common.p95(values) * 1000:6.1f} ms"
            )
    if all(rates.get(label) for label in labels):
        ratio = rates[labels[0]] / rates[labels[1]]
        print(f"  API list ÷ /healthz: {100 * ratio:.1f} % (goal ≥ 12 %)")
    report_failures(recorder)
    if shutil.which("wrk"):
        wrk_versus_healthz(host, port, seconds, connections, run, paths)
    return recorder


WRK_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) unexpected = 0; throttled = 0; last = 0 end
function response(status, headers, body)
  if status ~= 200 then unexpected = unexpected + 1; last = status end
  if status == 429 then throttled = throttled + 1 end
end
function done(summary, latency, requests)
  local total, refused, status = 0, 0, 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("unexpected")
    refused = refused + thread:get("throttled")
    if thread:get("last") ~= 0 then status = thread:get("last") end
  end
  io.write(string.format("unexpected statuses: %d (429: %d; last: %d)\\n", total, refused, status))
end
"""


def wrk_versus_healthz(host, port, seconds, connections, run: Path, paths) -> None:
    """The same comparison with wrk (C, far lighter than this client on a shared machine):
    2-s windows alternating, each answer's status checked by a Lua hook."""
    script = run / "status.lua"
    script.write_text(WRK_SCRIPT)
    counts: Counter[str] = Counter()
    spent: Counter[str] = Counter()
    unexpected: Counter[str] = Counter()
    statuses: dict[str, str] = {}
    windows = max(2, int(seconds // 2))
    for number in range(windows):
        label = list(paths)[number % 2]
        command = [
            "wrk",
            f"-t{min(2, connections)}",
            f"-c{connections}",
            "-d2s",
            "-H",
            "X-Forwarded-Proto: https",
            "-s",
            str(script),
            f"http://{host}:{port}{paths[label]}",
        ]
        output = subprocess.run(command, capture_output=True, text=True, check=False).stdout
        requests = re.search(r"(\d+) requests in ([\d.]+)(m?s)", output)
        bad = re.search(r"unexpected statuses: (\d+) \(429: (\d+); last: (\d+)\)", output)
        errors = re.search(
            r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
        )
        if requests is None or bad is None:
            print(f"  wrk gave no figures:\n{output}")
            return
        duration = float(requests.group(2)) / (1000 if requests.group(3) == "ms" else 1)
        counts[label] += int(requests.group(1))
        spent[label] += duration
        unexpected[label] += int(bad.group(1)) + (sum(map(int, errors.groups())) if errors else 0)
        if int(bad.group(1)):
            statuses[label] = f"{bad.group(2)} of them 429, the last {bad.group(3)}"
    print(f"  with wrk, {connections} connections, {windows} windows of 2 s:")
    for label in paths:
        print(f"  {label:<24} {counts[label] / spent[label]:8.1f} answers/s")
    ratio = (counts["API list page_size=50"] / spent["API list page_size=50"]) / (
        counts["/healthz"] / spent["/healthz"]
    )
    print(f"  API list ÷ /healthz (wrk): {100 * ratio:.1f} % (goal ≥ 12 %)")
    if any(unexpected.values()):
        print(
            f"  FAILURES (wrk): unexpected statuses or socket errors {dict(unexpected)} "
            f"{statuses}; the ratio above means nothing"
        )
        WRK_FAILURES.append(sum(unexpected.values()))


WRK_FAILURES: list[int] = []


# --- phases 3 and 4: open loop ----------------------------------------------------------------


def open_loop(clients, plans, rate: float, seconds: float, title: str) -> Recorder:
    """Requests at fixed times t0 + i/rate, each from the next member, whatever the earlier
    ones are doing; latency from the scheduled time to the last byte."""
    recorder = Recorder()
    rng = random.Random(int(rate * 1000))
    labels, weights = zip(*OPEN_MIX, strict=True)
    count = max(1, int(rate * seconds))
    requests = []
    for number in range(count):
        label = rng.choices(labels, weights)[0]
        index = number % len(clients)
        requests.append((label, index, choose_path(label, rng, plans[index])))
    late = Counter()

    def send(number: int, scheduled: float) -> None:
        label, index, path = requests[number]
        if time.perf_counter() - scheduled > 0.05:
            late["started over 50 ms late (all threads busy)"] += 1
        try:
            status, location, _text, _elapsed = clients[index].request("GET", path, timeout=60)
        except (OSError, http.client.HTTPException) as error:
            recorder.error(label, error)
            return
        recorder.add(label, status, location, time.perf_counter() - scheduled)

    start = time.perf_counter() + 0.2
    with concurrent.futures.ThreadPoolExecutor(max_workers=256) as pool:
        for number in range(count):
            scheduled = start + number / rate
            pause = scheduled - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            pool.submit(send, number, scheduled)
    report(f"{title}, offered {rate:g} requests/s for {seconds:.0f} s", recorder, seconds)
    if late:
        print(f"  client: {dict(late)}")
    return recorder


# --- afterwards -------------------------------------------------------------------------------


SERVER_PAGES = [
    ("GET", r"/organisations/", "directory (both)"),
    ("GET", r"/organisations/[^/]+/", "organisation page"),
    ("GET", r"/contact-requests/new/", "contact form"),
    ("POST", r"/contact-requests/new/", "contact request (POST)"),
    ("GET", r"/projects/", "project list"),
    ("GET", r"/projects/[^/]+/", "project page"),
    ("GET", r"/opportunities/for-you/", "matches for you"),
    ("GET", r"/opportunities/", "opportunity list"),
    ("GET", r"/api/v1/organisations/", "API list"),
    ("GET", r"/healthz", "/healthz"),
]


def report_server_side(log_path: Path, since: int) -> None:
    """Time inside Django per page from the request log (RequestLogMiddleware): the rest of the
    client's figure is waiting for a worker thread and the network stack."""
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
    print(
        "\ntime inside Django, all phases (request log)\n"
        f"  {'page':<24}{'n':>7}{'p50 ms':>9}{'p95 ms':>9}"
    )
    for label, values in sorted(times.items(), key=lambda item: (item[0] == "/healthz", item[0])):
        print(
            f"  {label:<24}{len(values):>7}{statistics.median(values):>9.1f}"
            f"{_common.p95(values):>9.1f}"
        )


def prepare_members(count: int):
    """Plain members of distinct active organisations (so that their contact requests are not
    duplicates of one another), their earlier load-test requests removed; and what they visit."""
    from django.db.models import Count

    from accounts.models import User
    from matchmaking.models import ContactRequest
    from partners.models import Membership, Organisation
    from projects.models import Project

    candidates = (
        User.objects.filter(
            email__startswith="synthetic-",
            is_active=True,
            is_staff=False,
            memberships__role=Membership.Role.MEMBER,
            memberships__organisation__status=Organisation.Status.ACTIVE,
        )
        .exclude(memberships__role=Membership.Role.ADMIN)
        .distinct()
        .order_by("email")
    )
    users, seen = [], set()
    for user in candidates.iterator():
        organisations = set(user.memberships.values_list("organisation_id", flat=True))
        if organisations & seen:
            continue
        seen |= organisations
        users.append(user)
        if len(users) == count:
            break
    if len(users) < count:
        sys.exit(f"only {len(users)} synthetic members of distinct organisations: seed more people")
    ContactRequest.objects.filter(sender__in=users).delete()
    active = Organisation.objects.filter(status=Organisation.Status.ACTIVE)
    targets = list(
        active.annotate(members=Count("memberships"))
        .filter(members__gt=0)
        .values_list("slug", flat=True)[:5000]
    )
    own = {
        user.pk: set(user.memberships.values_list("organisation__slug", flat=True))
        for user in users
    }
    organisations = list(active.order_by("?").values_list("slug", flat=True)[:2000])
    projects = list(
        Project.objects.filter(visibility="public").values_list("slug", flat=True)[:200]
    ) or ["diane"]
    pages = max(1, min(100, math.ceil(active.count() / 20)))
    plans = [
        {
            "targets": [slug for slug in targets if slug not in own[user.pk]],
            "organisations": organisations,
            "projects": projects,
            "pages": pages,
        }
        for user in users
    ]
    return users, plans


def check_notifications(users, started_at, wait_seconds: int) -> int:
    """Every contact request sent: its notifications written and its e-mails delivered.
    Returns the number lost or undelivered."""
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
        expected += (
            contact_request.receiver_organisation.memberships.filter(user__is_active=True)
            .exclude(user=contact_request.sender)
            .values("user")
            .distinct()
            .count()
        )
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
    by_status: Counter[str] = Counter(deliveries.values_list("status", flat=True))
    missing = immediate.filter(Q(delivery__isnull=True)).count()
    found = notifications.count()
    print(
        f"\ncontact requests sent: {len(requests)}; notifications expected {expected}, "
        f"found {found}; immediate e-mails {immediate.count()}, deliveries {deliveries.count()} "
        f"({', '.join(f'{k} {v}' for k, v in sorted(by_status.items())) or 'none'}), "
        f"notifications without delivery {missing}"
    )
    lost = max(0, expected - found) + missing + sum(by_status[s] for s in open_states)
    if not requests:
        print("no contact request was sent, so nothing was checked")
    elif lost == 0:
        print("no lost notification")
    else:
        print(f"LOST OR UNDELIVERED: {lost}")
    return lost


# --- main ---------------------------------------------------------------------------------------


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="", help="a running stack (loopback only)")
    parser.add_argument("--port", type=int, default=0, help="for the stack started (0: free)")
    parser.add_argument("--redis-url", default="", help="instead of a redis-server of its own")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=120, help="measuring time, at most 300")
    parser.add_argument("--phase-seconds", type=float, default=15)
    parser.add_argument("--rates", default="20,40", help="fixed offered rates, requests/s")
    parser.add_argument("--steps", default="10,20,30,40,60,80,120,160", help="capacity search")
    parser.add_argument("--connections", type=int, default=8, help="of the API ÷ /healthz phase")
    parser.add_argument("--organisations", type=int, default=10_000)
    parser.add_argument("--people", type=int, default=200, help="synthetic people seeded")
    parser.add_argument("--contacts-per-user", type=int, default=3)
    parser.add_argument("--no-seed", action="store_true")
    parser.add_argument(
        "--work-tree",
        action="store_true",
        help="run the work tree as it is instead of a copy of the last commit",
    )
    arguments = parser.parse_args()
    arguments.seconds = min(arguments.seconds, 300)
    arguments.rates = [float(rate) for rate in arguments.rates.split(",") if rate]
    arguments.steps = [float(rate) for rate in arguments.steps.split(",") if rate]
    return arguments


def main() -> None:
    arguments = parse_arguments()
    _common.load_average("start")
    run = Path(tempfile.mkdtemp(prefix="spin-bench-load-"))
    stack = redis = None
    failed = True
    try:
        host, port = "127.0.0.1", arguments.port or free_port()
        if arguments.base:
            parts = urllib.parse.urlsplit(arguments.base)
            if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
                sys.exit("loopback only")
            host, port = parts.hostname, parts.port or 80
            redis_url = os.environ.get("REDIS_URL", "")
        elif arguments.redis_url:
            redis_url = arguments.redis_url
        else:
            redis, redis_url = start_redis(run)
        environment = stack_environment(port, redis_url, run)
        print(f"database: {_common.describe_database(environment['DATABASE_URL'])}")
        source = ROOT if arguments.work_tree or arguments.base else snapshot(run, environment)
        if not arguments.base:
            _common.ensure_postgres_database(environment["DATABASE_URL"])
        if not arguments.no_seed:
            seed(
                source,
                environment,
                arguments.organisations,
                max(arguments.people, arguments.users),
            )
        os.environ.update(environment)
        # Celery (imported by the settings) puts the working folder first on sys.path
        os.chdir(source)
        if str(source) not in sys.path:
            sys.path.insert(0, str(source))
        import django

        django.setup()
        log_path = run / "stack.log"
        if not arguments.base:
            stack = start_stack(source, environment, log_path)
        wait_until_up(host, port, 180, stack)
        failed = measure(arguments, host, port, run, log_path if stack else None)
    finally:
        if stack is not None:
            stop_process_group(stack)
        if redis is not None:
            redis.terminate()
            redis.wait(timeout=10)
        _common.load_average("end")
        if failed and (run / "stack.log").exists():
            kept = Path(tempfile.gettempdir()) / f"{run.name}-stack.log"
            shutil.copy(run / "stack.log", kept)
            print(f"the stack's log is kept in {kept}")
        os.chdir(ROOT)
        shutil.rmtree(run, ignore_errors=True)
    if failed:
        raise SystemExit(1)


def measure(arguments, host: str, port: int, run: Path, log_path: Path | None) -> bool:
    """All phases; True when anything failed."""
    from django.utils import timezone

    from demo.data import DEMO_PASSWORD

    users, plans = prepare_members(arguments.users)
    clients = [
        Client(host, port, f"127.0.{1 + index // 250}.{1 + index % 250}")
        for index in range(len(users))
    ]
    started = time.monotonic()
    deadline = started + 180
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        problems = list(
            pool.map(
                lambda pair: log_in(pair[0], pair[1].email, DEMO_PASSWORD, deadline),
                zip(clients, users, strict=True),
            )
        )
    refused = [
        f"{user.email}: {problem}" for user, problem in zip(users, problems, strict=True) if problem
    ]
    print(
        f"{len(users) - len(refused)} of {len(users)} members logged in through the log-in form "
        f"in {time.monotonic() - started:.0f} s"
    )
    if refused:
        print("FAILED log-ins:\n  " + "\n  ".join(refused[:10]))
        return True

    log_offset = log_path.stat().st_size if log_path else 0
    started_at = timezone.now()
    budget = time.monotonic() + arguments.seconds
    phase = min(arguments.phase_seconds, arguments.seconds)
    recorders = []
    failures = 0

    def time_left(needed: float = phase) -> bool:
        """Whether a phase fits in what is left of --seconds (all phases end by then)."""
        return time.monotonic() + needed <= budget + 1

    recorders.append(closed_loop(clients, plans, phase, arguments.contacts_per_user))
    if time_left(phase * (2 if shutil.which("wrk") else 1)):
        recorders.append(api_versus_healthz(host, port, phase, arguments.connections, run))
    else:
        print(f"\n2. API list ÷ /healthz skipped: --seconds {arguments.seconds:g} used up")
    print(
        "\n3. and 4. open loop, from the lowest offered rate up (an overloaded phase does not "
        "precede a light one): the fixed rates, and the steps until the member pages' p95 "
        f"passes {TARGET_P95_MS} ms"
    )
    steps = []
    searching = True
    for rate in sorted(set(arguments.rates) | set(arguments.steps)):
        fixed = rate in arguments.rates
        if not (fixed or searching):
            continue
        if not time_left():
            print(f"  {rate:g}/s and above skipped: --seconds {arguments.seconds:g} used up")
            break
        title = "  open loop (fixed rate)" if fixed else "  open loop (step)"
        recorder = open_loop(clients, plans, rate, phase, title)
        recorders.append(recorder)
        pages = recorder.member_pages()
        value = _common.p95(pages) * 1000 if pages else math.inf
        if searching and rate in arguments.steps:
            steps.append((rate, value, bool(recorder.failures)))
        if value > TARGET_P95_MS or recorder.failures:
            searching = False
    print("\n  offered/s   member pages p95 ms   failures")
    for rate, value, failed in steps:
        print(f"  {rate:9g}   {value:19.0f}   {'yes' if failed else 'no'}")
    passed = [rate for rate, value, failed in steps if value <= TARGET_P95_MS and not failed]
    over = [rate for rate, value, failed in steps if value > TARGET_P95_MS or failed]
    if passed and over:
        print(
            f"  capacity: p95 ≤ {TARGET_P95_MS} ms at {max(passed):g}/s, passed at {min(over):g}/s"
        )
    elif passed:
        print(
            f"  capacity: p95 ≤ {TARGET_P95_MS} ms up to {max(passed):g}/s (the highest step run)"
        )
    elif over:
        print(
            f"  capacity: below {min(over):g}/s (the lowest step already passed {TARGET_P95_MS} ms)"
        )

    if log_path:
        report_server_side(log_path, log_offset)
    lost = check_notifications(users, started_at, wait_seconds=120)
    for recorder in recorders:
        failures += sum(recorder.failures.values())
    failures += sum(WRK_FAILURES)
    print(
        f"\nfailures in all phases (unexpected statuses, log-in redirects, connection errors): "
        f"{failures}; lost notifications: {lost}"
    )
    return bool(failures or lost)


if __name__ == "__main__":
    main()
