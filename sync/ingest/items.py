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
    """What storing a batch did: row ids by external id, and how many items were stale."""

    rows: dict[str, int] = field(default_factory=dict)
    stale: int = 0


def is_older(incoming: datetime | None, stored: datetime | None) -> bool:
    """The one staleness rule: tracker state older than what the store holds changes nothing.

    Deliveries are hints and re-reads overlap, so a late or reordered copy must not regress the
    store. Planning applies it (`sync.ingest.plan`); `update_if_newer` below states the same rule
    in SQL, so that it holds against a write that lands between the plan's read and the update.
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


def unchanged_ids(session: Session, connection_id: int, items: Sequence[domain.WorkItem],
                  estimate_kept: Iterable[str] = ()) -> set[str]:
    """External ids of items whose stored columns progress reads equal theirs already (the
    estimate aside for items whose stored estimate stays)."""
    columns = [getattr(WorkItem, name) for name in COMPARED]
    unchanged, kept = set(), set(estimate_kept)
    by_id = {item.external_id: item_values(item) for item in items}
    for matching in in_filters(session, WorkItem.external_id, sorted(by_id)):
        for row in session.execute(select(WorkItem.external_id, *columns).where(
                WorkItem.connection_id == connection_id, matching)):
            values = by_id[row.external_id]
            skipped = ("labels", "estimate") if row.external_id in kept else ("labels",)
            if all(getattr(row, name) == values[name] for name in COMPARED if name not in skipped) \
                    and list(row.labels or ()) == values["labels"]:
                unchanged.add(row.external_id)
    return unchanged


def update_if_newer(session: Session, rows: list[tuple[int, domain.WorkItem]],
                    estimate_kept: Iterable[str] = ()) -> None:
    """Overwrite stored rows by id, each only while the store does not hold a newer version;
    items in `estimate_kept` leave the stored estimate as it is."""
    kept = set(estimate_kept)
    table = WorkItem.__table__
    # The WHERE on tracker time keeps a webhook's newer write that landed after our read.
    statement = update(table).where(table.c.id == bindparam("row_id"),
                                    table.c.tracker_updated_at <= bindparam("read_at"))
    for keep in (False, True):
        batch = [{"row_id": row_id, "read_at": item.updated_at, **_written(item, keep)}
                 for row_id, item in rows if (item.external_id in kept) is keep]
        if batch:
            session.execute(statement, batch)


def _written(item: domain.WorkItem, keep_estimate: bool) -> dict:
    values = item_values(item)
    if keep_estimate:
        values.pop("estimate")
    return values


def insert_new(session: Session, connection_id: int, new: list[domain.WorkItem],
               result: ItemChanges, estimate_kept: Iterable[str] = ()) -> None:
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
    raced = [item for item in new if item.external_id not in inserted]
    if raced:
        _update_raced(session, connection_id, raced, result, estimate_kept)


def _update_raced(session: Session, connection_id: int, raced: list[domain.WorkItem],
                  result: ItemChanges, estimate_kept: Iterable[str]) -> None:
    """Items another writer inserted between our read and our insert: the update path."""
    stored = {}
    for matching in in_filters(session, WorkItem.external_id, sorted(i.external_id for i in raced)):
        stored.update({row.external_id: row for row in session.execute(
            select(WorkItem.external_id, WorkItem.id, WorkItem.tracker_updated_at)
            .where(WorkItem.connection_id == connection_id, matching))})
    result.rows.update({ext: row.id for ext, row in stored.items()})
    result.stale += sum(1 for i in raced if is_older(i.updated_at, stored[i.external_id].tracker_updated_at))
    update_if_newer(session, [(stored[i.external_id].id, i) for i in raced], estimate_kept)
