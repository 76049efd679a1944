"""The in-process queue: delayed jobs run when due, and drain can leave them waiting."""
from __future__ import annotations

import threading
import time

import pytest
from flask import Flask

from plumbing.queue import EmbeddedQueue, QueueUnavailable, RetryPolicy


@pytest.fixture
def queue():
    embedded = EmbeddedQueue(Flask("queue-test"), workers=2)
    yield embedded
    embedded.shutdown()


def test_drain_waits_for_a_delayed_job_by_default(queue):
    ran = threading.Event()
    queue.enqueue(ran.set, job_id="soon", delay=0.2)
    queue.drain(timeout=5)
    assert ran.is_set()


def test_drain_without_delayed_jobs_returns_before_they_are_due(queue):
    ran, now = threading.Event(), threading.Event()
    queue.enqueue(ran.set, job_id="later", delay=0.5)
    queue.enqueue(now.set, job_id="now")
    started = time.monotonic()
    queue.drain(timeout=5, include_delayed=False)
    assert now.is_set() and not ran.is_set()
    assert time.monotonic() - started < 0.5
    # Still pending: the same id is refused until it has run, then runs once when due.
    assert queue.enqueue(ran.set, job_id="later") is None
    queue.drain(timeout=5)
    assert ran.is_set()


def test_drain_times_out_while_a_job_runs(queue):
    release = threading.Event()
    queue.enqueue(release.wait, 5, job_id="slow")
    with pytest.raises(TimeoutError):
        queue.drain(timeout=0.1)
    release.set()
    queue.drain(timeout=5)


def test_shutdown_drops_delayed_jobs_not_yet_due():
    queue = EmbeddedQueue(Flask("queue-test"), workers=1)
    ran = threading.Event()
    queue.enqueue(ran.set, job_id="later", delay=0.2)
    queue.shutdown()
    time.sleep(0.4)
    assert not ran.is_set()


def test_a_failing_job_waits_for_its_retry_without_holding_the_only_thread():
    """As RQ's Retry does, the interval passes on a timer: the next job runs meanwhile."""
    from plumbing.queue import RetryPolicy

    queue = EmbeddedQueue(Flask("queue-test"), workers=1)
    attempts, other = [], threading.Event()

    def flaky():
        attempts.append(time.monotonic())
        if len(attempts) < 2:
            raise RuntimeError("tracker down")

    try:
        queue.enqueue(flaky, job_id="flaky", retry=RetryPolicy(max=2, intervals=(1, 1)))
        time.sleep(0.1)
        started = time.monotonic()
        queue.enqueue(other.set, job_id="other")
        assert other.wait(0.5) and time.monotonic() - started < 0.5
        queue.drain(timeout=5)
        assert len(attempts) == 2 and attempts[1] - attempts[0] >= 0.9
    finally:
        queue.shutdown()


def test_a_retry_falling_due_after_shutdown_is_dropped_not_submitted_to_the_closed_pool(
        monkeypatch):
    """The retry timer of a job that failed while the queue was shutting down used to submit to
    the closed pool: RuntimeError 'cannot schedule new futures after shutdown' on its thread."""
    errors = []
    monkeypatch.setattr(threading, "excepthook", lambda hook: errors.append(hook.exc_value))
    queue = EmbeddedQueue(Flask("queue-test"), workers=1, retry_scale=0.0)  # retries at once
    started, release = threading.Event(), threading.Event()

    def failing():
        started.set()
        release.wait(5)
        raise ConnectionError("tracker down")

    queue.enqueue(failing, job_id="fails", retry=RetryPolicy(max=3, intervals=(1,)))
    assert started.wait(5)
    stopping = threading.Thread(target=queue.shutdown)
    stopping.start()
    time.sleep(0.1)   # shutdown has begun: it waits for the running job
    release.set()
    stopping.join(5)
    time.sleep(0.2)   # a retry timer, had one been started, has fired by now
    assert errors == []
    assert not queue.is_pending("fails")   # dropped, as a process exit drops it
    with pytest.raises(QueueUnavailable):
        queue.enqueue(failing, job_id="after-shutdown")
