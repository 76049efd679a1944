"""The bulk insert paths of a reconcile batch, on SQLite and PostgreSQL (its `unnest` statements)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from okr_core.domain import LinkKind, StatusCategory, WorkItem
from okr_core.models import LinkItem, WorkItem as WorkItemRow
from sync.ingest.items import ItemChanges, insert_new
from sync.ingest.apply import add_members

T0 = datetime(2026, 11, 1, 12, 30, 15, 123000, tzinfo=timezone.utc)
EVERY_FIELD = WorkItem(external_id="10001", key="SIM-1", title="Ship it, \"quoted\" {braces}",
                       status_category=StatusCategory.IN_PROGRESS, updated_at=T0, estimate=2.5,
                       parent_ref="SIM-0", labels=("p1", "with space"), assignee="acc-1",
                       url="https://x.example/browse/SIM-1", status_name="In Review", deleted=False)
SPARSE = WorkItem(external_id="10002", key="SIM-2", title="", status_category=StatusCategory.CANCELED,
                  updated_at=T0.astimezone(timezone(timedelta(hours=-5))), deleted=True)


def _rows(sync_world, connection_id: int) -> dict[str, WorkItemRow]:
    with sync_world.scope() as session:
        rows = session.scalars(select(WorkItemRow).where(WorkItemRow.connection_id == connection_id)).all()
        for row in rows:
            session.expunge(row)
    return {row.external_id: row for row in rows}


def test_new_items_are_stored_with_every_field_and_their_row_ids(app, jira, sync_world):
    changes = ItemChanges()
    with sync_world.scope() as session:
        insert_new(session, jira, [EVERY_FIELD, SPARSE], changes)
    rows = _rows(sync_world, jira)
    assert changes.rows == {ext: row.id for ext, row in rows.items()} and len(rows) == 2
    full, sparse = rows["10001"], rows["10002"]
    assert (full.key, full.title, full.status_category, full.status_name, full.estimate, full.parent_ref,
            full.labels, full.assignee, full.url, full.deleted) == (
        "SIM-1", EVERY_FIELD.title, StatusCategory.IN_PROGRESS, "In Review", 2.5, "SIM-0",
        ["p1", "with space"], "acc-1", "https://x.example/browse/SIM-1", False)
    assert full.tracker_updated_at == T0 and sparse.tracker_updated_at == T0   # stored in UTC
    assert (sparse.estimate, sparse.labels, sparse.parent_ref, sparse.deleted) == (None, [], None, True)
    assert full.synced_at is not None


def test_an_item_stored_meanwhile_goes_through_the_update_path(app, jira, sync_world):
    with sync_world.scope() as session:
        insert_new(session, jira, [SPARSE], ItemChanges())
    newer = WorkItem(**{**SPARSE.__dict__, "updated_at": T0 + timedelta(minutes=1),
                        "status_category": StatusCategory.DONE, "deleted": False})
    changes = ItemChanges()
    with sync_world.scope() as session:
        insert_new(session, jira, [EVERY_FIELD, newer], changes)   # as if a webhook raced us to 10002
    rows = _rows(sync_world, jira)
    assert changes.rows == {ext: row.id for ext, row in rows.items()} and changes.stale == 0
    assert rows["10002"].status_category is StatusCategory.DONE and len(rows) == 2
    older = WorkItem(**{**SPARSE.__dict__, "updated_at": T0 - timedelta(minutes=1), "title": "old"})
    changes = ItemChanges()
    with sync_world.scope() as session:
        insert_new(session, jira, [older], changes)   # raced, and older than the store: stale
    assert changes.stale == 1 and _rows(sync_world, jira)["10002"].title == ""


def test_naive_tracker_times_are_refused(app, jira, sync_world):
    naive = WorkItem(**{**SPARSE.__dict__, "updated_at": T0.replace(tzinfo=None)})
    with pytest.raises(Exception, match="naive datetime"):
        with sync_world.scope() as session:
            insert_new(session, jira, [naive], ItemChanges())
    assert _rows(sync_world, jira) == {}


def test_memberships_are_added_once_whatever_repeats(app, jira, sync_world):
    kr = sync_world.key_result(sync_world.objective())
    link = sync_world.link(kr, jira, LinkKind.EPIC, "SIM-0")
    changes = ItemChanges()
    with sync_world.scope() as session:
        insert_new(session, jira, [EVERY_FIELD, SPARSE], changes)
    first, second = changes.rows["10001"], changes.rows["10002"]
    with sync_world.scope() as session:
        add_members(session, [(link, first), (link, first)])
    with sync_world.scope() as session:
        add_members(session, [(link, first), (link, second)])
    with sync_world.scope() as session:
        pairs = session.execute(select(LinkItem.work_link_id, LinkItem.work_item_id)).all()
    assert sorted(pairs) == sorted([(link, first), (link, second)])
