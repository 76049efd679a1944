"""Linear issue attachments of a KR: write only what is missing or retitled, within an hourly budget.

An attachment on each issue that counts toward a KR shows the KR with its progress (SPEC 4), so
every change of the whole percent or the status retitles all of them: one call per issue. Linear
allows an API key 5,000 requests an hour. So the rows of `issue_attachments` remember the title
each issue has; a write-back sends only the differences, new issues first, and spends at most
`linear_attachment_calls_per_hour` (a connection setting) per connection: the budget is read
before each call and each call is recorded after it, so concurrent write-backs overshoot it by
at most one call each. What the budget leaves out is written by a deferred write-back of the KR,
RETRY_MINUTES later.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Sequence

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from okr_core.connection_settings import ConnectionSettings
from okr_core.models import Connection, IssueAttachment
from okr_core.models.base import utcnow

RETRY_MINUTES = 15.0       # when a write-back the budget cut short runs again


def stale_attachments(session: Session, kr_id: int, wanted: Sequence[tuple[Connection, str]],
                      title: str) -> list[tuple[Connection, str]]:
    """Of `wanted` (connection, issue id), those missing or titled otherwise; missing ones first."""
    written = {(row.connection_id, row.issue_external_id): row.title for row in session.scalars(
        select(IssueAttachment).where(IssueAttachment.key_result_id == kr_id))}
    # A missing attachment hides the KR from the issue; a stale title only lags.
    return sorted((pair for pair in wanted if written.get((pair[0].id, pair[1])) != title),
                  key=lambda pair: (pair[0].id, pair[1]) in written)


def gone_attachments(session: Session, kr_id: int,
                     wanted: Sequence[tuple[Connection, str]]) -> list[tuple[Connection, IssueAttachment]]:
    """Attachments written for this KR on issues it no longer counts (moved away, done when only
    open ones are attached): to delete, with their connection."""
    keep = {(connection.id, issue) for connection, issue in wanted}
    rows = session.scalars(select(IssueAttachment).where(IssueAttachment.key_result_id == kr_id)
                           .order_by(IssueAttachment.connection_id, IssueAttachment.issue_external_id))
    return [(session.get(Connection, row.connection_id), row) for row in rows
            if (row.connection_id, row.issue_external_id) not in keep]


def budget_left(session: Session, connection: Connection) -> int:
    """Attachment calls this connection may still make this hour (those of the last hour counted)."""
    per_hour = ConnectionSettings.from_stored(connection.settings).linear_attachment_calls_per_hour
    spent = session.scalar(select(func.count()).select_from(IssueAttachment).where(
        IssueAttachment.connection_id == connection.id,
        IssueAttachment.written_at > utcnow() - timedelta(hours=1)))
    return max(0, per_hour - (spent or 0))


def record_attachments(session: Session, kr_id: int, written: Sequence[tuple[int, str, str]],
                       title: str) -> None:
    """Remember attachments written as (connection id, issue id, attachment id); concurrent
    write-backs may race to the same row."""
    if not written:
        return
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(IssueAttachment.__table__)
    statement = statement.on_conflict_do_update(
        index_elements=["key_result_id", "connection_id", "issue_external_id"],
        set_={"title": statement.excluded.title, "written_at": statement.excluded.written_at,
              "attachment_id": statement.excluded.attachment_id})
    now = utcnow()
    session.execute(statement, [{"key_result_id": kr_id, "connection_id": connection_id,
                                 "issue_external_id": issue, "attachment_id": attachment_id,
                                 "title": title, "written_at": now}
                                for connection_id, issue, attachment_id in sorted(set(written))])
