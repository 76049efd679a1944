"""Mirrors of objectives and KRs in the simulated Jira and Linear, created exactly once."""
from __future__ import annotations

import pytest

from okr_core.domain import TrackerKind
from sync.mirror.mirrors import mirror_key_result, mirror_objective
from tests.sync.sync_world import HOME


def drain(app) -> None:
    app.extensions["okrsync.queue"].drain(timeout=30)


def jira_mirrors(sim, kind: str, subject_id: int) -> list:
    label = f"okrsync-{kind}-{subject_id}"
    return [i for i in sim.store.live() if label in i.labels]


def linear_entities(sim, kind: str) -> list[dict]:
    return sim.linear_entities(kind)


@pytest.fixture
def homed(sync_world, jira):
    """A team whose OKRs are mirrored into the simulated Jira project SIM."""
    return sync_world.team(jira, TrackerKind.JIRA)


def create_objective(client, admin, sync_world, team_id: int, title: str = "Ship the platform") -> int:
    response = client.post("/api/v1/objectives", headers=admin,
                           json={"cycle_id": sync_world.cycle(), "title": title, "team_id": team_id})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def create_kr(client, admin, objective_id: int, title: str = "Cut p95 latency to 200 ms") -> int:
    response = client.post("/api/v1/key-results", headers=admin, json={
        "objective_id": objective_id, "title": title, "start_value": 400.0, "target_value": 200.0,
        "unit": "ms"})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def test_creating_an_objective_and_kr_creates_an_epic_and_its_child_issue(app, client, admin, sim, homed,
                                                                           sync_world):
    objective = create_objective(client, admin, sync_world, homed)
    kr = create_kr(client, admin, objective)
    drain(app)
    [epic] = jira_mirrors(sim, "objective", objective)
    [issue] = jira_mirrors(sim, "kr", kr)
    assert (epic.title, epic.issuetype, "okr" in epic.labels) == ("[OKR] Ship the platform", "Epic", True)
    assert (issue.title, issue.issuetype, issue.epic_key) == ("Cut p95 latency to 200 ms", "Task", epic.key)
    text = str(issue.description)
    assert "Target: 200 ms (from 400 ms)" in text and f"/panel/team/{homed}?kr={kr}" in text
    assert sync_world.mirrors() == [("objective", objective, epic.key), ("key_result", kr, issue.key)]


def test_editing_updates_the_mirror_and_options_change_what_is_created(app, client, admin, sim, sync_world):
    connection = sync_world.connection(TrackerKind.JIRA, sim.url, kr_issue_type="Story",
                                       mirror_objectives=False)
    team = sync_world.team(connection, TrackerKind.JIRA)
    objective = create_objective(client, admin, sync_world, team)
    kr = create_kr(client, admin, objective)
    drain(app)
    response = client.patch(f"/api/v1/key-results/{kr}", headers=admin, json={"title": "p95 at 150 ms",
                                                                              "target_value": 150.0})
    assert response.status_code == 200
    drain(app)
    assert jira_mirrors(sim, "objective", objective) == []
    [issue] = jira_mirrors(sim, "kr", kr)
    assert (issue.title, issue.issuetype, issue.epic_key) == ("p95 at 150 ms", "Story", None)
    assert "Target: 150 ms" in str(issue.description)


class KilledAfterCreate:
    """The real connector, but the job dies right after the tracker created the mirror."""

    def __init__(self, connector):
        self.connector = connector

    def create_mirror(self, spec):
        self.connector.create_mirror(spec)
        raise SystemExit("worker killed before okrsync stored the mirror")

    def __getattr__(self, name):
        return getattr(self.connector, name)


def _real_connector(app, connection_id):
    from okr_core.models import Connection
    from plumbing.db import job_session
    from sync.connections.connectors import connector_for

    with app.app_context(), job_session() as session:
        return connector_for(session.get(Connection, connection_id))


@pytest.mark.parametrize("tracker", [TrackerKind.JIRA, TrackerKind.LINEAR])
def test_a_job_killed_between_create_and_commit_finds_its_mirror_when_retried(app, sim, sync_world, tracker):
    connection = sync_world.connection(tracker, sim.url)
    objective = sync_world.objective(sync_world.team(connection, tracker))
    kr = sync_world.key_result(objective)
    killed = KilledAfterCreate(_real_connector(app, connection))
    with app.app_context():
        with pytest.raises(SystemExit):
            mirror_objective(objective, connector=killed)
        assert sync_world.mirrors() == []
        mirror_objective(objective)                    # the retry finds the epic / initiative
        with pytest.raises(SystemExit):
            mirror_key_result(kr, connector=killed)
        assert [kind for kind, _, _ in sync_world.mirrors()] == ["objective"]
        mirror_key_result(kr)                          # the retry finds the KR issue / project
        mirror_key_result(kr)                          # and a plain rerun changes nothing
    if tracker is TrackerKind.JIRA:
        assert len(jira_mirrors(sim, "objective", objective)) == 1
        assert len(jira_mirrors(sim, "kr", kr)) == 1
    else:
        assert len(linear_entities(sim, "initiative")) == 1
        [project] = linear_entities(sim, "project")
        assert project["teamIds"] == [HOME[TrackerKind.LINEAR]]
        [link] = linear_entities(sim, "initiativeToProject")
        assert link == {**link, "projectId": project["id"],
                        "initiativeId": linear_entities(sim, "initiative")[0]["id"]}
    assert [(kind, subject) for kind, subject, _ in sync_world.mirrors()] == [
        ("objective", objective), ("key_result", kr)]


@pytest.mark.parametrize("on_delete", ["archive", "unlink"])
def test_deleting_an_objective_archives_or_unlinks_its_mirrors(app, client, admin, sim, sync_world, on_delete):
    connection = sync_world.connection(TrackerKind.JIRA, sim.url, on_delete=on_delete)
    team = sync_world.team(connection, TrackerKind.JIRA)
    objective = create_objective(client, admin, sync_world, team)
    kr = create_kr(client, admin, objective)
    drain(app)
    assert client.delete(f"/api/v1/objectives/{objective}", headers=admin).status_code == 204
    drain(app)
    [epic], [issue] = jira_mirrors(sim, "objective", objective), jira_mirrors(sim, "kr", kr)
    if on_delete == "archive":
        assert epic.title == f"[OKR] [archived] OKR objective #{objective}"
        assert issue.title.startswith("[archived] ")
    else:
        assert (epic.title, issue.title) == ("[OKR] Ship the platform", "Cut p95 latency to 200 ms")
    assert sync_world.mirrors() == []


def test_teams_without_a_tracker_home_are_not_mirrored(app, client, admin, sim, jira, sync_world):
    objective = create_objective(client, admin, sync_world, sync_world.team())
    create_kr(client, admin, objective)
    sim.reset_calls()
    drain(app)
    assert sim.call_count == 0
    assert sync_world.mirrors() == []


def test_the_mirror_label_setting_names_the_label_jira_mirrors_carry(app, client, admin, sim,
                                                                     sync_world):
    jira = sync_world.connection(TrackerKind.JIRA, sim.url, mirror_label="goals")
    objective = create_objective(client, admin, sync_world, sync_world.team(jira, TrackerKind.JIRA))
    drain(app)
    [epic] = jira_mirrors(sim, "objective", objective)
    assert "goals" in epic.labels and "okr" not in epic.labels
    with app.app_context():
        mirror_objective(objective)        # found again by its own label: still exactly one
    assert len(jira_mirrors(sim, "objective", objective)) == 1
