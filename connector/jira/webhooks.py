"""Jira webhook events -> DeliveryEffect, pure; bodies are in the REST v2 representation.

Event names and payload shapes:
https://developer.atlassian.com/cloud/jira/platform/webhooks/
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from okr_core.domain import Comment, TrackerKind, WorkItem, StatusCategory
from connector.webhook import DeliveryEffect, WebhookDialect
from connector.payload import as_object, as_text, parse_iso_utc
from connector.jira.reading import ReadingRules

# Jira events okrsync knowingly leaves alone; anything else is unknown (both are answered 200).
IGNORED_EVENTS = (
    "attachment_created", "attachment_deleted",
    "issuelink_created", "issuelink_deleted",
    "worklog_created", "worklog_updated", "worklog_deleted",
    "issue_property_set", "issue_property_deleted",
    "sprint_created", "sprint_updated", "sprint_started", "sprint_closed", "sprint_deleted",
    "board_created", "board_updated", "board_deleted", "board_configuration_changed",
    "project_created", "project_updated", "project_deleted",
    "jira:version_created", "jira:version_updated", "jira:version_released",
    "jira:version_unreleased", "jira:version_moved", "jira:version_deleted",
    "user_created", "user_updated", "user_deleted",
)

# Server/DC comment events carry no issue; the comment's `self` still names it.
_ISSUE_ID_IN_COMMENT_URL = re.compile(r"/issue/([^/]+)/comment/")

Planner = Callable[[Mapping[str, Any], ReadingRules], DeliveryEffect]


def plan_issue_upsert(payload: Mapping[str, Any], rules: ReadingRules) -> DeliveryEffect:
    """An issue created or updated: upsert it when the payload says enough, else re-read it."""
    issue = as_object(payload.get("issue"))
    item = work_item_from_issue(issue, rules)
    if item is not None:
        return DeliveryEffect(upserts=[item])
    ref = as_text(issue.get("id")) or as_text(issue.get("key"))
    return DeliveryEffect(reread=[ref] if ref else [])


def plan_issue_deletion(
    payload: Mapping[str, Any], rules: ReadingRules
) -> DeliveryEffect:
    """An issue deleted: drop its mirror."""
    issue_id = as_text(as_object(payload.get("issue")).get("id"))
    return DeliveryEffect(deletions=[issue_id] if issue_id else [])


def plan_comment_upsert(
    payload: Mapping[str, Any], rules: ReadingRules
) -> DeliveryEffect:
    """A comment created or edited: store it and re-read its issue, which comes trimmed."""
    issue_id = _comment_issue_id(payload)
    comment = comment_from_payload(as_object(payload.get("comment")), issue_id)
    return DeliveryEffect(
        comment_upserts=[comment] if comment else [],
        reread=[issue_id] if issue_id else [],
    )


def plan_comment_deletion(
    payload: Mapping[str, Any], rules: ReadingRules
) -> DeliveryEffect:
    """A comment deleted: drop it and re-read its issue."""
    issue_id = _comment_issue_id(payload)
    comment_id = as_text(as_object(payload.get("comment")).get("id"))
    return DeliveryEffect(
        comment_deletions=[comment_id] if comment_id else [],
        reread=[issue_id] if issue_id else [],
    )


EVENT_PLANNERS: dict[str, Planner] = {
    "jira:issue_created": plan_issue_upsert,
    "jira:issue_updated": plan_issue_upsert,
    "jira:issue_deleted": plan_issue_deletion,
    "comment_created": plan_comment_upsert,
    "comment_updated": plan_comment_upsert,
    "comment_deleted": plan_comment_deletion,
}


def work_item_from_issue(
    issue: Mapping[str, Any], rules: ReadingRules
) -> WorkItem | None:
    """The work item a full REST v2 issue describes; None when fields progress needs are missing.

    Done and points follow the connection's rules (connector/jira/reading.py), as a search does.
    """
    fields = as_object(issue.get("fields"))
    issue_id, key = as_text(issue.get("id")), as_text(issue.get("key"))
    title = fields.get("summary")
    status = as_object(fields.get("status"))
    category = rules.category(as_object(status.get("statusCategory")).get("key"), fields.get("resolution"))
    updated_at = parse_iso_utc(fields.get("updated"))
    # A points field (or, when done, the resolution) absent from the payload, not merely null:
    # a trimmed issue, re-read instead.
    trimmed = rules.lacks_points(fields) or (
        category in (StatusCategory.DONE, StatusCategory.CANCELED) and "resolution" not in fields)
    complete = issue_id and key and isinstance(title, str) and category and updated_at
    if not complete or trimmed:
        return None
    return WorkItem(
        external_id=issue_id,
        key=key,
        title=title,
        status_category=category,
        updated_at=updated_at,
        estimate=rules.estimate(fields),
        parent_ref=as_text(as_object(fields.get("parent")).get("key")),
        labels=tuple(label for label in fields.get("labels") or () if isinstance(label, str)),
        assignee=_user_ref(fields.get("assignee")),
        url=browse_url(issue.get("self"), key),
        status_name=as_text(status.get("name")),
    )


def comment_from_payload(comment: Mapping[str, Any], issue_id: str | None) -> Comment | None:
    """The comment a comment_* payload carries; None when it lacks an id, its issue or a date."""
    comment_id = as_text(comment.get("id"))
    created_at = parse_iso_utc(comment.get("created"))
    body = comment.get("body")
    if not (comment_id and issue_id and created_at and isinstance(body, str)):
        return None
    return Comment(
        external_id=comment_id,
        item_external_id=issue_id,
        body=body.strip(),  # as connector/jira/mapping.py stores comment bodies
        author=_user_ref(comment.get("author")),
        created_at=created_at,
        updated_at=parse_iso_utc(comment.get("updated")),
    )


def browse_url(self_url: Any, key: str) -> str | None:
    """`<site>/browse/KEY` from an issue's REST `self` URL, keeping a Server/DC context path."""
    if not isinstance(self_url, str) or "/rest/api/" not in self_url:
        return None
    site = self_url.split("/rest/api/", 1)[0]
    return f"{site}/browse/{key}"


def _comment_issue_id(payload: Mapping[str, Any]) -> str | None:
    issue_id = as_text(as_object(payload.get("issue")).get("id"))
    if issue_id:
        return issue_id
    comment_url = as_text(as_object(payload.get("comment")).get("self")) or ""
    match = _ISSUE_ID_IN_COMMENT_URL.search(comment_url)
    return match.group(1) if match else None


def _user_ref(user: Any) -> str | None:
    """Cloud users are known by accountId; Server/DC users by name (or key), as in the connector."""
    user = as_object(user)
    return as_text(user.get("accountId")) or as_text(user.get("name")) or as_text(user.get("key"))


class JiraWebhooks(WebhookDialect):
    """Jira Cloud and Data Center webhooks."""

    tracker = TrackerKind.JIRA
    # https://developer.atlassian.com/cloud/jira/platform/webhooks/#secure-admin-webhooks
    signature_header = "X-Hub-Signature"
    delivery_header = "X-Atlassian-Webhook-Identifier"
    timestamp_field = "timestamp"
    event_planners = EVENT_PLANNERS

    def signature(self, body: bytes, secret: str) -> str:
        return f"sha256={super().signature(body, secret)}"

    def event_type(self, payload: Mapping[str, Any]) -> str:
        event = payload.get("webhookEvent")
        return event if isinstance(event, str) else ""

    def is_ignored(self, event_type: str) -> bool:
        return event_type in IGNORED_EVENTS

    def author(self, payload: Mapping[str, Any]) -> str | None:
        # The webhook body's `user`: who made the change
        # (https://developer.atlassian.com/cloud/jira/platform/webhooks/#example-callback-for-an-issue-related-event)
        return _user_ref(payload.get("user"))

    def plan(self, event_type: str, payload: Mapping[str, Any],
             settings: Mapping[str, Any] | None = None) -> DeliveryEffect:
        planner = self.event_planners.get(event_type)
        if planner is None:
            return DeliveryEffect()
        return planner(payload, ReadingRules.from_settings(settings))

    def keeps_stored_estimate(self, settings: Mapping[str, Any] | None) -> bool:
        # With no points field pinned or discovered yet, the payload cannot say the estimate.
        return not ReadingRules.from_settings(settings).points_fields


JIRA_WEBHOOKS = JiraWebhooks()
