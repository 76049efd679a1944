"""One test per captured Linear payload: verify, parse and plan give the expected change."""
from __future__ import annotations

from datetime import datetime, timezone

from okr_core.domain import StatusCategory, TrackerKind
from webhooks.routing import Route, is_handled, plan_delivery, route

LINEAR = TrackerKind.LINEAR
ISSUE_ID = "3443a709-f2b5-46f2-a136-a0445fd432be"
LABEL_NAMES = ("Improvement", "Feature", "Bug", "Custom Label")


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


def test_issue_create_upserts_started_issue_with_key_labels_and_assignee(deliver):
    delivery = deliver(LINEAR, "issue__create_complex")
    effect = plan_delivery(delivery)
    assert delivery.event_type == "Issue.create"
    assert delivery.dedupe_key == "delivery-issue__create_complex"
    assert delivery.occurred_at == utc(2023, 4, 11, 10, 10, 16, 78000)
    [item] = effect.upserts
    assert (item.external_id, item.key) == (ISSUE_ID, "WEB-44")
    assert item.status_category is StatusCategory.IN_PROGRESS and item.status_name == "In Progress"
    assert item.labels == LABEL_NAMES
    assert item.assignee == "674c90c8-35ea-454d-8ca4-5548258fd795"
    assert item.estimate is None and item.parent_ref is None
    assert item.url.startswith("https://linear.app/webhooks/issue/WEB-44/")
    assert item.updated_at == utc(2023, 4, 11, 10, 10, 15, 37000)


def test_issue_update_upserts_new_title_and_tracker_updated_at(deliver):
    delivery = deliver(LINEAR, "issue__update")
    [item] = plan_delivery(delivery).upserts
    assert delivery.event_type == "Issue.update"
    assert item.title.endswith("and also on 25/12/22 from 0000 to 0230")
    assert item.updated_at == utc(2023, 4, 11, 10, 16, 53, 22000)


def test_issue_remove_becomes_a_deletion(deliver):
    delivery = deliver(LINEAR, "issue__remove")
    effect = plan_delivery(delivery)
    assert delivery.event_type == "Issue.remove"
    assert delivery.dedupe_key == "delivery-issue__remove"
    assert effect.deletions == [ISSUE_ID]
    assert effect.upserts == []


def test_comment_create_stores_comment_on_its_issue(deliver):
    delivery = deliver(LINEAR, "comment__create")
    effect = plan_delivery(delivery)
    assert delivery.event_type == "Comment.create"
    [comment] = effect.comment_upserts
    assert comment.external_id == "c7cafc52-994d-4984-a217-bff9f9aa9473"
    assert comment.item_external_id == "f9a37fcf-eb52-44be-a52c-0477f70e9952"
    assert comment.author == "674c90c8-35ea-454d-8ca4-5548258fd795"
    assert comment.body.startswith("Performing a thorough impact analysis")
    assert comment.created_at == utc(2023, 4, 11, 10, 21, 34, 858000)
    assert effect.reread == []


def test_comment_update_stores_edited_body(deliver):
    delivery = deliver(LINEAR, "comment__update")
    [comment] = plan_delivery(delivery).comment_upserts
    assert delivery.event_type == "Comment.update"
    assert comment.body.startswith("Invalid response to any system outage")
    assert comment.updated_at == utc(2023, 4, 11, 10, 22, 24, 895000)


def test_project_create_touches_project_ref(deliver):
    delivery = deliver(LINEAR, "project__create")
    effect = plan_delivery(delivery)
    assert delivery.event_type == "Project.create" and is_handled(delivery)
    assert effect.project_refs == ["521660ac-782f-4dd9-8928-95dbc9cb4c9b"]
    assert effect.upserts == [] and effect.deletions == []


def test_project_update_post_is_ignored_with_no_effect(deliver):
    delivery = deliver(LINEAR, "project_update__create")
    assert delivery.event_type == "ProjectUpdate.create"
    assert delivery.dedupe_key == "delivery-project_update__create"
    assert route(delivery) is Route.IGNORED and not is_handled(delivery)
    assert plan_delivery(delivery).is_empty
