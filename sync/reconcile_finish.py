"""End of a pass: recount the key results whose items changed, then queue write-backs for those that moved."""
from __future__ import annotations

from datetime import datetime, timezone

from okr_core.models import Connection, KeyResult
from okrsync.db import job_session
from sync.reconcile_apply import PENDING, sync_state
from sync.followups import followups_for
from okr_core.progress_service import refresh_key_results

RECOUNT_KRS = 50   # KRs recounted per transaction at the end of a pass


def recount_pending(connection_id: int) -> tuple[int, int]:
    """Recount the KRs the pass (or an interrupted one before it) touched; (recounted, moved).

    RECOUNT_KRS at a time, each chunk in its own transaction that also drops it from the pending
    list: memory follows the chunk, not the number of KRs, and an interruption loses nothing.
    """
    recounted = moved = 0
    while True:
        with job_session() as session:
            state = sync_state(session, connection_id)
            pending = sorted(set((state.last_counts or {}).get(PENDING, ())))
            if not pending:
                return recounted, moved
            chunk, rest = pending[:RECOUNT_KRS], pending[RECOUNT_KRS:]
            settings = session.get(Connection, connection_id).settings or {}
            moved_ids = refresh_and_compare(session, chunk, float(settings.get("default_estimate", 1.0)))
            kept = {k: v for k, v in (state.last_counts or {}).items() if k != PENDING}
            state.last_counts = {**kept, PENDING: rest} if rest else kept
            followups = followups_for(session, moved_ids)
        followups.queue()
        recounted, moved = recounted + len(chunk), moved + len(moved_ids)


def refresh_and_compare(session, kr_ids: list[int], default_estimate: float) -> set[int]:
    """Recompute KRs (snapshots only when progress moves); the ids whose progress, value or status changed."""
    before = _standing(session, kr_ids)
    refresh_key_results(session, kr_ids, datetime.now(timezone.utc), default_estimate)
    session.flush()
    after = _standing(session, kr_ids)
    return {kr_id for kr_id, now in after.items() if before.get(kr_id) != now}


def _standing(session, kr_ids: list[int]) -> dict[int, tuple]:
    rows = session.query(KeyResult.id, KeyResult.progress, KeyResult.status, KeyResult.current_value) \
        .filter(KeyResult.id.in_(kr_ids)).all()
    return {row.id: (row.progress, row.status, row.current_value) for row in rows}
