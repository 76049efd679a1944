"""Storing a delivery's comments; an older edit never overwrites a newer one (work items go through
`sync.ingest.apply.ingest`)."""
from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from okr_core import domain
from okr_core.models import Comment
from okr_core.store import insert_if_absent
from sync.ingest.items import is_older

log = logging.getLogger("okrsync.sync.comments")


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
        log.info("sync.comments.stale", extra={"comment": comment.external_id})
        return
    for name, value in values.items():
        setattr(row, name, value)


def delete_comment(session: Session, connection_id: int, external_id: str) -> None:
    """Flag a stored comment deleted (blocker mining skips it)."""
    row = _locked_comment(session, connection_id, external_id)
    if row is None:
        log.info("sync.comments.delete-unknown", extra={"comment": external_id})
        return
    row.deleted = True


def _locked_comment(session: Session, connection_id: int, external_id: str) -> Comment | None:
    return session.scalars(
        select(Comment).where(Comment.connection_id == connection_id,
                              Comment.external_id == external_id)
        .with_for_update().execution_options(populate_existing=True)
    ).first()

