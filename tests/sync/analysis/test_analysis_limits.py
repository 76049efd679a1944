"""Analysis runs are bounded: a request joins the queued run of its cycle and scope, and each
user may start RUNS_PER_WINDOW runs per WINDOW (429 with Retry-After beyond that)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from tests.sync.analysis.analysis_store import arrange_cycle
from sqlalchemy import func, select

from okr_core.models import Analysis, utcnow
from okr_core.store import session_scope
from sync.analysis.analysis_requests import RUNS_PER_WINDOW, WINDOW


@pytest.fixture
def arranged(app, actors):
    return arrange_cycle(app, actors)


def _post(client, arranged, who: str):
    return client.post(f"/api/v1/cycles/{arranged.cycle_id}/analysis",
                       headers=arranged.users[who][1])


def _add_runs(app, arranged, who: str, count: int, state: str, age: timedelta, scope="company"):
    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        rows = [Analysis(cycle_id=arranged.cycle_id, scope=scope, state=state,
                         created_at=utcnow() - age, requested_by_id=arranged.users[who][0])
                for _ in range(count)]
        session.add_all(rows)
        session.flush()
        return [row.id for row in rows]


def _runs_started_by(app, user_id: int) -> int:
    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        return session.scalar(select(func.count()).select_from(Analysis).where(
            Analysis.requested_by_id == user_id))


def test_a_request_joins_the_queued_run_of_the_same_cycle_and_scope(app, client, arranged):
    [queued] = _add_runs(app, arranged, "admin", 1, "queued", timedelta(0))
    response = _post(client, arranged, "admin")
    assert response.status_code == 202 and response.get_json()["id"] == queued
    assert _runs_started_by(app, arranged.users["admin"][0]) == 1


def test_a_user_over_the_limit_gets_429_with_retry_after(app, client, arranged):
    _add_runs(app, arranged, "admin", RUNS_PER_WINDOW, "done", timedelta(minutes=2))
    response = _post(client, arranged, "admin")
    assert response.status_code == 429
    assert response.get_json()["error"]["code"] == "too_many_requests"
    wait = int(response.headers["Retry-After"])
    assert 0 < wait <= (WINDOW - timedelta(minutes=2)).total_seconds() + 1


def test_runs_older_than_the_window_do_not_count(app, client, arranged):
    _add_runs(app, arranged, "admin", RUNS_PER_WINDOW, "done", WINDOW + timedelta(minutes=1))
    assert _post(client, arranged, "admin").status_code == 202


def test_thirty_requests_in_a_row_start_at_most_the_limit(app, client, arranged):
    member = next(name for name in arranged.users if name != "admin")
    statuses = [_post(client, arranged, member).status_code for _ in range(30)]
    app.extensions["okrsync.queue"].drain()
    assert set(statuses) <= {202, 429}  # joined a queued run, or refused past the limit
    assert _runs_started_by(app, arranged.users[member][0]) <= RUNS_PER_WINDOW
