"""Builders for Linear GraphQL answers, shaped like the published schema's types."""
from __future__ import annotations

from responses import matchers


def node(number: int, state_type: str = "started", estimate=2, project: str | None = "proj-1",
         updated: str = "2026-11-02T09:15:00.000Z", archived: str | None = None) -> dict:
    """One Issue node with the WorkItemFields fragment."""
    return {
        "id": f"uuid-{number}", "identifier": f"ENG-{number}", "title": f"Issue {number}",
        "url": f"https://linear.app/acme/issue/ENG-{number}", "updatedAt": updated,
        "archivedAt": archived, "trashed": bool(archived), "estimate": estimate,
        "state": {"name": state_type.title(), "type": state_type},
        "project": {"id": project} if project else None, "assignee": {"id": "user-1"},
        "labels": {"nodes": [{"name": "backend"}]},
    }


def issues_page(nodes: list[dict], cursor: str | None) -> dict:
    return {"data": {"issues": {"nodes": nodes, "pageInfo": {"hasNextPage": cursor is not None,
                                                             "endCursor": cursor}}}}


def operation(name: str, **variables) -> list:
    """Matchers for one named operation with (at least) these variables."""
    body = {"operationName": name}
    if variables:
        body["variables"] = variables
    return [matchers.json_params_matcher(body, strict_match=False)]


def error(code: str, message: str = "error") -> dict:
    return {"errors": [{"message": message, "extensions": {"code": code}}]}
