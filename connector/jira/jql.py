"""JQL builders for the searches the Jira connector runs."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from okr_core.domain import LinkKind


def quote(value: str) -> str:
    """A JQL string literal."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def changed_since(since: datetime | None, zone: str = "UTC") -> str:
    """Items updated at or after `since`, oldest first.

    JQL compares dates at minute precision in the searching user's time zone
    (https://support.atlassian.com/jira-software-cloud/docs/jql-fields/#Updated), so the
    instant is converted to `zone` and floored to the minute: the re-read overlaps, never misses.
    """
    if since is None:
        return "ORDER BY updated ASC"
    if since.tzinfo is None:
        since = since.replace(tzinfo=timezone.utc)
    local = since.astimezone(ZoneInfo(zone))
    return f'updated >= "{local:%Y-%m-%d %H:%M}" ORDER BY updated ASC'


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
    """Items whose id or key is in the list."""
    return "issue in (" + ", ".join(quote(i) for i in external_ids) + ")"


def by_label(label: str) -> str:
    """Items carrying a label."""
    return f"labels = {quote(label)}"
