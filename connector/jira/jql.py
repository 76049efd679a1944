"""JQL builders for the searches the Jira connector runs."""
from __future__ import annotations

import re
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from connector.base import TrackedScope
from okr_core.domain import LinkKind


def quote(value: str) -> str:
    """A JQL string literal."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def changed_since(since: datetime | None, zone: str = "UTC", bound: str | None = None) -> str:
    """Items updated at or after `since` within `bound`, oldest first.

    JQL compares dates at minute precision in the searching user's time zone (the `timeZone` of
    GET /rest/api/3/myself; https://support.atlassian.com/jira-software-cloud/docs/jql-fields/#Updated),
    so the instant is converted to `zone` and floored to the minute: the re-read overlaps, never misses.
    Cloud's enhanced search refuses a query without a restriction, so a full read needs `bound`.
    """
    conditions = [f"({bound})"] if bound else []
    if since is not None:
        if since.tzinfo is None:
            since = since.replace(tzinfo=timezone.utc)
        local = since.astimezone(ZoneInfo(zone))
        conditions.append(f'updated >= "{local:%Y-%m-%d %H:%M}"')
    return " AND ".join(conditions + ["ORDER BY updated ASC"]).replace(" AND ORDER BY", " ORDER BY")


_ORDER_BY = re.compile(r"\s+ORDER\s+BY\s+.*$", re.I | re.S)


def tracked(scope: TrackedScope, epic_clause: str = "parent") -> str | None:
    """JQL matching whatever a connection tracks: its projects, epics' children and JQL links."""
    parts = []
    if scope.containers:
        parts.append("project in (" + ", ".join(quote(p) for p in sorted(scope.containers)) + ")")
    if scope.parents:
        parts.append(f"{epic_clause} in (" + ", ".join(quote(p) for p in sorted(scope.parents)) + ")")
    for query in sorted(scope.queries):
        # A link's JQL may end with ORDER BY, which cannot sit inside parentheses.
        clause = _ORDER_BY.sub("", " " + query).strip()
        if clause:
            parts.append(f"({clause})")
    if not parts:
        return None
    if scope.excluded:
        left_out = ", ".join(quote(p) for p in sorted(scope.excluded))
        return f"({' OR '.join(parts)}) AND project not in ({left_out})"
    return " OR ".join(parts)


def for_link(kind: LinkKind, ref: str, epic_clause: str = "parent") -> str:
    """The JQL a Jira work link stands for (`epic_clause` is '"Epic Link"' on Data Center)."""
    if kind is LinkKind.ISSUE:
        return f"issue = {quote(ref)}"
    if kind is LinkKind.EPIC:
        # Cloud replaced the Epic Link field by `parent` for company- and team-managed projects
        # (Atlassian's "deprecation of the Epic Link and Parent Link fields" notice); DC keeps it.
        return f"{epic_clause} = {quote(ref)}"
    if kind is LinkKind.JQL:
        return ref
    if kind is LinkKind.MIRROR:
        return f"issue in linkedIssues({quote(ref)})"
    raise ValueError(f"Jira cannot resolve a {kind} link")


def by_ids(external_ids: list[str]) -> str:
    """Items whose id or key is in the list (Jira refuses the whole query if one is gone)."""
    return "issue in (" + ", ".join(quote(i) for i in external_ids) + ")"


def for_link_item(kind: LinkKind, ref: str, item_key: str, epic_clause: str = "parent") -> str:
    """Whether one issue matches a link: `issue = KEY AND (<link JQL>)`, one bounded search."""
    condition = _ORDER_BY.sub("", " " + for_link(kind, ref, epic_clause)).strip()
    return f"issue = {quote(item_key)} AND ({condition})"


def by_label(label: str) -> str:
    """Items carrying a label."""
    return f"labels = {quote(label)}"
