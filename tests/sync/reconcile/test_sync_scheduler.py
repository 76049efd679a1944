"""Passes run every `reconcile_minutes`: an embedded timer thread, or RQ's scheduler with Redis."""
from __future__ import annotations

import time
import uuid
from datetime import datetime, timedelta, timezone

import pytest
import redis
from rq import Queue
from rq.registry import ScheduledJobRegistry

from okr_core.domain import TrackerKind
from okr_core.models import SyncState
from sync.reconcile.lock import LOCK_SECONDS
from sync.reconcile.scheduler import TICK_SECONDS, EmbeddedScheduler, due_connections, queue_due_passes
from tests.conftest import REDIS_URL
from tests.sync.sync_world import SyncWorld

NOW = datetime.now(timezone.utc)


def started(sync_world, connection_id: int, minutes_ago: float) -> None:
    with sync_world.scope() as session:
        session.add(SyncState(connection_id=connection_id, last_counts={},
                              last_started_at=NOW - timedelta(minutes=minutes_ago),
                              last_finished_at=NOW - timedelta(minutes=minutes_ago - 0.1)))


def test_a_connection_is_due_when_its_interval_has_passed_unless_it_is_manual_only(app, sim, sync_world):
    never = sync_world.connection(TrackerKind.JIRA, sim.url)
    recent = sync_world.connection(TrackerKind.JIRA, sim.url)
    stale = sync_world.connection(TrackerKind.JIRA, sim.url)
    quick = sync_world.connection(TrackerKind.LINEAR, sim.url, reconcile_minutes=1)
    manual_only = sync_world.connection(TrackerKind.JIRA, sim.url, reconcile_minutes=0)
    started(sync_world, recent, 5)
    started(sync_world, stale, 11)
    started(sync_world, quick, 2)
    with app.app_context():
        assert due_connections(NOW) == [never, stale, quick]  # manual_only never is


def test_the_embedded_timer_runs_due_passes(app, sim, jira, sync_world):
    scheduler = EmbeddedScheduler(app, tick_seconds=0.05).start()
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and (sync_world.sync_state(jira) is None
                                               or sync_world.sync_state(jira).last_kind is None):
            time.sleep(0.05)
    finally:
        scheduler.stop()
    app.extensions["okrsync.queue"].drain(timeout=30)
    assert sync_world.sync_state(jira).last_kind == "incremental"
    with app.app_context():
        assert queue_due_passes() == []   # just ran: not due for another 10 minutes


@pytest.mark.redis
def test_with_redis_a_tick_queues_due_passes_and_schedules_the_next_tick(redis_app, sim):
    from sync.reconcile.scheduler import reconcile_tick
    from plumbing.worker import make_worker

    # A queue of its own: database 15 is shared, and other tests' workers listen on "default".
    name = f"okrsync-test-{uuid.uuid4().hex[:8]}"
    redis_app.config["RECONCILE_QUEUE"] = name
    world = SyncWorld(redis_app)
    connection = world.connection(TrackerKind.JIRA, sim.url)
    client = redis.Redis.from_url(REDIS_URL)
    queue = Queue(name, connection=client)
    registry = ScheduledJobRegistry(queue=queue)
    # The same connection id may have ticked in an earlier test (another store, maybe a minute ago).
    for stale in client.keys(f"rq:job:reconcile-{connection}-*"):
        client.delete(stale)
    try:
        queue.enqueue(reconcile_tick)
        before_tick = datetime.now(timezone.utc)
        make_worker(redis_app, queue_names=(name,), simple=True).work(burst=True)  # tick, then pass
        after_tick = datetime.now(timezone.utc)
        assert world.sync_state(connection).last_kind == "incremental"
        # A first pass of a large site runs for minutes: RQ stops it only after the pass lock's time.
        [pass_job] = [key.decode() for key in client.keys(f"rq:job:reconcile-{connection}-*")]
        assert int(client.hget(pass_job, "timeout")) == LOCK_SECONDS
        [next_tick] = registry.get_job_ids()
        # The next tick is the start of the minute after the tick ran (which may already have begun).
        at = registry.get_scheduled_time(next_tick)
        assert next_tick.startswith("okrsync-reconcile-tick-")
        assert before_tick < at <= after_tick + timedelta(seconds=TICK_SECONDS)
    finally:
        for job_id in registry.get_job_ids():   # no tick chain may outlive the test
            registry.remove(job_id, delete_job=True)
        queue.delete(delete_jobs=True)
        client.close()
