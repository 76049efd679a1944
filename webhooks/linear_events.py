"""Linear webhook events -> DeliveryEffect, pure.

Payload shape (action, type, data, updatedFrom, url, webhookTimestamp):
https://linear.app/developers/webhooks
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from okr_core.domain import Comment, StatusCategory, WorkItem
from webhooks.effects import DeliveryEffect
from webhooks.payload import as_number, as_object, as_text, parse_iso_utc

# Workflow state types: https://linear.app/docs/configuring-workflows
# Anything not listed (triage, backlog, unstarted) is still to do.
STATUS_CATEGORY_BY_STATE_TYPE = {
    "started": StatusCategory.IN_PROGRESS,
    "completed": StatusCategory.DONE,
    "canceled": StatusCategory.CANCELED,
    "duplicate": StatusCategory.CANCELED,
}

# Entity types okrsync does not act on, whatever the action; any other unhandled type is unknown.
IGNORED_TYPES = (
    "ProjectUpdate", "InitiativeUpdate", "IssueLabel", "Cycle", "Reaction", "Attachment",
    "Document", "IssueSLA", "AuditEntry", "Customer", "CustomerNeed", "User", "OAuthApp",
)

Planner = Callable[[Mapping[str, Any]], DeliveryEffect]


def plan_issue_upsert(payload: Mapping[str, Any]) -> DeliveryEffect:
    """An issue created or updated: upsert it when the payload says enough, else re-read it."""
    data = as_object(payload.get("data"))
    item = work_item_from_issue(data, payload.get("url"))
    if item is not None:
        return DeliveryEffect(upserts=[item])
    issue_id = as_text(data.get("id"))
    return DeliveryEffect(reread=[issue_id] if issue_id else [])


def plan_issue_removal(payload: Mapping[str, Any]) -> DeliveryEffect:
    """An issue removed (trashed): drop its mirror."""
    issue_id = as_text(as_object(payload.get("data")).get("id"))
    return DeliveryEffect(deletions=[issue_id] if issue_id else [])


def plan_comment_upsert(payload: Mapping[str, Any]) -> DeliveryEffect:
    """A comment created or edited: store it when it belongs to an issue."""
    comment = comment_from_data(as_object(payload.get("data")))
    return DeliveryEffect(comment_upserts=[comment] if comment else [])


def plan_comment_removal(payload: Mapping[str, Any]) -> DeliveryEffect:
    """A comment removed: drop it."""
    comment_id = as_text(as_object(payload.get("data")).get("id"))
    return DeliveryEffect(comment_deletions=[comment_id] if comment_id else [])


def plan_container_change(payload: Mapping[str, Any]) -> DeliveryEffect:
    """A project or initiative changed: its links may now resolve to other issues."""
    ref = as_text(as_object(payload.get("data")).get("id"))
    return DeliveryEffect(project_refs=[ref] if ref else [])


EVENT_PLANNERS: dict[str, Planner] = {
    "Issue.create": plan_issue_upsert,
    "Issue.update": plan_issue_upsert,
    "Issue.remove": plan_issue_removal,
    "Comment.create": plan_comment_upsert,
    "Comment.update": plan_comment_upsert,
    "Comment.remove": plan_comment_removal,
    **{
        f"{kind}.{action}": plan_container_change
        for kind in ("Project", "Initiative")
        for action in ("create", "update", "remove")
    },
}


def work_item_from_issue(data: Mapping[str, Any], url: Any = None) -> WorkItem | None:
    """The work item an Issue payload's `data` describes; None when it lacks what progress needs."""
    issue_id, key = as_text(data.get("id")), issue_key(data)
    title = data.get("title")
    state = as_object(data.get("state"))
    state_type = as_text(state.get("type"))
    updated_at = parse_iso_utc(data.get("updatedAt"))
    labels = label_names(data)
    complete = issue_id and key and isinstance(title, str) and state_type and updated_at
    if not complete or labels is None:
        return None
    # Linear leaves unset fields out of webhook data, so a missing estimate or project means none.
    return WorkItem(
        external_id=issue_id,
        key=key,
        title=title,
        status_category=STATUS_CATEGORY_BY_STATE_TYPE.get(state_type, StatusCategory.TODO),
        updated_at=updated_at,
        estimate=as_number(data.get("estimate")),
        parent_ref=as_text(data.get("projectId")),
        labels=labels,
        assignee=as_text(data.get("assigneeId")),
        url=as_text(data.get("url")) or as_text(url),
        status_name=as_text(state.get("name")),
    )


def issue_key(data: Mapping[str, Any]) -> str | None:
    """`WEB-44`: the identifier, or the team key and number older payloads carry instead."""
    identifier = as_text(data.get("identifier"))
    if identifier:
        return identifier
    team_key = as_text(as_object(data.get("team")).get("key"))
    number = as_number(data.get("number"))
    if team_key and number is not None:
        return f"{team_key}-{int(number)}"
    return None


def label_names(data: Mapping[str, Any]) -> tuple[str, ...] | None:
    """Label names, as connector/linear/mapping.py stores them; None when only ids are given."""
    labels = data.get("labels")
    if isinstance(labels, list):
        names = (as_text(as_object(label).get("name")) for label in labels)
        return tuple(name for name in names if name)
    # labelIds without the label objects: the names must be read through the connector.
    return None if data.get("labelIds") else ()


def comment_from_data(data: Mapping[str, Any]) -> Comment | None:
    """The comment a Comment payload's `data` describes; None for comments not on an issue."""
    comment_id, issue_id = as_text(data.get("id")), as_text(data.get("issueId"))
    created_at = parse_iso_utc(data.get("createdAt"))
    body = data.get("body")
    if not (comment_id and issue_id and created_at and isinstance(body, str)):
        return None
    return Comment(
        external_id=comment_id,
        item_external_id=issue_id,
        body=body,
        author=as_text(data.get("userId")) or as_text(as_object(data.get("user")).get("id")),
        created_at=created_at,
        updated_at=parse_iso_utc(data.get("updatedAt")),
    )
