"""While the tracker has not answered the next page, a pass recounts pending KRs; write-backs wait."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from okr_core.domain import LinkKind, StatusCategory, TrackerKind, WorkItem
from sync import followups as followups_module
from sync.ingest.apply import MOVED, PENDING
from sync.reconcile.finish import recount_pending, recount_some
from sync.reconcile import passes as passes_module
from sync.reconcile.passes import ReadOnce, reconcile_connection
from tests.sync.reconcile.test_recount_chunks import KRS, _pending_krs
from tests.sync.sync_world import epic_children, expected_ratio


def queued_writebacks(monkeypatch) -> list[int]:
    """The KR ids handed to the write-back queue (a spy on the one place that queues them)."""
    queued: list[int] = []
    real = followups_module.queue_writebacks
    monkeypatch.setattr(followups_module, "queue_writebacks",
                        lambda ids: (queued.extend(ids), real(ids)))
    return queued


def test_a_deferred_recount_keeps_its_moves_for_the_end(app, sync_world, monkeypatch):
    connection, kr_ids = _pending_krs(app, sync_world)
    monkeypatch.setattr(followups_module, "with_write_targets", lambda session, moved: sorted(moved))
    queued = queued_writebacks(monkeypatch)
    with app.app_context():
        filling = frozenset(sorted(kr_ids)[:2])     # the last batch touched these: they wait
        assert recount_some(connection, 5, deferred=True, skip=filling) == (5, set(sorted(kr_ids)[2:7]))
        counts = sync_world.sync_state(connection).last_counts
        assert counts[MOVED] == sorted(kr_ids)[2:7]
        assert counts[PENDING] == sorted(kr_ids)[:2] + sorted(kr_ids)[7:]
        assert queued == []                       # nothing written back halfway through a pass
        assert recount_pending(connection) == (KRS - 5, KRS)   # moved: the deferred ones too
    assert sorted(queued) == sorted(kr_ids)       # each moved KR once, the deferred ones included
    assert sync_world.sync_state(connection).last_counts == {"items_read": 7}


def test_a_recount_while_reading_waits_until_a_whole_chunk_is_ready(app, sync_world):
    connection, kr_ids = _pending_krs(app, sync_world)
    with app.app_context():
        filling = frozenset(sorted(kr_ids)[:1])
        assert recount_some(connection, KRS, deferred=True, skip=filling, least=KRS) == (0, set())
        assert sync_world.sync_state(connection).last_counts[PENDING] == sorted(kr_ids)
        assert recount_some(connection, KRS, deferred=True, skip=filling, least=KRS - 1)[0] == KRS - 1
    assert sync_world.sync_state(connection).last_counts[PENDING] == sorted(kr_ids)[:1]


def test_a_pass_at_a_real_answer_time_recounts_while_reading(app, sim, sync_world, monkeypatch):
    sim.latency_ms = 250       # the tracker takes a while: the worker would otherwise wait idle
    # A KR per epic, a handful here: recount them one by one rather than 50 at a time.
    monkeypatch.setattr(passes_module, "RECOUNT_WHILE_READING", 1)
    jira = sync_world.connection(TrackerKind.JIRA, sim.url, page_size=50, reconcile_batch_items=50)
    epics = [i.key for i in sim.store.live() if i.issuetype == "Epic"]
    krs = {epic: sync_world.linked_kr(jira, LinkKind.EPIC, epic) for epic in epics}
    with app.app_context():
        counts = reconcile_connection(jira)
    assert counts.recounted_while_reading > 0
    assert counts.key_results_moved == len(krs)
    for epic, kr in krs.items():
        done, total = expected_ratio(sim, epic_children(sim, epic))
        assert (sync_world.kr(kr).items_done, sync_world.kr(kr).items_total) == (done, total)
    assert MOVED not in sync_world.sync_state(jira).last_counts
    assert PENDING not in sync_world.sync_state(jira).last_counts


def test_an_item_read_twice_is_one_that_changed_since_the_walk_began():
    began = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)
    old, new = began - timedelta(days=3), began + timedelta(seconds=30)
    once = ReadOnce(began)
    once.add([item(f"SIM-{n}", old) for n in range(1, 5000)])
    once.add([item("SIM-9001", new)])                # changed meanwhile, read for the first time
    assert not once.twice
    once.add([item("SIM-17", new)])                  # read before, and again after it changed
    assert once.twice


def item(external_id: str, updated_at: datetime) -> WorkItem:
    return WorkItem(external_id=external_id, key=external_id, title="t", status_category=StatusCategory.TODO,
                    updated_at=updated_at)
