"""The loader reads columns raw (no ORM objects, no per-value conversion): its facts must hold the
very values the ORM gives for the same rows, enums as their values and moments as aware UTC."""
from datetime import datetime, timedelta, timezone

import pytest
from tests.sync.analysis.analysis_store import arrange_cycle
from sqlalchemy import select

from okr_core.analysis import load_cycle_facts, parse_scope
from okr_core.analysis.facts import CheckInFact, CommentFact, KeyResultFact, ObjectiveFact, SnapshotFact
from okr_core.domain import KRStatus, Measure
from okr_core.models import CheckIn, Comment, KeyResult, Objective, ProgressSnapshot
from okr_core.store import session_scope
from sync.analysis.jobs import EVERYTHING

MOMENT = datetime(2026, 2, 3, 14, 5, 6, 789012, tzinfo=timezone.utc)


@pytest.fixture
def arranged(app, actors):
    arranged = arrange_cycle(app, actors)
    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        first = session.get(KeyResult, min(arranged.kr_ids.values()))
        first.status, first.measure, first.unit = KRStatus.AT_RISK, Measure.DONE_COUNT, "items"
        first.last_progress_change_at = None
        session.add_all([
            CheckIn(key_result_id=first.id, status=KRStatus.OFF_TRACK, confidence=3, note="slipping",
                    wins="shipped the first half", created_at=MOMENT),
            CheckIn(key_result_id=first.id, status=None, note="", created_at=MOMENT + timedelta(hours=1)),
            ProgressSnapshot(key_result_id=first.id, at=MOMENT - timedelta(days=1), progress=None),
        ])
    return arranged


def test_raw_reads_give_the_values_the_orm_gives(app, arranged):
    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        facts = load_cycle_facts(session, arranged.cycle_id, EVERYTHING, parse_scope("company"),
                                 datetime.now(timezone.utc))
        objectives = [ObjectiveFact(o.id, o.title, str(o.level), o.team_id, o.owner_id, o.parent_id,
                                    o.progress, o.final_score)
                      for o in session.scalars(select(Objective).order_by(Objective.id))]
        key_results = [KeyResultFact(k.id, k.objective_id, k.title, k.owner_id, k.progress, str(k.status),
                                     k.confidence, k.weight, k.target_value, k.last_progress_change_at,
                                     k.created_at, k.final_score, start_value=k.start_value,
                                     unit=k.unit or "", measure=str(k.measure))
                       for k in session.scalars(select(KeyResult).order_by(KeyResult.id))]
        check_ins = [CheckInFact(c.id, c.key_result_id, c.created_at, str(c.status) if c.status else None,
                                 c.confidence, c.note or "", c.blockers or "", c.wins or "")
                     for c in session.scalars(select(CheckIn).order_by(CheckIn.id))]
        snapshots = [SnapshotFact(p.key_result_id, p.at, p.progress)
                     for p in session.scalars(select(ProgressSnapshot).order_by(ProgressSnapshot.id))]
        comments = [CommentFact(c.id, c.connection_id, c.item_external_id, c.body, c.created_at)
                    for c in session.scalars(select(Comment).order_by(Comment.id))]
    assert facts.objectives == objectives
    assert facts.key_results == key_results
    assert facts.check_ins == check_ins
    assert facts.snapshots == snapshots
    assert facts.comments == comments and comments
    assert {c.status for c in facts.check_ins} >= {"off_track", None}
    moments = [c.created_at for c in facts.check_ins] + [s.at for s in facts.snapshots]
    assert MOMENT in moments and all(m.tzinfo == timezone.utc for m in moments)
    assert {k.measure for k in facts.key_results} >= {"done_count", "manual"}
    assert {i.status_category for i in facts.items} == {"in_progress"}
