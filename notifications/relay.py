"""Hands committed outbox rows to Celery without blocking the request.

After commit, the keys go to a single background thread that calls `delay()`; a stalled or
stopped Redis costs that thread a timeout, never the request. Anything the relay cannot hand
over stays `pending` in the database, and `sweep_pending_deliveries` (Celery beat) sends it
later. Without Redis (embedded mode) tasks run in-process right after commit.
"""

import logging
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)
_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="outbox-relay")

BATCH_SIZE = 100
EMAIL = "send_email_deliveries"
WEBHOOK = "send_webhook_deliveries"


def _task(name: str):
    from notifications import tasks

    return getattr(tasks, name)


def _hand_over(task_name: str, keys: list) -> None:
    try:
        _task(task_name).delay(keys)
    except Exception:
        logger.warning("outbox relay could not reach the broker; %d deliveries wait", len(keys))


def after_commit(*, keys: list, task: str = EMAIL) -> None:
    """Queues `task(keys)` once the current transaction commits (e-mail delivery keys, or
    webhook delivery ids with task=WEBHOOK).

    Keys of one transaction are pooled and handed over together, in batches of BATCH_SIZE:
    a transaction that records 100 events makes one task (one SMTP connection), not 100.
    Each call still registers its own callback, so a rolled-back savepoint drops only its
    own; whichever callback runs first takes everything pooled (a key whose row was rolled
    back is simply not found by the task).
    """
    keys = list(keys)
    if not keys:
        return
    connection = transaction.get_connection()
    pool = getattr(connection, "_outbox_relay_pool", None)
    if pool is None or pool[0] is not connection.run_on_commit:
        # a new transaction (Django replaces the callback list after commit or rollback)
        pool = (connection.run_on_commit, {})
        connection._outbox_relay_pool = pool
    pool[1].setdefault(task, []).extend(keys)
    transaction.on_commit(lambda: _flush(pool[1]))


def _flush(pending: dict[str, list]) -> None:
    while pending:
        task, keys = pending.popitem()
        # one task per batch: a large fan-out spreads over the workers and no task runs long
        for start in range(0, len(keys), BATCH_SIZE):
            batch = keys[start : start + BATCH_SIZE]
            if settings.CELERY_TASK_ALWAYS_EAGER:
                _run_inline(task, batch)
            else:
                _executor.submit(_hand_over, task, batch)


def _run_inline(task_name: str, keys: list) -> None:
    try:
        _task(task_name).apply(args=[keys])
    except Exception:
        logger.exception("sending %d deliveries in-process failed; the sweep retries", len(keys))
