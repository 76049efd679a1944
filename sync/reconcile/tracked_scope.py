"""What a connection tracks, as a TrackedScope that bounds its reconcile searches.

Jira Cloud's enhanced search refuses a query without a restriction ("Unbounded JQL queries are
not allowed here"; https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-search/
#api-rest-api-3-search-jql-post: "this parameter requires a bounded query"), so a full pass
reads the projects of the connection's issue and epic links and of the teams homed on it, the
children of its epics, and the issues of its JQL links.

Jira also refuses the whole search when `parent in (...)` names an epic that was deleted ("An
issue with key 'X' does not exist for field 'parent'.", the rule Atlassian's own JQL test
TestClausesDependentOnProperties.testSubTaskClausesInvalid checks). A refused search is therefore
followed by one bulkfetch of the epics, which leaves deleted ones out instead of refusing
(https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/
#api-rest-api-3-issue-bulkfetch-post); their links get an error the admin sees, incremental
passes leave them out, and a full pass tries them again (an epic restored from the trash comes
back by itself).
"""
from __future__ import annotations

import logging
import re
from dataclasses import replace
from typing import Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from connector.base import TrackedScope
from okr_core.domain import LinkKind
from okr_core.models import Team, WorkLink
from plumbing.db import job_session
from sync.ingest.plan import LinkView

log = logging.getLogger("okrsync.sync.reconcile.tracked_scope")
GONE_EPIC = "Epic {ref} no longer exists in the tracker: this link matches nothing until it is restored or removed."
_JIRA_KEY = re.compile(r"^([A-Z][A-Z0-9_]*)-\d+$", re.I)


def project_of(key: str) -> str | None:
    """The project key of an issue key (numeric ids name no project)."""
    m = _JIRA_KEY.match(key.strip())
    return m.group(1).upper() if m else None


def tracked_scope(session: Session, connection_id: int, links: Sequence[LinkView],
                  full: bool = False) -> TrackedScope:
    """Projects, epics and queries the connection's links and homed teams reach; epics known to
    be gone (their link's error says so) only in a full pass."""
    homes = session.scalars(select(Team.home_project).where(
        Team.home_connection_id == connection_id, Team.home_project.is_not(None)))
    containers = {h.strip() for h in homes if h and h.strip()}
    parents = set()
    gone = set() if full else set(session.scalars(select(WorkLink.ref).where(
        WorkLink.connection_id == connection_id, WorkLink.kind == LinkKind.EPIC,
        WorkLink.last_error.like(GONE_EPIC.split("{ref}")[0] + "%"))))
    for link in links:
        kind, ref = LinkKind(link.kind), link.ref.strip()
        if kind in (LinkKind.ISSUE, LinkKind.EPIC, LinkKind.MIRROR) and project_of(ref):
            containers.add(project_of(ref))
        if kind is LinkKind.EPIC and link.ref not in gone:
            parents.add(ref)
    # A JQL link Jira refused (its error is on the link) would make Jira refuse the whole search.
    queries = {ref.strip() for ref in session.scalars(select(WorkLink.ref).where(
        WorkLink.connection_id == connection_id, WorkLink.kind == LinkKind.JQL,
        WorkLink.last_error.is_(None))) if ref and ref.strip()}
    return TrackedScope(tuple(sorted(containers)), tuple(sorted(parents)), tuple(sorted(queries)))


def without_gone_parents(connection_id: int, connector, scope: TrackedScope) -> TrackedScope | None:
    """After the tracker refused a search: the scope without the epics it no longer has (their
    links marked), or None when every epic still exists (the refusal had another cause)."""
    if not scope.parents:
        return None
    found = connector.get_items(list(scope.parents))
    present = {i.key for i in found} | {i.external_id for i in found}
    gone = sorted(set(scope.parents) - present)
    if not gone:
        return None
    with job_session() as session:
        for ref in gone:
            session.execute(update(WorkLink).where(
                WorkLink.connection_id == connection_id, WorkLink.kind == LinkKind.EPIC,
                WorkLink.ref == ref).values(last_error=GONE_EPIC.format(ref=ref)))
    log.warning("sync.scope.epics-gone", extra={"connection_id": connection_id, "epics": gone})
    return replace(scope, parents=tuple(p for p in scope.parents if p not in gone))


def clear_gone_parents(connection_id: int, scope: TrackedScope) -> None:
    """A search naming these epics succeeded: none of them is gone."""
    if not scope.parents:
        return
    with job_session() as session:
        session.execute(update(WorkLink).where(
            WorkLink.connection_id == connection_id, WorkLink.kind == LinkKind.EPIC,
            WorkLink.ref.in_(scope.parents),
            WorkLink.last_error.like(GONE_EPIC.split("{ref}")[0] + "%")).values(last_error=None))
