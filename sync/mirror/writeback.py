"""Write a KR's progress and status back where people look: the Jira KR issue, Linear updates and attachments.

Queued only for key results whose progress, value or status changed (see reconcile_finish).
Linear issue attachments are written only where missing or retitled, within an hourly budget
(sync/mirror/attachments.py).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from connector.registry import kinds_with_issue_attachments
from connector.base import CommentWriter, Mirror, MirrorKind, StatusPublisher
from okr_core.connection_settings import ConnectionSettings
from okr_core.domain import StatusCategory
from okr_core.models.base import utcnow
from okr_core.models import Connection, KeyResult, LinkItem, Mirror as MirrorRow, Objective, WorkItem, WorkLink
from plumbing.db import job_session
from sync.connections.connectors import job_connector_for
from sync.mirror.home import SUBJECT, kr_figures
from sync.mirror.attachment_writes import WRITEBACK_RETRY, write_attachments
from sync.mirror.attachments import gone_attachments, stale_attachments
from sync.mirror.text import KRFigures, attachment_title, kr_description, panel_url, status_body
from plumbing.queue import QueueUnavailable, enqueue

log = logging.getLogger("okrsync.sync.writeback")
STATUS_UPDATE_EVERY = timedelta(days=7)


@dataclass(frozen=True)
class WritebackPlan:
    """Everything one KR's write-back touches, read in one transaction."""

    figures: KRFigures
    panel: str
    mirrors: list[tuple[Connection, Mirror, "Posted"]]
    linear_issues: list[tuple[Connection, str]]   # (connection, issue id) of linked Linear work


def plan_writeback(session, kr_id: int) -> WritebackPlan | None:
    """What to write for this KR, or None when it is gone."""
    kr = session.get(KeyResult, kr_id)
    if kr is None:
        return None
    objective = session.get(Objective, kr.objective_id)
    panel = panel_url(current_app.config["SETTINGS"].base_url, objective.team_id, kr.id)
    mirrors = [(session.get(Connection, row.connection_id),
                Mirror(MirrorKind.KEY_RESULT, str(kr.id), row.external_id,
                       row.external_key or row.external_id, row.url),
                Posted(row.id, row.posted_status, row.posted_at))
               for row in session.scalars(select(MirrorRow).where(
                   MirrorRow.subject_kind == SUBJECT[MirrorKind.KEY_RESULT], MirrorRow.subject_id == kr.id))]
    linked = session.execute(
        select(WorkItem.connection_id, WorkItem.external_id, WorkItem.status_category).distinct()
        .join(LinkItem, LinkItem.work_item_id == WorkItem.id)
        .join(WorkLink, WorkLink.id == LinkItem.work_link_id)
        .join(Connection, Connection.id == WorkItem.connection_id)
        .where(WorkLink.key_result_id == kr.id, WorkItem.deleted.is_(False),
               Connection.tracker.in_(kinds_with_issue_attachments()))
        .order_by(WorkItem.connection_id, WorkItem.external_id)).all()
    issues = []
    for conn_id, external_id, status in linked:
        connection = session.get(Connection, conn_id)
        if _wants_attachment(ConnectionSettings.from_stored(connection.settings), status):
            issues.append((connection, external_id))
    return WritebackPlan(kr_figures(kr), panel, mirrors, issues)


def _wants_attachment(settings: ConnectionSettings, status: StatusCategory) -> bool:
    """Setting `linear_attachments`: "all" linked issues (default), only "open" ones, or "off"."""
    choice = settings.linear_attachments
    if choice == "off":
        return False
    return choice != "open" or status not in (StatusCategory.DONE, StatusCategory.CANCELED)


def write_back_key_result(kr_id: int, connectors: dict | None = None) -> int:
    """Job: write the KR's figures to its mirrors (and attach it to linked Linear issues); how many writes."""
    with job_session() as session:
        plan = plan_writeback(session, kr_id)
        if plan is None:
            return 0
        title = attachment_title(plan.figures)
        stale = stale_attachments(session, kr_id, plan.linear_issues, title)
        gone = gone_attachments(session, kr_id, plan.linear_issues)
    connectors = connectors if connectors is not None else {}

    def connector(connection: Connection):
        if connection.id not in connectors:
            connectors[connection.id] = job_connector_for(connection)
        return connectors[connection.id]

    writes = 0
    for connection, mirror, posted in plan.mirrors:
        writes += _write_mirror(connector(connection), mirror, posted, plan)
    return writes + write_attachments(kr_id, stale, gone, title, plan.panel, connector)


def _write_mirror(connector, mirror: Mirror, posted: "Posted", plan: WritebackPlan) -> int:
    if isinstance(connector, CommentWriter):
        connector.update_kr_description(mirror.key, kr_description(plan.figures, plan.panel))
        return 1
    if isinstance(connector, StatusPublisher):
        status, now = str(plan.figures.status), utcnow()
        if not posted.due(status, now):
            return 0
        connector.post_status_update(mirror, plan.figures.status, status_body(plan.figures, plan.panel))
        with job_session() as session:
            row = session.get(MirrorRow, posted.mirror_row_id)
            if row is not None:
                row.posted_status, row.posted_at = status, now
        return 1
    return 0


@dataclass(frozen=True)
class Posted:
    """What a mirror last got as a Linear project / initiative update."""

    mirror_row_id: int
    status: str | None
    at: datetime | None

    def due(self, status: str, now: datetime) -> bool:
        """An update is posted when the status (and so the health) changed, or a week after the
        last one; figures alone show on the issue attachments, not in the project's feed."""
        return self.status != status or self.at is None or now - self.at >= STATUS_UPDATE_EVERY


def with_write_targets(session, kr_ids) -> list[int]:
    """The KRs among these that have somewhere to write: a mirror, or linked work that takes
    attachments (Linear)."""
    ids = sorted(set(kr_ids))
    if not ids:
        return []
    mirrored = set(session.scalars(select(MirrorRow.subject_id).where(
        MirrorRow.subject_kind == SUBJECT[MirrorKind.KEY_RESULT], MirrorRow.subject_id.in_(ids))))
    attached = set(session.scalars(select(WorkLink.key_result_id).join(
        Connection, Connection.id == WorkLink.connection_id).where(
        WorkLink.key_result_id.in_(ids), Connection.tracker.in_(kinds_with_issue_attachments()))))
    return sorted(mirrored | attached)


def queue_writebacks(kr_ids: list[int]) -> None:
    """Queue one write-back per KR whose standing changed."""
    for kr_id in kr_ids:
        try:
            enqueue("write_back", kr_id, retry=WRITEBACK_RETRY)
        except QueueUnavailable as exc:
            # The next change re-queues it; the figures in okrsync are already right.
            log.warning("sync.writeback.unqueued", extra={"kr_id": kr_id, "error": str(exc)})
