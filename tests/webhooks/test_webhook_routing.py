"""Routing (handled / ignored / unknown) and the mapping rules on variations of real payloads."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from tests.webhooks.webhook_signing import TEST_SECRET, fixture_body, sent_at, signed_headers

from okr_core.domain import StatusCategory, TrackerKind
from webhooks.events import Delivery, parse_delivery
from connector.jira.webhooks import browse_url
from connector.linear.mapping import work_item as linear_work_item
from webhooks.routing import Route, is_handled, plan_delivery, route

JIRA, LINEAR = TrackerKind.JIRA, TrackerKind.LINEAR


def deliver_variant(tracker: TrackerKind, name: str, change) -> Delivery:
    """A captured payload changed by `change(payload)`, re-encoded and signed like the tracker."""
    original = fixture_body(tracker, name)
    payload = json.loads(original)
    change(payload)
    body = json.dumps(payload).encode()
    now = sent_at(tracker, original) + timedelta(seconds=1)
    return parse_delivery(tracker, signed_headers(tracker, body), body, TEST_SECRET, now)


def set_key(key: str, value):
    return lambda payload: payload.__setitem__(key, value)


@pytest.mark.parametrize("event", ["jira:issue_created", "jira:issue_updated", "jira:issue_deleted",
                                   "comment_created", "comment_updated", "comment_deleted"])
def test_jira_issue_and_comment_events_are_handled(event):
    delivery = deliver_variant(JIRA, "jira_issue_updated__resolved", set_key("webhookEvent", event))
    assert route(delivery) is Route.HANDLED and is_handled(delivery)


@pytest.mark.parametrize(
    "event", ["worklog_created", "issuelink_created", "sprint_started", "jira:version_released"]
)
def test_known_jira_events_we_do_not_act_on_are_ignored(event):
    delivery = deliver_variant(JIRA, "jira_issue_updated__resolved", set_key("webhookEvent", event))
    assert route(delivery) is Route.IGNORED
    assert plan_delivery(delivery).is_empty


@pytest.mark.parametrize("event", ["jira:issue_teleported", None, 7])
def test_unknown_or_malformed_jira_event_types_are_unknown_and_change_nothing(event):
    delivery = deliver_variant(JIRA, "jira_issue_updated__resolved", set_key("webhookEvent", event))
    assert route(delivery) is Route.UNKNOWN and not is_handled(delivery)
    assert plan_delivery(delivery).is_empty


@pytest.mark.parametrize("kind", ["Issue", "Comment", "Project", "Initiative"])
@pytest.mark.parametrize("action", ["create", "update", "remove"])
def test_linear_entity_actions_we_track_are_handled(kind, action):
    def retype(payload):
        payload.update(type=kind, action=action)

    assert is_handled(deliver_variant(LINEAR, "issue__update", retype))


@pytest.mark.parametrize("kind, action, expected", [
    ("IssueLabel", "create", Route.IGNORED),
    ("Cycle", "update", Route.IGNORED),
    ("Issue", "archive", Route.UNKNOWN),
    ("SomethingNew", "create", Route.UNKNOWN),
])
def test_other_linear_events_are_not_handled(kind, action, expected):
    def retype(payload):
        payload.update(type=kind, action=action)

    delivery = deliver_variant(LINEAR, "issue__update", retype)
    assert route(delivery) is expected
    assert plan_delivery(delivery).is_empty


def test_jira_parent_becomes_the_items_epic():
    def add_parent(payload):
        payload["issue"]["fields"]["parent"] = {"id": "10011", "key": "TES-11"}

    delivery = deliver_variant(JIRA, "jira_issue_updated__resolved", add_parent)
    [item] = plan_delivery(delivery).upserts
    assert item.parent_ref == "TES-11"


def test_jira_null_story_points_means_no_estimate_not_a_reread():
    def clear_points(payload):
        payload["issue"]["fields"]["customfield_10072"] = None

    delivery = deliver_variant(JIRA, "jira_issue_updated__custom_field", clear_points)
    [item] = plan_delivery(delivery, {"story_points_field": "customfield_10072"}).upserts
    assert item.estimate is None


@pytest.mark.parametrize("category, expected", [
    ("new", StatusCategory.TODO),
    ("undefined", StatusCategory.TODO),
    ("indeterminate", StatusCategory.IN_PROGRESS),
    ("done", StatusCategory.DONE),
])
def test_jira_status_category_key_decides_the_status_category(category, expected):
    def set_category(payload):
        payload["issue"]["fields"]["status"]["statusCategory"]["key"] = category

    delivery = deliver_variant(JIRA, "jira_issue_updated__resolved", set_category)
    [item] = plan_delivery(delivery).upserts
    assert item.status_category is expected


@pytest.mark.parametrize("resolution, not_done, expected", [
    ("Done", None, StatusCategory.DONE),
    ("Won't Do", None, StatusCategory.CANCELED),
    ("Duplicate", None, StatusCategory.CANCELED),
    ("cannot reproduce", None, StatusCategory.CANCELED),
    ("Duplicate", ["Obsolete"], StatusCategory.DONE),
    ("Obsolete", ["Obsolete"], StatusCategory.CANCELED),
])
def test_jira_done_category_with_a_not_done_resolution_is_canceled(resolution, not_done, expected):
    def resolve(payload):
        payload["issue"]["fields"]["resolution"] = {"id": "10001", "name": resolution}

    settings = {"not_done_resolutions": not_done} if not_done else {}
    [item] = plan_delivery(deliver_variant(JIRA, "jira_issue_updated__resolved", resolve),
                           settings).upserts
    assert item.status_category is expected


def test_jira_done_payload_without_its_resolution_field_is_reread():
    effect = plan_delivery(deliver_variant(
        JIRA, "jira_issue_updated__resolved", lambda p: p["issue"]["fields"].pop("resolution")))
    assert effect.upserts == [] and effect.reread == ["10040"]


def test_jira_points_come_from_whichever_discovered_field_the_issue_fills():
    def team_managed(payload):
        payload["issue"]["fields"]["customfield_10072"] = None
        payload["issue"]["fields"]["customfield_10034"] = 5

    discovered = {"site_facts": {"points_fields": ["customfield_10072", "customfield_10034"]}}
    [item] = plan_delivery(deliver_variant(JIRA, "jira_issue_updated__custom_field", team_managed),
                           discovered).upserts
    assert item.estimate == 5.0
    pinned = {"story_points_field": "customfield_10072", **discovered}
    [item] = plan_delivery(deliver_variant(JIRA, "jira_issue_updated__custom_field", team_managed),
                           pinned).upserts
    assert item.estimate is None


def test_jira_unknown_status_category_asks_for_reread():
    def break_category(payload):
        payload["issue"]["fields"]["status"]["statusCategory"]["key"] = "mystery"

    effect = plan_delivery(deliver_variant(JIRA, "jira_issue_updated__resolved", break_category))
    assert effect.upserts == [] and effect.reread == ["10040"]


@pytest.mark.parametrize("state_type, expected", [
    ("triage", StatusCategory.TODO),
    ("backlog", StatusCategory.TODO),
    ("unstarted", StatusCategory.TODO),
    ("started", StatusCategory.IN_PROGRESS),
    ("completed", StatusCategory.DONE),
    ("canceled", StatusCategory.CANCELED),
    ("duplicate", StatusCategory.CANCELED),
])
def test_linear_state_type_decides_the_status_category(state_type, expected):
    def set_state(payload):
        payload["data"]["state"]["type"] = state_type

    [item] = plan_delivery(deliver_variant(LINEAR, "issue__update", set_state)).upserts
    assert item.status_category is expected


def test_an_unknown_linear_state_type_maps_as_the_connector_maps_it():
    def set_state(payload):
        payload["data"]["state"]["type"] = "someNewType"

    [item] = plan_delivery(deliver_variant(LINEAR, "issue__update", set_state)).upserts
    node = {"id": item.external_id, "identifier": item.key, "title": item.title,
            "state": {"type": "someNewType", "name": "New"}, "updatedAt": "2026-11-02T09:00:00Z"}
    assert item.status_category is linear_work_item(node).status_category is StatusCategory.IN_PROGRESS


def test_linear_estimate_project_and_identifier_are_carried_over():
    def plan_it(payload):
        payload["data"].update(estimate=3, projectId="521660ac-782f-4dd9-8928-95dbc9cb4c9b",
                               identifier="WEB-44X")

    [item] = plan_delivery(deliver_variant(LINEAR, "issue__update", plan_it)).upserts
    assert (item.estimate, item.key) == (3.0, "WEB-44X")
    assert item.parent_ref == "521660ac-782f-4dd9-8928-95dbc9cb4c9b"


def test_linear_label_ids_without_label_objects_ask_for_reread():
    def drop_label_objects(payload):
        del payload["data"]["labels"]

    effect = plan_delivery(deliver_variant(LINEAR, "issue__update", drop_label_objects))
    assert effect.upserts == [] and effect.reread == ["3443a709-f2b5-46f2-a136-a0445fd432be"]


def test_linear_issue_without_any_labels_has_none():
    def unlabel(payload):
        del payload["data"]["labels"], payload["data"]["labelIds"]

    [item] = plan_delivery(deliver_variant(LINEAR, "issue__update", unlabel)).upserts
    assert item.labels == ()


def test_linear_issue_without_state_object_asks_for_reread():
    def drop_state(payload):
        del payload["data"]["state"]

    effect = plan_delivery(deliver_variant(LINEAR, "issue__update", drop_state))
    assert effect.upserts == [] and effect.reread == ["3443a709-f2b5-46f2-a136-a0445fd432be"]


def test_linear_comment_not_on_an_issue_changes_nothing():
    def detach(payload):
        del payload["data"]["issueId"]

    assert plan_delivery(deliver_variant(LINEAR, "comment__create", detach)).is_empty


def test_linear_comment_remove_becomes_a_comment_deletion():
    effect = plan_delivery(deliver_variant(LINEAR, "comment__update", set_key("action", "remove")))
    assert effect.comment_deletions == ["c7cafc52-994d-4984-a217-bff9f9aa9473"]
    assert effect.comment_upserts == []


def test_linear_initiative_change_touches_its_ref():
    delivery = deliver_variant(LINEAR, "project__create", set_key("type", "Initiative"))
    assert plan_delivery(delivery).project_refs == ["521660ac-782f-4dd9-8928-95dbc9cb4c9b"]


def test_jira_browse_url_keeps_a_data_center_context_path():
    self_url = "https://jira.example.com/jira/rest/api/2/issue/10300"
    assert browse_url(self_url, "TES-4") == "https://jira.example.com/jira/browse/TES-4"


def test_jira_comment_body_is_stored_trimmed_like_the_connector_does():
    def pad_body(payload):
        payload["comment"]["body"] = "\n  Blocked on design specs  \n"

    delivery = deliver_variant(JIRA, "comment_created__cloud", pad_body)
    [comment] = plan_delivery(delivery).comment_upserts
    assert comment.body == "Blocked on design specs"
