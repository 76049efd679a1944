"""The hand-off: intake pushes each stored delivery's id on Redis, the worker queues its job.

Real Redis, real store, real `okrsync worker` processes and RQ workers: an id pushed while no
worker runs, pushed twice, or lost before its job was queued still ends applied exactly once.
"""
from __future__ import annotations

import pytest
from rq import Queue
from sqlalchemy import text

from okr_core.domain import LinkKind, TrackerKind
from plumbing.handoff import HANDOFF_KEY, dispatch_all
from plumbing.worker import make_worker
from tests.conftest import REDIS_URL
from tests.webhooks.intake.intake_helpers import (
    add_connection, add_linked_kr, as_issue, deliveries, fixture_delivery, key_result, post,
)
from tests.webhooks.intake.worker_process import start_worker, stop_worker, wait_for

JIRA = TrackerKind.JIRA
RESOLVED = "jira_issue_updated__resolved"
ISSUES = 4



def post_resolved(app, jira_id: int, count: int, prefix: str) -> list[int]:
    """Post `count` resolved issues (each its own delivery); their delivery ids."""
    client, ids = app.test_client(), []
    for number in range(count):
        body, headers = fixture_delivery(JIRA, RESOLVED, f"{prefix}-{number}",
                                         edit=as_issue(number, 40000))
        answer = post(client, "jira", jira_id, body, headers)
        assert (answer.status_code, answer.get_json()["status"]) == (200, "accepted")
        ids.append(answer.get_json()["delivery_id"])
    return ids


def all_done(app) -> bool:
    return all(row.state == "done" for row in deliveries(app))


@pytest.mark.slow
def test_ids_handed_off_while_no_worker_runs_are_applied_once_one_starts(
        make_app, settings, redis_db, sim, tmp_path):
    app = make_app(REDIS_URL)
    jira_id = add_connection(app, JIRA, sim.url, {"email": "a@b.test", "api_token": "t"})
    kr_id = add_linked_kr(app, jira_id, LinkKind.LABEL, "test-label")
    ids = post_resolved(app, jira_id, ISSUES, "idle")
    assert [int(i) for i in redis_db.lrange(HANDOFF_KEY, 0, -1)] == ids
    assert [row.state for row in deliveries(app)] == ["pending"] * ISSUES

    # Sweeping only after ten minutes: the worker's dispatcher alone must find them.
    worker = start_worker(settings, tmp_path / "worker.log", stale_after=600)
    try:
        wait_for(lambda: all_done(app), 30, "the worker to apply the handed-off deliveries")
    finally:
        stop_worker(worker)
    assert [(row.state, row.attempts) for row in deliveries(app)] == [("done", 1)] * ISSUES
    assert redis_db.llen(HANDOFF_KEY) == 0
    kr = key_result(app, kr_id)
    assert (kr.items_total, kr.items_done, kr.progress) == (ISSUES, ISSUES, 1.0)


@pytest.mark.slow
def test_an_id_lost_before_its_job_was_queued_is_swept_and_applied(
        make_app, settings, redis_db, sim, tmp_path):
    app = make_app(REDIS_URL)
    jira_id = add_connection(app, JIRA, sim.url, {"email": "a@b.test", "api_token": "t"})
    [delivery_id] = post_resolved(app, jira_id, 1, "lost")
    # As if a dispatcher popped it and died before queuing its job.
    assert redis_db.lpop(HANDOFF_KEY) == str(delivery_id).encode()

    worker = start_worker(settings, tmp_path / "worker.log", stale_after=2)
    try:
        wait_for(lambda: all_done(app), 30, "the sweeper to queue the lost delivery")
    finally:
        stop_worker(worker)
    [row] = deliveries(app)
    assert (row.state, row.attempts, row.last_error) == ("done", 1, None)


@pytest.mark.slow
def test_a_redis_outage_during_the_push_ends_applied_by_a_worker_sweeping(
        make_app, settings, redis_db, sim, tmp_path):
    down = make_app("redis://127.0.0.1:6390/15")  # nothing listens there
    jira_id = add_connection(down, JIRA, sim.url, {"email": "a@b.test", "api_token": "t"})
    post_resolved(down, jira_id, 2, "outage")
    assert [row.enqueued_at for row in deliveries(down)] == [None, None]  # not handed over
    assert redis_db.llen(HANDOFF_KEY) == 0

    worker = start_worker(settings, tmp_path / "worker.log", stale_after=600)
    try:
        wait_for(lambda: all_done(down), 30, "the sweeper to queue the unqueued deliveries")
    finally:
        stop_worker(worker)
    assert [(row.state, row.attempts) for row in deliveries(down)] == [("done", 1)] * 2


def test_an_id_handed_off_twice_gets_one_job_and_is_applied_once(make_app, redis_db, sim):
    app = make_app(REDIS_URL)
    jira_id = add_connection(app, JIRA, sim.url, {"email": "a@b.test", "api_token": "t"})
    [delivery_id] = post_resolved(app, jira_id, 1, "twice")
    redis_db.rpush(HANDOFF_KEY, delivery_id)
    assert dispatch_all(app) == 2
    assert Queue("default", connection=redis_db).job_ids == [f"delivery-{delivery_id}"]
    make_worker(app, simple=True).work(burst=True)
    [row] = deliveries(app)
    assert (row.state, row.attempts) == ("done", 1)


def test_intake_replaces_a_pooled_connection_the_server_dropped(app, client, jira_id):
    autocommit = app.extensions["okrsync.autocommit_engine"]
    if autocommit is None:
        pytest.skip("SQLite runs the insert in a transaction on the main engine")
    post_resolved(app, jira_id, 1, "before")
    pooled = autocommit.raw_connection()
    backend = pooled.driver_connection.info.backend_pid
    pooled.close()
    with app.extensions["okrsync.engine"].connect() as conn:
        assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend}).scalar()
    wait_for(lambda: _gone(app, backend), 5, "the server to drop the connection")

    post_resolved(app, jira_id, 1, "after")  # 200 accepted, not 503
    assert len(deliveries(app)) == 2
    pooled = autocommit.raw_connection()
    assert pooled.driver_connection.info.backend_pid != backend
    pooled.close()


def _gone(app, backend: int) -> bool:
    with app.extensions["okrsync.engine"].connect() as conn:
        return not conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"),
                                {"pid": backend}).scalar()
