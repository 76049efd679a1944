"""Builders for Jira REST response bodies, shaped like the documented examples."""
from __future__ import annotations


def issue(number: int, *, category: str = "indeterminate", status: str = "In Progress", points=3.0,
          points_field: str = "customfield_10016", parent: str | None = "OKR-1", labels=("backend",),
          updated: str = "2026-11-02T09:15:00.000+0000", links=None) -> dict:
    """One search-result issue."""
    fields = {
        "summary": f"Issue {number}",
        "status": {"name": status, "statusCategory": {"key": category}},
        "updated": updated,
        "labels": list(labels),
        "assignee": {"accountId": f"acct-{number}"},
        "issuetype": {"name": "Task"},
        points_field: points,
    }
    if parent:
        fields["parent"] = {"id": "10001", "key": parent}
    if links is not None:
        fields["issuelinks"] = links
    return {"id": str(10000 + number), "key": f"OKR-{number}", "fields": fields}


def cloud_page(issues: list[dict], token: str | None) -> dict:
    """A /rest/api/3/search/jql answer."""
    body = {"issues": issues, "isLast": token is None}
    if token:
        body["nextPageToken"] = token
    return body


def dc_page(issues: list[dict], start: int, total: int) -> dict:
    """A /rest/api/2/search answer."""
    return {"startAt": start, "maxResults": 2, "total": total, "issues": issues}
