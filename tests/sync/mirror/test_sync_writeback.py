"""KR progress written back to the trackers, and only when progress or status changed."""
from __future__ import annotations

import pytest

from connector.errors import TrackerError
from okr_core.domain import LinkKind, Measure, TrackerKind
from connector.linear.mapping import HEALTH
from sync.mirror.mirrors import mirror_key_result
from sync.reconcile.passes import reconcile_connection
from sync.mirror.writeback import write_back_key_result
from tests.sync.sync_world import epic_children

POINTS = {"story_points_field": "customfield_10016"}


def reconcile_and_drain(app, connection_id: int) -> None:
    with app.app_context():
        reconcile_connection(connection_id)
    app.extensions["okrsync.queue"].drain(timeout=30)


def calls_to(sim, operation: str | None = None, method: str | None = None) -> int:
    return sum(1 for c in sim.calls if (operation is None or c.operation == operation)
               and (method is None or c.method == method))


def drop_attachment_rows(app, kr_id: int) -> None:
    """Forget which attachments were written, as a store from before this bookkeeping would."""
    from okr_core.models import IssueAttachment
    from okr_core.store import session_scope

    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        session.query(IssueAttachment).filter(IssueAttachment.key_result_id == kr_id).delete()


def set_connection_setting(app, connection_id: int, **settings) -> None:
    from okr_core.models import Connection
    from okr_core.store import session_scope

    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        connection = session.get(Connection, connection_id)
        connection.settings = {**connection.settings, **settings}


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
    status_before = sync_world.kr(kr).status
    sim.set_done(todo)
    sim.reset_calls()
    reconcile_and_drain(app, linear)
    # A project update only when the status (and so the health) moved; figures alone go to the
    # attachments.
    moved = sync_world.kr(kr).status != status_before
    assert len(sim.linear_entities("projectUpdate")) == (2 if moved else 1)
    percent = f"{round(sync_world.kr(kr).progress * 100)}%"
    assert all(percent in a["title"] for a in sim.linear_entities("attachment"))
    assert calls_to(sim, "CreateAttachment") == len(linked)  # each retitled once


def test_an_hourly_budget_caps_attachment_calls_and_defers_the_rest(app, sim, sync_world, caplog):
    linear = sync_world.connection(TrackerKind.LINEAR, sim.url, page_size=50,
                                   linear_attachment_calls_per_hour=10)
    app.config["ATTACHMENT_RETRY_MINUTES"] = 10        # not due while the test runs
    kr = mirrored_kr(app, sync_world, linear, TrackerKind.LINEAR, LinkKind.PROJECT,
                     sim.store.project_id("SIM-1"))
    linked = {sim.issue(k).linear_id for k in epic_children(sim, "SIM-1")}
    with app.app_context(), caplog.at_level("INFO", logger="okrsync.sync.writeback"):
        reconcile_connection(linear)
        app.extensions["okrsync.queue"].drain(timeout=30, include_delayed=False)
    assert calls_to(sim, "CreateAttachment") == 10
    [deferred] = [r for r in caplog.records if r.getMessage() == "sync.writeback.attachments-deferred"]
    assert deferred.deferred == len(linked) - 10
    # What the deferred run does once budget is back: the rest, none twice.
    set_connection_setting(app, linear, linear_attachment_calls_per_hour=1000)
    with app.app_context():
        write_back_key_result(kr)
    assert {a["issueId"] for a in sim.linear_entities("attachment")} == linked
    assert calls_to(sim, "CreateAttachment") == len(linked)


def test_an_issue_that_leaves_the_kr_loses_its_attachment(app, sim, sync_world):
    linear = sync_world.connection(TrackerKind.LINEAR, sim.url, page_size=50)
    mirrored_kr(app, sync_world, linear, TrackerKind.LINEAR, LinkKind.PROJECT, sim.store.project_id("SIM-1"))
    reconcile_and_drain(app, linear)
    leaving = epic_children(sim, "SIM-1")[0]
    sim.move_to_epic(leaving, "SIM-51")
    sim.reset_calls()
    reconcile_and_drain(app, linear)
    attached = {a["issueId"] for a in sim.linear_entities("attachment")}
    assert sim.issue(leaving).linear_id not in attached
    assert attached == {sim.issue(k).linear_id for k in epic_children(sim, "SIM-1")}
    assert calls_to(sim, "DeleteAttachment") == 1


def test_a_renamed_kr_retitles_its_attachments_once(app, client, admin, sim, sync_world):
    linear = sync_world.connection(TrackerKind.LINEAR, sim.url, page_size=50)
    kr = mirrored_kr(app, sync_world, linear, TrackerKind.LINEAR, LinkKind.PROJECT,
                     sim.store.project_id("SIM-1"))
    reconcile_and_drain(app, linear)
    linked = len(epic_children(sim, "SIM-1"))
    sim.reset_calls()
    response = client.patch(f"/api/v1/key-results/{kr}", json={"title": "Faster onboarding"},
                            headers=admin)
    assert response.status_code == 200, response.get_json()
    app.extensions["okrsync.queue"].drain(timeout=30)
    assert calls_to(sim, "CreateAttachment") == linked
    assert {a["title"].split(" (")[0] for a in sim.linear_entities("attachment")} == {"KR: Faster onboarding"}
    sim.reset_calls()
    with app.app_context():
        write_back_key_result(kr)                           # nothing left to retitle
    assert calls_to(sim, "CreateAttachment") == 0


def test_attachments_written_before_a_failure_are_not_written_again(app, sim, sync_world):
    linear = sync_world.connection(TrackerKind.LINEAR, sim.url, page_size=50)
    kr = mirrored_kr(app, sync_world, linear, TrackerKind.LINEAR, LinkKind.PROJECT,
                     sim.store.project_id("SIM-1"))
    reconcile_and_drain(app, linear)
    drop_attachment_rows(app, kr)           # as if none had been written yet
    sim.reset_calls()
    sim.rate_limit(10, per_seconds=60)      # the write-back runs out of requests part-way
    with app.app_context(), pytest.raises(TrackerError):
        write_back_key_result(kr)
    sim.rate_limit(None)
    with app.app_context():
        write_back_key_result(kr)           # the retry
    written = [c for c in sim.calls if c.operation == "CreateAttachment" and c.status == 200]
    assert len(written) == len(epic_children(sim, "SIM-1"))


def test_concurrent_write_backs_overshoot_the_budget_by_at_most_one_call_each(app, sim, sync_world):
    import threading

    linear = sync_world.connection(TrackerKind.LINEAR, sim.url, page_size=50,
                                   linear_attachment_calls_per_hour=0)
    app.config["ATTACHMENT_RETRY_MINUTES"] = 10        # deferred runs are not due in the test
    krs = [mirrored_kr(app, sync_world, linear, TrackerKind.LINEAR, LinkKind.PROJECT,
                       sim.store.project_id(epic)) for epic in ("SIM-1", "SIM-51")]
    reconcile_and_drain_due(app, linear)
    assert calls_to(sim, "CreateAttachment") == 0       # no budget: everything deferred
    set_connection_setting(app, linear, linear_attachment_calls_per_hour=10)

    def write(kr_id: int) -> None:
        with app.app_context():
            write_back_key_result(kr_id)

    threads = [threading.Thread(target=write, args=(kr,)) for kr in krs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert 10 <= calls_to(sim, "CreateAttachment") <= 10 + len(krs) - 1


def reconcile_and_drain_due(app, connection_id: int) -> None:
    with app.app_context():
        reconcile_connection(connection_id)
    app.extensions["okrsync.queue"].drain(timeout=30, include_delayed=False)


def _age_posted_update(app, kr_id: int, days: int, status: str | None = None) -> None:
    from datetime import timedelta

    from sqlalchemy import select

    from okr_core.models import Mirror
    from okr_core.store import session_scope

    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        row = session.scalars(select(Mirror).where(Mirror.subject_id == kr_id,
                                                   Mirror.subject_kind == "key_result")).one()
        row.posted_at = row.posted_at - timedelta(days=days)
        row.posted_status = status or row.posted_status


def test_linear_project_updates_follow_status_changes_or_a_week_not_every_figure(app, sim, sync_world):
    linear = sync_world.connection(TrackerKind.LINEAR, sim.url, page_size=50)
    kr = mirrored_kr(app, sync_world, linear, TrackerKind.LINEAR, LinkKind.PROJECT,
                     sim.store.project_id("SIM-51"))
    reconcile_and_drain(app, linear)
    assert len(sim.linear_entities("projectUpdate")) == 1
    with app.app_context():
        write_back_key_result(kr)               # same status, posted today: no update
    assert len(sim.linear_entities("projectUpdate")) == 1
    _age_posted_update(app, kr, days=8)
    with app.app_context():
        write_back_key_result(kr)               # a week on: the same status is posted again
    assert len(sim.linear_entities("projectUpdate")) == 2
    with app.app_context():
        write_back_key_result(kr)
    assert len(sim.linear_entities("projectUpdate")) == 2
    _age_posted_update(app, kr, days=0, status="some_other_status")   # the status moved
    with app.app_context():
        write_back_key_result(kr)
    assert len(sim.linear_entities("projectUpdate")) == 3
