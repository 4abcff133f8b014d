"""Local stand-ins for the outside world: an HTTP receiver for webhooks."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.notifications.fixtures import eager_outbox_mode


class Receiver:
    """Records every POST; answers with the next status from `statuses` (then 200)."""

    def __init__(self):
        self.requests: list[dict] = []
        self.statuses: list[int] = []
        self.lock = threading.Lock()
        handler = self._handler()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.lock:
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                    receiver.requests.append(
                        {
                            "headers": dict(self.headers),
                            "body": body,
                            "json": json.loads(body),
                            "status": status,
                        }
                    )
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        return Handler

    def delivered(self) -> list[dict]:
        return [r for r in self.requests if 200 <= r["status"] < 300]


@pytest.fixture(autouse=True)
def _unit_test_mode(request, settings):
    """Unit tests run tasks in-process after commit (eager) and keep sessions in the database,
    also in the services pass (REDIS_URL set), so that they assert the same mails and query
    counts in both passes. The integration tests (fixture `stack`) use the real worker."""
    if "stack" in request.fixturenames:
        yield
        return
    yield from eager_outbox_mode(settings)


@pytest.fixture
def http_receiver():
    receiver = Receiver()
    receiver.thread.start()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


@pytest.fixture(scope="module")
def stack(django_db_setup, django_db_blocker, tmp_path_factory):
    """Own Redis, SMTP sink and Celery worker for a module of integration tests.

    Needs PostgreSQL (the worker is another process and must see committed rows) and Redis
    (REDIS_URL set: this is the services pass; the tests still start their own redis-server).
    """
    import shutil
    from types import SimpleNamespace

    from django.conf import settings
    from django.db import connection
    from django.test import override_settings

    from spinportal.celery import app
    from tests.conftest import _require
    from tests.notifications import integration

    _require(
        settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
        "needs PostgreSQL: set DATABASE_URL=postgres://…",
    )
    _require(bool(settings.REDIS_URL), "needs Redis: set REDIS_URL=redis://…")
    _require(shutil.which("redis-server") is not None, "needs the redis-server binary")

    redis = integration.RedisServer()
    redis.start()
    sink = integration.ScriptedSink()
    sink.controller.start()
    worker = integration.Worker(
        database_url=integration.database_url(connection.settings_dict),
        redis_url=redis.url,
        email_url=sink.url,
        log=tmp_path_factory.mktemp("worker") / "worker.log",
    )
    previous_broker = app.conf.broker_url
    overrides = override_settings(
        CELERY_TASK_ALWAYS_EAGER=False,
        NOTIFICATIONS_RELAY_GRACE_SECONDS=1,
        NOTIFICATIONS_STALE_CLAIM_SECONDS=10,
    )
    overrides.enable()
    integration.use_broker(app, redis.url)
    worker.start()
    try:
        yield SimpleNamespace(redis=redis, sink=sink, worker=worker)
    finally:
        worker.stop()
        sink.controller.stop()
        redis.stop()
        integration.use_broker(app, previous_broker)
        app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER
        overrides.disable()
