"""Passes run every `reconcile_minutes`: an embedded timer thread, or RQ's scheduler with Redis."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest
import redis
from rq import Queue
from rq.registry import ScheduledJobRegistry

from okr_core.domain import TrackerKind
from okr_core.models import SyncState
from sync.scheduler import TICK_SECONDS, EmbeddedScheduler, due_connections, queue_due_passes, schedule_next_tick
from tests.conftest import REDIS_URL
from tests.sync.sync_world import SyncWorld

NOW = datetime.now(timezone.utc)


def started(sync_world, connection_id: int, minutes_ago: float) -> None:
    with sync_world.scope() as session:
        session.add(SyncState(connection_id=connection_id, last_counts={},
                              last_started_at=NOW - timedelta(minutes=minutes_ago),
                              last_finished_at=NOW - timedelta(minutes=minutes_ago - 0.1)))


def test_a_connection_is_due_when_its_interval_has_passed(app, sim, sync_world):
    never = sync_world.connection(TrackerKind.JIRA, sim.url)
    recent = sync_world.connection(TrackerKind.JIRA, sim.url)
    stale = sync_world.connection(TrackerKind.JIRA, sim.url)
    quick = sync_world.connection(TrackerKind.LINEAR, sim.url, reconcile_minutes=1)
    started(sync_world, recent, 5)
    started(sync_world, stale, 11)
    started(sync_world, quick, 2)
    with app.app_context():
        assert due_connections(NOW) == [never, stale, quick]


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
    from sync.scheduler import reconcile_tick
    from sync.worker import make_worker

    world = SyncWorld(redis_app)
    connection = world.connection(TrackerKind.JIRA, sim.url)
    client = redis.Redis.from_url(REDIS_URL)
    queue = Queue("default", connection=client)
    slot = int(time.time()) // TICK_SECONDS
    for stale in (f"reconcile-{connection}-{slot}", f"reconcile-{connection}-{slot + 1}"):
        client.delete(f"rq:job:{stale}")   # left by an earlier run against database 15
    queue.enqueue(reconcile_tick)
    worker = make_worker(redis_app, queue_names=("default",), simple=True)
    worker.work(burst=True)               # the tick, then the pass it queued
    assert world.sync_state(connection).last_kind == "incremental"
    with redis_app.app_context():
        next_tick = schedule_next_tick()
    registry = ScheduledJobRegistry(queue=queue)
    assert next_tick in registry.get_job_ids()
    when = registry.get_scheduled_time(next_tick)
    assert 0 < (when - datetime.now(timezone.utc)).total_seconds() <= 61
    registry.remove(next_tick, delete_job=True)
    client.close()
