"""Recounting many KRs at once reads the same facts as recounting each alone, and the store sums
linked work as the counting rules do (SQLite and PostgreSQL)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import event

from okr_core.domain import KRStatus, LinkKind, Measure, StatusCategory, TrackerKind
from okr_core.models import CheckIn, LinkItem, WorkItem
from okr_core.recount import recount
from okr_core.recount_facts import load_recount_facts
from okr_core.rules import ItemCounts, WorkTotals, work_totals

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
    # KR a: items 1 (done), 2 (to do) and 3 (done, matched twice) count, 5 is deleted.
    assert facts.totals[kr_a] == WorkTotals(ItemCounts(3, 2, 3.0, 2.0), items_live=3, items_open=1)
    assert facts.totals[kr_b] == WorkTotals(ItemCounts(1, 0, 5.0, 0.0), items_live=1, items_open=1)
    assert facts.totals[kr_empty] == WorkTotals(ItemCounts(0, 0, 0.0, 0.0), 0, 0)
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


def test_store_sums_linked_work_as_the_counting_rules_do(app, sync_world, sim):
    """Copies of one external id in two connections (the newest decides, even when deleted),
    canceled, unestimated items weighing each connection's default, an item two links match."""
    first = sync_world.connection(TrackerKind.JIRA, sim.url, default_estimate=2.0)
    second = sync_world.connection(TrackerKind.JIRA, sim.url, default_estimate=0.5)
    kr = sync_world.key_result(sync_world.objective(), Measure.POINTS_DONE_RATIO)
    links = {first: [sync_world.link(kr, first, LinkKind.EPIC, "SIM-1"),
                     sync_world.link(kr, first, LinkKind.LABEL, "x")],
             second: [sync_world.link(kr, second, LinkKind.EPIC, "SIM-1")]}
    rows = [  # (connection, n, category, estimate, deleted, minutes later)
        (first, 1, StatusCategory.DONE, None, False, 0), (first, 2, StatusCategory.CANCELED, 3.0, False, 0),
        (first, 3, StatusCategory.IN_PROGRESS, None, False, 0), (first, 4, StatusCategory.DONE, 8.0, False, 0),
        (second, 4, StatusCategory.TODO, 1.0, False, 9), (second, 5, StatusCategory.DONE, None, False, 0),
        (first, 6, StatusCategory.DONE, 2.0, False, 0), (second, 6, StatusCategory.DONE, 2.0, True, 9),
        (second, 7, StatusCategory.TODO, None, True, 0)]
    expected_items = []
    with sync_world.scope() as session:
        for connection, n, category, estimate, deleted, later in rows:
            row = WorkItem(connection_id=connection, external_id=f"ext-{n}", key=f"SIM-{n}",
                           title=f"Item {n}", status_category=category, estimate=estimate,
                           tracker_updated_at=T0 + timedelta(minutes=later), labels=[], deleted=deleted)
            session.add(row)
            session.flush()
            session.add_all([LinkItem(work_link_id=link, work_item_id=row.id) for link in links[connection]])
            default = 2.0 if connection == first else 0.5
            expected_items.append(_Counted(f"ext-{n}", row.tracker_updated_at, category,
                                           default if estimate is None else estimate, deleted))
    with sync_world.scope() as session:
        summed = load_recount_facts(session, [kr]).totals[kr]
    assert summed == work_totals(expected_items)
    # 1, 3, 4 (the second connection's newer copy), 5; 2 is canceled, 6's newest copy and 7 deleted.
    assert (summed.items_live, summed.items_open, summed.counts.items_done) == (5, 2, 2)


@dataclass(frozen=True)
class _Counted:
    external_id: str
    updated_at: datetime
    status_category: StatusCategory
    estimate: float
    deleted: bool


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
