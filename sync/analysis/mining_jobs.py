"""Background re-mining: stored blocker results of an older miner version are replaced in batches."""
from __future__ import annotations

import logging

from okr_core.analysis.mining_store import REMINE_BATCH, outdated_keys, remine
from plumbing.db import job_session
from plumbing.queue import ANALYSIS_QUEUE, NO_RETRY, enqueue

log = logging.getLogger("okrsync.analysis")
REMINE_JOB_ID = "blocker-remine"


def remine_outdated(batches: int = 400) -> int:
    """Re-mine outdated results in batches, one short transaction each (the next analysis asks again)."""
    done = 0
    for _ in range(batches):
        with job_session() as session:
            keys = outdated_keys(session, REMINE_BATCH)
            if not keys:
                break
            done += remine(session, keys)
    log.info("analysis.remined", extra={"texts": done})
    return done


def request_remine_if_outdated() -> str | None:
    """Queue one re-mine job (a fixed job id, so repeated requests collapse) when old results exist."""
    with job_session() as session:
        if not outdated_keys(session, 1):
            return None
    return enqueue("remine_outdated", job_id=REMINE_JOB_ID, queue=ANALYSIS_QUEUE, retry=NO_RETRY)
