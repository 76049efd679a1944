"""What a connection tracks, as a TrackedScope that bounds its reconcile searches.

Jira Cloud's enhanced search refuses a query without a restriction ("Unbounded JQL queries are
not allowed here"; https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-search/
#api-rest-api-3-search-jql-post: "this parameter requires a bounded query"), so a full pass
reads the projects of the connection's issue and epic links and of the teams homed on it, the
children of its epics, and the issues of its JQL links.
"""
from __future__ import annotations

import re
from typing import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from connector.base import TrackedScope
from okr_core.domain import LinkKind
from okr_core.models import Team, WorkLink
from sync.ingest.plan import LinkView

_JIRA_KEY = re.compile(r"^([A-Z][A-Z0-9_]*)-\d+$", re.I)


def project_of(key: str) -> str | None:
    """The project key of an issue key (numeric ids name no project)."""
    m = _JIRA_KEY.match(key.strip())
    return m.group(1).upper() if m else None


def tracked_scope(session: Session, connection_id: int, links: Sequence[LinkView]) -> TrackedScope:
    """Projects, epics and queries the connection's links and homed teams reach."""
    homes = session.scalars(select(Team.home_project).where(
        Team.home_connection_id == connection_id, Team.home_project.is_not(None)))
    containers = {h.strip() for h in homes if h and h.strip()}
    parents = set()
    for link in links:
        kind, ref = LinkKind(link.kind), link.ref.strip()
        if kind in (LinkKind.ISSUE, LinkKind.EPIC, LinkKind.MIRROR) and project_of(ref):
            containers.add(project_of(ref))
        if kind is LinkKind.EPIC:
            parents.add(ref)
    # A JQL link Jira refused (its error is on the link) would make Jira refuse the whole search.
    queries = {ref.strip() for ref in session.scalars(select(WorkLink.ref).where(
        WorkLink.connection_id == connection_id, WorkLink.kind == LinkKind.JQL,
        WorkLink.last_error.is_(None))) if ref and ref.strip()}
    return TrackedScope(tuple(sorted(containers)), tuple(sorted(parents)), tuple(sorted(queries)))
