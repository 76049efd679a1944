"""Storing tracker work items: newer tracker state wins, older deliveries and re-reads change nothing."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from okr_core import domain
from okr_core.models import WorkItem


@dataclass
class ItemChanges:
    """What storing a batch did: rows by external id, and which of them actually changed."""

    rows: dict[str, WorkItem] = field(default_factory=dict)
    changed: set[str] = field(default_factory=set)
    stale: int = 0
    duplicates: int = 0


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


def _copy(row: WorkItem, item: domain.WorkItem) -> None:
    row.key, row.title = item.key, item.title
    row.status_category, row.status_name = item.status_category, item.status_name
    row.estimate, row.parent_ref = item.estimate, item.parent_ref
    row.labels, row.assignee, row.url = list(item.labels), item.assignee, item.url
    row.tracker_updated_at, row.deleted = item.updated_at, item.deleted


def _differs(row: WorkItem, item: domain.WorkItem) -> bool:
    return (row.status_category, row.estimate, row.parent_ref, tuple(row.labels or ()),
            row.deleted, row.title, row.key) != (
        item.status_category, item.estimate, item.parent_ref, tuple(item.labels), item.deleted,
        item.title, item.key)


def store_items(session: Session, connection_id: int,
                items: Sequence[domain.WorkItem]) -> ItemChanges:
    """Upsert items; an item older than the stored tracker updated-at is dropped as stale."""
    unique, duplicates = newest_per_id(items)
    result = ItemChanges(duplicates=duplicates)
    ids = [i.external_id for i in unique]
    existing = {row.external_id: row for row in session.scalars(
        select(WorkItem).where(WorkItem.connection_id == connection_id,
                               WorkItem.external_id.in_(ids)))} if ids else {}
    for item in unique:
        row = existing.get(item.external_id)
        if row is None:
            row = WorkItem(connection_id=connection_id, external_id=item.external_id)
            session.add(row)
            _copy(row, item)
            result.changed.add(item.external_id)
        elif item.updated_at < row.tracker_updated_at:
            result.stale += 1
        else:
            if _differs(row, item):
                result.changed.add(item.external_id)
            _copy(row, item)
        result.rows[item.external_id] = row
    session.flush()
    return result
