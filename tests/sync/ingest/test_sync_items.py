"""ingest and resolve_link_now: the item store and a link's first resolution."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from okr_core.domain import LinkKind, StatusCategory, TrackerKind, WorkItem
from okr_core.models import WorkItem as WorkItemRow, WorkLink
from sync.ingest.apply import ingest
from sync.ingest.plan import PagePlan
from sync.ingest.links import resolve_link_now
from tests.sync.sync_world import epic_children, expected_ratio

T0 = datetime(2026, 11, 1, tzinfo=timezone.utc)


def item(n: int, minutes: int, status: StatusCategory = StatusCategory.TODO, **extra) -> WorkItem:
    return WorkItem(external_id=str(n), key=f"K-{n}", title=f"Item {n}", status_category=status,
                    updated_at=T0 + timedelta(minutes=minutes), **extra)


def stored(sync_world, connection_id: int) -> dict[str, tuple]:
    with sync_world.scope() as session:
        return {r.external_id: (r.status_category, r.tracker_updated_at, tuple(r.labels)) for r in
                session.scalars(select(WorkItemRow).where(WorkItemRow.connection_id == connection_id))}


def test_ingest_keeps_what_is_newer_whether_or_not_planning_saw_it(app, jira, sync_world):
    with sync_world.scope() as session:
        assert ingest(session, jira, PagePlan(upserts=[item(1, 5), item(2, 5)])) == 2
    with sync_world.scope() as session:
        # Unplanned (stored=None): the SQL guard alone keeps the store's newer version of 2.
        ingest(session, jira, PagePlan(upserts=[
            item(1, 9, StatusCategory.DONE, labels=("p1",)),   # newer: stored
            item(2, 3, StatusCategory.DONE),                   # older than the store: left alone
            item(3, 0)]))                                      # new
    rows = stored(sync_world, jira)
    assert rows["1"] == (StatusCategory.DONE, T0 + timedelta(minutes=9), ("p1",))
    assert rows["2"] == (StatusCategory.TODO, T0 + timedelta(minutes=5), ())
    assert set(rows) == {"1", "2", "3"}


def test_a_deletion_with_a_time_drops_memberships_and_outlives_older_copies(app, jira, sync_world):
    kr = sync_world.linked_kr(jira, LinkKind.ISSUE, "K-1")
    with sync_world.scope() as session:
        link_id = session.scalar(select(WorkLink.id).where(WorkLink.key_result_id == kr))
        ingest(session, jira, PagePlan(upserts=[item(1, 5)], member_adds={(link_id, "1")}))
    assert sync_world.members(link_id) == {"K-1"}
    with sync_world.scope() as session:
        ingest(session, jira, PagePlan(deletions={"1": T0 + timedelta(minutes=7)}))
    with sync_world.scope() as session:
        ingest(session, jira, PagePlan(upserts=[item(1, 6)]))   # a late copy from before
    with sync_world.scope() as session:
        row = session.scalars(select(WorkItemRow).where(WorkItemRow.connection_id == jira)).one()
        assert (row.deleted, row.tracker_updated_at) == (True, T0 + timedelta(minutes=7))
    assert sync_world.members(link_id) == set()


def test_an_item_whose_estimate_is_kept_leaves_the_stored_one(app, jira, sync_world):
    with sync_world.scope() as session:
        ingest(session, jira, PagePlan(upserts=[item(1, 5, estimate=3.0), item(2, 5, estimate=3.0)]))
    with sync_world.scope() as session:
        ingest(session, jira, PagePlan(upserts=[item(1, 6), item(2, 6)], estimate_kept={"1"}))
    with sync_world.scope() as session:
        estimates = dict(session.execute(select(WorkItemRow.external_id, WorkItemRow.estimate)
                                         .where(WorkItemRow.connection_id == jira)).all())
    assert estimates == {"1": 3.0, "2": None}


def test_resolving_a_link_stores_its_members_and_recounts_the_kr(app, sim, jira, sync_world):
    kr = sync_world.linked_kr(jira, LinkKind.EPIC, "SIM-51")
    with sync_world.scope() as session:
        link_id = session.scalar(select(WorkLink.id).where(WorkLink.key_result_id == kr))
    with app.app_context():
        count = resolve_link_now(link_id)
    children = epic_children(sim, "SIM-51")
    assert count == len(children)
    assert sync_world.members(link_id) == set(children)
    row = sync_world.kr(kr)
    assert (row.items_done, row.items_total) == expected_ratio(sim, children)


def test_a_link_the_tracker_refuses_records_the_error_on_the_link(app, sim, sync_world):
    broken = sync_world.connection(TrackerKind.JIRA, sim.url)
    kr = sync_world.linked_kr(broken, LinkKind.JQL, "this is not JQL")
    with sync_world.scope() as session:
        link_id = session.scalar(select(WorkLink.id).where(WorkLink.key_result_id == kr))
    with app.app_context():
        assert resolve_link_now(link_id) is None
    with sync_world.scope() as session:
        assert session.get(WorkLink, link_id).last_error.startswith("RequestRejected")
