"""plan_page and plan_resolution as pure data: no database, no HTTP."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from okr_core.domain import LinkKind, StatusCategory, WorkItem
from sync.ingest.plan import (
    OVERLAP, LinkView, PassState, StoredItem, plan_page, plan_resolution, since_for,
)

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=timezone.utc)
EPIC_LINK = LinkView(id=1, key_result_id=10, kind=LinkKind.EPIC, ref="SIM-1")
JQL_LINK = LinkView(id=2, key_result_id=20, kind=LinkKind.JQL, ref="labels = p1")
SAME_JQL = LinkView(id=3, key_result_id=30, kind=LinkKind.JQL, ref=" labels = p1 ")


def item(n: int, minutes: int = 0, parent: str | None = "SIM-1", deleted: bool = False,
         status: StatusCategory = StatusCategory.TODO) -> WorkItem:
    return WorkItem(external_id=str(n), key=f"SIM-{n}", title=f"Issue {n}", status_category=status,
                    updated_at=T0 + timedelta(minutes=minutes), parent_ref=parent, deleted=deleted)


def test_duplicates_in_a_page_are_dropped_keeping_the_newest():
    plan = plan_page(PassState(newest_first=False), [item(2, 1), item(2, 5, parent=None)], {},
                     [EPIC_LINK], is_last=True)
    assert plan.duplicates == 1
    assert [i.updated_at for i in plan.upserts] == [T0 + timedelta(minutes=5)]
    assert plan.member_adds == set()  # the newest version left the epic


def test_items_older_than_the_store_are_stale_and_equal_ones_unchanged():
    stored = {"2": StoredItem(7, T0 + timedelta(minutes=3)), "3": StoredItem(8, T0)}
    plan = plan_page(PassState(newest_first=False), [item(2, 1), item(3, 0)], stored, [EPIC_LINK],
                     is_last=True)
    assert (plan.stale, plan.unchanged, plan.upserts) == (1, 1, [])
    assert plan.key_result_ids == set()


def test_a_new_item_in_the_epic_joins_the_link_and_touches_its_key_result():
    plan = plan_page(PassState(newest_first=False), [item(4)], {}, [EPIC_LINK], is_last=True)
    assert plan.member_adds == {(1, "4")}
    assert plan.key_result_ids == {10}


def test_an_item_moved_out_of_the_epic_or_deleted_leaves_the_link():
    stored = {"4": StoredItem(9, T0, frozenset({1})), "5": StoredItem(10, T0, frozenset({1}))}
    items = [item(4, 2, parent=None), item(5, 2, deleted=True)]
    plan = plan_page(PassState(newest_first=False), items, stored, [EPIC_LINK], is_last=True)
    assert plan.member_removes == {(1, "4"), (1, "5")}
    assert plan.key_result_ids == {10}


def test_tracker_evaluated_links_are_rescoped_once_per_distinct_scope():
    plan = plan_page(PassState(newest_first=False), [item(4), item(5)], {},
                     [JQL_LINK, SAME_JQL], is_last=True)
    assert plan.rescope == {("jql", "labels = p1")}
    assert plan.member_adds == set()


def test_oldest_first_pages_advance_the_cursor_every_page():
    state = PassState(newest_first=False)
    first = plan_page(state, [item(1, 1), item(2, 2)], {}, [], is_last=False)
    last = plan_page(state, [item(3, 3)], {}, [], is_last=True)
    assert (first.cursor, last.cursor) == (T0 + timedelta(minutes=2), T0 + timedelta(minutes=3))


def test_newest_first_pages_store_the_highest_time_only_with_the_last_page():
    state = PassState(newest_first=True)
    first = plan_page(state, [item(3, 9), item(2, 8)], {}, [], is_last=False)
    last = plan_page(state, [item(1, 1)], {}, [], is_last=True)
    assert first.cursor is None
    assert last.cursor == T0 + timedelta(minutes=9)


def test_full_pass_rechecks_membership_of_unchanged_items():
    stored = {"4": StoredItem(9, T0)}
    incremental = plan_page(PassState(newest_first=False), [item(4)], stored, [EPIC_LINK], True)
    full = plan_page(PassState(newest_first=False, recheck_all=True), [item(4)], stored, [EPIC_LINK], True)
    assert incremental.member_adds == set()
    assert full.member_adds == {(1, "4")}


def test_resolution_replaces_members_for_every_link_of_the_scope():
    current = {2: frozenset({"4", "5"}), 3: frozenset()}
    plan = plan_resolution([JQL_LINK, SAME_JQL], [item(5), item(6), item(7, deleted=True)], current, {})
    assert plan.member_removes == {(2, "4")}
    assert plan.member_adds == {(2, "6"), (3, "5"), (3, "6")}
    assert plan.key_result_ids == {20, 30}


def test_incremental_reads_start_an_overlap_before_the_cursor():
    assert since_for(None) is None
    assert since_for(T0) == T0 - OVERLAP
    assert OVERLAP >= timedelta(minutes=1)   # JQL compares at minute precision


def test_the_link_index_agrees_with_link_matches_on_every_pair():
    from okr_core.domain import WorkItem as Item
    from okr_core.membership import link_matches
    from sync.ingest.plan import LinkIndex

    links = [LinkView(1, 1, LinkKind.EPIC, "SIM-1"), LinkView(2, 1, LinkKind.ISSUE, "sim-7"),
             LinkView(3, 2, LinkKind.ISSUE, "10007"), LinkView(4, 2, LinkKind.LABEL, "P1"),
             LinkView(5, 3, LinkKind.PROJECT, "proj-a"), LinkView(6, 3, LinkKind.JQL, "labels = p1"),
             LinkView(7, 4, LinkKind.LABEL, "0d6c3f5e-64a4-4b7a-9a53-5e5f8a9b3c11")]
    items = [Item(str(10000 + n), f"SIM-{n}", "", StatusCategory.TODO, T0, parent_ref=parent, labels=labels)
             for n, parent, labels in [(7, "SIM-1", ("p1",)), (8, "sim-1", ()), (9, None, ("P1", "x")),
                                       (10, "PROJ-A", ()), (11, "SIM-51", ("backend",))]]
    index = LinkIndex(links)
    for one in items:
        expected = {link.id for link in links if link_matches(link.kind, link.ref, one) is True}
        assert index.matching(one) == expected, one.key
    assert index.tracker_scopes == {("jql", "labels = p1"),
                                    ("label", "0d6c3f5e-64a4-4b7a-9a53-5e5f8a9b3c11")}
