"""One connection's tracker down with 20 deliveries queued: another connection's delivery is
applied at once, the failing ones wait (re-queued, never slept on), nothing is lost."""
from __future__ import annotations

import signal

import pytest
from sqlalchemy import select

from okr_core.domain import LinkKind, TrackerKind
from okr_core.models import ConnectionHealth, Delivery
from okr_core.store import session_scope
from tests.faults.private_redis import PrivateRedis, free_port
from tests.webhooks.intake.intake_helpers import (
    add_connection, add_linked_kr, fixture_delivery, key_result, post,
)
from tests.webhooks.intake.worker_process import start_worker, wait_for

JIRA = TrackerKind.JIRA
ISSUE = "SIM-5"
QUEUED_ON_THE_DEAD_TRACKER = 20


def _trimmed(issue_id: str):
    """The captured update without its fields: the job must re-read the issue."""
    def edit(payload):
        payload["issue"]["id"] = issue_id
    return edit


def _send(app, connection_id: int, name: str, issue_id: str) -> None:
    body, headers = fixture_delivery(JIRA, "jira_issue_updated__assigned_empty_changelog", name,
                                     edit=_trimmed(issue_id))
    assert post(app.test_client(), "jira", connection_id, body, headers).status_code == 200


def _rows(app, connection_id: int) -> list[Delivery]:
    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        return list(session.scalars(select(Delivery).where(
            Delivery.connection_id == connection_id).order_by(Delivery.id)))


def _arrange(app, sim):
    """A connection whose tracker refuses connections, with 20 deliveries sent, then a healthy
    connection's delivery; (dead id, healthy id, KR id)."""
    dead = add_connection(app, JIRA, f"http://127.0.0.1:{free_port()}",
                          {"email": "a@b.test", "api_token": "t"})
    healthy = add_connection(app, JIRA, sim.url, {"email": "a@b.test", "api_token": "t"})
    kr_id = add_linked_kr(app, healthy, LinkKind.ISSUE, ISSUE)
    sim.set_done(ISSUE)
    for n in range(QUEUED_ON_THE_DEAD_TRACKER):
        _send(app, dead, f"dead-{n}", str(20000 + n))
    _send(app, healthy, "healthy-1", sim.issue(ISSUE).jira_id)
    return dead, healthy, kr_id


@pytest.fixture(autouse=True)
def short_backoff(monkeypatch):
    """Back-off of a second or two, so the dead connection is degraded within the test."""
    monkeypatch.setenv("OKRSYNC_TRACKER_BACKOFF", "0.5,1,1,2")


def _failures(app, connection_id: int) -> int:
    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        health = session.get(ConnectionHealth, connection_id)
        return health.consecutive_failures if health else 0


def _assert_waiting_not_lost(app, dead: int) -> None:
    waiting = _rows(app, dead)
    assert len(waiting) == QUEUED_ON_THE_DEAD_TRACKER
    assert {(row.state, row.attempts) for row in waiting} == {("pending", 0)}
    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        health = session.get(ConnectionHealth, dead)
        assert health.consecutive_failures >= 3 and "Connection refused" in health.last_error
    readiness = app.test_client().get("/readyz")
    assert readiness.status_code == 200
    assert readiness.get_json()["degraded_connections"] == [dead]


def test_embedded_a_dead_tracker_does_not_hold_up_another_connection(app, sim):
    dead, healthy, kr_id = _arrange(app, sim)
    wait_for(lambda: [r.state for r in _rows(app, healthy)] == ["done"], 10,
             "the healthy connection's delivery")
    assert key_result(app, kr_id).progress == 1.0
    wait_for(lambda: _failures(app, dead) >= 3, 20, "the dead connection to be degraded")
    _assert_waiting_not_lost(app, dead)


@pytest.mark.slow
def test_rq_a_dead_tracker_does_not_hold_up_another_connection(make_app, settings, sim, tmp_path):
    if settings.database_url.startswith("sqlite"):
        pytest.skip("RQ workers run against PostgreSQL; SQLite is the embedded mode's store")
    private = PrivateRedis(tmp_path / "redis").start()
    app = make_app(private.url)
    worker = start_worker(settings, tmp_path / "worker.log", redis_url=private.url)
    try:
        dead, healthy, kr_id = _arrange(app, sim)
        wait_for(lambda: [r.state for r in _rows(app, healthy)] == ["done"], 20,
                 "the healthy connection's delivery")
        assert key_result(app, kr_id).progress == 1.0
        wait_for(lambda: _failures(app, dead) >= 3, 30, "the dead connection to be degraded")
        _assert_waiting_not_lost(app, dead)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(30)
        private.stop()
