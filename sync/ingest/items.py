"""Storing tracker work items: newer tracker state wins, older deliveries and re-reads change nothing.

Bulk statements (one SELECT, one executemany UPDATE, one INSERT ... RETURNING per batch) keep a
reconcile page close to the cost of reading it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable, Sequence

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from okr_core import domain
from okr_core.models import WorkItem
from okr_core.models.base import utcnow
from okr_core.store import in_filters
from sync.ingest.pg_bulk import insert_work_items

COMPARED = ("key", "title", "status_category", "status_name", "estimate", "parent_ref", "labels",
            "assignee", "url", "deleted")


@dataclass
class ItemChanges:
    """What storing a batch did: row ids by external id, and which items actually changed."""

    rows: dict[str, int] = field(default_factory=dict)
    changed: set[str] = field(default_factory=set)
    stale: int = 0
    duplicates: int = 0


def is_older(incoming: datetime | None, stored: datetime | None) -> bool:
    """The one staleness rule: tracker state older than what the store holds changes nothing.

    Deliveries are hints and re-reads overlap, so a late or reordered copy must not regress the
    store. (`update_if_newer` states the same rule in SQL, so that it holds against a write that
    lands between our read and our update.)
    """
    return incoming is not None and stored is not None and incoming < stored


def newest_per_id(items: Iterable[domain.WorkItem]) -> tuple[list[domain.WorkItem], int]:
    """One item per external id (the latest), and how many duplicates were dropped."""
    best: dict[str, domain.WorkItem] = {}
    seen = 0
    for item in items:
        seen += 1
        current = best.get(item.external_id)
        if current is None or item.updated_at >= current.updated_at:
            best[item.external_id] = item
    return list(best.values()), seen - len(best)


def item_values(item: domain.WorkItem) -> dict:
    """The stored columns of an item (the row's id and connection aside)."""
    return {"external_id": item.external_id, "key": item.key, "title": item.title,
            "status_category": item.status_category, "status_name": item.status_name,
            "estimate": item.estimate, "parent_ref": item.parent_ref, "labels": list(item.labels),
            "assignee": item.assignee, "url": item.url, "tracker_updated_at": item.updated_at,
            "deleted": item.deleted}


def _stored_rows(session: Session, connection_id: int, ids: list[str]) -> dict:
    columns = [getattr(WorkItem, name) for name in COMPARED]
    found = {}
    for matching in in_filters(session, WorkItem.external_id, ids):
        for row in session.execute(select(WorkItem.id, WorkItem.external_id, WorkItem.tracker_updated_at,
                                          *columns).where(WorkItem.connection_id == connection_id,
                                                          matching)):
            found[row.external_id] = row
    return found


def _differs(row, values: dict) -> bool:
    return any(getattr(row, name) != values[name] for name in COMPARED if name != "labels") \
        or list(row.labels or ()) != values["labels"]


def store_items(session: Session, connection_id: int,
                items: Sequence[domain.WorkItem]) -> ItemChanges:
    """Upsert items; an item older than the stored tracker updated-at is dropped as stale."""
    unique, duplicates = newest_per_id(items)
    result = ItemChanges(duplicates=duplicates)
    stored = _stored_rows(session, connection_id, sorted(i.external_id for i in unique))
    new, updates = [], []
    for item in unique:
        row = stored.get(item.external_id)
        if row is None:
            new.append(item)
            continue
        result.rows[item.external_id] = row.id
        if is_older(item.updated_at, row.tracker_updated_at):
            result.stale += 1
            continue
        values = item_values(item)
        if _differs(row, values):
            result.changed.add(item.external_id)
        if item.external_id in result.changed or item.updated_at > row.tracker_updated_at:
            updates.append({"id": row.id, **values})
    if updates:
        session.execute(update(WorkItem), updates)   # ORM bulk UPDATE by primary key
    if new:
        insert_new(session, connection_id, new, result)
    return result


def update_if_newer(session: Session, rows: list[tuple[int, domain.WorkItem]]) -> None:
    """Overwrite stored rows by id, each only while the store does not hold a newer version."""
    if not rows:
        return
    table = WorkItem.__table__
    # The WHERE on tracker time keeps a webhook's newer write that landed after our read.
    statement = update(table).where(table.c.id == bindparam("row_id"),
                                    table.c.tracker_updated_at <= bindparam("read_at"))
    session.execute(statement, [{"row_id": row_id, "read_at": item.updated_at, **item_values(item)}
                                for row_id, item in rows])


def insert_new(session: Session, connection_id: int, new: list[domain.WorkItem],
               result: ItemChanges) -> None:
    """INSERT the new items; ones a concurrent webhook inserted first go through the update path."""
    if not new:
        return
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        inserted = insert_work_items(session, connection_id, new, utcnow())
    else:
        factory = sqlite_insert if dialect == "sqlite" else insert
        # Core on the table, not the ORM entity: one compiled executemany with RETURNING per batch.
        statement = factory(WorkItem.__table__)
        if factory is not insert:
            statement = statement.on_conflict_do_nothing(index_elements=["connection_id", "external_id"])
        rows = [{"connection_id": connection_id, **item_values(item)} for item in new]
        table = WorkItem.__table__
        inserted = dict(session.execute(statement.returning(table.c.external_id, table.c.id), rows).all())
    result.rows.update(inserted)
    result.changed.update(inserted)
    raced = [item for item in new if item.external_id not in inserted]
    if raced:
        again = store_items(session, connection_id, raced)
        result.rows.update(again.rows)
        result.changed |= again.changed
        result.stale += again.stale
