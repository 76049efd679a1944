"""Every job's entry point: module-level functions that take ids (queued by name, see
plumbing.jobs)."""
from __future__ import annotations

import logging

log = logging.getLogger("okrsync.jobs")


def resolve_link(link_id: int) -> None:
    """Resolve a work link through its connector and recompute the key result."""
    from sync.ingest.links import resolve_link_now

    resolve_link_now(link_id)


def mirror_objective_job(objective_id: int) -> None:
    """Create or update an objective's mirror."""
    from sync.mirror.mirrors import mirror_objective

    mirror_objective(objective_id)


def mirror_key_result_job(kr_id: int) -> None:
    """Create or update a key result's mirror."""
    from sync.mirror.mirrors import mirror_key_result

    mirror_key_result(kr_id)


def retire_mirrors_job() -> None:
    """Archive or unlink the mirrors of deleted or archived objectives and KRs."""
    from sync.mirror.retire import retire_mirrors

    retire_mirrors()


def write_back_job(kr_id: int) -> None:
    """Write a key result's progress and status to the trackers."""
    from sync.mirror.writeback import write_back_key_result

    write_back_key_result(kr_id)


def reconcile_job(connection_id: int, full: bool = False) -> None:
    """Run a reconcile pass (split into part jobs when the connection asks for it); a pass already
    running makes this one a no-op."""
    from sync.reconcile.passes import reconcile_connection
    from sync.reconcile.lock import PassAlreadyRunning
    from sync.reconcile.split import start_split

    try:
        if start_split(connection_id, full) is None:
            reconcile_connection(connection_id, full=full)
    except PassAlreadyRunning:
        return   # the running pass covers what this one would have read
    except LookupError:
        return   # the connection was deleted after the job was queued


def reconcile_part_job(connection_id: int, split_id: str, part: str) -> None:
    """Read one project of a split pass (sync.reconcile.split)."""
    from sync.reconcile.split import run_part

    run_part(connection_id, split_id, part)


def finish_split_job(connection_id: int, split_id: str) -> None:
    """End a split pass once its parts are read: deletions, scopes, the recount, the lock."""
    from sync.reconcile.split import finish_split

    finish_split(connection_id, split_id)
