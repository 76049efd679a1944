"""The in-process queue: delayed jobs run when due, and drain can leave them waiting."""
from __future__ import annotations

import threading
import time

import pytest
from flask import Flask

from plumbing.queue import EmbeddedQueue


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
