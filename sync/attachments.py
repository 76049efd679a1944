"""Linear issue attachments of a KR: write only what is missing or retitled, within an hourly budget.

An attachment on each issue that counts toward a KR shows the KR with its progress (SPEC 4), so
every change of the whole percent or the status retitles all of them: one call per issue. Linear
allows an API key 5,000 requests an hour. So the rows of `issue_attachments` remember the title
each issue has; a write-back sends only the differences, new issues first, and spends at most
`linear_attachment_calls_per_hour` (a connection setting) per connection. What the budget leaves
out is written by a deferred write-back of the KR, RETRY_MINUTES later.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Sequence

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from okr_core.models import Connection, IssueAttachment
from okr_core.models.base import utcnow

CALLS_PER_HOUR = 1000      # default budget: a fifth of what Linear allows an API key
RETRY_MINUTES = 15.0       # when a write-back the budget cut short runs again


@dataclass
class AttachmentPlan:
    """Attachments to write now, and how many the budget put off."""

    now: list[tuple[Connection, str]]
    deferred: int = 0


def attachments_to_write(session: Session, kr_id: int, wanted: Sequence[tuple[Connection, str]],
                         title: str) -> AttachmentPlan:
    """Of `wanted` (connection, issue id), those missing or titled otherwise, within each budget."""
    written = {(row.connection_id, row.issue_external_id): row.title for row in session.scalars(
        select(IssueAttachment).where(IssueAttachment.key_result_id == kr_id))}
    # New issues first: a missing attachment hides the KR, a stale title only lags.
    stale = sorted((pair for pair in wanted if written.get((pair[0].id, pair[1])) != title),
                   key=lambda pair: (pair[0].id, pair[1]) in written)
    plan, left = AttachmentPlan(now=[]), {}
    for connection, issue in stale:
        if connection.id not in left:
            left[connection.id] = _budget_left(session, connection)
        if left[connection.id] > 0:
            left[connection.id] -= 1
            plan.now.append((connection, issue))
        else:
            plan.deferred += 1
    return plan


def _budget_left(session: Session, connection: Connection) -> int:
    per_hour = int((connection.settings or {}).get("linear_attachment_calls_per_hour", CALLS_PER_HOUR))
    spent = session.scalar(select(func.count()).select_from(IssueAttachment).where(
        IssueAttachment.connection_id == connection.id,
        IssueAttachment.written_at > utcnow() - timedelta(hours=1)))
    return max(0, per_hour - (spent or 0))


def record_attachments(session: Session, kr_id: int, written: Sequence[tuple[int, str]],
                       title: str) -> None:
    """Remember attachments written as (connection id, issue id); a concurrent write-back may race."""
    if not written:
        return
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(IssueAttachment.__table__)
    statement = statement.on_conflict_do_update(
        index_elements=["key_result_id", "connection_id", "issue_external_id"],
        set_={"title": statement.excluded.title, "written_at": statement.excluded.written_at})
    now = utcnow()
    session.execute(statement, [{"key_result_id": kr_id, "connection_id": connection_id,
                                 "issue_external_id": issue, "title": title, "written_at": now}
                                for connection_id, issue in sorted(set(written))])
