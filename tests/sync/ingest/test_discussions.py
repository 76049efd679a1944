"""Comments and blocking relations of linked work are mined during link resolution and reconcile."""
from __future__ import annotations

import math

import pytest
from sqlalchemy import select

from okr_core.domain import LinkKind, TrackerKind
from okr_core.models import Comment, ItemRelation, WorkItem
from sync.ingest.links import resolve_link_now
from sync.reconcile.passes import reconcile_connection
from tests.sync.sync_world import epic_children


def stored(sync_world, connection_id: int):
    """(comment bodies by item key, relations as (blocker key, blocked key))."""
    with sync_world.scope() as session:
        keys = dict(session.execute(select(WorkItem.external_id, WorkItem.key)
                                    .where(WorkItem.connection_id == connection_id)).all())
        comments: dict[str, list[str]] = {}
        for item, body in session.execute(select(Comment.item_external_id, Comment.body).where(
                Comment.connection_id == connection_id).order_by(Comment.id)):
            comments.setdefault(keys.get(item, item), []).append(body)
        relations = {(keys.get(r.blocker_external_id), keys.get(r.blocked_external_id)) for r in
                     session.scalars(select(ItemRelation).where(ItemRelation.connection_id == connection_id))}
    return comments, relations


def expected(sim, keys):
    comments = {k: [c.body for c in sim.issue(k).comments] for k in keys if sim.issue(k).comments}
    relations = {(k, b) for k in sim.keys() for b in sim.issue(k).blocks if k in keys or b in keys}
    return comments, relations


@pytest.mark.parametrize("tracker", [TrackerKind.JIRA, TrackerKind.LINEAR])
def test_work_linked_after_its_comments_were_written_is_mined_in_one_call_per_batch(
        app, sim, sync_world, tracker):
    connection = sync_world.connection(tracker, sim.url, page_size=50)
    sync_world.team(connection, tracker)
    with app.app_context():
        reconcile_connection(connection)            # stored, linked to nothing yet: not mined
    assert stored(sync_world, connection) == ({}, set())
    ref = "SIM-51" if tracker is TrackerKind.JIRA else sim.store.project_id("SIM-51")
    kind = LinkKind.EPIC if tracker is TrackerKind.JIRA else LinkKind.PROJECT
    kr = sync_world.key_result(sync_world.objective())
    link = sync_world.link(kr, connection, kind, ref)
    sim.reset_calls()
    with app.app_context():
        resolve_link_now(link)
    children = epic_children(sim, "SIM-51")
    comments, relations = stored(sync_world, connection)
    want_comments, want_relations = expected(sim, children)
    assert comments == want_comments and want_comments
    assert relations == want_relations and want_relations
    batch = 100 if tracker is TrackerKind.JIRA else 25
    discussion_calls = [c for c in sim.calls if c.path.endswith("bulkfetch") or c.operation == "IssueDiscussions"]
    assert len(discussion_calls) == math.ceil(len(children) / batch)


def test_reconcile_mines_only_linked_items_that_changed(app, sim, sync_world):
    connection = sync_world.connection(TrackerKind.JIRA, sim.url, page_size=50)
    sync_world.linked_kr(connection, LinkKind.EPIC, "SIM-1")
    with app.app_context():
        first = reconcile_connection(connection)
    assert first.discussion_calls == 1
    key = epic_children(sim, "SIM-1")[3]
    sim.add_comment(key, "Blocked: waiting on the vendor's API keys")
    sim.link_blocks(epic_children(sim, "SIM-1")[4], key)
    with app.app_context():
        second = reconcile_connection(connection)
    assert second.discussion_calls == 1
    comments, relations = stored(sync_world, connection)
    assert "Blocked: waiting on the vendor's API keys" in comments[key]
    assert (epic_children(sim, "SIM-1")[4], key) in relations
    with app.app_context():
        assert reconcile_connection(connection).discussion_calls == 0   # nothing changed


@pytest.mark.parametrize("tracker", [TrackerKind.JIRA, TrackerKind.LINEAR])
def test_items_beyond_the_call_budget_wait_for_the_next_pass(app, sim, sync_world, tracker):
    """One call per pass: what does not fit is carried over (stored), read by the next pass."""
    connection = sync_world.connection(tracker, sim.url, page_size=50, discussion_calls_per_pass=1)
    epics = ["SIM-1", "SIM-51", "SIM-101"] if tracker is TrackerKind.JIRA else ["SIM-51"]
    for epic in epics:   # Jira reads 100 issues per call, Linear 25: two calls' worth either way
        if tracker is TrackerKind.JIRA:
            sync_world.linked_kr(connection, LinkKind.EPIC, epic)
        else:
            sync_world.linked_kr(connection, LinkKind.PROJECT, sim.store.project_id(epic))
    children = [k for epic in epics for k in epic_children(sim, epic)]
    batch = 100 if tracker is TrackerKind.JIRA else 25
    assert batch < len(children) <= 2 * batch
    want = expected(sim, children)
    mined = [c for c in sim.calls if c.path.endswith("bulkfetch") or c.operation == "IssueDiscussions"]
    calls_per_pass = []
    for _ in range(3):
        sim.reset_calls()
        with app.app_context():
            counts = reconcile_connection(connection)
        mined = [c for c in sim.calls if c.path.endswith("bulkfetch") or c.operation == "IssueDiscussions"]
        calls_per_pass.append((counts.discussion_calls, len(mined)))
        if stored(sync_world, connection) == want:
            break
    # The budget held on every pass, and the second pass read what the first left over.
    assert calls_per_pass == [(1, 1), (1, 1)]
    assert want[0] and want[1]
    with app.app_context():
        assert reconcile_connection(connection).discussion_calls == 0   # nothing left, nothing changed
