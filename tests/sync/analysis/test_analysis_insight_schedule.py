"""Scheduled insight: Monday's leadership analysis and the mid-cycle one, each queued once."""
from datetime import datetime, timedelta, timezone

import pytest
from tests.sync.analysis.analysis_store import arrange_cycle
from sqlalchemy import select

from okr_core.models import Analysis
from okr_core.store import session_scope
from sync.analysis.insight_schedule import queue_due_insights, week_start


@pytest.fixture
def arranged(app, actors):
    return arrange_cycle(app, actors)    # started 45 days ago, ends in 44: halfway is today


def _queued(app, now):
    with app.app_context():
        ids = queue_due_insights(now)
        app.extensions["okrsync.queue"].drain()
    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        return [session.get(Analysis, i).scope for i in ids]


def test_a_monday_queues_one_leadership_analysis_for_the_week(app, arranged):
    monday = week_start(datetime.now(timezone.utc)) - timedelta(days=21) + timedelta(hours=9)
    assert monday.weekday() == 0
    assert _queued(app, monday) == ["company"]
    assert _queued(app, monday + timedelta(hours=1)) == []        # later ticks that Monday
    assert _queued(app, monday + timedelta(days=1)) == []         # Tuesday: not scheduled
    assert _queued(app, monday + timedelta(days=7)) == ["company"]  # next Monday


def test_the_halfway_point_queues_the_company_and_every_team_once(app, arranged):
    now = datetime.now(timezone.utc)
    if now.weekday() == 0:
        now += timedelta(days=1)     # keep Monday's run out of this test
    scopes = _queued(app, now)
    expected = ["company", *[f"team:{t}" for t in sorted({arranged.team_ids["platform"], arranged.team_ids["sales"]})]]
    assert sorted(scopes) == sorted(expected)
    assert _queued(app, now + timedelta(minutes=1)) == []
    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        states = set(session.scalars(select(Analysis.state)))
    assert states == {"done"}


def test_nothing_is_due_outside_monday_and_the_halfway_week(app, arranged):
    tuesday = week_start(datetime.now(timezone.utc)) - timedelta(days=20)
    assert _queued(app, tuesday) == []
