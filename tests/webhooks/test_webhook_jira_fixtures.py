"""One test per captured Jira payload: verify, parse and plan give the expected change."""
from __future__ import annotations

from datetime import datetime, timezone

from okr_core.domain import StatusCategory, TrackerKind
from webhooks.routing import is_handled, plan_delivery

JIRA = TrackerKind.JIRA
# A numeric custom field these sites filled in; it stands in for the story points field.
NUMBER_FIELD = "customfield_10072"


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


def test_issue_created_upserts_todo_item_with_labels_and_browse_url(deliver):
    delivery = deliver(JIRA, "jira_issue_created__basic")
    effect = plan_delivery(delivery)
    assert delivery.event_type == "jira:issue_created"
    assert delivery.dedupe_key == "delivery-jira_issue_created__basic"
    assert delivery.occurred_at == utc(2019, 2, 16, 3, 1, 53, 23000)
    [item] = effect.upserts
    assert (item.external_id, item.key, item.title) == ("10040", "TES-41", "Unit test summary")
    assert item.status_category is StatusCategory.TODO and item.status_name == "To Do"
    assert item.labels == ("test-label",)
    assert item.url == "https://some-instance-test.atlassian.net/browse/TES-41"
    assert item.updated_at == utc(2019, 2, 16, 3, 1, 52, 971000)  # -0800 converted to UTC
    assert effect.reread == [] and effect.deletions == []


def test_issue_created_with_many_fields_reads_estimate_and_assignee(deliver):
    delivery = deliver(JIRA, "jira_issue_created__many_fields")
    [item] = plan_delivery(delivery, {"story_points_field": NUMBER_FIELD}).upserts
    assert delivery.event_type == "jira:issue_created"
    assert (item.external_id, item.key) == ("10509", "KT-22")
    assert item.estimate == 23.0
    assert item.assignee == "5cedcb4355a88a0fc86388ba"
    assert item.labels == ("Label1", "Label2")
    assert item.url == "https://mmtest.atlassian.net/browse/KT-22"


def test_configured_estimate_field_missing_from_payload_asks_for_reread(deliver):
    delivery = deliver(JIRA, "jira_issue_created__basic")
    effect = plan_delivery(delivery, {"story_points_field": NUMBER_FIELD})
    assert effect.upserts == []
    assert effect.reread == ["10040"]


def test_issue_updated_custom_field_carries_new_estimate(deliver):
    delivery = deliver(JIRA, "jira_issue_updated__custom_field")
    [item] = plan_delivery(delivery, {"story_points_field": NUMBER_FIELD}).upserts
    assert delivery.event_type == "jira:issue_updated"
    assert delivery.dedupe_key == "delivery-jira_issue_updated__custom_field"
    assert (item.key, item.estimate, item.labels) == ("TES-14", 12.0, ("Pickles",))


def test_issue_without_updated_field_is_reread_not_trusted(deliver):
    delivery = deliver(JIRA, "jira_issue_updated__assigned_empty_changelog")
    effect = plan_delivery(delivery)
    assert delivery.event_type == "jira:issue_updated"
    assert effect.upserts == []
    assert effect.reread == ["10001"]


def test_issue_assigned_upserts_item_with_assignee_account_id(deliver):
    [item] = plan_delivery(deliver(JIRA, "jira_issue_updated__assigned")).upserts
    assert item.key == "TES-41"
    assert item.assignee == "5c5f880629be9642ba529340"
    assert item.updated_at == utc(2019, 2, 16, 3, 18, 1, 707000)


def test_legacy_epic_link_change_leaves_parent_unset(deliver):
    [item] = plan_delivery(deliver(JIRA, "jira_issue_updated__epic_link")).upserts
    assert item.key == "TES-41"
    assert item.parent_ref is None  # epic membership comes from fields.parent only
    assert item.labels == ("sad", "test-label")


def test_issue_reopened_goes_back_to_todo(deliver):
    [item] = plan_delivery(deliver(JIRA, "jira_issue_updated__reopened")).upserts
    assert item.status_category is StatusCategory.TODO
    assert item.updated_at == utc(2019, 2, 16, 3, 17, 6, 501000)


def test_issue_resolved_in_cloud_is_done(deliver):
    delivery = deliver(JIRA, "jira_issue_updated__resolved")
    [item] = plan_delivery(delivery).upserts
    assert delivery.dedupe_key == "delivery-jira_issue_updated__resolved"
    assert item.status_category is StatusCategory.DONE and item.status_name == "Done"
    assert item.updated_at == utc(2019, 2, 16, 3, 15, 40, 477000)


def test_sprint_change_upserts_unchanged_todo_item(deliver):
    [item] = plan_delivery(deliver(JIRA, "jira_issue_updated__sprint")).upserts
    assert (item.key, item.status_category) == ("TES-41", StatusCategory.TODO)


def test_started_working_is_in_progress(deliver):
    [item] = plan_delivery(deliver(JIRA, "jira_issue_updated__started_working")).upserts
    assert item.status_category is StatusCategory.IN_PROGRESS
    assert item.status_name == "In Progress"


def test_server_in_progress_keeps_port_in_browse_url_and_uses_user_name(deliver):
    delivery = deliver(JIRA, "jira_issue_updated__server_in_progress")
    [item] = plan_delivery(delivery).upserts
    assert (item.external_id, item.key) == ("10300", "TES-4")
    assert item.status_category is StatusCategory.IN_PROGRESS
    assert item.url == "http://some-instance-test.centralus.cloudapp.azure.com:8080/browse/TES-4"
    assert item.assignee == "admin"  # Server/DC users have a name, not an accountId
    assert item.updated_at == utc(2019, 8, 14, 3, 2, 33, 678000)  # +0800 converted to UTC


def test_server_resolved_status_is_done_by_category_not_name(deliver):
    [item] = plan_delivery(deliver(JIRA, "jira_issue_updated__server_resolved")).upserts
    assert item.status_name == "Resolved"
    assert item.status_category is StatusCategory.DONE


def test_issue_deleted_becomes_a_deletion(deliver):
    delivery = deliver(JIRA, "jira_issue_deleted__basic")
    effect = plan_delivery(delivery)
    assert delivery.event_type == "jira:issue_deleted"
    assert effect.deletions == ["10303"]
    assert effect.upserts == [] and effect.reread == []


def test_cloud_comment_created_stores_comment_and_rereads_trimmed_issue(deliver):
    delivery = deliver(JIRA, "comment_created__cloud")
    effect = plan_delivery(delivery)
    assert delivery.event_type == "comment_created" and is_handled(delivery)
    assert delivery.dedupe_key == "delivery-comment_created__cloud"
    [comment] = effect.comment_upserts
    assert (comment.external_id, comment.item_external_id) == ("10019", "10040")
    assert comment.body == "Added a comment"
    assert comment.author == "5c5f880629be9642ba529340"
    assert comment.created_at == utc(2019, 2, 16, 3, 11, 18, 321000)
    assert effect.reread == ["10040"] and effect.upserts == []


def test_cloud_comment_updated_carries_edit_time(deliver):
    effect = plan_delivery(deliver(JIRA, "comment_updated__cloud"))
    [comment] = effect.comment_upserts
    assert comment.body == "Added a comment, then edited it"
    assert comment.updated_at == utc(2019, 2, 16, 3, 12, 8, 432000)
    assert effect.reread == ["10040"]


def test_cloud_comment_deleted_drops_comment_and_rereads_issue(deliver):
    delivery = deliver(JIRA, "comment_deleted__cloud")
    effect = plan_delivery(delivery)
    assert delivery.event_type == "comment_deleted"
    assert effect.comment_deletions == ["10757"]
    assert effect.reread == ["10357"]
    assert effect.comment_upserts == []


def test_server_comment_without_issue_finds_issue_id_in_comment_url(deliver):
    delivery = deliver(JIRA, "comment_created__server")
    effect = plan_delivery(delivery)
    [comment] = effect.comment_upserts
    assert (comment.external_id, comment.item_external_id) == ("10082", "10013")
    assert comment.author == "levbrouk"
    assert comment.body == "unik"
    assert effect.reread == ["10013"]
