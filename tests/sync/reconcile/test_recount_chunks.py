"""The end of a pass recounts its pending KRs a chunk per transaction, and an interruption loses none."""
from __future__ import annotations

import pytest

from okr_core.domain import TrackerKind
from okr_core.models import KeyResult
from sync.reconcile import finish as reconcile_finish
from sync.ingest.apply import PENDING, sync_state
from sync.reconcile.finish import RECOUNT_KRS, recount_pending

KRS = 2 * RECOUNT_KRS + 20   # three chunks, the last one partial


def _pending_krs(app, sync_world) -> tuple[int, list[int]]:
    connection = sync_world.connection(TrackerKind.JIRA, "http://127.0.0.1:9")
    objective = sync_world.objective()
    with sync_world.scope() as session:
        krs = [KeyResult(objective_id=objective, title=f"KR {n}", start_value=0.0, target_value=10.0,
                         current_value=5.0)
               for n in range(KRS)]
        session.add_all(krs)
        session.flush()
        kr_ids = [kr.id for kr in krs]
        sync_state(session, connection).last_counts = {PENDING: kr_ids, "items_read": 7}
    return connection, kr_ids


def test_every_pending_kr_is_recounted_and_the_list_cleared(app, sync_world):
    connection, kr_ids = _pending_krs(app, sync_world)
    with app.app_context():
        assert recount_pending(connection) == (KRS, KRS)   # first count: each one moves (0 -> 50 %)
    assert all(sync_world.kr(kr_id).last_progress_change_at is not None for kr_id in kr_ids)
    assert sync_world.sync_state(connection).last_counts == {"items_read": 7}


def test_a_pass_stopped_between_chunks_leaves_the_rest_pending(app, sync_world, monkeypatch):
    connection, kr_ids = _pending_krs(app, sync_world)
    real, calls = reconcile_finish.recount, []

    def fail_on_second_chunk(session, chunk, now, **options):
        calls.append(chunk)
        if len(calls) == 2:
            raise RuntimeError("worker lost")
        return real(session, chunk, now, **options)
    monkeypatch.setattr(reconcile_finish, "recount", fail_on_second_chunk)
    with app.app_context(), pytest.raises(RuntimeError):
        recount_pending(connection)
    assert calls[0] == sorted(kr_ids)[:RECOUNT_KRS]
    assert sync_world.sync_state(connection).last_counts[PENDING] == sorted(kr_ids)[RECOUNT_KRS:]
    monkeypatch.setattr(reconcile_finish, "recount", real)
    with app.app_context():
        assert recount_pending(connection) == (KRS - RECOUNT_KRS, KRS - RECOUNT_KRS)
    assert PENDING not in sync_world.sync_state(connection).last_counts
