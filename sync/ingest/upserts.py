"""Apply a delivery's work items and comments to the store; older payloads never overwrite newer."""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from okr_core import domain
from okr_core.models import Comment, WorkItem
from sync.ingest.items import is_older, item_values

log = logging.getLogger("okrsync.webhooks.apply")


def insert_if_absent(session: Session, model, values: dict, keys: list[str]) -> bool:
    """INSERT the row unless its unique `keys` exist already; True when it was inserted."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(model).values(**values).on_conflict_do_nothing(index_elements=keys)
    return session.execute(statement).rowcount == 1


def locked_item(session: Session, connection_id: int, external_id: str) -> WorkItem | None:
    """The stored item, row-locked until the transaction ends (concurrent deliveries queue up)."""
    return session.scalars(
        select(WorkItem).where(WorkItem.connection_id == connection_id,
                               WorkItem.external_id == external_id)
        .with_for_update().execution_options(populate_existing=True)
    ).first()


def upsert_item(session: Session, connection_id: int, item: domain.WorkItem,
                keep_estimate: bool = False) -> WorkItem | None:
    """Store `item` unless the store holds a newer tracker version; the row, or None if dropped."""
    values = item_values(item)
    if insert_if_absent(session, WorkItem, {"connection_id": connection_id, **values},
                        ["connection_id", "external_id"]):
        return locked_item(session, connection_id, item.external_id)
    row = locked_item(session, connection_id, item.external_id)
    if is_older(item.updated_at, row.tracker_updated_at):
        # Deliveries are hints: a late or reordered payload must not regress the mirror.
        log.info("webhooks.apply.stale-upsert",
                 extra={"item": item.external_id, "stored": row.tracker_updated_at.isoformat(),
                        "payload": item.updated_at.isoformat()})
        return None
    if keep_estimate:
        values.pop("estimate")
    for name, value in values.items():
        setattr(row, name, value)
    return row


def mark_item_deleted(session: Session, connection_id: int, external_id: str,
                      at: datetime) -> WorkItem | None:
    """Flag a stored item deleted as of `at`, so that older upserts cannot bring it back."""
    row = locked_item(session, connection_id, external_id)
    if row is None:
        log.info("webhooks.apply.delete-unknown-item", extra={"item": external_id})
        return None
    row.deleted = True
    row.tracker_updated_at = max(row.tracker_updated_at, at)
    return row


def upsert_comment(session: Session, connection_id: int, comment: domain.Comment) -> None:
    """Store a comment, keeping the newer edit when one is stored already."""
    values = {"external_id": comment.external_id, "item_external_id": comment.item_external_id,
              "body": comment.body, "author": comment.author, "created_at": comment.created_at,
              "updated_at": comment.updated_at, "deleted": False}
    if insert_if_absent(session, Comment, {"connection_id": connection_id, **values},
                        ["connection_id", "external_id"]):
        return
    row = _locked_comment(session, connection_id, comment.external_id)
    if is_older(comment.updated_at, row.updated_at):
        log.info("webhooks.apply.stale-comment", extra={"comment": comment.external_id})
        return
    for name, value in values.items():
        setattr(row, name, value)


def delete_comment(session: Session, connection_id: int, external_id: str) -> None:
    """Flag a stored comment deleted (blocker mining skips it)."""
    row = _locked_comment(session, connection_id, external_id)
    if row is None:
        log.info("webhooks.apply.delete-unknown-comment", extra={"comment": external_id})
        return
    row.deleted = True


def _locked_comment(session: Session, connection_id: int, external_id: str) -> Comment | None:
    return session.scalars(
        select(Comment).where(Comment.connection_id == connection_id,
                              Comment.external_id == external_id)
        .with_for_update().execution_options(populate_existing=True)
    ).first()

