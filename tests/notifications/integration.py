"""Real components for the integration tests: an own redis-server on a free port, a Celery
worker process, an SMTP sink with scripted answers, and helpers to wait for outcomes."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from email.parser import BytesParser
from email.policy import default as default_policy
from pathlib import Path
from urllib.parse import quote

from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, *, timeout: float, interval: float = 0.2, message: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s: {message}")


def stop_process(process, *, timeout: float, end=subprocess.Popen.terminate, on_timeout=None):
    """Ends a still running `process` with `end(process)` and waits `timeout` seconds for it;
    if it then still runs, `on_timeout(process)` if given (else TimeoutExpired is raised)."""
    if not process or process.poll() is not None:
        return
    end(process)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        if on_timeout is None:
            raise
        on_timeout(process)


class LocalServer:
    """Something listening on 127.0.0.1, on a free port unless one is given, and its URL."""

    scheme = ""
    url_path = ""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}{self.url_path}"


class ServerProcess(LocalServer):
    """A LocalServer run as a child process (`self.process`, None until started)."""

    def __init__(self):
        super().__init__()
        self.process = None


class RedisServer(ServerProcess):
    """Our own redis-server: stopping it never touches the shared one."""

    scheme = "redis"
    url_path = "/0"

    def _ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def start(self):
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ],  # fmt: skip
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self._ping, timeout=10, message="redis-server did not start")

    def stop(self):
        stop_process(self.process, timeout=10)
        self.process = None

    def pause(self):
        """SIGSTOP: connections are accepted by the kernel and never answered (a stall)."""
        os.kill(self.process.pid, signal.SIGSTOP)

    def resume(self):
        os.kill(self.process.pid, signal.SIGCONT)


class Worker:
    """`celery -A spinportal worker` against the test database and our Redis, with a prefork
    pool of two processes as in production unless `pool` says otherwise."""

    def __init__(
        self,
        *,
        database_url: str,
        redis_url: str,
        email_url: str,
        log: Path,
        pool: tuple[str, ...] = ("--pool=prefork", "--concurrency=2"),
        nice: int = 0,
    ):
        self.log = log
        self.pool = list(pool)
        self.nice = ["nice", "-n", str(nice)] if nice else []  # as bin/up starts it
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.notifications.worker_settings",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "EMAIL_URL": email_url,
            "PYTHONPATH": str(ROOT),
        }
        self.process = None
        self.starts = 0

    def start(self):
        self.starts += 1
        self.log.write_text("")
        handle = self.log.open("a")
        self.process = subprocess.Popen(
            [
                *self.nice,
                sys.executable,
                "-m",
                "celery",
                "-A",
                "spinportal",
                "worker",
                *self.pool,
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"integration{self.starts}-{os.getpid()}@%h",
            ],  # fmt: skip
            cwd=ROOT,
            env=self.env,
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
        wait_for(
            lambda: " ready." in self.log.read_text() or self.process.poll() is not None,
            timeout=30,
            message="the worker did not become ready",
        )
        assert self.process.poll() is None, self.log.read_text()[-3000:]

    def kill(self):
        """SIGKILL to the worker and its pool: no shutdown, no acknowledgements, as a crashed
        machine."""
        for pid in self._processes():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def _processes(self) -> list[int]:
        """The worker's process and its pool's (children listed by /proc)."""
        found, pending = [], [self.process.pid]
        while pending:
            pid = pending.pop()
            found.append(pid)
            for task in Path(f"/proc/{pid}/task").glob("*/children"):
                pending.extend(int(child) for child in task.read_text().split())
        return found

    def pause(self):
        """SIGSTOP to the worker and its pool: queued tasks wait (for measuring without it)."""
        for pid in self._processes():
            os.kill(pid, signal.SIGSTOP)

    def resume(self):
        for pid in self._processes():
            os.kill(pid, signal.SIGCONT)

    def stop(self):
        stop_process(self.process, timeout=15, on_timeout=lambda _process: self.kill())


class ScriptedSink(LocalServer):
    """An SMTP server that accepts everything, unless `plan[address]` lists answers to give
    first (e.g. two "451 …" and then acceptance). Records every accepted Message-ID."""

    scheme = "smtp"

    def __init__(self, port: int | None = None):
        self.lock = threading.Lock()
        self.accepted: list[tuple[str, str]] = []
        self.attempts: Counter = Counter()
        self.plan: dict[str, list[str]] = {}
        super().__init__(port)
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    def reset(self):
        with self.lock:
            self.accepted.clear()
            self.attempts.clear()
            self.plan.clear()

    async def handle_DATA(self, server, session, envelope):
        address = envelope.rcpt_tos[0]
        headers = BytesParser(policy=default_policy).parsebytes(envelope.content, headersonly=True)
        with self.lock:
            self.attempts[address] += 1
            answers = self.plan.get(address)
            if answers:
                return answers.pop(0)
            self.accepted.append((str(headers["Message-ID"]).strip(), address))
        return "250 OK"

    def snapshot(self) -> list[tuple[str, str]]:
        with self.lock:
            return list(self.accepted)


class SinkProcess(ServerProcess):
    """A ScriptedSink in a child process, for the benchmark: receiving and parsing thousands
    of e-mails then does not compete for this process's GIL with what is being measured.
    Answers `count(marker)` (accepted Message-IDs containing it) and `reset()` over a pipe."""

    scheme = "smtp"

    def start(self):
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from tests.notifications.integration import serve_sink; serve_sink()",
                str(self.port),
            ],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout.readline().strip() == "ready", "the sink did not start"

    def _ask(self, command: str) -> str:
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return self.process.stdout.readline().strip()

    def count(self, marker: str) -> int:
        return int(self._ask(f"count {marker}"))

    def reset(self):
        self._ask("reset")

    def stop(self):
        stop_process(
            self.process,
            timeout=10,
            end=lambda process: process.stdin.close(),
            on_timeout=_kill_and_wait,
        )
        self.process = None


def _kill_and_wait(process):
    process.kill()
    process.wait(timeout=10)


def serve_sink():
    """The child of SinkProcess: a ScriptedSink on the port in argv, commands on stdin."""
    import logging

    logging.getLogger("mail.log").setLevel(logging.WARNING)
    sink = ScriptedSink(port=int(sys.argv[1]))
    sink.controller.start()
    print("ready", flush=True)
    for line in sys.stdin:
        command, _, argument = line.strip().partition(" ")
        if command == "count":
            print(sum(1 for message_id, _ in sink.snapshot() if argument in message_id), flush=True)
        elif command == "reset":
            sink.reset()
            print("ok", flush=True)
    sink.controller.stop()


def database_url(settings_dict: dict) -> str:
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{credentials}{host}:{port}/{settings_dict['NAME']}"


def use_broker(app, url: str) -> None:
    """Points this process's Celery producer at `url` (fresh connection pools)."""
    app.conf.broker_url = url
    app.conf.task_always_eager = False
    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    app.amqp._producer_pool = None
