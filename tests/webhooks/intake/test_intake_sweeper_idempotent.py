"""Sweeps are idempotent (real Redis, no worker running): a backlog older than the stale threshold
whose jobs are queued, handed off or deferred is not queued again, however often it is swept, and
a delivery whose job ended while the delivery stayed pending is queued once, under its own id."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

from rq import Queue
from rq.job import Job
from rq.registry import ScheduledJobRegistry
from sqlalchemy import update

from okr_core.domain import TrackerKind
from okr_core.models import Delivery
from okr_core.store import session_scope
from plumbing.handoff import HANDOFF_KEY, deferred_job_id, dispatch_all
from plumbing.queue import enqueue
from plumbing.sweeper import sweep
from plumbing.worker import make_worker
from tests.conftest import REDIS_URL
from tests.webhooks.intake.intake_helpers import (
    add_connection, as_issue, deliveries, fixture_delivery, post,
)

JIRA = TrackerKind.JIRA
BACKLOG = 30


def post_backlog(app, sim, count: int, prefix: str) -> list[int]:
    connection_id = add_connection(app, JIRA, sim.url, {"email": "a@b.test", "api_token": "t"})
    client, ids = app.test_client(), []
    for number in range(count):
        body, headers = fixture_delivery(JIRA, "jira_issue_updated__resolved",
                                         f"{prefix}-{number}", as_issue(number))
        ids.append(post(client, "jira", connection_id, body, headers).get_json()["delivery_id"])
    return ids


def age(app, ids: list[int], **values) -> datetime:
    """Stamp the deliveries as handed over an hour ago (and set `values`); that time."""
    an_hour_ago = datetime.now(timezone.utc) - timedelta(hours=1)
    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        session.execute(update(Delivery).where(Delivery.id.in_(ids))
                        .values(enqueued_at=an_hour_ago, **values))
    return an_hour_ago


def job_ids(redis_db) -> list[str]:
    return sorted(Queue("default", connection=redis_db).job_ids)


def test_a_stale_backlog_whose_jobs_are_queued_or_handed_off_is_not_queued_again(
        make_app, redis_db, sim):
    app = make_app(REDIS_URL)
    ids = post_backlog(app, sim, BACKLOG, "backlog")
    assert dispatch_all(app) == BACKLOG
    handed_off = ids[-5:]   # as if pushed again and not dispatched yet: no job, in the list
    for delivery_id in handed_off:
        Job.fetch(f"delivery-{delivery_id}", connection=redis_db).delete()
        redis_db.rpush(HANDOFF_KEY, delivery_id)
    age(app, ids)
    before = job_ids(redis_db)
    assert len(before) == BACKLOG - 5

    with app.app_context():
        assert [sweep(stale_after=60) for _ in range(3)] == [0, 0, 0]
    assert job_ids(redis_db) == before
    assert [int(i) for i in redis_db.lrange(HANDOFF_KEY, 0, -1)] == handed_off
    # Seen waiting: stamped now, so the next sweeps look past them.
    assert all(row.enqueued_at > datetime.now(timezone.utc) - timedelta(minutes=1)
               for row in deliveries(app))


def test_a_deferred_delivery_whose_later_job_is_scheduled_is_not_queued_again(
        make_app, redis_db, sim):
    app = make_app(REDIS_URL)
    [delivery_id] = post_backlog(app, sim, 1, "deferred")
    assert dispatch_all(app) == 1
    Job.fetch(f"delivery-{delivery_id}", connection=redis_db).delete()   # it ran and deferred
    stamp = age(app, [delivery_id])
    with app.app_context():
        enqueue("process_delivery", delivery_id, job_id=deferred_job_id(delivery_id, stamp),
                delay=3600)
        assert sweep(stale_after=60) == 0
    assert job_ids(redis_db) == []
    assert ScheduledJobRegistry("default", connection=redis_db).get_job_ids() == \
        [deferred_job_id(delivery_id, stamp)]


def test_a_pending_delivery_whose_job_ended_is_queued_once_under_its_own_id(
        make_app, redis_db, sim):
    app = make_app(REDIS_URL)
    ids = post_backlog(app, sim, 3, "ended")
    assert dispatch_all(app) == 3
    make_worker(app, simple=True).work(burst=True)   # the jobs run and finish
    # As if each had been lost after its job ended: pending again, stamped long ago.
    age(app, ids, state="pending", attempts=0)
    with app.app_context():
        assert sweep(stale_after=60) == 3
        assert sweep(stale_after=60) == 0
        age(app, ids)
        assert sweep(stale_after=60) == 0   # queued: waiting, however old the stamp
    assert job_ids(redis_db) == sorted(f"delivery-{i}" for i in ids)


def test_two_sweepers_at_once_queue_each_ended_delivery_once(make_app, redis_db, sim):
    app = make_app(REDIS_URL)
    ids = post_backlog(app, sim, 10, "race")
    other = make_app(REDIS_URL)
    assert dispatch_all(app) == 10
    make_worker(app, simple=True).work(burst=True)
    age(app, ids, state="pending", attempts=0)
    barrier, counts = threading.Barrier(2), []

    def sweep_in(each):
        with each.app_context():
            barrier.wait()
            counts.append(sweep(stale_after=60))

    threads = [threading.Thread(target=sweep_in, args=(each,)) for each in (app, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(counts) == 10
    assert job_ids(redis_db) == sorted(f"delivery-{i}" for i in ids)


def test_a_delivery_whose_scheduled_job_never_moved_is_queued_again_once(make_app, redis_db, sim):
    """RQ's scheduler stopped (a Redis outage): a job scheduled for long ago would wait for ever."""
    app = make_app(REDIS_URL)
    [delivery_id] = post_backlog(app, sim, 1, "stuck")
    assert dispatch_all(app) == 1
    Job.fetch(f"delivery-{delivery_id}", connection=redis_db).delete()   # it ran and deferred
    stamp = age(app, [delivery_id])
    deferred = deferred_job_id(delivery_id, stamp)
    with app.app_context():
        enqueue("process_delivery", delivery_id, job_id=deferred, delay=5)
    registry = ScheduledJobRegistry("default", connection=redis_db)
    redis_db.zadd(registry.key, {deferred: stamp.timestamp()})   # due an hour ago, never moved
    with app.app_context():
        assert sweep(stale_after=60) == 1
        assert sweep(stale_after=60) == 0
    assert job_ids(redis_db) == [f"delivery-{delivery_id}"]
