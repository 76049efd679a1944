"""Mine existing comments and blocking relations of linked work the tracker changed.

Comments that arrive by webhook were the only ones the blocker analysis saw, and no blocking
relation was ever stored. A reconcile pass and a link resolution now read, for the linked items
they found changed, their comments and "blocks" relations (Jira "Blocks" links, Linear `blocks`
relations) in batches, one call per batch (connector `read_discussions`), at most
`discussion_calls_per_pass` calls (a connection setting) each time; items beyond it wait in the
store (`DiscussionBacklog`) for the next pass.
"""
from __future__ import annotations

import logging
from typing import Iterable

from sqlalchemy import delete, or_, select

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from okr_core.models import (
    Comment, Connection, DiscussionBacklog, ItemRelation, LinkItem, WorkItem, utcnow,
)
from okr_core.store import in_chunks
from plumbing.db import job_session
from sync.ingest.comments import upsert_comment
from sync.ingest.pg_bulk import insert_backlog

log = logging.getLogger("okrsync.sync.ingest.discussions")
CALLS_PER_PASS = 20


def discussion_capacity(settings: dict | None, connector) -> int:
    """How many items' discussions one pass reads at most: its calls times the connector's batch."""
    budget = int((settings or {}).get("discussion_calls_per_pass", CALLS_PER_PASS))
    return budget * _batch(connector)


def _batch(connector) -> int:
    return int(getattr(connector, "DISCUSSION_BATCH", 100))


def mine_discussions(connection_id: int, connector, external_ids: Iterable[str]) -> int:
    """Read and store the comments and relations of the linked ones among these items and of
    those an earlier pass left waiting; calls made.

    At most `discussion_calls_per_pass` calls (0 switches mining off). Every item due is written
    to the backlog first and leaves it with the batch that read it, so items beyond the budget,
    or left by a pass that failed half-way, are read by the next pass instead of lost.
    """
    with job_session() as session:
        settings = session.get(Connection, connection_id).settings or {}
        budget = int(settings.get("discussion_calls_per_pass", CALLS_PER_PASS))
        if budget <= 0:
            return 0
        waiting = _waiting(session, connection_id)
        due = _linked(session, connection_id, set(waiting) | set(external_ids))
        # Those waiting longest first; unlinked or deleted ones leave the backlog unread.
        order = sorted(due, key=lambda i: (i not in waiting, waiting.get(i) or 0, i))
        _enqueue(session, connection_id, set(waiting), due)
    batch = _batch(connector)
    if len(order) > budget * batch:
        log.info("sync.ingest.discussions.carried-over", extra={"connection_id": connection_id,
                                                         "carried_over": len(order) - budget * batch})
    calls = 0
    for start in range(0, min(len(order), budget * batch), batch):
        ids = order[start:start + batch]
        found = connector.read_discussions(ids)
        calls += 1
        with job_session() as session:
            _store(session, connection_id, ids, found)
            session.execute(delete(DiscussionBacklog).where(
                DiscussionBacklog.connection_id == connection_id,
                DiscussionBacklog.item_external_id.in_(ids)))
    return calls


def defer_discussions(session, connection_id: int, external_ids: Iterable[str]) -> None:
    """Put changed linked items beyond what a pass keeps in memory straight in the backlog, in
    the transaction that stores them: the next mining (this pass's or the next one's) reads them,
    oldest first. On PostgreSQL one statement whatever their number (sync.ingest.pg_bulk)."""
    ids = sorted(set(external_ids))
    if not ids:
        return
    if session.get_bind().dialect.name == "postgresql":
        insert_backlog(session, connection_id, ids, utcnow())
        return
    _insert_new(session, DiscussionBacklog, ["connection_id", "item_external_id"], [
        {"connection_id": connection_id, "item_external_id": i, "queued_at": utcnow()} for i in ids])


def _waiting(session, connection_id: int) -> dict:
    """Items earlier passes left unread, with when they were queued."""
    return dict(session.execute(select(DiscussionBacklog.item_external_id, DiscussionBacklog.queued_at)
                                .where(DiscussionBacklog.connection_id == connection_id)).all())


def _enqueue(session, connection_id: int, waiting: set[str], due: set[str]) -> None:
    """The backlog becomes exactly the items due: new ones added, no longer linked ones dropped."""
    gone = sorted(waiting - due)
    for chunk in in_chunks(gone):
        session.execute(delete(DiscussionBacklog).where(
            DiscussionBacklog.connection_id == connection_id,
            DiscussionBacklog.item_external_id.in_(chunk)))
    now = utcnow()
    _insert_new(session, DiscussionBacklog, ["connection_id", "item_external_id"], [
        {"connection_id": connection_id, "item_external_id": i, "queued_at": now}
        for i in sorted(due - waiting)])


def _linked(session, connection_id: int, external_ids: set[str]) -> set[str]:
    found: set[str] = set()
    for chunk in in_chunks(sorted(external_ids)):
        found |= set(session.scalars(
            select(WorkItem.external_id).join(LinkItem, LinkItem.work_item_id == WorkItem.id)
            .where(WorkItem.connection_id == connection_id, WorkItem.external_id.in_(chunk),
                   WorkItem.deleted.is_(False))))
    return found


def _store(session, connection_id: int, ids: list[str], found) -> None:
    """Comments stored (a listing may be cut short, so none is inferred deleted); the relations
    touching `ids` replaced by those read. New rows go in one executemany each."""
    comments = {c.external_id: c for c in found.comments}
    known: set[str] = set()
    for chunk in in_chunks(sorted(comments)):
        known |= set(session.scalars(select(Comment.external_id).where(
            Comment.connection_id == connection_id, Comment.external_id.in_(chunk))))
    for external_id in sorted(known):
        upsert_comment(session, connection_id, comments[external_id])   # keeps the newer edit
    _insert_new(session, Comment, ["connection_id", "external_id"], [
        {"connection_id": connection_id, "external_id": c.external_id, "item_external_id": c.item_external_id,
         "body": c.body, "author": c.author, "created_at": c.created_at, "updated_at": c.updated_at,
         "deleted": False} for c in comments.values() if c.external_id not in known])   # as read: oldest first
    session.execute(delete(ItemRelation).where(
        ItemRelation.connection_id == connection_id,
        or_(ItemRelation.blocker_external_id.in_(ids), ItemRelation.blocked_external_id.in_(ids))))
    _insert_new(session, ItemRelation, ["connection_id", "blocker_external_id", "blocked_external_id"], [
        {"connection_id": connection_id, "blocker_external_id": r.blocker_external_id,
         "blocked_external_id": r.blocked_external_id}
        for r in sorted(set(found.relations), key=lambda r: (r.blocker_external_id, r.blocked_external_id))])


def _insert_new(session, model, keys: list[str], rows: list[dict]) -> None:
    """INSERT rows in one executemany; rows a concurrent job inserted first are left alone."""
    if not rows:
        return
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(model.__table__).on_conflict_do_nothing(index_elements=keys), rows)
