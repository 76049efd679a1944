"""A pass split by project (Jira) or team (Linear) across workers (sync.reconcile.split) stores and
counts what one pass does, once, and each part resumes from its own cursor."""
from __future__ import annotations

from datetime import datetime

import pytest

from okr_core.domain import LinkKind, TrackerKind
from okr_core.models import Connection
from plumbing.queue import get_queue
from sync.connections.connectors import connector_for
from sync.ingest.apply import PART_CURSORS
from sync.ingest.plan import since_for
from sync.jobs import reconcile_job
from sync.reconcile import split as split_module
from sync.reconcile.lock import PassAlreadyRunning, pass_lock
from sync.reconcile.passes import reconcile_connection
from sync.reconcile.split import SPLIT, run_part, split_parts, start_split
from sync.reconcile.tracked_scope import tracked_scope
from tests.simtracker import SimTracker
from tests.simtracker.data import stable_uuid
from tests.simtracker.linear_api import team_id
from tests.sync.sync_world import SyncWorld

ISSUES, PROJECTS = 400, 3


@pytest.fixture
def projects_sim():
    """400 issues in three projects (SIM, SIM2, SIM3), whole epics each, pages of 50."""
    with SimTracker.start(issues=ISSUES, page_size=50, linear_page_size=50, projects=PROJECTS) as tracker:
        yield tracker


def linked_world(world: SyncWorld, sim, split: bool) -> tuple[int, list[int]]:
    """A Jira connection (split or not) with a KR per epic and one JQL-linked KR; (id, KR ids)."""
    connection = world.connection(TrackerKind.JIRA, sim.url, page_size=50, reconcile_split=split)
    epics = [i.key for i in sim.store.live() if i.issuetype == "Epic"]
    krs = [world.linked_kr(connection, LinkKind.EPIC, epic) for epic in epics]
    krs.append(world.linked_kr(connection, LinkKind.JQL, "labels = p1"))
    return connection, krs


def counted(world: SyncWorld, krs: list[int]) -> list[tuple[int, int]]:
    return [(world.kr(kr).items_total, world.kr(kr).items_done) for kr in krs]


def parts_of(app, world: SyncWorld, connection: int) -> dict:
    """The parts a split pass of this connection would queue."""
    with app.app_context(), world.scope() as session:
        scope = tracked_scope(session, connection)
        connector = connector_for(session.get(Connection, connection))
        try:
            return split_parts(connector, scope)
        finally:
            connector.close()


def test_the_parts_are_the_projects_and_what_lies_outside_them(app, projects_sim, sync_world):
    connection, _ = linked_world(sync_world, projects_sim, split=True)
    parts = parts_of(app, sync_world, connection)
    assert sorted(parts) == ["*", "SIM", "SIM2", "SIM3"]
    assert parts["SIM2"].containers == ("SIM2",) and not parts["SIM2"].parents
    # The rest reads epic children and JQL matches outside the three projects only.
    assert parts["*"].excluded == ("SIM", "SIM2", "SIM3") and parts["*"].queries == ("labels = p1",)


def whole_then_split(app, sync_world, whole: tuple, parted: tuple):
    """One first pass of `whole`, a split first pass of `parted` (connection, KR ids): every issue
    stored once and each KR counting what the whole pass counted; the split connection's state."""
    (whole_id, whole_krs), (parted_id, parted_krs) = whole, parted
    with app.app_context():
        reconcile_connection(whole_id, full=True)
        reconcile_job(parted_id, full=True)        # queues the parts; the embedded queue runs them
        get_queue().drain(timeout=120)
    assert sync_world.item_count(parted_id) == sync_world.item_count(whole_id) == ISSUES
    assert counted(sync_world, parted_krs) == counted(sync_world, whole_krs)
    assert all(total > 0 for total, _ in counted(sync_world, parted_krs))
    state = sync_world.sync_state(parted_id)
    assert SPLIT not in state.last_counts and state.last_error is None
    assert state.last_counts["items_read"] == ISSUES
    return state


def test_a_split_first_pass_counts_what_one_pass_counts(app, projects_sim, sync_world):
    whole, whole_krs = linked_world(sync_world, projects_sim, split=False)
    parted, parted_krs = linked_world(sync_world, projects_sim, split=True)
    state = whole_then_split(app, sync_world, (whole, whole_krs), (parted, parted_krs))
    assert state.last_kind == "full"
    # Each part read to its own newest item; the connection's cursor is the oldest of those.
    newest = {}
    for issue in projects_sim.store.live():
        project = issue.key.split("-")[0]
        newest[project] = max(newest.get(project, issue.updated), issue.updated)
    assert state.cursor == min(newest.values()) < sync_world.sync_state(whole).cursor == max(newest.values())
    assert state.last_finished_at > state.last_started_at   # the lock was released
    with app.app_context(), pass_lock(parted):
        pass


def test_a_part_queued_twice_runs_once_and_the_split_holds_the_connection(app, projects_sim,
                                                                         sync_world, monkeypatch):
    connection, _ = linked_world(sync_world, projects_sim, split=True)
    queued = []
    monkeypatch.setattr(split_module, "enqueue", lambda name, *args, **options: queued.append((name, args)))
    with app.app_context():
        parts = start_split(connection, full=True)
        with pytest.raises(PassAlreadyRunning):
            reconcile_connection(connection)
        split_id = queued[0][1][1]
        assert run_part(connection, split_id, "SIM2") is True
        assert run_part(connection, split_id, "SIM2") is False      # already done
        assert run_part(connection, "another-split", "SIM") is False
        assert sync_world.item_count(connection) == sum(
            1 for i in projects_sim.store.live() if i.key.startswith("SIM2-"))
        for part in parts:
            run_part(connection, split_id, part)
    assert [name for name, _ in queued] == ["reconcile_part"] * 4 + ["finish_split"]


def test_a_failed_part_leaves_the_cursor_and_deletes_nothing(app, projects_sim, sync_world, monkeypatch):
    connection, krs = linked_world(sync_world, projects_sim, split=True)
    with app.app_context():
        reconcile_connection(connection, full=True)      # unsplit here: everything stored once
        cursor = sync_world.sync_state(connection).cursor
        real = split_module.read_changed

        def sim3_down(connection_id, connector, state, since, index, batch_items, counts, lock, scope,
                      **options):
            if scope.containers == ("SIM3",):
                raise ConnectionError("Jira answered 503")
            return real(connection_id, connector, state, since, index, batch_items, counts, lock, scope,
                        **options)
        monkeypatch.setattr(split_module, "read_changed", sim3_down)
        reconcile_job(connection, full=True)
        get_queue().drain(timeout=120)
    state = sync_world.sync_state(connection)
    assert "SIM3" in state.last_error and "503" in state.last_error
    assert state.last_counts["deleted"] == 0 and state.cursor == cursor
    assert sync_world.item_count(connection) == ISSUES
    assert state.last_finished_at > state.last_started_at


def linear_world(world: SyncWorld, sim, split: bool) -> tuple[int, list[int]]:
    """A Linear connection (split or not) with a KR per project (epic) and one per label."""
    connection = world.connection(TrackerKind.LINEAR, sim.url, page_size=50, reconcile_split=split)
    epics = [i.key for i in sim.store.live() if i.issuetype == "Epic"]
    krs = [world.linked_kr(connection, LinkKind.PROJECT, sim.store.project_id(epic)) for epic in epics]
    krs.append(world.linked_kr(connection, LinkKind.LABEL, stable_uuid("label:p1")))
    return connection, krs


# Two whole first passes of 400 issues through the embedded workers (about 5 s): `make test` runs
# it; the fast loop keeps the Jira split pass above, the same whole-then-split check.
@pytest.mark.slow
def test_a_linear_pass_splits_by_team_and_counts_what_one_pass_counts(app, projects_sim, sync_world):
    whole, whole_krs = linear_world(sync_world, projects_sim, split=False)
    parted, parted_krs = linear_world(sync_world, projects_sim, split=True)
    teams = [team_id(project) for project in ("SIM", "SIM2", "SIM3")]
    parts = parts_of(app, sync_world, parted)
    assert sorted(parts) == sorted(["*", *teams])
    assert parts[teams[1]].teams == (teams[1],) and parts["*"].excluded == tuple(teams)
    # Every issue stored once, each KR counting what the whole pass counted (the label KR's
    # issues lie in all three teams: no part counted them twice, none left them out).
    state = whole_then_split(app, sync_world, (whole, whole_krs), (parted, parted_krs))
    # Linear reads newest first: each team's part stored its cursor at its last page.
    assert set(state.last_counts[PART_CURSORS]) == set(teams)


def test_each_part_resumes_from_its_own_cursor(app, projects_sim, sync_world, monkeypatch):
    connection, krs = linked_world(sync_world, projects_sim, split=True)
    store = projects_sim.store
    real, reads = split_module.read_changed, []

    def watched(connection_id, connector, state, since, index, batch_items, counts, lock, scope, **options):
        if scope.containers == ("SIM3",) and failing:
            raise ConnectionError("Jira answered 503")
        reads.append((options["part"], since))
        return real(connection_id, connector, state, since, index, batch_items, counts, lock, scope,
                    **options)
    monkeypatch.setattr(split_module, "read_changed", watched)
    failing = False
    with app.app_context():
        reconcile_job(connection, full=True)
        get_queue().drain(timeout=120)
        first = sync_world.sync_state(connection)
        # An issue of SIM and one of SIM3 change; SIM3's part fails this time.
        done_in_sim3 = next(i for i in store.live() if i.key.startswith("SIM3-") and i.state == "todo"
                            and i.epic_key)
        store.change(next(i.key for i in store.live() if i.key.startswith("SIM-")), labels=["moved"])
        store.change(done_in_sim3.key, state="done")
        failing = True
        reconcile_job(connection)
        get_queue().drain(timeout=120)
        failed = sync_world.sync_state(connection)
        cursors = failed.last_counts[PART_CURSORS]
        assert "SIM3" in failed.last_error and failed.cursor == first.cursor
        assert cursors["SIM3"] == first.last_counts[PART_CURSORS]["SIM3"]    # it read nothing
        assert cursors["SIM"] > first.last_counts[PART_CURSORS]["SIM"]      # it read the change
        assert cursors["SIM2"] == first.last_counts[PART_CURSORS]["SIM2"]    # nothing new there
        failing, reads[:] = False, []
        reconcile_job(connection)
        get_queue().drain(timeout=120)
    since = dict(reads)
    # The connection's cursor stayed at the oldest part's (SIM3, whose issues end first): SIM
    # resumes after its own change and SIM2 after its newest issue, SIM3 from where it stopped.
    assert since["SIM"] > since["SIM2"] > since["SIM3"] == since_for(first.cursor)
    assert since["SIM"] == since_for(datetime.fromisoformat(cursors["SIM"]))
    assert since["SIM2"] == since_for(datetime.fromisoformat(cursors["SIM2"]))
    state = sync_world.sync_state(connection)
    assert state.last_error is None and state.cursor > first.cursor
    # SIM3's change is counted now.
    epic_kr = krs[[i.key for i in store.live() if i.issuetype == "Epic"].index(done_in_sim3.epic_key)]
    assert sync_world.kr(epic_kr).items_done == sum(
        1 for i in store.live() if i.epic_key == done_in_sim3.epic_key and i.state == "done")
