"""Sending with real RQ workers on real Redis: a worker SIGKILLed in the middle of a send, and
an SMTP server that is down at first. Each message reaches its person exactly once."""
from __future__ import annotations

import os
import signal
import threading
from collections import Counter

import pytest
from sqlalchemy import select

from okr_core.models import NotificationSend
from okr_core.store import session_scope
from sync.notify.jobs import queue_due_notifications
from tests.conftest import REDIS_URL
from tests.sync.notify.conftest import arrange_world, set_defaults, set_smtp
from tests.sync.notify.smtp_inbox import SmtpServer, free_port
from tests.webhooks.intake.test_intake_worker_kill import children_of
from tests.webhooks.intake.worker_process import start_worker, stop_worker, wait_for

pytestmark = pytest.mark.slow


@pytest.fixture
def redis_app(settings, app, redis_db):
    """An app on the same store as `app`, handing its jobs to RQ."""
    from okrsync.app import create_app

    queued = create_app({"TESTING": True}, settings=settings.with_overrides(redis_url=REDIS_URL))
    yield queued
    queued.extensions["okrsync.queue"].shutdown()
    queued.extensions["okrsync.engine"].dispose()


def states(app) -> list[tuple[str, str]]:
    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        return [(row.kind, row.state) for row in session.scalars(
            select(NotificationSend).order_by(NotificationSend.id))]


def subjects_per_person(inbox) -> Counter:
    return Counter((tuple(rcpts), message["Subject"]) for rcpts, message in inbox.received)


def kill(worker) -> None:
    for pid in [*children_of(worker.pid), worker.pid]:
        os.kill(pid, signal.SIGKILL)
    worker.wait(10)


def test_a_worker_killed_mid_send_never_sends_that_message_twice_and_loses_no_other(
        app, actors, redis_app, settings, tmp_path, monkeypatch):
    monkeypatch.setenv("OKRSYNC_NOTIFY_STALE_SECONDS", "1")
    arrange_world(app, actors)
    set_defaults(app)
    with SmtpServer() as server:
        set_smtp(app, server.port)
        server.inbox.hold = threading.Event()     # the first message hangs in DATA
        with redis_app.app_context():
            assert len(queue_due_notifications()) == 4
        first = start_worker(settings, tmp_path / "worker1.log")
        try:
            wait_for(server.inbox.arrived.is_set, 120, "the first message to reach the server")
            wait_for(lambda: children_of(first.pid), 5, "the work horse")
        finally:
            kill(first)
        assert [s for _, s in states(app)].count("sending") == 1
        server.inbox.hold.set()                   # the server keeps what it got; nobody listens

        second = start_worker(settings, tmp_path / "worker2.log")
        try:
            wait_for(lambda: [s for _, s in states(app)].count("sent") == 3, 120,
                     "the other three messages")
            with redis_app.app_context():          # the scheduler's next tick
                assert queue_due_notifications() == []
            wait_for(lambda: [s for _, s in states(app)].count("unconfirmed") == 1, 10,
                     "the killed send to be marked unconfirmed")
        finally:
            stop_worker(second)
        counts = subjects_per_person(server.inbox)
    assert len(counts) == 4 and set(counts.values()) == {1}      # four messages, each once
    assert Counter(s for _, s in states(app)) == {"sent": 3, "unconfirmed": 1}


def test_an_smtp_server_down_at_first_gets_the_message_once_it_is_up(
        app, actors, redis_app, settings, tmp_path, monkeypatch):
    monkeypatch.setenv("OKRSYNC_NOTIFY_BACKOFF", "2")
    world = arrange_world(app, actors)
    set_defaults(app, digests=False)
    port = free_port()
    set_smtp(app, port)                           # nothing listens there yet
    worker = start_worker(settings, tmp_path / "worker.log")
    try:
        with redis_app.app_context():
            assert len(queue_due_notifications()) == 2
        wait_for(lambda: Counter(s for _, s in states(app))["retrying"] == 2, 120,
                 "both reminders to fail and wait for their retry")
        with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
            errors = set(session.scalars(select(NotificationSend.last_error)))
        assert errors == {f"The SMTP server 127.0.0.1:{port} could not be reached."}
        with SmtpServer(port) as server:
            wait_for(lambda: Counter(s for _, s in states(app))["sent"] == 2, 120,
                     "the retries, queued for later on RQ's scheduler, to send")
            counts = subjects_per_person(server.inbox)
    finally:
        stop_worker(worker)
    assert len(counts) == 2 and set(counts.values()) == {1}
    assert (world.emails["lead"],) in {recipients for recipients, _ in counts}
