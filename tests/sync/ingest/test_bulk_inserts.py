"""The bulk insert paths of a reconcile batch, on SQLite and PostgreSQL (its JSON recordset statements)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import event, select

from okr_core.domain import LinkKind, StatusCategory, WorkItem
from okr_core.models import LinkItem, WorkItem as WorkItemRow
from sync.ingest.items import ItemChanges, insert_new
from sync.ingest.apply import add_members
from sync.ingest.discussions import defer_discussions
from okr_core.models import DiscussionBacklog

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


UNUSUAL = WorkItem(external_id="10003", key="SIM-3", title='Ünïcode 🚀 back\\slash "q" \'s\' {a,b} NULL\nline',
                   status_category=StatusCategory.DONE, updated_at=T0, estimate=0.0,
                   labels=('say "hi"', "back\\slash", "日本", "NULL", "a,b", "{x}"), assignee=None,
                   url=None, status_name=None)


def test_text_of_any_kind_is_stored_exactly(app, jira, sync_world):
    with sync_world.scope() as session:
        insert_new(session, jira, [UNUSUAL], ItemChanges())
    row = _rows(sync_world, jira)["10003"]
    assert (row.title, row.labels, row.estimate, row.assignee, row.url, row.status_name) == (
        UNUSUAL.title, list(UNUSUAL.labels), 0.0, None, None, None)


def test_a_nul_in_a_trackers_text_does_not_fail_the_page(app, jira, sync_world):
    """PostgreSQL refuses U+0000 in text (and in its JSON recordset): the item is stored without it."""
    item = WorkItem(**{**EVERY_FIELD.__dict__, "title": "Fix\x00 login", "labels": ("p\x001",),
                       "status_name": "In\x00 Review"})
    with sync_world.scope() as session:
        insert_new(session, jira, [item, SPARSE], ItemChanges())
    rows = _rows(sync_world, jira)
    assert (rows["10001"].title, rows["10001"].labels, rows["10001"].status_name) == (
        "Fix login", ["p1"], "In Review")
    assert len(rows) == 2


def test_postgresql_bulk_statements_take_their_rows_as_one_parameter(app, jira, sync_world):
    """psycopg adapts every element of an array parameter in Python (40-90 ms of CPU for a batch
    of 500 items); one JSON string is passed as it is."""
    with sync_world.scope() as session:
        engine = session.get_bind()
    if engine.dialect.name != "postgresql":
        pytest.skip("the statements under test are PostgreSQL's")
    kr = sync_world.key_result(sync_world.objective())
    link = sync_world.link(kr, jira, LinkKind.EPIC, "SIM-0")
    sent: list[dict] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().startswith("INSERT"):
            sent.append(parameters)

    event.listen(engine, "before_cursor_execute", record)
    try:
        changes = ItemChanges()
        with sync_world.scope() as session:
            insert_new(session, jira, [EVERY_FIELD, SPARSE, UNUSUAL], changes)
            add_members(session, [(link, row_id) for row_id in changes.rows.values()])
            defer_discussions(session, jira, ["10001", "10002"])
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert len(sent) == 3   # one statement each, whatever the number of rows
    for parameters in sent:
        assert isinstance(parameters, dict)
        assert not any(isinstance(value, (list, tuple)) for value in parameters.values())
    assert len(changes.rows) == 3


def test_items_queued_for_mining_keep_their_first_place(app, jira, sync_world):
    with sync_world.scope() as session:
        defer_discussions(session, jira, ["10002", "10001", "10001"])
    with sync_world.scope() as session:
        first = dict(session.execute(select(DiscussionBacklog.item_external_id,
                                            DiscussionBacklog.queued_at)).all())
    with sync_world.scope() as session:
        defer_discussions(session, jira, ["10001", "10003"])
    with sync_world.scope() as session:
        now = dict(session.execute(select(DiscussionBacklog.item_external_id,
                                          DiscussionBacklog.queued_at)).all())
    assert sorted(now) == ["10001", "10002", "10003"]
    assert now["10001"] == first["10001"] and now["10002"] == first["10002"]
