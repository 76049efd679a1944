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

Jira refuses it as well when `project in (...)` names a project that was deleted, renamed or
mistyped, or that the API user may not browse ("The value 'X' does not exist for the field
'project'.", the `project = INVALID` example of POST /rest/api/3/jql/parse,
https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-jql/#api-rest-api-3-jql-parse-post).
So the refused search is first followed by GET /project/search?keys=... (Data Center:
GET /project/{key}), which leaves missing projects out: the links into them get an error, the
pass reports them (`projects_missing`, which covers homes), and every pass names them again, so a
restored project is read again by the next pass.
"""
from __future__ import annotations

import logging
import re
from dataclasses import replace
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from connector.base import TrackedScope
from okr_core.domain import LinkKind
from okr_core.models import Team, WorkLink
from plumbing.db import job_session

log = logging.getLogger("okrsync.sync.reconcile.tracked_scope")
GONE_EPIC = "Epic {ref} no longer exists in the tracker: this link matches nothing until it is restored or removed."
GONE_PROJECT = ("Project {ref} no longer exists in the tracker, or okrsync may not browse it: this "
                "link matches nothing until the project is restored or the link removed.")
_JIRA_KEY = re.compile(r"^([A-Z][A-Z0-9_]*)-\d+$", re.I)


def project_of(key: str) -> str | None:
    """The project key of an issue key (numeric ids name no project)."""
    m = _JIRA_KEY.match(key.strip())
    return m.group(1).upper() if m else None


def tracked_scope(session: Session, connection_id: int, full: bool = False) -> TrackedScope:
    """Projects, epics and queries the connection's links and homed teams reach; epics known to
    be gone (their link's error says so) only in a full pass."""
    homes = session.scalars(select(Team.home_project).where(
        Team.home_connection_id == connection_id, Team.home_project.is_not(None)))
    containers = {h.strip() for h in homes if h and h.strip()}
    parents = set()
    gone = set() if full else set(session.scalars(select(WorkLink.ref).where(
        WorkLink.connection_id == connection_id, WorkLink.kind == LinkKind.EPIC,
        WorkLink.last_error.like(GONE_EPIC.split("{ref}")[0] + "%"))))
    for kind, stored_ref in session.execute(select(WorkLink.kind, WorkLink.ref).where(
            WorkLink.connection_id == connection_id,
            WorkLink.kind.in_((LinkKind.ISSUE, LinkKind.EPIC, LinkKind.MIRROR)))):
        ref = stored_ref.strip()
        if project_of(ref):
            containers.add(project_of(ref))
        if LinkKind(kind) is LinkKind.EPIC and stored_ref not in gone:
            parents.add(ref)
    # A JQL link Jira refused (its error is on the link) would make Jira refuse the whole search.
    queries = {ref.strip() for ref in session.scalars(select(WorkLink.ref).where(
        WorkLink.connection_id == connection_id, WorkLink.kind == LinkKind.JQL,
        WorkLink.last_error.is_(None))) if ref and ref.strip()}
    return TrackedScope(tuple(sorted(containers)), tuple(sorted(parents)), tuple(sorted(queries)))


def narrowed_after_refusal(connection_id: int, connector, scope: TrackedScope) -> TrackedScope | None:
    """After the tracker refused a search: the scope without the projects and epics it no longer
    has (their links marked), or None when it has them all (the refusal had another cause)."""
    narrowed = scope   # (an empty scope is falsy: compared with None, not `or`)
    for narrow in (without_missing_projects, without_gone_parents):
        if (less := narrow(connection_id, connector, narrowed)) is not None:
            narrowed = less
    return None if narrowed == scope else narrowed


def without_missing_projects(connection_id: int, connector, scope: TrackedScope) -> TrackedScope | None:
    """The scope without the projects the tracker does not have (links into them marked, their
    epics left out too), or None when it has them all or cannot say."""
    named = set(scope.containers) | set(scope.excluded)
    if not named or not hasattr(connector, "existing_projects"):
        return None
    existing = connector.existing_projects(sorted(named))
    missing = sorted(p for p in named if p.upper() not in existing)
    if not missing:
        return None
    with job_session() as session:
        for project in missing:
            session.execute(update(WorkLink).where(
                WorkLink.connection_id == connection_id,
                WorkLink.kind.in_((LinkKind.ISSUE, LinkKind.EPIC, LinkKind.MIRROR)),
                WorkLink.ref.like(f"{project}-%")).values(last_error=GONE_PROJECT.format(ref=project)))
    log.warning("sync.scope.projects-missing", extra={"connection_id": connection_id, "projects": missing})
    gone = set(missing)
    return replace(scope, containers=tuple(p for p in scope.containers if p not in gone),
                   parents=tuple(p for p in scope.parents if project_of(p) not in gone),
                   excluded=tuple(p for p in scope.excluded if p not in gone))


def missing_projects(before: TrackedScope, after: TrackedScope) -> list[str]:
    """The projects a narrowed scope left out."""
    return sorted(set(before.containers) - set(after.containers))


def clear_missing_projects(connection_id: int, scope: TrackedScope) -> None:
    """A search naming these projects succeeded: links into them no longer say they are missing."""
    with job_session() as session:
        for project in scope.containers:
            session.execute(update(WorkLink).where(
                WorkLink.connection_id == connection_id, WorkLink.ref.like(f"{project}-%"),
                WorkLink.last_error == GONE_PROJECT.format(ref=project)).values(last_error=None))


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
