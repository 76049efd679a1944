"""Linear issue attachments of a KR: write only those missing or retitled, remember what was written.

An attachment links an issue to the KR's panel, where the figures are live; its title names the
KR and nothing that moves with progress. So a progress change costs no attachment calls, and a
new issue in the KR costs one (Linear allows an API key 5,000 requests an hour).
"""
from __future__ import annotations

from typing import Sequence

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from okr_core.models import Connection, IssueAttachment
from okr_core.models.base import utcnow


def attachments_to_write(session: Session, kr_id: int, wanted: Sequence[tuple[Connection, str]],
                         title: str) -> list[tuple[Connection, str]]:
    """The (connection, issue id) pairs among `wanted` whose attachment is missing or titled otherwise."""
    written = {(row.connection_id, row.issue_external_id): row.title for row in session.scalars(
        select(IssueAttachment).where(IssueAttachment.key_result_id == kr_id))}
    return [(connection, issue) for connection, issue in wanted
            if written.get((connection.id, issue)) != title]


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
