"""The Jira connector: searches, comments, links and epic/issue mirrors over REST v3 (Cloud) or v2 (DC)."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Callable, Sequence

import requests

from connector.base import OUTSIDE, ConnectionCheck, Discussions, Mirror, MirrorKind, MirrorSpec, TrackedScope
from connector.errors import MalformedResponse, NotFound
from connector.jira import jql, mapping, site
from connector.jira.client import JiraHttp, open_session
from connector.jira.permissions import check_connection
from okr_core.connection_settings import SITE_FACTS
from connector.jira.reading import ReadingRules
from connector.retry import RetryPolicy
from okr_core.domain import BlockingRelation, Comment, LinkKind, Page, TrackerKind, WorkItem

IDS_PER_SEARCH = 100   # also the most POST /issue/bulkfetch takes
PROJECT_KEYS_PER_CALL = 50   # the most keys GET /project/search takes


@dataclass(frozen=True)
class JiraSettings:
    """Connection settings that change how the connector talks to Jira."""

    cloud: bool = True
    page_size: int = 100
    story_points_field: str | None = None
    epic_link_field: str | None = None
    kr_issue_type: str = "Task"
    timezone: str = "UTC"       # used only when /myself names no time zone
    mirror_label: str = "okr"   # the label every mirror carries (SPEC section 3 default)
    rules: ReadingRules = ReadingRules()
    facts: site.SiteFacts = site.SiteFacts()

    @classmethod
    def from_dict(cls, settings: dict, credentials: dict) -> "JiraSettings":
        """Read settings; a personal access token implies Data Center unless told otherwise."""
        default = "datacenter" if credentials.get("personal_access_token") else "cloud"
        return cls(
            cloud=settings.get("deployment", default) == "cloud",
            page_size=int(settings.get("page_size", cls.page_size)),
            story_points_field=settings.get("story_points_field"),
            epic_link_field=settings.get("epic_link_field"),
            kr_issue_type=settings.get("kr_issue_type", cls.kr_issue_type),
            timezone=settings.get("timezone", cls.timezone),
            mirror_label=settings.get("mirror_label", cls.mirror_label),
            rules=ReadingRules.from_settings(settings),
            facts=site.SiteFacts.from_dict(settings.get(SITE_FACTS), datetime.now(timezone.utc)),
        )


def mirror_label(kind: MirrorKind, okrsync_id: str) -> str:
    """The label that makes a mirror findable again (labels may not contain spaces)."""
    return f"okrsync-{kind}-" + re.sub(r"[^A-Za-z0-9_-]", "-", str(okrsync_id))


class JiraConnector:
    """TrackerConnector and CommentWriter for one Jira site."""

    kind = TrackerKind.JIRA
    DISCUSSION_BATCH = IDS_PER_SEARCH   # issues per read_discussions call

    def __init__(self, http: JiraHttp, settings: JiraSettings):
        self.http = http
        self.settings = settings
        self.api = "/rest/api/3" if settings.cloud else "/rest/api/2"
        self.facts = settings.facts
        # Told each newly learned SiteFacts, so the caller can cache them per connection.
        self.remember_facts: Callable[[dict], None] | None = None

    @classmethod
    def from_config(cls, base_url: str, credentials: dict, settings: dict,
                    session: requests.Session | None = None,
                    sleep: Callable[[float], None] | None = None) -> "JiraConnector":
        """Build from a connection's base URL, credentials and settings."""
        policy = RetryPolicy.from_settings(settings, sleep)
        timeout = float(settings.get("timeout", 30.0))
        http = JiraHttp(base_url, open_session(base_url, credentials, session, timeout), policy, timeout)
        return cls(http, JiraSettings.from_dict(settings, credentials))

    # -- reading ------------------------------------------------------------------------------

    def test_connection(self) -> ConnectionCheck:
        """Check credentials and the project permissions okrsync needs."""
        return check_connection(self.http, self.api, self.settings.timezone)

    def points_field(self) -> str | None:
        """The story points field id: the pinned one, else the first found by name on /field."""
        fields = self.rules().points_fields
        return fields[0] if fields else None

    def rules(self) -> ReadingRules:
        """Reading rules; unpinned points fields come from /field (asked once, then cached)."""
        if self.settings.story_points_field:
            return self.settings.rules
        if self.facts.points_fields is None:
            self._learn_fields()
        return replace(self.settings.rules, points_fields=self.facts.points_fields or ())

    def epic_link_field(self) -> str | None:
        """Data Center's Epic Link field id (None on Cloud, where epics are `parent`)."""
        if self.settings.cloud:
            return None
        if self.settings.epic_link_field is None and self.facts.points_fields is None:
            self._learn_fields()
        return self.settings.epic_link_field or self.facts.epic_link_field

    def time_zone(self) -> str:
        """The API user's zone (GET /myself timeZone), in which Jira reads JQL dates."""
        if self.facts.time_zone is None:
            zone, account = site.discover_account(self.http, self.api, self.settings.timezone)
            self._learn(time_zone=zone, account_id=account)
        return self.facts.time_zone

    def _learn_fields(self) -> None:
        points, epic = site.discover_fields(self.http, self.api)
        self._learn(points_fields=points, epic_link_field=epic)

    def _learn(self, **parts) -> None:
        self.facts = site.stamp(self.facts, **parts)
        if self.remember_facts is not None:
            self.remember_facts(self.facts.to_dict())

    def fetch_changed(self, since: datetime | None, page_cursor: str | None = None,
                      scope: TrackedScope | None = None) -> Page:
        """One page of items updated at or after `since` (minute precision), oldest first.

        Within `scope` when given: an empty scope tracks nothing and costs no call.
        """
        page = self.fetch_changed_issues(since, page_cursor, scope)
        return Page(items=self.work_items(page.items), next_cursor=page.next_cursor)

    def fetch_changed_issues(self, since: datetime | None, page_cursor: str | None = None,
                             scope: TrackedScope | None = None) -> Page:
        """`fetch_changed` with the page's issues as Jira sent them (decoded JSON objects), for
        `work_items` to map: a reader thread can ask for the next page as soon as it has this
        one's token, and leave the mapping to the thread that stores (sync.reconcile.prefetch)."""
        if scope is not None and not scope:
            return Page(items=[])
        bound = jql.tracked(scope, self._epic_clause()) if scope else None
        zone = self.time_zone() if since is not None else self.settings.timezone
        issues, following = self._search(jql.changed_since(since, zone, bound), page_cursor, self._fields())
        return Page(items=issues, next_cursor=following)

    def work_items(self, issues: Sequence[dict]) -> list[WorkItem]:
        """Search-result issues (as `fetch_changed_issues` gives them) as WorkItems; no issues
        need no call (the rules and the Epic Link field are read once, when first needed)."""
        if not issues:
            return []
        base, rules, epic = self.http.base_url, self.rules(), self.epic_link_field()
        return [mapping.work_item(i, base, rules, epic) for i in issues]

    def split_scope(self, scope: TrackedScope) -> dict[str, TrackedScope]:
        """A part per tracked project, and OUTSIDE for the rest (epic children and JQL matches in
        other projects, those projects excluded from its search): parts read disjoint issues."""
        parts = {project: TrackedScope(containers=(project,)) for project in scope.containers}
        if scope.parents or scope.queries:
            parts[OUTSIDE] = TrackedScope(parents=scope.parents, queries=scope.queries,
                                          excluded=scope.containers)
        return parts

    def resolve_link(self, kind: LinkKind, ref: str, page_cursor: str | None = None) -> Page:
        """One page of the items an issue / epic / JQL / mirror link matches."""
        return self._search_items(jql.for_link(kind, ref, self._epic_clause()), page_cursor)

    def link_matches_item(self, kind: LinkKind, ref: str, item_key: str) -> bool:
        """Whether one issue matches a link, asked as one search: `issue = KEY AND (<link>)`."""
        issues, _ = self._search(jql.for_link_item(kind, ref, item_key, self._epic_clause()), None,
                                 ["summary"], max_results=1)
        return bool(issues)

    def get_items(self, external_ids: Sequence[str]) -> list[WorkItem]:
        """Items by id or key, in batches of 100; deleted ones are simply absent."""
        base, rules, epic = self.http.base_url, self.rules(), self.epic_link_field()
        return [mapping.work_item(i, base, rules, epic)
                for i in self._issues_by_id(external_ids, self._fields())]

    def _issues_by_id(self, external_ids: Sequence[str], fields: list[str]) -> list[dict]:
        """Raw issues by id or key. Cloud: POST /issue/bulkfetch, which leaves out missing ones
        (https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/
        #api-rest-api-3-issue-bulkfetch-post); Data Center: a search told validateQuery=warn,
        since `issue in (...)` is refused whole when one key is gone."""
        found: list[dict] = []
        for start in range(0, len(external_ids), IDS_PER_SEARCH):
            chunk = [str(i) for i in external_ids[start:start + IDS_PER_SEARCH]]
            if self.settings.cloud:
                answer = self.http.call("POST", f"{self.api}/issue/bulkfetch",
                                        json={"issueIdsOrKeys": chunk, "fields": fields})
                found.extend(_list_of(answer, "issues"))
                continue
            cursor = None
            while True:
                issues, cursor = self._search(jql.by_ids(chunk), cursor, fields, validate="warn")
                found.extend(issues)
                if cursor is None:
                    break
        return found

    def existing_projects(self, keys: Sequence[str]) -> set[str]:
        """The keys among `keys` of projects that exist and the API user may browse (upper case).

        Cloud: GET /project/search?keys=A&keys=B, up to 50 keys a call, 404 when it finds none
        (https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-projects/
        #api-rest-api-3-project-search-get); Data Center: GET /project/{key}, 404 when missing.
        """
        wanted = sorted({k.strip().upper() for k in keys if k and k.strip()})
        found: set[str] = set()
        if not self.settings.cloud:
            for key in wanted:
                try:
                    found.add(str(self.http.call("GET", f"{self.api}/project/{key}").get("key", key)).upper())
                except NotFound:
                    pass
            return found
        for start in range(0, len(wanted), PROJECT_KEYS_PER_CALL):
            chunk = wanted[start:start + PROJECT_KEYS_PER_CALL]
            try:
                answer = self.http.call("GET", f"{self.api}/project/search",
                                        params={"keys": chunk, "maxResults": PROJECT_KEYS_PER_CALL})
            except NotFound:   # none of these projects
                continue
            found |= {str(p.get("key", "")).upper() for p in _list_of(answer, "values")}
        return found

    def list_comments(self, external_id: str, page_cursor: str | None = None) -> Page:
        """One page of an issue's comments, oldest first."""
        start = int(page_cursor or 0)
        body = self.http.call("GET", f"{self.api}/issue/{external_id}/comment",
                              params={"startAt": start, "maxResults": self.settings.page_size,
                                      "orderBy": "created"})
        raw = _list_of(body, "comments")
        comments = [mapping.comment(c, external_id) for c in raw]
        following = start + len(raw)
        more = raw and following < int(body.get("total", 0))
        return Page(items=comments, next_cursor=str(following) if more else None)

    def list_blocking_relations(self, external_ids: Sequence[str]) -> list[BlockingRelation]:
        """"Blocks" links touching these issues, each relation once."""
        found: dict[BlockingRelation, None] = {}
        for issue in self._issues_by_id(external_ids, ["issuelinks"]):
            found.update(dict.fromkeys(mapping.blocking_relations(issue)))
        return list(found)

    def read_discussions(self, external_ids: Sequence[str]) -> Discussions:
        """Comments and "Blocks" links of these issues: one bulkfetch per 100 issues, asking for
        the `comment` and `issuelinks` fields (Jira returns an issue's comments with the field)."""
        comments, relations = [], {}
        for issue in self._issues_by_id(external_ids, ["comment", "issuelinks"]):
            raw = ((issue.get("fields") or {}).get("comment") or {}).get("comments") or ()
            comments += [mapping.comment(c, str(issue["id"])) for c in raw]
            relations.update(dict.fromkeys(mapping.blocking_relations(issue)))
        return Discussions(tuple(comments), tuple(relations))

    # -- mirrors and writes ------------------------------------------------------------------

    def find_mirror(self, kind: MirrorKind, okrsync_id: str) -> Mirror | None:
        """The epic / KR issue carrying this okrsync object's label, if any."""
        # The per-object label alone identifies a mirror, whatever the shared label is now.
        query = f"{jql.by_label(mirror_label(kind, okrsync_id))} ORDER BY created ASC"
        issues, _ = self._search(query, None, ["summary"], max_results=1)
        if not issues:
            return None
        return self._mirror(kind, okrsync_id, issues[0]["id"], issues[0]["key"])

    def create_mirror(self, spec: MirrorSpec) -> Mirror:
        """Create the epic (objective) or child issue (KR) unless its label already exists."""
        existing = self.find_mirror(spec.kind, spec.okrsync_id)
        if existing is not None:
            return existing
        fields = {
            "project": {"key": spec.container},
            "issuetype": {"name": "Epic" if spec.kind is MirrorKind.OBJECTIVE else self.settings.kr_issue_type},
            "summary": _summary(spec),
            "labels": [self.settings.mirror_label, mirror_label(spec.kind, spec.okrsync_id)],
            "description": self._body(spec.description),
        }
        if spec.parent_ref:
            fields.update(self._epic_membership(spec.parent_ref))
        created = self.http.call("POST", f"{self.api}/issue", json={"fields": fields}, idempotent=False)
        if not isinstance(created, dict) or "key" not in created:
            raise MalformedResponse("Jira create issue answered without a key")
        return self._mirror(spec.kind, spec.okrsync_id, created["id"], created["key"])

    def update_mirror(self, mirror: Mirror, spec: MirrorSpec) -> Mirror:
        """Rewrite the mirror's summary and description."""
        fields = {"summary": _summary(spec), "description": self._body(spec.description)}
        self.http.call("PUT", f"{self.api}/issue/{mirror.key}", json={"fields": fields})
        return mirror

    def update_kr_description(self, key: str, text: str) -> None:
        """Replace a KR issue's description (target, current value, panel link)."""
        self.http.call("PUT", f"{self.api}/issue/{key}", json={"fields": {"description": self._body(text)}})

    def add_comment(self, external_id: str, body: str) -> Comment:
        """Add a plain-text comment; not retried on 5xx since Jira may have stored it."""
        raw = self.http.call("POST", f"{self.api}/issue/{external_id}/comment",
                             json={"body": self._body(body)}, idempotent=False)
        return mapping.comment(raw, external_id)

    def delete_comment(self, external_id: str, comment_id: str) -> None:
        """Delete a comment okrsync added; one already gone counts as deleted."""
        try:
            self.http.call("DELETE", f"{self.api}/issue/{external_id}/comment/{comment_id}")
        except NotFound:
            return

    def close(self) -> None:
        """Release the HTTP session."""
        self.http.session.close()

    # -- plumbing ----------------------------------------------------------------------------

    def _epic_membership(self, epic_key: str) -> dict:
        """Cloud puts an issue under an epic with `parent`; Data Center with the Epic Link field."""
        if self.settings.cloud:
            return {"parent": {"key": epic_key}}
        if not (field := self.epic_link_field()):
            raise NotFound("this Jira has no Epic Link field; set `epic_link_field` in the settings")
        return {field: epic_key}

    def _body(self, text: str):
        """v3 takes Atlassian Document Format, v2 (Data Center) wiki text."""
        return mapping.text_to_adf(text) if self.settings.cloud else text

    def _mirror(self, kind: MirrorKind, okrsync_id: str, issue_id, key: str) -> Mirror:
        return Mirror(kind, okrsync_id, str(issue_id), key, f"{self.http.base_url}/browse/{key}")

    def _epic_clause(self) -> str:
        return "parent" if self.settings.cloud else '"Epic Link"'

    def _fields(self) -> list[str]:
        custom = [f for f in (*self.rules().points_fields, self.epic_link_field()) if f]
        return list(mapping.BASE_FIELDS) + custom

    def _search_items(self, query: str, page_cursor: str | None) -> Page:
        issues, following = self._search(query, page_cursor, self._fields())
        return Page(items=self.work_items(issues), next_cursor=following)

    def _search(self, query: str, cursor: str | None, fields: list[str],
                max_results: int | None = None, validate: str | None = None) -> tuple[list[dict], str | None]:
        """One search page: Cloud /search/jql with nextPageToken, Data Center /search with startAt."""
        size = max_results or self.settings.page_size
        if self.settings.cloud:
            # https://developer.atlassian.com/changelog/#CHANGE-2046 (the old /search is gone)
            body = {"jql": query, "maxResults": size, "fields": fields}
            if cursor:
                body["nextPageToken"] = cursor
            answer = self.http.call("POST", f"{self.api}/search/jql", json=body)
            issues = _list_of(answer, "issues")
            token = answer.get("nextPageToken")
            return issues, (token if token and not answer.get("isLast", False) else None)
        start = int(cursor or 0)
        body = {"jql": query, "startAt": start, "maxResults": size, "fields": fields}
        if validate:
            body["validateQuery"] = validate
        answer = self.http.call("POST", f"{self.api}/search", json=body)
        issues = _list_of(answer, "issues")
        following = start + len(issues)
        return issues, (str(following) if issues and following < int(answer.get("total", 0)) else None)


def _summary(spec: MirrorSpec) -> str:
    return f"[OKR] {spec.title}" if spec.kind is MirrorKind.OBJECTIVE else spec.title


def _list_of(answer, key: str) -> list[dict]:
    """answer[key] when answer is an object holding a list there, else MalformedResponse."""
    if not isinstance(answer, dict) or not isinstance(answer.get(key), list):
        raise MalformedResponse(f"Jira answer without a {key!r} list")
    return answer[key]
