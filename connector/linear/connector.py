"""The Linear connector: issues, comments, relations, initiative/project mirrors and updates."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Callable, Sequence

import requests

from connector.base import OUTSIDE, ConnectionCheck, Discussions, TrackedScope
from okr_core.connection_settings import SITE_FACTS
from connector.errors import MalformedResponse, NotFound
from connector.linear import mapping
from connector.linear.client import LinearGraphQL, auth_header, data_at
from connector.linear.mirrors import LinearMirrors
from connector.linear.status import check_connection
from connector.retry import RetryPolicy
from okr_core.domain import BlockingRelation, LinkKind, Page, TrackerKind, WorkItem

PAGE_SIZE = 250          # Linear's maximum `first`
RELATIONS_PAGE_SIZE = 25  # each issue carries two nested connections of 25
COMMENTS_PAGE_SIZE = 50
TEAMS_PAGE_SIZE = 100


def _link_filter(kind: LinkKind, ref: str) -> dict:
    """The IssueFilter a Linear work link stands for."""
    if kind is LinkKind.PROJECT:
        return {"project": {"id": {"eq": ref}}}
    if kind is LinkKind.INITIATIVE:
        return {"project": {"initiatives": {"some": {"id": {"eq": ref}}}}}
    if kind is LinkKind.LABEL:
        return {"labels": {"some": {"id": {"eq": ref}}}}
    if kind is LinkKind.FILTER:
        custom = json.loads(ref) if isinstance(ref, str) else ref
        if not isinstance(custom, dict):
            raise ValueError("a Linear filter link must be an IssueFilter JSON object")
        return custom
    raise ValueError(f"Linear cannot resolve a {kind} link")


class LinearConnector(LinearMirrors):
    """TrackerConnector and StatusPublisher for one Linear workspace."""

    kind = TrackerKind.LINEAR
    DISCUSSION_BATCH = RELATIONS_PAGE_SIZE   # issues per read_discussions call

    def __init__(self, graphql: LinearGraphQL, page_size: int = PAGE_SIZE, namespace: str = "okrsync",
                 facts: dict | None = None):
        self.graphql = graphql
        self.page_size = page_size
        self.namespace = namespace
        self.facts = dict(facts or {})   # cached in the connection's settings (SITE_FACTS)
        # Told each newly learned fact set, so the caller can cache it per connection.
        self.remember_facts: Callable[[dict], None] | None = None

    @classmethod
    def from_config(cls, base_url: str, credentials: dict, settings: dict,
                    session: requests.Session | None = None,
                    sleep: Callable[[float], None] | None = None) -> "LinearConnector":
        """Build from a connection's base URL (default https://api.linear.app) and credentials."""
        graphql = LinearGraphQL(
            (base_url or "https://api.linear.app") + "/graphql", auth_header(credentials),
            RetryPolicy.from_settings(settings, sleep), float(settings.get("timeout", 30.0)), session)
        page_size = min(int(settings.get("page_size", PAGE_SIZE)), PAGE_SIZE)
        facts = settings.get(SITE_FACTS)
        return cls(graphql, page_size, settings.get("mirror_namespace", "okrsync"),
                   facts if isinstance(facts, dict) else None)

    def test_connection(self) -> ConnectionCheck:
        """Check the key and that the workspace and a team are readable."""
        return check_connection(self.graphql)

    def own_account(self) -> str | None:
        """The id of the user this key acts as (`viewer`), asked once and then cached.

        Linear names it as the webhook `actor` of every change okrsync writes, so the deliveries
        those writes cause can be recognised and cost nothing. Asked before the first write."""
        if not self.facts.get("account_id"):
            viewer = data_at(self.graphql.execute("Viewer", {}), "viewer")
            if not viewer.get("id"):
                raise MalformedResponse("Linear viewer answered without an id")
            self.facts = {**self.facts, "account_id": str(viewer["id"]),
                          "fetched_at": datetime.now(timezone.utc).isoformat()}
            if self.remember_facts is not None:
                self.remember_facts(dict(self.facts))
        return self.facts["account_id"]

    def fetch_changed(self, since: datetime | None, page_cursor: str | None = None,
                      scope: TrackedScope | None = None) -> Page:
        """One page of issues updated after `since`, archived ones included as deleted.

        Linear orders by updatedAt newest first, so advance a since-cursor only after the last page.
        Linear's issues query needs no restriction: of `scope`, only a split pass's part bounds it
        (its `teams`, or every team but the `excluded` ones).
        """
        conditions = []
        if since is not None:
            conditions.append({"updatedAt": {"gt": linear_time(since)}})
        if scope is not None and scope.teams:
            conditions.append({"team": {"id": {"in": list(scope.teams)}}})
        if scope is not None and scope.excluded:
            conditions.append({"team": {"id": {"nin": list(scope.excluded)}}})
        issue_filter = {"and": conditions} if len(conditions) > 1 else (conditions or [None])[0]
        return self._issues_page(issue_filter, page_cursor)

    def split_scope(self, scope: TrackedScope) -> dict[str, TrackedScope]:
        """A part per team the key sees, and OUTSIDE for issues of any other team (one created
        while the pass runs): every issue is in one team, so the parts read disjoint issues."""
        teams, cursor = [], None
        while True:
            connection = data_at(self.graphql.execute("Teams", {"first": TEAMS_PAGE_SIZE,
                                                                "after": cursor}), "teams")
            teams += [str(node["id"]) for node in connection.get("nodes") or () if node.get("id")]
            if (cursor := _next(connection)) is None:
                break
        parts = {team: TrackedScope(teams=(team,)) for team in teams}
        parts[OUTSIDE] = TrackedScope(excluded=tuple(teams))
        return parts

    def resolve_link(self, kind: LinkKind, ref: str, page_cursor: str | None = None) -> Page:
        """One page of the issues a link matches (a single issue: one page, maybe empty)."""
        if kind is LinkKind.ISSUE:
            try:
                node = data_at(self.graphql.execute("IssueById", {"id": ref}), "issue")
            except NotFound:
                return Page(items=[])
            return Page(items=[mapping.work_item(node)] if node else [])
        return self._issues_page(_link_filter(kind, ref), page_cursor)

    def link_matches_item(self, kind: LinkKind, ref: str, item_id: str) -> bool:
        """Whether one issue matches a link, in one query: `{id: {eq}}` and the link's filter."""
        if kind is LinkKind.ISSUE:
            return ref == item_id
        issue_filter = {"and": [{"id": {"eq": item_id}}, _link_filter(kind, ref)]}
        variables = {"filter": issue_filter, "first": 1, "after": None}
        nodes = data_at(self.graphql.execute("IssuesPage", variables), "issues").get("nodes") or ()
        return any(not mapping.work_item(n).deleted for n in nodes)

    def get_items(self, external_ids: Sequence[str]) -> list[WorkItem]:
        """Issues by id, paged; missing ids are left out."""
        items: list[WorkItem] = []
        for start in range(0, len(external_ids), self.page_size):
            issue_filter = {"id": {"in": list(external_ids[start:start + self.page_size])}}
            cursor = None
            while True:
                page = self._issues_page(issue_filter, cursor)
                items.extend(page.items)
                if (cursor := page.next_cursor) is None:
                    break
        return items

    def list_comments(self, external_id: str, page_cursor: str | None = None) -> Page:
        """One page of an issue's comments, oldest first."""
        data = self.graphql.execute("IssueComments", {"id": external_id, "first": COMMENTS_PAGE_SIZE,
                                                         "after": page_cursor})
        connection = data_at(data, "issue", "comments")
        comments = [mapping.comment(n, external_id) for n in connection.get("nodes") or ()]
        return Page(items=comments, next_cursor=_next(connection))

    def list_blocking_relations(self, external_ids: Sequence[str]) -> list[BlockingRelation]:
        """Blocking relations touching these issues, each once."""
        found: dict[BlockingRelation, None] = {}
        for start in range(0, len(external_ids), RELATIONS_PAGE_SIZE):
            variables = {"filter": {"id": {"in": list(external_ids[start:start + RELATIONS_PAGE_SIZE])}},
                         "first": RELATIONS_PAGE_SIZE, "after": None}
            while True:
                connection = data_at(self.graphql.execute("IssueRelations", variables), "issues")
                for node in connection.get("nodes") or ():
                    found.update(dict.fromkeys(mapping.blocking_relations(node)))
                variables["after"] = _next(connection)
                if variables["after"] is None:
                    break
        return list(found)

    def read_discussions(self, external_ids: Sequence[str]) -> Discussions:
        """Comments (the first 50 each) and blocking relations of these issues, one query per
        batch of issues."""
        comments, relations = [], {}
        for start in range(0, len(external_ids), RELATIONS_PAGE_SIZE):
            variables = {"filter": {"id": {"in": list(external_ids[start:start + RELATIONS_PAGE_SIZE])}},
                         "first": RELATIONS_PAGE_SIZE, "after": None}
            while True:
                connection = data_at(self.graphql.execute("IssueDiscussions", variables), "issues")
                for node in connection.get("nodes") or ():
                    comments += [mapping.comment(c, node["id"])
                                 for c in (node.get("comments") or {}).get("nodes") or ()]
                    relations.update(dict.fromkeys(mapping.blocking_relations(node)))
                variables["after"] = _next(connection)
                if variables["after"] is None:
                    break
        return Discussions(tuple(comments), tuple(relations))

    def close(self) -> None:
        """Release the HTTP session."""
        self.graphql.close()

    def _issues_page(self, issue_filter: dict | None, page_cursor: str | None) -> Page:
        variables = {"filter": issue_filter, "first": self.page_size, "after": page_cursor}
        connection = data_at(self.graphql.execute("IssuesPage", variables), "issues")
        nodes = connection.get("nodes")
        if not isinstance(nodes, list):
            raise MalformedResponse("Linear issues connection without nodes")
        return Page(items=[mapping.work_item(n) for n in nodes], next_cursor=_next(connection))


def linear_time(moment: datetime) -> str:
    """A DateTime literal in UTC with milliseconds (naive datetimes are taken as UTC)."""
    moment = (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _next(connection: dict) -> str | None:
    """Relay pageInfo's endCursor when there is a next page."""
    info = connection.get("pageInfo") or {}
    return info.get("endCursor") if info.get("hasNextPage") else None
