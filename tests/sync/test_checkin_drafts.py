"""Drafted weekly check-ins from a week of the simulated tracker: figures, links, blockers,
idempotence, the team's schedule; approval posts to Linear and Jira, undo takes it back."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from okr_core.models import CheckIn, CheckInPost, Team
from sync.checkin_drafts import draft_check_ins
from tests.sync.checkin_world import BLOCKERS, JIRA_EPIC, LINEAR_EPIC, build_week, drafts

CHECK_IN_PREFIX = "Weekly check-in on"


def check_in_posts(sim) -> tuple[list[dict], list]:
    """(Linear project updates, Jira comments) that okrsync posted for check-ins."""
    updates = [u for u in sim.linear_entities("projectUpdate") if u["body"].startswith(CHECK_IN_PREFIX)]
    comments = [c for i in sim.store.issues.values() for c in i.comments if c.body.startswith(CHECK_IN_PREFIX)]
    return updates, comments


def test_a_week_is_drafted_once_per_owned_kr_with_what_moved_and_the_new_blockers(app, sim):
    week = build_week(app, sim)
    with app.app_context():
        first = draft_check_ins(force=True)
        again = draft_check_ins(force=True)
    assert (first.created, again.created) == (3, 0)
    found = drafts(app)
    linear, jira, manual = found[week.linear_kr], found[week.jira_kr], found[week.manual_kr]
    for draft, epic in ((linear, LINEAR_EPIC), (jira, JIRA_EPIC)):
        assert [m["key"] for m in draft.moved] == sorted(week.closed[epic])
        assert draft.items_done == 2 and all(m["url"] for m in draft.moved)
        assert draft.points_done == sum(sim.issue(k).points or 0 for k in week.closed[epic])
        [blocker] = draft.blockers
        assert blocker["kind"] in ("dependency", "external") and blocker["phrase"] in BLOCKERS[epic]
        assert not draft.needs_input and draft.suggested_status in ("on_track", "at_risk", "off_track")
        assert 0 <= draft.suggested_confidence <= 10
        assert all(m["key"] in draft.note for m in draft.moved) and draft.note_source == "template"
    assert manual.needs_input and manual.value == 32.0 and "needs your input" in manual.note
    assert all(d.state == "waiting" and d.owner_id == week.owner_id for d in found.values())
    assert check_in_posts(sim) == ([], [])     # drafting posts nothing


def test_drafts_wait_for_the_teams_check_in_day_and_time_in_its_zone(app, sim):
    week = build_week(app, sim)
    now = datetime.now(timezone.utc)
    monday = (now - timedelta(days=now.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    from okr_core.store import session_scope
    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        for team in session.query(Team):
            team.check_in_weekday, team.check_in_time, team.time_zone = 2, "09:30", "America/New_York"
    with app.app_context():
        # Wednesday 09:30 in New York is 14:30 UTC (no daylight saving in this season's weeks).
        before = draft_check_ins(now=monday + timedelta(days=2, hours=14, minutes=29))
        at = draft_check_ins(now=monday + timedelta(days=2, hours=14, minutes=31))
    assert before.created == 0 and at.created == 3
    assert {d.week_start for d in drafts(app).values()} == {monday.date()}
    assert week.owner_id


@pytest.fixture
def approved(app, sim, client):
    week = build_week(app, sim)
    with app.app_context():
        draft_check_ins(force=True)
    return week
