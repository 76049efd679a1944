"""The one job table: every queued job by name, resolved to its function only when it runs.

Callers queue a job by name (`enqueue("reconcile", connection_id)`), so no module imports a job
function to queue it. RQ stores the dotted path and its worker imports it (`Queue.enqueue` takes
a function's dotted path as a string: rq CHANGES.md, 0.3.0); the embedded queue imports it here.
A queued job's path is stored with it: when a job moves, a deploy drains the queues first.
"""
from __future__ import annotations

from importlib import import_module
from typing import Callable

JOBS: dict[str, str] = {
    "process_delivery": "sync.ingest.deliveries.process_delivery",
    "resolve_link": "sync.jobs.resolve_link",
    "mirror_objective": "sync.jobs.mirror_objective_job",
    "mirror_key_result": "sync.jobs.mirror_key_result_job",
    "retire_mirrors": "sync.jobs.retire_mirrors_job",
    "write_back": "sync.jobs.write_back_job",
    "reconcile": "sync.jobs.reconcile_job",
    "reconcile_part": "sync.jobs.reconcile_part_job",
    "finish_split": "sync.jobs.finish_split_job",
    "run_analysis": "sync.analysis.jobs.run_analysis",
    "refresh_cycle_analyses": "sync.analysis.jobs.refresh_cycle_analyses",
    "check_item_links": "sync.ingest.link_item_checks.check_item_links",
    "remine_outdated": "sync.analysis.mining_jobs.remine_outdated",
    "draft_check_ins": "sync.checkins.drafts.draft_check_ins",
    "post_check_in": "sync.checkins.posts.post_check_in",
    "withdraw_check_in": "sync.checkins.posts.withdraw_check_in",
    "send_notification": "sync.notify.jobs.send_notification",
}


class UnknownJob(LookupError):
    """A job name that is not in the job table."""


def job_path(name: str) -> str:
    """The dotted path of a job's function."""
    try:
        return JOBS[name]
    except KeyError:
        raise UnknownJob(name) from None


def job_function(name: str) -> Callable:
    """Import and return a job's function."""
    module, _, function = job_path(name).rpartition(".")
    return getattr(import_module(module), function)
