"""End of a pass: recount the key results whose items changed, then queue write-backs for those that moved."""
from __future__ import annotations

from datetime import datetime, timezone

from plumbing.db import job_session
from sync.ingest.apply import PENDING, sync_state
from sync.followups import followups_for
from okr_core.recount import recount


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
            moved_ids = recount(session, chunk, datetime.now(timezone.utc))
            kept = {k: v for k, v in (state.last_counts or {}).items() if k != PENDING}
            state.last_counts = {**kept, PENDING: rest} if rest else kept
            followups = followups_for(session, moved_ids)
        followups.queue()
        recounted, moved = recounted + len(chunk), moved + len(moved_ids)
