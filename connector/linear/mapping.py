"""Pure mapping from Linear GraphQL nodes to domain objects."""
from __future__ import annotations

from datetime import datetime

from connector.errors import MalformedResponse
from okr_core.domain import BlockingRelation, Comment, KRStatus, StatusCategory, WorkItem, points

# Workflow state types: https://linear.app/docs/configuring-workflows
STATE_TYPES = {
    "triage": StatusCategory.TODO,
    "backlog": StatusCategory.TODO,
    "unstarted": StatusCategory.TODO,
    "started": StatusCategory.IN_PROGRESS,
    "completed": StatusCategory.DONE,
    "canceled": StatusCategory.CANCELED,
    "duplicate": StatusCategory.CANCELED,
}


def status_category(state_type: str | None) -> StatusCategory:
    """The one Linear status mapping (GraphQL reads and webhooks): an unknown state type is work
    under way, neither still to do nor finished."""
    return STATE_TYPES.get(state_type, StatusCategory.IN_PROGRESS)


HEALTH = {KRStatus.ON_TRACK: "onTrack", KRStatus.AT_RISK: "atRisk", KRStatus.OFF_TRACK: "offTrack"}


def parse_time(value: str) -> datetime:
    """Linear DateTime scalars are ISO 8601 with a Z suffix."""
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (AttributeError, ValueError) as bad:
        raise MalformedResponse(f"unreadable Linear timestamp {value!r}") from bad


def work_item(node: dict) -> WorkItem:
    """One Issue node (WorkItemFields) as a WorkItem; archived or trashed issues come as deleted."""
    try:
        state = node["state"] or {}
        return WorkItem(
            external_id=node["id"],
            key=node["identifier"],
            title=node.get("title") or "",
            status_category=status_category(state.get("type")),
            updated_at=parse_time(node["updatedAt"]),
            estimate=points(node.get("estimate")),
            parent_ref=(node.get("project") or {}).get("id"),
            labels=tuple(label["name"] for label in (node.get("labels") or {}).get("nodes", ())),
            assignee=(node.get("assignee") or {}).get("id"),
            url=node.get("url"),
            status_name=state.get("name"),
            deleted=bool(node.get("archivedAt") or node.get("trashed")),
        )
    except (KeyError, TypeError, AttributeError) as bad:
        raise MalformedResponse(f"Linear issue without the expected fields: {bad!r}") from bad


def comment(node: dict, issue_id: str) -> Comment:
    """One Comment node as a Comment."""
    try:
        return Comment(
            external_id=node["id"],
            item_external_id=issue_id,
            body=node.get("body") or "",
            author=(node.get("user") or {}).get("id"),
            created_at=parse_time(node["createdAt"]),
            updated_at=parse_time(node["updatedAt"]) if node.get("updatedAt") else None,
        )
    except (KeyError, TypeError, AttributeError) as bad:
        raise MalformedResponse(f"Linear comment without the expected fields: {bad!r}") from bad


def blocking_relations(node: dict) -> list[BlockingRelation]:
    """Relations of type "blocks" on an issue, outgoing and incoming, blocker first."""
    relations = []
    for rel in (node.get("relations") or {}).get("nodes", ()):
        if rel.get("type") == "blocks":
            relations.append(BlockingRelation(node["id"], rel["relatedIssue"]["id"]))
    for rel in (node.get("inverseRelations") or {}).get("nodes", ()):
        if rel.get("type") == "blocks":
            relations.append(BlockingRelation(rel["issue"]["id"], node["id"]))
    return relations
