"""Pure mapping from Jira REST JSON to domain objects, and plain text to Jira's body formats."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from connector.errors import MalformedResponse
from connector.jira.reading import ReadingRules
from okr_core.domain import BlockingRelation, Comment, StatusCategory, WorkItem

BASE_FIELDS = ("summary", "status", "resolution", "updated", "parent", "labels", "assignee", "issuetype")


def parse_jira_time(value: str) -> datetime:
    """Jira timestamps look like 2026-11-02T09:15:00.000+0000 (fromisoformat reads it since 3.11)."""
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError) as bad:
        raise MalformedResponse(f"unreadable Jira timestamp {value!r}") from bad


def _account(user: dict | None) -> str | None:
    """Cloud identifies users by accountId, Data Center by name."""
    if not user:
        return None
    return user.get("accountId") or user.get("name") or user.get("key")


def _epic_link(fields: dict, epic_field: str | None) -> str | None:
    """Data Center's Epic Link value is the epic's key as a plain string."""
    value = fields.get(epic_field) if epic_field else None
    return value if isinstance(value, str) else None


def work_item(issue: dict, base_url: str, rules: ReadingRules, epic_field: str | None = None) -> WorkItem:
    """One search-result issue as a WorkItem; the epic is `parent` (Cloud) or the Epic Link (DC)."""
    try:
        fields = issue["fields"]
        category = rules.category(fields["status"]["statusCategory"]["key"], fields.get("resolution"))
        return WorkItem(
            external_id=str(issue["id"]),
            key=issue["key"],
            title=fields.get("summary") or "",
            status_category=category or StatusCategory.IN_PROGRESS,
            updated_at=parse_jira_time(fields["updated"]),
            estimate=rules.estimate(fields),
            parent_ref=(fields.get("parent") or {}).get("key") or _epic_link(fields, epic_field),
            labels=tuple(fields.get("labels") or ()),
            assignee=_account(fields.get("assignee")),
            url=f"{base_url}/browse/{issue['key']}",
            status_name=fields["status"].get("name"),
        )
    except (KeyError, TypeError, AttributeError) as bad:
        raise MalformedResponse(f"Jira issue without the expected fields: {bad!r}") from bad


def blocking_relations(issue: dict) -> list[BlockingRelation]:
    """The "Blocks" links of one issue, in blocker -> blocked direction."""
    relations = []
    for link in (issue.get("fields") or {}).get("issuelinks") or ():
        if (link.get("type") or {}).get("name", "").lower() != "blocks":
            continue
        if "outwardIssue" in link:   # this issue "blocks" the outward one
            relations.append(BlockingRelation(str(issue["id"]), str(link["outwardIssue"]["id"])))
        elif "inwardIssue" in link:  # this issue "is blocked by" the inward one
            relations.append(BlockingRelation(str(link["inwardIssue"]["id"]), str(issue["id"])))
    return relations


def adf_to_text(node: Any) -> str:
    """Plain text of an Atlassian Document Format body (v3) or the string itself (v2)."""
    if isinstance(node, str) or node is None:
        return node or ""
    if node.get("type") == "text":
        return node.get("text", "")
    if node.get("type") == "hardBreak":
        return "\n"
    inner = "".join(adf_to_text(child) for child in node.get("content") or ())
    return inner + "\n" if node.get("type") in ("paragraph", "heading", "listItem") else inner


def text_to_adf(text: str) -> dict:
    """A plain-text body as an ADF document, one paragraph per line."""
    # https://developer.atlassian.com/cloud/jira/platform/apis/document/structure/
    paragraphs = [
        {"type": "paragraph", "content": [{"type": "text", "text": line}] if line else []}
        for line in text.split("\n")
    ]
    return {"type": "doc", "version": 1, "content": paragraphs}


def comment(raw: dict, item_external_id: str) -> Comment:
    """One Jira comment as a Comment."""
    try:
        return Comment(
            external_id=str(raw["id"]),
            item_external_id=item_external_id,
            body=adf_to_text(raw.get("body")).strip(),
            author=_account(raw.get("author")),
            created_at=parse_jira_time(raw["created"]),
            updated_at=parse_jira_time(raw["updated"]) if raw.get("updated") else None,
        )
    except (KeyError, TypeError, AttributeError) as bad:
        raise MalformedResponse(f"Jira comment without the expected fields: {bad!r}") from bad
