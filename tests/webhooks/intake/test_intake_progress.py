"""Deliveries move key results: through issue, epic and Linear project links, never backwards."""
from __future__ import annotations

import pytest

from okr_core.domain import KRStatus, LinkKind, StatusCategory, TrackerKind
from okr_core.models import Objective
from tests.webhooks.intake.intake_helpers import (
    add_linked_kr, fixture_delivery, item, key_result, post, snapshot_count, store_row,
)

JIRA, LINEAR = TrackerKind.JIRA, TrackerKind.LINEAR
PROJECT_ID = "5d1c5e8e-1111-4c2b-9c4e-6a7b8c9d0e1f"


def in_epic(epic_key: str | None):
    def edit(payload):
        if epic_key is None:
            payload["issue"]["fields"].pop("parent", None)
        else:
            payload["issue"]["fields"]["parent"] = {"id": "10001", "key": epic_key}
    return edit


def in_project(state_type: str | None = None):
    def edit(payload):
        payload["data"]["projectId"] = PROJECT_ID
        if state_type:
            payload["data"]["state"] = {**payload["data"]["state"], "type": state_type,
                                        "name": "Done"}
    return edit


def deliver(app, client, tracker, connection_id, name, edit=None) -> None:
    body, headers = fixture_delivery(tracker, name, edit=edit)
    assert post(client, tracker, connection_id, body, headers).status_code == 200
    app.extensions["okrsync.queue"].drain()


def test_older_delivery_arriving_after_a_newer_one_leaves_the_newer_state(app, client, jira_id):
    deliver(app, client, JIRA, jira_id, "jira_issue_updated__resolved")          # 03:15:40, done
    deliver(app, client, JIRA, jira_id, "jira_issue_updated__started_working")   # 03:14:22
    stored = item(app, jira_id, "10040")
    assert stored.status_category is StatusCategory.DONE
    assert stored.tracker_updated_at.minute == 15


def test_deleted_issue_is_not_revived_by_an_older_update(app, client, linear_id):
    deliver(app, client, LINEAR, linear_id, "issue__create_complex")
    deliver(app, client, LINEAR, linear_id, "issue__remove")
    deliver(app, client, LINEAR, linear_id, "issue__update")  # updatedAt before the removal
    assert item(app, linear_id, "3443a709-f2b5-46f2-a136-a0445fd432be").deleted is True


@pytest.mark.parametrize("kind,ref,edit", [
    (LinkKind.ISSUE, "TES-41", None),
    (LinkKind.EPIC, "TES-1", in_epic("TES-1")),
], ids=["issue-link", "epic-link"])
def test_jira_issue_moved_to_done_moves_its_key_result(app, client, jira_id, kind, ref, edit):
    kr_id = add_linked_kr(app, jira_id, kind, ref)
    deliver(app, client, JIRA, jira_id, "jira_issue_updated__started_working", edit)
    before = key_result(app, kr_id)
    deliver(app, client, JIRA, jira_id, "jira_issue_updated__resolved", edit)
    after = key_result(app, kr_id)
    assert (before.items_total, before.items_done, before.progress) == (1, 0, 0.0)
    assert (after.items_total, after.items_done, after.progress) == (1, 1, 1.0)
    assert (before.status, after.status) == (KRStatus.OFF_TRACK, KRStatus.ON_TRACK)
    assert snapshot_count(app, kr_id) == 2
    assert store_row(app, Objective, id=after.objective_id).progress == 1.0


def test_linear_issue_completed_moves_the_project_links_key_result(app, client, linear_id):
    kr_id = add_linked_kr(app, linear_id, LinkKind.PROJECT, PROJECT_ID)
    deliver(app, client, LINEAR, linear_id, "issue__create_complex", in_project())
    before = key_result(app, kr_id)
    deliver(app, client, LINEAR, linear_id, "issue__update", in_project("completed"))
    after = key_result(app, kr_id)
    assert (before.items_total, before.items_done, before.progress) == (1, 0, 0.0)
    assert (after.items_total, after.items_done, after.progress) == (1, 1, 1.0)
    assert after.status is KRStatus.ON_TRACK and before.status is not KRStatus.ON_TRACK


def test_issue_leaving_the_epic_stops_counting_toward_its_key_result(app, client, jira_id):
    kr_id = add_linked_kr(app, jira_id, LinkKind.EPIC, "TES-1")
    deliver(app, client, JIRA, jira_id, "jira_issue_updated__started_working", in_epic("TES-1"))
    deliver(app, client, JIRA, jira_id, "jira_issue_updated__resolved", in_epic(None))
    kr = key_result(app, kr_id)
    assert (kr.items_total, kr.current_value, kr.progress) == (0, None, None)


def test_label_link_by_name_counts_labelled_issues(app, client, jira_id):
    kr_id = add_linked_kr(app, jira_id, LinkKind.LABEL, "test-label")
    deliver(app, client, JIRA, jira_id, "jira_issue_updated__resolved")
    assert key_result(app, kr_id).items_done == 1


def test_a_delivery_that_moves_progress_refreshes_the_cycle_analysis(app, client, jira_id):
    from sqlalchemy import select

    from okr_core.models import Analysis

    kr_id = add_linked_kr(app, jira_id, LinkKind.ISSUE, "TES-41")
    deliver(app, client, JIRA, jira_id, "jira_issue_updated__resolved")
    app.extensions["okrsync.queue"].drain()
    cycle_id = store_row(app, Objective, id=key_result(app, kr_id).objective_id).cycle_id
    with app.extensions["okrsync.sessionmaker"]() as session:
        states = session.scalars(select(Analysis.state).where(Analysis.cycle_id == cycle_id)).all()
    assert states == ["done"]
