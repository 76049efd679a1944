"""Recounting many KRs at once reads the same facts as recounting each alone (SQLite and PostgreSQL)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import event

from okr_core.domain import KRStatus, LinkKind, Measure, StatusCategory, TrackerKind
from okr_core.models import CheckIn, LinkItem, WorkItem
from okr_core.recount import recount
from okr_core.recount_facts import load_recount_facts

T0 = datetime(2026, 11, 1, tzinfo=timezone.utc)
NOW = T0 + timedelta(days=3)     # when the recount runs
LATER = T0 + timedelta(days=5)   # check-ins newer than the recount's progress change override pace


def _item(session, connection_id: int, n: int, category: StatusCategory, estimate=None,
          deleted: bool = False) -> int:
    row = WorkItem(connection_id=connection_id, external_id=f"ext-{n}", key=f"SIM-{n}", title=f"Item {n}",
                   status_category=category, tracker_updated_at=T0 + timedelta(minutes=n),
                   estimate=estimate, labels=["x"], deleted=deleted)
    session.add(row)
    session.flush()
    return row.id


def _arrange(world, connection_id: int):
    """KR a: items 1-3 through an epic link and item 3 again through a JQL link; KR b: item 4."""
    objective = world.objective()
    kr_a = world.key_result(objective, Measure.WORK_DONE_RATIO)
    kr_b = world.key_result(objective, Measure.POINTS_DONE_RATIO)
    kr_empty = world.key_result(objective, Measure.DONE_COUNT)
    epic = world.link(kr_a, connection_id, LinkKind.EPIC, "SIM-1")
    query = world.link(kr_a, connection_id, LinkKind.JQL, "labels = x")
    single = world.link(kr_b, connection_id, LinkKind.ISSUE, "SIM-4")
    with world.scope() as session:
        done = _item(session, connection_id, 1, StatusCategory.DONE)
        todo = _item(session, connection_id, 2, StatusCategory.TODO)
        twice = _item(session, connection_id, 3, StatusCategory.DONE)
        pointed = _item(session, connection_id, 4, StatusCategory.IN_PROGRESS, estimate=5.0)
        gone = _item(session, connection_id, 5, StatusCategory.DONE, deleted=True)
        session.add_all([LinkItem(work_link_id=epic, work_item_id=i) for i in (done, todo, twice, gone)]
                        + [LinkItem(work_link_id=query, work_item_id=twice),
                           LinkItem(work_link_id=single, work_item_id=pointed)])
        # KR b: an older check-in with a status, then a newer one without; the newest decides.
        session.add_all([
            CheckIn(key_result_id=kr_b, status=KRStatus.AT_RISK, confidence=3, created_at=LATER),
            CheckIn(key_result_id=kr_b, status=None, created_at=LATER + timedelta(days=1)),
            CheckIn(key_result_id=kr_a, status=KRStatus.OFF_TRACK, confidence=2, created_at=LATER),
        ])
    return objective, kr_a, kr_b, kr_empty


def test_facts_group_items_checkins_and_cycles_per_kr(app, sync_world, sim):
    connection = sync_world.connection(TrackerKind.JIRA, sim.url)
    objective, kr_a, kr_b, kr_empty = _arrange(sync_world, connection)
    with sync_world.scope() as session:
        facts = load_recount_facts(session, [kr_b, kr_a, kr_empty, kr_a], [objective])
    assert sorted(i.external_id for i in facts.items[kr_a]) == ["ext-1", "ext-2", "ext-3", "ext-3", "ext-5"]
    assert [(i.external_id, i.estimate) for i in facts.items[kr_b]] == [("ext-4", 5.0)]
    assert facts.items[kr_empty] == []
    # The newest check-in of KR b sets no status, so none overrides its pace.
    assert set(facts.latest_checkin) == {kr_a}
    assert facts.latest_checkin[kr_a].status == KRStatus.OFF_TRACK
    assert set(facts.cycles) == {objective}


def test_batched_recount_equals_recounting_each_kr_alone(app, sync_world, sim):
    connection = sync_world.connection(TrackerKind.JIRA, sim.url)
    _, kr_a, kr_b, kr_empty = _arrange(sync_world, connection)
    with sync_world.scope() as session:
        recount(session, [kr_a, kr_b, kr_empty], NOW)
    together = {kr: _standing(sync_world.kr(kr)) for kr in (kr_a, kr_b, kr_empty)}
    for kr in (kr_a, kr_b, kr_empty):
        with sync_world.scope() as session:
            recount(session, [kr], NOW)
        assert _standing(sync_world.kr(kr)) == together[kr]
    # Item 3 counts once though two links match it; item 5 is deleted: 2 of 3 done.
    assert together[kr_a][:2] == (3, 2)
    assert together[kr_a][3] == KRStatus.OFF_TRACK
    assert together[kr_b][4:] == (5.0, 0.0)
    assert together[kr_empty][:2] == (0, 0)


def test_batched_recount_runs_a_fixed_number_of_queries(app, sync_world, sim):
    connection = sync_world.connection(TrackerKind.JIRA, sim.url)
    objective = sync_world.objective()
    krs = [sync_world.key_result(objective) for _ in range(12)]
    for n, kr in enumerate(krs):
        sync_world.link(kr, connection, LinkKind.EPIC, f"SIM-{n}")
    few, many = krs[:2], krs
    assert _statements(app, sync_world, few) == _statements(app, sync_world, many)


def _statements(app, world, kr_ids) -> int:
    engine = app.extensions["okrsync.engine"]
    seen: list[str] = []
    listener = lambda *args: seen.append(args[2])  # noqa: E731  (conn, cursor, statement, ...)
    event.listen(engine, "before_cursor_execute", listener)
    try:
        with world.scope() as session:
            recount(session, kr_ids, NOW)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return sum(1 for statement in seen if statement.lstrip().upper().startswith("SELECT"))


def _standing(kr) -> tuple:
    return (kr.items_total, kr.items_done, kr.progress, kr.status, kr.points_total, kr.points_done)
