"""Reconcile passes end to end against the simulated tracker, on SQLite and PostgreSQL."""
from __future__ import annotations

import math

import pytest

from okr_core.domain import LinkKind, Measure, TrackerKind
from sync.reconcile.passes import reconcile_connection
from tests.sync.sync_world import expected_ratio, epic_children

POINTS = {"story_points_field": "customfield_10016"}   # pinned: the other points field is ignored


@pytest.fixture
def jira(sync_world, sim) -> int:
    return sync_world.connection(TrackerKind.JIRA, sim.url, page_size=50)


def searches(sim) -> int:
    return sum(c.path.endswith("/search/jql") for c in sim.calls)


def paths(sim) -> list[str]:
    return [c.path.rsplit("/", 1)[-1] for c in sim.calls]


def run(app, connection_id: int, full: bool = False, connector=None):
    with app.app_context():
        return reconcile_connection(connection_id, full=full, connector=connector)


def test_first_pass_reads_every_item_once_per_page_and_counts_the_epic(app, sim, jira, sync_world):
    kr = sync_world.linked_kr(jira, LinkKind.EPIC, "SIM-1")
    sim.reset_calls()
    counts = run(app, jira)
    # /field once (the points fields, cached per connection), one search per page, then the
    # comments and blocking links of the linked items, 100 to a bulkfetch.
    linked = len(epic_children(sim, "SIM-1"))
    assert paths(sim) == ["field"] + ["jql"] * math.ceil(300 / 50) + ["bulkfetch"] * math.ceil(linked / 100)
    assert counts.items_read == counts.items_changed == sync_world.item_count(jira) == 300
    row = sync_world.kr(kr)
    assert (row.items_done, row.items_total) == expected_ratio(sim, epic_children(sim, "SIM-1"))


def test_an_item_moved_to_done_moves_its_key_result_with_one_call_and_one_snapshot(app, sim, jira, sync_world):
    kr = sync_world.linked_kr(jira, LinkKind.EPIC, "SIM-1")
    run(app, jira)
    before, snapshots = sync_world.kr(kr), sync_world.snapshots(kr)
    todo = next(k for k in epic_children(sim, "SIM-1") if sim.issue(k).state in ("todo", "in_progress"))
    sim.set_done(todo)
    sim.reset_calls()
    counts = run(app, jira)
    after = sync_world.kr(kr)
    # /myself once (the zone JQL dates are read in, then cached), then ceil(changed / page size)
    # searches, the overlap re-read included, and one bulkfetch for the changed item's comments.
    assert paths(sim) == ["myself", "jql", "bulkfetch"]
    assert after.items_done == before.items_done + 1
    assert after.progress > before.progress
    assert sync_world.snapshots(kr) == snapshots + 1
    assert counts.key_results_moved == 1
    sim.reset_calls()
    run(app, jira)                         # nothing changed: no new snapshot
    assert sync_world.snapshots(kr) == snapshots + 1
    assert paths(sim) == ["jql"]           # the zone and fields come from the connection's cache


def test_full_pass_notices_items_moved_relabelled_and_deleted(app, sim, jira, sync_world):
    epic_kr = sync_world.linked_kr(jira, LinkKind.EPIC, "SIM-1")
    p1 = [i.key for i in sim.store.live() if "p1" in i.labels]
    label_kr = sync_world.linked_kr(jira, LinkKind.JQL, "labels = p1")
    run(app, jira)
    children = epic_children(sim, "SIM-1")
    moved, deleted = children[0], children[1]
    sim.move_out_of_epic(moved)
    sim.delete(deleted)
    sim.relabel(p1[0], ["backend"])
    run(app, jira)                         # incremental: moved and relabelled are seen
    links = {kr: _link_of(sync_world, kr) for kr in (epic_kr, label_kr)}
    assert moved not in sync_world.members(links[epic_kr])
    assert p1[0] not in sync_world.members(links[label_kr])
    assert deleted in sync_world.members(links[epic_kr])   # Jira search cannot show a deletion
    counts = run(app, jira, full=True)
    assert counts.deleted == 1
    assert sync_world.members(links[epic_kr]) == set(epic_children(sim, "SIM-1"))
    assert sync_world.members(links[label_kr]) == {i.key for i in sim.store.live() if "p1" in i.labels}
    row = sync_world.kr(epic_kr)
    assert (row.items_done, row.items_total) == expected_ratio(sim, epic_children(sim, "SIM-1"))


def _link_of(sync_world, kr_id: int) -> int:
    from sqlalchemy import select

    from okr_core.models import WorkLink
    with sync_world.scope() as session:
        return session.scalar(select(WorkLink.id).where(WorkLink.key_result_id == kr_id))


def test_canceled_items_and_items_read_twice_are_not_counted(app, sim, linear, sync_world):
    project = sim.store.project_id("SIM-51")
    kr = sync_world.linked_kr(linear, LinkKind.PROJECT, project)
    # The same project through a second link: its items must still count once.
    sync_world.link(kr, linear, LinkKind.FILTER, '{"project": {"id": {"eq": "%s"}}}' % project)
    run(app, linear)
    children = epic_children(sim, "SIM-51")
    sim.set_state(next(k for k in children if sim.issue(k).state != "canceled"), "canceled")
    run(app, linear)
    row = sync_world.kr(kr)
    done, total = expected_ratio(sim, children, TrackerKind.LINEAR)
    assert (row.items_done, row.items_total) == (done, total)
    assert total < len(children)


def test_points_and_item_count_measures(app, sim, jira, sync_world):
    points_kr = sync_world.linked_kr(jira, LinkKind.EPIC, "SIM-1", Measure.POINTS_DONE_RATIO)
    open_p1 = sync_world.linked_kr(jira, LinkKind.JQL, "labels = p1", Measure.ITEM_COUNT,
                                   start=50.0, target=0.0)
    run(app, jira)
    counted = [sim.issue(k) for k in epic_children(sim, "SIM-1")]
    size = [i.points if i.points is not None else 1.0 for i in counted]
    size = [s for s, i in zip(size, counted) if i.state != "canceled"]   # Won't Do counts nowhere
    done = sum(s for s, i in zip(size, [i for i in counted if i.state != "canceled"]) if i.state == "done")
    row = sync_world.kr(points_kr)
    # Points come from "Story Points" or "Story point estimate", whichever the issue uses.
    assert (row.points_done, row.points_total) == (done, sum(size))
    assert row.current_value == pytest.approx(100 * done / sum(size))  # a percentage
    still_open = [i for i in sim.store.live() if "p1" in i.labels and i.state in ("todo", "in_progress")]
    assert sync_world.kr(open_p1).items_total >= len(still_open)
    assert sync_world.kr(open_p1).current_value == len(still_open)


class FailingOnPage:
    """The real connector, with the simulator told to fail from the n-th page read on."""

    def __init__(self, connector, sim, page: int, fault: str, count: int):
        self.connector, self.sim, self.page, self.fault, self.count = connector, sim, page, fault, count
        self.reads = 0

    def fetch_changed(self, since, page_cursor=None, scope=None):
        self.reads += 1
        if self.reads == self.page:
            self.sim.inject(self.fault, self.count)
        return self.connector.fetch_changed(since, page_cursor, scope=scope)

    def __getattr__(self, name):
        return getattr(self.connector, name)


def _connector(app, connection_id):
    from okr_core.models import Connection
    from plumbing.db import job_session
    from sync.connections.connectors import connector_for

    with app.app_context(), job_session() as session:
        return connector_for(session.get(Connection, connection_id))


@pytest.mark.parametrize("tracker", [TrackerKind.JIRA, TrackerKind.LINEAR])
def test_a_pass_broken_by_5xx_resumes_without_skipping_or_double_counting(app, sim, sync_world, tracker):
    connection = sync_world.connection(tracker, sim.url, page_size=50, max_attempts=2,
                                       reconcile_batch_items=50, **POINTS)
    ref = "SIM-1" if tracker is TrackerKind.JIRA else sim.store.project_id("SIM-1")
    kr = sync_world.linked_kr(connection, LinkKind.EPIC if tracker is TrackerKind.JIRA else LinkKind.PROJECT, ref)
    broken = FailingOnPage(_connector(app, connection), sim, page=4, fault="503", count=2)
    with pytest.raises(Exception):
        run(app, connection, connector=broken)
    state = sync_world.sync_state(connection)
    assert state.last_error.startswith("RetriesExhausted")
    if tracker is TrackerKind.JIRA:
        assert state.cursor is not None     # oldest first: the three stored pages are covered
        assert sync_world.item_count(connection) == 150
    else:
        assert state.cursor is None         # newest first: nothing is covered until the last page
    counts = run(app, connection)
    assert sync_world.item_count(connection) == 300
    row = sync_world.kr(kr)
    assert (row.items_done, row.items_total) == expected_ratio(sim, epic_children(sim, "SIM-1"), tracker)
    assert sync_world.sync_state(connection).last_error is None
    assert counts.items_read <= 300


def test_rate_limiting_mid_pass_is_waited_out(app, sim, jira, sync_world):
    kr = sync_world.linked_kr(jira, LinkKind.EPIC, "SIM-1")
    broken = FailingOnPage(_connector(app, jira), sim, page=3, fault="429", count=2)
    counts = run(app, jira, connector=broken)
    assert counts.items_read == 300
    assert sum(call.status == 429 for call in sim.calls) == 2
    row = sync_world.kr(kr)
    assert (row.items_done, row.items_total) == expected_ratio(sim, epic_children(sim, "SIM-1"))


def test_linear_incremental_pass_sees_trashed_issues_and_label_id_links(app, sim, linear, sync_world):
    from tests.simtracker.data import stable_uuid

    project = sim.store.project_id("SIM-1")
    kr = sync_world.linked_kr(linear, LinkKind.PROJECT, project)
    label_kr = sync_world.linked_kr(linear, LinkKind.LABEL, stable_uuid("label:p1"))
    run(app, linear)
    victim = epic_children(sim, "SIM-1")[0]
    sim.delete(victim)
    sim.relabel(next(i.key for i in sim.store.live() if "p1" in i.labels), [])
    run(app, linear)
    row = sync_world.kr(kr)
    assert (row.items_done, row.items_total) == expected_ratio(sim, epic_children(sim, "SIM-1"),
                                                                TrackerKind.LINEAR)
    p1 = [i.key for i in sim.store.live() if "p1" in i.labels]
    assert sync_world.members(_link_of(sync_world, label_kr)) == set(p1)
