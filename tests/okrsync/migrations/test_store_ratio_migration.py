"""Migration i15_ratio_percent: stored ratio KRs and their snapshots become percentages."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from alembic import command
from sqlalchemy import MetaData, select
from sqlalchemy.orm import Session

from okr_core.models import KeyResult, ProgressSnapshot
from okr_core.store import make_engine
from okrsync.dbmigrate import alembic_config, check, upgrade

AT = datetime(2026, 11, 1, tzinfo=timezone.utc)


KR_ROWS = {
    # linked before the change: the old 0..1 default, value 0.5
    "fraction": dict(start_value=0.0, target_value=1.0, current_value=0.5, progress=0.5, unit="",
                     measure="points_done_ratio", status="on_track"),
    # written the way people write it, 0..100 %, but counted as a fraction: 0.01
    "percent": dict(start_value=0.0, target_value=100.0, current_value=1.0, progress=0.01,
                    unit="%", measure="work_done_ratio", status="off_track"),
    "manual": dict(start_value=0.0, target_value=300.0, current_value=181.0, progress=181 / 300,
                   unit="workspaces", measure="manual", status="on_track"),
    "empty": dict(start_value=0.0, target_value=1.0, current_value=None, progress=None, unit="",
                  measure="work_done_ratio", status="off_track"),
}
SNAPSHOTS = {"fraction": (0.25, 0.25), "percent": (0.4, 0.004), "manual": (90.0, 0.3)}


@pytest.fixture
def old_store(database_url) -> str:
    """A store at revision 0002 holding ratio KRs as the old code wrote them (fractions).

    Rows go in through the tables as they stood at 0002 (reflected), not through today's
    models, which carry columns later migrations add.
    """
    upgrade(database_url, "0002")
    engine = make_engine(database_url)
    tables = MetaData()
    tables.reflect(engine, only=["cycles", "objectives", "key_results", "progress_snapshots"])
    with engine.begin() as conn:
        cycle_id = _insert(conn, tables, "cycles", name="Q4", start_date=date(2026, 10, 1),
                           end_date=date(2026, 12, 31), status="active")
        objective_id = _insert(conn, tables, "objectives", cycle_id=cycle_id, title="Platform")
        kr_ids = {title: _insert(conn, tables, "key_results", title=title,
                                 objective_id=objective_id, **values)
                  for title, values in KR_ROWS.items()}
        for title, (value, progress) in SNAPSHOTS.items():
            _insert(conn, tables, "progress_snapshots", key_result_id=kr_ids[title], at=AT,
                    value=value, progress=progress)
    engine.dispose()
    return database_url


def _insert(conn, tables: MetaData, table_name: str, /, **values) -> int:
    """One row with the table's own defaults for the columns not given; its id."""
    table = tables.tables[table_name]
    for column in table.columns:
        if column.name not in values and column.name != "id" and not column.nullable \
                and column.server_default is None:
            values[column.name] = _default_for(column)
    return conn.execute(table.insert().values(**values)).inserted_primary_key[0]


def _default_for(column):
    """A plain value for a NOT NULL column the old rows must fill (times, flags, texts)."""
    kind = column.type.python_type if hasattr(column.type, "python_type") else str
    return {bool: False, int: 0, float: 0.0, datetime: AT}.get(kind, "")


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
