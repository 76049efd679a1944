"""Recounting the key results a pass touched, and queueing write-backs for those that moved.

While the pass still reads, the tracker's answers leave the worker idle: `recount_some` recounts a
few pending KRs then (`deferred`: their objectives' roll-up and their write-backs wait for the end,
so a KR whose items are still arriving is not written back at every step, and an objective of many
KRs is not summed again with each of them). `recount_pending` recounts the rest at the end, rolls
up the objectives of the deferred moves and queues the follow-ups of everything that moved.
"""
from __future__ import annotations

from datetime import datetime, timezone

from plumbing.db import job_session
from sync.ingest.apply import MOVED, PENDING, locked_sync_state, sync_state
from sync.followups import Followups, followups_for
from okr_core.recount import recount, roll_up_objectives


RECOUNT_KRS = 50   # KRs recounted per transaction at the end of a pass


def recount_some(connection_id: int, size: int = RECOUNT_KRS, deferred: bool = False,
                 skip: frozenset[int] = frozenset(), least: int = 1) -> tuple[int, set[int]]:
    """Recount up to `size` pending KRs (lowest ids first, but those in `skip`; none when fewer
    than `least` are left) in one transaction that also drops them from the pending list; (how
    many, the ids that moved). `deferred` keeps
    the moved ids in the SyncState (MOVED) for `recount_pending` instead of rolling their objectives
    up and queueing their follow-ups now."""
    with job_session() as session:
        pending = set((sync_state(session, connection_id).last_counts or {}).get(PENDING, ()))
        chunk = sorted(pending - skip)[:size]
        if not chunk or len(chunk) < least:
            return 0, set()
        # The KRs are locked (FOR UPDATE) before their items are read; a page storing items for
        # one of them waits for this commit and marks it pending again (record_progress). So the
        # pending list is locked only to drop the chunk, not for the whole recount.
        moved_ids = recount(session, chunk, datetime.now(timezone.utc), roll_up=not deferred)
        state = locked_sync_state(session, connection_id)
        kept = dict(state.last_counts or {})
        rest = sorted(set(kept.pop(PENDING, ())) - set(chunk))
        if rest:
            kept[PENDING] = rest
        if deferred and moved_ids:
            kept[MOVED] = sorted(set(kept.get(MOVED, ())) | moved_ids)
        state.last_counts = kept
        followups = Followups() if deferred else followups_for(session, moved_ids)
    followups.queue()
    return len(chunk), moved_ids


def recount_pending(connection_id: int) -> tuple[int, int]:
    """Recount the KRs the pass (or an interrupted one before it) left pending, then follow up the
    moves recounts while reading deferred; (recounted, distinct KRs moved).

    RECOUNT_KRS at a time, each chunk in its own transaction: memory follows the chunk, not the
    number of KRs, and an interruption loses nothing.
    """
    recounted, moved = 0, set()
    while True:
        count, moved_ids = recount_some(connection_id)
        if not count:
            break
        recounted, moved = recounted + count, moved | moved_ids
    return recounted, len(moved | _follow_up_deferred(connection_id, moved))


def _follow_up_deferred(connection_id: int, queued: set[int]) -> set[int]:
    """Roll up the objectives of deferred moves, queue their follow-ups (but those just queued) and
    forget them; their ids."""
    with job_session() as session:
        state = locked_sync_state(session, connection_id)
        kept = dict(state.last_counts or {})
        deferred = set(kept.pop(MOVED, ()))
        if not deferred:
            return set()
        state.last_counts = kept
        roll_up_objectives(session, deferred)
        followups = followups_for(session, deferred - queued)
    followups.queue()
    return deferred
