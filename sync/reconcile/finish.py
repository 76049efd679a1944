"""End of a pass: recount the key results whose items changed, then queue write-backs for those that moved."""
from __future__ import annotations

from datetime import datetime, timezone

from plumbing.db import job_session
from sync.ingest.apply import PENDING, sync_state
from sync.followups import followups_for
from okr_core.recount import recount


def recount_pending(connection_id: int) -> tuple[int, int]:
    """Recount the KRs the pass (or an interrupted one before it) touched; (recounted, moved)."""
    with job_session() as session:
        state = sync_state(session, connection_id)
        pending = sorted(set((state.last_counts or {}).get(PENDING, ())))
        if not pending:
            return 0, 0
        moved = recount(session, pending, datetime.now(timezone.utc))
        state.last_counts = {k: v for k, v in (state.last_counts or {}).items() if k != PENDING}
        followups = followups_for(session, moved)
    followups.queue()
    return len(pending), len(moved)

