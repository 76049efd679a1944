"""Migration i15_ratio_percent: stored ratio KRs and their snapshots become percentages."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from alembic import command
from sqlalchemy import select
from sqlalchemy.orm import Session

from okr_core.models import Cycle, KeyResult, Objective, ProgressSnapshot
from okr_core.store import make_engine
from okrsync.dbmigrate import alembic_config, check, upgrade

AT = datetime(2026, 11, 1, tzinfo=timezone.utc)


@pytest.fixture
def old_store(database_url) -> str:
    """A store at revision 0002 holding ratio KRs as the old code wrote them (fractions)."""
    upgrade(database_url, "0002")
    engine = make_engine(database_url)
    with Session(engine) as session, session.begin():
        cycle = Cycle(name="Q4", start_date=date(2026, 10, 1), end_date=date(2026, 12, 31),
                      status="active")
        session.add(cycle)
        session.flush()
        objective = Objective(cycle_id=cycle.id, title="Platform")
        session.add(objective)
        session.flush()
        rows = {
            # linked before the change: the old 0..1 default, value 0.5
            "fraction": KeyResult(title="fraction", start_value=0.0, target_value=1.0,
                                  current_value=0.5, progress=0.5, unit="",
                                  measure="points_done_ratio", status="on_track"),
            # written the way people write it, 0..100 %, but counted as a fraction: 0.01
            "percent": KeyResult(title="percent", start_value=0.0, target_value=100.0,
                                 current_value=1.0, progress=0.01, unit="%",
                                 measure="work_done_ratio", status="off_track"),
            "manual": KeyResult(title="manual", start_value=0.0, target_value=300.0,
                                current_value=181.0, progress=181 / 300, unit="workspaces",
                                measure="manual", status="on_track"),
            "empty": KeyResult(title="empty", start_value=0.0, target_value=1.0,
                               current_value=None, progress=None, unit="",
                               measure="work_done_ratio", status="off_track"),
        }
        for kr in rows.values():
            kr.objective_id = objective.id
            session.add(kr)
        session.flush()
        session.add_all([
            ProgressSnapshot(key_result_id=rows["fraction"].id, at=AT, value=0.25, progress=0.25),
            ProgressSnapshot(key_result_id=rows["percent"].id, at=AT, value=0.4, progress=0.004),
            ProgressSnapshot(key_result_id=rows["manual"].id, at=AT, value=90.0, progress=0.3),
        ])
    engine.dispose()
    return database_url


def _state(url: str) -> dict:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            krs = {kr.title: (kr.start_value, kr.target_value, kr.current_value, kr.unit,
                              kr.progress, str(kr.status))
                   for kr in session.scalars(select(KeyResult))}
            titles = {kr.id: kr.title for kr in session.scalars(select(KeyResult))}
            snaps = {titles[s.key_result_id]: (s.value, s.progress)
                     for s in session.scalars(select(ProgressSnapshot))}
        return {"krs": krs, "snapshots": snaps}
    finally:
        engine.dispose()


def test_upgrade_converts_ratio_krs_and_snapshots_to_percent(old_store):
    upgrade(old_store)
    state = _state(old_store)
    krs, snaps = state["krs"], state["snapshots"]
    assert krs["fraction"] == (0.0, 100.0, 50.0, "%", 0.5, "on_track")
    assert krs["percent"] == (0.0, 100.0, 100.0, "%", 1.0, "off_track")
    assert krs["manual"] == (0.0, 300.0, 181.0, "workspaces", pytest.approx(181 / 300),
                             "on_track")
    assert krs["empty"] == (0.0, 100.0, None, "%", None, "not_started")
    assert snaps["fraction"] == (25.0, pytest.approx(0.25))
    assert snaps["percent"] == (pytest.approx(40.0), pytest.approx(0.4))
    assert snaps["manual"] == (90.0, 0.3)
    check(old_store)


def test_downgrade_returns_values_to_fractions_and_upgrade_runs_again(old_store):
    upgrade(old_store)
    command.downgrade(alembic_config(old_store), "0002")
    krs = _state(old_store)["krs"]
    assert krs["fraction"][2] == pytest.approx(0.5)
    assert krs["empty"][5] == "off_track"
    assert krs["manual"][2] == 181.0
    upgrade(old_store)
    assert _state(old_store)["krs"]["fraction"][2] == pytest.approx(50.0)
