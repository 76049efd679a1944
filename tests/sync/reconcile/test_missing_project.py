"""A tracked Jira project that was deleted (or renamed, or never existed) costs its own links and
homes, not the whole pass: Jira refuses any search naming it ("The value 'X' does not exist for
the field 'project'.")."""
from __future__ import annotations

import pytest

from okr_core.domain import LinkKind, TrackerKind
from plumbing.queue import get_queue
from sync.jobs import reconcile_job
from sync.reconcile.passes import reconcile_connection
from tests.simtracker import SimTracker
from tests.sync.sync_world import epic_children, expected_ratio


@pytest.fixture
def projects_sim():
    """300 issues in SIM, SIM2 and SIM3 (whole epics each: SIM-1, SIM2-51, SIM3-101...)."""
    with SimTracker.start(issues=300, page_size=50, projects=3) as tracker:
        yield tracker


def run(app, connection_id: int, full: bool = False):
    with app.app_context():
        return reconcile_connection(connection_id, full=full)


@pytest.mark.parametrize("full", [True, False])
def test_a_deleted_project_costs_its_links_and_homes_not_the_whole_pass(app, projects_sim, sync_world, full):
    sim = projects_sim
    jira = sync_world.connection(TrackerKind.JIRA, sim.url, page_size=50)
    sync_world.team(jira, home="SIM2")
    sync_world.team(jira, home="SIM3")
    kept = sync_world.linked_kr(jira, LinkKind.EPIC, "SIM-1")
    sync_world.linked_kr(jira, LinkKind.EPIC, "SIM2-51")
    sync_world.linked_kr(jira, LinkKind.ISSUE, "SIM2-60")
    run(app, jira, full=True)
    before = sync_world.sync_state(jira)
    assert before.last_error is None and "SIM2-60" in sync_world.items(jira)

    sim.delete_project("SIM2")                             # no webhook told us
    sim.set_done(next(k for k in epic_children(sim, "SIM-1") if sim.issue(k).state == "todo"))
    counts = run(app, jira, full=full)
    state = sync_world.sync_state(jira)
    assert state.last_error is None and state.cursor > before.cursor and counts.items_changed >= 1
    assert sync_world.kr(kept).items_done == expected_ratio(sim, epic_children(sim, "SIM-1"))[0]
    errors = {link.ref: link.last_error for link in sync_world.links(jira)}
    assert errors["SIM-1"] is None
    for ref in ("SIM2-51", "SIM2-60"):
        assert "Project SIM2 no longer exists" in errors[ref]
    # The team homed on SIM2: the pass says which tracked projects it could not read.
    assert state.last_counts["projects_missing"] == ["SIM2"]

    sim.restore_project("SIM2")
    run(app, jira, full=full)
    restored = sync_world.sync_state(jira)
    assert restored.last_error is None and restored.last_counts["projects_missing"] == []
    assert all(link.last_error is None for link in sync_world.links(jira))
    assert "SIM2-60" in sync_world.items(jira)


def test_a_split_pass_leaves_a_deleted_project_out_of_each_part(app, projects_sim, sync_world):
    sim = projects_sim
    jira = sync_world.connection(TrackerKind.JIRA, sim.url, page_size=50, reconcile_split=True)
    kept = sync_world.linked_kr(jira, LinkKind.EPIC, "SIM-1")
    sync_world.linked_kr(jira, LinkKind.EPIC, "SIM2-51")
    sync_world.linked_kr(jira, LinkKind.ISSUE, "SIM3-110")
    sync_world.linked_kr(jira, LinkKind.JQL, "labels = p1")      # a part outside the projects
    sim.delete_project("SIM2")
    with app.app_context():
        reconcile_job(jira, full=True)                  # queues the parts; the embedded queue runs them
        get_queue().drain(timeout=120)
    state = sync_world.sync_state(jira)
    assert state.last_error is None and state.cursor is not None
    assert state.last_counts["projects_missing"] == ["SIM2"]
    assert sync_world.kr(kept).items_done == expected_ratio(sim, epic_children(sim, "SIM-1"))[0]
    errors = {link.ref: link.last_error for link in sync_world.links(jira)}
    assert "Project SIM2 no longer exists" in errors["SIM2-51"] and errors["SIM3-110"] is None
