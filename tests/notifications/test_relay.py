"""The relay thread: keys committed within a moment of each other go to Celery together."""

import threading
import time

import pytest
from django.db import transaction

from notifications import relay

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def handed_over(settings, monkeypatch):
    """Broker mode (not eager); what the relay hands over is recorded instead of sent."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    calls: list[tuple[str, list]] = []
    lock = threading.Lock()

    def record(task, keys):
        with lock:
            calls.append((task, list(keys)))

    monkeypatch.setattr(relay, "_hand_over", record)
    yield calls
    relay._drain()


def _wait_for(calls, count: int, timeout: float = 5.0):
    deadline = time.monotonic() + timeout
    while len(calls) < count and time.monotonic() < deadline:
        time.sleep(0.005)
    time.sleep(2 * relay.GATHER_SECONDS)  # anything more would arrive now
    return calls


def _commit(keys, task=relay.EMAIL):
    with transaction.atomic():
        relay.after_commit(keys=keys, task=task)


def test_keys_of_transactions_committed_together_go_in_one_task(handed_over):
    # when three transactions commit within the gathering window
    _commit(["email:a:1"])
    _commit(["email:b:1", "email:b:2"])
    _commit(["email:c:1"])
    # then one task carries the keys of all three, in commit order
    assert _wait_for(handed_over, 1) == [
        (relay.EMAIL, ["email:a:1", "email:b:1", "email:b:2", "email:c:1"])
    ]


def test_nothing_is_handed_over_before_commit_or_after_rollback(handed_over):
    with transaction.atomic():
        relay.after_commit(keys=["email:kept:1"])
        assert relay._queue.empty()  # not before the commit
    try:
        with transaction.atomic():
            relay.after_commit(keys=["email:rolled-back:1"])
            raise RuntimeError("the change failed")
    except RuntimeError:
        pass
    assert _wait_for(handed_over, 1) == [(relay.EMAIL, ["email:kept:1"])]


def test_tasks_carry_at_most_a_batch_and_kinds_stay_apart(handed_over):
    keys = [f"email:many:{i}" for i in range(2 * relay.BATCH_SIZE + 50)]
    _commit(keys)
    _commit([7, 8], task=relay.WEBHOOK)
    calls = _wait_for(handed_over, 4)
    assert sorted((task, len(batch)) for task, batch in calls) == [
        (relay.EMAIL, 50),
        (relay.EMAIL, 100),
        (relay.EMAIL, 100),
        (relay.WEBHOOK, 2),
    ]
    assert [k for task, batch in calls if task == relay.EMAIL for k in batch] == keys


def test_at_exit_what_is_queued_is_handed_over_and_a_new_thread_starts_later(handed_over):
    # given keys waiting in the gathering window
    _commit(["email:exit:1"])
    first = relay._thread
    # when the process exits (atexit runs _drain)
    relay._drain()
    # then they were handed over and the thread ended
    assert handed_over == [(relay.EMAIL, ["email:exit:1"])]
    assert not first.is_alive()
    # and a later commit (or a forked process) starts a new thread
    _commit(["email:later:1"])
    assert _wait_for(handed_over, 2)[1] == (relay.EMAIL, ["email:later:1"])
    assert relay._thread is not first
    assert relay._thread.is_alive()
