"""Reconcile against a simulator as strict as Jira Cloud: bounded JQL, the /myself zone,
resolutions, both points fields, bulkfetch and items that move while a pass runs."""
from __future__ import annotations

import pytest

from connector.registry import build_connector
from okr_core.domain import LinkKind, Measure, TrackerKind
from sync.reconcile.passes import reconcile_connection
from tests.simtracker import SimTracker
from tests.sync.sync_world import epic_children, expected_ratio


def run(app, connection_id: int, full: bool = False, connector=None):
    with app.app_context():
        return reconcile_connection(connection_id, full=full, connector=connector)


@pytest.fixture
def jira(sync_world, sim) -> int:
    return sync_world.connection(TrackerKind.JIRA, sim.url, page_size=50)


def test_full_and_incremental_passes_succeed_and_set_the_cursor(app, sim, jira, sync_world):
    kr = sync_world.linked_kr(jira, LinkKind.EPIC, "SIM-51")
    full = run(app, jira, full=True)
    state = sync_world.sync_state(jira)
    assert state.last_error is None and state.cursor is not None and full.items_read == 300
    sim.set_done(next(k for k in epic_children(sim, "SIM-51") if sim.issue(k).state == "todo"))
    incremental = run(app, jira)
    after = sync_world.sync_state(jira)
    assert after.last_error is None and after.cursor > state.cursor and incremental.items_changed == 1
    row = sync_world.kr(kr)
    assert (row.items_done, row.items_total) == expected_ratio(sim, epic_children(sim, "SIM-51"))


def test_a_connection_without_links_or_homes_reads_nothing_without_failing(app, sim, jira, sync_world):
    counts = run(app, jira, full=True)
    assert counts.items_read == 0 and sync_world.sync_state(jira).last_error is None
    assert sim.call_count == 0


def test_changes_are_seen_when_the_account_lives_in_los_angeles(app, sim, jira, sync_world):
    assert sim.jira.time_zone == "America/Los_Angeles"
    kr = sync_world.linked_kr(jira, LinkKind.EPIC, "SIM-1")
    run(app, jira)
    todo = [k for k in epic_children(sim, "SIM-1") if sim.issue(k).state == "todo"]
    for key in todo[:3]:
        sim.set_done(key)
    assert run(app, jira).items_changed == 3
    assert sync_world.kr(kr).items_done == expected_ratio(sim, epic_children(sim, "SIM-1"))[0]


def test_wont_do_and_duplicate_count_as_canceled_and_the_list_is_the_connections(app, sim, sync_world):
    custom = sync_world.connection(TrackerKind.JIRA, sim.url, page_size=50,
                                   not_done_resolutions=["Obsolete"])
    default = sync_world.connection(TrackerKind.JIRA, sim.url, page_size=50)
    children = [k for k in epic_children(sim, "SIM-1") if sim.issue(k).state in ("todo", "in_progress")]
    sim.resolve(children[0], "Duplicate")
    sim.resolve(children[1], "Obsolete")
    krs = {c: sync_world.linked_kr(c, LinkKind.EPIC, "SIM-1") for c in (custom, default)}
    for connection in (custom, default):
        run(app, connection)
    rest = [sim.issue(k) for k in epic_children(sim, "SIM-1") if k not in children[:2]]
    wont_do = sum(i.state == "canceled" for i in rest)
    done = sum(i.state == "done" for i in rest)
    # Default list: Duplicate and Won't Do are canceled (out of the count); Obsolete is done.
    assert (sync_world.kr(krs[default]).items_done, sync_world.kr(krs[default]).items_total) \
        == (done + 1, len(rest) - wont_do + 1)
    # The connection's own list names only Obsolete: Duplicate and Won't Do count as done.
    assert (sync_world.kr(krs[custom]).items_done, sync_world.kr(krs[custom]).items_total) \
        == (done + wont_do + 1, len(rest) + 1)
    assert wont_do > 0


def test_a_pinned_points_field_is_the_only_one_read(app, sim, sync_world):
    pinned = sync_world.connection(TrackerKind.JIRA, sim.url, page_size=50,
                                   story_points_field="customfield_10016")
    kr = sync_world.linked_kr(pinned, LinkKind.EPIC, "SIM-1", Measure.POINTS_DONE_RATIO)
    run(app, pinned)
    counted = [sim.issue(k) for k in epic_children(sim, "SIM-1") if sim.issue(k).state != "canceled"]
    size = [i.points if i.points is not None and not i.team_managed else 1.0 for i in counted]
    assert sync_world.kr(kr).points_total == sum(size)


def test_503_with_retry_after_is_waited_out_like_429():
    sleeps: list[float] = []
    with SimTracker.start(issues=5) as sim:
        sim.rate_limit_wait_seconds = 3.0
        connector = build_connector("jira", sim.url, {"email": "e", "api_token": "t"},
                                    {"retry_base_delay": 0.001, "retry_max_delay": 30}, sleep=sleeps.append)
        sim.inject("503")
        assert connector.get_items(["SIM-2"])[0].key == "SIM-2"
    assert sleeps == [3.0]


class ChangingMidPass:
    """The real connector; when page `page` is read, `change()` edits the tracker first."""

    def __init__(self, connector, page: int, change):
        self.connector, self.page, self.change, self.reads = connector, page, change, 0

    def fetch_changed(self, since, page_cursor=None, scope=None):
        self.reads += 1
        if self.reads == self.page:
            self.change()
        return self.connector.fetch_changed(since, page_cursor, scope=scope)

    def __getattr__(self, name):
        return getattr(self.connector, name)


def _connector(app, connection_id):
    from okr_core.models import Connection
    from plumbing.db import job_session
    from sync.connections.connectors import connector_for

    with app.app_context(), job_session() as session:
        return connector_for(session.get(Connection, connection_id))


@pytest.mark.parametrize("full", [False, True], ids=["incremental", "full"])
def test_items_that_move_between_pages_while_a_pass_runs_are_not_skipped(app, sim, jira, sync_world, full):
    sync_world.team(jira)
    run(app, jira)
    changed = [k for k in sim.keys() if sim.issue(k).state == "todo"][:120]   # three pages of 50
    for key in changed:
        sim.set_state(key, "in_progress")
    # Just before page 2 is read, items of page 1 change again: each moves to the end of the
    # result, and the items behind it shift one place towards the page already read.
    late = changed[:5]
    connector = ChangingMidPass(_connector(app, jira), 2, lambda: [sim.set_done(k) for k in late])
    counts = run(app, jira, full=full, connector=connector)
    # Incremental: the changed items came twice, so the window was read once more.
    assert counts.rewalks == (0 if full else 1)
    stored = sync_world.items(jira)
    wrong = {k: stored[k] for k in changed if stored[k] != ("done" if k in late else "in_progress")}
    assert wrong == {}


def test_a_jql_link_jira_refused_is_left_out_of_the_pass_search(app, sim, jira, sync_world):
    from sync.ingest.links import resolve_link_now

    sync_world.team(jira)
    kr = sync_world.key_result(sync_world.objective())
    bad = sync_world.link(kr, jira, LinkKind.JQL, "priority = P1")   # a field the simulator refuses
    with app.app_context():
        assert resolve_link_now(bad) is None                        # its error is kept on the link
    counts = run(app, jira, full=True)
    assert counts.items_read == 300 and sync_world.sync_state(jira).last_error is None


@pytest.mark.parametrize("full", [True, False])
def test_a_deleted_epic_costs_its_link_not_the_whole_pass(app, sim, jira, sync_world, full):
    """Jira refuses `parent in (...)` naming a deleted epic; the pass reads the rest and says why."""
    kept = sync_world.linked_kr(jira, LinkKind.EPIC, "SIM-1")
    sync_world.linked_kr(jira, LinkKind.EPIC, "SIM-51")
    run(app, jira, full=True)
    sim.delete("SIM-51")                                   # no webhook told us
    sim.set_done(next(k for k in epic_children(sim, "SIM-1") if sim.issue(k).state == "todo"))
    counts = run(app, jira, full=full)
    state = sync_world.sync_state(jira)
    assert state.last_error is None and counts.items_changed >= 1
    assert sync_world.kr(kept).items_done == expected_ratio(sim, epic_children(sim, "SIM-1"))[0]
    errors = {link.ref: link.last_error for link in sync_world.links(jira)}
    assert errors["SIM-1"] is None and "SIM-51" in errors["SIM-51"]
    sim.reset_calls()
    run(app, jira)                                         # the next pass leaves the epic out at once
    assert all(c.status == 200 for c in sim.calls)
