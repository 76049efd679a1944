"""Write and delete a KR's Linear issue attachments within the hourly budget; defer what is left.

Each call is recorded as soon as it is made, so a write-back that fails part-way, or another one
reading the budget at the same time, sees it (sync/mirror/attachments.py keeps the rows).
"""
from __future__ import annotations

import logging
import time
from functools import partial
from typing import Callable

from flask import current_app
from sqlalchemy import delete

from connector.base import StatusPublisher
from okr_core.models import Connection, IssueAttachment
from plumbing.db import job_session
from sync.mirror.attachments import RETRY_MINUTES, budget_left, record_attachments
from plumbing.queue import QueueUnavailable, RetryPolicy, enqueue

log = logging.getLogger("okrsync.sync.writeback")
ATTACHMENT_SUBTITLE = "okrsync key result"
WRITEBACK_RETRY = RetryPolicy(max=3, intervals=(10, 60, 300))   # every write-back job's


def write_attachments(kr_id: int, stale: list[tuple[Connection, str]],
                      gone: list[tuple[Connection, IssueAttachment]], title: str, panel: str,
                      connector: Callable) -> int:
    """Write the stale attachments, then delete the gone ones, as the budget allows; calls made."""
    actions = ([(connection, partial(_attach, kr_id, connection.id, issue, title, panel))
                for connection, issue in stale]
               + [(connection, partial(_detach, kr_id, row)) for connection, row in gone])
    calls, deferred, spent_up = 0, 0, set()
    for connection, act in actions:
        target = connector(connection)
        if not isinstance(target, StatusPublisher):
            continue
        if connection.id not in spent_up:
            with job_session() as session:
                if budget_left(session, connection) <= 0:
                    spent_up.add(connection.id)
        if connection.id in spent_up:
            deferred += 1
            continue
        act(target)
        calls += 1
    if deferred:
        _defer(kr_id, deferred)
    return calls


def _attach(kr_id: int, connection_id: int, issue_id: str, title: str, panel: str, target) -> None:
    attachment_id = target.write_attachment(issue_id, panel, title, ATTACHMENT_SUBTITLE)
    with job_session() as session:
        record_attachments(session, kr_id, [(connection_id, issue_id, attachment_id)], title)


def _detach(kr_id: int, row: IssueAttachment, target) -> None:
    target.remove_attachment(row.attachment_id)
    with job_session() as session:
        session.execute(delete(IssueAttachment).where(
            IssueAttachment.key_result_id == kr_id, IssueAttachment.connection_id == row.connection_id,
            IssueAttachment.issue_external_id == row.issue_external_id))


def _defer(kr_id: int, count: int) -> None:
    """One deferred write-back per KR and window does what the hourly budget left out."""

    seconds = 60 * float(current_app.config.get("ATTACHMENT_RETRY_MINUTES", RETRY_MINUTES))
    log.info("sync.writeback.attachments-deferred", extra={"kr_id": kr_id, "deferred": count,
                                                            "seconds": seconds})
    # One id per KR and window: RQ keeps a finished job's id a while, and the deferred run must
    # be able to defer again while the budget is still spent.
    window = int(time.time() // max(seconds, 1))
    try:
        enqueue("write_back", kr_id, job_id=f"writeback-deferred-{kr_id}-{window}", delay=seconds,
                retry=WRITEBACK_RETRY)
    except QueueUnavailable as exc:
        log.warning("sync.writeback.unqueued", extra={"kr_id": kr_id, "error": str(exc)})
