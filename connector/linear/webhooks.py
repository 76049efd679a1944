"""Linear webhook events -> DeliveryEffect, pure.

Payload shape (action, type, data, updatedFrom, url, webhookTimestamp):
https://linear.app/developers/webhooks
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from okr_core.domain import Comment, TrackerKind, WorkItem
from connector.linear.mapping import status_category
from connector.webhook import DeliveryEffect, WebhookDialect
from connector.payload import as_number, as_object, as_text, from_millis_or_iso, parse_iso_utc

# Linear's SDK rejects deliveries whose webhookTimestamp is more than a minute away from now:
# https://linear.app/developers/webhooks and https://linear.app/docs/api/sdk-webhooks
LINEAR_TIMESTAMP_TOLERANCE = timedelta(seconds=60)

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
        status_category=status_category(state_type),
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


class LinearWebhooks(WebhookDialect):
    """Linear webhooks (https://linear.app/developers/webhooks)."""

    tracker = TrackerKind.LINEAR
    signature_header = "Linear-Signature"
    delivery_header = "Linear-Delivery"
    timestamp_field = "webhookTimestamp"
    event_planners = EVENT_PLANNERS

    def occurred_at(self, payload: Mapping[str, Any]) -> datetime | None:
        return from_millis_or_iso(payload.get(self.timestamp_field))

    def event_type(self, payload: Mapping[str, Any]) -> str:
        kind, action = payload.get("type"), payload.get("action")
        if isinstance(kind, str) and isinstance(action, str):
            return f"{kind}.{action}"
        return ""

    def stale_timestamp(self, payload: Mapping[str, Any], now: datetime) -> str | None:
        """The signed webhookTimestamp must be within 60 s of now (replay protection)."""
        # https://linear.app/developers/webhooks: milliseconds; captured older payloads: ISO-8601.
        sent_at = from_millis_or_iso(payload.get("webhookTimestamp"))
        if sent_at is None:
            return "webhookTimestamp missing or not a time"
        if abs(now - sent_at) > LINEAR_TIMESTAMP_TOLERANCE:
            return f"webhookTimestamp {sent_at.isoformat()} is too far from now"
        return None

    def is_ignored(self, event_type: str) -> bool:
        return event_type.partition(".")[0] in IGNORED_TYPES

    def author(self, payload: Mapping[str, Any]) -> str | None:
        """`actor.id`: the user (or OAuth client) whose action triggered the delivery.

        EntityWebhookPayload.actor (UserActorWebhookPayload / OauthClientActorWebhookPayload...) in
        Linear's published schema; changes made through an API key come from the key's user,
        the `viewer` (https://linear.app/developers/oauth-actor-authorization: "all Linear's API
        authentication methods treat the authenticating user as the API actor"). Older captured
        payloads carry no actor."""
        return as_text(as_object(payload.get("actor")).get("id"))

    # plan: the base dialect's, since Linear payloads carry the estimate (no reading rules).


LINEAR_WEBHOOKS = LinearWebhooks()
