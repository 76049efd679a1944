"""A connection's tracker health under jobs that fail together."""
from __future__ import annotations

import threading

from okr_core.domain import TrackerKind
from okr_core.models import ConnectionHealth
from okr_core.store import session_scope
from connector.errors import TrackerUnavailable
from sync.connections.tracker_health import record_failure
from tests.webhooks.intake.intake_helpers import add_connection

JOBS = 8


def test_first_failures_of_many_jobs_at_once_are_each_counted_once(app):
    # On PostgreSQL the first failures used to race to create the health row: one job's insert
    # failed with a unique violation and its delivery was counted as a failed attempt.
    connection_id = add_connection(app, TrackerKind.JIRA, "http://127.0.0.1:9", {"email": "a@b.test",
                                                                              "api_token": "t"})
    start, errors = threading.Barrier(JOBS), []

    def job():
        with app.app_context():
            start.wait()
            try:
                record_failure(connection_id, TrackerUnavailable("connection refused"))
            except Exception as exc:   # what the job would have raised
                errors.append(exc)

    threads = [threading.Thread(target=job) for _ in range(JOBS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        health = session.get(ConnectionHealth, connection_id)
        assert health.consecutive_failures == JOBS and "connection refused" in health.last_error
