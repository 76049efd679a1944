"""KR progress written back to the trackers, and only when progress or status changed."""
from __future__ import annotations

from okr_core.domain import LinkKind, Measure, TrackerKind
from connector.linear.mapping import HEALTH
from sync.mirror import mirror_key_result
from sync.reconcile import reconcile_connection
from tests.sync.sync_world import epic_children

POINTS = {"story_points_field": "customfield_10016"}


def reconcile_and_drain(app, connection_id: int) -> None:
    with app.app_context():
        reconcile_connection(connection_id)
    app.extensions["okrsync.queue"].drain(timeout=30)


def calls_to(sim, operation: str | None = None, method: str | None = None) -> int:
    return sum(1 for c in sim.calls if (operation is None or c.operation == operation)
               and (method is None or c.method == method))


def mirrored_kr(app, sync_world, connection: int, tracker: TrackerKind, kind: LinkKind, ref: str) -> int:
    kr = sync_world.key_result(sync_world.objective(sync_world.team(connection, tracker)))
    sync_world.link(kr, connection, kind, ref)
    with app.app_context():
        mirror_key_result(kr)
    return kr


def test_linear_gets_a_project_update_and_issue_attachments_when_progress_moves(app, sim, sync_world):
    linear = sync_world.connection(TrackerKind.LINEAR, sim.url, page_size=50)
    kr = mirrored_kr(app, sync_world, linear, TrackerKind.LINEAR, LinkKind.PROJECT,
                     sim.store.project_id("SIM-1"))
    reconcile_and_drain(app, linear)
    [update] = sim.linear_entities("projectUpdate")
    [project] = sim.linear_entities("project")
    row = sync_world.kr(kr)
    assert (update["projectId"], update["health"]) == (project["id"], HEALTH[row.status])
    attachments = sim.linear_entities("attachment")
    linked = {sim.issue(k).linear_id for k in epic_children(sim, "SIM-1")}
    assert {a["issueId"] for a in attachments} == linked
    assert all(a["url"].endswith(f"?kr={kr}") and a["title"].startswith("KR: Work done (")
               for a in attachments)

    sim.reset_calls()
    reconcile_and_drain(app, linear)                        # nothing changed: nothing written
    assert calls_to(sim, "CreateProjectUpdate") == calls_to(sim, "CreateAttachment") == 0

    todo = next(k for k in epic_children(sim, "SIM-1") if sim.issue(k).state == "todo")
    sim.set_done(todo)
    reconcile_and_drain(app, linear)
    assert len(sim.linear_entities("projectUpdate")) == 2
    percent = f"{round(sync_world.kr(kr).progress * 100)}%"
    assert all(percent in a["title"] for a in sim.linear_entities("attachment"))


def test_jira_kr_issue_description_follows_the_current_value(app, sim, sync_world):
    jira = sync_world.connection(TrackerKind.JIRA, sim.url, page_size=50, **POINTS)
    kr = mirrored_kr(app, sync_world, jira, TrackerKind.JIRA, LinkKind.EPIC, "SIM-1")
    mirror_key = next(key for kind, _, key in sync_world.mirrors() if kind == "key_result")
    reconcile_and_drain(app, jira)
    row = sync_world.kr(kr)
    text = str(sim.issue(mirror_key).description)
    assert f"Current value: {row.current_value:g}" in text
    assert f"Progress: {round(row.progress * 100)}%" in text

    sim.reset_calls()
    reconcile_and_drain(app, jira)
    assert calls_to(sim, method="PUT") == 0


def test_linear_attachments_can_be_limited_to_open_issues(app, sim, sync_world):
    linear = sync_world.connection(TrackerKind.LINEAR, sim.url, page_size=50, linear_attachments="open")
    mirrored_kr(app, sync_world, linear, TrackerKind.LINEAR, LinkKind.PROJECT, sim.store.project_id("SIM-1"))
    reconcile_and_drain(app, linear)
    attached = {a["issueId"] for a in sim.linear_entities("attachment")}
    open_issues = {sim.issue(k).linear_id for k in epic_children(sim, "SIM-1")
                   if sim.issue(k).state in ("todo", "in_progress")}
    assert attached == open_issues


def test_a_check_in_writes_the_new_value_into_the_jira_kr_issue(app, client, admin, sim, sync_world):
    jira = sync_world.connection(TrackerKind.JIRA, sim.url, page_size=50, **POINTS)
    kr = sync_world.key_result(sync_world.objective(sync_world.team(jira, TrackerKind.JIRA)),
                               measure=Measure.MANUAL)
    with app.app_context():
        mirror_key_result(kr)
    mirror_key = next(key for kind, _, key in sync_world.mirrors() if kind == "key_result")
    response = client.post(f"/api/v1/key-results/{kr}/check-ins", json={"value": 7},
                           headers=admin)
    assert response.status_code == 201, response.get_json()
    app.extensions["okrsync.queue"].drain(timeout=30)
    assert "Current value: 7" in str(sim.issue(mirror_key).description)
